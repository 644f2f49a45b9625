import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { keyPolicy } from './encryption-key';

/** Props of {@link Alerts}. */
export interface AlertsProps {
  /** Prefix of the topic, key and alarm names, unique per account and region. */
  readonly name: string;
  /** The AWS account (its root administers the topic's key). */
  readonly accountId: string;
  /** Email addresses subscribed to the topic (each confirms its subscription once). */
  readonly emails: readonly string[];
  /**
   * The region's database and whether it is a read replica: its lag alarm (the database RPO)
   * notifies only while it is one. The alarm exists in every posture, so a switch updates it in
   * place instead of deleting and recreating it.
   */
  readonly replicaLag: { readonly dbInstanceIdentifier: string; readonly isReplica: boolean; readonly thresholdSeconds: number };
}

/** The alert topic's name for a name prefix (its ARN is computable before it exists). */
export function alertTopicName(name: string): string {
  return `${name}-alerts`;
}


/**
 * The region's alert topic: where Alertmanager (Prometheus' alerts) and CloudWatch alarms (the
 * database's replica lag) send what an operator must see, and whom it reaches (email
 * subscriptions from config; a pager subscribes the same way). Encrypted with its own key:
 * CloudWatch cannot publish to a topic encrypted with the AWS managed `alias/aws/sns` key, whose
 * policy cannot be changed to admit it.
 */
export class Alerts extends Construct {
  readonly topic: SnsTopic;
  readonly key: KmsKey;
  /** Output carrying the topic's ARN, for the monitoring stack's Alertmanager. */
  readonly topicArnOutput: TerraformOutput;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    for (const email of props.emails) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new Error(`Alerts ${id}: emails has "${email}", expected email addresses.`);
      }
    }
    const policy = keyPolicy(this, 'key-policy', props.accountId, [
      {
        sid: 'AlarmsPublish',
        service: 'cloudwatch.amazonaws.com',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // Only this account's alarms (the confused-deputy guard).
        conditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.accountId] }],
      },
    ]);
    this.key = new KmsKey(this, 'key', {
      description: `${props.name}: alert topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy,
      // Not data, but every publisher's grants name it: replacing it would silence alerts.
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${props.name}-alerts`, targetKeyId: this.key.keyId });
    this.topic = new SnsTopic(this, 'topic', { name: alertTopicName(props.name), kmsMasterKeyId: this.key.arn });
    props.emails.forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: 'email', endpoint: email });
    });
    new CloudwatchMetricAlarm(this, 'replica-lag', {
      alarmName: `${props.name}-db-replica-lag`,
      alarmDescription: `The database ${props.replicaLag.dbInstanceIdentifier}, while a replica, is more than ${props.replicaLag.thresholdSeconds} s behind its source: the database RPO is not being met, and the standby is not really standing by.`,
      namespace: 'AWS/RDS',
      metricName: 'ReplicaLag',
      dimensions: { DBInstanceIdentifier: props.replicaLag.dbInstanceIdentifier },
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      threshold: props.replicaLag.thresholdSeconds,
      comparisonOperator: 'GreaterThanThreshold',
      // No data from a replica means it is not replicating (or not there): as bad as lag.
      treatMissingData: 'breaching',
      // A writer has no lag to report: the alarm stays, silent, until it is a replica again.
      actionsEnabled: props.replicaLag.isReplica,
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
    this.topicArnOutput = new TerraformOutput(this, 'topic-arn', {
      value: this.topic.arn,
      description: "ARN of the region's alert topic (Alertmanager and CloudWatch alarms publish to it).",
    });
  }
}
