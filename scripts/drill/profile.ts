/*
 * The emulator profile: everything the DR drill does differently from a deploy to AWS, in one
 * place, printed at the start of every drill. moto_server 5.2.1 does not implement a few APIs
 * the estate uses and reads a few attributes back differently from AWS (shared EMULATOR.md
 * records each observation); those, and only those, are listed here with the reason. Nothing
 * listed is something the drill asserts: the Auto Scaling sizes, the Git server's state, the
 * databases and their replication, and the DNS records are applied and read exactly as
 * synthesized.
 *
 * The synthesized stacks are never edited. The drill adds one override file per stack
 * (`drill_override.tf.json`, see {@link drillOverride}): the AWS provider blocks get the
 * emulator's endpoints and the skip flags an emulator needs, and the
 * resources below get the listed settings or `ignore_changes`; excluded resources are left out
 * with `-target` (every other resource of the stack is targeted).
 */

import { backendSettings, EMULATED_SERVICES, endpointFor, type EndpointPlan } from './endpoints';

export * from './endpoints';

/** Synthesized Terraform JSON, as far as the drill reads it. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly terraform?: { backend?: Record<string, Record<string, unknown>> };
  readonly [key: string]: unknown;
}

/** Resources of some type, optionally only those whose configuration matches. */
interface ResourceMatch {
  /** Resource type, e.g. `aws_eks_addon`. */
  readonly type: string;
  /** Only resources whose JSON contains this text (a reference, an attribute). */
  readonly containing?: string;
  /** Why: the emulator's behaviour, one sentence. */
  readonly reason: string;
}

/** Left out of every apply and plan (with `-target` on everything else). */
export interface Exclusion extends ResourceMatch {}

/** Attributes whose read-back differs from what was written, ignored after creation. */
export interface IgnoredRead extends ResourceMatch {
  readonly attributes: readonly string[];
}

/** Arguments set differently, because something never happens in the emulator. */
export interface Setting extends ResourceMatch {
  readonly values: Readonly<Record<string, unknown>>;
}

export const EXCLUSIONS: readonly Exclusion[] = [
  { type: 'aws_eks_access_entry', reason: 'moto does not implement EKS access entries (404).' },
  { type: 'aws_eks_access_policy_association', reason: 'moto does not implement EKS access policy associations (404).' },
  {
    type: 'aws_eks_addon',
    reason: 'moto does not implement EKS add-ons nor DescribeAddonVersions (the version lookup would fail the whole plan).',
  },
  {
    type: 'aws_vpc_security_group_ingress_rule',
    containing: 'cluster_security_group_id',
    reason: 'the emulated EKS cluster has no cluster security group to allow traffic from.',
  },
  {
    type: 'aws_s3_bucket_policy',
    reason: 'moto treats the deny-unless-aws:SecureTransport condition as matched on every request, so the policy would lock Terraform out of its own state.',
  },
];

