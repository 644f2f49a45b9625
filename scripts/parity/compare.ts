import { gunzipSync } from 'node:zlib';
import { sitePosture, type SitePosture } from '../../config/dr';
import type { EstateConfig } from '../../config/load';
import { expandJsonStrings } from '../dr/diff';
import { stackName, type StackKind } from '../../config/naming';
import type { StackJson } from '../dr/synthesize';

/*
 * Region parity: the primary and DR stacks of each kind, compared after normalizing what
 * differs by design: region names, CIDRs, AZ-slot and incarnation numbers in addresses, and
 * the DR posture (app sizes, Git server state, database role, replica wiring). Every other
 * difference is unexpected: the regions have drifted apart in code.
 */

/** One difference between the two regions' stacks. */
export interface ParityDifference {
  readonly kind: StackKind;
  /** Normalized address (`aws_subnet.network_public_#`), `provider`, `backend` or `outputs`. */
  readonly address: string;
  /** What differs: `count`, `presence` or an attribute path. */
  readonly what: string;
  readonly primary: string;
  readonly dr: string;
  /** Why it differs, for a difference by design; undefined for an unexpected one. */
  readonly reason?: string;
}

interface Normalized {
  readonly items: Map<string, { count: number; body: unknown }>;
}

const STACK_KINDS: readonly StackKind[] = ['bootstrap', 'regional', 'monitoring'];

/**
 * Differences the DR posture makes (config/dr.ts sitePosture): by design only when each region
 * holds exactly the value its posture says, as the report shows it.
 */
const BY_POSTURE: readonly [RegExp, string, (posture: SitePosture, key: string) => string][] = [
  [
    /^aws_autoscaling_group\.app_asg\.(min_size|desired_capacity)$/,
    'DR posture: app tier size',
    (p, key) => String(key.endsWith('min_size') ? p.app.min : p.app.desired),
  ],
  [/^aws_ec2_instance_state\.git_state\.state$/, 'DR posture: Git server running or stopped', (p) => JSON.stringify(p.gitServer)],
];

