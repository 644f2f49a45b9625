import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { deploySequence } from '../../config/dr';
import { resolveConfig } from '../../config/load';
import { afterSafeHistory } from '../helpers';

/*
 * The CI/CD pipelines (GitHub Actions, and Gitea Actions in the same syntax), parsed: which
 * jobs run on a pull request, the deploy order and its gates, how AWS is reached, the pinned
 * Terraform.
 */

const root = join(__dirname, '..', '..');
const load = (path: string) => ({ text: readFileSync(join(root, path), 'utf8'), doc: parse(readFileSync(join(root, path), 'utf8')) });
const github = load('.github/workflows/estate.yml');
const gitea = load('.gitea/workflows/estate.yml');

type Job = { needs?: string | string[]; if?: string; environment?: string; permissions?: Record<string, string>; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] };
const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');
const DEPLOYS = ['deploy-regional', 'deploy-dr', 'deploy-monitoring', 'deploy-passive'];

describe.each([
  ['GitHub', github],
  ['Gitea', gitea],
])('%s pipeline', (_forge, { doc, text }) => {
  const jobs = doc.jobs as Record<string, Job>;

  test('is a valid workflow by the GitHub Actions schema', () => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  test('a pull request runs npm ci, npm test, synth, parity and the drift review', () => {
    expect(Object.keys(doc.on)).toContain('pull_request');
    expect(runs(jobs.test)).toMatch(/npm ci\nnpm test/);
    expect(runs(jobs.synth)).toContain('npm run synth');
    expect(runs(jobs.parity)).toContain('npm run parity');
    expect(jobs.drift.if).toBe("github.event_name == 'pull_request' || github.event_name == 'schedule'");
    expect(runs(jobs.drift)).toContain('npm run drift');
    expect(needsOf(jobs.synth)).toEqual(['test']);
    expect(needsOf(jobs.parity)).toEqual(['test']);
    expect(needsOf(jobs.drift)).toEqual(['synth', 'parity']);
  });

  test('the drift summary is posted; an error or a missing report fails the review, drift only nightly (the gate run for real)', () => {
    expect(runs(jobs.drift)).toContain('cat reports/drift.md >> "$GITHUB_STEP_SUMMARY"');
    const gate = jobs.drift.steps.find((s) => (s as { name?: string }).name === 'Fail on an error, and on drift nightly') as { if?: string; run: string };
    expect(gate.if).toBe("steps.drift.outputs.exit != ''");
    const verdict = (outcome: string | undefined, event: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'estate-gate-'));
      if (outcome) {
        mkdirSync(join(dir, 'reports'));
        writeFileSync(join(dir, 'reports', 'drift.json'), JSON.stringify({ exitCode: 1, outcome, stacks: [] }));
      }
      return spawnSync('bash', ['-c', gate.run.replace('${{ github.event_name }}', event)], { cwd: dir }).status;
    };
    expect(verdict('drift', 'pull_request')).toBe(0);
    expect(verdict('drift', 'schedule')).toBe(1);
    expect(verdict('error', 'pull_request')).toBe(1);
    expect(verdict(undefined, 'pull_request')).toBe(1);
  });

  test('a nightly drift review of main fails on drift, and never deploys', () => {
    expect(doc.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
    for (const job of DEPLOYS) expect([job, String(jobs[job].if ?? '')]).toEqual([job, expect.not.stringContaining('schedule')]);
    expect(jobs['deploy-regional'].if).toMatch(/github\.event_name == '(push|workflow_dispatch)'/);
    expect(jobs['deploy-regional'].if).not.toMatch(/!=/);
  });

  test('the passive phase runs only when the deploy order puts stacks in it', () => {
    const order = jobs['deploy-regional'].steps.find((s) => (s as { id?: string }).id === 'order');
    expect(order?.run).toBe('npm run deploy:phase -- all --list');
    expect((jobs['deploy-regional'] as { outputs?: Record<string, string> }).outputs?.passive).toBe('${{ steps.order.outputs.passive }}');
    expect(jobs['deploy-passive'].if).toBe("needs.deploy-regional.outputs.passive != ''");
  });

  test('deploys run in stack order: regional, then the DR stack (the DNS flip), then monitoring, then a dark passive site', () => {
    expect(needsOf(jobs['deploy-regional'])).toEqual(['synth', 'parity']);
    expect(needsOf(jobs['deploy-dr'])).toEqual(['deploy-regional']);
    expect(needsOf(jobs['deploy-monitoring'])).toEqual(['deploy-dr']);
    expect(needsOf(jobs['deploy-passive'])).toEqual(['deploy-regional', 'deploy-dr']);
    const phases = DEPLOYS.map((j) => [...runs(jobs[j]).matchAll(/npm run deploy:phase -- (\w+) --auto-approve/g)].map((m) => m[1]));
    expect(phases).toEqual([['regional'], ['dr'], ['monitoring'], ['passive']]);
    expect(text).not.toMatch(/cdktf deploy/); // every deploy goes through the ordered phases
  });

  test('the failover\'s critical path (regional, then DNS) never waits on a Kubernetes API', () => {
    const upstream = (job: string): string[] => needsOf(jobs[job]).flatMap((n) => [n, ...upstream(n)]);
    expect(upstream('deploy-dr')).not.toContain('deploy-monitoring');
  });

  test.each([
    ['normal', 'us-east-2', 0],
    ['failover', 'us-west-1', 0],
    ['reprotected', 'us-west-1', 1],
    ['failback', 'us-east-2', 1],
  ] as const)('in the %s state the jobs deploy every stack once, in the deploy sequence', (_state, activeRegion, reprotects) => {
    const sequence = deploySequence(resolveConfig(afterSafeHistory(activeRegion, reprotects)));
    const phases = DEPLOYS.flatMap((j) => [...runs(jobs[j]).matchAll(/npm run deploy:phase -- (\w+) --auto-approve/g)].map((m) => m[1]));
    const deployed = phases.flatMap((phase) => sequence.filter((s) => s.phase === phase).map((s) => s.stack));
    expect(deployed).toEqual(sequence.map((s) => s.stack));
  });

  test('bootstrap stacks are never deployed by the pipeline', () => {
    expect(text).not.toMatch(/deploy[^\n]*bootstrap-/);
  });

  test('AWS is reached by assuming a role, never with static keys', () => {
    for (const job of ['drift', ...DEPLOYS]) {
      const credentials = jobs[job].steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect([job, credentials?.with?.['role-to-assume']]).toEqual([job, expect.stringMatching(/^\$\{\{ vars\.AWS_(PLAN|DEPLOY)_ROLE_ARN \}\}$/)]);
    }
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });

  test('Terraform is pinned wherever it is installed', () => {
    expect(doc.env.TERRAFORM_VERSION).toBe('1.11.4');
    const setups = Object.values(jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith('hashicorp/setup-terraform@')));
    expect(setups.length).toBeGreaterThanOrEqual(4);
    for (const s of setups) expect(s.with?.terraform_version).toBe('${{ env.TERRAFORM_VERSION }}');
  });

  test('an emergency deploy can set DR_ACTIVE_REGION without a commit', () => {
    expect(doc.on.workflow_dispatch.inputs.active_region).toBeDefined();
    expect(doc.env.DR_ACTIVE_REGION).toBe('${{ inputs.active_region }}');
  });
});

