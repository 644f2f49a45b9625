import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { useKeyByAlias } from './encryption-key';

/** GitHub Actions' OIDC issuer, and the audience the AWS credentials action asks tokens for. */
export const GITHUB_OIDC = { url: 'https://token.actions.githubusercontent.com', host: 'token.actions.githubusercontent.com', audience: 'sts.amazonaws.com' } as const;

/** Services with no region (or one fixed region): left out of the deploy role's region fence. */
export const GLOBAL_SERVICE_ACTIONS = [
  'iam:*',
  'sts:*',
  'route53:*',
  'route53domains:*',
  'organizations:*',
  'account:*',
  'support:*',
  'health:*',
  'budgets:*',
  'ce:*',
  'pricing:*',
  'cloudfront:*',
] as const;

/** What a deploy does to the estate's own roles, instance profiles and policies (and nothing more). */
export const ESTATE_IAM_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRoleTags',
  'iam:PutRolePolicy',
  'iam:GetRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:ListRolePolicies',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
  'iam:PassRole',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:GetInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
  'iam:CreatePolicy',
  'iam:DeletePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:ListPolicyVersions',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:TagPolicy',
  'iam:UntagPolicy',
] as const;

/** Props of {@link CiAccess}. */
export interface CiAccessProps {
  /** Names of the CI roles. */
  readonly planRoleName: string;
  readonly deployRoleName: string;
  /** Prefix every IAM name of the estate starts with (`<project>-<environment>`). */
  readonly namePrefix: string;
  readonly accountId: string;
  /** The estate's regions: the deploy role acts in these (and on global services) only. */
  readonly regions: readonly string[];
  /** The storage key's alias in every region: state objects and the database secret are under it. */
  readonly storageKeyAlias: string;
  /** Name of the database secret (the plan reads it: the stacks open it ephemerally). */
  readonly databaseSecretName: string;
  /**
   * The GitHub repository (`owner/name`) whose workflows may assume the roles.
   * @default - no GitHub OIDC provider, no GitHub trust
   */
  readonly githubRepository?: string;
  /** The GitHub environment the deploy role trusts (required reviewers). */
  readonly deployEnvironment: string;
  /** Roles of the Gitea runners that may assume the plan role. */
  readonly giteaRunnerRoleArns: readonly string[];
  /** Roles of the Gitea deploy runners: the only Gitea runners that may assume the deploy role. */
  readonly giteaDeployRunnerRoleArns: readonly string[];
}

/**
 * The AWS side of CI/CD: GitHub's OIDC provider and two roles, one per purpose.
 * - plan: read-only (AWS ReadOnlyAccess, plus reading state under the storage key and the
 *   database secret the stacks open at plan time); assumable from pull requests and main.
 * - deploy: everything an estate deploy does (PowerUserAccess, and the IAM actions a deploy
 *   needs on the estate's own names only), fenced to the estate's regions, never on the CI roles
 *   themselves; assumable only from
 *   the deploy environment (whose reviewers approve every deploy), or a Gitea deploy runner.
 * No static keys: GitHub's tokens name the repository, the trigger and the environment, and the
 * trust conditions match them exactly.
 */
