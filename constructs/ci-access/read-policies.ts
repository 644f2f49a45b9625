import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { useKeyByAlias } from '../encryption-key';

/*
 * The read-only CI roles' own statements, beside AWS's ReadOnlyAccess. Sources: Secrets Manager
 * API Reference, GetRandomPassword (no resource type: only `*` names it) and "Authentication and
 * access control for AWS Secrets Manager" (GetSecretValue needs kms:Decrypt through
 * secretsmanager.<region>.amazonaws.com on a customer managed key); KMS Developer Guide, "How
 * Amazon DynamoDB uses AWS KMS" (the S3 backend reads each state's digest from the lock table at
 * every plan, locked or not; DynamoDB decrypts with the caller's permissions); S3 User Guide, "Using
 * server-side encryption with AWS KMS keys" (S3 decrypts with the caller's permissions; the
 * encryption context is the object's ARN, or the bucket's with S3 Bucket Keys);
 * terraform-provider-aws#42383 (5.100 reads a write-only secret version's value on refresh).
 */

/** What both read-only roles may never read: the Git backups (Gitea's database and app.ini). */
function neverTheGitBackups(backupBuckets: readonly string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: 'NeverTheGitBackups',
    effect: 'Deny',
    actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:GetObjectTorrent', 's3:RestoreObject'],
    resources: backupBuckets.map((bucket) => `arn:aws:s3:::${bucket}/*`),
  };
}

/** Where the states are, and what must stay unreadable. */
export interface ReadScope {
  readonly accountId: string;
  readonly regions: readonly string[];
  readonly storageKeyAlias: string;
  /** The Git backup buckets (one per region): never readable in CI. */
  readonly backupBuckets: readonly string[];
  /** The estate's own SSM parameters that hold nothing secret (the DR position): plans refresh them. */
  readonly plainParameters: readonly string[];
}

/**
 * The review role (pull requests, code nobody has approved yet): the states and nothing
 * secret. It decrypts only through S3, reads no secret, no parameter and no Git backup, and
 * takes no lock (reviews plan with `-lock=false`).
 */
export function reviewStatements(scope: ReadScope): DataAwsIamPolicyDocumentStatement[] {
  return [
    // S3 decrypts with the caller's permissions only inside a request S3 authorized first: the
    // Git backups stay unreadable through the Deny on their objects below. DynamoDB decrypts the
    // lock table (where every plan reads its state's digest) with the caller's permissions too.
    useKeyByAlias('DecryptStatesAndLockDigests', scope.accountId, scope.storageKeyAlias, ['kms:Decrypt'], scope.regions.flatMap((r) => [`s3.${r}.amazonaws.com`, `dynamodb.${r}.amazonaws.com`])),
    { sid: 'NoSecretValues', effect: 'Deny', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'], resources: ['*'] },
    // Every parameter value but the estate's own plain ones (the DR position, which each plan of
    // a regional stack refreshes) and AWS's public ones (the AMI ids), whose ARN names no
    // account (SSM User Guide, "Working with public parameters"; the permission proof places
    // them under `aws`, so that form is listed too).
    {
      sid: 'NoParameterValues',
      effect: 'Deny',
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
      notResources: [
        ...scope.plainParameters.map((name) => `arn:aws:ssm:*:${scope.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`),
        'arn:aws:ssm:*::parameter/aws/*',
        'arn:aws:ssm:*:aws:parameter/aws/*',
      ],
    },
    neverTheGitBackups(scope.backupBuckets),
  ];
}

/** The plan role's scope: the review's, plus the secrets the stacks open at plan time. */
export interface PlanScope extends ReadScope {
  /** ARNs of the secrets the plans read (the database's; each region's Grafana admin copy), `-??????` included. */
  readonly secretArns: readonly string[];
}

/**
 * The plan role (main, and pull requests a maintainer approved): every stack plans, so it opens
 * the secrets the stacks read at plan time (ephemeral reads, write-only versions refreshed) and
 * generates the ephemeral password; still no Git backup, no lock, no write.
 */
export function planStatements(scope: PlanScope): DataAwsIamPolicyDocumentStatement[] {
  const viaServices = scope.regions.flatMap((r) => [`s3.${r}.amazonaws.com`, `dynamodb.${r}.amazonaws.com`, `secretsmanager.${r}.amazonaws.com`]);
  return [
    useKeyByAlias('DecryptStatesLockDigestsAndThePlansSecrets', scope.accountId, scope.storageKeyAlias, ['kms:Decrypt'], viaServices),
    {
      sid: 'ReadThePlansSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [...scope.secretArns],
    },
    { sid: 'TheEphemeralPassword', actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] },
    neverTheGitBackups(scope.backupBuckets),
  ];
}
