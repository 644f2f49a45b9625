import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { Construct } from 'constructs';
import type { AwsRegion } from '../config/regions';
import { SecureBucket } from './secure-bucket';

/** Props of {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /** Bucket name (globally unique). */
  readonly bucketName: string;
  /** Region of the bucket: only sources in this region can log into it. */
  readonly region: AwsRegion;
  /** The account whose buckets and load balancers log here. */
  readonly accountId: string;
  /**
   * Days a log object is kept.
   */
  readonly retentionDays: number;
}

/** Key prefix load balancers write their access logs under. */
export const LOAD_BALANCER_LOG_PREFIX = 'alb';

/**
 * The access log bucket of a region: S3 server access logs of the region's buckets and the
 * load balancer's access logs. A {@link SecureBucket} with the one exception AWS imposes: its
 * default encryption is SSE-S3, the only one S3 server access logging and Elastic Load
 * Balancing deliver into. Log delivery is allowed by bucket policy, for this account's sources
 * only; the bucket's own accesses are not logged (they would log into themselves).
 */
export class AccessLogBucket extends Construct {
  /** The bucket's name, as a reference that waits for the delivery policy. */
  readonly bucketName: string;
  /** The bucket. */
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const arn = `arn:aws:s3:::${props.bucketName}`;
    // Elastic Load Balancing's log delivery account of the region (the provider's own table,
    // no API call): regions older than August 2022 accept only this principal.
    const elb = new DataAwsElbServiceAccount(this, 'elb-account', { region: props.region });
    this.bucket = new SecureBucket(this, 'Default', {
      bucketName: props.bucketName,
      region: props.region,
      noncurrentVersionRetentionDays: 30,
      expireAfterDays: props.retentionDays,
      policyStatements: [
        {
          // S3 User Guide, "Enabling Amazon S3 server access logging": the logging service
          // principal, limited to this account's source buckets.
          sid: 'S3ServerAccessLogs',
          principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
          actions: ['s3:PutObject'],
          resources: [`${arn}/*`],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.accountId] }],
        },
        {
          // ELB User Guide, "Enable access logs for your Application Load Balancer".
          sid: 'LoadBalancerAccessLogs',
          principals: [{ type: 'AWS', identifiers: [elb.arn] }],
          actions: ['s3:PutObject'],
          resources: [`${arn}/${LOAD_BALANCER_LOG_PREFIX}/AWSLogs/${props.accountId}/*`],
        },
        {
          sid: 'LoadBalancerLogDelivery',
          principals: [{ type: 'Service', identifiers: ['logdelivery.elasticloadbalancing.amazonaws.com'] }],
          actions: ['s3:PutObject'],
          resources: [`${arn}/${LOAD_BALANCER_LOG_PREFIX}/AWSLogs/${props.accountId}/*`],
        },
      ],
    });
    this.bucketName = this.bucket.policy.bucket;
  }
}