/** Differences by design: `<type>` or `<type>.<attribute path prefix>` -> reason. */
const BY_DESIGN: readonly [RegExp, string][] = [
  [/^provider\.aws\.0\.default_tags\.0\.tags\.DrRole$/, 'the DrRole tag names the site'],
  [
    /^aws_(launch_template|instance)\.\w+\.(tag_specifications\.\d+\.tags|root_block_device\.tags)\.DrRole$|^kubernetes_storage_class_v1\.\w+\.parameters\.tagSpecification_\d+$|^kubernetes_service_v1\.\w+\.metadata\.annotations\.service\.beta\.kubernetes\.io\/aws-load-balancer-additional-resource-tags$/,
    'the DrRole tag names the site (also on what is launched outside Terraform)',
  ],
  [
    /^aws_db_instance\.database_instance_#\.(replicate_source_db|engine|engine_version|username|db_name|allocated_storage|backup_retention_period|backup_window|maintenance_window|password_wo|password_wo_version|identifier|final_snapshot_identifier|tags\.Name|tags\.Incarnation|lifecycle\.precondition)$/,
    'database role: writer or replica of the other region',
  ],
  [/^aws_cloudwatch_metric_alarm\.alerts_replica_lag\.actions_enabled$/, 'database role: the replica-lag alarm notifies while the database is a replica'],
  [
    /^helm_release\.monitoring_release\.values\.0\.additionalPrometheusRulesMap\.estate-app-tier\.groups\.0\.rules\.\d+\.(expr|annotations\.summary)$/,
    'DR posture: the app servers the alert rules expect',
  ],
  [/^(aws_secretsmanager_secret|aws_secretsmanager_secret_version)\.database_credentials_.*|^output\.database_credentials_secret_name$/, 'one master secret, owned by the primary site and replicated to the DR site'],
  [/^data\.aws_db_instances\.database_instance_#_exists$/, 'promotion guard of a promoted database'],
  [/^(aws_iam_role|aws_iam_role_policy|aws_s3_bucket_replication_configuration)\.state_replication.*|^data\.aws_iam_policy_document\.state_replication_.*/, "the state buckets replicate into each other: the primary's from its bootstrap, the DR's from its regional stack (the DR bootstrap runs first)"],
  [/^output\.cross_stack_output_.*/, 'cross-stack outputs'],
  [/^aws_route53_record\.app_certificate_validation_record$|^aws_acm_certificate_validation\.app_certificate_validation\.validation_record_fqdns/, 'ACM gives both regions\' certificates one validation record: the primary site owns it'],
  [/^aws_route53_zone\.hosted_zone$|^output\.name_servers$/, 'the hosted zone is created once, in the DR bootstrap'],
  [
    /^(aws_iam_openid_connect_provider|aws_iam_role|aws_iam_role_policy|aws_iam_role_policy_attachment|aws_iam_policy)\.(ci_|workload_boundary_)|^data\.aws_iam_policy_document\.(ci_|workload_boundary_)|^output\.ci_/,
    'CI access and the permissions boundaries are account-wide IAM: created once, in the DR bootstrap',
  ],
];

/** Compares the primary and DR stacks of every kind. */
export function compareRegions(stacks: Record<string, StackJson>, config: EstateConfig): ParityDifference[] {
  const differences: ParityDifference[] = [];
  const regions = [config.primary.region, config.dr.region];
  for (const kind of STACK_KINDS) {
    const primary = normalize(stacks[stackName(kind, config.primary.region)], regions);
    const dr = normalize(stacks[stackName(kind, config.dr.region)], regions);
    const azRatio = config.primary.azCount / config.dr.azCount;
    for (const address of [...new Set([...primary.items.keys(), ...dr.items.keys()])].sort()) {
      const p = primary.items.get(address);
      const d = dr.items.get(address);
      if (!p || !d) {
        differences.push(classify(config, kind, address, 'presence', p ? 'present' : 'absent', d ? 'present' : 'absent'));
        continue;
      }
      if (p.count !== d.count) {
        const perAz = address.includes('_#') && p.count / d.count === azRatio;
        differences.push(
          perAz
            ? { kind, address, what: 'count', primary: String(p.count), dr: String(d.count), reason: `one per AZ slot (azCount ${config.primary.azCount} vs ${config.dr.azCount})` }
            : classify(config, kind, address, 'count', String(p.count), String(d.count)),
        );
      }
      for (const [path, a, b] of valueDifferences(p.body, d.body, '')) {
        differences.push(classify(config, kind, address, path, a, b));
      }
    }
  }
  return differences;
}

function classify(config: EstateConfig, kind: StackKind, address: string, what: string, primary: string, dr: string): ParityDifference {
  const key = what === 'presence' || what === 'count' ? address : `${address}.${what}`;
  const posture = BY_POSTURE.find(([pattern]) => pattern.test(key));
  if (posture) {
    const [, reason, expected] = posture;
    const asPosture = primary === expected(sitePosture(config, config.primary), key) && dr === expected(sitePosture(config, config.dr), key);
    return { kind, address, what, primary, dr, reason: asPosture ? reason : undefined };
  }
  const reason = BY_DESIGN.find(([pattern]) => pattern.test(key) || pattern.test(address))?.[1];
  return { kind, address, what, primary, dr, reason };
}

function normalize(stack: StackJson | undefined, regions: readonly string[]): Normalized {
  const items = new Map<string, { count: number; body: unknown }>();
  const add = (key: string, body: unknown) => {
    const existing = items.get(key);
    items.set(key, { count: (existing?.count ?? 0) + 1, body: existing?.body ?? normalizeValue(body, regions) });
  };
  for (const [type, byName] of Object.entries(stack?.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) add(`${type}.${normalizeAddress(name)}`, stripMetadata(body));
  }
  for (const [type, byName] of Object.entries(stack?.data ?? {})) {
    for (const [name, body] of Object.entries(byName)) add(`data.${type}.${normalizeAddress(name)}`, stripMetadata(body));
  }
  const terraform = (stack?.terraform ?? {}) as Record<string, unknown>;
  add('backend', terraform.backend);
  add('provider', stack?.provider);
  for (const name of Object.keys((stack?.output ?? {}) as object)) add(`output.${normalizeAddress(name)}`, {});
  return { items };
}

/** `network_public_2` -> `network_public_#`: AZ slots and incarnations differ by design. */
function normalizeAddress(name: string): string {
  return name.replace(/_\d+(?=_|$)/g, '_#');
}

function stripMetadata(body: Record<string, unknown>): Record<string, unknown> {
  const { '//': _metadata, ...rest } = body;
  return rest;
}

function normalizeValue(value: unknown, regions: readonly string[]): unknown {
  if (typeof value === 'string' && value.startsWith('{"')) {
    // A JSON document in a string (Helm values): compared value by value, not as one string.
    const expanded = expandJsonStrings(value);
    if (typeof expanded !== 'string') return normalizeValue(expanded, regions);
  }
  if (typeof value === 'string') {
    let s = value;
    for (const region of regions) {
      s = s.split(region).join('<region>').split(region.replace(/-/g, '_')).join('<region>');
    }
    // Database incarnations differ by design (`...-db-1` here, `...-db-2` there), in names too.
    return s
      .replace(/\b\d{1,3}(\.\d{1,3}){3}\/\d{1,2}\b/g, '<cidr>')
      .replace(/_\d+(?=[._}\]"]|$)/g, '_#')
      .replace(/-db-\d+\b/g, '-db-#');
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => normalizeValue(v, regions));
    // A list of references to per-AZ resources is the same list whatever the AZ count.
    return items.every((i) => typeof i === 'string') ? [...new Set(items as string[])].sort() : items;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, normalizeValue(k === 'user_data' || k === 'user_data_base64' ? decodedScript(v) : v, regions)]),
    );
  }
  return value;
}

/** A base64 boot script (gzip-compressed or not), decoded so the regions inside it are compared like any other text. */
function decodedScript(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(value)) return value;
  const bytes = Buffer.from(value, 'base64');
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.startsWith('#!') ? text : value;
}

function valueDifferences(a: unknown, b: unknown, path: string): [string, string, string][] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .sort()
      .flatMap((k) => valueDifferences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => valueDifferences(item, b[i], `${path}.${i}`));
  }
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa === sb ? [] : [[path || '(value)', shorten(sa), shorten(sb)]];
}

function shorten(text: string | undefined): string {
  if (text === undefined) return 'absent';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Report lines, unexpected differences first. */
export function parityReport(differences: readonly ParityDifference[]): string {
  const unexpected = differences.filter((d) => !d.reason);
  const expected = differences.filter((d) => d.reason);
  const line = (d: ParityDifference) =>
    `${d.kind.padEnd(10)} ${d.address}${d.what === 'presence' || d.what === 'count' ? ` (${d.what})` : `: ${d.what}`}: ${d.primary} vs ${d.dr}`;
  return [
    ...unexpected.map((d) => `UNEXPECTED ${line(d)}`),
    ...expected.map((d) => `expected   ${line(d)}  [${d.reason}]`),
    `parity: ${unexpected.length} unexpected difference(s), ${expected.length} by design (primary vs DR)`,
  ].join('\n');
}
