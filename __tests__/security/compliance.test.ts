/*
 * The compliant settings, one test per rule family, on the committed estate (and on every
 * state of the DR cycle where a setting follows the DR posture). checkov.test.ts proves every
 * rule passes or is excepted; these pin what "passes" means here, so a regression names the
 * setting that went.
 */
import { synthesizeCycle } from '../aws-rules/postures';
import { resourcesOf, synthEstate, type SynthesizedStack } from '../helpers';

const { byName } = synthEstate();
const stacks = Object.values(byName);
const each = (type: string) =>
  stacks.flatMap((s) => Object.entries(resourcesOf(s, type)).map(([name, r]) => ({ stack: s, name, r: r as Record<string, any> })));
const policyDoc = (stack: SynthesizedStack, ref: string) => {
  const name = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(ref)?.[1];
  return (stack.json.data?.aws_iam_policy_document?.[name ?? ''] ?? {}) as Record<string, any>;
};

describe('KMS keys (CKV_AWS_7, CKV_AWS_33, CKV_AWS_227, CKV2_AWS_64)', () => {
  test('every key rotates yearly, has an explicit policy and a 30-day deletion window, and cannot be destroyed', () => {
    const keys = each('aws_kms_key');
    expect(keys.length).toBe(2 + 2 * 4); // storage per region; database, EKS secrets, alerts and logs per region
    for (const { r } of keys) {
      expect(r).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
      expect(r.policy).toMatch(/^\$\{data\.aws_iam_policy_document\./);
    }
  });

  test('no key policy lets a service use the key without a condition, nor anyone but the account administer it', () => {
    for (const { stack, r } of each('aws_kms_key')) {
      const statements = policyDoc(stack, r.policy).statement as any[];
      expect(statements[0].principals).toEqual([{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:root'] }]);
      for (const s of statements.slice(1)) {
        expect(s.principals[0].type).toBe('Service');
        expect(s.condition?.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('S3 (CKV_AWS_18/19/21/53-56/145/144/300, CKV2_AWS_6/61/62/65)', () => {
  const buckets = each('aws_s3_bucket');
  const of = (type: string, stack: SynthesizedStack, bucket: string) =>
    Object.values(resourcesOf(stack, type)).find((r: any) => r.bucket === `\${aws_s3_bucket.${bucket}.id}`) as Record<string, any> | undefined;

  test('three buckets per region: state, Git backups and access logs', () => {
    expect(buckets.map((b) => `${b.stack.name}/${b.name}`).sort()).toEqual([
      'bootstrap-us-east-2/access_logs_bucket',
      'bootstrap-us-east-2/git_backups_bucket',
      'bootstrap-us-east-2/state_bucket',
      'bootstrap-us-west-1/access_logs_bucket',
      'bootstrap-us-west-1/git_backups_bucket',
      'bootstrap-us-west-1/state_bucket',
    ]);
  });

  test('data buckets are encrypted with the region\'s storage key; the log bucket with SSE-S3, the only encryption log delivery accepts', () => {
    for (const { stack, name } of buckets) {
      const rule = of('aws_s3_bucket_server_side_encryption_configuration', stack, name)!.rule[0];
      if (name === 'access_logs_bucket') {
        expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
      } else {
        expect(rule).toEqual({
          apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.storage_key_key.arn}' },
          bucket_key_enabled: true,
        });
      }
    }
  });

  test('every data bucket logs its accesses into its region\'s log bucket', () => {
    for (const { stack, name, r } of buckets.filter((b) => b.name !== 'access_logs_bucket')) {
      expect(of('aws_s3_bucket_logging', stack, name)).toMatchObject({
        target_bucket: '${aws_s3_bucket_policy.access_logs_policy.bucket}',
        target_prefix: `${r.bucket}/`,
      });
    }
  });

  test('every bucket is versioned, private, owner-enforced, TLS-only, sends its events to EventBridge and aborts stale uploads', () => {
    for (const { stack, name } of buckets) {
      expect(of('aws_s3_bucket_versioning', stack, name)?.versioning_configuration).toEqual({ status: 'Enabled' });
      expect(of('aws_s3_bucket_public_access_block', stack, name)).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(of('aws_s3_bucket_ownership_controls', stack, name)?.rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
      expect(of('aws_s3_bucket_notification', stack, name)?.eventbridge).toBe(true);
      expect(of('aws_s3_bucket_lifecycle_configuration', stack, name)?.rule[0].abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
      const policy = policyDoc(stack, of('aws_s3_bucket_policy', stack, name)!.policy);
      expect(policy.statement[0]).toMatchObject({ effect: 'Deny', condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] });
    }
  });

  test('the log bucket admits only the S3 logging service (this account\'s buckets) and ELB log delivery under alb/', () => {
    const stack = byName['bootstrap-us-east-2'];
    const policy = policyDoc(stack, resourcesOf(stack, 'aws_s3_bucket_policy').access_logs_policy.policy as string);
    expect(policy.statement.slice(1).map((s: any) => [s.sid, s.principals[0].identifiers[0], s.resources[0]])).toEqual([
      ['S3ServerAccessLogs', 'logging.s3.amazonaws.com', 'arn:aws:s3:::dr-estate-prod-access-logs-111122223333-us-east-2/*'],
      ['LoadBalancerAccessLogs', '${data.aws_elb_service_account.access_logs_elb_account.arn}', 'arn:aws:s3:::dr-estate-prod-access-logs-111122223333-us-east-2/alb/AWSLogs/111122223333/*'],
      ['LoadBalancerLogDelivery', 'logdelivery.elasticloadbalancing.amazonaws.com', 'arn:aws:s3:::dr-estate-prod-access-logs-111122223333-us-east-2/alb/AWSLogs/111122223333/*'],
    ]);
    expect(policy.statement[1].condition).toEqual([{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] }]);
  });

  test('state and Git backups replicate both ways, SSE-KMS objects included, each replica under the destination region\'s key', () => {
    const rules = stacks.flatMap((s) =>
      Object.values(resourcesOf(s, 'aws_s3_bucket_replication_configuration')).map((r: any) => ({ stack: s.name, bucket: r.bucket, rule: r.rule[0] })),
    );
    const pairs = rules.map((r) => `${r.stack}: ${String(r.bucket).replace(/^\$\{aws_s3_bucket\.state_bucket\.id\}$/, 'state(own)')} -> ${r.rule.destination.bucket.replace('arn:aws:s3:::', '')}`);
    expect(pairs.sort()).toEqual([
      'bootstrap-us-east-2: state(own) -> dr-estate-prod-tfstate-111122223333-us-west-1',
      'regional-us-east-2: dr-estate-prod-git-backup-111122223333-us-east-2 -> dr-estate-prod-git-backup-111122223333-us-west-1',
      'regional-us-west-1: dr-estate-prod-git-backup-111122223333-us-west-1 -> dr-estate-prod-git-backup-111122223333-us-east-2',
      'regional-us-west-1: dr-estate-prod-tfstate-111122223333-us-west-1 -> dr-estate-prod-tfstate-111122223333-us-east-2',
    ]);
    for (const { rule } of rules) {
      const region = /-(us-[a-z]+-\d)$/.exec(rule.destination.bucket)![1];
      expect(rule.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: 'Enabled' } });
      expect(rule.destination.encryption_configuration).toEqual({
        replica_kms_key_id: `arn:aws:kms:${region}:111122223333:alias/dr-estate-prod-storage`,
      });
    }
  });
});

describe('DynamoDB (CKV_AWS_28, CKV_AWS_119)', () => {
  test('the lock tables are encrypted with the storage key, recoverable to a point in time and deletion-protected', () => {
    const tables = each('aws_dynamodb_table');
    expect(tables).toHaveLength(2);
    for (const { r } of tables) {
      expect(r).toMatchObject({
        server_side_encryption: { enabled: true, kms_key_arn: '${aws_kms_key.storage_key_key.arn}' },
        point_in_time_recovery: { enabled: true },
        deletion_protection_enabled: true,
      });
    }
  });

  test('state objects are encrypted with the storage key by the backend itself (not SSE-S3)', () => {
    for (const s of stacks.filter((s) => s.json.terraform.backend?.s3)) {
      expect(s.json.terraform.backend!.s3).toMatchObject({ encrypt: true, kms_key_id: 'alias/dr-estate-prod-storage' });
    }
  });
});

describe('CloudWatch Logs (CKV_AWS_66, CKV_AWS_158, CKV_AWS_338)', () => {
  test('every log group is encrypted with its region\'s log key and kept at least a year', () => {
    const groups = each('aws_cloudwatch_log_group');
    expect(groups.map((g) => `${g.stack.name}/${g.r.name}`).sort()).toEqual([
      'regional-us-east-2//aws/eks/dr-estate-prod-us-east-2/cluster',
      'regional-us-east-2//aws/rds/instance/dr-estate-prod-db-1/postgresql',
      'regional-us-east-2//aws/rds/instance/dr-estate-prod-db-1/upgrade',
      'regional-us-east-2//vpc/dr-estate-prod-us-east-2/flow-logs',
      'regional-us-east-2/aws-waf-logs-dr-estate-prod-us-east-2',
      'regional-us-west-1//aws/eks/dr-estate-prod-us-west-1/cluster',
      'regional-us-west-1//aws/rds/instance/dr-estate-prod-db-2/postgresql',
      'regional-us-west-1//aws/rds/instance/dr-estate-prod-db-2/upgrade',
      'regional-us-west-1//vpc/dr-estate-prod-us-west-1/flow-logs',
      'regional-us-west-1/aws-waf-logs-dr-estate-prod-us-west-1',
    ]);
    for (const { r } of groups) {
      expect(r.kms_key_id).toBe('${aws_kms_key.logs_key_key.arn}');
      expect(r.retention_in_days).toBeGreaterThanOrEqual(365);
    }
  });

  test('the log key lets CloudWatch Logs use it only for this account\'s log groups in its region', () => {
    for (const region of ['us-east-2', 'us-west-1']) {
      const stack = byName[`regional-${region}`];
      const statement = (stack.json.data!.aws_iam_policy_document.logs_key_key_policy as any).statement[1];
      expect(statement.principals).toEqual([{ type: 'Service', identifiers: [`logs.${region}.amazonaws.com`] }]);
      expect(statement.condition).toEqual([
        { test: 'ArnLike', variable: 'kms:EncryptionContext:aws:logs:arn', values: [`arn:aws:logs:${region}:111122223333:log-group:*`] },
      ]);
    }
  });
});

describe('RDS (CKV_AWS_118, CKV_AWS_129, CKV_AWS_161, CKV_AWS_211, CKV_AWS_353, CKV_AWS_354, CKV2_AWS_30, CKV2_AWS_69)', () => {
  test('every database instance has enhanced monitoring, encrypted Performance Insights, IAM auth, a current CA and the hardened parameter group', () => {
    for (const { stack, r } of each('aws_db_instance')) {
      expect(r).toMatchObject({
        monitoring_interval: 60,
        monitoring_role_arn: '${aws_iam_role.database_monitoring_role.arn}',
        performance_insights_enabled: true,
        performance_insights_kms_key_id: '${aws_kms_key.database_key.arn}',
        iam_database_authentication_enabled: true,
        ca_cert_identifier: 'rds-ca-rsa2048-g1',
        parameter_group_name: '${aws_db_parameter_group.database_parameters.name}',
        enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
      });
      expect(resourcesOf(stack, 'aws_db_parameter_group').database_parameters).toMatchObject({
        family: 'postgres16',
        parameter: [
          { name: 'rds.force_ssl', value: '1', apply_method: 'immediate' },
          { name: 'log_statement', value: 'ddl', apply_method: 'immediate' },
          { name: 'log_min_duration_statement', value: '1000', apply_method: 'immediate' },
        ],
      });
    }
  });

  test('the monitoring role is assumable only by RDS enhanced monitoring and holds only AWS\'s policy for it', () => {
    for (const region of ['us-east-2', 'us-west-1']) {
      const stack = byName[`regional-${region}`];
      expect(resourcesOf(stack, 'aws_iam_role')['database_monitoring_role']).toMatchObject({ name: `dr-estate-prod-${region}-rds-monitoring` });
      expect(stack.json.data!.aws_iam_policy_document['database_monitoring_trust'].statement).toEqual([
        { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['monitoring.rds.amazonaws.com'] }] },
      ]);
      expect(resourcesOf(stack, 'aws_iam_role_policy_attachment')['database_monitoring_policy']).toMatchObject({
        policy_arn: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
      });
    }
  });
});

describe('EC2 and EKS nodes (CKV_AWS_8, CKV_AWS_79, CKV_AWS_88, CKV_AWS_126, CKV_AWS_341)', () => {
  test('every instance and launch template requires IMDSv2 with a hop limit of 1 (no pod takes a node\'s role)', () => {
    const hosts = [...each('aws_instance'), ...each('aws_launch_template')];
    expect(hosts.length).toBe(6);
    for (const { r } of hosts) expect(r.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
  });

  test('the pods that call AWS get their own roles through Pod Identity (they never needed the node role)', () => {
    const associations = stacks.flatMap((s) => [
      ...Object.values(resourcesOf(s, 'aws_eks_pod_identity_association')).map((a: any) => a.service_account),
      ...Object.values(resourcesOf(s, 'aws_eks_addon')).flatMap((a: any) => (a.pod_identity_association ?? []).map((p: any) => p.service_account)),
    ]);
    expect([...new Set(associations)].sort()).toEqual(['alertmanager', 'ebs-csi-controller-sa', 'prometheus']);
  });

  test('volumes are encrypted, nothing gets a public address, and the Git server reports one-minute metrics', () => {
    for (const { r } of each('aws_instance')) {
      expect(r.root_block_device).toMatchObject({ encrypted: true });
      expect(r.associate_public_ip_address).toBe(false);
      expect(r.monitoring).toBe(true);
    }
    for (const { r } of each('aws_ebs_volume')) expect(r.encrypted).toBe(true);
  });
});

describe('Load balancer and WAF (CKV_AWS_91, CKV_AWS_131, CKV_AWS_150, CKV2_AWS_28, CKV2_AWS_31, CKV2_AWS_76, CKV_AWS_192)', () => {
  test('each region\'s load balancer logs into its region\'s log bucket and sits behind its own web ACL', () => {
    for (const region of ['us-east-2', 'us-west-1']) {
      const stack = byName[`regional-${region}`];
      expect(resourcesOf(stack, 'aws_lb').app_alb).toMatchObject({
        access_logs: { bucket: `dr-estate-prod-access-logs-111122223333-${region}`, prefix: 'alb', enabled: true },
        drop_invalid_header_fields: true,
        enable_deletion_protection: true,
      });
      expect(resourcesOf(stack, 'aws_wafv2_web_acl_association').waf_association).toEqual(
        expect.objectContaining({ resource_arn: '${aws_lb.app_alb.arn}', web_acl_arn: '${aws_wafv2_web_acl.waf_web_acl.arn}' }),
      );
      expect(resourcesOf(stack, 'aws_wafv2_web_acl_logging_configuration').waf_logging).toEqual(
        expect.objectContaining({ log_destination_configs: ['${aws_cloudwatch_log_group.waf_logs.arn}'] }),
      );
    }
  });

  test('the web ACL runs AWS\'s managed groups (Log4j inputs blocked) and a per-IP rate limit; hosting providers are only counted, so Route 53 health checks pass', () => {
    const acl = resourcesOf(byName['regional-us-east-2'], 'aws_wafv2_web_acl')['waf_web_acl'] as any;
    expect(acl.scope).toBe('REGIONAL');
    expect(acl.default_action).toEqual({ allow: {} });
    expect(acl.rule.map((r: any) => r.name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'rate-limit-per-ip',
    ]);
    const anonymous = acl.rule[1].statement.managed_rule_group_statement;
    expect(anonymous.rule_action_override).toEqual([{ name: 'HostingProviderIPList', action_to_use: { count: {} } }]);
    expect(acl.rule[3].override_action).toEqual({ none: {} });
    expect(acl.rule[4]).toMatchObject({ action: { block: {} }, statement: { rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } } });
  });
});

describe('Secrets (CKV_AWS_149; secrets out of state)', () => {
  test('every secret, and every replica of one, is encrypted with the storage key', () => {
    const secrets = each('aws_secretsmanager_secret');
    expect(secrets.length).toBe(3);
    for (const { r } of secrets) {
      expect(r.kms_key_id).toBe('alias/dr-estate-prod-storage');
      for (const replica of r.replica ?? []) expect(replica.kms_key_id).toBe('alias/dr-estate-prod-storage');
    }
  });

  test('no secret value is a Terraform resource attribute: only write-only arguments fed from ephemeral values', () => {
    for (const s of stacks) {
      expect(resourcesOf(s, 'random_password')).toEqual({});
      for (const version of Object.values(resourcesOf(s, 'aws_secretsmanager_secret_version')) as any[]) {
        expect(version.secret_string).toBeUndefined();
        expect(version.secret_string_wo).toMatch(/\$\{jsonencode\(\{.*ephemeral\./);
      }
      for (const secret of Object.values(resourcesOf(s, 'kubernetes_secret_v1')) as any[]) expect(secret.data).toBeUndefined();
      for (const db of Object.values(resourcesOf(s, 'aws_db_instance')) as any[]) expect(db.password).toBeUndefined();
    }
  });
});

describe('CloudWatch alarms (CKV_AWS_319, excepted by design)', () => {
  test.each(synthesizeCycle().map((p) => [p.label, p] as const))('%s: the replica-lag alarm notifies only in the region whose database is a replica', (_label, posture) => {
    for (const region of ['us-east-2', 'us-west-1']) {
      const json = posture.stacks[`regional-${region}`];
      const replica = Object.values(json.resource?.aws_db_instance ?? {}).some((db) => db.replicate_source_db !== undefined);
      expect([region, json.resource?.aws_cloudwatch_metric_alarm?.alerts_replica_lag?.actions_enabled]).toEqual([region, replica]);
    }
  });
});
