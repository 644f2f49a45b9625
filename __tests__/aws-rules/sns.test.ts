import { synthesizeCycle } from './postures';

/*
 * SNS rules the alerting relies on, checked in every posture of a full DR cycle.
 */

const cycle = synthesizeCycle();
type Json = Record<string, any>;

describe.each(cycle)('$label', (posture) => {
  // Amazon SNS Developer Guide, "Managing Amazon SNS encryption keys and costs" / "Enable
  // compatibility between event sources from AWS services and encrypted topics": an AWS
  // service such as CloudWatch publishes to an encrypted topic only when the topic's key is a
  // customer managed key whose policy allows that service kms:Decrypt and kms:GenerateDataKey*;
  // the AWS managed key (alias/aws/sns) cannot be given to it, and alarms then notify no one.
  test('SNS: every topic a CloudWatch alarm notifies is under a customer managed key that admits CloudWatch', () => {
    let alarms = 0;
    for (const [stack, json] of Object.entries(posture.stacks) as [string, Json][]) {
      for (const [name, alarm] of Object.entries((json.resource?.aws_cloudwatch_metric_alarm ?? {}) as Record<string, Json>)) {
        alarms += 1;
        for (const action of [...(alarm.alarm_actions ?? []), ...(alarm.ok_actions ?? [])] as string[]) {
          const topicName = /\$\{aws_sns_topic\.([a-z0-9_]+)\.arn\}/.exec(action)?.[1];
          expect({ stack, name, action, topicInStack: Boolean(topicName) }).toEqual({ stack, name, action, topicInStack: true });
          const topic = json.resource.aws_sns_topic[topicName!];
          const keyName = /\$\{aws_kms_key\.([a-z0-9_]+)\.arn\}/.exec(String(topic.kms_master_key_id))?.[1];
          expect({ topic: topicName, customerManagedKey: Boolean(keyName) }).toEqual({ topic: topicName, customerManagedKey: true });
          const policyName = /\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}/.exec(json.resource.aws_kms_key[keyName!].policy)?.[1];
          const statements = (json.data.aws_iam_policy_document[policyName!].statement ?? []) as Json[];
          const admitted = statements.some(
            (s) =>
              (s.principals ?? []).some((p: Json) => p.type === 'Service' && p.identifiers.includes('cloudwatch.amazonaws.com')) &&
              ['kms:Decrypt', 'kms:GenerateDataKey*'].every((a) => s.actions.includes(a)),
          );
          expect({ key: keyName, admitsCloudWatch: admitted }).toEqual({ key: keyName, admitsCloudWatch: true });
        }
      }
    }
    expect(alarms).toBeGreaterThan(0);
  });
});
