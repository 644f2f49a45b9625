import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse, stringify } from 'yaml';
import { deploySequence } from '../../scripts/deploy/order';
import { estate } from '../../config/estate';
import { resolveConfig } from '../../config/load';
import { afterSafeHistory } from '../helpers';

/*
 * The CI/CD pipeline (GitHub Actions), parsed: which
 * jobs run on a pull request, the deploy order and its gates, how AWS is reached, the pinned
 * Terraform.
 */

const root = join(__dirname, '..', '..');
const load = (path: string) => ({ text: readFileSync(join(root, path), 'utf8'), doc: parse(readFileSync(join(root, path), 'utf8')) });
const github = load('.github/workflows/estate.yml');
/** The composite action every job sets up with (Node, Terraform, npm ci). */
const setupAction = load('.github/actions/setup/action.yml');
type ActionStep = { uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
const setupSteps = setupAction.doc.runs.steps as ActionStep[];

type Job = { needs?: string | string[]; if?: string; environment?: string; permissions?: Record<string, string>; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] };
const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');
const PHASES = ['regional', 'dns', 'monitoring', 'passive'] as const;
/** The jobs that plan each phase to saved plans, and those that apply them. */
const PLANS = PHASES.map((p) => `plan-${p}`);
const DEPLOYS = PHASES.map((p) => `deploy-${p}`);
type Step = Job['steps'][number];
const stepUsing = (job: Job, action: string): Step | undefined => job.steps.find((s) => s.uses?.startsWith(`${action}@`));
const SETUP = './.github/actions/setup';
/** A job's setup step (the composite action) and what it is asked for. */
const setupOf = (job: Job) => {
  const index = job.steps.findIndex((s) => s.uses === SETUP);
  const inputs = (job.steps[index]?.with ?? {}) as Record<string, string>;
  return { index, terraform: inputs.terraform === 'true', installScripts: inputs['install-scripts'] === 'true' };
};
/** The commands the setup action runs given a job's inputs (its `if:` conditions evaluated). */
const setupRuns = (job: Job) => {
  const { terraform, installScripts } = setupOf(job);
  const holds = (condition?: string) =>
    condition === undefined ||
    ({ "inputs.terraform == 'true'": terraform, "inputs.install-scripts == 'true'": installScripts, "inputs.install-scripts != 'true'": !installScripts } as Record<string, boolean>)[condition];
  return setupSteps.filter((s) => s.run && holds(s.if)).map((s) => s.run!);
};
/** The phases a job runs `deploy:phase -- <phase> --<mode> .build/plans/<phase>` for. */
const phasesRun = (job: Job, mode: 'plan' | 'apply') =>
  [...runs(job).matchAll(new RegExp(`npm run deploy:phase -- (\\w+) --${mode} \\.build/plans/(\\w+)`, 'g'))].map((m) => (m[1] === m[2] ? m[1] : `${m[1]} into ${m[2]}`));

