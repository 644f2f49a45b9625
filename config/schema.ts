import { z } from 'zod';
import { closestName, EC2_INSTANCE_TYPES, RDS_INSTANCE_CLASSES } from './ec2-instance-types';
import { cidrContains, cidrsOverlap, isAdmittedNetwork, parseCidr, WIDEST_ADMITTED_PREFIX } from './cidr';
import { AWS_REGIONS, LOG_RETENTION_DAYS, MAX_AZ_COUNT, MIN_AZ_COUNT } from './regions';
import { MAX_VPC_PREFIX_LENGTH, MIN_VPC_PREFIX_LENGTH } from './subnet-layout';

/*
 * One schema for the whole estate. Every `error` text below is the "expected ..." half of
 * the sentence a user sees (see `formatIssue` in ./load.ts): the field and the value are
 * added there, so each message only says what is allowed.
 */

/** A strict object: an unknown (for example misspelt) field is an error that lists the allowed ones. */
function strictObject<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `only the fields ${Object.keys(shape).join(', ')}`
        : 'an object',
  });
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/;
const nameSchema = (what: string) =>
  z.string({ error: `${what}: 2 to 20 lowercase letters, digits or hyphens` }).regex(NAME_PATTERN, {
    error: `${what}: 2 to 20 lowercase letters, digits or hyphens, starting with a letter`,
  });

const regionSchema = z.enum(AWS_REGIONS, {
  error: `one of the AWS commercial regions (${AWS_REGIONS.join(', ')})`,
});

/** RFC 1918 private ranges plus the shared address space AWS also accepts for VPCs. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

const vpcCidrSchema = z
  .string({ error: 'an IPv4 CIDR block such as "10.20.0.0/16"' })
  .refine((value) => parseCidr(value) !== undefined, {
    error: 'an IPv4 CIDR block with no host bits set, such as "10.20.0.0/16"',
  })
  .refine(
    (value) => {
      const parsed = parseCidr(value);
      return (
        !parsed ||
        (parsed.prefixLength >= MIN_VPC_PREFIX_LENGTH && parsed.prefixLength <= MAX_VPC_PREFIX_LENGTH)
      );
    },
    {
      error: `a prefix length from /${MIN_VPC_PREFIX_LENGTH} to /${MAX_VPC_PREFIX_LENGTH} (the subnet layout needs 6 more bits and AWS subnets stop at /28)`,
    },
  )
  .refine(
    // zod runs every refinement; only a parsable block is checked against the ranges.
    (value) => !parseCidr(value) || PRIVATE_RANGES.some((range) => cidrContains(range, value)),
    { error: `a block inside a private range (${PRIVATE_RANGES.join(', ')})` },
  );

const azCountSchema = z
  .int({ error: `a whole number of AZs from ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT}` })
  .min(MIN_AZ_COUNT, {
    error: `at least ${MIN_AZ_COUNT} AZs (the app tier, database and EKS need a second AZ)`,
  })
  .max(MAX_AZ_COUNT, {
    error: `at most ${MAX_AZ_COUNT} AZs (the subnet layout reserves ${MAX_AZ_COUNT} AZ slots)`,
  });

/** Per-site facts: only what must differ between the two regions lives here. */
function siteSchema(defaults: { region: string; vpcCidr: string; azCount: number }) {
  return strictObject({
    region: regionSchema.default(defaults.region as (typeof AWS_REGIONS)[number]),
    vpcCidr: vpcCidrSchema.default(defaults.vpcCidr),
    azCount: azCountSchema.default(defaults.azCount),
  }).prefault({});
}

const DOMAIN_PATTERN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An AWS account id: 12 digits. */
const ACCOUNT_ID = /^\d{12}$/;

const accountIdSchema = z
  .string({ error: 'a 12-digit AWS account id as a string' })
  .regex(ACCOUNT_ID, { error: 'a 12-digit AWS account id as a string' });

