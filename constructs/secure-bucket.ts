import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import type { AwsRegion } from '../config/regions';

/**
 * Where a bucket is, known before anything is deployed (backends cannot interpolate, and
 * replication must not read another region's state). Passed between stacks instead of a
 * resource reference.
 */
export interface BucketLocation {
  /** Bucket name. */
  readonly bucketName: string;
  /** Region of the bucket. */
  readonly region: AwsRegion;
  /** Bucket ARN. */
  readonly bucketArn: string;
}

/** The location of a bucket from its name and region (S3 ARNs carry neither account nor region). */
export function bucketLocation(bucketName: string, region: AwsRegion): BucketLocation {
  return { bucketName, region, bucketArn: `arn:aws:s3:::${bucketName}` };
}

/** Props of {@link SecureBucket}. */
export interface SecureBucketProps {
  /** Bucket name (globally unique). */
  readonly bucketName: string;
  /** Region of the bucket; the scope's provider must be in this region. */
  readonly region: AwsRegion;
  /**
   * Days a superseded object version is kept before it expires.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
}

/**
 * A bucket for data that must survive: versioned, SSE-S3 encrypted (replicas need no KMS
 * grants in the other region), all public access blocked, bucket-owner-enforced, a policy
 * denying any request that is not TLS, old versions expired, and `prevent_destroy`.
 */
export class SecureBucket extends Construct {
  /** The bucket. */
  readonly bucket: S3Bucket;
  /** Versioning; replication and lifecycle rules must wait for it. */
  readonly versioning: S3BucketVersioningA;
  /** Where the bucket is. */
  readonly location: BucketLocation;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const retentionDays = props.noncurrentVersionRetentionDays ?? 90;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new Error(
        `SecureBucket ${props.bucketName}: noncurrentVersionRetentionDays is ${retentionDays}, expected a whole number of days of at least 1.`,
      );
    }
    this.location = bucketLocation(props.bucketName, props.region);

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    this.versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
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
          id: 'expire-old-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: retentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [this.versioning],
    });
  }
}
