import { TerraformStack, Testing } from 'cdktf';
import { parse } from 'yaml';
import { Monitoring } from '../../constructs/monitoring';
import { committedInput, dataSource, DR_CYCLE, inPosition, resource, resourcesOf, synthEstate, synthesizedStacks, withInput, PROPS_AT_CONFIG_DEFAULTS } from '../helpers';

const normal = synthEstate();
const internet = synthEstate(
  withInput({ monitoring: { ...committedInput.monitoring, grafanaExposure: 'internet', grafanaAllowedCidrs: ['198.51.100.0/24'] } }),
);

describe.each(['us-east-2', 'us-west-1'])('monitoring of %s', (region) => {
  const stack = normal.byName[`monitoring-${region}`];
  const remote = 'data.terraform_remote_state.regional_state';
  const release = resource(stack, 'helm_release', 'monitoring_release');
  const values = parse(release.values[0]);

  test('is its own stack, after the regional stack, with state in its own region', () => {
    const monitoringStack = region === 'us-east-2' ? normal.stacks.monitoring.primary : normal.stacks.monitoring.dr;
    const regionalStack = region === 'us-east-2' ? normal.stacks.regional.primary : normal.stacks.regional.dr;
    expect(monitoringStack.dependencies).toContain(regionalStack);
    expect(stack.json.terraform.backend?.s3).toMatchObject({
      bucket: `dr-estate-prod-tfstate-111122223333-${region}`,
      key: `prod/monitoring-${region}/terraform.tfstate`,
      region,
    });
  });

  test('its Kubernetes and Helm providers take the cluster\'s endpoint and CA from the regional stack\'s state', () => {
    const host = `\${${remote}.outputs.eks_endpoint}`;
    const ca = `\${base64decode(${remote}.outputs.eks_certificate_authority)}`;
    const exec = {
      api_version: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', `dr-estate-prod-${region}`, '--region', region],
    };
    expect(stack.json.provider.kubernetes).toEqual([{ host, cluster_ca_certificate: ca, exec: [exec] }]);
    expect(stack.json.provider.helm).toEqual([{ kubernetes: { host, cluster_ca_certificate: ca, exec } }]);
    // The remote state it reads is the regional stack's, in this same region; outputs it reads exist there.
    const regionalOutputs = normal.byName[`regional-${region}`].json.output ?? {};
    expect(regionalOutputs.eks_endpoint?.value).toBe('${aws_eks_cluster.eks_cluster.endpoint}');
    expect(regionalOutputs.eks_certificate_authority?.value).toBe('${aws_eks_cluster.eks_cluster.certificate_authority[0].data}');
    expect((stack.json.data as any).terraform_remote_state.regional_state.config).toEqual({
      bucket: `dr-estate-prod-tfstate-111122223333-${region}`,
      key: `prod/regional-${region}/terraform.tfstate`,
      region,
    });
  });

  test('installs kube-prometheus-stack 79.7.1 in its own namespace', () => {
    expect(release).toMatchObject({
      name: 'kube-prometheus-stack',
      repository: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: '79.7.1',
      namespace: '${kubernetes_namespace_v1.monitoring_namespace.metadata[0].name}',
      atomic: true,
    });
    expect(resource(stack, 'kubernetes_namespace_v1', 'monitoring_namespace').metadata.name).toBe('monitoring');
  });

  test("Prometheus scrapes node_exporter and the app's /metrics on the app tier through EC2 discovery in its region", () => {
    const appTier = [
      { name: 'tag:AppTier', values: [`dr-estate-prod-${region}`] },
      { name: 'instance-state-name', values: ['running'] },
    ];
    expect(values.prometheus.prometheusSpec.additionalScrapeConfigs).toEqual([
      expect.objectContaining({ job_name: 'app-tier', metrics_path: '/metrics', ec2_sd_configs: [{ region, port: 9100, filters: appTier }] }),
      expect.objectContaining({ job_name: 'app-api', metrics_path: '/metrics', ec2_sd_configs: [{ region, port: 8080, filters: appTier }] }),
      expect.objectContaining({
        job_name: 'git-server',
        ec2_sd_configs: [
          {
            region,
            port: 9100,
            filters: [
              { name: 'tag:Name', values: [`dr-estate-prod-${region}-git`] },
              { name: 'instance-state-name', values: ['running'] },
            ],
          },
        ],
      }),
    ]);
    // The tags Prometheus filters on are the ones the servers carry.
    expect(resource(normal.byName[`regional-${region}`], 'aws_instance', 'git_instance').tags.Name).toBe(`dr-estate-prod-${region}-git`);
    const launchTemplate = resource(normal.byName[`regional-${region}`], 'aws_launch_template', 'app_launch_template');
    expect(launchTemplate.tag_specifications[0].tags.AppTier).toBe(`dr-estate-prod-${region}`);
  });

  test('a stale or never-completed Git backup fires an alert: backup age over two backup intervals', () => {
    const rules = values.additionalPrometheusRulesMap['estate-git-backup'].groups[0].rules;
    expect(rules.map((r: { alert: string }) => r.alert)).toEqual(['GitBackupStale', 'GitBackupNeverSucceeded']);
    expect(rules[0].expr).toBe('time() - max by (region) (estate_git_backup_last_success_timestamp_seconds) > 1800');
    expect(rules[1].expr).toBe('up{job="git-server"} == 1 unless on (instance) estate_git_backup_last_success_timestamp_seconds');
    expect(rules[1].for).toBe('30m');
  });

  test('Prometheus keeps 15 days on a 50 GiB encrypted gp3 volume', () => {
    expect(values.prometheus.prometheusSpec.retention).toBe('15d');
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: 'gp3',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '50Gi' } },
    });
    expect(resource(stack, 'kubernetes_storage_class_v1', 'monitoring_gp3')).toMatchObject({
      storage_provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
    });
  });

  test('Grafana\'s admin password is generated and read from a Kubernetes secret, never a literal', () => {
    expect(values.grafana.admin).toEqual({
      existingSecret: 'grafana-admin',
      userKey: 'admin-user',
      passwordKey: 'admin-password',
    });
    expect(JSON.stringify(values)).not.toMatch(/adminPassword/);
    const secret = resource(stack, 'kubernetes_secret_v1', 'monitoring_grafana_admin');
    expect(secret.data).toBeUndefined();
    expect(secret.data_wo).toEqual({
      'admin-user': 'admin',
      'admin-password': '${ephemeral.random_password.monitoring_grafana_admin_password.result}',
    });
    expect(secret.data_wo_revision).toBe(1);
    expect((stack.json.ephemeral as any).random_password['monitoring_grafana_admin_password']).toEqual({ length: 32, special: false });
  });

  test('Grafana\'s admin password never reaches Terraform state (write-only arguments from an ephemeral value)', () => {
    expect(resourcesOf(stack, 'random_password')).toEqual({});
    const copy = resource(stack, 'aws_secretsmanager_secret_version', 'monitoring_grafana_admin_copy_value');
    expect(copy.secret_string).toBeUndefined();
    expect(copy.secret_string_wo).toContain('ephemeral.random_password.monitoring_grafana_admin_password.result');
    expect(copy.secret_string_wo_version).toBe(1);
    expect(resource(stack, 'aws_secretsmanager_secret', 'monitoring_grafana_admin_copy').kms_key_id).toBe('alias/dr-estate-prod-storage');
  });

  test('Prometheus\' AWS role allows exactly the two EC2 describe actions', () => {
    const doc = dataSource(stack, 'aws_iam_policy_document', 'monitoring_prometheus_discovery');
    expect(doc.statement).toEqual([
      { sid: 'Ec2ServiceDiscovery', actions: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'], resources: ['*'] },
    ]);
    expect(resource(stack, 'aws_eks_pod_identity_association', 'monitoring_prometheus_identity')).toMatchObject({
      cluster_name: `dr-estate-prod-${region}`,
      namespace: 'monitoring',
      service_account: 'prometheus',
      role_arn: '${aws_iam_role.monitoring_prometheus_role.arn}',
    });
    expect(values.prometheus.serviceAccount).toEqual({ create: true, name: 'prometheus' });
  });

  test('Grafana is reachable on an internal load balancer whose name is an output', () => {
    const service = resource(stack, 'kubernetes_service_v1', 'monitoring_grafana_lb');
    expect(service.spec).toMatchObject({
      type: 'LoadBalancer',
      selector: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'kube-prometheus-stack' },
      port: [{ port: 80, target_port: '3000' }],
    });
    expect(service.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
      // The estate's tags, which default_tags cannot put on a load balancer Kubernetes creates.
      'service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags': `Project=dr-estate,Environment=prod,Region=${region},DrRole=${region === 'us-east-2' ? 'primary' : 'dr'},ManagedBy=cdktf`,
    });
    expect(stack.json.output?.monitoring_grafana_hostname).toMatchObject({
      value: '${kubernetes_service_v1.monitoring_grafana_lb.status[0].load_balancer[0].ingress[0].hostname}',
      description: expect.any(String),
    });
  });
});

