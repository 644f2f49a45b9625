import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { fitName } from '../config/naming';
import type { AwsRegion } from '../config/regions';
import { BucketReplication } from './bucket-replication';
import { SecureBucket, type BucketLocation } from './secure-bucket';

/** Props of {@link StateBackend}. */
export interface StateBackendProps {
  /** Name of the state bucket (globally unique). */
  readonly bucketName: string;
  /** Region of the bucket; the construct's provider must be in this region. */
  readonly region: AwsRegion;
  /** Name of the DynamoDB lock table. */
  readonly lockTableName: string;
  /**
   * Days a superseded state version is kept before it expires.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Replicate every state object (and delete marker) to this bucket, so the state can be
   * read in the other region when this one is gone. The destination must exist.
   * @default - no replication
   */
  readonly replicaDestination?: BucketLocation;
  /**
   * Name of the IAM role S3 assumes to replicate (IAM names are account-wide).
   * @default `<bucketName>-replication`, cut to IAM's 64 characters
   */
  readonly replicationRoleName?: string;
  /**
   * The region's customer managed key: state objects (bucket default and the backends'
   * `kms_key_id`), the lock table, and the replicas written into this region.
   */
  readonly encryptionKey: { readonly arn: string; readonly aliasName: string; readonly accountId: string };
  /** The region's access log bucket (S3 server access logs of the state bucket). */
  readonly accessLogsBucket: string;
}

/**
 * The Terraform state storage of one region: a {@link SecureBucket} and a DynamoDB lock
 * table with point-in-time recovery and deletion protection, both under the region's customer
 * managed key; optionally replicated to the other region.
 */
export class StateBackend extends Construct {
  /** The state bucket. */
  readonly bucket: S3Bucket;
  /** The lock table (hash key `LockID`). */
  readonly lockTable: DynamodbTable;
  /** Where the bucket is, for other stacks' backends and for replication. */
  readonly location: BucketLocation;
  /** The replication of the bucket, when a destination was given. */
  readonly replication?: BucketReplication;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    // `Default`: the bucket's resources keep this construct's addresses (`state_bucket`, ...).
    const secure = new SecureBucket(this, 'Default', {
      bucketName: props.bucketName,
      region: props.region,
      noncurrentVersionRetentionDays: props.noncurrentVersionRetentionDays,
      encryptionKeyArn: props.encryptionKey.arn,
      accessLogsBucket: props.accessLogsBucket,
    });
    this.bucket = secure.bucket;
    this.location = secure.location;

    this.lockTable = new DynamodbTable(this, 'lock-table', {
      name: props.lockTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      // A customer managed key: changing it is an in-place UpdateTable, never a replacement.
      serverSideEncryption: { enabled: true, kmsKeyArn: props.encryptionKey.arn },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });

    if (props.replicaDestination) {
      this.replication = new BucketReplication(this, 'replication', {
        source: secure.location,
        sourceBucketReference: secure.bucket.id,
        destination: props.replicaDestination,
        roleName: fitName(props.replicationRoleName ?? `${props.bucketName}-replication`, 64),
        dependsOn: [secure.versioning],
        kms: { accountId: props.encryptionKey.accountId, keyAliasName: props.encryptionKey.aliasName },
      });
    }

    new TerraformOutput(this, 'bucket-name', {
      value: this.bucket.bucket,
      description: `Terraform state bucket of ${props.region}.`,
    });
    new TerraformOutput(this, 'lock-table-name', {
      value: this.lockTable.name,
      description: `Terraform state lock table of ${props.region}.`,
    });
  }
}
