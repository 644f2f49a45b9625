import { committedInput, DR_CYCLE, inPosition, resource, synthEstate, synthesizedStacks } from '../helpers';

/*
 * What reaches an operator: the app tier's alarms read the DR posture live (the Auto Scaling
 * group's desired capacity, which the switch sets) instead of carrying it, so they are the same
 * in every state; and the dead-man's switch of the region's monitoring sits outside the cluster.
 */

const normal = synthEstate();

describe.each(['us-east-2', 'us-west-1'])('alerts of %s', (region) => {
  const stack = normal.byName[`regional-${region}`];
  const topic = '${aws_sns_topic.alerts_topic.arn}';

  test('AppTierDown fires when the group is asked for servers and none is healthy behind the load balancer', () => {
    const alarm = resource(stack, 'aws_cloudwatch_metric_alarm', 'alerts_app_tier_down');
    const queries = Object.fromEntries(alarm.metric_query.map((q: Record<string, any>) => [q.id, q]));
    expect(queries.desired.metric).toMatchObject({ namespace: 'AWS/AutoScaling', metric_name: 'GroupDesiredCapacity', dimensions: { AutoScalingGroupName: '${aws_autoscaling_group.app_asg.name}' } });
    expect(queries.healthy.metric).toMatchObject({
      namespace: 'AWS/ApplicationELB',
      metric_name: 'HealthyHostCount',
      dimensions: { TargetGroup: '${aws_lb_target_group.app_targets.arn_suffix}', LoadBalancer: '${aws_lb.app_alb.arn_suffix}' },
    });
    expect(queries.signal).toMatchObject({ expression: 'IF(desired > 0 AND FILL(healthy, 0) < 1, 1, 0)', return_data: true });
    expect(alarm).toMatchObject({ comparison_operator: 'GreaterThanThreshold', threshold: 0, evaluation_periods: 5, alarm_actions: [topic] });
    // The group's metrics collection the alarm reads must be on.
    expect(resource(stack, 'aws_autoscaling_group', 'app_asg').enabled_metrics).toEqual(expect.arrayContaining(['GroupDesiredCapacity']));
  });

  test("the dead-man's switch: Alertmanager's heartbeat topic, and an alarm on its silence that pages through the alert topic", () => {
    expect(resource(stack, 'aws_sns_topic', 'alerts_heartbeat_topic')).toMatchObject({ name: `dr-estate-prod-${region}-heartbeat`, kms_master_key_id: '${aws_kms_key.alerts_key.arn}' });
    expect(resource(stack, 'aws_cloudwatch_metric_alarm', 'alerts_heartbeat_missing')).toMatchObject({
      namespace: 'AWS/SNS',
      metric_name: 'NumberOfMessagesPublished',
      dimensions: { TopicName: '${aws_sns_topic.alerts_heartbeat_topic.name}' },
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      treat_missing_data: 'breaching',
      alarm_actions: [topic],
    });
  });
});

test('the app tier and heartbeat alarms are the same in every state of the DR cycle: they read the posture live', () => {
  const alarms = DR_CYCLE.map((p) => {
    const stacks = synthesizedStacks(inPosition(p));
    return JSON.stringify(
      ['us-east-2', 'us-west-1'].map((region) => {
        const all = stacks[`regional-${region}`].resource.aws_cloudwatch_metric_alarm as Record<string, unknown>;
        return ['alerts_app_tier_down', 'alerts_app_tier_below_desired', 'alerts_heartbeat_missing'].map((id) => all[id]);
      }),
    );
  });
  expect(new Set(alarms).size).toBe(1);
  expect(committedInput.monitoring?.alertEmails?.length).toBeGreaterThan(0);
});