const retentionSchema = z
  .number({ error: `one of ${LOG_RETENTION_DAYS.join(', ')} (days CloudWatch Logs accepts)` })
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    error: `one of ${LOG_RETENTION_DAYS.join(', ')} (days CloudWatch Logs accepts)`,
  });

/** `<project>-<environment>` longest length: `<base>-<region>-<purpose>` IAM names then fit 64. */
export const MAX_BASE_NAME_LENGTH = 24;

const S3_BUCKET_PREFIX = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

const instanceTypeSchema = (fallback: string) =>
  z
    .string({ error: 'an EC2 instance type such as "t3.micro"' })
    .refine((t) => EC2_INSTANCE_TYPES.has(t), {
      error: (issue) => `an EC2 instance type such as "t3.micro" (did you mean "${closestName(String(issue.input), EC2_INSTANCE_TYPES)}"?)`,
    })
    .default(fallback);

const countSchema = (what: string, min: number, max: number) =>
  z
    .int({ error: `a whole number of ${what} from ${min} to ${max}` })
    .min(min, { error: `a whole number of ${what} from ${min} to ${max}` })
    .max(max, { error: `a whole number of ${what} from ${min} to ${max}` });

const appTierSchema = strictObject({
  instanceType: instanceTypeSchema('t3.micro'),
  minSize: countSchema('instances', 1, 100).default(2),
  desiredCapacity: countSchema('instances', 1, 100).default(3),
  maxSize: countSchema('instances', 1, 100).default(3),
  passiveDesiredCapacity: countSchema('instances', 0, 100).default(0),
  appPort: countSchema('a port', 1024, 65535).default(8080),
  healthCheckPath: z
    .string({ error: 'an absolute URL path such as "/healthz"' })
    .regex(/^\/[A-Za-z0-9._~\/-]*$/, { error: 'an absolute URL path such as "/healthz"' })
    .default('/healthz'),
  https: z.boolean({ error: 'true or false' }).default(true),
  deletionProtection: z.boolean({ error: 'true or false' }).optional(),
}).prefault({});

const DB_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const databaseSchema = strictObject({
  engine: z.enum(['postgres', 'mysql'], { error: 'one of postgres, mysql' }).default('postgres'),
  engineVersion: z
    .string({ error: 'a major or major.minor engine version such as "16" or "8.0"' })
    .regex(/^\d+(\.\d+){0,2}$/, { error: 'a major or major.minor engine version such as "16" or "8.0"' })
    .optional(),
  instanceClass: z
    .string({ error: 'an RDS instance class such as "db.t3.small"' })
    .regex(DB_CLASS, { error: 'an RDS instance class such as "db.t3.small"' })
    .refine((c) => !c.startsWith('db.t2.'), {
      error: 'a current instance class such as "db.t3.small" (RDS no longer creates db.t2 instances for MySQL or PostgreSQL)',
    })
    .refine((c) => c.startsWith('db.t2.') || RDS_INSTANCE_CLASSES.has(c), {
      error: (issue) => `an RDS instance class such as "db.t3.small" (did you mean "${closestName(String(issue.input), RDS_INSTANCE_CLASSES)}"?)`,
    })
    .default('db.t3.small'),
  allocatedStorageGb: countSchema('GiB', 20, 65536).default(20),
  maxAllocatedStorageGb: countSchema('GiB', 20, 65536).default(100),
  backupRetentionDays: countSchema('days', 7, 35).default(7),
  databaseName: z
    .string({ error: 'a database name: a letter, then letters, digits or underscores (at most 63)' })
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, {
      error: 'a database name: a letter, then letters, digits or underscores (at most 63)',
    })
    .default('app'),
  masterUsername: z
    .string({ error: 'a user name: a letter, then letters, digits or underscores (at most 16)' })
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, {
      error: 'a user name: a letter, then letters, digits or underscores (at most 16)',
    })
    .refine((u) => !['admin', 'postgres', 'rdsadmin', 'root'].includes(u.toLowerCase()), {
      error: 'a user name other than the reserved admin, postgres, rdsadmin and root',
    })
    .default('estate_admin'),
  masterPasswordVersion: z
    .int({ error: 'a whole number of at least 1 (raise it to set the password from the secret again)' })
    .min(1, { error: 'a whole number of at least 1 (raise it to set the password from the secret again)' })
    .default(1),
}).prefault({});

