import { spawnSync } from 'node:child_process';
import { TerraformStack, Testing } from 'cdktf';
import { AppTier } from '../../constructs/app-tier';
import { Network } from '../../constructs/network';
import { bucketLocation } from '../../constructs/secure-bucket';
import { committedInput, dataSource, resource, resourcesOf, synthEstate, withInput, PROPS_AT_CONFIG_DEFAULTS } from '../helpers';

const normal = synthEstate();
const failover = synthEstate(committedInput, { activeRegionOverride: 'us-west-1' });
const plainHttp = synthEstate(withInput({ appTier: { https: false } }));
const warmStandby = synthEstate(withInput({ appTier: { passiveDesiredCapacity: 1 } }));

const REGIONAL = ['regional-us-east-2', 'regional-us-west-1'] as const;

describe.each(REGIONAL)('app tier of %s', (name) => {
  const stack = normal.byName[name];
  const region = name.replace('regional-', '');

  test('an internet-facing ALB in the public subnets drops invalid headers and is deletion-protected', () => {
    const alb = resource(stack, 'aws_lb', 'app_alb');
    expect(alb).toMatchObject({
      load_balancer_type: 'application',
      internal: false,
      drop_invalid_header_fields: true,
      enable_deletion_protection: true,
      security_groups: ['${aws_security_group.app_alb_sg.id}'],
    });
    expect(alb.subnets).toEqual(
      Object.keys(resourcesOf(stack, 'aws_subnet'))
        .filter((id) => id.startsWith('network_public_'))
        .sort()
        .map((id) => `\${aws_subnet.${id}.id}`),
    );
    // Access logs into the region's own log bucket, under the prefix its policy admits.
    expect(alb.access_logs).toEqual({ bucket: `dr-estate-prod-access-logs-111122223333-${region}`, prefix: 'alb', enabled: true });
  });

  test('with a domain: HTTPS with a DNS-validated certificate for app.<zone>, HTTP redirecting to it', () => {
    expect(resource(stack, 'aws_acm_certificate', 'app_certificate')).toMatchObject({
      domain_name: 'app.estate.example.org',
      validation_method: 'DNS',
    });
    const validation = resource(stack, 'aws_acm_certificate_validation', 'app_certificate_validation');
    expect(validation.certificate_arn).toBe('${aws_acm_certificate.app_certificate.arn}');
    expect(resource(stack, 'aws_lb_listener', 'app_https')).toMatchObject({
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: '${aws_acm_certificate_validation.app_certificate_validation.certificate_arn}',
      default_action: [{ type: 'forward', target_group_arn: '${aws_lb_target_group.app_targets.arn}' }],
    });
    expect(resource(stack, 'aws_lb_listener', 'app_http')).toMatchObject({
      port: 80,
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
    expect(dataSource(stack, 'aws_route53_zone', 'zone')).toEqual(
      expect.objectContaining({ name: 'estate.example.org', private_zone: false }),
    );
  });

  // ACM gives every certificate for one name in one account the same DNS validation record,
  // whatever its region (terraform-provider-aws#13653): two stacks writing it would fight over
  // it (and destroying one would break the other's renewals), so the primary site owns it.
  test('ACM: the shared validation record has one owner, the primary site; the DR site validates against it', () => {
    const record = stack.json.resource.aws_route53_record?.app_certificate_validation_record as Record<string, unknown> | undefined;
    const validation = resource(stack, 'aws_acm_certificate_validation', 'app_certificate_validation');
    if (name === 'regional-us-east-2') {
      expect(record).toMatchObject({
        zone_id: '${data.aws_route53_zone.zone.zone_id}',
        name: '${tolist(aws_acm_certificate.app_certificate.domain_validation_options).0.resource_record_name}',
      });
      expect(record?.allow_overwrite).toBeUndefined();
      expect(validation.validation_record_fqdns).toEqual(['${aws_route53_record.app_certificate_validation_record.fqdn}']);
    } else {
      expect(record).toBeUndefined();
      expect(validation.validation_record_fqdns).toEqual([
        '${trimsuffix(tolist(aws_acm_certificate.app_certificate.domain_validation_options).0.resource_record_name, ".")}',
      ]);
    }
  });

  test('the target group health-checks the app\'s /healthz', () => {
    expect(resource(stack, 'aws_lb_target_group', 'app_targets')).toMatchObject({
      port: 8080,
      protocol: 'HTTP',
      target_type: 'instance',
      health_check: { path: '/healthz', matcher: '200', port: 'traffic-port', protocol: 'HTTP' },
    });
  });

  test('the launch template: AL2023 from SSM, t3.micro, IMDSv2, encrypted gp3, SSM profile, no key pair', () => {
    const lt = resource(stack, 'aws_launch_template', 'app_launch_template');
    expect(lt).toMatchObject({
      image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      instance_type: 't3.micro',
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_type: 'gp3', encrypted: 'true' } }],
      iam_instance_profile: { arn: '${aws_iam_instance_profile.app_instance_profile.arn}' },
      vpc_security_group_ids: ['${aws_security_group.app_instance_sg.id}'],
    });
    expect(lt).not.toHaveProperty('key_name');
    expect(lt.network_interfaces).toBeUndefined();
    expect(resource(stack, 'aws_iam_role_policy_attachment', 'app_instance_ssm').policy_arn).toBe(
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    );
  });

  test('the boot script serves the health check and node_exporter on 9100, for this region', () => {
    const script = Buffer.from(resource(stack, 'aws_launch_template', 'app_launch_template').user_data, 'base64').toString();
    expect(script).toContain('HEALTH_PATH = "/healthz"');
    expect(script).toContain('PORT = 8080');
    expect(script).toContain(`REGION = "${region}"`);
    expect(script).toContain('--web.listen-address=:9100');
    expect(script).toContain('echo "6809dd0b3ec45fd6e992c19071d6b5253aed3ead7bf0686885a51d85c6643c66  $tarball" | sha256sum -c -');
  });

  test('the app starts before, and without, node_exporter; the exporter comes from the region\'s bucket, never the internet', () => {
    const script = Buffer.from(resource(stack, 'aws_launch_template', 'app_launch_template').user_data, 'base64').toString();
    expect(script).not.toMatch(/https?:\/\//);
    expect(script).toContain(`aws s3 cp --only-show-errors "s3://dr-estate-prod-git-backup-111122223333-${region}/artifacts/node_exporter-1.8.2.linux-amd64.tar.gz" "$tarball"`);
    expect(script.indexOf('systemctl enable --now estate-app.service')).toBeLessThan(script.indexOf('install_node_exporter ||'));
    expect(script).toMatch(/^install_node_exporter \|\| echo "node_exporter 1\.8\.2 not installed .*serving without metrics" >&2$/m);
    const policy = dataSource(stack, 'aws_iam_policy_document', 'app_instance_runtime');
    expect(policy.statement[0]).toEqual(
      { sid: 'ReadBootArtifacts', actions: ['s3:GetObject'], resources: [`arn:aws:s3:::dr-estate-prod-git-backup-111122223333-${region}/artifacts/*`] },
    );
  });

  test('the app servers may find their own region\'s database and read the estate\'s secret there, nothing more', () => {
    const policy = dataSource(stack, 'aws_iam_policy_document', 'app_instance_runtime');
    const db = region === 'us-east-2' ? 'dr-estate-prod-db-1' : 'dr-estate-prod-db-2';
    expect(policy.statement.slice(1)).toEqual([
      { sid: 'FindTheDatabase', actions: ['rds:DescribeDBInstances'], resources: [`arn:aws:rds:${region}:111122223333:db:${db}`] },
      {
        sid: 'ReadTheDatabaseCredentials',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`arn:aws:secretsmanager:${region}:111122223333:secret:dr-estate-prod/db-master-??????`],
      },
      {
        // Artifacts and the secret are under the storage key: decrypt only through S3 and
        // Secrets Manager in this region, only with that key.
        sid: 'DecryptArtifactsAndCredentials',
        actions: ['kms:Decrypt'],
        resources: ['arn:aws:kms:*:111122223333:key/*'],
        condition: [
          { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: ['alias/dr-estate-prod-storage'] },
          { test: 'StringLike', variable: 'kms:ViaService', values: [`s3.${region}.amazonaws.com`, `secretsmanager.${region}.amazonaws.com`] },
        ],
      },
    ]);
    const script = Buffer.from(resource(stack, 'aws_launch_template', 'app_launch_template').user_data, 'base64').toString();
    expect(script).toContain(`DB_IDENTIFIER = "${db}"`);
    expect(script).toContain('SECRET_ID = "dr-estate-prod/db-master"');
    expect(script).toMatch(/^dnf install -y -q postgresql15 >\/dev\/null \|\| echo /m);
  });

  test('the boot script serves the app even when the exporter cannot be had (run under bash with no aws command)', () => {
    const script = Buffer.from(resource(stack, 'aws_launch_template', 'app_launch_template').user_data, 'base64').toString();
    // Only the exporter function and its call, with commands that would touch the machine stubbed.
    const section = script.slice(script.indexOf('install_node_exporter() {'));
    const run = spawnSync('bash', ['-c', `set -euo pipefail\naws() { return 1; }\n${section}\necho still-booting`], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('still-booting');
    expect(run.stderr).toContain('node_exporter 1.8.2 not installed');
  });

  test('the ASG spreads over every private subnet behind the target group, with ELB health checks and instance refresh', () => {
    const asg = resource(stack, 'aws_autoscaling_group', 'app_asg');
    expect(asg.vpc_zone_identifier).toEqual(
      Object.keys(resourcesOf(stack, 'aws_subnet'))
        .filter((id) => id.startsWith('network_private_'))
        .sort()
        .map((id) => `\${aws_subnet.${id}.id}`),
    );
    expect(asg).toMatchObject({
      target_group_arns: ['${aws_lb_target_group.app_targets.arn}'],
      health_check_type: 'ELB',
      launch_template: {
        id: '${aws_launch_template.app_launch_template.id}',
        version: '${aws_launch_template.app_launch_template.latest_version}',
      },
      instance_refresh: { strategy: 'Rolling' },
    });
  });

  test('nothing but 80 and 443 is open to the world', () => {
    const ingress = Object.values(resourcesOf(stack, 'aws_vpc_security_group_ingress_rule')) as Record<string, any>[];
    const fromWorld = ingress.filter((r) => r.cidr_ipv4 === '0.0.0.0/0' || r.cidr_ipv6 === '::/0');
    expect(fromWorld.map((r) => [r.from_port, r.to_port, r.security_group_id]).sort()).toEqual([
      [443, 443, '${aws_security_group.app_alb_sg.id}'],
      [80, 80, '${aws_security_group.app_alb_sg.id}'],
    ]);
    for (const sg of Object.values(resourcesOf(stack, 'aws_security_group')) as Record<string, any>[]) {
      expect(sg.ingress).toBeUndefined();
    }
    expect(ingress.some((r) => r.from_port === 22 || r.to_port === 22)).toBe(false);
  });

  test('app servers admit the app port from the ALB, and node_exporter and the app port (its /metrics) from the EKS nodes, nothing else', () => {
    const appIngress = (Object.values(resourcesOf(stack, 'aws_vpc_security_group_ingress_rule')) as Record<string, any>[]).filter(
      (r) => r.security_group_id === '${aws_security_group.app_instance_sg.id}',
    );
    expect(appIngress.map((r) => [r.from_port, r.to_port, r.ip_protocol, r.referenced_security_group_id, r.cidr_ipv4]).sort()).toEqual([
      [8080, 8080, 'tcp', '${aws_eks_cluster.eks_cluster.vpc_config[0].cluster_security_group_id}', undefined],
      [8080, 8080, 'tcp', '${aws_security_group.app_alb_sg.id}', undefined],
      [9100, 9100, 'tcp', '${aws_eks_cluster.eks_cluster.vpc_config[0].cluster_security_group_id}', undefined],
    ]);
  });
});

