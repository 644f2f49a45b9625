import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { checkAdmittedNetworks } from '../config/cidr';
import { ephemeralResource } from './ephemeral';
import { podIdentityTrust } from './trust';
import { GIT_BACKUP_METRIC } from './user-data';
import { CONFIG_DEFAULTS } from '../config/schema';

/** What Prometheus discovers and scrapes outside the cluster. */
export interface ScrapeTarget {
  /** EC2 tag name the targets carry. */
  readonly tagKey: string;
  /** Value of that tag. */
  readonly tagValue: string;
  /** Port of the exporter. */
  readonly port: number;
  /**
   * Path of the metrics.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
}

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** Prefix of IAM names, unique per account and region. */
  readonly name: string;
  /** Region of the cluster and of the EC2 instances Prometheus discovers. */
  readonly region: string;
  /** Name of the EKS cluster the chart is installed on (for the Pod Identity association). */
  readonly clusterName: string;
  /**
   * AZs of the cluster's node groups: Prometheus' volume is created in one of them only, so a
   * replacement node (its group stays in its AZ) can always mount it.
   */
  readonly nodeAvailabilityZones: string[];
  /** EC2 instances Prometheus scrapes (the app tier's node_exporter). */
  readonly scrapeTarget: ScrapeTarget;
  /** The app's own metrics on the same instances (requests, errors, latency per route). */
  readonly appScrapeTarget: ScrapeTarget;
  /** The region's Git server (node_exporter with the backup-age metric), when it runs. */
  readonly gitScrapeTarget: ScrapeTarget;
  /** The region's alert topic: Alertmanager's default receiver. */
  readonly alertTopicArn: string;
  /**
   * Alias of the region's storage key: the Secrets Manager copy of Grafana's admin password
   * is encrypted with it.
   */
  readonly storageKeyAlias: string;
  /**
   * Tags for the AWS resources Kubernetes creates (Prometheus' EBS volume, Grafana's load
   * balancer): the provider's default_tags do not reach them. Keys and values without , or =.
   * @default - none
   */
  readonly resourceTags?: Readonly<Record<string, string>>;
  /** App servers the region's DR posture runs: fewer up fires an alert (none: no alert). */
  readonly appTierExpectedInstances: number;
  /**
   * Age of the last successful Git backup past which an alert fires (the Git RPO's budget).
   * @default 30
   */
  readonly gitBackupMaxAgeMinutes?: number;
  /**
   * kube-prometheus-stack chart version.
   * @default - `CONFIG_DEFAULTS.monitoring.chartVersion` (the config field's default, config/schema)
   */
  readonly chartVersion?: string;
  /**
   * Days Prometheus keeps samples.
   * @default - `CONFIG_DEFAULTS.monitoring.prometheusRetentionDays` (the config field's default, config/schema)
   */
  readonly retentionDays?: number;
  /**
   * Size of Prometheus' gp3 volume, GiB.
   * @default - `CONFIG_DEFAULTS.monitoring.prometheusStorageGb` (the config field's default, config/schema)
   */
  readonly storageGb?: number;
  /**
   * Grafana's load balancer: `internal` (inside the VPC, reached over VPN) or `internet`
   * (only from `grafanaAllowedCidrs`).
   * @default - `CONFIG_DEFAULTS.monitoring.grafanaExposure` (the config field's default, config/schema)
   */
  readonly grafanaExposure?: 'internal' | 'internet';
  /**
   * Networks allowed to Grafana's load balancer.
   * @default - none (required for `internet`)
   */
  readonly grafanaAllowedCidrs?: readonly string[];
}

/** Namespace the stack runs in. */
export const MONITORING_NAMESPACE = 'monitoring';
/** Helm release name (also the `app.kubernetes.io/instance` label of its pods). */
export const RELEASE_NAME = 'kube-prometheus-stack';
/** Service account Prometheus runs as (its AWS role is bound to it). */
export const PROMETHEUS_SERVICE_ACCOUNT = 'prometheus';
/** Service account Alertmanager runs as (its AWS role, allowed to publish alerts, is bound to it). */
export const ALERTMANAGER_SERVICE_ACCOUNT = 'alertmanager';
/** Kubernetes secret holding Grafana's admin credentials. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** The only AWS actions Prometheus' EC2 discovery needs. */
export const PROMETHEUS_EC2_ACTIONS = ['ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'];