/** A network that may reach an endpoint: never a block wider than /8 (so never the world). */
const restrictedCidrSchema = (what: string) =>
  z
    .string({ error: 'an IPv4 CIDR block' })
    .refine((c) => parseCidr(c) !== undefined, { error: 'an IPv4 CIDR block with no host bits set' })
    .refine((c) => parseCidr(c) === undefined || isAdmittedNetwork(c), {
      error: `a network of /${WIDEST_ADMITTED_PREFIX} or smaller (${what} is never open to the world)`,
    });

const gitServerSchema = strictObject({
  instanceType: instanceTypeSchema('t3.small'),
  dataVolumeSizeGb: countSchema('GiB', 8, 16384).default(50),
  giteaVersion: z
    .string({ error: 'a Gitea release version such as "1.24.6"' })
    .regex(/^\d+\.\d+\.\d+$/, { error: 'a Gitea release version such as "1.24.6"' })
    .default('1.24.6'),
  backupIntervalMinutes: countSchema('minutes', 5, 1440).default(15),
  backupVersionRetentionDays: countSchema('days', 1, 3650).default(7),
  backupBucketNamePrefix: z
    .string({ error: 'lowercase letters, digits and hyphens' })
    .regex(S3_BUCKET_PREFIX, {
      error: 'lowercase letters, digits and hyphens, not starting or ending with a hyphen',
    })
    .optional(),
  allowedCidrs: z
    .array(restrictedCidrSchema('the Git server'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]),
}).prefault({});

const optionalVersion = z
  .string({ error: 'an EKS add-on version such as "v1.19.2-eksbuild.1"' })
  .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, { error: 'an EKS add-on version such as "v1.19.2-eksbuild.1"' })
  .optional();

const eksSchema = strictObject({
  kubernetesVersion: z
    .string({ error: 'a Kubernetes version in AWS standard support, 1.35 or newer, such as "1.35"' })
    .regex(/^1\.\d+$/, { error: 'a Kubernetes version in AWS standard support, 1.35 or newer, such as "1.35"' })
    .refine((v) => Number(v.split('.')[1]) >= 35, {
      error: 'a Kubernetes version in AWS standard support, 1.35 or newer, such as "1.35"',
    })
    .default('1.35'),
  nodeInstanceType: instanceTypeSchema('t3.medium'),
  nodeCount: countSchema('nodes', 2, 100).default(2),
  nodeMaxCount: countSchema('nodes', 2, 100).default(3),
  publicAccessCidrs: z
    .array(restrictedCidrSchema('the Kubernetes API'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]),
  adminRoleArns: z
    .array(
      z
        .string({ error: 'an IAM role ARN such as "arn:aws:iam::111122223333:role/estate-admin"' })
        .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@\/-]+$/, {
          error: 'an IAM role ARN such as "arn:aws:iam::111122223333:role/estate-admin"',
        }),
      { error: 'a list of IAM role ARNs' },
    )
    .min(1, {
      error: 'at least one IAM role ARN given cluster-admin access (the clusters do not trust whoever created them)',
    }),
  controlPlaneLogRetentionDays: retentionSchema.default(365),
  addonVersions: strictObject({
    vpcCni: optionalVersion,
    coredns: optionalVersion,
    kubeProxy: optionalVersion,
    podIdentityAgent: optionalVersion,
    ebsCsiDriver: optionalVersion,
  }).prefault({}),
});

