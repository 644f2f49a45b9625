import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
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
  /**
   * The customer managed key objects are encrypted with by default (SSE-KMS with an S3 Bucket
   * Key, so KMS is called once per bucket key, not per object).
   * @default - SSE-S3: only for buckets AWS services deliver logs into, which accept no other
   *   default encryption (S3 server access logs, load balancer access logs)
   */
  readonly encryptionKeyArn?: string;
  /**
   * Where S3 server access logs of this bucket go (a bucket of the same region and account),
   * under `<bucketName>/`.
   * @default - not logged: only for the log bucket itself
   */
  readonly accessLogsBucket?: string;
  /**
   * Statements added to the bucket policy (log delivery services writing into a log bucket).
   * @default - only the deny-non-TLS statement
   */
  readonly policyStatements?: readonly DataAwsIamPolicyDocumentStatement[];
  /**
   * Days a current object is kept before it expires (then kept `noncurrentVersionRetentionDays`
   * more as a noncurrent version).
   * @default - current objects never expire
   */
  readonly expireAfterDays?: number;
  /**
   * Objects under a prefix that expire this many days after they were written (e.g. backup
   * generations, each a new key, which never become noncurrent versions).
   * @default - none
   */
  readonly expireUnderPrefix?: { readonly prefix: string; readonly days: number };
}

/**
 * A bucket for data that must survive: versioned, encrypted by default with a customer managed
 * key, access-logged, all public access blocked, bucket-owner-enforced, a policy denying any
 * request that is not TLS, every object event sent to EventBridge, old versions expired, and
 * `prevent_destroy`.
 */
export class SecureBucket extends Construct {
  /** The bucket. */
  readonly bucket: S3Bucket;
  /** Versioning; replication and lifecycle rules must wait for it. */
  readonly versioning: S3BucketVersioningA;
  /** Where the bucket is. */
  readonly location: BucketLocation;
  /** The bucket policy. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const retentionDays = props.noncurrentVersionRetentionDays ?? 90;
    for (const [field, days] of [
      ['noncurrentVersionRetentionDays', retentionDays],
      ['expireAfterDays', props.expireAfterDays ?? 1],
      ['expireUnderPrefix.days', props.expireUnderPrefix?.days ?? 1],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) {
        throw new Error(`SecureBucket ${props.bucketName}: ${field} is ${days}, expected a whole number of days of at least 1.`);
      }
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
      rule: [
        props.encryptionKeyArn
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.encryptionKeyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    if (props.accessLogsBucket) {
      new S3BucketLoggingA(this, 'access-logs', {
        bucket: this.bucket.id,
        targetBucket: props.accessLogsBucket,
        targetPrefix: `${props.bucketName}/`,
      });
    }
    // Object events to EventBridge: the audit trail of state and backup writes, for any rule
    // an operator adds (EventBridge drops events no rule matches, at no cost).
    new S3BucketNotification(this, 'events', { bucket: this.bucket.id, eventbridge: true });
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
        ...(props.policyStatements ?? []),
      ],
    });
    this.policy = new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: tlsOnly.json });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: retentionDays }],
          ...(props.expireAfterDays ? { expiration: [{ days: props.expireAfterDays }] } : {}),
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        ...(props.expireUnderPrefix
          ? [
              {
                id: `expire-${props.expireUnderPrefix.prefix.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}`,
                status: 'Enabled',
                filter: [{ prefix: props.expireUnderPrefix.prefix }],
                expiration: [{ days: props.expireUnderPrefix.days }],
              },
            ]
          : []),
      ],
      dependsOn: [this.versioning],
    });
  }
}