test('internet-facing Grafana admits only the allowed networks', () => {
  const service = resource(internet.byName['monitoring-us-east-2'], 'kubernetes_service_v1', 'monitoring_grafana_lb');
  expect(service.spec.load_balancer_source_ranges).toEqual(['198.51.100.0/24']);
  expect(service.metadata.annotations).toEqual({
    'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
    'service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags': 'Project=dr-estate,Environment=prod,Region=us-east-2,DrRole=primary,ManagedBy=cdktf',
  });
});

describe('Monitoring props validation', () => {
  const build = (patch: object) => () =>
    new Monitoring(new TerraformStack(Testing.app(), 's'), 'monitoring', {
      name: 'n',
      adminSecretName: 'n/grafana-admin',
      region: 'us-east-2',
      storageKeyAlias: 'alias/storage',
      clusterName: 'c',
      nodeAvailabilityZones: ['us-east-2a', 'us-east-2b'],
      scrapeTarget: { tagKey: 'AppTier', tagValue: 'x', port: 9100 },
      appScrapeTarget: { tagKey: 'AppTier', tagValue: 'x', port: 8080 },
      gitScrapeTarget: { tagKey: 'Name', tagValue: 'g', port: 9100 },
      alertTopicArn: 'arn:aws:sns:us-east-2:111122223333:n-alerts',
      heartbeatTopicArn: 'arn:aws:sns:us-east-2:111122223333:n-heartbeat',
      ...PROPS_AT_CONFIG_DEFAULTS.monitoring,
      ...patch,
    });

  test('fails if Grafana faces the internet with no allowed network', () => {
    expect(build({ grafanaExposure: 'internet' })).toThrow(
      'Monitoring monitoring: grafanaExposure is "internet" with no grafanaAllowedCidrs, expected at least one allowed network.',
    );
  });

  test('fails if Grafana would be open to the world', () => {
    expect(build({ grafanaAllowedCidrs: ['0.0.0.0/0'] })).toThrow(
      'Monitoring monitoring: grafanaAllowedCidrs has "0.0.0.0/0", expected IPv4 networks of /8 or smaller (never the world).',
    );
  });
});

