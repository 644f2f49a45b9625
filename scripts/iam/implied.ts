import { jsonBody, type RecordedCall } from './calls';
import { findKey, findSecret, type AccountFacts, type KeyFacts } from './facts';
import type { PlacedRequest } from './requests';

/*
 * The calls AWS services make with the caller's own permissions because of a request, which no
 * emulator makes: each rule names its source. A key the rule cannot find is reported, never
 * skipped; an AWS managed key (aws/...) is authorized by its own key policy for every principal
 * of the account through the service (KMS Developer Guide, "AWS managed keys"), so it is not
 * evaluated.
 */

/** One kind of call a service makes for its caller. */
export interface ImpliedRule {
  readonly name: string;
  readonly source: string;
  /** The requests it implies for a placed request, and the keys or roles it could not find. */
  readonly apply: (call: RecordedCall, direct: PlacedRequest, facts: AccountFacts, accountId: string) => { requests: PlacedRequest[]; missing: string[] };
}

const DYNAMODB_ITEM_ACTIONS = ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem'].map((a) => `dynamodb:${a}`);

function kmsThrough(rule: ImpliedRule, direct: PlacedRequest, key: KeyFacts, actions: readonly string[], service: string, region: string, accountId: string): PlacedRequest[] {
  return actions.map((action) => ({
    call: direct.call,
    implied: `${rule.name} (${rule.source})`,
    action,
    resource: key.arn,
    resourcePolicy: key.policy,
    context: {
      'aws:RequestedRegion': region,
      'aws:ViaAWSService': 'true',
      'kms:ViaService': `${service}.${region}.amazonaws.com`,
      'kms:CallerAccount': accountId,
      'kms:ResourceAliases': [...key.aliases],
    },
  }));
}

