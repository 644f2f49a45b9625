import { synthesizeCycle } from './postures';

/*
 * AWS rules the estate's encryption and log delivery rely on: what S3, CloudWatch Logs, Elastic
 * Load Balancing, AWS WAF, RDS and the Terraform S3 backend accept or do. Each is checked in
 * every posture of a full DR cycle, and names its source.
 */

const cycle = synthesizeCycle();
type Json = Record<string, any>;
const resources = (json: Json, type: string) => Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>);
const regionOf = (stack: string) => /(us-[a-z]+-\d)$/.exec(stack)?.[1] ?? 'us-west-1';

describe.each(cycle)('$label', (posture) => {
  const stacks = Object.entries(posture.stacks) as [string, Json][];

  // S3 User Guide, "Replicating encrypted objects (SSE-S3, SSE-KMS, DSSE-KMS, SSE-C)": S3
  // replicates objects encrypted with SSE-KMS only when the rule opts in with
  // SourceSelectionCriteria.SseKmsEncryptedObjects and names the key replicas are encrypted with
  // (ReplicaKmsKeyID, a key in the destination bucket's region); otherwise they are skipped.
  test('S3 replication: every rule from an SSE-KMS bucket selects SSE-KMS objects and names a replica key in the destination region', () => {
    let rules = 0;
    for (const [, json] of stacks) {
      for (const [, config] of resources(json, 'aws_s3_bucket_replication_configuration')) {
        for (const rule of config.rule as Json[]) {
          rules += 1;
          const destinationRegion = /-(us-[a-z]+-\d)$/.exec(rule.destination.bucket)![1];
          expect(rule.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: 'Enabled' } });
          expect(rule.destination.encryption_configuration.replica_kms_key_id).toMatch(
            new RegExp(`^arn:aws:kms:${destinationRegion}:\\d{12}:(alias|key)/`),
          );
        }
      }
    }
    expect(rules).toBe(4);
  });

  // S3 User Guide, "Enabling Amazon S3 server access logging": the destination bucket must be
  // in the same Region and account as the source, and its default encryption must be SSE-S3
  // (SSE-KMS is not supported for server access log delivery). ELB User Guide, "Access logs for
  // your Application Load Balancer": the bucket must be in the load balancer's Region and the
  // only server-side encryption supported is SSE-S3.
  test('log delivery: every access log target is in its source\'s region and its bucket is SSE-S3', () => {
    const logBuckets = new Map<string, string>(); // name -> region
    for (const [stack, json] of stacks) {
      for (const [name, bucket] of resources(json, 'aws_s3_bucket')) {
        if (name !== 'access_logs_bucket') continue;
        logBuckets.set(bucket.bucket, regionOf(stack));
        const sse = resources(json, 'aws_s3_bucket_server_side_encryption_configuration').find(([n]) => n === 'access_logs_encryption')![1];
        expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
      }
    }
    expect(logBuckets.size).toBe(2);
    for (const [stack, json] of stacks) {
      for (const [, logging] of resources(json, 'aws_s3_bucket_logging')) {
        expect(logging.target_bucket).toBe('${aws_s3_bucket_policy.access_logs_policy.bucket}'); // the same stack's log bucket
      }
      for (const [, lb] of resources(json, 'aws_lb')) {
        expect([stack, logBuckets.get(lb.access_logs.bucket)]).toEqual([stack, regionOf(stack)]);
      }
    }
  });

  // CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS": a log group
  // can be associated only with a symmetric key in its own region whose key policy allows the
  // service principal logs.<region>.amazonaws.com; otherwise CreateLogGroup/AssociateKmsKey
  // fail with AccessDeniedException.
  test('CloudWatch Logs: every log group\'s key is in its stack and admits logs.<region>.amazonaws.com', () => {
    for (const [stack, json] of stacks) {
      for (const [name, group] of resources(json, 'aws_cloudwatch_log_group')) {
        const keyName = /^\$\{aws_kms_key\.([a-z0-9_]+)\.arn\}$/.exec(group.kms_key_id)?.[1];
        expect({ stack, name, keyInStack: Boolean(keyName && json.resource.aws_kms_key[keyName]) }).toEqual({ stack, name, keyInStack: true });
        const policy = /\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}/.exec(json.resource.aws_kms_key[keyName!].policy)![1];
        const admits = (json.data.aws_iam_policy_document[policy].statement as Json[]).some((s) =>
          (s.principals ?? []).some((p: Json) => p.type === 'Service' && p.identifiers.includes(`logs.${regionOf(stack)}.amazonaws.com`)),
        );
        expect({ stack, name, admits }).toEqual({ stack, name, admits: true });
      }
    }
  });

  // AWS WAF Developer Guide, "Sending web ACL traffic logs to an Amazon CloudWatch Logs log
  // group": the log group's name must start with aws-waf-logs-.
  test('AWS WAF: web ACLs log only into groups named aws-waf-logs-*', () => {
    let configs = 0;
    for (const [, json] of stacks) {
      for (const [, logging] of resources(json, 'aws_wafv2_web_acl_logging_configuration')) {
        configs += 1;
        for (const destination of logging.log_destination_configs as string[]) {
          const group = /^\$\{aws_cloudwatch_log_group\.([a-z0-9_]+)\.arn\}$/.exec(destination)![1];
          expect(json.resource.aws_cloudwatch_log_group[group].name).toMatch(/^aws-waf-logs-/);
        }
      }
    }
    expect(configs).toBe(2);
  });

  // RDS User Guide, "Turning Performance Insights on and off" and "Working with DB instance read
  // replicas" (cross-Region replicas): the Performance Insights key and the storage key of an
  // instance are keys of the instance's own region; a cross-Region replica names a key of its
  // region (it cannot use the source's).
  test('RDS: every instance encrypts storage and Performance Insights with its own region\'s database key', () => {
    for (const [stack, json] of stacks) {
      for (const [name, db] of resources(json, 'aws_db_instance')) {
        expect({ stack, name, storage: db.kms_key_id, insights: db.performance_insights_kms_key_id }).toEqual({
          stack,
          name,
          storage: '${aws_kms_key.database_key.arn}',
          insights: '${aws_kms_key.database_key.arn}',
        });
      }
    }
  });

  // Terraform S3 backend documentation, `encrypt` and `kms_key_id`: with `encrypt = true` and no
  // `kms_key_id` every state write asks for SSE-S3 (AES256), which overrides the bucket's
  // default encryption; only `kms_key_id` makes the state objects SSE-KMS.
  test('Terraform S3 backend: every S3 backend writes state under its region\'s storage key', () => {
    for (const [stack, json] of stacks) {
      const s3 = json.terraform?.backend?.s3;
      if (!s3) continue;
      expect({ stack, encrypt: s3.encrypt, kms: s3.kms_key_id }).toEqual({ stack, encrypt: true, kms: 'alias/dr-estate-prod-storage' });
    }
  });

  // AWS KMS API Reference, CreateKey / PutKeyPolicy (BypassPolicyLockoutSafetyCheck): KMS refuses
  // a key policy that would leave the caller unable to change it again, and the KMS Developer
  // Guide's "Default key policy" gives the account root kms:* so IAM can grant the key's use.
  // Without that statement every key here would be refused, or become unmanageable.
  test('KMS: every key policy lets the account root administer the key (no lockout)', () => {
    let keys = 0;
    for (const [stack, json] of stacks) {
      for (const [name, key] of resources(json, 'aws_kms_key')) {
        keys += 1;
        const policy = /\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}/.exec(key.policy)?.[1];
        const statements = (json.data?.aws_iam_policy_document?.[policy ?? '']?.statement ?? []) as Json[];
        const root = statements.some(
          (st) =>
            (st.effect ?? 'Allow') === 'Allow' &&
            st.actions?.includes('kms:*') &&
            (st.principals ?? []).some((p: Json) => p.type === 'AWS' && p.identifiers.includes('arn:aws:iam::111122223333:root')),
        );
        expect({ stack, name, root }).toEqual({ stack, name, root: true });
      }
    }
    expect(keys).toBe(10);
  });
});

