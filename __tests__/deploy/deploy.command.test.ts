import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deploySequence } from '../../scripts/deploy/order';
import { resolveConfig, type EstateConfig } from '../../config/load';
import { stateKey } from '../../config/naming';
import { afterSafeHistory } from '../helpers';
import { main, type DeployContext } from '../../scripts/deploy/cli';

/*
 * The deploy sequence of each DR state, and `npm run deploy:phase` against a fake `terraform`
 * first on PATH (__tests__/fixtures/fake-terraform), which records every call and replays a
 * scenario per stack: a plan with changes, or an init, plan or apply that fails. What saved
 * plans are with the real terraform (applied exactly, stale refused) is in saved-plan.test.ts.
 */

const fakeDir = join(__dirname, '..', 'fixtures', 'fake-terraform');
const stateOf = (activeRegion: 'us-east-2' | 'us-west-1', reprotects: number) => resolveConfig(afterSafeHistory(activeRegion, reprotects));
const sequence = (activeRegion: 'us-east-2' | 'us-west-1', reprotects: number) =>
  deploySequence(stateOf(activeRegion, reprotects)).map((s) => `${s.phase}: ${s.stack}${s.bestEffort ? ' (best effort)' : ''}`);

describe('deploy sequence', () => {
  test('normal: the primary region first, both regional stacks required, the DNS, then monitoring (best effort: private Kubernetes APIs)', () => {
    expect(sequence('us-east-2', 0)).toEqual([
      'regional: regional-us-east-2',
      'regional: regional-us-west-1',
      'dns: dns-global',
      'monitoring: monitoring-us-east-2 (best effort)',
      'monitoring: monitoring-us-west-1 (best effort)',
    ]);
  });

  test('failover: the region left first and best effort (reachable: it stops, its Git server hands over; dark: skipped), then the DR region up to the DNS flip', () => {
    expect(sequence('us-west-1', 0)).toEqual([
      'regional: regional-us-east-2 (best effort)',
      'regional: regional-us-west-1',
      'dns: dns-global',
      'monitoring: monitoring-us-west-1 (best effort)',
      'passive: monitoring-us-east-2 (best effort)',
    ]);
  });

  test('reprotected: the serving DR region first, the rebuilt primary region required again', () => {
    expect(sequence('us-west-1', 1)).toEqual([
      'regional: regional-us-west-1',
      'regional: regional-us-east-2',
      'dns: dns-global',
      'monitoring: monitoring-us-west-1 (best effort)',
      'monitoring: monitoring-us-east-2 (best effort)',
    ]);
  });

  test('failback: the DR region left first and best effort (its Git server\'s final backup before the primary\'s restore), then the primary region', () => {
    expect(sequence('us-east-2', 1)).toEqual([
      'regional: regional-us-west-1 (best effort)',
      'regional: regional-us-east-2',
      'dns: dns-global',
      'monitoring: monitoring-us-east-2 (best effort)',
      'passive: monitoring-us-west-1 (best effort)',
    ]);
  });

  test('every stack but the bootstrap ones is deployed exactly once, in every state', () => {
    for (const [region, reprotects] of [['us-east-2', 0], ['us-west-1', 0], ['us-west-1', 1], ['us-east-2', 1]] as const) {
      const stacks = deploySequence(stateOf(region, reprotects)).map((s) => s.stack).sort();
      expect(stacks).toEqual(['dns-global', 'monitoring-us-east-2', 'monitoring-us-west-1', 'regional-us-east-2', 'regional-us-west-1']);
    }
  });

  test('in a switch the site left is deployed before the site taking over: its Git server stops (the handover backup) before the new one starts', () => {
    for (const [region, reprotects] of [['us-west-1', 0], ['us-east-2', 1]] as const) {
      const config = stateOf(region, reprotects);
      const order = deploySequence(config).map((s) => s.stack);
      const left = config.activeRegion === 'us-east-2' ? 'us-west-1' : 'us-east-2';
      expect(order.indexOf(`regional-${left}`)).toBeLessThan(order.indexOf(`regional-${config.activeRegion}`));
    }
  });
});


