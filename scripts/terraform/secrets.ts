/*
 * Which stacks open a secret when they are planned: a pull request's plans of those run only
 * with the plan role, after a maintainer approves the run; the review role plans the rest.
 * A plan opens a secret when the stack has
 * - an ephemeral Secrets Manager read (`ephemeral.aws_secretsmanager_secret_version`) or the
 *   ephemeral password generator (`secretsmanager:GetRandomPassword`);
 * - a write-only secret version (`secret_string_wo`): provider 5.100 reads its value on refresh
 *   (terraform-provider-aws#42383);
 * - the kubernetes or helm provider: they read the cluster's Secrets (Helm keeps its releases
 *   in them).
 */

/** Synthesized Terraform JSON, as far as this needs it. */
export interface PlannedStackJson {
  readonly ephemeral?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, unknown>;
}

/** Why planning a stack opens a secret, or undefined when it opens none. */
export function secretsOpenedAtPlan(json: PlannedStackJson): string | undefined {
  const ephemeral = Object.keys(json.ephemeral ?? {}).filter((type) => type.startsWith('aws_secretsmanager_'));
  if (ephemeral.length) return `it opens ${ephemeral.join(' and ')} ephemerally`;
  const writeOnly = Object.values(json.resource?.aws_secretsmanager_secret_version ?? {}).some((v) => v.secret_string_wo !== undefined);
  if (writeOnly) return 'its write-only secret versions are read on refresh (terraform-provider-aws#42383)';
  const cluster = ['kubernetes', 'helm'].filter((p) => json.provider?.[p] !== undefined);
  if (cluster.length) return `the ${cluster.join(' and ')} provider${cluster.length > 1 ? 's' : ''} read the cluster's Secrets`;
  return undefined;
}
