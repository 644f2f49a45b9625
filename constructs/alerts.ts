import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
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
  /**
   * The app tier, watched against what its Auto Scaling group is asked to run now (its desired
   * capacity, which the DR switch sets): the alarms read the posture live, so they never change
   * with it, and a passive region asked for no server never fires.
   */
  readonly appTier: { readonly autoScalingGroupName: string; readonly targetGroupArnSuffix: string; readonly loadBalancerArnSuffix: string };
  /**
   * Minutes without a heartbeat from the region's Alertmanager (its always-firing Watchdog,
   * published to the heartbeat topic) after which the dead-man's switch fires.
   * @default 15
   */
  readonly heartbeatMissingMinutes?: number;
}

/** The heartbeat topic's name for a name prefix: Alertmanager's Watchdog publishes to it. */
export function heartbeatTopicName(name: string): string {
  return `${name}-heartbeat`;
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
  /** The heartbeat topic (Alertmanager's Watchdog) and the alarm that fires when it goes quiet. */
  readonly heartbeat: { readonly topic: SnsTopic; readonly alarm: CloudwatchMetricAlarm };

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
    this.appTierAlarms(props);
    this.heartbeat = this.deadMansSwitch(props);
    this.topicArnOutput = new TerraformOutput(this, 'topic-arn', {
      value: this.topic.arn,
      description: "ARN of the region's alert topic (Alertmanager and CloudWatch alarms publish to it).",
    });
  }

  /**
   * AppTierDown (critical): the group is asked for servers and the load balancer has no healthy
   * one for 5 minutes. AppTierBelowDesired (warning): fewer healthy than asked for, 10 minutes.
   * Both compare live metrics (CloudWatch metric math, "Using IF expressions"), the desired
   * capacity from the group's metrics collection (enabled by the app tier).
   */
  private appTierAlarms(props: AlertsProps): void {
    const app = props.appTier;
    const metrics: CloudwatchMetricAlarmMetricQuery[] = [
      {
        id: 'desired',
        metric: { namespace: 'AWS/AutoScaling', metricName: 'GroupDesiredCapacity', dimensions: { AutoScalingGroupName: app.autoScalingGroupName }, period: 60, stat: 'Maximum' },
      },
      {
        id: 'healthy',
        metric: {
          namespace: 'AWS/ApplicationELB',
          metricName: 'HealthyHostCount',
          dimensions: { TargetGroup: app.targetGroupArnSuffix, LoadBalancer: app.loadBalancerArnSuffix },
          period: 60,
          stat: 'Minimum',
        },
      },
    ];
    const alarm = (name: string, description: string, expression: string, minutes: number) =>
      new CloudwatchMetricAlarm(this, name, {
        alarmName: `${props.name}-${name}`,
        alarmDescription: description,
        metricQuery: [...metrics, { id: 'signal', expression, label: name, returnData: true }],
        evaluationPeriods: minutes,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        // No desired capacity reported: the group's metrics stopped, which is no reassurance.
        treatMissingData: 'breaching',
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      });
    alarm(
      'app-tier-down',
      'AppTierDown: the app tier is asked to run servers here and none is healthy behind the load balancer: if this is the active region, a failover is due.',
      'IF(desired > 0 AND FILL(healthy, 0) < 1, 1, 0)',
      5,
    );
    alarm(
      'app-tier-below-desired',
      'AppTierBelowDesired: fewer app servers are healthy than the DR posture asks this region to run (its Auto Scaling desired capacity).',
      'desired - FILL(healthy, 0)',
      10,
    );
  }

  /**
   * The dead-man's switch, outside the cluster: Alertmanager's Watchdog (always firing while
   * Prometheus, its rules and Alertmanager work) publishes to the heartbeat topic every minute;
   * when the topic's published count stays at zero (or reports nothing) this long, the alarm
   * pages through the alert topic. A dead alert pipeline is then seen, not silent.
   */
  private deadMansSwitch(props: AlertsProps): { topic: SnsTopic; alarm: CloudwatchMetricAlarm } {
    const minutes = props.heartbeatMissingMinutes ?? 15;
    if (!Number.isInteger(minutes) || minutes < 5 || minutes % 5 !== 0) {
      throw new Error(`Alerts: heartbeatMissingMinutes is ${minutes}, expected a whole number of minutes, a multiple of 5 and at least 5.`);
    }
    const topic = new SnsTopic(this, 'heartbeat-topic', { name: heartbeatTopicName(props.name), kmsMasterKeyId: this.key.arn });
    const alarm = new CloudwatchMetricAlarm(this, 'heartbeat-missing', {
      alarmName: `${props.name}-monitoring-heartbeat-missing`,
      alarmDescription: `MonitoringHeartbeatMissing: the region's Alertmanager has published no Watchdog heartbeat for ${minutes} minutes: Prometheus or Alertmanager is down, and no other alert of this region can be trusted to arrive.`,
      namespace: 'AWS/SNS',
      metricName: 'NumberOfMessagesPublished',
      dimensions: { TopicName: topic.name },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: minutes / 5,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
    return { topic, alarm };
  }
}
