import { deployRoleScope } from '../../config/ci';
import type { EstateConfig } from '../../config/load';
import { secretsOpenedAtPlan } from '../terraform/secrets';
import type { StackJson } from './profile';
import { roleKey, type StackRoles } from './terraform';

/*
 * Who the drill's terraform commands sign as: the CI role that runs each in the pipelines
 * (scripts/drill/terraform.ts roleKey), and the grants `--revoke` takes away on purpose.
 */

/** A `--revoke` that names no statement of the role. */
export class RevokeError extends Error {}

/** Who runs a stack's commands in CI: the plan role plans, its deploy role applies, a review reads. */
export function stackRoles(config: EstateConfig, stack: string, json: StackJson): StackRoles {
  const deploy = deployRoleScope(config, stack) ?? 'admin';
  return {
    plan: roleKey(deploy === 'admin' ? 'admin' : 'plan', stack),
    apply: roleKey(deploy, stack),
    // Every stack is reviewed by CI, the bootstrap stacks too (their state is in S3).
    review: roleKey(secretsOpenedAtPlan(json) ? 'plan' : 'review', stack),
  };
}

/** Removes `--revoke` statements (`<purpose>:<sid>`) from the CI roles' policy documents. */
export function revokeStatements(stacks: Record<string, StackJson>, revoke: readonly string[]): void {
  for (const entry of revoke) {
    const [purpose, sid] = entry.split(':');
    const prefix = `ci_${purpose.replace(/-/g, '_')}_`;
    const documents = Object.values(stacks).flatMap((json) => Object.entries(json.data?.aws_iam_policy_document ?? {}).filter(([id]) => id.startsWith(prefix)));
    const found = documents.filter(([, doc]) => (doc.statement as { sid?: string }[]).some((st) => st.sid === sid));
    if (!found.length) throw new RevokeError(`--revoke ${entry}: no statement ${sid} in the policies of the ${purpose} role`);
    for (const [, doc] of found) doc.statement = (doc.statement as { sid?: string }[]).filter((st) => st.sid !== sid);
  }
}

