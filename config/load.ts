import type { core } from 'zod';
import { estateConfigSchema, type EstateConfigInput } from './schema';
import type { AwsRegion, LogRetentionDays } from './regions';

/** Which of the two sites a region is, by design. Never changes on failover. */
export type SiteRole = 'primary' | 'dr';

/** What a region is doing right now, from `activeRegion`. */
export type Posture = 'active' | 'passive';

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
  /** `active` when this region serves traffic, `passive` otherwise. */
  readonly posture: Posture;
}

/** The validated estate config every stack and construct is built from. */
export interface EstateConfig {
  /** Project name: first part of every resource name and the `Project` tag. */
  readonly project: string;
  /** Environment name (`prod`, `staging`, ...): second part of resource names. */
  readonly environment: string;
  /** The primary site. */
  readonly primary: SiteConfig;
  /** The DR site. */
  readonly dr: SiteConfig;
  /** The region serving traffic: the DR switch. */
  readonly activeRegion: AwsRegion;
  /** True when `activeRegion` came from the `DR_ACTIVE_REGION` environment variable. */
  readonly activeRegionFromEnvironment: boolean;
  /** AWS accounts the providers may act in; empty means not guarded. */
  readonly allowedAccountIds: readonly string[];
  /** Route 53 settings. */
  readonly dns: {
    /** The hosted zone's domain. */
    readonly zoneName: string;
    /** Create the zone instead of looking it up. */
    readonly createZone: boolean;
  };
  /** Network settings shared by both regions. */
  readonly network: {
    /** A NAT gateway per AZ, or one for the whole VPC. */
    readonly natGateways: 'one-per-az' | 'single';
    /** Retention of the VPC flow log group. */
    readonly flowLogRetentionDays: LogRetentionDays;
  };
  /** Terraform state storage. */
  readonly stateBackend: {
    /** State bucket of a region is `<bucketNamePrefix>-<region>`. */
    readonly bucketNamePrefix: string;
    /** DynamoDB lock table name, the same in each region. */
    readonly lockTableName: string;
    /** Lock state with the DynamoDB table (`dynamodb_table`). */
    readonly dynamodbLocking: boolean;
    /** Lock state with an S3 lock file (`use_lockfile`, Terraform 1.10+). */
    readonly s3Lockfile: boolean;
    /** Keep the bootstrap stacks' own state in their bucket instead of a local file. */
    readonly bootstrapStateInS3: boolean;
    /** Days old state versions are kept. */
    readonly noncurrentVersionRetentionDays: number;
  };
  /** Extra tags on every resource, merged under the estate's own tags. */
  readonly tags: Readonly<Record<string, string>>;
}

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
  const activeRegion = c.activeRegion ?? c.primary.region;
  const site = (role: SiteRole, s: typeof c.primary): SiteConfig => ({
    role,
    region: s.region,
    vpcCidr: s.vpcCidr,
    azCount: s.azCount,
    posture: s.region === activeRegion ? 'active' : 'passive',
  });
  return {
    project: c.project,
    environment: c.environment,
    primary: site('primary', c.primary),
    dr: site('dr', c.dr),
    activeRegion,
    activeRegionFromEnvironment: !!override,
    allowedAccountIds: c.allowedAccountIds,
    dns: c.dns,
    network: { ...c.network, flowLogRetentionDays: c.network.flowLogRetentionDays as LogRetentionDays },
    stateBackend: {
      ...c.stateBackend,
      bucketNamePrefix: c.stateBackend.bucketNamePrefix ?? `${c.project}-${c.environment}-tfstate`,
      lockTableName: c.stateBackend.lockTableName ?? `${c.project}-${c.environment}-tflock`,
    },
    tags: c.tags,
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
