import { cidrsOverlap, parseCidr } from '../cidr';
import { ACCOUNT_ID, MAX_BASE_NAME_LENGTH, namePrefix } from './fields';
import type { ParsedFields } from './index';

/*
 * The rules between fields, one function each. Each returns the issues it finds; an issue names
 * the field, carries the offending value (so the sentence can name it) and says what is allowed.
 * Field checks do not stop these rules: a rule only compares values that are themselves valid.
 */

/** A problem a rule found. */
export interface RuleIssue {
  readonly path: readonly (string | number)[];
  readonly input: unknown;
  readonly message: string;
}

/** A cross-field rule. */
export type CrossFieldRule = (config: ParsedFields) => RuleIssue[];

/** The DR site is in another region than the primary. */
export const drRegionDiffers: CrossFieldRule = (config) =>
  config.dr.region === config.primary.region
    ? [{ path: ['dr', 'region'], input: config.dr.region, message: `a region other than primary.region ("${config.primary.region}")` }]
    : [];

/** `<project>-<environment>` is short enough for every IAM name to stay within 64 characters. */
export const baseNameFits: CrossFieldRule = (config) => {
  const base = namePrefix(config);
  return base.length > MAX_BASE_NAME_LENGTH
    ? [
        {
          path: ['environment'],
          input: config.environment,
          message: `a name short enough that "<project>-<environment>" has at most ${MAX_BASE_NAME_LENGTH} characters ("${base}" has ${base.length}), so every IAM name stays unique per region within 64 characters`,
        },
      ]
    : [];
};

/** The two VPCs do not overlap, so the regions can be peered or routed to each other. */
export const vpcsDisjoint: CrossFieldRule = (config) => {
  const bothParse = parseCidr(config.primary.vpcCidr) && parseCidr(config.dr.vpcCidr);
  return bothParse && cidrsOverlap(config.primary.vpcCidr, config.dr.vpcCidr)
    ? [
        {
          path: ['dr', 'vpcCidr'],
          input: config.dr.vpcCidr,
          message: `a block that does not overlap primary.vpcCidr ("${config.primary.vpcCidr}"), so the regions can be peered or routed to each other`,
        },
      ]
    : [];
};

/** The active region is one of the estate's two. */
export const activeRegionIsASite: CrossFieldRule = (config) =>
  config.activeRegion !== undefined && config.activeRegion !== config.primary.region && config.activeRegion !== config.dr.region
    ? [
        {
          path: ['activeRegion'],
          input: config.activeRegion,
          message: `one of the estate's two regions: "${config.primary.region}" (primary) or "${config.dr.region}" (dr)`,
        },
      ]
    : [];

/** State is locked by at least one method. */
export const stateIsLocked: CrossFieldRule = (config) =>
  !config.stateBackend.dynamodbLocking && !config.stateBackend.s3Lockfile
    ? [
        {
          path: ['stateBackend', 'dynamodbLocking'],
          input: false,
          message: 'true while stateBackend.s3Lockfile is false (state must be locked by at least one method)',
        },
      ]
    : [];

/** The app tier's sizes are ordered: min <= desired <= max, and the passive size <= max. */
export const appSizesOrdered: CrossFieldRule = ({ appTier: app }) => [
  ...(app.minSize > app.desiredCapacity
    ? [{ path: ['appTier', 'minSize'], input: app.minSize, message: `at most appTier.desiredCapacity (${app.desiredCapacity})` }]
    : []),
  ...(app.desiredCapacity > app.maxSize
    ? [{ path: ['appTier', 'desiredCapacity'], input: app.desiredCapacity, message: `at most appTier.maxSize (${app.maxSize})` }]
    : []),
  ...(app.passiveDesiredCapacity > app.maxSize
    ? [{ path: ['appTier', 'passiveDesiredCapacity'], input: app.passiveDesiredCapacity, message: `at most appTier.maxSize (${app.maxSize})` }]
    : []),
];

/** The database's storage ceiling is at least its initial storage. */
export const storageCeilingFits: CrossFieldRule = ({ database: db }) =>
  db.maxAllocatedStorageGb < db.allocatedStorageGb
    ? [
        {
          path: ['database', 'maxAllocatedStorageGb'],
          input: db.maxAllocatedStorageGb,
          message: `at least database.allocatedStorageGb (${db.allocatedStorageGb})`,
        },
      ]
    : [];

