import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { useKeyByAlias } from '../encryption-key';
import { dnsDeployStatements, regionalDeployStatements, type DnsStateLocation } from './policies';

/** GitHub Actions' OIDC issuer, and the audience the AWS credentials action asks tokens for. */
export const GITHUB_OIDC = { url: 'https://token.actions.githubusercontent.com', host: 'token.actions.githubusercontent.com', audience: 'sts.amazonaws.com' } as const;

/** Props of {@link CiAccess}. */
export interface CiAccessProps {
  /** Name of the plan role (read-only: reviews and plans). */
  readonly planRoleName: string;
  /** Name of the deploy jobs' role, which may only assume the scoped deploy roles (GitHub). */
  readonly deployRoleName: string;
  /** One deploy role per estate region, by region: its regional and monitoring stacks. */
  readonly regionalDeployRoleNames: Readonly<Record<string, string>>;
  /** The DR stack's deploy role: Route 53 and the DR stack's own state. */
  readonly dnsDeployRoleName: string;
  /** Where the DR stack's state is. */
  readonly dnsState: DnsStateLocation;
  /** Prefix every IAM name of the estate starts with (`<project>-<environment>`). */
  readonly namePrefix: string;
  readonly accountId: string;
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
  /** Roles of the Gitea deploy runners: the only Gitea runners that may assume the scoped deploy roles. */
  readonly giteaDeployRunnerRoleArns: readonly string[];
}

/**
 * The AWS side of CI/CD: GitHub's OIDC provider and one role per purpose.
 * - plan: read-only (AWS ReadOnlyAccess, plus reading state under the storage key and the
 *   database secret the stacks open at plan time); assumable from pull requests and main.
 * - deploy: what GitHub's deploy jobs assume, only from the deploy environment (whose reviewers
 *   approve every deploy); it can do nothing but assume the scoped roles below, one per stack.
 * - deploy-<region>: a region's regional and monitoring stacks (PowerUserAccess, and the IAM
 *   actions a deploy needs on the estate's own names only), fenced to that region, never on the
 *   CI roles themselves.
 * - deploy-dns: the DR stack, the DNS flip: Route 53 and its own state, nothing else.
 * The scoped roles trust the deploy role and the Gitea deploy runners. No static keys: GitHub's
 * tokens name the repository, the trigger and the environment, and the trust matches them exactly.
 */