export const IGNORED_READS: readonly IgnoredRead[] = [
  {
    type: 'aws_instance',
    attributes: ['associate_public_ip_address', 'vpc_security_group_ids', 'disable_api_termination'],
    reason: 'moto reads a public IP association as true (a replacement), returns no security groups and ignores termination protection.',
  },
  {
    type: 'aws_vpc_security_group_ingress_rule',
    containing: 'referenced_security_group_id',
    attributes: ['referenced_security_group_id', 'description'],
    reason: 'moto reads a referenced group back as <account>/<group id> and drops the description.',
  },
  {
    type: 'aws_vpc_security_group_egress_rule',
    containing: 'referenced_security_group_id',
    attributes: ['referenced_security_group_id', 'description'],
    reason: 'moto reads a referenced group back as <account>/<group id> and drops the description.',
  },
  {
    type: 'aws_autoscaling_group',
    attributes: ['default_instance_warmup'],
    reason: 'moto reads the instance warmup back as 0. (The group\'s launch template is applied and read as synthesized: the drill checks that each group launches its template\'s latest version, naming the database the step expects; moto_launcher.py answers the instance refresh a new version starts.)',
  },
  {
    type: 'aws_launch_template',
    attributes: ['tag_specifications'],
    reason: 'moto reads the template\'s own tags back as a tag specification, so every apply would make a new version of the template.',
  },
  { type: 'aws_eks_cluster', attributes: ['access_config', 'upgrade_policy'], reason: 'moto returns no access configuration (a replacement) and no upgrade policy (an update every plan).' },
  {
    type: 'aws_eks_node_group',
    attributes: ['remote_access', 'update_config'],
    reason: 'moto invents a remote access block (a replacement) and returns no update configuration (an update, and moto does not implement DescribeUpdate).',
  },
  {
    type: 'aws_db_instance',
    attributes: ['monitoring_interval', 'monitoring_role_arn', 'performance_insights_enabled', 'performance_insights_kms_key_id', 'performance_insights_retention_period'],
    reason: 'moto keeps neither enhanced monitoring nor Performance Insights settings (they read back off: an update every plan).',
  },
  {
    type: 'aws_secretsmanager_secret',
    attributes: ['replica'],
    reason: 'moto reads a replica\'s KMS key back as the AWS managed key (the replica itself is created, and read in its region, as on AWS).',
  },
  {
    type: 'aws_db_parameter_group',
    attributes: ['parameter'],
    reason: 'moto reads a custom parameter group\'s parameters back empty (an update every plan).',
  },
  {
    type: 'aws_s3_bucket_notification',
    attributes: ['eventbridge'],
    reason: 'moto reads a bucket\'s EventBridge notification back as off (an update every plan; seen on the bootstrap stacks\' plan after their state moves into S3).',
  },
];

export const SETTINGS: readonly Setting[] = [
  {
    type: 'aws_instance',
    values: { monitoring: false },
    reason: 'moto does not implement MonitorInstances, which the provider calls after launching an instance with detailed monitoring (it retries the 500 until the apply times out).',
  },
  {
    type: 'aws_autoscaling_group',
    values: { wait_for_capacity_timeout: '0' },
    reason: 'emulated instances never boot, so they never turn healthy behind the load balancer: do not wait for capacity.',
  },
];

/** What the drill itself does that AWS would do (printed with the profile). */
export const EMULATED_BY_THE_DRILL: readonly string[] = [
  "S3 replication: moto accepts the replication rules but copies nothing, so after each apply into a state bucket the drill carries out that bucket's rules as read back from the emulator: each enabled rule's prefix, destination and replica key (never to or from a dark region).",
  'The hosted zone the estate looks up is created in the emulator first, as an operator creates it once before the first deploy.',
  'The emulator answers as the estate\'s own account (MOTO_ACCOUNT_ID), so the providers\' allowed_account_ids guard is exercised as configured.',
];

const matches = (m: ResourceMatch, type: string, body: unknown) =>
  m.type === type && (!m.containing || JSON.stringify(body).includes(m.containing));

/** `type.name` of every resource of a stack. */
function resourceAddresses(stack: StackJson): string[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

/** The resources the profile excludes from a stack, with the reason, as `address: reason`. */
export function excludedResources(stack: StackJson): Map<string, string> {
  const excluded = new Map<string, string>();
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const rule = EXCLUSIONS.find((m) => matches(m, type, body));
      if (rule) excluded.set(`${type}.${name}`, rule.reason);
    }
  }
  return excluded;
}

/**
 * The `-target` list of a stack: every resource except the excluded ones and those depending
 * on one (Terraform would otherwise bring an excluded resource back as a dependency). Empty when
 * nothing is excluded (no `-target` then).
 */
export function drillTargets(stack: StackJson): string[] {
  const excluded = new Set(excludedResources(stack).keys());
  if (!excluded.size) return [];
  const bodies = new Map<string, string>();
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) bodies.set(`${type}.${name}`, JSON.stringify(body));
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [address, body] of bodies) {
      if (excluded.has(address)) continue;
      if ([...excluded].some((e) => body.includes(`${e}.`) || body.includes(`"${e}"`))) {
        excluded.add(address);
        grew = true;
      }
    }
  }
  return resourceAddresses(stack).filter((a) => !excluded.has(a));
}