test('the schema check catches a broken workflow', () => {
  const broken = github.text.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest');
  expect(validateWorkflow(broken).errors).not.toEqual([]);
});

describe('gates', () => {
  test('GitHub: every deploy job waits for the production environment\'s approval, on main only, with OIDC', () => {
    const jobs = github.doc.jobs as Record<string, Job>;
    expect(jobs['deploy-regional'].if).toBe(
      "github.ref == 'refs/heads/main' && (github.event_name == 'push' || github.event_name == 'workflow_dispatch')",
    );
    const comment = jobs.drift.steps.find((s) => s.run?.startsWith('gh pr comment')) as { if?: string } | undefined;
    expect(comment?.if).toBe("github.event_name == 'pull_request'");
    expect((comment as { run?: string } | undefined)?.run).toContain('--edit-last --create-if-none'); // one comment, updated
    for (const job of DEPLOYS) {
      expect([job, jobs[job].environment, jobs[job].permissions?.['id-token']]).toEqual([job, 'production', 'write']);
    }
  });

  test('Gitea: deploys run only from a manual dispatch on main (no environment approvals there)', () => {
    const jobs = gitea.doc.jobs as Record<string, Job>;
    expect(Object.keys(gitea.doc.on).sort()).toEqual(['pull_request', 'schedule', 'workflow_dispatch']);
    expect(jobs['deploy-regional'].if).toBe("github.ref == 'refs/heads/main' && github.event_name == 'workflow_dispatch'");
  });
});
