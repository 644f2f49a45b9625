import type { core } from 'zod';
import { drHistoryProblems } from './dr';
import { estateConfigSchema, type EstateConfigInput, type ResolvedFields } from './schema';
import type { AwsRegion } from './regions';

/** Which of the two sites a region is, by design. Never changes on failover. */
export type SiteRole = 'primary' | 'dr';

/** One region of the estate, fully resolved. */
export interface SiteConfig {
  /** `primary` (us-east-2 by default) or `dr` (us-west-1 by default). */
  readonly role: SiteRole;
  /** AWS region of the site. */
  readonly region: AwsRegion;
  /** VPC CIDR; subnets are computed from it. */
  readonly vpcCidr: string;
  /** AZs the network spans, taken in order from the region's available AZs. */
  readonly azCount: number;
}

/** A value and everything in it, read-only. */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The validated estate config every stack and construct is built from: the schema's output
 * (./schema: every field with its default, as the configuration reference in docs/configuration.md
 * lists them), with each site given its role and the DR switch resolved.
 */
export type EstateConfig = DeepReadonly<Omit<ResolvedFields, 'primary' | 'dr' | 'activeRegion' | 'switches'>> & {
  /** The primary site. */
  readonly primary: SiteConfig;
  /** The DR site. */
  readonly dr: SiteConfig;
  /** The region serving traffic: the DR switch. */
  readonly activeRegion: AwsRegion;
  /** True when `activeRegion` came from the `DR_ACTIVE_REGION` environment variable. */
  readonly activeRegionFromEnvironment: boolean;
  /**
   * Failovers plus failbacks so far (see `config/dr.ts`); with `DR_ACTIVE_REGION` naming the
   * other region, one more than the committed value (the switch not yet committed).
   */
  readonly switches: number;
};

/** Options that come from outside the committed config. */
export interface ResolveOptions {
  /**
   * Overrides `activeRegion` (the value of `DR_ACTIVE_REGION`): the emergency path when the
   * Git server holding the config is itself down. Empty or blank means unset.
   * @default - the committed `activeRegion`
   */
  readonly activeRegionOverride?: string;
}

/** A config that cannot be built. Its message is one sentence per problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const OVERRIDE_LABEL = 'DR_ACTIVE_REGION (which overrides activeRegion)';

/**
 * Validates a config and fills in its defaults.
 * @throws ConfigError naming each bad field, the value received and what is allowed
 */
export function resolveConfig(input: unknown, options: ResolveOptions = {}): EstateConfig {
  const override = options.activeRegionOverride?.trim();
  const withOverride =
    override && isRecord(input) ? { ...input, activeRegion: override } : input;
  const result = estateConfigSchema.safeParse(withOverride, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => formatIssue(issue, override ? OVERRIDE_LABEL : undefined)),
    );
  }
  const c = result.data;
  // activeRegionIsASite admitted only the primary's or the DR site's region.
  const activeRegion = (c.activeRegion ?? c.primary.region) as AwsRegion;
  // An override naming the other region is a switch not yet committed: one more than committed.
  const committed = isRecord(input) ? input.activeRegion : undefined;
  const committedActive = typeof committed === 'string' ? committed : c.primary.region;
  const switches = c.switches + (override && override !== committedActive ? 1 : 0);
  const history = drHistoryProblems({
    primaryRegion: c.primary.region,
    drRegion: c.dr.region,
    activeRegion,
    switches,
    reprotects: c.reprotects,
    activeRegionLabel: override ? OVERRIDE_LABEL : 'activeRegion',
  });
  if (history.length) throw new ConfigError(history);
  const site = (role: SiteRole, s: typeof c.primary): SiteConfig => ({
    role,
    region: s.region,
    vpcCidr: s.vpcCidr,
    azCount: s.azCount,
  });
  return {
    ...c,
    primary: site('primary', c.primary),
    dr: site('dr', c.dr),
    activeRegion,
    activeRegionFromEnvironment: !!override,
    switches,
  };
}

/** Both sites, primary first. */
export function sitesOf(config: EstateConfig): readonly [SiteConfig, SiteConfig] {
  return [config.primary, config.dr];
}

/** `<field> is <value>, expected <what is allowed>.` */
export function formatIssue(issue: core.$ZodIssue, activeRegionLabel?: string): string {
  let field = issue.path.map(String).join('.');
  if (activeRegionLabel && field === 'activeRegion') field = activeRegionLabel;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${field || 'The config'} has the unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}, expected ${issue.message}.`;
  }
  const value = 'input' in issue && issue.input !== undefined ? describe(issue.input) : undefined;
  const subject = field || 'The config';
  return value === undefined
    ? `${subject} is missing, expected ${issue.message}.`
    : `${subject} is ${value}, expected ${issue.message}.`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value) || isRecord(value)) {
    const json = JSON.stringify(value);
    return json.length > 60 ? `${json.slice(0, 57)}...` : json;
  }
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type { EstateConfigInput };
