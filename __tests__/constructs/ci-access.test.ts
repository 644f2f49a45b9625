import { committedInput, dataSource, resource, resourcesOf, synthEstate, withInput } from './../helpers';

/*
 * The AWS side of CI (constructs/ci-access.ts, in the DR bootstrap stack): GitHub's OIDC
 * provider, a read-only plan role and a deploy role that only the deploy environment (or a Gitea
 * deploy runner) can assume, and the EKS clusters trusting the deploy role.
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

test('the plan role is assumable from this repository\'s pull requests and main only, and is read-only', () => {
  const [github] = statements('ci_plan_trust');
  expect(github.principals).toEqual([{ type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.ci_github.arn}'] }]);
  expect(condition(github, 'token.actions.githubusercontent.com:aud')).toEqual(['sts.amazonaws.com']);
  expect(condition(github, 'token.actions.githubusercontent.com:sub')).toEqual(['repo:example-org/dr-estate:pull_request', 'repo:example-org/dr-estate:ref:refs/heads/main']);
  expect(github.condition.map((c: { test: string }) => c.test)).toEqual(['StringEquals', 'StringEquals']); // no wildcard
  expect(resource(bootstrap, 'aws_iam_role', 'ci_plan').name).toBe('dr-estate-prod-ci-plan');
  expect(resource(bootstrap, 'aws_iam_role_policy_attachment', 'ci_plan_read_only').policy_arn).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
  const actions = statements('ci_plan_reads').flatMap((s) => s.actions as string[]);
  expect(actions.sort()).toEqual(['kms:Decrypt', 'secretsmanager:GetSecretValue']);
});

test('the deploy role is assumable only from the production environment: never from a pull request or a branch', () => {
  const [github] = statements('ci_deploy_trust');
  expect(condition(github, 'token.actions.githubusercontent.com:sub')).toEqual(['repo:example-org/dr-estate:environment:production']);
  expect(JSON.stringify(statements('ci_deploy_trust'))).not.toMatch(/pull_request|refs\/heads|\*/);
});

test('the deploy role manages only the estate\'s own IAM names, never the CI roles, and acts only in the estate\'s regions', () => {
  const scope = statements('ci_deploy_scope');
  const sid = (name: string) => scope.find((s) => s.sid === name)!;
  expect(sid('TheEstatesOwnIamNames').resources).toEqual([
    'arn:aws:iam::111122223333:role/dr-estate-prod-*',
    'arn:aws:iam::111122223333:instance-profile/dr-estate-prod-*',
    'arn:aws:iam::111122223333:policy/dr-estate-prod-*',
  ]);
  expect(sid('NeverTheCiAccessItself')).toMatchObject({
    effect: 'Deny',
    resources: expect.arrayContaining(['arn:aws:iam::111122223333:role/dr-estate-prod-ci-deploy', 'arn:aws:iam::111122223333:oidc-provider/*']),
  });
  expect(sid('OnlyTheEstatesRegions')).toMatchObject({
    effect: 'Deny',
    resources: ['*'],
    condition: [{ test: 'StringNotEquals', variable: 'aws:RequestedRegion', values: ['us-east-2', 'us-west-1'] }],
  });
  expect(sid('OnlyTheEstatesRegions').not_actions).toEqual(expect.arrayContaining(['iam:*', 'route53:*', 'sts:*']));
});

test('both EKS clusters give the deploy role cluster-admin, beside the configured roles', () => {
  for (const region of ['us-east-2', 'us-west-1']) {
    const entries = Object.values(resourcesOf(byName[`regional-${region}`], 'aws_eks_access_entry')).map((e) => e.principal_arn);
    expect([region, entries]).toEqual([region, ['arn:aws:iam::111122223333:role/estate-admin', 'arn:aws:iam::111122223333:role/dr-estate-prod-ci-deploy']]);
  }
});

test('Gitea runners: the review runners may assume the plan role, only the deploy runners the deploy role', () => {
  const review = 'arn:aws:iam::111122223333:role/gitea-runner';
  const deployer = 'arn:aws:iam::111122223333:role/gitea-deploy-runner';
  const gitea = synthEstate(withInput({ ci: { ...committedInput.ci, giteaRunnerRoleArns: [review], giteaDeployRunnerRoleArns: [deployer] } })).byName['bootstrap-us-west-1'];
  const trust = (id: string) => (dataSource(gitea, 'aws_iam_policy_document', id).statement as Record<string, any>[]).find((s) => s.sid === 'GiteaRunners');
  expect(trust('ci_plan_trust')?.principals).toEqual([{ type: 'AWS', identifiers: [review] }]);
  expect(trust('ci_deploy_trust')?.principals).toEqual([{ type: 'AWS', identifiers: [deployer] }]);
});

test('without a repository or runners there is no CI access, and the clusters trust only the configured roles', () => {
  const none = synthEstate(withInput({ ci: {} })).byName;
  expect(resourcesOf(none['bootstrap-us-west-1'], 'aws_iam_openid_connect_provider')).toEqual({});
  expect(resourcesOf(none['bootstrap-us-west-1'], 'aws_iam_role')).toEqual({});
  expect(Object.values(resourcesOf(none['regional-us-east-2'], 'aws_eks_access_entry')).map((e) => e.principal_arn)).toEqual(['arn:aws:iam::111122223333:role/estate-admin']);
});
