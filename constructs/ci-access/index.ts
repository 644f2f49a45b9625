import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { BoundaryPolicy, ciDeployBoundaryStatements } from '../permissions-boundary';
import { dnsDeployStatements, regionalDeployStatements, type DnsStateLocation } from './policies';
import { planStatements, reviewStatements, type PlanScope } from './read-policies';

/** GitHub Actions' OIDC issuer, and the audience the AWS credentials action asks tokens for. */
export const GITHUB_OIDC = { url: 'https://token.actions.githubusercontent.com', host: 'token.actions.githubusercontent.com', audience: 'sts.amazonaws.com' } as const;

/** A region's deploy role. */
export interface RegionalDeployRole {
  readonly roleName: string;
  /** IAM name patterns it may create and change (config/naming.ts regionalIamNamePatterns). */
  readonly iamNamePatterns: readonly string[];
}

/** Props of {@link CiAccess}. */
export interface CiAccessProps {
  /** Name of the review role (pull requests: read-only, no secret, no Git backup, no data key). */
  readonly reviewRoleName: string;
  /** Name of the plan role (main, and approved pull request runs: plans every stack). */
  readonly planRoleName: string;
  /** Name of the deploy jobs' role, which may only assume the scoped deploy roles (GitHub). */
  readonly deployRoleName: string;
  /** One deploy role per estate region, by region: its regional and monitoring stacks. */
  readonly regionalDeployRoles: Readonly<Record<string, RegionalDeployRole>>;
  /** The DNS stack's deploy role: Route 53 and the DNS stack's own state. */
  readonly dnsDeployRoleName: string;
  /** Where the DNS stack's state is. */
  readonly dnsState: DnsStateLocation;
  /** What the plan and review roles may read, and never read. */
  readonly reads: Omit<PlanScope, 'accountId' | 'regions' | 'storageKeyAlias'>;
  readonly accountId: string;
  /** The storage key's alias in every region: state objects and the database secret are under it. */
  readonly storageKeyAlias: string;
  /** The hosted zone (regional deploy roles write only certificate validation records in it). */
  readonly zoneName: string;
  /** ARN of the workload permissions boundary: every role a deploy creates carries it. */
  readonly workloadBoundaryArn: string;
  /** Name of the ci-deploy permissions boundary this construct creates for the deploy roles. */
  readonly ciDeployBoundaryName: string;
  /** The AWS managed policies the regional stacks attach (the regional deploy roles may attach only these). */
  readonly attachablePolicyArns: readonly string[];
  /** The GitHub repository (`owner/name`) whose workflows may assume the roles. */
  readonly githubRepository: string;
  /** The GitHub environment the deploy role trusts (required reviewers). */
  readonly deployEnvironment: string;
  /** The GitHub environment whose approved runs may assume the plan role (pull request plans of the stacks that read secrets). */
  readonly planEnvironment: string;
}

/**
 * The AWS side of CI/CD: GitHub's OIDC provider and one role per purpose.
 * - review: pull requests (code nobody has approved): AWS ReadOnlyAccess and the states, never a
 *   secret, a Git backup or another data key; plans the stacks that open no secret.
 * - plan: main, and pull request runs a maintainer approved in the plan environment: every stack
 *   plans (ReadOnlyAccess, the states, the secrets the stacks open at plan time); no Git backup.
 * - deploy: what GitHub's deploy jobs assume, only from the deploy environment (whose reviewers
 *   approve every deploy); it can do nothing but assume the scoped roles below, one per stack.
 * - deploy-<region>: a region's regional and monitoring stacks (PowerUserAccess, and the IAM
 *   actions a deploy needs on the estate's own names only), fenced to that region, never on the
 *   CI roles themselves.
 * - deploy-dns: the DNS stack, the DNS flip: Route 53 and its own state, nothing else.
 * The scoped roles trust the deploy role only; every deploy role has the
 * ci-deploy permissions boundary, and every role a deploy creates the workload one. No static keys: GitHub's
 * tokens name the repository, the trigger and the environment, and the trust matches them exactly.
 */
