import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { resolveConfig } from '../../config/load';
import { stackRoles } from '../../scripts/deploy/stack-roles';
import { committedInput, synthesizedStacks } from '../helpers';

/*
 * The IAM and GitHub OIDC rules the CI roles rely on (constructs/ci-access.ts), each with its source.
 */

const stacks = synthesizedStacks();
const roles = Object.values(stacks).flatMap((s) => Object.values(s.resource.aws_iam_role ?? {})) as Record<string, any>[];
const documents = Object.values(stacks).flatMap((s) => Object.entries(s.data?.aws_iam_policy_document ?? {})) as [string, Record<string, any>][];
const githubTrusts = documents.flatMap(([id, doc]) =>
  (doc.statement as Record<string, any>[])
    .filter((st) => (st.principals ?? []).some((p: { type: string; identifiers: string[] }) => p.type === 'Federated' && p.identifiers.some((i) => i.includes('openid_connect_provider.ci_github'))))
    .map((st) => [id, st] as const),
);
const conditionValues = (statement: Record<string, any>, variable: string) =>
  (statement.condition as { test: string; variable: string; values: string[] }[]).filter((c) => c.variable === variable);

test('IAM: GitHub\'s OIDC provider is https://token.actions.githubusercontent.com, audience sts.amazonaws.com (GitHub docs, "Configuring OpenID Connect in Amazon Web Services")', () => {
  const providers = Object.values(stacks).flatMap((s) => Object.values(s.resource.aws_iam_openid_connect_provider ?? {})) as Record<string, any>[];
  expect(providers).toEqual([expect.objectContaining({ url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] })]);
});

test('IAM: every role trusting GitHub\'s provider checks the token\'s aud and sub, the sub exactly (IAM User Guide, "Create a role for OpenID Connect federation": without sub any repository may assume it)', () => {
  expect(githubTrusts.length).toBe(3); // review, plan, deploy
  for (const [id, statement] of githubTrusts) {
    expect([id, conditionValues(statement, 'token.actions.githubusercontent.com:aud')]).toEqual([id, [{ test: 'StringEquals', variable: 'token.actions.githubusercontent.com:aud', values: ['sts.amazonaws.com'] }]]);
    const sub = conditionValues(statement, 'token.actions.githubusercontent.com:sub');
    expect([id, sub.map((c) => c.test)]).toEqual([id, ['StringEquals']]);
    for (const value of sub[0].values) expect(value).toMatch(/^repo:[^*:]+\/[^*:]+:(pull_request|ref:refs\/heads\/[^*]+|environment:[^*]+)$/);
  }
});

test('GitHub: a job with an environment presents sub "environment:<name>", one without presents its ref or pull_request (GitHub docs, "OpenID Connect", example subject claims): the deploy jobs carry the environment the deploy role trusts, the drift review none', () => {
  const workflow = parse(readFileSync(join(__dirname, '..', '..', '.github', 'workflows', 'estate.yml'), 'utf8')) as { jobs: Record<string, { environment?: string }> };
  const deployTrust = githubTrusts.find(([id]) => id === 'ci_deploy_trust')![1];
  const planTrust = githubTrusts.find(([id]) => id === 'ci_plan_trust')![1];
  const reviewTrust = githubTrusts.find(([id]) => id === 'ci_review_trust')![1];
  const environments = conditionValues(deployTrust, 'token.actions.githubusercontent.com:sub')[0].values.map((v) => v.split(':environment:')[1]);
  for (const job of ['deploy-regional', 'deploy-dns', 'deploy-monitoring', 'deploy-passive']) expect([job, workflow.jobs[job].environment]).toEqual([job, environments[0]]);
  // The pull request review has no environment (sub pull_request: the review role); the approved
  // plans of the secret-opening stacks carry the one environment the plan role names.
  expect(workflow.jobs.drift.environment).toBeUndefined();
  expect(conditionValues(reviewTrust, 'token.actions.githubusercontent.com:sub')[0].values).toEqual(['repo:example-org/dr-estate:pull_request']);
  const planEnvironments = conditionValues(planTrust, 'token.actions.githubusercontent.com:sub')[0].values.filter((v) => v.includes(':environment:'));
  expect(planEnvironments).toEqual([`repo:example-org/dr-estate:environment:${workflow.jobs['drift-secrets'].environment}`]);
});

test('IAM: a role\'s MaxSessionDuration is 3600 to 43200 seconds (IAM API Reference, CreateRole)', () => {
  for (const role of roles.filter((r) => r.max_session_duration !== undefined)) {
    expect([role.name, role.max_session_duration >= 3600 && role.max_session_duration <= 43200]).toEqual([role.name, true]);
  }
  expect(roles.filter((r) => r.max_session_duration !== undefined).length).toBe(6); // review, plan, deploy, deploy-<region> x2, deploy-dns
});

test('STS: the deploy jobs ask for a session no longer than the deploy role\'s MaxSessionDuration (STS API Reference, AssumeRoleWithWebIdentity, DurationSeconds)', () => {
  const workflow = parse(readFileSync(join(__dirname, '..', '..', '.github', 'workflows', 'estate.yml'), 'utf8')) as {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
  };
  const deployRole = roles.find((r) => r.name === 'dr-estate-prod-ci-deploy')!;
  const asked = Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@') && step.with?.['role-to-assume'] === '${{ vars.AWS_DEPLOY_ROLE_ARN }}')
    .map((step) => step.with?.['role-duration-seconds']);
  expect(asked.length).toBe(4);
  for (const seconds of asked) expect(Number(seconds)).toBeLessThanOrEqual(deployRole.max_session_duration);
});

test('IAM and STS: CI role names fit IAM\'s 64 characters (IAM API Reference, CreateRole, RoleName), and the session names deploy:phase gives them fit STS\'s pattern [\\w+=,.@-]{2,64} (AssumeRole, RoleSessionName), even for a long run id', () => {
  const ci = roles.filter((r) => String(r.name).includes('-ci-'));
  expect(ci.map((r) => r.name).sort()).toEqual([
    'dr-estate-prod-ci-deploy',
    'dr-estate-prod-ci-deploy-dns',
    'dr-estate-prod-ci-deploy-us-east-2',
    'dr-estate-prod-ci-deploy-us-west-1',
    'dr-estate-prod-ci-plan',
    'dr-estate-prod-ci-review',
  ]);
  for (const role of ci) expect([role.name, String(role.name).length <= 64]).toEqual([role.name, true]);
  const config = resolveConfig(committedInput);
  const runDir = mkdtempSync(join(tmpdir(), 'estate-sessions-'));
  const stackProfiles = stackRoles(config, ['regional-us-west-1', 'dns-global'], 'env', { RUNNER_TEMP: runDir, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' }, `deploy-${'9'.repeat(70)}/attempt:2`);
  try {
    const profiles = readFileSync(stackProfiles.envFor('dns-global').AWS_CONFIG_FILE!, 'utf8');
    const sessions = [...profiles.matchAll(/^role_session_name = (.*)$/gm)].map((m) => m[1]);
    expect(sessions.length).toBe(2);
    for (const session of sessions) expect(session).toMatch(/^[\w+=,.@-]{2,64}$/);
  } finally {
    stackProfiles.dispose();
  }
});