/**
 * kube-prometheus-stack on a region's EKS cluster: Prometheus (retention, persistent gp3
 * storage) scraping the app tier through EC2 service discovery with its own least-privilege
 * role (EKS Pod Identity), and Grafana with a generated admin password written (write-only)
 * into a Kubernetes secret and a Secrets Manager secret, behind a load balancer whose name is
 * exposed for the DR switch's DNS record.
 */
export class Monitoring extends Construct {
  /** The Helm release. */
  readonly release: Release;
  /** Grafana's load balancer service. */
  readonly grafanaService: ServiceV1;
  /** DNS name of Grafana's load balancer (target of the monitoring DNS record). */
  readonly grafanaHostname: string;
  /** The Helm values, as the object rendered into the release. */
  readonly values: Record<string, unknown>;
  /** Output carrying {@link grafanaHostname}, for the DR stack. */
  readonly grafanaHostnameOutput: TerraformOutput;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const exposure = props.grafanaExposure ?? CONFIG_DEFAULTS.monitoring.grafanaExposure;
    const allowed = [...(props.grafanaAllowedCidrs ?? [])];
    validateProps(id, exposure, allowed);

    const namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'monitoring' } },
    });
    const storageClass = new StorageClassV1(this, 'gp3', {
      metadata: { name: 'gp3' },
      storageProvisioner: 'ebs.csi.aws.com',
      // The EBS CSI driver tags each volume it creates: one tagSpecification_<n> per tag.
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        ...Object.fromEntries(Object.entries(props.resourceTags ?? {}).map(([k, v], i) => [`tagSpecification_${i + 1}`, `${k}=${v}`])),
      },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      allowedTopologies: {
        matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: props.nodeAvailabilityZones }],
      },
    });

    // Grafana's admin password never reaches plan or state: an ephemeral value, written once
    // (write-only arguments, revision 1) into the Kubernetes secret Grafana reads and into a
    // Secrets Manager secret operators read it from. Raise both revisions to set a new one.
    const password = ephemeralResource(this, 'grafana-admin-password', 'random_password', { length: 32, special: false });
    const adminSecret = new SecretV1(this, 'grafana-admin', {
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: namespace.metadata.name },
      dataWo: { 'admin-user': 'admin', 'admin-password': `\${${password}.result}` },
      dataWoRevision: 1,
      type: 'Opaque',
    });
    const adminCopy = new SecretsmanagerSecret(this, 'grafana-admin-copy', {
      name: `${props.name}/grafana-admin`,
      description: `Grafana admin password of ${props.clusterName} (the same value as the ${GRAFANA_ADMIN_SECRET} Kubernetes secret)`,
      kmsKeyId: props.storageKeyAlias,
      recoveryWindowInDays: 7,
      // Its value is written once: a new secret would be empty.
      lifecycle: { preventDestroy: true },
    });
    new SecretsmanagerSecretVersion(this, 'grafana-admin-copy-value', {
      secretId: adminCopy.id,
      secretStringWo: `\${jsonencode({ username = "admin", password = ${password}.result })}`,
      secretStringWoVersion: 1,
    });

    const role = new IamRole(this, 'prometheus-role', {
      name: `${props.name}-prometheus`,
      assumeRolePolicy: podIdentityTrust(this, 'prometheus-trust'),
    });
    const discovery = new DataAwsIamPolicyDocument(this, 'prometheus-discovery', {
      statement: [{ sid: 'Ec2ServiceDiscovery', actions: PROMETHEUS_EC2_ACTIONS, resources: ['*'] }],
    });
    new IamRolePolicy(this, 'prometheus-policy', {
      name: 'ec2-service-discovery',
      role: role.id,
      policy: discovery.json,
    });
    const association = new EksPodIdentityAssociation(this, 'prometheus-identity', {
      clusterName: props.clusterName,
      namespace: MONITORING_NAMESPACE,
      serviceAccount: PROMETHEUS_SERVICE_ACCOUNT,
      roleArn: role.arn,
    });

    // Alertmanager publishes to the region's alert topic with its own role (sigv4).
    const alertmanagerRole = new IamRole(this, 'alertmanager-role', {
      name: `${props.name}-alertmanager`,
      assumeRolePolicy: podIdentityTrust(this, 'alertmanager-trust'),
    });
    const publish = new DataAwsIamPolicyDocument(this, 'alertmanager-publish', {
      statement: [
        { sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [props.alertTopicArn] },
        {
          // The topic is encrypted with its own key; the key is only usable through SNS.
          sid: 'EncryptForTheTopic',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`sns.${props.region}.amazonaws.com`] }],
        },
      ],
    });
    new IamRolePolicy(this, 'alertmanager-policy', { name: 'publish-alerts', role: alertmanagerRole.id, policy: publish.json });
    const alertmanagerAssociation = new EksPodIdentityAssociation(this, 'alertmanager-identity', {
      clusterName: props.clusterName,
      namespace: MONITORING_NAMESPACE,
      serviceAccount: ALERTMANAGER_SERVICE_ACCOUNT,
      roleArn: alertmanagerRole.arn,
    });

    this.values = chartValues(props);
    this.release = new Release(this, 'release', {
      name: RELEASE_NAME,
      repository: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: props.chartVersion ?? CONFIG_DEFAULTS.monitoring.chartVersion,
      namespace: namespace.metadata.name,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      // JSON is YAML: the values stay one typed object, rendered once.
      values: [JSON.stringify(this.values)],
      dependsOn: [adminSecret, storageClass, association, alertmanagerAssociation],
    });

    const annotations: Record<string, string> = {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      ...(Object.keys(props.resourceTags ?? {}).length
        ? {
            'service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags': Object.entries(props.resourceTags ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
          }
        : {}),
      ...(exposure === 'internal' ? { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } : {}),
    };
    this.grafanaService = new ServiceV1(this, 'grafana-lb', {
      metadata: { name: 'grafana-lb', namespace: namespace.metadata.name, annotations },
      spec: {
        type: 'LoadBalancer',
        selector: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': RELEASE_NAME },
        port: [{ name: 'http', port: 80, targetPort: '3000', protocol: 'TCP' }],
        loadBalancerSourceRanges: allowed.length > 0 ? allowed : undefined,
      },
      waitForLoadBalancer: true,
      dependsOn: [this.release],
    });
    this.grafanaHostname = this.grafanaService.status.get(0).loadBalancer.get(0).ingress.get(0).hostname;

    this.grafanaHostnameOutput = new TerraformOutput(this, 'grafana-hostname', {
      value: this.grafanaHostname,
      description: "DNS name of Grafana's load balancer in this region.",
    });
  }
}