/**
 * The override file of a stack in a drill step: emulator endpoints and the
 * skip flags on every AWS provider block and on every `terraform_remote_state` (whose S3 calls
 * are made by Terraform, not the provider), and the profile's settings and ignored reads on the
 * matching resources. Region, default tags and `allowed_account_ids` are kept (override files
 * merge by argument).
 */
export function drillOverride(stack: StackJson, plan: EndpointPlan): Record<string, unknown> {
  const override: Record<string, unknown> = {};
  const aws = stack.provider?.aws ?? [];
  if (aws.length) {
    override.provider = {
      aws: aws.map((block) => {
        const endpoint = endpointFor(plan, String(block.region));
        return {
          ...(block.alias ? { alias: block.alias } : {}),
          skip_credentials_validation: true,
          skip_metadata_api_check: 'true',
          skip_region_validation: true,
          s3_use_path_style: true,
          endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, endpoint]))],
        };
      }),
    };
  }
  const remoteStates = stack.data?.terraform_remote_state ?? {};
  if (Object.keys(remoteStates).length) {
    override.data = {
      terraform_remote_state: Object.fromEntries(
        Object.entries(remoteStates).map(([name, body]) => {
          const config = body.config as Record<string, unknown>;
          return [name, { config: { ...config, ...backendSettings(endpointFor(plan, String(config.region))) } }];
        }),
      ),
    };
  }
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const values = Object.assign({}, ...SETTINGS.filter((m) => matches(m, type, body)).map((m) => m.values));
      const ignored = IGNORED_READS.filter((m) => matches(m, type, body)).flatMap((m) => m.attributes);
      if (!ignored.length && !Object.keys(values).length) continue;
      const entry: Record<string, unknown> = { ...values };
      if (ignored.length) {
        // An override's ignore_changes replaces the original's: keep the original's too.
        const own = ((body.lifecycle as { ignore_changes?: string[] } | undefined)?.ignore_changes ?? []) as string[];
        entry.lifecycle = { ignore_changes: [...new Set([...own, ...ignored])] };
      }
      (resources[type] ??= {})[name] = entry;
    }
  }
  if (Object.keys(resources).length) override.resource = resources;
  return override;
}

/**
 * Resources left out because they depend on an excluded one (Terraform would bring the
 * excluded one back as a dependency), per stack (their addresses).
 */
export function leftOutWithExcluded(stacks: Record<string, StackJson>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, stack] of Object.entries(stacks)) {
    const direct = new Set(excludedResources(stack).keys());
    if (!direct.size) continue;
    const targeted = new Set(drillTargets(stack));
    const dropped = resourceAddresses(stack).filter((a) => !direct.has(a) && !targeted.has(a));
    if (dropped.length) out[name] = dropped;
  }
  return out;
}

/** The profile as printed at the start of a drill. */
export function describeProfile(stacks: Record<string, StackJson> = {}): string {
  const leftOut = Object.entries(leftOutWithExcluded(stacks)).map(([stack, addresses]) => `  - ${stack}: ${addresses.join(', ')}`);
  const line = (m: ResourceMatch, what: string) =>
    `  - ${m.type}${m.containing ? ` (those mentioning ${m.containing})` : ''}: ${what}; ${m.reason}`;
  return [
    'Emulator profile (scripts/drill/profile.ts): what differs from a deploy to AWS, and why',
    ' excluded (every other resource is targeted):',
    ...EXCLUSIONS.map((m) => line(m, 'left out')),
    ...(leftOut.length ? [' left out with them (they depend on an excluded resource):', ...leftOut] : []),
    ' read back differently (ignore_changes):',
    ...IGNORED_READS.map((m) => line(m, m.attributes.join(', '))),
    ' set differently:',
    ...SETTINGS.map((m) => line(m, Object.entries(m.values).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', '))),
    ' done by the drill:',
    ...EMULATED_BY_THE_DRILL.map((text) => `  - ${text}`),
  ].join('\n');
}
