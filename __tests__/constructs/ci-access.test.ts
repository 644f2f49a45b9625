import { dataSource, resource, resourcesOf, synthEstate, withInput } from './../helpers';

/*
 * The AWS side of CI (constructs/ci-access/, in the DR bootstrap stack): GitHub's OIDC provider,
 * a read-only plan role, a deploy role that only the deploy environment can assume and that can
 * only assume the scoped deploy roles (one per region, one for the DNS stack), and the EKS
 * clusters trusting their region's deploy role (admin) and the plan role (view).
 */

const { byName } = synthEstate();
const bootstrap = byName['bootstrap-us-west-1'];
const statements = (id: string) => dataSource(bootstrap, 'aws_iam_policy_document', id).statement as Record<string, any>[];
const condition = (statement: Record<string, any>, variable: string) => statement.condition.find((c: { variable: string }) => c.variable === variable)?.values;

test('GitHub\'s OIDC provider, for the AWS credentials action\'s audience, exists once: in the DR bootstrap stack', () => {
  expect(resource(bootstrap, 'aws_iam_openid_connect_provider', 'ci_github')).toMatchObject({
    url: 'https://token.actions.githubusercontent.com',
    client_id_list: ['sts.amazonaws.com'],
  });
  const elsewhere = Object.entries(byName).filter(([name, s]) => name !== 'bootstrap-us-west-1' && Object.keys(resourcesOf(s, 'aws_iam_openid_connect_provider')).length);
  expect(elsewhere).toEqual([]);
});