test("Alertmanager publishes to the topic its region's regional stack creates (the ARN is computed, not read)", () => {
  for (const region of ['us-east-2', 'us-west-1']) {
    const values = JSON.parse(Object.values(normal.byName[`monitoring-${region}`].json.resource.helm_release as Record<string, any>)[0].values[0]);
    const arn: string = values.alertmanager.config.receivers.find((r: any) => r.sns_configs).sns_configs[0].topic_arn;
    const topic = Object.values(normal.byName[`regional-${region}`].json.resource.aws_sns_topic as Record<string, any>)[0];
    expect(arn).toBe(`arn:aws:sns:${region}:${normal.config.accountId}:${topic.name}`);
  }
});

test("Prometheus' volume is created only in the node groups' AZs, so a replacement node can always mount it", () => {
  for (const region of ['us-east-2', 'us-west-1']) {
    const storageClass = Object.values(normal.byName[`monitoring-${region}`].json.resource.kubernetes_storage_class_v1 as Record<string, any>)[0];
    expect(storageClass.volume_binding_mode).toBe('WaitForFirstConsumer');
    expect(storageClass.allowed_topologies.match_label_expressions).toEqual([
      { key: 'topology.kubernetes.io/zone', values: '${split(",", data.terraform_remote_state.regional_state.outputs.eks_node_availability_zones)}' },
    ]);
  }
});

describe('monitoring follows the live posture, not the deployed one', () => {
  // A monitoring stack may never be redeployed during an outage: nothing in it may depend on the posture.
  test.each(['us-east-2', 'us-west-1'])('monitoring-%s synthesizes identically in every state of the DR cycle', (region) => {
    const texts = DR_CYCLE.map((p) => JSON.stringify(synthesizedStacks(inPosition(p))[`monitoring-${region}`]));
    expect(new Set(texts).size).toBe(1);
  });
});
