import type { core } from 'zod';
import { drHistoryProblems } from './dr';
import { defaultBucketPrefix, estateConfigSchema, type EstateConfigInput } from './schema';
import type { AwsRegion, LogRetentionDays } from './regions';

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
  /** Times a recovered site has been rebuilt as the standby (see `config/dr.ts`). */
  readonly reprotects: number;
  /**
   * Failovers plus failbacks so far (see `config/dr.ts`); with `DR_ACTIVE_REGION` naming the
   * other region, one more than the committed value (the switch not yet committed).
   */
  readonly switches: number;
  /** Figures the DR plan's RTO/RPO budget is computed from. */
  readonly drPlan: DrPlanConfig;
  /** The AWS account the estate is deployed in: part of every bucket name. */
  readonly accountId: string;
  /** AWS accounts the providers may act in (by default the estate's account). */
  readonly allowedAccountIds: readonly string[];
  /** Route 53 settings. */
  readonly dns: {
    /** The hosted zone's domain. */
    readonly zoneName: string;
    /** Create the zone instead of looking it up. */
    readonly createZone: boolean;
    /** Label of the app's name in the zone (`app` gives `app.<zone>`). */
    readonly appRecordName: string;
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
  /** The EC2 app tier behind the load balancer. */
  readonly appTier: AppTierConfig;
  /** The RDS database. */
  readonly database: DatabaseConfig;
  /** The self-hosted Git server. */
  readonly gitServer: GitServerConfig;
  /** The EKS cluster of each region. */
  readonly eks: EksConfig;
  /** Prometheus and Grafana on each cluster. */
  readonly monitoring: MonitoringConfig;
  /** The regions' access log buckets. */
  readonly logging: {
    /** Days S3 server access logs and load balancer access logs are kept. */
    readonly accessLogRetentionDays: number;
  };
  /** Extra tags on every resource, merged under the estate's own tags. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The EKS cluster, the same in both regions. */
export interface EksConfig {
  /** Kubernetes version (1.35 or newer). */
  readonly kubernetesVersion: string;
  /** Instance type of the managed nodes. */
  readonly nodeInstanceType: string;
  /** Desired and minimum node count. */
  readonly nodeCount: number;
  /** Maximum node count. */
  readonly nodeMaxCount: number;
  /** Networks allowed to the public API endpoint; empty keeps the endpoint private only. */
  readonly publicAccessCidrs: readonly string[];
  /** IAM roles given cluster-admin access entries. */
  readonly adminRoleArns: readonly string[];
  /** Retention of the control-plane log group. */
  readonly controlPlaneLogRetentionDays: LogRetentionDays;
  /** Pinned add-on versions; an unset one is the cluster version's default. */
  readonly addonVersions: {
    readonly vpcCni?: string;
    readonly coredns?: string;
    readonly kubeProxy?: string;
    readonly podIdentityAgent?: string;
    readonly ebsCsiDriver?: string;
  };
}

/** kube-prometheus-stack on each cluster. */
export interface MonitoringConfig {
  /** Pinned chart version. */
  readonly chartVersion: string;
  /** Days Prometheus keeps samples. */
  readonly prometheusRetentionDays: number;
  /** Size of Prometheus' gp3 volume. */
  readonly prometheusStorageGb: number;
  /** Label of Grafana's name in the zone (`grafana` gives `grafana.<zone>`). */
  readonly grafanaRecordName: string;
  /** Grafana's load balancer: inside the VPC only, or internet-facing for the allowed networks. */
  readonly grafanaExposure: 'internal' | 'internet';
  /** Networks allowed to Grafana's load balancer. */
  readonly grafanaAllowedCidrs: readonly string[];
  /** Email addresses subscribed to each region's alert topic. */
  readonly alertEmails: readonly string[];
  /** Replica lag past which the database replica alarm fires (the database RPO's budget). */
  readonly replicaLagAlarmSeconds: number;
}

/** Figures of the DR plan: DNS health checks, and the estimates behind the RTO/RPO budget. */
export interface DrPlanConfig {
  /** Route 53 health check interval (10 or 30). */
  readonly healthCheckIntervalSeconds: 10 | 30;
  /** Failed checks before Route 53 fails a region over. */
  readonly healthCheckFailureThreshold: number;
  /** TTL of the monitoring record (alias records for the app follow the load balancer's). */
  readonly dnsTtlSeconds: number;
  /** Time for a new app server to boot and pass its health check. */
  readonly instanceWarmupSeconds: number;
  /** Estimate of an RDS cross-region replica promotion. */
  readonly databasePromotionMinutes: number;
  /** Replica lag expected in normal operation (the database RPO). */
  readonly expectedReplicaLagSeconds: number;
}

/** The app tier, the same in both regions; only the posture picks the sizes. */
export interface AppTierConfig {
  /** EC2 instance type of the app servers. */
  readonly instanceType: string;
  /** Auto Scaling minimum in the active region. */
  readonly minSize: number;
  /** Auto Scaling desired count in the active region. */
  readonly desiredCapacity: number;
  /** Auto Scaling maximum in both regions. */
  readonly maxSize: number;
  /** Desired (and minimum) count in the passive region: 0 is pilot light, more is warm standby. */
  readonly passiveDesiredCapacity: number;
  /** Port the app listens on behind the load balancer. */
  readonly appPort: number;
  /** Path the load balancer's health check requests. */
  readonly healthCheckPath: string;
  /** HTTPS with an ACM certificate for `app.<zone>`, HTTP redirecting to it; false: plain HTTP. */
  readonly https: boolean;
  /** Load balancer deletion protection. */
  readonly deletionProtection: boolean;
}

/** The database, primary in one region and a cross-region replica in the other. */
export interface DatabaseConfig {
  /** RDS engine. */
  readonly engine: 'postgres' | 'mysql';
  /** Engine version (major, or major.minor). */
  readonly engineVersion: string;
  /** Instance class of every node. */
  readonly instanceClass: string;
  /** Initial storage. */
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling. */
  readonly maxAllocatedStorageGb: number;
  /** Automated backup retention. */
  readonly backupRetentionDays: number;
  /** Name of the database created on the primary. */
  readonly databaseName: string;
  /** Master user; its password is in the estate's replicated Secrets Manager secret. */
  readonly masterUsername: string;
  /** Version of the master password the writer is set to; raise it after rotating the secret. */
  readonly masterPasswordVersion: number;
}

/** The Git server: running in the active region, a stopped mirror in the passive one. */
export interface GitServerConfig {
  /** EC2 instance type. */
  readonly instanceType: string;
  /** Size of the encrypted repository volume. */
  readonly dataVolumeSizeGb: number;
  /** Gitea release installed (its signature is verified at install). */
  readonly giteaVersion: string;
  /** Minutes between two backups of the repositories to the region's backup bucket. */
  readonly backupIntervalMinutes: number;
  /** Days a superseded backup is kept in the backup bucket. */
  readonly backupVersionRetentionDays: number;
  /** Backup bucket of a region is `<backupBucketNamePrefix>-<region>`. */
  readonly backupBucketNamePrefix: string;
  /** Networks allowed to reach Gitea's web port directly (besides SSM port forwarding). */
  readonly allowedCidrs: readonly string[];
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
    project: c.project,
    environment: c.environment,
    primary: site('primary', c.primary),
    dr: site('dr', c.dr),
    activeRegion,
    activeRegionFromEnvironment: !!override,
    reprotects: c.reprotects,
    switches,
    drPlan: c.drPlan,
    accountId: c.accountId,
    allowedAccountIds: c.allowedAccountIds ?? [c.accountId],
    dns: c.dns,
    logging: c.logging,
    network: { ...c.network, flowLogRetentionDays: c.network.flowLogRetentionDays as LogRetentionDays },
    stateBackend: {
      ...c.stateBackend,
      bucketNamePrefix: c.stateBackend.bucketNamePrefix ?? defaultBucketPrefix(`${c.project}-${c.environment}`, 'tfstate', c.accountId),
      lockTableName: c.stateBackend.lockTableName ?? `${c.project}-${c.environment}-tflock`,
    },
    appTier: {
      ...c.appTier,
      deletionProtection: c.appTier.deletionProtection ?? c.environment === 'prod',
    },
    database: {
      ...c.database,
      engineVersion: c.database.engineVersion ?? DEFAULT_ENGINE_VERSIONS[c.database.engine],
    },
    gitServer: {
      ...c.gitServer,
      backupBucketNamePrefix: c.gitServer.backupBucketNamePrefix ?? defaultBucketPrefix(`${c.project}-${c.environment}`, 'git-backup', c.accountId),
    },
    eks: {
      ...c.eks,
      controlPlaneLogRetentionDays: c.eks.controlPlaneLogRetentionDays as LogRetentionDays,
    },
    monitoring: c.monitoring,
    tags: c.tags,
  };
}

/** Engine versions used when `database.engineVersion` is left out. */
export const DEFAULT_ENGINE_VERSIONS: Readonly<Record<DatabaseConfig['engine'], string>> = {
  postgres: '16',
  mysql: '8.0',
};

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
