import { z } from 'zod';
import {
  accountIdSchema,
  ACCOUNT_ID,
  booleanSchema,
  countSchema,
  DOMAIN_PATTERN,
  namePrefix,
  nameSchema,
  regionSchema,
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
    createZone: booleanSchema().default(false),
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
    dynamodbLocking: booleanSchema().default(true),
    s3Lockfile: booleanSchema().default(false),
    bootstrapStateInS3: booleanSchema().default(false),
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
    .default({}),
});

/** The fields as parsed, before the rules between them are checked. */
export type ParsedFields = z.output<typeof estateFields>;

/** Engine versions used when `database.engineVersion` is left out. */
export const DEFAULT_ENGINE_VERSIONS = Object.fromEntries(
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

/**
 * The default of every field that has one, as the schema gives it: what a construct falls back
 * to when a prop is left out, so a default is written once (on its field). Fields the schema
 * requires are given placeholders here only to parse; they are not part of these defaults.
 */
export const CONFIG_DEFAULTS = (() => {
  const parsed = estateFields.parse({
    accountId: '000000000000',
    dns: { zoneName: 'example.org' },
    eks: { adminRoleArns: ['arn:aws:iam::000000000000:role/placeholder'] },
  });
  const { adminRoleArns: _required, ...eks } = parsed.eks;
  return {
    appTier: parsed.appTier,
    database: { ...parsed.database, engineVersions: DEFAULT_ENGINE_VERSIONS },
    gitServer: parsed.gitServer,
    eks,
    monitoring: parsed.monitoring,
    drPlan: parsed.drPlan,
    network: parsed.network,
    logging: parsed.logging,
  } as const;
})();
