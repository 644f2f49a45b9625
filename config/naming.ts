import type { EstateConfig } from './load';
import type { AwsRegion } from './regions';
import { defaultBucketPrefix } from './schema';
import { namePrefix } from './schema/fields';

/*
 * Every name the estate derives, in one place: stacks, the state bucket and lock table of a
 * region, and the state key of a stack. Backends need literal names (Terraform does not
 * interpolate backend blocks), so they are computed here from config, never looked up.
 */

/** Stack kinds; a stack's name is `<kind>-<region>`. */
export type StackKind = 'bootstrap' | 'regional' | 'monitoring';

/** Name of the DNS stack (Route 53 failover records, global); it lives in the DR region. */
export const DNS_STACK_NAME = 'dns-global';

/**
 * Earlier names of stacks, each with the name that took it over. A renamed stack's state key
 * moves with it: `npm run state:move -- <old> <new>` copies the state once, before the renamed
 * stack is deployed (docs/runbook.md, "Upgrading across a stack rename").
 */
export const RENAMED_STACKS: Readonly<Record<string, string>> = { 'dr-global': DNS_STACK_NAME };

/** Name of the stack of a kind in a region, e.g. `regional-us-east-2`. */
export function stackName(kind: StackKind, region: AwsRegion): string {
  return `${kind}-${region}`;
}

/** The Terraform state bucket of a region: `<bucketNamePrefix>-<region>`. */
export function stateBucketName(config: EstateConfig, region: AwsRegion): string {
  return `${config.stateBackend.bucketNamePrefix}-${region}`;
}

/** The DynamoDB lock table of a region (same name in every region; tables are regional). */
export function lockTableName(config: EstateConfig): string {
  return config.stateBackend.lockTableName;
}

/** The Git backup bucket of a region: `<backupBucketNamePrefix>-<region>`. */
export function gitBackupBucketName(config: EstateConfig, region: AwsRegion): string {
  return `${config.gitServer.backupBucketNamePrefix}-${region}`;
}

/** The SSM parameter each regional stack writes the DR position to (`{"activeRegion", "switches"}`; the AWS name keeps the older word): read at run time. */
export function drPostureParameterName(config: EstateConfig): string {
  return `/${namePrefix(config)}/dr-posture`;
}

/** The state object key of a stack: `<environment>/<stack>/terraform.tfstate`. */
export function stateKey(config: EstateConfig, stack: string): string {
  return `${config.environment}/${stack}/terraform.tfstate`;
}

/** Prefix for names of regional resources: `<project>-<environment>` (built in config/schema/fields.ts). */
export { namePrefix };

/**
 * Cuts a resource name to an AWS length limit without leaving a trailing hyphen (which
 * load balancer and target group names reject). Names here are regional, so a cut suffix
 * cannot collide across regions.
 */
export function fitName(name: string, maxLength: number): string {
  return name.slice(0, maxLength).replace(/-+$/, '');
}

/** The Secrets Manager secret of the database master user, the same name in both regions. */
export function databaseSecretName(config: EstateConfig): string {
  return `${namePrefix(config)}/db-master`;
}

/** The Secrets Manager secret keeping a copy of a region's Grafana admin password. */
export function grafanaAdminSecretName(config: EstateConfig, region: AwsRegion): string {
  return `${regionalName(config, region)}/grafana-admin`;
}

/**
 * The base of the database instance identifiers, the same in both regions:
 * `<project>-<environment>-db`; incarnation N is `<base>-N` (config/dr.ts `databaseIdentifierOf`).
 */
export function databaseIdentifier(config: EstateConfig): string {
  return `${namePrefix(config)}-db`;
}

/**
 * The access log bucket of a region (S3 server access logs, load balancer access logs):
 * `<project>-<environment>-access-logs-<account id>-<region>`, at most 59 characters.
 */
export function accessLogBucketName(config: EstateConfig, region: AwsRegion): string {
  return `${defaultBucketPrefix(namePrefix(config), 'access-logs', config.accountId)}-${region}`;
}

/** Alias of a region's storage key (state, locks, Git backups, secrets): the same in every region. */
export function storageKeyAlias(config: EstateConfig): string {
  return `alias/${namePrefix(config)}-storage`;
}

/**
 * Prefix of the names of a region's resources (network, app tier, database role names, EKS
 * cluster, alert topic, keys): `<project>-<environment>-<region>`, unique per account.
 */
export function regionalName(config: EstateConfig, region: AwsRegion): string {
  return `${namePrefix(config)}-${region}`;
}

/** The name clients use for the app: `<appRecordName>.<zone>`. */
export function appDomainName(config: EstateConfig): string {
  return `${config.dns.appRecordName}.${config.dns.zoneName}`;
}

/**
 * What a CI role is for: `review` (pull requests: read-only, no secret, no Git backup, no data
 * key), `plan` (main, and pull requests a maintainer approved: plans every stack, secrets
 * included), `deploy` (GitHub's deploy jobs: assumes the scoped ones), `deploy-<region>` (a
 * region's regional and monitoring stacks), `deploy-dns` (the DNS stack).
 */
export type CiRolePurpose = 'review' | 'plan' | 'deploy' | 'deploy-dns' | `deploy-${AwsRegion}`;

/** Name of a CI role: account-wide, one per estate and purpose. */
export function ciRoleName(config: EstateConfig, purpose: CiRolePurpose): string {
  return `${namePrefix(config)}-ci-${purpose}`;
}

/** A pattern matching every CI role's ARN (`<project>-<environment>-ci-*`). */
export function ciRoleArnPattern(config: EstateConfig): string {
  return `arn:aws:iam::${config.accountId}:role/${namePrefix(config)}-ci-*`;
}

/** ARN of a CI role, known before it exists (the EKS access entries name the deploy roles). */
export function ciRoleArn(config: EstateConfig, purpose: CiRolePurpose): string {
  return `arn:aws:iam::${config.accountId}:role/${ciRoleName(config, purpose)}`;
}

/**
 * The permissions boundaries: `workload` caps every role a deploy creates (no IAM writes, never
 * a CI role); `ci-deploy` caps the deploy roles (roles only with the workload boundary, no AWS
 * administrator policy, never the CI access or the boundaries themselves).
 */
export type BoundaryKind = 'workload' | 'ci-deploy';

/** Name of a permissions boundary policy: `<project>-<environment>-<kind>-boundary`. */
export function boundaryPolicyName(config: EstateConfig, kind: BoundaryKind): string {
  return `${namePrefix(config)}-${kind}-boundary`;
}

/** ARN of a permissions boundary policy, known before it exists (roles name it when created). */
export function boundaryPolicyArn(config: EstateConfig, kind: BoundaryKind): string {
  return `arn:aws:iam::${config.accountId}:policy/${boundaryPolicyName(config, kind)}`;
}

/** The role that replicates the DR region's state bucket back into the primary's (created by the DR region's regional stack). */
export function stateReplicationBackRoleName(config: EstateConfig, region: AwsRegion): string {
  return `${namePrefix(config)}-tfstate-replication-${region}`;
}

/**
 * The IAM names a region's deploy role may create and change: the region's own
 * (`<project>-<environment>-<region>-*`) and the state replication role its regional stack
 * creates; never another region's, never a CI role's.
 */
export function regionalIamNamePatterns(config: EstateConfig, region: AwsRegion): readonly string[] {
  return [`${regionalName(config, region)}-*`, stateReplicationBackRoleName(config, region)];
}

/** The DNS stack's output naming the region its failover records serve, as last deployed. */
export const LIVE_DNS_OUTPUT = 'active_region';
