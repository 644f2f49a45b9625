import { TerraformStack, Testing } from 'cdktf';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { StateBackend } from '../../constructs/state-backend';
import { dataSource, resource, resourcesOf, synthEstate } from '../helpers';

const { byName } = synthEstate();
const bootstraps = [byName['bootstrap-us-east-2'], byName['bootstrap-us-west-1']];

describe.each(bootstraps.map((s) => [s.name, s] as const))('state backend of %s', (_name, stack) => {
  const region = stack.name.replace('bootstrap-', '');
  const bucket = `dr-estate-prod-tfstate-111122223333-${region}`;

  test('the bucket is named from config and cannot be destroyed', () => {
    expect(stack.text).toHaveResourceWithProperties(S3Bucket, {
      bucket,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  test('the bucket is versioned, encrypted, private and owner-enforced', () => {
    expect(resource(stack, 'aws_s3_bucket_versioning', 'state_versioning')).toMatchObject({
      bucket: '${aws_s3_bucket.state_bucket.id}',
      versioning_configuration: { status: 'Enabled' },
    });
    expect(
      resource(stack, 'aws_s3_bucket_server_side_encryption_configuration', 'state_encryption').rule,
    ).toEqual([
      {
        // The region's own customer managed key, with an S3 Bucket Key (one KMS call per key, not per object).
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.storage_key_key.arn}' },
        bucket_key_enabled: true,
      },
    ]);
    expect(resource(stack, 'aws_s3_bucket_logging', 'state_access_logs')).toEqual(
      expect.objectContaining({ target_bucket: '${aws_s3_bucket_policy.access_logs_policy.bucket}', target_prefix: `${resource(stack, 'aws_s3_bucket', 'state_bucket').bucket}/` }),
    );
    expect(resource(stack, 'aws_s3_bucket_public_access_block', 'state_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(stack, 'aws_s3_bucket_ownership_controls', 'state_ownership').rule).toEqual({
      object_ownership: 'BucketOwnerEnforced',
    });
  });

  test('the bucket policy denies every request that is not TLS', () => {
    const policy = resource(stack, 'aws_s3_bucket_policy', 'state_policy');
    expect(policy.policy).toBe('${data.aws_iam_policy_document.state_tls_only.json}');
    expect(dataSource(stack, 'aws_iam_policy_document', 'state_tls_only').statement).toEqual([
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: ['s3:*'],
        resources: ['${aws_s3_bucket.state_bucket.arn}', '${aws_s3_bucket.state_bucket.arn}/*'],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]);
  });

  test('old state versions expire after the configured days, never the current one', () => {
    const [rule] = resource(stack, 'aws_s3_bucket_lifecycle_configuration', 'state_lifecycle').rule;
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
    expect(rule.expiration).toBeUndefined();
  });

  test('the lock table has every protection', () => {
    expect(stack.text).toHaveResourceWithProperties(DynamodbTable, {
      name: 'dr-estate-prod-tflock',
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: '${aws_kms_key.storage_key_key.arn}' },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

});

describe('state replication', () => {
  const primary = byName['bootstrap-us-east-2'];
  const dr = byName['bootstrap-us-west-1'];

  test('the primary state bucket replicates everything, delete markers too, to the DR bucket', () => {
    const replication = resource(primary, 'aws_s3_bucket_replication_configuration', 'state_replication');
    expect(replication.bucket).toBe('${aws_s3_bucket.state_bucket.id}');
    expect(replication.role).toBe('${aws_iam_role.state_replication_role.arn}');
    expect(replication.depends_on).toEqual(['aws_s3_bucket_versioning.state_versioning']);
    expect(replication.rule).toEqual([
      {
        id: 'to-us-west-1',
        status: 'Enabled',
        filter: { prefix: '' },
        delete_marker_replication: { status: 'Enabled' },
        destination: {
          bucket: 'arn:aws:s3:::dr-estate-prod-tfstate-111122223333-us-west-1',
          storage_class: 'STANDARD',
          // Replicas are encrypted with the DR region's storage key, named by alias ARN (the
          // key itself is in another stack); SSE-KMS objects replicate only when selected.
          encryption_configuration: { replica_kms_key_id: 'arn:aws:kms:us-west-1:111122223333:alias/dr-estate-prod-storage' },
        },
        source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
      },
    ]);
  });

  test('the DR state bucket replicates back from the DR regional stack (both regions write state)', () => {
    const regionalDr = byName['regional-us-west-1'];
    const replication = resource(regionalDr, 'aws_s3_bucket_replication_configuration', 'state_replication');
    expect(replication.bucket).toBe('dr-estate-prod-tfstate-111122223333-us-west-1');
    expect(replication.rule[0].destination).toMatchObject({
      bucket: 'arn:aws:s3:::dr-estate-prod-tfstate-111122223333-us-east-2',
      encryption_configuration: { replica_kms_key_id: 'arn:aws:kms:us-east-2:111122223333:alias/dr-estate-prod-storage' },
    });
    expect(resource(regionalDr, 'aws_iam_role', 'state_replication_role').name).toBe('dr-estate-prod-tfstate-replication-us-west-1');
    expect(resourcesOf(byName['regional-us-east-2'], 'aws_s3_bucket_replication_configuration')).not.toHaveProperty('state_replication');
  });

  test('the replication role decrypts only with the source key and encrypts only with the destination key, each through S3 in its region', () => {
    const permissions = dataSource(primary, 'aws_iam_policy_document', 'state_replication_permissions');
    const key = (sid: string) => permissions.statement.find((s: { sid: string }) => s.sid === sid);
    expect(key('DecryptSourceObjects')).toMatchObject({
      actions: ['kms:Decrypt'],
      resources: ['arn:aws:kms:us-east-2:111122223333:key/*'],
      condition: expect.arrayContaining([
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-east-2.amazonaws.com'] },
        { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: ['alias/dr-estate-prod-storage'] },
      ]),
    });
    expect(key('EncryptReplicas')).toMatchObject({
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: ['arn:aws:kms:us-west-1:111122223333:key/*'],
      condition: expect.arrayContaining([
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-west-1.amazonaws.com'] },
      ]),
    });
  });

  test('the replication role is assumable only by S3 and may write only into the DR bucket', () => {
    const assume = dataSource(primary, 'aws_iam_policy_document', 'state_replication_assume');
    expect(assume.statement).toEqual([
      { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }] },
    ]);
    const permissions = dataSource(primary, 'aws_iam_policy_document', 'state_replication_permissions');
    const write = permissions.statement.find((s: { sid: string }) => s.sid === 'WriteReplicas');
    expect(write.resources).toEqual(['arn:aws:s3:::dr-estate-prod-tfstate-111122223333-us-west-1/*']);
    expect(resource(primary, 'aws_iam_role', 'state_replication_role').name).toBe(
      'dr-estate-prod-tfstate-replication',
    );
  });

  test('the DR bucket does not replicate (it is the destination)', () => {
    expect(resourcesOf(dr, 'aws_s3_bucket_replication_configuration')).toEqual({});
    expect(Object.values(resourcesOf(dr, 'aws_iam_role')).map((r) => r.name).every((name) => String(name).startsWith('dr-estate-prod-ci-'))).toBe(true); // CI's roles only
  });

  test('fails if the replica destination is in the bucket\'s own region', () => {
    const stack = new TerraformStack(Testing.app(), 'x');
    expect(
      () =>
        new StateBackend(stack, 'state', {
          bucketName: 'a-us-east-2',
          region: 'us-east-2',
          lockTableName: 'lock',
          encryptionKey: { arn: 'arn:aws:kms:us-east-2:111122223333:key/k', aliasName: 'alias/storage', accountId: '111122223333' },
          accessLogsBucket: 'logs',
          replicaDestination: { bucketName: 'b', region: 'us-east-2', bucketArn: 'arn:aws:s3:::b' },
        }),
    ).toThrow(
      'BucketReplication replication: destination.region is "us-east-2", expected a region other than the source bucket\'s ("us-east-2").',
    );
  });

  test('fails if the version retention is not a positive whole number of days', () => {
    const stack = new TerraformStack(Testing.app(), 'y');
    expect(
      () =>
        new StateBackend(stack, 'state', {
          bucketName: 'a',
          region: 'us-east-2',
          lockTableName: 'lock',
          encryptionKey: { arn: 'arn:aws:kms:us-east-2:111122223333:key/k', aliasName: 'alias/storage', accountId: '111122223333' },
          accessLogsBucket: 'logs',
          noncurrentVersionRetentionDays: 0,
        }),
    ).toThrow('SecureBucket a: noncurrentVersionRetentionDays is 0, expected a whole number of days of at least 1.');
  });
});
