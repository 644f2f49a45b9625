import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addressOfChild } from './addresses';

/*
 * Terraform ephemeral resources (Terraform >= 1.10): values that are opened for one run and
 * never written to plan or state, the only kind a write-only argument (`password_wo`,
 * `secret_string_wo`, Terraform >= 1.11) should be fed from.
 */

/**
 * Declares an ephemeral resource at the address a child `childId` of `scope` would have, and
 * returns its address (`ephemeral.<type>.<name>`) for references such as
 * `${ephemeral.aws_secretsmanager_random_password.x.random_password}`.
 */
export function ephemeralResource(scope: Construct, childId: string, type: string, config: Record<string, unknown>): string {
  const name = addressOfChild(scope, childId, type).slice(type.length + 1);
  // Escape hatch: cdktf 0.21 has no binding for ephemeral resources; the block is written
  // into the stack's JSON as Terraform reads it (`ephemeral.<type>.<name>`).
  TerraformStack.of(scope).addOverride(`ephemeral.${type}.${name}`, config);
  return `ephemeral.${type}.${name}`;
}