describe('Auto Scaling sizes follow the DR posture', () => {
  const size = (estate: ReturnType<typeof synthEstate>, name: string) => {
    const asg = resource(estate.byName[name], 'aws_autoscaling_group', 'app_asg');
    return { min: asg.min_size, desired: asg.desired_capacity, max: asg.max_size };
  };

  test('normal: us-east-2 runs 3 (min 2, max 3); us-west-1 is pilot light with 0', () => {
    expect(size(normal, 'regional-us-east-2')).toEqual({ min: 2, desired: 3, max: 3 });
    expect(size(normal, 'regional-us-west-1')).toEqual({ min: 0, desired: 0, max: 3 });
  });

  test('failover: us-west-1 runs 3 (min 2, max 3); us-east-2 goes to 0', () => {
    expect(size(failover, 'regional-us-west-1')).toEqual({ min: 2, desired: 3, max: 3 });
    expect(size(failover, 'regional-us-east-2')).toEqual({ min: 0, desired: 0, max: 3 });
  });

  test('warm standby: the passive region keeps passiveDesiredCapacity running', () => {
    expect(size(warmStandby, 'regional-us-west-1')).toEqual({ min: 1, desired: 1, max: 3 });
  });
});

describe('without HTTPS', () => {
  const stack = plainHttp.byName['regional-us-east-2'];

  test('one HTTP listener forwards to the app; no certificate, no zone lookup', () => {
    expect(Object.keys(resourcesOf(stack, 'aws_lb_listener'))).toEqual(['app_http']);
    expect(resource(stack, 'aws_lb_listener', 'app_http').default_action).toEqual([
      { type: 'forward', target_group_arn: '${aws_lb_target_group.app_targets.arn}' },
    ]);
    expect(resourcesOf(stack, 'aws_acm_certificate')).toEqual({});
    expect(stack.json.data?.aws_route53_zone).toBeUndefined();
  });
});

describe('AppTier props validation', () => {
  const build = (capacity: { min: number; desired: number; max: number }) => () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const network = new Network(stack, 'network', { name: 'n', region: 'us-east-2', cidrBlock: '10.0.0.0/16', azCount: 2 });
    new AppTier(stack, 'app', { name: 'n', region: 'us-east-2', network, capacity, artifactBucket: bucketLocation('a', 'us-east-2'), database: { engine: 'postgres', identifier: 'd', name: 'app', port: 5432, secretId: 's', accountId: '111122223333' }, accessLogs: { bucket: 'logs', prefix: 'alb' }, storageKeyAlias: 'alias/storage', ...PROPS_AT_CONFIG_DEFAULTS.appTier });
  };

  test('fails if min exceeds desired', () => {
    expect(build({ min: 3, desired: 2, max: 3 })).toThrow(
      'AppTier app: capacity is min 3, desired 2, max 3, expected whole numbers with 0 <= min <= desired <= max and max >= 1.',
    );
  });

  test('fails if desired exceeds max', () => {
    expect(build({ min: 1, desired: 4, max: 3 })).toThrow('AppTier app: capacity is min 1, desired 4, max 3');
  });
});