/** Requests and limits sized for two t3.medium nodes (2 vCPU, 4 GiB each) shared with the system pods. */
export const MONITORING_RESOURCES = {
  prometheus: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
  alertmanager: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  grafana: { requests: { cpu: '50m', memory: '192Mi' }, limits: { memory: '384Mi' } },
  operator: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  kubeStateMetrics: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '192Mi' } },
  nodeExporter: { requests: { cpu: '25m', memory: '32Mi' }, limits: { memory: '64Mi' } },
} as const;

/**
 * The chart values. The chart's defaults are for self-managed clusters; on EKS: the control
 * plane's controller-manager, scheduler and etcd expose no metrics to the cluster, and
 * kube-proxy binds its metrics to localhost, so none is scraped or alerted on (their absent(up)
 * alerts would fire forever). Alerts go to the region's topic (Watchdog, the always-firing
 * heartbeat, and InfoInhibitor go nowhere). Every component has requests and limits; Prometheus
 * stops at `retentionSize` before its volume is full (a full disk crash-loops it). Grafana
 * keeps nothing of its own: data sources, dashboards (sidecar ConfigMaps) and the admin login
 * are provisioned, so it needs no volume. Chart upgrades upgrade the CRDs (Helm installs CRDs
 * only on first install).
 */
function chartValues(props: MonitoringProps): Record<string, unknown> {
  const maxAgeSeconds = (props.gitBackupMaxAgeMinutes ?? 30) * 60;
  const storageGb = props.storageGb ?? CONFIG_DEFAULTS.monitoring.prometheusStorageGb;
  return {
    crds: { enabled: true, upgradeJob: { enabled: true } },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: { resources: MONITORING_RESOURCES.operator },
    'kube-state-metrics': { resources: MONITORING_RESOURCES.kubeStateMetrics },
    'prometheus-node-exporter': { resources: MONITORING_RESOURCES.nodeExporter },
    alertmanager: {
      serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
      alertmanagerSpec: { resources: MONITORING_RESOURCES.alertmanager },
      config: alertmanagerConfig(props),
    },
    prometheus: {
      serviceAccount: { create: true, name: PROMETHEUS_SERVICE_ACCOUNT },
      prometheusSpec: {
        retention: `${props.retentionDays ?? CONFIG_DEFAULTS.monitoring.prometheusRetentionDays}d`,
        // Every series and alert says which region it comes from (both regions page one topic each).
        externalLabels: { region: props.region },
        // Prometheus' GB are GiB: leave a fifth of the volume for the WAL and compaction.
        retentionSize: `${Math.floor(storageGb * 0.8)}GB`,
        resources: MONITORING_RESOURCES.prometheus,
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: 'gp3',
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: `${storageGb}Gi` } },
            },
          },
        },
        additionalScrapeConfigs: [
          ec2ScrapeJob('app-tier', props.region, props.scrapeTarget),
          ec2ScrapeJob('app-api', props.region, props.appScrapeTarget),
          ec2ScrapeJob('git-server', props.region, props.gitScrapeTarget),
        ],
      },
    },
    additionalPrometheusRulesMap: {
      'estate-app-tier': { groups: [appTierRules(props.appTierExpectedInstances)] },
      // A failed or stale Git backup is seen: the backup job publishes the time of its last upload
      // that reached the bucket (node_exporter textfile); a stopped mirror is not scraped, so
      // only the running server can fire these.
      'estate-git-backup': {
        groups: [
          {
            name: 'estate-git-backup',
            rules: [
              {
                alert: 'GitBackupStale',
                expr: `time() - max by (region) (${GIT_BACKUP_METRIC}) > ${maxAgeSeconds}`,
                for: '5m',
                labels: { severity: 'critical' },
                annotations: {
                  summary: `The last Git backup in {{ $labels.region }} is older than ${maxAgeSeconds / 60} minutes: the Git RPO is not being met.`,
                },
              },
              {
                alert: 'GitBackupNeverSucceeded',
                expr: `up{job="git-server"} == 1 unless on (instance) ${GIT_BACKUP_METRIC}`,
                for: `${maxAgeSeconds / 60}m`,
                labels: { severity: 'critical' },
                annotations: { summary: 'The running Git server has not completed a backup since it started.' },
              },
            ],
          },
        ],
      },
    },
    grafana: {
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
      service: { type: 'ClusterIP' },
      persistence: { enabled: false },
      resources: MONITORING_RESOURCES.grafana,
      sidecar: { dashboards: { enabled: true, label: GRAFANA_DASHBOARD_LABEL, labelValue: '1' } },
    },
    extraManifests: [appTierDashboard()],
  };
}

