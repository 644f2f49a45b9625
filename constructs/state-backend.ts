import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { AwsRegion } from '../config/regions';

/**
 * Where a state bucket is, known before anything is deployed (backends cannot interpolate).
 * Passed between stacks instead of a resource reference, so no stack reads another's state.
 */
export interface StateBucketLocation {
  /** Bucket name. */
  readonly bucketName: string;
  /** Region of the bucket. */
  readonly region: AwsRegion;
  /** Bucket ARN. */
  readonly bucketArn: string;
}

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
   * Replicate every object (and delete marker) to this bucket, so the state can be read
   * in the other region when this one is gone. The destination must exist and be versioned.
   * @default - no replication
   */
  readonly replicaDestination?: StateBucketLocation;
  /**
   * Name of the IAM role S3 assumes to replicate (IAM names are account-wide).
   * @default `<bucketName>-replication`, cut to IAM's 64 characters
   */
  readonly replicationRoleName?: string;
}

/**
 * The Terraform state storage of one region: a versioned, encrypted, private, TLS-only
 * bucket that cannot be destroyed, and a DynamoDB lock table with point-in-time recovery and
 * deletion protection. Optionally replicates the bucket to the other region.
 */
export class StateBackend extends Construct {
  /** The state bucket. */
  readonly bucket: S3Bucket;
  /** The lock table (hash key `LockID`). */
  readonly lockTable: DynamodbTable;
  /** Where the bucket is, for other stacks' backends and for replication. */
  readonly location: StateBucketLocation;
  /** The replication rule, when a destination was given. */
  readonly replication?: S3BucketReplicationConfigurationA;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const retentionDays = props.noncurrentVersionRetentionDays ?? 90;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new Error(
        `StateBackend ${id}: noncurrentVersionRetentionDays is ${retentionDays}, expected a whole number of days of at least 1.`,
      );
    }
    this.location = {
      bucketName: props.bucketName,
      region: props.region,
      bucketArn: `arn:aws:s3:::${props.bucketName}`,
    };

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      // SSE-S3: replicas need no KMS key grants in the other region.
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', {
      statement: [
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: tlsOnly.json });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: retentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [versioning],
    });

    this.lockTable = new DynamodbTable(this, 'lock-table', {
      name: props.lockTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });

    if (props.replicaDestination) {
      this.replication = this.replicate(props, versioning, props.replicaDestination);
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

  private replicate(
    props: StateBackendProps,
    versioning: S3BucketVersioningA,
    destination: StateBucketLocation,
  ): S3BucketReplicationConfigurationA {
    if (destination.region === props.region) {
      throw new Error(
        `StateBackend: replicaDestination.region is "${destination.region}", expected a region other than the bucket's own ("${props.region}").`,
      );
    }
    const assume = new DataAwsIamPolicyDocument(this, 'replication-assume', {
      statement: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }],
        },
      ],
    });
    const role = new IamRole(this, 'replication-role', {
      name: (props.replicationRoleName ?? `${props.bucketName}-replication`).slice(0, 64),
      assumeRolePolicy: assume.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'replication-permissions', {
      statement: [
        {
          sid: 'ReadSourceConfiguration',
          actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
          resources: [this.bucket.arn],
        },
        {
          sid: 'ReadSourceVersions',
          actions: [
            's3:GetObjectVersionForReplication',
            's3:GetObjectVersionAcl',
            's3:GetObjectVersionTagging',
          ],
          resources: [`${this.bucket.arn}/*`],
        },
        {
          sid: 'WriteReplicas',
          actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
          resources: [`${destination.bucketArn}/*`],
        },
      ],
    });
    new IamRolePolicy(this, 'replication-policy', {
      name: 'replicate-state',
      role: role.id,
      policy: permissions.json,
    });
    return new S3BucketReplicationConfigurationA(this, 'replication', {
      bucket: this.bucket.id,
      role: role.arn,
      rule: [
        {
          id: `state-to-${destination.region}`,
          status: 'Enabled',
          // A filter selects the V2 rule schema, which is what allows delete-marker replication.
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          destination: { bucket: destination.bucketArn, storageClass: 'STANDARD' },
        },
      ],
      // S3 rejects a replication rule until versioning is on.
      dependsOn: [versioning],
    });
  }
}