export class CiAccess extends Construct {
  /** The plan role (drift reviews, pull requests, the deploys' plans). */
  readonly planRole: IamRole;
  /** The GitHub deploy jobs' role, when a repository is configured. */
  readonly deployRole?: IamRole;
  /** The scoped deploy roles: `deploy-<region>` and `deploy-dns`. */
  readonly scopedDeployRoles: Readonly<Record<string, IamRole>>;
  /** GitHub's OIDC provider, when a repository is configured. */
  readonly githubProvider?: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    const repo = props.githubRepository;
    if (repo) {
      this.githubProvider = new IamOpenidConnectProvider(this, 'github', { url: GITHUB_OIDC.url, clientIdList: [GITHUB_OIDC.audience] });
    }
    const trust = (name: string, trusted: { github?: readonly string[]; roles: readonly string[] }) => {
      const statement: DataAwsIamPolicyDocumentStatement[] = [];
      if (this.githubProvider && repo && trusted.github) {
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
      if (!statement.length) throw new Error(`CiAccess ${id}: nothing may assume ${name}: set a GitHub repository or Gitea runner roles.`);
      return new DataAwsIamPolicyDocument(this, `${name}-trust`, { statement }).json;
    };
    const policy = (role: IamRole, name: string, statement: DataAwsIamPolicyDocumentStatement[]) => {
      const document = new DataAwsIamPolicyDocument(this, name, { statement });
      new IamRolePolicy(this, `${name}-policy`, { name: `estate-${name}`, role: role.id, policy: document.json });
    };
    const regions = Object.keys(props.regionalDeployRoleNames);
    const arnOf = (name: string) => `arn:aws:iam::${props.accountId}:role/${name}`;

    this.planRole = new IamRole(this, 'plan', {
      name: props.planRoleName,
      description: 'CI plans and drift reviews: read-only',
      assumeRolePolicy: trust('plan', { github: ['pull_request', 'ref:refs/heads/main'], roles: props.giteaRunnerRoleArns }),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, 'plan-read-only', { role: this.planRole.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    const viaServices = regions.flatMap((r) => [`s3.${r}.amazonaws.com`, `secretsmanager.${r}.amazonaws.com`]);
    policy(this.planRole, 'plan-reads', [
      useKeyByAlias('DecryptStateAndTheDatabaseSecret', props.accountId, props.storageKeyAlias, ['kms:Decrypt'], viaServices),
      {
        sid: 'ReadTheDatabaseSecret',
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends 6 random characters to a secret's ARN.
        resources: regions.map((r) => `arn:aws:secretsmanager:${r}:${props.accountId}:secret:${props.databaseSecretName}-??????`),
      },
    ]);

    const scopedNames = { ...Object.fromEntries(regions.map((r) => [`deploy-${r}`, props.regionalDeployRoleNames[r]])), 'deploy-dns': props.dnsDeployRoleName };
    if (repo) {
      this.deployRole = new IamRole(this, 'deploy', {
        name: props.deployRoleName,
        description: `CI deploy jobs, from the ${props.deployEnvironment} environment only: assumes the scoped deploy roles`,
        assumeRolePolicy: trust('deploy', { github: [`environment:${props.deployEnvironment}`], roles: [] }),
        maxSessionDuration: 7200,
      });
      policy(this.deployRole, 'deploy-assume', [{ sid: 'TheScopedDeployRoles', actions: ['sts:AssumeRole', 'sts:TagSession'], resources: Object.values(scopedNames).map(arnOf) }]);
    }
    const scopedTrust = { roles: [...(this.deployRole ? [this.deployRole.arn] : []), ...props.giteaDeployRunnerRoleArns] };
    const ciRoleArns = [props.planRoleName, props.deployRoleName, ...Object.values(scopedNames)].map(arnOf);
    const scoped: Record<string, IamRole> = {};
    if (scopedTrust.roles.length) {
      for (const region of regions) {
        const role = new IamRole(this, `deploy-${region}`, {
          name: props.regionalDeployRoleNames[region],
          description: `CI deploys of the ${region} regional and monitoring stacks, in ${region} only`,
          assumeRolePolicy: trust(`deploy-${region}`, scopedTrust),
          maxSessionDuration: 7200,
        });
        new IamRolePolicyAttachment(this, `deploy-${region}-power-user`, { role: role.name, policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' });
        policy(role, `deploy-${region}-scope`, regionalDeployStatements({ accountId: props.accountId, namePrefix: props.namePrefix, region, ciRoleArns }));
        scoped[`deploy-${region}`] = role;
      }
      const dns = new IamRole(this, 'deploy-dns', {
        name: props.dnsDeployRoleName,
        description: 'CI deploys of the DR stack (the DNS flip): Route 53 and its own state only',
        assumeRolePolicy: trust('deploy-dns', scopedTrust),
        maxSessionDuration: 7200,
      });
      policy(dns, 'deploy-dns-scope', dnsDeployStatements({ accountId: props.accountId, storageKeyAlias: props.storageKeyAlias, state: props.dnsState }));
      scoped['deploy-dns'] = dns;
    }
    this.scopedDeployRoles = scoped;

    new TerraformOutput(this, 'plan-role-arn', {
      value: this.planRole.arn,
      description: 'The CI plan role: the AWS_PLAN_ROLE_ARN variable of the pipelines.',
    });
    if (this.deployRole) {
      new TerraformOutput(this, 'deploy-role-arn', {
        value: this.deployRole.arn,
        description: 'The GitHub deploy jobs\' role: the AWS_DEPLOY_ROLE_ARN variable of the deploy environment.',
      });
    }
  }
}