/** Label the Grafana sidecar loads dashboards from. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/** Alertmanager's configuration: everything to the region's topic, grouped per alert and region. */
function alertmanagerConfig(props: MonitoringProps): Record<string, unknown> {
  return {
    global: { resolve_timeout: '5m' },
    route: {
      group_by: ['alertname', 'region', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      receiver: 'alert-topic',
      routes: [
        // The heartbeat that proves the pipeline works, and the chart's inhibition helper.
        { matchers: ['alertname = "Watchdog"'], receiver: 'null' },
        { matchers: ['alertname = "InfoInhibitor"'], receiver: 'null' },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ['namespace', 'alertname'] },
      { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: ['namespace', 'alertname'] },
    ],
    receivers: [
      { name: 'null' },
      {
        name: 'alert-topic',
        sns_configs: [
          {
            topic_arn: props.alertTopicArn,
            sigv4: { region: props.region },
            subject: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} (${props.region})`,
            send_resolved: true,
          },
        ],
      },
    ],
    templates: ['/etc/alertmanager/config/*.tmpl'],
  };
}

/** Alert rules on the app tier's node_exporter job. */
function appTierRules(expected: number): Record<string, unknown> {
  const upCount = '(count(up{job="app-tier"} == 1) or vector(0))';
  return {
    name: 'estate-app-tier',
    rules: [
      {
        alert: 'AppTierDown',
        // Only where the DR posture runs app servers (the passive region runs none).
        expr: `${upCount} == 0 and on () vector(${expected}) > 0`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: { summary: 'No app server answers in {{ $externalLabels.region }}: if this is the active region, a failover is due.' },
      },
      {
        alert: 'AppTierBelowPosture',
        expr: `${upCount} < ${expected}`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: { summary: `Fewer app servers are up than the ${expected} the DR posture runs here.` },
      },
      {
        alert: 'AppApiErrors',
        expr: 'sum(rate(estate_app_requests_total{job="app-api",code=~"5.."}[5m])) / sum(rate(estate_app_requests_total{job="app-api"}[5m])) > 0.05',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: { summary: 'More than 5% of the app\'s requests fail (5xx): the health check answers 503 while the database is unusable.' },
      },
      {
        alert: 'AppApiSlow',
        expr: 'histogram_quantile(0.95, sum by (le, route) (rate(estate_app_request_duration_seconds_bucket{job="app-api",route!="/metrics"}[5m]))) > 1',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: { summary: 'The app\'s 95th percentile latency on {{ $labels.route }} is over 1 s.' },
      },
      {
        alert: 'AppTierInstanceDown',
        expr: 'up{job="app-tier"} == 0',
        for: '5m',
        labels: { severity: 'warning' },
        annotations: { summary: 'App server {{ $labels.instance_id }} ({{ $labels.availability_zone }}) does not answer on node_exporter.' },
      },
    ],
  };
}

/** The app tier's dashboard, a ConfigMap the Grafana sidecar provisions. */
function appTierDashboard(): Record<string, unknown> {
  // The chart passes extra manifests through `tpl`, so no `{{ }}` legend: Grafana names series itself.
  const panel = (id: number, title: string, expr: string, y: number) => ({
    id,
    title,
    type: 'timeseries',
    datasource: { type: 'prometheus', uid: 'prometheus' },
    gridPos: { h: 8, w: 12, x: (id - 1) % 2 === 0 ? 0 : 12, y },
    targets: [{ expr, legendFormat: '__auto', refId: 'A' }],
  });
  const dashboard = {
    uid: 'estate-app-tier',
    title: 'Estate: app tier and DR signals',
    tags: ['estate'],
    timezone: 'utc',
    schemaVersion: 39,
    refresh: '1m',
    panels: [
      panel(1, 'App servers up', 'sum by (region) (up{job="app-tier"})', 0),
      panel(2, 'CPU busy per server', '1 - avg by (instance_id) (rate(node_cpu_seconds_total{job="app-tier",mode="idle"}[5m]))', 0),
      panel(3, 'Memory available per server', 'node_memory_MemAvailable_bytes{job="app-tier"}', 8),
      panel(4, 'Git backup age (s)', `time() - max by (region) (${GIT_BACKUP_METRIC})`, 8),
      panel(5, 'Requests per second by route and status', 'sum by (route, code) (rate(estate_app_requests_total{job="app-api"}[5m]))', 16),
      panel(6, 'Latency p95 by route (s)', 'histogram_quantile(0.95, sum by (le, route) (rate(estate_app_request_duration_seconds_bucket{job="app-api"}[5m])))', 16),
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'estate-app-tier-dashboard', namespace: MONITORING_NAMESPACE, labels: { [GRAFANA_DASHBOARD_LABEL]: '1' } },
    data: { 'estate-app-tier.json': JSON.stringify(dashboard) },
  };
}

/** A scrape job over the region's running EC2 instances that carry a tag. */
function ec2ScrapeJob(name: string, region: string, target: ScrapeTarget): Record<string, unknown> {
  return {
    job_name: name,
    metrics_path: target.metricsPath ?? '/metrics',
    ec2_sd_configs: [
      {
        region,
        port: target.port,
        filters: [
          { name: `tag:${target.tagKey}`, values: [target.tagValue] },
          { name: 'instance-state-name', values: ['running'] },
        ],
      },
    ],
    relabel_configs: [
      { source_labels: ['__meta_ec2_instance_id'], target_label: 'instance_id' },
      { source_labels: ['__meta_ec2_availability_zone'], target_label: 'availability_zone' },
      { target_label: 'region', replacement: region },
    ],
  };
}

function validateProps(id: string, exposure: 'internal' | 'internet', allowed: readonly string[]): void {
  checkAdmittedNetworks(`Monitoring ${id}`, 'grafanaAllowedCidrs', allowed);
  if (exposure === 'internet' && allowed.length === 0) {
    throw new Error(
      `Monitoring ${id}: grafanaExposure is "internet" with no grafanaAllowedCidrs, expected at least one allowed network.`,
    );
  }
}
