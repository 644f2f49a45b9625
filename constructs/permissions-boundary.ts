import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Aspects, type IAspect } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';

/*
 * Permissions boundaries (IAM User Guide, "Permissions boundaries for IAM entities": a role may
 * do only what both its policies and its boundary allow). Two ceilings:
 * - workload: every role a deploy creates (instance, cluster, node, flow log, replication,
 *   monitoring roles): anything but IAM writes, organizations and account, and never a CI role.
 * - ci-deploy: the deploy roles: a role they create or change must carry the workload boundary,
 *   no AWS administrator policy is attached, the boundaries, the CI roles and the OIDC providers
 *   are never changed, and no other role is assumed but the scoped deploy roles.
 * Sources: "IAM: Delegate permissions boundary management" / "Example: creating a role only with
 * a boundary" (iam:PermissionsBoundary), "IAM JSON policy elements: NotAction".
 */

/** IAM actions a workload may still call: reading, and the service-linked roles AWS services create for it. */
const WORKLOAD_IAM_ACTIONS = ['iam:Get*', 'iam:List*', 'iam:CreateServiceLinkedRole'] as const;

/** AWS managed policies no deploy may ever attach (administrator or IAM-wide). */
export const ADMINISTRATOR_POLICY_ARNS = [
  'arn:aws:iam::aws:policy/AdministratorAccess',
  'arn:aws:iam::aws:policy/AdministratorAccess-*',
  'arn:aws:iam::aws:policy/PowerUserAccess',
  'arn:aws:iam::aws:policy/IAMFullAccess',
  'arn:aws:iam::aws:policy/*FullAccess',
] as const;

/** IAM users and groups: the estate has none, and a deploy creates none (no long-lived keys). */
const USER_AND_GROUP_WRITES = [
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:AttachUserPolicy',
  'iam:PutUserPolicy',
  'iam:AddUserToGroup',
  'iam:CreateGroup',
  'iam:AttachGroupPolicy',
  'iam:PutGroupPolicy',
] as const;

/** Actions that only read an IAM role (a deploy reads the CI roles it must never change). */
const READ_ROLE_ACTIONS = ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListRoleTags'] as const;

/** The workload boundary's statements. */
export function workloadBoundaryStatements(props: { readonly ciRoleArnPattern: string }): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: 'AnythingButIam', notActions: ['iam:*', 'organizations:*', 'account:*'], resources: ['*'] },
    { sid: 'ReadIamAndServiceLinkedRoles', actions: [...WORKLOAD_IAM_ACTIONS], resources: ['*'] },
    { sid: 'NeverACiRole', effect: 'Deny', actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [props.ciRoleArnPattern] },
  ];
}

/** What the ci-deploy boundary fences. */
export interface CiDeployBoundaryScope {
  /** ARN of the workload boundary. */
  readonly workloadBoundaryArn: string;
  /** ARNs of both boundary policies: never changed by a deploy. */
  readonly boundaryArns: readonly string[];
  /** ARNs of every CI role (plan, review, deploy, scoped deploy roles). */
  readonly ciRoleArns: readonly string[];
  /** ARNs of the scoped deploy roles: the only roles a deploy role may assume. */
  readonly scopedRoleArns: readonly string[];
  readonly accountId: string;
}

/** The ci-deploy boundary's statements. */
export function ciDeployBoundaryStatements(scope: CiDeployBoundaryScope): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: 'AnythingButOrganizationsAndAccount', notActions: ['organizations:*', 'account:*'], resources: ['*'] },
    {
      sid: 'RolesOnlyWithTheWorkloadBoundary',
      effect: 'Deny',
      actions: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      resources: ['*'],
      condition: [{ test: 'StringNotEquals', variable: 'iam:PermissionsBoundary', values: [scope.workloadBoundaryArn] }],
    },
    { sid: 'BoundariesStay', effect: 'Deny', actions: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'], resources: ['*'] },
    {
      sid: 'NoAdministratorPolicies',
      effect: 'Deny',
      actions: ['iam:AttachRolePolicy', 'iam:AttachUserPolicy', 'iam:AttachGroupPolicy'],
      resources: ['*'],
      condition: [{ test: 'ArnLike', variable: 'iam:PolicyARN', values: [...ADMINISTRATOR_POLICY_ARNS] }],
    },
    { sid: 'NoUsersOrGroups', effect: 'Deny', actions: [...USER_AND_GROUP_WRITES], resources: ['*'] },
    {
      sid: 'NeverTheBoundaries',
      effect: 'Deny',
      actions: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy'],
      resources: [...scope.boundaryArns],
    },
    {
      sid: 'NeverTheCiAccess',
      effect: 'Deny',
      // Assuming a scoped role is the next statement's concern.
      notActions: [...READ_ROLE_ACTIONS, 'sts:AssumeRole', 'sts:TagSession'],
      resources: [...scope.ciRoleArns, `arn:aws:iam::${scope.accountId}:oidc-provider/*`],
    },
    { sid: 'AssumeOnlyTheScopedDeployRoles', effect: 'Deny', actions: ['sts:AssumeRole'], notResources: [...scope.scopedRoleArns] },
  ];
}

/** Props of {@link BoundaryPolicy}. */
export interface BoundaryPolicyProps {
  /** Policy name (config/naming.ts boundaryPolicyName). */
  readonly name: string;
  readonly description: string;
  readonly statements: DataAwsIamPolicyDocumentStatement[];
}

/** A permissions boundary: a customer managed policy, protected from deletion (every bounded role names it). */
export class BoundaryPolicy extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: BoundaryPolicyProps) {
    super(scope, id);
    const document = new DataAwsIamPolicyDocument(this, 'document', { statement: props.statements });
    this.policy = new IamPolicy(this, 'policy', {
      name: props.name,
      description: props.description,
      policy: document.json,
      lifecycle: { preventDestroy: true },
    });
  }
}

/**
 * Gives every IAM role under a scope a permissions boundary (as aws-cdk-lib's
 * `PermissionsBoundary.of(scope).apply(policy)`): a role that sets its own keeps it.
 */
export class PermissionsBoundary implements IAspect {
  /** Applies `policyArn` to every role under `scope`. */
  static of(scope: IConstruct, policyArn: string): void {
    Aspects.of(scope).add(new PermissionsBoundary(policyArn));
  }

  private constructor(private readonly policyArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) node.permissionsBoundary = this.policyArn;
  }
}