/** The requests of a rule that uses a key by reference (undefined or an AWS managed key: none). */
function withKey(rule: ImpliedRule, direct: PlacedRequest, facts: AccountFacts, reference: string | null | undefined, actions: readonly string[], service: string, region: string, accountId: string) {
  if (!reference || /alias\/aws\//.test(reference)) return { requests: [], missing: [] };
  const key = findKey(facts, reference, region);
  if (!key) return { requests: [], missing: [`${rule.name}: key ${reference} of ${direct.call} not found`] };
  return { requests: kmsThrough(rule, direct, key, actions, service, region, accountId), missing: [] };
}

function passRole(rule: ImpliedRule, direct: PlacedRequest, roleArns: readonly string[], service: string): PlacedRequest[] {
  return roleArns.map((arn) => ({
    call: direct.call,
    implied: `${rule.name} (${rule.source})`,
    action: 'iam:PassRole',
    resource: arn,
    context: { 'aws:RequestedRegion': String(direct.context?.['aws:RequestedRegion'] ?? 'us-east-1'), 'iam:PassedToService': service },
  }));
}

/** The roles of an instance profile given by name or ARN. */
function profileRoles(facts: AccountFacts, profile: string | null | undefined, accountId: string): string[] | undefined {
  if (!profile) return [];
  const roles = facts.profiles[profile.split('/').pop()!];
  return roles?.map((r) => `arn:aws:iam::${accountId}:role/${r}`);
}

export const IMPLIED_RULES: readonly ImpliedRule[] = [
  {
    name: 'DynamoDB decrypts a customer managed table key with the caller\'s permissions',
    source: 'KMS Developer Guide, "How Amazon DynamoDB uses AWS KMS"; ministryofjustice/modernisation-platform#5630',
    apply(call, direct, facts, accountId) {
      if (!DYNAMODB_ITEM_ACTIONS.includes(direct.action)) return { requests: [], missing: [] };
      const table = direct.resource.split(':table/')[1];
      return withKey(this, direct, facts, facts.tables[`${call.region}/${table}`], ['kms:Decrypt'], 'dynamodb', call.region, accountId);
    },
  },
  {
    name: 'S3 encrypts and decrypts SSE-KMS objects with the caller\'s permissions',
    source: 'S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)": PutObject needs kms:GenerateDataKey, GetObject kms:Decrypt',
    apply(call, direct, facts, accountId) {
      const bucket = direct.resource.replace('arn:aws:s3:::', '').split('/')[0];
      const put = direct.action === 's3:PutObject';
      const get = call.method === 'GET' && (direct.action === 's3:GetObject' || direct.action === 's3:GetObjectVersion');
      if (!put && !get) return { requests: [], missing: [] };
      const reference = (put ? call.headers['x-amz-server-side-encryption-aws-kms-key-id'] : undefined) ?? facts.buckets[bucket]?.key;
      return withKey(this, direct, facts, reference, [put ? 'kms:GenerateDataKey' : 'kms:Decrypt'], 's3', facts.buckets[bucket]?.region ?? call.region, accountId);
    },
  },
  {
    name: 'Secrets Manager encrypts and decrypts secret values with the caller\'s permissions',
    source: 'Secrets Manager User Guide, "Secret encryption and decryption in AWS Secrets Manager"',
    apply(call, direct, facts, accountId) {
      const operation = direct.action.split(':')[1];
      const value = jsonBody(call);
      const writes = ['PutSecretValue', 'UpdateSecret', 'CreateSecret'].includes(operation) && (value.SecretString !== undefined || value.SecretBinary !== undefined);
      if (operation !== 'GetSecretValue' && !writes) return { requests: [], missing: [] };
      const reference = (value.KmsKeyId as string | undefined) ?? findSecret(facts, direct.resource, call.region)?.key;
      return withKey(this, direct, facts, reference, [writes ? 'kms:GenerateDataKey' : 'kms:Decrypt'], 'secretsmanager', call.region, accountId);
    },
  },
  {
    name: 'RDS creates a grant on a customer managed key with the caller\'s permissions',
    source: 'RDS User Guide, "AWS KMS key management": the caller needs kms:CreateGrant and kms:DescribeKey',
    apply(call, direct, facts, accountId) {
      if (!/^rds:(CreateDBInstance|CreateDBInstanceReadReplica|CreateDBCluster|RestoreDBInstance\w*)$/.test(direct.action)) return { requests: [], missing: [] };
      return withKey(this, direct, facts, call.form.KmsKeyId, ['kms:CreateGrant', 'kms:DescribeKey'], 'rds', call.region, accountId);
    },
  },
  {
    name: 'EBS creates a grant and a data key on a customer managed key with the caller\'s permissions',
    source: 'EC2 User Guide, "How EBS encryption works": kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext',
    apply(call, direct, facts, accountId) {
      if (direct.action !== 'ec2:CreateVolume') return { requests: [], missing: [] };
      return withKey(this, direct, facts, call.form.KmsKeyId, ['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext'], 'ec2', call.region, accountId);
    },
  },
  {
    name: 'passing a role to an AWS service needs iam:PassRole',
    source: 'IAM User Guide, "Grant a user permissions to pass a role to an AWS service"',
    apply(call, direct, facts, accountId) {
      const form = call.form;
      const value = jsonBody(call);
      const none = { requests: [], missing: [] };
      const launched = (roles: string[] | undefined, what: string) =>
        roles ? { requests: passRole(this, direct, roles, 'ec2.amazonaws.com'), missing: [] } : { requests: [], missing: [`${this.name}: instance profile of ${what} not found`] };
      switch (direct.action) {
        case 'ec2:RunInstances':
          return launched(profileRoles(facts, form['IamInstanceProfile.Name'] ?? form['IamInstanceProfile.Arn'], accountId), direct.call);
        case 'autoscaling:CreateAutoScalingGroup':
        case 'autoscaling:UpdateAutoScalingGroup': {
          const template = form['LaunchTemplate.LaunchTemplateId'] ?? form['LaunchTemplate.LaunchTemplateName'];
          if (!template) return none;
          return template in facts.launchTemplates ? launched(profileRoles(facts, facts.launchTemplates[template], accountId), template) : { requests: [], missing: [`${this.name}: launch template ${template} not found`] };
        }
        case 'eks:CreateCluster':
          return { requests: passRole(this, direct, [String(value.roleArn)], 'eks.amazonaws.com'), missing: [] };
        case 'eks:CreateNodegroup':
          return { requests: passRole(this, direct, [String(value.nodeRole)], 'eks.amazonaws.com'), missing: [] };
        case 'ec2:CreateFlowLogs':
          return form.DeliverLogsPermissionArn ? { requests: passRole(this, direct, [form.DeliverLogsPermissionArn], 'vpc-flow-logs.amazonaws.com'), missing: [] } : none;
        case 's3:PutReplicationConfiguration': {
          const role = /<Role>([^<]+)<\/Role>/.exec(call.body)?.[1];
          return role ? { requests: passRole(this, direct, [role], 's3.amazonaws.com'), missing: [] } : none;
        }
        default:
          if (/^rds:(CreateDBInstance|CreateDBInstanceReadReplica|ModifyDBInstance)$/.test(direct.action) && form.MonitoringRoleArn) {
            return { requests: passRole(this, direct, [form.MonitoringRoleArn], 'monitoring.rds.amazonaws.com'), missing: [] };
          }
          return none;
      }
    },
  },
];

/** Every request the rules imply for a placed request, and what they could not find. */
export function impliedRequests(call: RecordedCall, direct: PlacedRequest, facts: AccountFacts, accountId: string): { requests: PlacedRequest[]; missing: string[] } {
  const results = IMPLIED_RULES.map((rule) => rule.apply(call, direct, facts, accountId));
  return { requests: results.flatMap((r) => r.requests), missing: results.flatMap((r) => r.missing) };
}