/** Stand-ins for the synthesized stacks: one line per stack and posture (nothing here reads them). */
const standIns = (config: EstateConfig) =>
  Object.fromEntries(
    deploySequence(config).map((s) => [s.stack, JSON.stringify({ stack: s.stack, active: config.activeRegion, terraform: { backend: { s3: { bucket: 'state', key: stateKey(config, s.stack) } } } })]),
  );

type StackScenario = { init?: Reply; plan?: Reply; apply?: Reply; show?: unknown; output?: Reply; state?: Reply };
type Reply = { code: number; stdout?: string; stderr?: string };
const ALL = ['regional-us-east-2', 'regional-us-west-1', 'dns-global', 'monitoring-us-east-2', 'monitoring-us-west-1'];
/** Every named stack plans one change to an instance; `overrides` replaces a stack's replies. */
function scenario(changed: readonly string[] = ALL, overrides: Record<string, StackScenario> = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), 'estate-deploy-scenario-')), 'scenario.json');
  const change = { format_version: '1.2', resource_changes: [{ address: 'aws_instance.app', type: 'aws_instance', change: { actions: ['create'] } }] };
  const stacks: Record<string, StackScenario> = Object.fromEntries(changed.map((s) => [s, { plan: { code: 2 }, show: change }]));
  for (const [stack, o] of Object.entries(overrides)) stacks[stack] = { ...stacks[stack], ...o };
  writeFileSync(file, JSON.stringify(stacks));
  return file;
}

