import type { PolicyDocument } from './documents';
import type { RoleModel } from './roles';

/*
 * One AWS request judged as IAM judges it, by a real policy evaluator
 * (@cloud-copilot/iam-simulate: identity policies, permissions boundary, resource policy,
 * every condition operator), never by a hand-written matcher. The evaluator is a development
 * dependency (AGPL-3.0): the drill and the tests use it, nothing the estate deploys does.
 */

/** A request a role makes. */
export interface IamRequest {
  /** `service:Action`, e.g. `dynamodb:PutItem`. */
  readonly action: string;
  /** The resource's ARN, or `*` for an action with no resource type. */
  readonly resource: string;
  /** Request context keys beyond the principal's and the defaults below. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** The resource's own policy (a key policy, bucket policy, secret policy, a role's trust). */
  readonly resourcePolicy?: PolicyDocument;
}

/** What IAM decides, and why. */
export interface IamDecision {
  readonly allowed: boolean;
  /** `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`, or `Invalid` when the request could not be evaluated. */
  readonly result: string;
  /** The statements that decided: each `<policy>:<sid>` (deny statements when denied, allow statements when allowed). */
  readonly deciding: readonly string[];
  /** Why the request could not be evaluated (an unknown action, a resource of the wrong type). */
  readonly errors?: string;
}

type Explained = { policyId?: string; statement?: { Sid?: string }; explain?: { identifier?: string } };
type Analysis = { result?: string; allowStatements?: Explained[]; denyStatements?: Explained[] };

function statementNames(where: string, statements: Explained[] | undefined): string[] {
  return (statements ?? []).map((s) => `${where}${s.policyId ? ` ${s.policyId}` : ''}:${s.statement?.Sid ?? s.explain?.identifier ?? '?'}`);
}

/** Judges one request by a role: its identity policies, its boundary, and the resource's policy. */
export async function evaluate(role: RoleModel, request: IamRequest, accountId: string): Promise<IamDecision> {
  const { runSimulation } = await import('@cloud-copilot/iam-simulate');
  const response = await runSimulation(
    {
      request: {
        principal: role.arn,
        action: request.action,
        resource: { resource: request.resource, accountId },
        contextVariables: {
          'aws:PrincipalArn': role.arn,
          'aws:PrincipalAccount': accountId,
          'aws:PrincipalType': 'AssumedRole',
          'aws:SecureTransport': 'true',
          'aws:ViaAWSService': 'false',
          ...(request.context as Record<string, string | string[]> | undefined),
        },
      },
      identityPolicies: role.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
      permissionBoundaryPolicies: role.boundary ? [{ name: role.boundary.name, policy: role.boundary.policy }] : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    },
    {},
  );
  if (response.resultType === 'error') {
    return { allowed: false, result: 'Invalid', deciding: [], errors: JSON.stringify(response.errors) };
  }
  // A context key the evaluator does not know for this action would be dropped silently, and a
  // condition on it judged as if the key were missing: that is no judgement, so it is an error.
  const ignored = (response.resultType === 'single' ? response.result.ignoredContextKeys : response.results[0]?.ignoredContextKeys) ?? [];
  if (ignored.length) {
    return { allowed: false, result: 'Invalid', deciding: [], errors: `the evaluator does not take ${ignored.join(', ')} for ${request.action}` };
  }
  const result = response.overallResult;
  const analysis = (response.resultType === 'single' ? response.result.analysis : response.results[0]?.analysis) as
    | { identityAnalysis?: Analysis; permissionBoundaryAnalysis?: Analysis; resourceAnalysis?: Analysis }
    | undefined;
  const parts: Array<[string, Analysis | undefined]> = [
    ['identity', analysis?.identityAnalysis],
    ['boundary', analysis?.permissionBoundaryAnalysis],
    ['resource', analysis?.resourceAnalysis],
  ];
  const allowed = result === 'Allowed';
  const deciding = parts.flatMap(([where, a]) => statementNames(where, allowed ? a?.allowStatements : a?.denyStatements));
  return { allowed, result, deciding };
}