export class CiAccess extends Construct {
  /** The plan role (drift reviews, pull requests). */
  readonly planRole: IamRole;
  /** The deploy role (the deploy jobs). */
  readonly deployRole: IamRole;
  /** GitHub's OIDC provider, when a repository is configured. */
  readonly githubProvider?: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    if (props.githubRepository) {
      this.githubProvider = new IamOpenidConnectProvider(this, 'github', {
        url: GITHUB_OIDC.url,
        clientIdList: [GITHUB_OIDC.audience],
      });
    }
    const repo = props.githubRepository;
    const trust = (name: string, subjects: readonly string[], runners: readonly string[]) => {
      const statement: DataAwsIamPolicyDocumentStatement[] = [];
      if (this.githubProvider && repo) {
        statement.push({
          sid: 'GitHubActions',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [this.githubProvider.arn] }],
          condition: [
            { test: 'StringEquals', variable: `${GITHUB_OIDC.host}:aud`, values: [GITHUB_OIDC.audience] },
            { test: 'StringEquals', variable: `${GITHUB_OIDC.host}:sub`, values: subjects.map((s) => `repo:${repo}:${s}`) },
          ],
        });
      }
      if (runners.length) {
        statement.push({ sid: 'GiteaRunners', actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: [...runners] }] });
      }
      if (!statement.length) throw new Error(`CiAccess ${id}: nothing may assume ${name}: set a GitHub repository or Gitea runner roles.`);
      return new DataAwsIamPolicyDocument(this, `${name}-trust`, { statement }).json;
    };

    this.planRole = new IamRole(this, 'plan', {
      name: props.planRoleName,
      description: 'CI plans and drift reviews: read-only',
      assumeRolePolicy: trust('plan', ['pull_request', 'ref:refs/heads/main'], props.giteaRunnerRoleArns),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, 'plan-read-only', { role: this.planRole.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    const viaServices = props.regions.flatMap((r) => [`s3.${r}.amazonaws.com`, `secretsmanager.${r}.amazonaws.com`]);
    const planReads = new DataAwsIamPolicyDocument(this, 'plan-reads', {
      statement: [
        useKeyByAlias('DecryptStateAndTheDatabaseSecret', props.accountId, props.storageKeyAlias, ['kms:Decrypt'], viaServices),
        {
          sid: 'ReadTheDatabaseSecret',
          actions: ['secretsmanager:GetSecretValue'],
          // Secrets Manager appends 6 random characters to a secret's ARN.
          resources: props.regions.map((r) => `arn:aws:secretsmanager:${r}:${props.accountId}:secret:${props.databaseSecretName}-??????`),
        },
      ],
    });
    new IamRolePolicy(this, 'plan-reads-policy', { name: 'estate-plan-reads', role: this.planRole.id, policy: planReads.json });

    this.deployRole = new IamRole(this, 'deploy', {
      name: props.deployRoleName,
      description: `CI deploys, from the ${props.deployEnvironment} environment only`,
      assumeRolePolicy: trust('deploy', [`environment:${props.deployEnvironment}`], props.giteaDeployRunnerRoleArns),
      maxSessionDuration: 7200,
    });
    new IamRolePolicyAttachment(this, 'deploy-power-user', { role: this.deployRole.name, policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    const iam = (kind: string) => `arn:aws:iam::${props.accountId}:${kind}/${props.namePrefix}-*`;
    const deployScope = new DataAwsIamPolicyDocument(this, 'deploy-scope', {
      statement: [
        { sid: 'TheEstatesOwnIamNames', actions: [...ESTATE_IAM_ACTIONS], resources: [iam('role'), iam('instance-profile'), iam('policy')] },
        { sid: 'ReadAwsManagedPolicies', actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'], resources: ['arn:aws:iam::aws:policy/*'] },
        {
          sid: 'ServiceLinkedRoles',
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [`arn:aws:iam::${props.accountId}:role/aws-service-role/*`],
        },
        {
          sid: 'NeverTheCiAccessItself',
          effect: 'Deny',
          notActions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListRoleTags'],
          resources: [
            `arn:aws:iam::${props.accountId}:role/${props.planRoleName}`,
            `arn:aws:iam::${props.accountId}:role/${props.deployRoleName}`,
            `arn:aws:iam::${props.accountId}:oidc-provider/*`,
          ],
        },
        {
          sid: 'OnlyTheEstatesRegions',
          effect: 'Deny',
          notActions: [...GLOBAL_SERVICE_ACTIONS],
          resources: ['*'],
          condition: [{ test: 'StringNotEquals', variable: 'aws:RequestedRegion', values: [...props.regions] }],
        },
      ],
    });
    new IamRolePolicy(this, 'deploy-scope-policy', { name: 'estate-deploy-scope', role: this.deployRole.id, policy: deployScope.json });

    new TerraformOutput(this, 'plan-role-arn', {
      value: this.planRole.arn,
      description: 'The CI plan role: the AWS_PLAN_ROLE_ARN variable of the pipelines.',
    });
    new TerraformOutput(this, 'deploy-role-arn', {
      value: this.deployRole.arn,
      description: 'The CI deploy role: the AWS_DEPLOY_ROLE_ARN variable of the pipelines (GitHub: of the deploy environment).',
    });
  }
}