async function deploy(argv: string[], env: NodeJS.ProcessEnv = {}, options: { path?: string; context?: DeployContext } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'estate-deploy-'));
  const logFile = join(dir, 'calls.log');
  const summaryFile = join(dir, 'summary.md');
  const outputFile = join(dir, 'output');
  for (const f of [logFile, summaryFile, outputFile]) writeFileSync(f, '');
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => lines.push(String(chunk).trimEnd()) > 0);
  try {
    const code = await main(
      argv,
      {
        PATH: options.path ?? `${fakeDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
        FAKE_TERRAFORM_LOG: logFile,
        FAKE_TERRAFORM_SCENARIO: scenario(),
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_OUTPUT: outputFile,
        ...env,
      },
      { synthesize: standIns, confirm: async () => true, workDir: join(dir, 'work'), ...options.context },
    );
    const calls = readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean);
    return { code, output: lines.join('\n'), calls, summary: readFileSync(summaryFile, 'utf8'), outputs: readFileSync(outputFile, 'utf8') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

/** The terraform commands of a run, as `<stack> <command>` (init, plan, show, apply). */
const commands = (calls: readonly string[]) => calls.map((c) => c.split(' ').slice(0, 2).join(' '));
const applied = (calls: readonly string[]) => calls.filter((c) => c.split(' ')[1] === 'apply').map((c) => c.split(' ')[0]);
const plansDir = () => mkdtempSync(join(tmpdir(), 'estate-deploy-plans-'));

describe('npm run deploy:phase --plan DIR, then --apply DIR (the pipelines)', () => {
  test('plans every stack of the phase to a saved plan without the state lock, applies nothing, and tells the pipeline there are changes', async () => {
    const dir = plansDir();
    const r = await deploy(['regional', '--plan', dir]);
    expect(r.code).toBe(0);
    expect(applied(r.calls)).toEqual([]);
    // Planned two at a time: in either order.
    const plans = r.calls.filter((c) => c.split(' ')[1] === 'plan').sort();
    expect(plans).toEqual([
      'regional-us-east-2 plan -input=false -no-color -lock=false -detailed-exitcode -out=saved.tfplan',
      'regional-us-west-1 plan -input=false -no-color -lock=false -detailed-exitcode -out=saved.tfplan',
    ]);
    expect(r.outputs).toMatch(/^changes=true\nplan-set=[0-9a-f]{64}\n$/);
    expect(r.summary).toContain('### Plan: regional (normal, active us-east-2)');
    expect(r.summary).toContain('| regional-us-east-2 | **changes** | 1 | 0 | 0 | 0 |');
    expect(r.output).toContain('fake plan of regional-us-west-1'); // the plan itself, for the reviewer
    expect(readFileSync(join(dir, 'regional-us-east-2', 'saved.tfplan'), 'utf8')).toBe('fake plan');
  });

  test('applies the saved plans in the phase\'s order, each with the state lock waited for, and only the saved file', async () => {
    const dir = plansDir();
    expect((await deploy(['regional', '--plan', dir])).code).toBe(0);
    const r = await deploy(['regional', '--apply', dir]);
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c.split(' ')[1] === 'apply')).toEqual([
      'regional-us-east-2 apply -input=false -no-color -lock-timeout=20m saved.tfplan',
      'regional-us-west-1 apply -input=false -no-color -lock-timeout=20m saved.tfplan',
    ]);
    expect(commands(r.calls).filter((c) => c.endsWith(' plan'))).toEqual([]); // never planned again
    expect(r.summary).toContain('- regional-us-west-1: applied (1 to create)');
  });

  test('the apply takes only the plan set the plan job reported (its output), of the commit it runs', async () => {
    const dir = plansDir();
    const planned = await deploy(['regional', '--plan', dir], { GITHUB_SHA: 'a'.repeat(40) });
    const digest = /plan-set=([0-9a-f]{64})/.exec(planned.outputs)![1];
    const otherCommit = await deploy(['regional', '--apply', dir, '--expect-plan-set', digest], { GITHUB_SHA: 'b'.repeat(40) });
    expect([otherCommit.code, applied(otherCommit.calls)]).toEqual([2, []]);
    expect(otherCommit.output).toContain(`the plans were made at commit ${'a'.repeat(40)}, but this deploy runs commit ${'b'.repeat(40)}`);
    const otherSet = await deploy(['regional', '--apply', dir, '--expect-plan-set', 'f'.repeat(64)], { GITHUB_SHA: 'a'.repeat(40) });
    expect([otherSet.code, applied(otherSet.calls)]).toEqual([2, []]);
    expect(otherSet.output).toContain(`is not the one the plan job reported (${'f'.repeat(64)})`);
    const same = await deploy(['regional', '--apply', dir, '--expect-plan-set', digest], { GITHUB_SHA: 'a'.repeat(40) });
    expect([same.code, applied(same.calls)]).toEqual([0, ['regional-us-east-2', 'regional-us-west-1']]);
  });

  test('fails if --expect-plan-set is not a sha256, or goes with anything but --apply', async () => {
    const bad = await deploy(['regional', '--apply', plansDir(), '--expect-plan-set', 'abc']);
    expect([bad.code, bad.output]).toEqual([2, expect.stringContaining('deploy: --expect-plan-set is "abc", expected a sha256 (64 hexadecimal digits)')]);
    const plan = await deploy(['regional', '--plan', plansDir(), '--expect-plan-set', 'f'.repeat(64)]);
    expect([plan.code, plan.output]).toEqual([2, expect.stringContaining('deploy: --expect-plan-set goes with --apply')]);
  });

  test('a phase with no changes says so to the pipeline, and its apply has nothing to do', async () => {
    const dir = plansDir();
    const r = await deploy(['dns', '--plan', dir], { FAKE_TERRAFORM_SCENARIO: scenario([]) });
    expect([r.code, r.outputs]).toEqual([0, expect.stringMatching(/^changes=false\nplan-set=[0-9a-f]{64}\n$/)]);
    expect(existsSync(join(dir, 'dns-global', 'saved.tfplan'))).toBe(false);
    const a = await deploy(['dns', '--apply', dir], { FAKE_TERRAFORM_SCENARIO: scenario([]) });
    expect([a.code, applied(a.calls)]).toEqual([0, []]);
    expect(a.summary).toContain('- dns-global: no changes');
  });

  test('a stack replaced or deleted with its data is called out in the plan summary', async () => {
    const show = { format_version: '1.2', resource_changes: [{ address: 'module.db.aws_db_instance.main', type: 'aws_db_instance', change: { actions: ['delete', 'create'] } }] };
    const r = await deploy(['regional', '--plan', plansDir()], { FAKE_TERRAFORM_SCENARIO: scenario(ALL, { 'regional-us-west-1': { show } }) });
    expect(r.summary).toContain('- **replace** of a stateful resource: `regional-us-west-1` `module.db.aws_db_instance.main`');
  });

  test('failover with the primary region unreachable: its stacks cannot be planned, only warn, are not applied, and the DR region is', async () => {
    const env = { DR_ACTIVE_REGION: 'us-west-1', GITHUB_ACTIONS: 'true' };
    const dark = { plan: { code: 1, stderr: 'Error: reading S3 bucket: dial tcp: i/o timeout\n' } };
    const darkScenario = scenario(ALL, { 'regional-us-east-2': dark, 'monitoring-us-east-2': dark });
    const dir = plansDir();
    const planned = await deploy(['regional', '--plan', dir], { ...env, FAKE_TERRAFORM_SCENARIO: darkScenario });
    expect(planned.code).toBe(0);
    expect(planned.output).toContain('::warning::regional-us-east-2 could not be planned (plan failed: Error: reading S3 bucket: dial tcp: i/o timeout); it will not be applied');
    const a = await deploy(['regional', '--apply', dir], { ...env, FAKE_TERRAFORM_SCENARIO: darkScenario });
    expect([a.code, applied(a.calls)]).toEqual([0, ['regional-us-west-1']]);
    expect(a.output).toContain('it is the site being left, whose region may be down: the switch goes on without it');
    const passiveDir = plansDir();
    const passive = await deploy(['passive', '--plan', passiveDir], { ...env, FAKE_TERRAFORM_SCENARIO: darkScenario });
    expect(passive.code).toBe(0);
    expect(passive.output).toContain('::warning::monitoring-us-east-2 could not be planned');
    expect(passive.outputs).toMatch(/^changes=false\nplan-set=[0-9a-f]{64}\n$/);
  });

  test('a required stack that cannot be planned fails the plan (exit 1), and its set is refused', async () => {
    const dir = plansDir();
    const fail = scenario(ALL, { 'regional-us-west-1': { plan: { code: 1, stderr: 'Error: Unsupported argument\n' } } });
    const r = await deploy(['regional', '--plan', dir], { FAKE_TERRAFORM_SCENARIO: fail });
    expect(r.code).toBe(1);
    expect(r.output).toContain('deploy: regional-us-west-1 could not be planned; nothing of the regional phase can be applied.');
    const a = await deploy(['regional', '--apply', dir], { FAKE_TERRAFORM_SCENARIO: fail });
    expect([a.code, applied(a.calls)]).toEqual([2, []]);
    expect(a.output).toContain('deploy: nothing was applied: regional-us-west-1 could not be planned (plan failed: Error: Unsupported argument)');
  });

  test('a required stack that fails to apply stops the phase: exit 1, the stacks after it named as not applied', async () => {
    const fail = scenario(ALL, { 'regional-us-east-2': { apply: { code: 1, stderr: 'Error: creating RDS DB Instance: InvalidParameterCombination\n' } } });
    const dir = plansDir();
    expect((await deploy(['regional', '--plan', dir], { FAKE_TERRAFORM_SCENARIO: fail })).code).toBe(0);
    const r = await deploy(['regional', '--apply', dir], { FAKE_TERRAFORM_SCENARIO: fail });
    expect([r.code, applied(r.calls)]).toEqual([1, ['regional-us-east-2']]);
    expect(r.output).toContain('deploy: regional-us-east-2 failed: apply failed: Error: creating RDS DB Instance: InvalidParameterCombination. Not applied: regional-us-west-1.');
    expect(r.summary).toContain('- regional-us-west-1: not applied');
  });

  test('a monitoring stack that cannot reach its private Kubernetes API only warns, saying where to run it', async () => {
    const fail = scenario(ALL, { 'monitoring-us-east-2': { apply: { code: 1, stderr: 'Error: Kubernetes cluster unreachable\n' } } });
    const dir = plansDir();
    expect((await deploy(['monitoring', '--plan', dir], { FAKE_TERRAFORM_SCENARIO: fail })).code).toBe(0);
    const r = await deploy(['monitoring', '--apply', dir], { FAKE_TERRAFORM_SCENARIO: fail });
    expect([r.code, applied(r.calls)]).toEqual([0, ['monitoring-us-east-2', 'monitoring-us-west-1']]);
    expect(r.output).toContain(
      "deploy: warning: monitoring-us-east-2 failed: apply failed: Error: Kubernetes cluster unreachable.; it talks to the cluster's private Kubernetes API: run it from inside the region's VPC",
    );
  });

  test('--plan and --apply take one phase each, and never both at once', async () => {
    const two = await deploy(['regional', 'dns', '--plan', plansDir()]);
    expect([two.code, two.output]).toEqual([2, expect.stringContaining('deploy: --plan takes one phase (each phase is planned after the one before it is applied); got regional, dns.')]);
    const both = await deploy(['dns', '--plan', plansDir(), '--apply', plansDir()]);
    expect([both.code, both.output]).toEqual([2, 'deploy: --plan and --apply are two steps: plan in one run, apply in the next, after review.']);
    const empty = await deploy(['dns', '--apply', plansDir()]);
    expect([empty.code, empty.output]).toEqual([2, expect.stringContaining('holds no plan set (plans.json): plan the phase first with deploy:phase -- dns --plan')]);
  });

  test('--assume-stack-roles goes with --apply only, and names where the roles are assumed from', async () => {
    const withPlan = await deploy(['dns', '--plan', plansDir(), '--assume-stack-roles', 'env']);
    expect([withPlan.code, withPlan.output]).toEqual([2, 'deploy: --assume-stack-roles goes with --apply: plans are made with the read-only plan role.']);
    const unknown = await deploy(['dns', '--apply', plansDir(), '--assume-stack-roles', 'profile']);
    expect([unknown.code, unknown.output]).toEqual([2, 'deploy: --assume-stack-roles is "profile", expected env.']);
  });

  test('--assume-stack-roles env applies each stack in its own role\'s profile, without the job\'s keys', async () => {
    const dir = plansDir();
    const envLog = join(mkdtempSync(join(tmpdir(), 'estate-env-log-')), 'env.log');
    expect((await deploy(['regional', '--plan', dir])).code).toBe(0);
    const r = await deploy(['regional', '--apply', dir, '--assume-stack-roles', 'env'], { AWS_ACCESS_KEY_ID: 'ASIAJOB', AWS_SECRET_ACCESS_KEY: 's', FAKE_TERRAFORM_ENV_LOG: envLog });
    expect(r.code).toBe(0);
    const applies = readFileSync(envLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>).filter((e) => e.command === 'apply');
    expect(applies.map((e) => [e.stack, e.AWS_PROFILE, e.AWS_ACCESS_KEY_ID ?? null])).toEqual([
      ['regional-us-east-2', 'estate-deploy-us-east-2', null],
      ['regional-us-west-1', 'estate-deploy-us-west-1', null],
    ]);
  });

  test('--provider-mirror=DIR (or TF_PROVIDER_MIRROR) makes terraform install providers from the mirror, and the update check is off', async () => {
    const mirror = mkdtempSync(join(tmpdir(), 'estate-mirror-'));
    mkdirSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'linux_amd64'), { recursive: true });
    const cliLog = join(mkdtempSync(join(tmpdir(), 'estate-cli-log-')), 'cli.log');
    const r = await deploy(['dns', '--plan', plansDir(), `--provider-mirror=${mirror}`], { FAKE_TERRAFORM_CLI_LOG: cliLog });
    expect(r.code).toBe(0);
    expect(r.output).toContain(`deploy: providers from ${mirror} where it holds them, the rest from the registry`);
    expect(readFileSync(cliLog, 'utf8')).toContain(`path = ${JSON.stringify(mirror)}`);
    const empty = await deploy(['dns', '--plan', plansDir()], { TF_PROVIDER_MIRROR: tmpdir() });
    expect([empty.code, empty.output]).toEqual([2, expect.stringMatching(/^deploy: the provider mirror ".*" \(--provider-mirror or TF_PROVIDER_MIRROR\) holds no registry\.terraform\.io\/ folder/)]);
  });
});

describe('npm run deploy:phase by hand', () => {
  test('all: each phase is planned, shown and applied once confirmed, before the next is planned; nothing for the passive phase in the normal state', async () => {
    const r = await deploy(['all']);
    expect(r.code).toBe(0);
    const phaseOf = (stack: string) => stack.split('-')[0];
    const steps = commands(r.calls)
      .filter((c) => / (plan|apply)$/.test(c))
      .map((c) => `${phaseOf(c.split(' ')[0])} ${c.split(' ')[1]}`)
      .filter((step, i, all) => step !== all[i - 1]);
    expect(steps).toEqual(['regional plan', 'regional apply', 'dns plan', 'dns apply', 'monitoring plan', 'monitoring apply']);
    expect(applied(r.calls)).toEqual(ALL);
    const passive = await deploy(['passive']);
    expect([passive.code, passive.calls, passive.output]).toEqual([0, [], 'deploy: state normal, active us-east-2; nothing in these phases']);
  });

  test('a plan not confirmed is not applied, and nothing after it is planned: exit 1', async () => {
    const questions: string[] = [];
    const r = await deploy(['all'], {}, { context: { confirm: async (q) => {
      questions.push(q);
      return false;
    } } });
    expect(r.code).toBe(1);
    expect(applied(r.calls)).toEqual([]);
    expect(questions).toEqual(['Apply these saved plans of the regional phase? Only "yes" applies them: ']);
    expect(r.output).toContain('deploy: the regional phase was not applied; nothing after it was deployed.');
    expect(r.calls.some((c) => c.startsWith('dns-global'))).toBe(false);
  });

  test('without a terminal to confirm on, it refuses before planning, pointing to --plan and --apply', async () => {
    const r = await deploy(['all'], {}, { context: { confirm: undefined } });
    expect([r.code, r.calls]).toEqual([2, []]);
    expect(r.output).toContain('deploy: no terminal to confirm on: in a pipeline, plan with --plan DIR in one job and apply with --apply DIR in the approved next one.');
  });
});

describe('npm run deploy:phase', () => {
  test('--list prints the sequence and deploys nothing', async () => {
    const r = await deploy(['all', '--list'], { DR_ACTIVE_REGION: 'us-west-1' });
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.output).toBe(
      'deploy: state failover, active us-west-1; regional-us-east-2 (regional, best effort) -> regional-us-west-1 (regional) -> dns-global (dns) -> monitoring-us-west-1 (monitoring, best effort) -> monitoring-us-east-2 (passive, best effort)',
    );
  });

  test('--list gives a pipeline each phase\'s stacks as step outputs', async () => {
    const r = await deploy(['all', '--list'], { DR_ACTIVE_REGION: 'us-west-1' });
    expect(r.outputs).toBe('regional=regional-us-east-2 regional-us-west-1\ndns=dns-global\nmonitoring=monitoring-us-west-1\npassive=monitoring-us-east-2\n');
    const passive = await deploy(['passive', '--list']);
    expect(passive.outputs).toBe('passive=\n');
  });

  test('fails if a phase is unknown (a usage error: exit 2)', async () => {
    const r = await deploy(['bootstrap']);
    expect([r.code, r.output]).toEqual([2, 'deploy: phase is "bootstrap", expected one of regional, dns, monitoring, passive or all.']);
  });

  test('fails if no phase is named', async () => {
    const r = await deploy(['--list']);
    expect(r.code).toBe(2);
    expect(r.output).toBe('deploy: name at least one phase (regional, dns, monitoring, passive or all); see npm run deploy:phase -- --help.');
  });

  test('a value given to a switch is refused (--list=yes)', async () => {
    const r = await deploy(['all', '--list=yes']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^deploy: Option '--list' does not take an argument; see npm run deploy:phase -- --help\.$/);
  });

  test('plans the configuration this commit synthesizes (the default synthesis)', async () => {
    const dir = plansDir();
    const r = await deploy(['dns', '--plan', dir], {}, { context: { synthesize: undefined } });
    expect(r.code).toBe(0);
    const planned = JSON.parse(readFileSync(join(dir, 'dns-global', 'cdk.tf.json'), 'utf8'));
    expect(planned.terraform.backend.s3.key).toMatch(/\/dns-global\/terraform\.tfstate$/);
  });

  describe('a plan that reads a state replica waits for it (S3 replication is asynchronous)', () => {
    const key = 'prod/regional-us-east-2/terraform.tfstate';
    const replicaRead = (config: EstateConfig) => ({
      ...standIns(config),
      'regional-us-east-2': JSON.stringify({ terraform: { backend: { s3: { bucket: 'primary', key, region: 'us-east-2' } } } }),
      'dns-global': JSON.stringify({ data: { terraform_remote_state: { r: { backend: 's3', config: { bucket: 'dr', key, region: 'us-west-1' } } } } }),
    });
    const state = (serial: number) => ({ code: 0, stdout: JSON.stringify({ version: 4, serial, lineage: 'l-1' }) });
    const run = (source: StackScenario, replica: Reply) =>
      deploy(['dns', '--plan', plansDir()], { FAKE_TERRAFORM_SCENARIO: scenario(ALL, { 'source-regional-us-east-2': source, 'replica-regional-us-east-2': { state: replica } }) }, {
        context: { synthesize: replicaRead, replicaWait: { waitMs: 0, pollMs: 0 } },
      });

    test('plans once the replica holds its source\'s state, and says which copy it read', async () => {
      const r = await run({ state: state(7) }, state(7));
      expect(r.code).toBe(0);
      expect(r.output).toContain(`deploy: dns-global reads regional-us-east-2's state (${key}) from the replica in dr: serial 7, the same as its source in primary`);
    });

    test('refuses to plan from a replica behind a source it can read: exit 1, nothing planned, both serials named', async () => {
      const r = await run({ state: state(8) }, state(7));
      expect([r.code, r.calls.filter((c) => c.startsWith('dns-global '))]).toEqual([1, []]);
      expect(r.output).toContain(`deploy: dns-global would read regional-us-east-2's state (${key}) from a replica behind its source: serial 7 in dr, 8 in primary, still after 0 s.`);
    });

    test('with the source unreachable (its region dark) reads the replica as it is, and says so', async () => {
      const r = await run({ init: { code: 1, stderr: 'Error: dial tcp: i/o timeout' } }, state(7));
      expect(r.code).toBe(0);
      expect(r.output).toContain(`from the replica in dr as it is (serial 7): its source in primary cannot be read (Error: dial tcp: i/o timeout)`);
    });
  });

  describe('--guard-live-dns (every plan of the pipeline)', () => {
    /** The DNS stack's live output, and whether its old name's key (dr-global, before the rename) still holds a state. */
    const withLiveDns = (live: string | undefined, oldNameHoldsState = false) => {
      const output = live ? { active_region: { value: live, type: 'string', sensitive: false } } : {};
      const old = oldNameHoldsState ? JSON.stringify({ version: 4, serial: 9, lineage: 'old-lineage' }) : '';
      return { FAKE_TERRAFORM_SCENARIO: scenario(ALL, { 'dns-global': { output: { code: 0, stdout: JSON.stringify(output) } }, 'dr-global': { state: { code: 0, stdout: old } } }) };
    };

    test('refuses, planning nothing, when the live DNS serves another region than the committed one (an override-only switch)', async () => {
      const r = await deploy(['regional', '--plan', plansDir(), '--guard-live-dns'], withLiveDns('us-west-1'));
      expect(r.code).toBe(2);
      expect(r.calls.filter((c) => !c.startsWith('dns-global'))).toEqual([]);
      expect(r.output).toContain(
        'deploy: the live DNS serves us-west-1 (the DNS stack was last deployed with it, by an override), but this run deploys the committed activeRegion us-east-2 and would move it back. Commit the switch first',
      );
    });

    test('plans when the live DNS serves the committed region, or when no DNS stack was deployed yet', async () => {
      const same = await deploy(['regional', '--plan', plansDir(), '--guard-live-dns'], withLiveDns('us-east-2'));
      expect([same.code, same.outputs]).toEqual([0, expect.stringMatching(/^changes=true\nplan-set=/)]);
      expect(same.output).toContain('deploy: the live DNS serves us-east-2; this deploy keeps it on us-east-2');
      const first = await deploy(['regional', '--plan', plansDir(), '--guard-live-dns'], withLiveDns(undefined));
      expect([first.code, first.output]).toEqual([0, expect.stringContaining('the live DNS serves nothing yet (no DNS stack deployed)')]);
    });

    test('refuses, planning nothing, when the DNS stack has no state but its name before the rename still has one (the state move not run)', async () => {
      const r = await deploy(['dns', '--plan', plansDir(), '--guard-live-dns'], withLiveDns(undefined, true));
      expect([r.code, r.calls.filter((c) => !/^d(ns|r)-global (init|output|state)/.test(c))]).toEqual([2, []]);
      expect(r.output).toContain(
        'deploy: dns-global has no state yet, but dr-global, its name before the rename, has one: move it first (npm run state:move -- dr-global dns-global; docs/runbook.md, "Upgrading across a stack rename")',
      );
      // Once the DNS stack has its state (moved, then deployed), the old key is not read again.
      const moved = await deploy(['dns', '--plan', plansDir(), '--guard-live-dns'], withLiveDns('us-east-2', true));
      expect([moved.code, moved.calls.some((c) => c.startsWith('dr-global'))]).toEqual([0, false]);
    });

    test('an override that matches the live DNS plans (the dispatch that keeps a failover), and says so', async () => {
      const r = await deploy(['regional', '--plan', plansDir(), '--guard-live-dns'], { ...withLiveDns('us-west-1'), DR_ACTIVE_REGION: 'us-west-1' });
      expect([r.code, r.output]).toEqual([0, expect.stringContaining('deploy: the live DNS serves us-west-1; this deploy keeps it on us-west-1, by the explicit region choice DR_ACTIVE_REGION=us-west-1')]);
    });

    test('an explicit region choice is the only thing that moves the live DNS (the failover dispatch), and the plan prints it', async () => {
      const r = await deploy(['regional', '--plan', plansDir(), '--guard-live-dns'], { ...withLiveDns('us-east-2'), DR_ACTIVE_REGION: 'us-west-1' });
      expect([r.code, r.output]).toEqual([0, expect.stringContaining('deploy: the live DNS serves us-east-2; this deploy MOVES it to us-west-1, by the explicit region choice DR_ACTIVE_REGION=us-west-1')]);
    });

    test('a dispatch left at "committed" (no DR_ACTIVE_REGION) is guarded like a push', async () => {
      const r = await deploy(['dns', '--plan', plansDir(), '--guard-live-dns'], { ...withLiveDns('us-west-1'), DR_ACTIVE_REGION: '' });
      expect([r.code, r.calls.filter((c) => !c.startsWith('dns-global') || c.includes(' plan '))]).toEqual([2, []]);
    });

    test('fails, planning nothing, when the state cannot be read', async () => {
      const unreadable = scenario(ALL, { 'dns-global': { init: { code: 1, stderr: 'Error: No valid credential sources found\n' } } });
      const r = await deploy(['regional', '--plan', plansDir(), '--guard-live-dns'], { FAKE_TERRAFORM_SCENARIO: unreadable });
      expect([r.code, r.calls.filter((c) => !c.startsWith('dns-global'))]).toEqual([1, []]);
      expect(r.output).toContain("deploy: could not read the DNS stack's state (terraform init exited 1): Error: No valid credential sources found");
    });

    test('belongs to the plan, not the apply', async () => {
      const r = await deploy(['regional', '--apply', plansDir(), '--guard-live-dns']);
      expect([r.code, r.output]).toEqual([2, expect.stringContaining('deploy: --guard-live-dns belongs to the plan')]);
    });
  });

  test('fails if DR_ACTIVE_REGION is not one of the estate\'s regions', async () => {
    const r = await deploy(['all'], { DR_ACTIVE_REGION: 'eu-west-1' });
    expect(r.code).toBe(2);
    expect(r.calls).toEqual([]);
    expect(r.output).toMatch(/^deploy: invalid estate config: .*eu-west-1/);
  });

  test('fails at once, saying how to get it, when terraform is not on PATH', async () => {
    const r = await deploy(['dns', '--plan', plansDir()], {}, { path: `${dirname(process.execPath)}:/nonexistent` });
    expect(r.code).toBe(2);
    expect(r.output).toContain('deploy: no terraform executable on PATH: install Terraform 1.11 (the version the pipelines pin), then run this again.');
  });
});
