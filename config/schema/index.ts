import { z } from 'zod';
import {
  accountIdSchema,
  ACCOUNT_ID,
  booleanSchema,
  countSchema,
  DOMAIN_PATTERN,
  LOG_RETENTION_DOC,
  namePrefix,
  nameSchema,
  retentionSchema,
  S3_BUCKET_PREFIX,
  siteSchema,
  strictObject,
} from './fields';
import { CROSS_FIELD_RULES, defaultBucketPrefix } from './rules';
import { appTierSchema, ciSchema, databaseSchema, eksSchema, gitServerSchema, monitoringSchema } from './sections';
import { DATABASE_ENGINE_NAMES, DATABASE_ENGINES } from '../engines';

/*
 * One schema for the whole estate: the fields (./fields.ts, ./sections.ts), then the rules
 * between them (./rules.ts). `z.input` of it is what `config/estate.ts` is written in.
 */

/** The fields of the estate config, each with its own checks and default. */
const estateFields = strictObject({
  project: nameSchema('a project name').default('dr-estate').meta({ description: '2-20 lowercase letters, digits, hyphens; first part of every name and the `Project` tag; `<project>-<environment>` is at most 24 characters, so every IAM name (account-wide) stays unique per region' }),
  environment: nameSchema('an environment name').default('prod').meta({ description: 'same rules; second part of names, and the first part of every state key' }),
  primary: siteSchema({ region: 'us-east-2', vpcCidr: '10.20.0.0/16', azCount: 3 }, {
    region: 'an AWS commercial region',
    vpcCidr: 'private IPv4 block (RFC 1918 or 100.64/10), /16 to /22, no host bits',
    azCount: "2 to 4 AZs, taken in order from the region's `aws_availability_zones`",
  }),
  dr: siteSchema({ region: 'us-west-1', vpcCidr: '10.30.0.0/16', azCount: 2 }, {
    region: 'an AWS commercial region other than `primary.region`',
    vpcCidr: 'as above, and must not overlap `primary.vpcCidr`',
    azCount: 'as above; 2 because most accounts have only two usable AZs in us-west-1',
  }),
  // Any name parses here; the rule activeRegionIsASite (./rules.ts) then admits only the estate's
  // two regions, so a typo is answered with those two, not every AWS region.
  activeRegion: z.string({ error: 'a region name such as "us-west-1"' }).optional().meta({ description: '**the DR switch**: `primary.region` or `dr.region`. The environment variable `DR_ACTIVE_REGION` overrides it (blank means unset)', defaultText: '`primary.region`' }),
  reprotects: z
    .int({ error: 'a whole number of reprotects, 0 or more' })
    .min(0, { error: 'a whole number of reprotects, 0 or more' })
    .default(0).meta({ description: 'times a recovered site has been rebuilt as the passive site; each reprotect adds one; `switches` or `switches - 1`' }),
  switches: z
    .int({ error: 'a whole number of switches, 0 or more' })
    .min(0, { error: 'a whole number of switches, 0 or more' })
    .default(0).meta({ description: 'failovers plus failbacks so far; each switch adds one, together with `activeRegion` (see The DR switch)' }),
  drPlan: strictObject({
    healthCheckIntervalSeconds: z
      .union([z.literal(10), z.literal(30)], { error: '10 or 30 (the intervals Route 53 health checks offer)' })
      .default(30).meta({ description: 'interval of the Route 53 health checks of the ALBs: 10 or 30 s' }),
    healthCheckFailureThreshold: countSchema('failed checks', 1, 10).default(3).meta({ description: 'failed checks before Route 53 fails a region over' }),
    dnsTtlSeconds: countSchema('seconds', 5, 3600).default(60).meta({ description: 'TTL of the monitoring records' }),
    instanceWarmupSeconds: countSchema('seconds', 0, 3600).default(300).meta({ description: 'estimate of an app server boot and first passing health check, for the RTO budget of `npm run dr -- plan`' }),
    databasePromotionMinutes: countSchema('minutes', 1, 120).default(10).meta({ description: 'estimate of a cross-region replica promotion, for the RTO budget' }),
    expectedReplicaLagSeconds: countSchema('seconds', 0, 3600).default(5).meta({ description: 'replica lag expected in normal operation: the database RPO in the budget' }),
  }).prefault({}),
  accountId: z
    .string({ error: "the estate's 12-digit AWS account id as a string (it makes the bucket names, which are global, unique)" })
    .regex(ACCOUNT_ID, { error: "the estate's 12-digit AWS account id as a string (it makes the bucket names, which are global, unique)" }).meta({ description: "the estate's 12-digit AWS account id: part of every bucket name (S3 names are global, so no other account can hold one) and the account every provider is limited to. The committed value is a documentation account: replace it" }),
  allowedAccountIds: z
    .array(accountIdSchema, { error: 'a list of 12-digit AWS account ids' })
    .optional().meta({ description: '12-digit account ids every AWS provider is limited to; must include `accountId`', defaultText: '`[accountId]`' }),
  dns: strictObject({
    zoneName: z
      .string({ error: 'the Route 53 domain of the estate, such as "estate.example.org"' })
      .regex(DOMAIN_PATTERN, {
        error: 'a lowercase DNS domain name with at least two labels, such as "estate.example.org"',
      }).meta({ description: "the estate's Route 53 domain (lowercase, two labels or more)" }),
    createZone: booleanSchema().default(false).meta({ description: 'create the hosted zone instead of looking it up' }),
    appRecordName: z
      .string({ error: 'a single DNS label such as "app"' })
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'a single DNS label such as "app"' })
      .default('app').meta({ description: "the app's name is `<appRecordName>.<zone>` (certificate and, with the DNS stack, the failover record)" }),
  }),
  network: strictObject({
    natGateways: z
      .enum(['one-per-az', 'single'], { error: 'one of one-per-az, single' })
      .default('one-per-az').meta({ description: "`one-per-az` (an AZ outage cannot cut the others' egress) or `single` (cheaper)" }),
    flowLogRetentionDays: retentionSchema.default(365).meta({ description: LOG_RETENTION_DOC }),
  }).prefault({}),
  logging: strictObject({
    accessLogRetentionDays: countSchema('days', 1, 3650).default(365).meta({ description: "days S3 server access logs and load balancer access logs are kept in each region's access log bucket" }),
  }).prefault({}),
  stateBackend: strictObject({
    bucketNamePrefix: z
      .string({ error: 'lowercase letters, digits and hyphens' })
      .regex(S3_BUCKET_PREFIX, {
        error: 'lowercase letters, digits and hyphens, not starting or ending with a hyphen',
      })
      .optional().meta({ description: "state bucket of a region is `<prefix>-<region>`; must contain `accountId` and fit S3's 63 characters", defaultText: '`<project>-<environment>-tfstate-<accountId>`' }),
    lockTableName: z
      .string({ error: '3 to 255 letters, digits, underscores, hyphens or dots' })
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, {
        error: '3 to 255 letters, digits, underscores, hyphens or dots',
      })
      .optional().meta({ description: 'DynamoDB lock table, same name in each region', defaultText: '`<project>-<environment>-tflock`' }),
    dynamodbLocking: booleanSchema().default(true).meta({ description: 'lock with the DynamoDB table (`dynamodb_table`)' }),
    s3Lockfile: booleanSchema().default(false).meta({ description: 'also (or instead) lock with an S3 lock file (`use_lockfile`, Terraform >= 1.10); at least one of the two must be on' }),
    bootstrapStateInS3: booleanSchema().default(false).meta({ description: "after the first bootstrap, keep the bootstrap stacks' own state in their bucket" }),
    noncurrentVersionRetentionDays: z
      .int({ error: 'a whole number of days from 1 to 3650' })
      .min(1, { error: 'a whole number of days from 1 to 3650' })
      .max(3650, { error: 'a whole number of days from 1 to 3650' })
      .default(90).meta({ description: 'days a superseded state version is kept' }),
  }).prefault({}),
  appTier: appTierSchema,
  database: databaseSchema,
  gitServer: gitServerSchema,
  eks: eksSchema,
  monitoring: monitoringSchema,
  ci: ciSchema,
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
    .default({}).meta({ description: "extra tags on every resource; they cannot override the estate's own tags" }),
});

