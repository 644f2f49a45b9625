/**
 * Closed sets the config is validated against. Kept as `as const` tuples so the
 * schema and the TypeScript types come from one list.
 */

/** AWS commercial regions (the `aws` partition) an estate region may be placed in. */
export const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
] as const;

/** An AWS commercial region name, e.g. `us-east-2`. */
export type AwsRegion = (typeof AWS_REGIONS)[number];

/** Retention periods CloudWatch Logs accepts for a log group (`retention_in_days`). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** A retention period CloudWatch Logs accepts. */
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

/**
 * Subnet slots the network reserves per tier. Subnet CIDRs are computed for a fixed
 * number of AZ slots, so raising `azCount` later adds subnets without renumbering
 * (and so replacing) the existing ones.
 */
export const MAX_AZ_COUNT = 4;

/** Smallest AZ count that gives the app tier, database and EKS a second AZ. */
export const MIN_AZ_COUNT = 2;