test('the review role is assumable from this repository\'s pull requests only, and is read-only with no secret, parameter or Git backup', () => {
  const [github] = statements('ci_review_trust');
  expect(github.principals).toEqual([{ type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.ci_github.arn}'] }]);
  expect(condition(github, 'token.actions.githubusercontent.com:aud')).toEqual(['sts.amazonaws.com']);
  expect(condition(github, 'token.actions.githubusercontent.com:sub')).toEqual(['repo:example-org/dr-estate:pull_request']);
  expect(resource(bootstrap, 'aws_iam_role', 'ci_review').name).toBe('dr-estate-prod-ci-review');
  expect(resource(bootstrap, 'aws_iam_role_policy_attachment', 'ci_review_read_only').policy_arn).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
  const reads = statements('ci_review_reads');
  expect(reads.filter((s) => s.effect !== 'Deny').flatMap((s) => s.actions as string[])).toEqual(['kms:Decrypt']);
  expect(reads.filter((s) => s.effect === 'Deny').map((s) => s.sid)).toEqual(['NoSecretValues', 'NoParameterValues', 'NeverTheGitBackups']);
});

test('the plan role is assumable from main and the plan environment only (never a pull request as such), and is read-only', () => {
  const [github] = statements('ci_plan_trust');
  expect(github.principals).toEqual([{ type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.ci_github.arn}'] }]);
  expect(condition(github, 'token.actions.githubusercontent.com:aud')).toEqual(['sts.amazonaws.com']);
  expect(condition(github, 'token.actions.githubusercontent.com:sub')).toEqual(['repo:example-org/dr-estate:ref:refs/heads/main', 'repo:example-org/dr-estate:environment:plan']);
  expect(github.condition.map((c: { test: string }) => c.test)).toEqual(['StringEquals', 'StringEquals']); // no wildcard
  expect(resource(bootstrap, 'aws_iam_role', 'ci_plan').name).toBe('dr-estate-prod-ci-plan');
  expect(resource(bootstrap, 'aws_iam_role_policy_attachment', 'ci_plan_read_only').policy_arn).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
  const actions = statements('ci_plan_reads').filter((s) => s.effect !== 'Deny').flatMap((s) => s.actions as string[]);
  expect(actions.sort()).toEqual(['kms:Decrypt', 'secretsmanager:GetRandomPassword', 'secretsmanager:GetSecretValue']);
});

test('the deploy role is assumable only from the production environment: never from a pull request or a branch', () => {
  const [github] = statements('ci_deploy_trust');
  expect(condition(github, 'token.actions.githubusercontent.com:sub')).toEqual(['repo:example-org/dr-estate:environment:production']);
  expect(JSON.stringify(statements('ci_deploy_trust'))).not.toMatch(/pull_request|refs\/heads|\*/);
});

test('the deploy role can do one thing: assume the scoped deploy roles', () => {
  expect(statements('ci_deploy_assume')).toEqual([
    {
      sid: 'TheScopedDeployRoles',
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      resources: ['us-east-2', 'us-west-1', 'dns'].map((scope) => `arn:aws:iam::111122223333:role/dr-estate-prod-ci-deploy-${scope}`),
    },
  ]);
  expect(resourcesOf(bootstrap, 'aws_iam_role_policy_attachment').ci_deploy_power_user).toBeUndefined();
});

test('the scoped deploy roles trust only the deploy role', () => {
  for (const scope of ['us_east_2', 'us_west_1', 'dns']) {
    expect([scope, statements(`ci_deploy_${scope}_trust`)]).toEqual([
      scope,
      [{ sid: 'Roles', actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: ['${aws_iam_role.ci_deploy.arn}'] }] }],
    ]);
  }
});

test.each(['us-east-2', 'us-west-1'])('the %s deploy role manages only its region\'s IAM names, roles only with the workload boundary, and acts only in its region', (region) => {
  const id = region.replace(/-/g, '_');
  expect(resourcesOf(bootstrap, 'aws_iam_role_policy_attachment')[`ci_deploy_${id}_power_user`].policy_arn).toBe('arn:aws:iam::aws:policy/PowerUserAccess');
  expect(resource(bootstrap, 'aws_iam_role', `ci_deploy_${id}`).permissions_boundary).toBe('${aws_iam_policy.ci_deploy_boundary_policy.arn}');
  const scope = statements(`ci_deploy_${id}_scope`);
  const sid = (name: string) => scope.find((s) => s.sid === name)!;
  expect(sid('ItsRolesOnlyWithTheWorkloadBoundary').resources).toEqual([
    `arn:aws:iam::111122223333:role/dr-estate-prod-${region}-*`,
    `arn:aws:iam::111122223333:role/dr-estate-prod-tfstate-replication-${region}`,
  ]);
  expect(sid('ItsRolesOnlyWithTheWorkloadBoundary').condition).toEqual([
    { test: 'StringEquals', variable: 'iam:PermissionsBoundary', values: ['${aws_iam_policy.workload_boundary_policy.arn}'] },
  ]);
  expect(sid('PassItsRolesToTheEstatesServices').condition[0].variable).toBe('iam:PassedToService');
  expect(sid('OnlyItsRegion')).toMatchObject({
    effect: 'Deny',
    resources: ['*'],
    condition: [
      { test: 'StringNotEquals', variable: 'aws:RequestedRegion', values: [region] },
      { test: 'Bool', variable: 'aws:ViaAWSService', values: ['false'] },
    ],
  });
  expect(sid('OnlyItsRegion').not_actions).toEqual(expect.arrayContaining(['iam:*', 'route53:*', 'sts:*']));
});

test('the DNS deploy role (the DNS stack) has Route 53, and writes only the DNS stack\'s own state and lock, in the DR region', () => {
  const scope = statements('ci_deploy_dns_scope');
  const sid = (name: string) => scope.find((s) => s.sid === name)!;
  expect(scope.flatMap((s) => s.actions as string[]).filter((a) => !a.startsWith('route53:')).sort()).toEqual([
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'kms:Decrypt',
    'kms:Decrypt',
    'kms:Encrypt',
    'kms:GenerateDataKey',
    's3:DeleteObject',
    's3:GetObject',
    's3:ListBucket',
    's3:PutObject',
  ]);
  expect(sid('WriteItsOwnStateAndLock').resources).toEqual([
    'arn:aws:s3:::dr-estate-prod-tfstate-111122223333-us-west-1/prod/dns-global/terraform.tfstate',
    'arn:aws:s3:::dr-estate-prod-tfstate-111122223333-us-west-1/prod/dns-global/terraform.tfstate.tflock',
  ]);
  expect(sid('StateUnderTheStorageKey').condition).toContainEqual({ test: 'StringLike', variable: 'kms:ViaService', values: ['s3.us-west-1.amazonaws.com'] });
  expect(sid('TheLockTableUnderTheStorageKey').condition).toContainEqual({ test: 'StringLike', variable: 'kms:ViaService', values: ['dynamodb.us-west-1.amazonaws.com'] });
  expect(sid('RecordsAndHealthChecks').actions).toEqual(expect.arrayContaining(['route53:ChangeResourceRecordSets', 'route53:UpdateHealthCheck']));
  expect(JSON.stringify(scope)).not.toMatch(/DeleteHostedZone|CreateHostedZone|route53:\*/);
});

test('the DNS stack\'s backend is where the DNS role may write its state and take its lock', () => {
  const backend = (byName['dns-global'].json.terraform as unknown as { backend: { s3: Record<string, string> } }).backend.s3;
  const sid = (name: string) => statements('ci_deploy_dns_scope').find((s) => s.sid === name)!;
  expect(sid('WriteItsOwnStateAndLock').resources).toContain(`arn:aws:s3:::${backend.bucket}/${backend.key}`);
  expect(sid('TheLockTable').resources).toEqual([`arn:aws:dynamodb:${backend.region}:111122223333:table/${backend.dynamodb_table}`]);
});

test('each EKS cluster gives its region\'s deploy role cluster-admin beside the configured roles, and the plan role a read-only view', () => {
  for (const region of ['us-east-2', 'us-west-1']) {
    const entries = resourcesOf(byName[`regional-${region}`], 'aws_eks_access_entry');
    expect([region, Object.values(entries).map((e) => e.principal_arn)]).toEqual([
      region,
      ['arn:aws:iam::111122223333:role/estate-admin', `arn:aws:iam::111122223333:role/dr-estate-prod-ci-deploy-${region}`, 'arn:aws:iam::111122223333:role/dr-estate-prod-ci-plan'],
    ]);
    const policies = Object.values(resourcesOf(byName[`regional-${region}`], 'aws_eks_access_policy_association')).map((p) => String(p.policy_arn).split('/').pop());
    expect(policies).toEqual(['AmazonEKSClusterAdminPolicy', 'AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminViewPolicy']);
  }
});

test('without a repository there is no CI access, and the clusters trust only the configured roles', () => {
  const none = synthEstate(withInput({ ci: {} })).byName;
  expect(resourcesOf(none['bootstrap-us-west-1'], 'aws_iam_openid_connect_provider')).toEqual({});
  expect(resourcesOf(none['bootstrap-us-west-1'], 'aws_iam_role')).toEqual({});
  // The workload boundary is there all the same: the regional stacks' roles name it.
  expect(Object.keys(resourcesOf(none['bootstrap-us-west-1'], 'aws_iam_policy'))).toEqual(['workload_boundary_policy']);
  expect(Object.values(resourcesOf(none['regional-us-east-2'], 'aws_eks_access_entry')).map((e) => e.principal_arn)).toEqual(['arn:aws:iam::111122223333:role/estate-admin']);
});
