/*
 * IAM policy documents as AWS holds them, from synthesized Terraform JSON: an
 * `aws_iam_policy_document` data source rendered to the JSON it produces at plan time, with the
 * references to other resources of the stack replaced by the values those resources will have
 * (ARNs built from their names, the way AWS builds them). A reference nothing here can resolve
 * is an error naming it: a policy is never evaluated with a hole in it.
 */

/** Synthesized Terraform JSON, as far as IAM documents need it. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: Record<string, unknown>[];
}

type Condition = { test: string; variable: string; values: string[] };
type Principal = { type: string; identifiers: string[] };
type StatementJson = {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  principals?: Principal[];
  not_principals?: Principal[];
  condition?: Condition[];
};

/** Where a stack's references point: its account and region. */
export interface StackPlace {
  readonly accountId: string;
  readonly region: string;
}

/** The region of a stack: its default AWS provider's. */
export function stackRegion(json: TerraformJson): string {
  const providers = json.provider?.aws ?? [];
  const main = providers.find((p) => !p.alias) ?? providers[0];
  return String(main?.region ?? '');
}

/** The value a reference (`aws_iam_role.x.arn`) will have, or undefined when it cannot be known here. */
function referenceValue(json: TerraformJson, place: StackPlace, reference: string): string | undefined {
  const [first, ...rest] = reference.split('.');
  const isData = first === 'data';
  const [type, name, attribute] = isData ? rest : [first, ...rest];
  const config = (isData ? json.data : json.resource)?.[type]?.[name];
  if (!config) return undefined;
  const { accountId, region } = place;
  if (isData && type === 'aws_iam_policy_document' && attribute === 'json') return JSON.stringify(renderDocument(json, place, name));
  if (isData && type === 'aws_caller_identity' && attribute === 'account_id') return accountId;
  if (isData && type === 'aws_region' && attribute === 'name') return region;
  const text = (key: string) => resolveText(json, place, String(config[key]));
  switch (`${type}.${attribute}`) {
    case 'aws_iam_role.arn':
      return `arn:aws:iam::${accountId}:role/${text('name')}`;
    case 'aws_iam_role.name':
    case 'aws_iam_role.id':
      return text('name');
    case 'aws_iam_policy.arn':
      return `arn:aws:iam::${accountId}:policy/${text('name')}`;
    case 'aws_iam_openid_connect_provider.arn':
      return `arn:aws:iam::${accountId}:oidc-provider/${text('url').replace(/^https:\/\//, '')}`;
    case 'aws_s3_bucket.arn':
      return `arn:aws:s3:::${text('bucket')}`;
    case 'aws_s3_bucket.bucket':
    case 'aws_s3_bucket.id':
      return text('bucket');
    case 'aws_kms_key.arn':
      // A key's id is AWS's to choose: the resource name stands in for it, in the stack's region.
      return `arn:aws:kms:${region}:${accountId}:key/${name}`;
    case 'aws_sns_topic.arn':
      return `arn:aws:sns:${region}:${accountId}:${text('name')}`;
    case 'aws_cloudwatch_log_group.arn':
      return `arn:aws:logs:${region}:${accountId}:log-group:${text('name')}`;
    case 'aws_ssm_parameter.arn':
      // A name with a leading slash follows `parameter` directly (SSM User Guide, parameter ARNs).
      return `arn:aws:ssm:${region}:${accountId}:parameter${text('name').startsWith('/') ? '' : '/'}${text('name')}`;
    case 'aws_dynamodb_table.arn':
      return `arn:aws:dynamodb:${region}:${accountId}:table/${text('name')}`;
    default:
      return undefined;
  }
}

/** A string with every `${reference}` replaced; throws naming a reference it cannot resolve. */
export function resolveText(json: TerraformJson, place: StackPlace, text: string): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, reference: string) => {
    const value = referenceValue(json, place, reference.trim());
    if (value === undefined) throw new Error(`cannot resolve ${whole} in a policy document`);
    return value;
  });
}

function principalsOf(json: TerraformJson, place: StackPlace, principals: Principal[]): Record<string, string[]> | string {
  if (principals.length === 1 && principals[0].type === '*') return '*';
  const out: Record<string, string[]> = {};
  for (const p of principals) (out[p.type] ??= []).push(...p.identifiers.map((i) => resolveText(json, place, i)));
  return out;
}

/** The JSON an `aws_iam_policy_document` data source renders (statement order kept). */
export function renderDocument(json: TerraformJson, place: StackPlace, name: string): PolicyDocument {
  const source = json.data?.aws_iam_policy_document?.[name] as { statement?: StatementJson[] } | undefined;
  if (!source) throw new Error(`no aws_iam_policy_document.${name} in the stack`);
  const text = (values: string[]) => values.map((v) => resolveText(json, place, v));
  const Statement = (source.statement ?? []).map((s) => {
    const out: Record<string, unknown> = {};
    if (s.sid) out.Sid = s.sid;
    out.Effect = s.effect ?? 'Allow';
    if (s.principals) out.Principal = principalsOf(json, place, s.principals);
    if (s.not_principals) out.NotPrincipal = principalsOf(json, place, s.not_principals);
    if (s.actions) out.Action = s.actions;
    if (s.not_actions) out.NotAction = s.not_actions;
    if (s.resources) out.Resource = text(s.resources);
    if (s.not_resources) out.NotResource = text(s.not_resources);
    if (!s.resources && !s.not_resources && !s.principals) out.Resource = '*';
    if (s.condition?.length) {
      const condition: Record<string, Record<string, string[]>> = {};
      for (const c of s.condition) (condition[c.test] ??= {})[c.variable] = text(c.values);
      out.Condition = condition;
    }
    return out;
  });
  return { Version: '2012-10-17', Statement };
}

/** A policy argument (`policy`, `assume_role_policy`): a rendered document reference or literal JSON. */
export function policyArgument(json: TerraformJson, place: StackPlace, value: unknown): PolicyDocument {
  const text = String(value);
  const reference = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/.exec(text);
  if (reference) return renderDocument(json, place, reference[1]);
  return JSON.parse(resolveText(json, place, text)) as PolicyDocument;
}