/** The node group's maximum is at least its count. */
export const nodeCeilingFits: CrossFieldRule = ({ eks }) =>
  eks.nodeMaxCount < eks.nodeCount
    ? [{ path: ['eks', 'nodeMaxCount'], input: eks.nodeMaxCount, message: `at least eks.nodeCount (${eks.nodeCount})` }]
    : [];

/** An internet-facing Grafana admits named networks only. */
export const grafanaNeverOpen: CrossFieldRule = ({ monitoring }) =>
  monitoring.grafanaExposure === 'internet' && monitoring.grafanaAllowedCidrs.length === 0
    ? [
        {
          path: ['monitoring', 'grafanaAllowedCidrs'],
          input: monitoring.grafanaAllowedCidrs,
          message: 'at least one network when monitoring.grafanaExposure is "internet" (Grafana is never open to the world)',
        },
      ]
    : [];

/** The providers' account allow-list includes the estate's own account. */
export const allowedAccountsIncludeEstate: CrossFieldRule = ({ allowedAccountIds, accountId }) => {
  const idsValid = (allowedAccountIds ?? []).every((id) => ACCOUNT_ID.test(id));
  return allowedAccountIds && idsValid && !allowedAccountIds.includes(accountId)
    ? [
        {
          path: ['allowedAccountIds'],
          input: allowedAccountIds,
          message: `a list that includes accountId ("${accountId}"), the account the estate is deployed in`,
        },
      ]
    : [];
};

/** Bucket prefixes (given or derived) contain the account id and leave room for the region. */
export const bucketPrefixesFit: CrossFieldRule = (config) => {
  const base = namePrefix(config);
  // A derived prefix is only checked when its parts are valid (their own errors say why not).
  const derivable = base.length <= MAX_BASE_NAME_LENGTH && ACCOUNT_ID.test(config.accountId);
  const prefixes = [
    ['stateBackend', 'bucketNamePrefix', config.stateBackend.bucketNamePrefix ?? (derivable ? defaultBucketPrefix(base, 'tfstate', config.accountId) : undefined)],
    ['gitServer', 'backupBucketNamePrefix', config.gitServer.backupBucketNamePrefix ?? (derivable ? defaultBucketPrefix(base, 'git-backup', config.accountId) : undefined)],
  ] as const;
  const issues: RuleIssue[] = [];
  for (const [section, field, prefix] of prefixes) {
    if (prefix === undefined) continue;
    const longest = [config.primary.region, config.dr.region].map((region) => `${prefix}-${region}`).find((bucket) => bucket.length > 63);
    if (ACCOUNT_ID.test(config.accountId) && !prefix.includes(config.accountId)) {
      issues.push({
        path: [section, field],
        input: prefix,
        message: `a prefix that contains accountId ("${config.accountId}"): S3 bucket names are global, and the account id keeps them from colliding with another account's`,
      });
    }
    if (longest) {
      issues.push({
        path: [section, field],
        input: prefix,
        message: `a prefix short enough that "${prefix}-<region>" fits S3's 63-character bucket names (${longest} has ${longest.length})`,
      });
    }
  }
  return issues;
};

/** Every cross-field rule, in the order their issues are reported. */
/**
 * Production pages someone: with no alert address, no alarm (AppTierDown, replica lag, the
 * monitoring heartbeat) would reach anyone. Other environments are warned at synth instead.
 */
export const alertDestinationInProd: CrossFieldRule = (config) =>
  config.environment === 'prod' && config.monitoring.alertEmails.length === 0
    ? [
        {
          path: ['monitoring', 'alertEmails'],
          input: config.monitoring.alertEmails,
          message: 'at least one address when environment is "prod" (an on-call address or a pager\'s email integration): with none, no alarm reaches anyone',
        },
      ]
    : [];

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  drRegionDiffers,
  baseNameFits,
  vpcsDisjoint,
  activeRegionIsASite,
  stateIsLocked,
  appSizesOrdered,
  storageCeilingFits,
  nodeCeilingFits,
  grafanaNeverOpen,
  allowedAccountsIncludeEstate,
  bucketPrefixesFit,
  alertDestinationInProd,
];

/** A bucket prefix unique across accounts: `<project>-<environment>-<purpose>-<account id>`. */
export function defaultBucketPrefix(base: string, purpose: string, accountId: string): string {
  return `${base}-${purpose}-${accountId}`;
}