describe.each([['GitHub', github]])('%s pipeline', (_forge, { doc, text }) => {
  const jobs = doc.jobs as Record<string, Job>;

  test('is a valid workflow by the GitHub Actions schema', () => {
    // The validator's schema predates the concurrency `queue` property (GitHub changelog,
    // 2026-05-07, "GitHub Actions concurrency groups now allow larger queues"): it is checked by
    // GitHub's own rule below (queue: max only where cancel-in-progress is false), then left out.
    const withoutQueue = { ...doc, jobs: Object.fromEntries(Object.entries(jobs).map(([name, job]) => {
      const { concurrency, ...rest } = job as { concurrency?: Record<string, unknown> };
      if (!concurrency) return [name, job];
      const { queue, ...kept } = concurrency;
      if (queue !== undefined) expect([name, queue, concurrency['cancel-in-progress']]).toEqual([name, 'max', false]);
      return [name, { ...rest, concurrency: kept }];
    })) };
    expect(validateWorkflow(stringify(withoutQueue)).errors).toEqual([]);
  });

  test('every job sets up through the one composite action, right after its checkout', () => {
    for (const [name, job] of Object.entries(jobs)) {
      const checkout = job.steps.findIndex((s) => s.uses?.startsWith('actions/checkout@'));
      expect([name, checkout >= 0 && setupOf(job).index === checkout + 1]).toEqual([name, true]);
      expect([name, job.steps.filter((s) => s.uses?.startsWith('actions/setup-node@') || s.uses?.startsWith('actions/cache@'))]).toEqual([name, []]);
    }
    expect(setupAction.doc.runs.using).toBe('composite');
    expect(validateAction(setupAction.text).errors).toEqual([]);
  });

  test('a pull request runs npm ci, npm test, synth, parity and the drift review', () => {
    expect(Object.keys(doc.on)).toContain('pull_request');
    expect(setupRuns(jobs.test)).toContain('npm ci');
    expect(jobs.test.steps[setupOf(jobs.test).index + 1]?.run).toBe('npm test');
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

  test('a nightly drift review of main fails on drift, and never plans or deploys', () => {
    expect(doc.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
    for (const job of [...PLANS, ...DEPLOYS]) expect([job, String(jobs[job].if ?? '')]).toEqual([job, expect.not.stringContaining('schedule')]);
    expect(jobs['plan-regional'].if).toMatch(/github\.event_name == '(push|workflow_dispatch)'/);
    expect(jobs['plan-regional'].if).not.toMatch(/!=/);
    // Every later job runs only after the one before it ran: none can start on another trigger.
    expect(jobs['plan-dns'].if).toContain("needs.plan-regional.result == 'success'");
    expect(jobs['plan-monitoring'].if).toContain("needs.plan-dns.result == 'success'");
    expect(jobs['plan-passive'].if).toContain("needs.plan-dns.result == 'success'");
  });

  test('the passive phase runs only when the deploy order puts stacks in it', () => {
    const order = jobs['plan-regional'].steps.find((s) => (s as { id?: string }).id === 'order');
    expect(order?.run).toBe('npm run deploy:phase -- all --list');
    expect((jobs['plan-regional'] as { outputs?: Record<string, string> }).outputs?.passive).toBe('${{ steps.order.outputs.passive }}');
    expect(jobs['plan-passive'].if).toContain("needs.plan-regional.outputs.passive != ''");
  });

  test('deploys run in stack order: regional, then the DNS stack (the DNS flip), then monitoring, then a dark passive site', () => {
    expect(needsOf(jobs['plan-regional'])).toEqual(['synth', 'parity']);
    expect(needsOf(jobs['plan-dns'])).toEqual(['plan-regional', 'deploy-regional']);
    expect(needsOf(jobs['plan-monitoring'])).toEqual(['plan-dns', 'deploy-dns']);
    expect(needsOf(jobs['plan-passive'])).toEqual(['plan-regional', 'plan-dns', 'deploy-dns']);
    expect(PLANS.map((j) => phasesRun(jobs[j], 'plan'))).toEqual(PHASES.map((p) => [p]));
    expect(DEPLOYS.map((j) => phasesRun(jobs[j], 'apply'))).toEqual(PHASES.map((p) => [p]));
    expect(text).not.toMatch(/cdktf deploy|--auto-approve|terraform apply/); // every deploy applies reviewed saved plans
  });

  test('saved-plan apply: each deploy job applies exactly the plans its plan job saved, and only when they change something', () => {
    for (const phase of PHASES) {
      const plan = jobs[`plan-${phase}`] as Job & { outputs?: Record<string, string> };
      const deploy = jobs[`deploy-${phase}`];
      expect([phase, plan.outputs?.changes]).toEqual([phase, '${{ steps.plan.outputs.changes }}']);
      expect([phase, needsOf(deploy), deploy.if]).toEqual([phase, [`plan-${phase}`], `needs.plan-${phase}.outputs.changes == 'true'`]);
      const upload = stepUsing(plan, 'actions/upload-artifact');
      expect([phase, upload?.with]).toEqual([
        phase,
        {
          name: `plans-${phase}`,
          path: `.build/plans/${phase}\n!.build/plans/${phase}/*/.terraform/**\n`,
          // The provider lock file (.terraform.lock.hcl) travels with the plan.
          'include-hidden-files': true,
          'if-no-files-found': 'error',
          overwrite: true,
          'retention-days': 2,
        },
      ]);
      expect([phase, stepUsing(deploy, 'actions/download-artifact')?.with]).toEqual([phase, { name: `plans-${phase}`, path: `.build/plans/${phase}` }]);
      // The plan is made and uploaded before anything is applied, in another job.
      expect(runs(plan)).not.toContain('--apply');
      expect(runs(deploy)).not.toContain('--plan');
    }
  });

  test('a phase with nothing to apply does not hold up the next one; a failed apply stops it', () => {
    for (const [next, up] of [['dns', 'regional'], ['monitoring', 'dns']]) {
      expect(jobs[`plan-${next}`].if).toBe(`\${{ !cancelled() && needs.plan-${up}.result == 'success' && needs.deploy-${up}.result != 'failure' }}`);
    }
  });

  test('the failover\'s critical path (regional, then DNS) never waits on a Kubernetes API', () => {
    const upstream = (job: string): string[] => needsOf(jobs[job]).flatMap((n) => [n, ...upstream(n)]);
    expect(upstream('deploy-dns').filter((j) => j.includes('monitoring') || j.includes('passive'))).toEqual([]);
    expect(upstream('deploy-dns')).toEqual(expect.arrayContaining(['plan-regional', 'deploy-regional', 'plan-dns']));
  });

  test.each([
    ['normal', 'us-east-2', 0],
    ['failover', 'us-west-1', 0],
    ['reprotected', 'us-west-1', 1],
    ['failback', 'us-east-2', 1],
  ] as const)('in the %s state the jobs deploy every stack once, in the deploy sequence', (_state, activeRegion, reprotects) => {
    const sequence = deploySequence(resolveConfig(afterSafeHistory(activeRegion, reprotects)));
    const phases = DEPLOYS.flatMap((j) => phasesRun(jobs[j], 'apply'));
    const deployed = phases.flatMap((phase) => sequence.filter((s) => s.phase === phase).map((s) => s.stack));
    expect(deployed).toEqual(sequence.map((s) => s.stack));
  });

  test('bootstrap stacks are never deployed by the pipeline', () => {
    expect(text).not.toMatch(/deploy[^\n]*bootstrap-/);
  });

  test('AWS is reached by assuming a role, never with static keys; each stack is applied as its own scoped role', () => {
    for (const job of ['drift-secrets', ...PLANS]) {
      expect([job, stepUsing(jobs[job], 'aws-actions/configure-aws-credentials')?.with?.['role-to-assume']]).toEqual([job, '${{ vars.AWS_PLAN_ROLE_ARN }}']);
    }
    // A pull request's code never holds the plan role: its review runs as the review role.
    expect(stepUsing(jobs.drift, 'aws-actions/configure-aws-credentials')?.with?.['role-to-assume']).toBe(
      "${{ github.event_name == 'pull_request' && vars.AWS_REVIEW_ROLE_ARN || vars.AWS_PLAN_ROLE_ARN }}",
    );
    expect(runs(jobs.drift)).toContain("--secrets ${{ github.event_name == 'pull_request' && 'skip' || 'include' }}");
    expect(jobs['drift-secrets']).toMatchObject({ if: "github.event_name == 'pull_request'", environment: 'plan' });
    expect(runs(jobs['drift-secrets'])).toContain('--secrets only');
    for (const job of DEPLOYS) {
      // The deploy role's session: what the stacks' roles are assumed from, for a long apply too.
      const credentials = stepUsing(jobs[job], 'aws-actions/configure-aws-credentials');
      expect([job, credentials?.with]).toEqual([job, { 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-region': 'us-west-1', 'role-duration-seconds': 7200 }]);
      const phase = job.replace('deploy-', '');
      // The plan set applied is the one the plan job reported as its output, not whatever travels in the artifact.
      expect([job, runs(jobs[job])]).toEqual([job, expect.stringMatching(new RegExp(`--apply \\S+ --expect-plan-set \\$\\{\\{ needs\\.plan-${phase}\\.outputs\\.plan-set \\}\\} --assume-stack-roles env$`))]);
      expect([job, (jobs[`plan-${phase}`] as { outputs?: Record<string, string> }).outputs?.['plan-set']]).toEqual([job, '${{ steps.plan.outputs.plan-set }}']);
    }
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });

  test('every job that may mint a role\'s token installs before its credentials exist, and runs no install script', () => {
    for (const [name, job] of Object.entries(jobs).filter(([, j]) => j.permissions?.['id-token'] === 'write')) {
      const { index: install } = setupOf(job);
      const credentials = job.steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect([name, setupRuns(job).filter((r) => r.startsWith('npm ci')), install >= 0 && install < credentials]).toEqual([name, ['npm ci --ignore-scripts'], true]);
      expect(job.steps.filter((s) => s.run?.startsWith('npm ci'))).toEqual([]);
    }
  });

  test('Terraform is pinned wherever it is installed', () => {
    expect(doc.env.TERRAFORM_VERSION).toBe('1.11.4');
    const setups = setupSteps.filter((s) => s.uses?.startsWith('hashicorp/setup-terraform@'));
    expect(setups.map((s) => [s.if, s.with?.terraform_version])).toEqual([["inputs.terraform == 'true'", '${{ env.TERRAFORM_VERSION }}']]);
    expect(Object.values(jobs).filter((j) => setupOf(j).terraform).length).toBeGreaterThanOrEqual(4);
    // Nothing installs terraform but the setup action.
    expect(Object.values(jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith('hashicorp/setup-terraform@')))).toEqual([]);
  });

  test('an emergency deploy can set DR_ACTIVE_REGION without a commit: a choice of the estate\'s regions', () => {
    const committed = resolveConfig(estate);
    expect(doc.on.workflow_dispatch.inputs.active_region).toMatchObject({
      type: 'choice',
      default: 'committed',
      options: ['committed', committed.primary.region, committed.dr.region],
    });
    expect(doc.env.DR_ACTIVE_REGION).toBe("${{ inputs.active_region != 'committed' && inputs.active_region || '' }}");
  });

  test('every action is pinned to a full commit SHA, its release named in a comment', () => {
    const uses = [...`${text}\n${setupAction.text}`.matchAll(/^\s*-?\s*uses: (.*)$/gm)].map((m) => m[1]).filter((u) => u !== SETUP);
    expect(uses.length).toBeGreaterThan(20);
    for (const use of uses) expect(use).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  test('Node is an LTS line still supported today', () => {
    // End of life of each Node LTS line (nodejs.org release schedule).
    const endOfLife: Record<string, string> = { '20': '2026-04-30', '22': '2027-04-30', '24': '2028-04-30', '26': '2029-04-30' };
    const eol = endOfLife[doc.env.NODE_VERSION];
    expect([doc.env.NODE_VERSION, eol !== undefined && Date.parse(eol) > Date.now()]).toEqual([doc.env.NODE_VERSION, true]);
  });

  test('every job has a timeout', () => {
    for (const [name, job] of Object.entries(jobs)) expect([name, (job as { 'timeout-minutes'?: number })['timeout-minutes']]).toEqual([name, expect.any(Number)]);
  });

  test('runs are grouped per trigger and ref; only pull requests cancel a running run; push and dispatch deploys share one queue per phase, never cancelled, never replaced', () => {
    expect(doc.concurrency).toEqual({ group: 'estate-${{ github.event_name }}-${{ github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" });
    for (const job of DEPLOYS) {
      // One group whatever the trigger; queue: max keeps every pending deploy (without it a newer
      // pending run would replace a pending failover: GitHub docs, "Control the concurrency").
      const concurrency = (jobs[job] as { concurrency?: Record<string, unknown> }).concurrency;
      expect([job, concurrency]).toEqual([job, { group: `estate-${job}`, 'cancel-in-progress': false, queue: 'max' }]);
    }
  });

  test('the jobs that run terraform share a providers plugin cache', () => {
    expect(doc.env.TF_PLUGIN_CACHE_DIR).toBe('${{ github.workspace }}/.terraform-plugin-cache');
    const cache = setupSteps.find((s) => s.uses?.startsWith('actions/cache@'));
    expect([cache?.if, cache?.with?.path]).toEqual(["inputs.terraform == 'true'", '${{ env.TF_PLUGIN_CACHE_DIR }}']);
    for (const name of ['drift', ...PLANS, ...DEPLOYS]) expect([name, setupOf(jobs[name]).terraform]).toEqual([name, true]);
  });

  test('the drift summary step tolerates a review that wrote no report', () => {
    const summary = jobs.drift.steps.find((s) => (s as { name?: string }).name === 'Post the drift summary') as { if?: string; run: string };
    expect(summary.if).toBe('always()');
    const dir = mkdtempSync(join(tmpdir(), 'estate-summary-'));
    const run = spawnSync('bash', ['-c', summary.run], { cwd: dir, env: { ...process.env, GITHUB_STEP_SUMMARY: join(dir, 'summary.md') } });
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toBe('The drift review wrote no report (see the log).\n');
  });
});

test('the schema check catches a broken workflow', () => {
  const broken = github.text.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest');
  expect(validateWorkflow(broken).errors).not.toEqual([]);
});

describe('gates', () => {
  test('GitHub: every deploy job waits for the production environment\'s approval, on main only, with OIDC; plans need no approval', () => {
    const jobs = github.doc.jobs as Record<string, Job>;
    expect(jobs['plan-regional'].if).toBe(
      "github.ref == 'refs/heads/main' && (github.event_name == 'push' || github.event_name == 'workflow_dispatch')",
    );
    const comment = jobs.drift.steps.find((s) => s.run?.startsWith('gh pr comment')) as { if?: string } | undefined;
    expect(comment?.if).toBe("github.event_name == 'pull_request' && hashFiles('reports/drift.md') != ''");
    expect((comment as { run?: string } | undefined)?.run).toContain('--edit-last --create-if-none'); // one comment, updated
    for (const job of DEPLOYS) {
      expect([job, jobs[job].environment, jobs[job].permissions?.['id-token']]).toEqual([job, 'production', 'write']);
    }
    for (const job of PLANS) expect([job, jobs[job].environment]).toEqual([job, undefined]);
  });

  test('GitHub: every plan job of every trigger first checks that the live DNS serves the region it deploys', () => {
    const jobs = github.doc.jobs as Record<string, Job>;
    for (const phase of PHASES) {
      expect(runs(jobs[`plan-${phase}`])).toContain(`npm run deploy:phase -- ${phase} --plan .build/plans/${phase} --guard-live-dns`);
    }
    // The regional plan runs first in every run: a refused push stops before anything is applied.
    const upstream = (job: string): string[] => needsOf(jobs[job]).flatMap((n) => [n, ...upstream(n)]);
    for (const job of DEPLOYS) expect([job, upstream(job)]).toEqual([job, expect.arrayContaining(['plan-regional'])]);
  });

  test('the apply refuses a plan older than 24 h: the jobs never raise that limit', () => {
    expect(github.text).not.toContain('--max-plan-age');
  });
});

test('one pipeline, the one that can run when a region is dark: GitHub Actions; no Gitea workflow is kept (docs/runbook.md, "Which path deploys")', () => {
  const { existsSync, readdirSync } = require('node:fs') as typeof import('node:fs');
  expect(existsSync(join(root, '.gitea'))).toBe(false);
  expect(readdirSync(join(root, '.github', 'workflows'))).toEqual(['estate.yml']);
});

describe('least privilege', () => {
  const githubJobs = github.doc.jobs as Record<string, Job>;

  test('GitHub: no job a pull request runs can name the deploy role; every job that does is in the production environment', () => {
    for (const [name, job] of Object.entries(githubJobs)) {
      const usesDeployRole = JSON.stringify(job).includes('AWS_DEPLOY_ROLE_ARN');
      expect([name, usesDeployRole]).toEqual([name, DEPLOYS.includes(name)]);
      if (usesDeployRole) expect([name, job.environment]).toEqual([name, 'production']);
    }
  });
});

describe('the nightly drift notification', () => {
  /** Runs a notification script in a folder with a drift report of `outcome` (none: no report), and fake CLIs on PATH. */
  function notify(script: string, outcome: string | undefined, fake: { name: string; body: string }, env: NodeJS.ProcessEnv = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'estate-notify-'));
    if (outcome) {
      mkdirSync(join(dir, 'reports'));
      writeFileSync(join(dir, 'reports', 'drift.json'), JSON.stringify({ exitCode: outcome === 'in sync' ? 0 : 1, outcome, stacks: [] }));
      writeFileSync(join(dir, 'reports', 'drift.md'), `# Drift review\n\n${outcome}\n`);
    }
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, fake.name), `#!/usr/bin/env bash\necho "$*" >> "${join(dir, 'calls.log')}"\n${fake.body}\n`, { mode: 0o755 });
    const run = spawnSync('bash', [join(root, script), 'reports'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_REPOSITORY: 'sre/estate', GITHUB_RUN_ID: '42', ...env },
    });
    const log = join(dir, 'calls.log');
    let calls: string[] = [];
    try {
      calls = readFileSync(log, 'utf8').trim().split('\n');
    } catch {
      calls = [];
    }
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls };
  }
  // A gh that lists open issue `open` (or none) and accepts everything else.
  const gh = (open?: number) => ({ name: 'gh', body: `if [ "$1 $2" = "issue list" ]; then echo "${open ?? ''}"; fi` });

  test('GitHub runs it nightly, even after a failed review, with permission to write issues', () => {
    const jobs = github.doc.jobs as Record<string, Job>;
    const step = jobs.drift.steps.find((s) => s.run === '.github/scripts/drift-issue.sh reports') as { if?: string } | undefined;
    expect(step?.if).toBe("github.event_name == 'schedule' && always()");
    expect(jobs.drift.permissions?.issues).toBe('write');
  });

  test('drift with no open issue opens one with the report', () => {
    const r = notify('.github/scripts/drift-issue.sh', 'drift', gh());
    expect(r.status).toBe(0);
    expect(r.calls[1]).toMatch(/^issue create --title Nightly drift review --body-file \S+$/);
  });

  test('an error, even with no report at all, is added to the open issue', () => {
    const r = notify('.github/scripts/drift-issue.sh', undefined, gh(7));
    expect(r.status).toBe(0);
    expect(r.calls[1]).toMatch(/^issue comment 7 --body-file \S+$/);
    expect(r.stdout).toContain('drift-issue: error, reported on #7');
  });

  test('a review in sync closes the open issue, and opens nothing when there is none', () => {
    expect(notify('.github/scripts/drift-issue.sh', 'in sync', gh(7)).calls[1]).toBe('issue close 7 --comment In sync again: https://github.com/sre/estate/actions/runs/42');
    expect(notify('.github/scripts/drift-issue.sh', 'in sync', gh()).calls).toHaveLength(1); // only the list
  });
});