export class CiAccess extends Construct {
  /** The review role (pull requests' plans of the stacks that open no secret). */
  readonly reviewRole: IamRole;
  /** The plan role (main's drift reviews and deploy plans, approved pull request plans). */
  readonly planRole: IamRole;
  /** The deploy roles' permissions boundary. */
  readonly ciDeployBoundary: BoundaryPolicy;
  /** The GitHub deploy jobs' role. */
  readonly deployRole: IamRole;
  /** The scoped deploy roles: `deploy-<region>` and `deploy-dns`. */
  readonly scopedDeployRoles: Readonly<Record<string, IamRole>>;
  /** GitHub's OIDC provider. */
  readonly githubProvider: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    const repo = props.githubRepository;
    this.githubProvider = new IamOpenidConnectProvider(this, 'github', { url: GITHUB_OIDC.url, clientIdList: [GITHUB_OIDC.audience] });
    const trust = (name: string, trusted: { github?: readonly string[]; roles: readonly string[] }) => {
      const statement: DataAwsIamPolicyDocumentStatement[] = [];
      if (trusted.github) {
        statement.push({
          sid: 'GitHubActions',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [this.githubProvider.arn] }],
          condition: [
            { test: 'StringEquals', variable: `${GITHUB_OIDC.host}:aud`, values: [GITHUB_OIDC.audience] },
            { test: 'StringEquals', variable: `${GITHUB_OIDC.host}:sub`, values: trusted.github.map((s) => `repo:${repo}:${s}`) },
          ],
        });
      }
      if (trusted.roles.length) {
        statement.push({ sid: 'Roles', actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: [...trusted.roles] }] });
      }
      if (!statement.length) throw new Error(`CiAccess ${id}: nothing may assume ${name}.`);
      return new DataAwsIamPolicyDocument(this, `${name}-trust`, { statement }).json;
    };
    const policy = (role: IamRole, name: string, statement: DataAwsIamPolicyDocumentStatement[]) => {
      const document = new DataAwsIamPolicyDocument(this, name, { statement });
      new IamRolePolicy(this, `${name}-policy`, { name: `estate-${name}`, role: role.id, policy: document.json });
    };
    const regions = Object.keys(props.regionalDeployRoles);
    const arnOf = (name: string) => `arn:aws:iam::${props.accountId}:role/${name}`;

    const readScope = { accountId: props.accountId, regions, storageKeyAlias: props.storageKeyAlias, ...props.reads };
    this.reviewRole = new IamRole(this, 'review', {
      name: props.reviewRoleName,
      description: 'CI reviews of pull requests: read-only, no secret, no Git backup, no data key',
      assumeRolePolicy: trust('review', { github: ['pull_request'], roles: [] }),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, 'review-read-only', { role: this.reviewRole.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    policy(this.reviewRole, 'review-reads', reviewStatements(readScope));

    this.planRole = new IamRole(this, 'plan', {
      name: props.planRoleName,
      description: `CI plans of every stack: main, and pull request runs approved in the ${props.planEnvironment} environment; read-only`,
      assumeRolePolicy: trust('plan', { github: ['ref:refs/heads/main', `environment:${props.planEnvironment}`], roles: [] }),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, 'plan-read-only', { role: this.planRole.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    policy(this.planRole, 'plan-reads', planStatements(readScope));

    const scopedNames = { ...Object.fromEntries(regions.map((r) => [`deploy-${r}`, props.regionalDeployRoles[r].roleName])), 'deploy-dns': props.dnsDeployRoleName };
    const scopedArns = Object.values(scopedNames).map(arnOf);
    const ciRoleArns = [props.reviewRoleName, props.planRoleName, props.deployRoleName, ...Object.values(scopedNames)].map(arnOf);
    const ciDeployBoundaryArn = `arn:aws:iam::${props.accountId}:policy/${props.ciDeployBoundaryName}`;

    this.ciDeployBoundary = new BoundaryPolicy(this, 'deploy-boundary', {
      name: props.ciDeployBoundaryName,
      description: 'Permissions boundary of the CI deploy roles',
      statements: ciDeployBoundaryStatements({
        workloadBoundaryArn: props.workloadBoundaryArn,
        boundaryArns: [props.workloadBoundaryArn, ciDeployBoundaryArn],
        ciRoleArns,
        scopedRoleArns: scopedArns,
        accountId: props.accountId,
      }),
    });
    const deployScope = { permissionsBoundary: this.ciDeployBoundary.policy.arn, maxSessionDuration: 7200 };
    this.deployRole = new IamRole(this, 'deploy', {
      name: props.deployRoleName,
      description: `CI deploy jobs, from the ${props.deployEnvironment} environment only: assumes the scoped deploy roles`,
      assumeRolePolicy: trust('deploy', { github: [`environment:${props.deployEnvironment}`], roles: [] }),
      ...deployScope,
    });
    policy(this.deployRole, 'deploy-assume', [{ sid: 'TheScopedDeployRoles', actions: ['sts:AssumeRole', 'sts:TagSession'], resources: scopedArns }]);
    const scopedTrust = { roles: [this.deployRole.arn] };
    const scoped: Record<string, IamRole> = {};
    for (const region of regions) {
      const { roleName, iamNamePatterns } = props.regionalDeployRoles[region];
      const role = new IamRole(this, `deploy-${region}`, {
        name: roleName,
        description: `CI deploys of the ${region} regional and monitoring stacks, in ${region} only`,
        assumeRolePolicy: trust(`deploy-${region}`, scopedTrust),
        ...deployScope,
      });
      new IamRolePolicyAttachment(this, `deploy-${region}-power-user`, { role: role.name, policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' });
      policy(
        role,
        `deploy-${region}-scope`,
        regionalDeployStatements({
          accountId: props.accountId,
          region,
          iamNamePatterns,
          workloadBoundaryArn: props.workloadBoundaryArn,
          attachablePolicyArns: props.attachablePolicyArns,
          zoneName: props.zoneName,
        }),
      );
      scoped[`deploy-${region}`] = role;
    }
    const dns = new IamRole(this, 'deploy-dns', {
      name: props.dnsDeployRoleName,
      description: 'CI deploys of the DNS stack (the DNS flip): Route 53 and its own state only',
      assumeRolePolicy: trust('deploy-dns', scopedTrust),
      ...deployScope,
    });
    policy(dns, 'deploy-dns-scope', dnsDeployStatements({ accountId: props.accountId, storageKeyAlias: props.storageKeyAlias, state: props.dnsState }));
    scoped['deploy-dns'] = dns;
    this.scopedDeployRoles = scoped;

    new TerraformOutput(this, 'review-role-arn', {
      value: this.reviewRole.arn,
      description: 'The CI review role: the AWS_REVIEW_ROLE_ARN variable of the pipelines (pull requests).',
    });
    new TerraformOutput(this, 'plan-role-arn', {
      value: this.planRole.arn,
      description: 'The CI plan role: the AWS_PLAN_ROLE_ARN variable of the pipelines.',
    });
    new TerraformOutput(this, 'deploy-role-arn', {
      value: this.deployRole.arn,
      description: 'The GitHub deploy jobs\' role: the AWS_DEPLOY_ROLE_ARN variable of the deploy environment.',
    });
  }
}