const monitoringSchema = strictObject({
  chartVersion: z
    .string({ error: 'a kube-prometheus-stack chart version such as "79.7.1"' })
    .regex(/^\d+\.\d+\.\d+$/, { error: 'a kube-prometheus-stack chart version such as "79.7.1"' })
    .default('79.7.1'),
  prometheusRetentionDays: countSchema('days', 1, 365).default(15),
  prometheusStorageGb: countSchema('GiB', 10, 16384).default(50),
  grafanaRecordName: z
    .string({ error: 'a single DNS label such as "grafana"' })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'a single DNS label such as "grafana"' })
    .default('grafana'),
  grafanaExposure: z
    .enum(['internal', 'internet'], { error: 'one of internal, internet' })
    .default('internal'),
  grafanaAllowedCidrs: z
    .array(restrictedCidrSchema('Grafana'), { error: 'a list of IPv4 CIDR blocks' })
    .default([]),
  alertEmails: z
    .array(z.email({ error: 'email addresses' }), { error: 'a list of email addresses' })
    .default([]),
  replicaLagAlarmSeconds: countSchema('seconds', 1, 86400).default(300),
}).prefault({});

/** The estate config schema. `z.input` of it is what `config/estate.ts` is written in. */
export const estateConfigSchema = strictObject({
  project: nameSchema('a project name').default('dr-estate'),
  environment: nameSchema('an environment name').default('prod'),
  primary: siteSchema({ region: 'us-east-2', vpcCidr: '10.20.0.0/16', azCount: 3 }),
  dr: siteSchema({ region: 'us-west-1', vpcCidr: '10.30.0.0/16', azCount: 2 }),
  activeRegion: regionSchema.optional(),
  reprotects: z
    .int({ error: 'a whole number of reprotects, 0 or more' })
    .min(0, { error: 'a whole number of reprotects, 0 or more' })
    .default(0),
  switches: z
    .int({ error: 'a whole number of switches, 0 or more' })
    .min(0, { error: 'a whole number of switches, 0 or more' })
    .default(0),
  drPlan: strictObject({
    healthCheckIntervalSeconds: z
      .union([z.literal(10), z.literal(30)], { error: '10 or 30 (the intervals Route 53 health checks offer)' })
      .default(30),
    healthCheckFailureThreshold: countSchema('failed checks', 1, 10).default(3),
    dnsTtlSeconds: countSchema('seconds', 5, 3600).default(60),
    instanceWarmupSeconds: countSchema('seconds', 0, 3600).default(300),
    databasePromotionMinutes: countSchema('minutes', 1, 120).default(10),
    expectedReplicaLagSeconds: countSchema('seconds', 0, 3600).default(5),
  }).prefault({}),
  accountId: z
    .string({ error: "the estate's 12-digit AWS account id as a string (it makes the bucket names, which are global, unique)" })
    .regex(ACCOUNT_ID, { error: "the estate's 12-digit AWS account id as a string (it makes the bucket names, which are global, unique)" }),
  allowedAccountIds: z
    .array(accountIdSchema, { error: 'a list of 12-digit AWS account ids' })
    .optional(),
  dns: strictObject({
    zoneName: z
      .string({ error: 'the Route 53 domain of the estate, such as "estate.example.org"' })
      .regex(DOMAIN_PATTERN, {
        error: 'a lowercase DNS domain name with at least two labels, such as "estate.example.org"',
      }),
    createZone: z.boolean({ error: 'true or false' }).default(false),
    appRecordName: z
      .string({ error: 'a single DNS label such as "app"' })
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'a single DNS label such as "app"' })
      .default('app'),
  }),
  network: strictObject({
    natGateways: z
      .enum(['one-per-az', 'single'], { error: 'one of one-per-az, single' })
      .default('one-per-az'),
    flowLogRetentionDays: retentionSchema.default(365),
  }).prefault({}),
  logging: strictObject({
    accessLogRetentionDays: countSchema('days', 1, 3650).default(365),
  }).prefault({}),
  stateBackend: strictObject({
    bucketNamePrefix: z
      .string({ error: 'lowercase letters, digits and hyphens' })
      .regex(S3_BUCKET_PREFIX, {
        error: 'lowercase letters, digits and hyphens, not starting or ending with a hyphen',
      })
      .optional(),
    lockTableName: z
      .string({ error: '3 to 255 letters, digits, underscores, hyphens or dots' })
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, {
        error: '3 to 255 letters, digits, underscores, hyphens or dots',
      })
      .optional(),
    dynamodbLocking: z.boolean({ error: 'true or false' }).default(true),
    s3Lockfile: z.boolean({ error: 'true or false' }).default(false),
    bootstrapStateInS3: z.boolean({ error: 'true or false' }).default(false),
    noncurrentVersionRetentionDays: z
      .int({ error: 'a whole number of days from 1 to 3650' })
      .min(1, { error: 'a whole number of days from 1 to 3650' })
      .max(3650, { error: 'a whole number of days from 1 to 3650' })
      .default(90),
  }).prefault({}),
  appTier: appTierSchema,
  database: databaseSchema,
  gitServer: gitServerSchema,
  eks: eksSchema,
  monitoring: monitoringSchema,
  tags: z
    .record(
      // Also written as k=v,k=v (Kubernetes annotations, EBS CSI parameters): no , or = in either.
      z.string().regex(/^[A-Za-z0-9 _.:/+@-]{1,128}$/, {
        error: 'tag keys of 1 to 128 letters, digits, spaces and _ . : / + @ - (no , or =: tags are also passed as k=v,k=v)',
      }),
      z
        .string({ error: 'string tag values' })
        .max(256, { error: 'tag values of at most 256 characters' })
        .regex(/^[^,=]*$/, { error: 'tag values without , or = (tags are also passed as k=v,k=v)' }),
      { error: 'a map of tag names to string values' },
    )
    .default({}),
}).superRefine((config, ctx) => {
  // Cross-field rules. Each issue carries the offending value so the message can name it.
  if (config.dr.region === config.primary.region) {
    ctx.addIssue({
      code: 'custom',
      path: ['dr', 'region'],
      input: config.dr.region,
      message: `a region other than primary.region ("${config.primary.region}")`,
    });
  }
  const base = `${config.project}-${config.environment}`;
  if (base.length > MAX_BASE_NAME_LENGTH) {
    ctx.addIssue({
      code: 'custom',
      path: ['environment'],
      input: config.environment,
      message: `a name short enough that "<project>-<environment>" has at most ${MAX_BASE_NAME_LENGTH} characters ("${base}" has ${base.length}), so every IAM name stays unique per region within 64 characters`,
    });
  }
  // Field checks do not stop this function: compare only blocks that parsed.
  const bothParse = parseCidr(config.primary.vpcCidr) && parseCidr(config.dr.vpcCidr);
  if (bothParse && cidrsOverlap(config.primary.vpcCidr, config.dr.vpcCidr)) {
    ctx.addIssue({
      code: 'custom',
      path: ['dr', 'vpcCidr'],
      input: config.dr.vpcCidr,
      message: `a block that does not overlap primary.vpcCidr ("${config.primary.vpcCidr}"), so the regions can be peered or routed to each other`,
    });
  }
  if (
    config.activeRegion !== undefined &&
    config.activeRegion !== config.primary.region &&
    config.activeRegion !== config.dr.region
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['activeRegion'],
      input: config.activeRegion,
      message: `one of the estate's two regions: "${config.primary.region}" (primary) or "${config.dr.region}" (dr)`,
    });
  }
  if (!config.stateBackend.dynamodbLocking && !config.stateBackend.s3Lockfile) {
    ctx.addIssue({
      code: 'custom',
      path: ['stateBackend', 'dynamodbLocking'],
      input: false,
      message: 'true while stateBackend.s3Lockfile is false (state must be locked by at least one method)',
    });
  }
  const app = config.appTier;
  if (app.minSize > app.desiredCapacity) {
    ctx.addIssue({
      code: 'custom',
      path: ['appTier', 'minSize'],
      input: app.minSize,
      message: `at most appTier.desiredCapacity (${app.desiredCapacity})`,
    });
  }
  if (app.desiredCapacity > app.maxSize) {
    ctx.addIssue({
      code: 'custom',
      path: ['appTier', 'desiredCapacity'],
      input: app.desiredCapacity,
      message: `at most appTier.maxSize (${app.maxSize})`,
    });
  }
  if (app.passiveDesiredCapacity > app.maxSize) {
    ctx.addIssue({
      code: 'custom',
      path: ['appTier', 'passiveDesiredCapacity'],
      input: app.passiveDesiredCapacity,
      message: `at most appTier.maxSize (${app.maxSize})`,
    });
  }
  if (config.database.maxAllocatedStorageGb < config.database.allocatedStorageGb) {
    ctx.addIssue({
      code: 'custom',
      path: ['database', 'maxAllocatedStorageGb'],
      input: config.database.maxAllocatedStorageGb,
      message: `at least database.allocatedStorageGb (${config.database.allocatedStorageGb})`,
    });
  }
  if (config.eks.nodeMaxCount < config.eks.nodeCount) {
    ctx.addIssue({
      code: 'custom',
      path: ['eks', 'nodeMaxCount'],
      input: config.eks.nodeMaxCount,
      message: `at least eks.nodeCount (${config.eks.nodeCount})`,
    });
  }
  if (config.monitoring.grafanaExposure === 'internet' && config.monitoring.grafanaAllowedCidrs.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['monitoring', 'grafanaAllowedCidrs'],
      input: config.monitoring.grafanaAllowedCidrs,
      message: 'at least one network when monitoring.grafanaExposure is "internet" (Grafana is never open to the world)',
    });
  }
  const idsValid = (config.allowedAccountIds ?? []).every((id) => ACCOUNT_ID.test(id));
  if (config.allowedAccountIds && idsValid && !config.allowedAccountIds.includes(config.accountId)) {
    ctx.addIssue({
      code: 'custom',
      path: ['allowedAccountIds'],
      input: config.allowedAccountIds,
      message: `a list that includes accountId ("${config.accountId}"), the account the estate is deployed in`,
    });
  }
  // A derived prefix is only checked when its parts are valid (their own errors say why not).
  const derivable = base.length <= MAX_BASE_NAME_LENGTH && ACCOUNT_ID.test(config.accountId);
  const prefixes = [
    ['stateBackend', config.stateBackend.bucketNamePrefix ?? (derivable ? defaultBucketPrefix(base, 'tfstate', config.accountId) : undefined)],
    ['gitServer', config.gitServer.backupBucketNamePrefix ?? (derivable ? defaultBucketPrefix(base, 'git-backup', config.accountId) : undefined)],
  ] as const;
  for (const [section, prefix] of prefixes) {
    if (prefix === undefined) continue;
    const longest = [config.primary.region, config.dr.region]
      .map((region) => `${prefix}-${region}`)
      .find((bucket) => bucket.length > 63);
    const field = section === 'stateBackend' ? 'bucketNamePrefix' : 'backupBucketNamePrefix';
    if (ACCOUNT_ID.test(config.accountId) && !prefix.includes(config.accountId)) {
      ctx.addIssue({
        code: 'custom',
        path: [section, field],
        input: prefix,
        message: `a prefix that contains accountId ("${config.accountId}"): S3 bucket names are global, and the account id keeps them from colliding with another account's`,
      });
    }
    if (longest) {
      ctx.addIssue({
        code: 'custom',
        path: [section, field],
        input: prefix,
        message: `a prefix short enough that "${prefix}-<region>" fits S3's 63-character bucket names (${longest} has ${longest.length})`,
      });
    }
  }
});

/** A bucket prefix unique across accounts: `<project>-<environment>-<purpose>-<account id>`. */
export function defaultBucketPrefix(base: string, purpose: string, accountId: string): string {
  return `${base}-${purpose}-${accountId}`;
}

/** What `config/estate.ts` is written in: every field with a default may be left out. */
export type EstateConfigInput = z.input<typeof estateConfigSchema>;