/** The fields as parsed, before the rules between them are checked. */
export type ParsedFields = z.output<typeof estateFields>;

/** Engine versions used when `database.engineVersion` is left out. */
const DEFAULT_ENGINE_VERSIONS = Object.fromEntries(
  DATABASE_ENGINE_NAMES.map((engine) => [engine, DATABASE_ENGINES[engine].defaultVersion]),
) as Readonly<Record<ParsedFields['database']['engine'], string>>;

/**
 * The defaults that derive from other fields: the account guard, bucket and table names, ALB
 * deletion protection, the engine version. (Fixed defaults sit on the fields themselves.)
 */
function withDerivedDefaults(c: ParsedFields) {
  const base = namePrefix(c);
  return {
    ...c,
    allowedAccountIds: c.allowedAccountIds ?? [c.accountId],
    stateBackend: {
      ...c.stateBackend,
      bucketNamePrefix: c.stateBackend.bucketNamePrefix ?? defaultBucketPrefix(base, 'tfstate', c.accountId),
      lockTableName: c.stateBackend.lockTableName ?? `${base}-tflock`,
    },
    appTier: { ...c.appTier, deletionProtection: c.appTier.deletionProtection ?? c.environment === 'prod' },
    database: { ...c.database, engineVersion: c.database.engineVersion ?? DEFAULT_ENGINE_VERSIONS[c.database.engine] },
    gitServer: {
      ...c.gitServer,
      backupBucketNamePrefix: c.gitServer.backupBucketNamePrefix ?? defaultBucketPrefix(base, 'git-backup', c.accountId),
    },
  };
}

/**
 * The estate config schema: every field, then every cross-field rule, then the defaults that
 * derive from other fields. Its output is every value the estate is built from.
 */
export const estateConfigSchema = estateFields
  .superRefine((config, ctx) => {
    for (const rule of CROSS_FIELD_RULES) {
      for (const issue of rule(config)) ctx.addIssue({ code: 'custom', path: [...issue.path], input: issue.input, message: issue.message });
    }
  })
  .transform(withDerivedDefaults);

/** The config as the schema resolves it: every default filled in. */
export type ResolvedFields = z.output<typeof estateConfigSchema>;

/** What `config/estate.ts` is written in: every field with a default may be left out. */
export type EstateConfigInput = z.input<typeof estateConfigSchema>;

export { defaultBucketPrefix } from './rules';
export { MAX_BASE_NAME_LENGTH } from './fields';
