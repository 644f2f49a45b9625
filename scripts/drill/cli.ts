import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DR_CYCLE_STEPS, drCycle, type DrCycleStep } from '../../config/dr';
import { estate } from '../../config/estate';
import { resolveConfig, type EstateConfigInput } from '../../config/load';
import { EXIT, runCommand, UsageError, type CommandSpec } from '../cli';
import { detectToolchain, writeCliConfig, type TerraformResult } from '../terraform/toolchain';
import { backendChecks, estateBackend, type BackendReport } from './backend';
import { recoveryChecks, type RecoveryReport } from './recovery';
import { bootstrap, configIn, DrillFailure, readEstate, runStep, tryRefusedTransition, type DrillContext, type RefusalReport, type StepReport } from './drill';
import { EmulatorMissing, freeLoopbackPort, startEmulator } from './emulator';
import type { GitDataReport } from './git-data';
import { runGitData } from './git-data-run';
import { CallLog } from './permissions';
import { describeProfile, leftOutWithExcluded, type StackJson } from './profile';
import { synthesizeEstate } from '../dr/synthesize';
import { expectationsMismatch } from './expectations';
import { runMutations, type MutationReport } from './mutations';
import { drillEnvironment, type DrillTerraform } from './terraform';

/*
 * npm run drill -- [--report FILE] [--until STEP] [--break STEP] [--revoke ROLE:SID] [--keep] ...   (--help)
 *
 * Applies the estate to an AWS emulator on 127.0.0.1 with real terraform and the real AWS
 * provider, walks the DR cycle (normal, failover with the primary region dark, reprotect,
 * failback, normal again), reads each step back with the AWS SDK and checks it against the DR
 * posture; then checks the state backend (lock contention, migrations, restoring an old state
 * version). Exit 0 when every check held, 1 when one did not, 2 when nothing ran (bad usage, an
 * invalid config, a missing tool).
 */

const GIT_SWITCH_ORDERS = ['deploy', 'new-writer-first'] as const;

/** The drill's JSON report. */
export interface DrillReport {
  readonly ok: boolean;
  readonly steps: StepReport[];
  readonly refusals: RefusalReport[];
  readonly backend: BackendReport | null;
  /** The runbook's recovery from a killed apply and from errored.tfstate, drilled. */
  readonly recovery: RecoveryReport | null;
  /** The Git data drill: pushes through the DR cycle, the Git server's own data script at two sites. */
  readonly gitData: GitDataReport | null;
  /** The checks shown alive: after the cycle, each out-of-band change and the problem that caught it. */
  readonly mutations: MutationReport[];
  readonly failure?: string;
  /** moto's version, the profile, and the resources left out because they depend on an excluded one (per stack). */
  readonly emulator: { readonly moto: string; readonly profile: string; readonly leftOut: Record<string, string[]> };
  /** The permission proof over every step: requests evaluated, denied, unplaced. */
  readonly permissions: { readonly evaluated: number; readonly denied: number; readonly unplaced: number };
  readonly seconds: number;
}

export const DRILL_COMMAND: CommandSpec = {
  invocation: 'npm run drill --',
  name: 'drill',
  summary: [
    'Applies the estate to an AWS emulator (moto_server on 127.0.0.1) with real terraform and walks the DR',
    'cycle (normal, failover with us-east-2 dark, reprotect, failback, normal again), reading each step back',
    'and checking it against expectations written by hand; then the state backend, the Git data path and',
    'out-of-band mutations each check must catch. Needs terraform, a provider mirror and moto_server; no AWS.',
  ].join('\n'),
  options: {
    report: { type: 'string', value: 'FILE', description: 'write the JSON report to FILE' },
    until: { type: 'string', value: 'STEP', description: `stop after this step (${DR_CYCLE_STEPS.join(', ')})` },
    break: { type: 'string', value: 'STEP', description: "apply this step with the two regions' app-tier sizes swapped (the drill must fail)" },
    revoke: { type: 'string', value: 'ROLE:SID', multiple: true, description: "remove one statement from a CI role's policies before the bootstrap (the drill must fail)" },
    'git-switch-order': { type: 'string', value: 'ORDER', description: `${GIT_SWITCH_ORDERS.join(' or ')}: new-writer-first starts a failback's Git servers in the wrong order (a push must be lost)` },
    keep: { type: 'boolean', description: 'keep the work folder (drill.log holds the output of every terraform command)' },
    'no-backend': { type: 'boolean', description: 'skip the state backend checks' },
    'no-git-data': { type: 'boolean', description: 'skip the Git data drill' },
  },
  exitCodes: {
    ok: 'every step read back as expected, and every check and mutation held',
    failure: 'a step, check or mutation did not hold (the report and drill.log say which)',
  },
};

function stepOption(value: string | undefined, name: string): DrCycleStep | undefined {
  if (value === undefined) return undefined;
  if ((DR_CYCLE_STEPS as readonly string[]).includes(value)) return value as DrCycleStep;
  throw new UsageError(`--${name} is "${value}", expected one of ${DR_CYCLE_STEPS.join(', ')}.`);
}

/** The command line: runs the drill on the committed config (or `committed`); returns the exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, committed: EstateConfigInput = estate): Promise<number> {
  return runCommand(DRILL_COMMAND, argv, env, ({ values }) => drill(values as DrillOptions, env, committed));
}

interface DrillOptions {
  readonly report?: string;
  readonly until?: string;
  readonly break?: string;
  readonly revoke?: string[];
  readonly 'git-switch-order'?: string;
  readonly keep?: boolean;
  readonly 'no-backend'?: boolean;
  readonly 'no-git-data'?: boolean;
}

async function drill(values: DrillOptions, env: NodeJS.ProcessEnv, committed: EstateConfigInput): Promise<number> {
  const revoke = values.revoke ?? [];
  const badRevoke = revoke.find((r) => !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(r));
  if (badRevoke) {
    throw new UsageError(`--revoke is "${badRevoke}", expected <role purpose>:<statement sid>, e.g. deploy-dns:TheLockTableUnderTheStorageKey.`);
  }
  const gitOrder = values['git-switch-order'] ?? 'deploy';
  if (!(GIT_SWITCH_ORDERS as readonly string[]).includes(gitOrder)) {
    throw new UsageError(
      `--git-switch-order is "${gitOrder}", expected ${GIT_SWITCH_ORDERS.join(' or ')} (new-writer-first: the Git servers of a failback started before the old one stops, to show what that loses).`,
    );
  }
  const until = stepOption(values.until, 'until');
  const breakStep = stepOption(values.break, 'break');
  // An invalid config is a ConfigError: one line per problem, exit 2 (scripts/cli.ts).
  const base = resolveConfig(committed);
  const mismatch = expectationsMismatch(base);
  if (mismatch) throw new UsageError(mismatch);
  const python = env.DRILL_PYTHON ?? 'python3';
  const toolchain = detectToolchain(env);
  if (!toolchain.terraform || !toolchain.mirror) throw new UsageError(`cannot run terraform here: ${toolchain.missing.join('; ')}.`);
  // The committed estate, as the profile describes it (what it leaves out, per stack).
  const committedStacks = synthesizeEstate(base) as Record<string, StackJson>;

  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'estate-drill-'));
  const logFile = join(workDir, 'drill.log');
  const log = (line: string) => {
    console.log(line);
    appendFileSync(logFile, `${line}\n`);
  };
  const record = (title: string, result: TerraformResult) =>
    appendFileSync(logFile, `\n$ ${title}  -> exit ${result.code}\n${result.stdout}${result.stderr}\n`);

  // Every request the emulator serves, for the permission proof (scripts/drill/permissions.ts).
  const callsFile = join(workDir, 'calls.jsonl');
  let emulator;
  try {
    emulator = await startEmulator({ python, accountId: base.accountId, recordCallsTo: callsFile });
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    // moto missing is a missing tool (exit 2); any other start failure is the drill's (exit 1),
    // with a report that says so (CI reads it).
    if (error instanceof EmulatorMissing) throw new UsageError(error.message);
    const failure = `the emulator did not start: ${(error as Error).message}`;
    console.error(`drill: FAILED: ${failure}`);
    if (values.report) writeReport(values.report, { ...emptyReport(started), failure });
    return EXIT.failure;
  }
  // Interrupted: stop every terraform the drill runs, then the emulator (by its PID).
  const interrupted = new AbortController();
  const stopAll = () => {
    interrupted.abort();
    void emulator.stop();
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);

  const steps: StepReport[] = [];
  const refusals: RefusalReport[] = [];
  let backend: BackendReport | null = null;
  let recovery: RecoveryReport | null = null;
  let gitData: GitDataReport | null = null;
  let mutations: MutationReport[] = [];
  const mutationProblems: string[] = [];
  let failure: string | undefined;
  let backendRun: Promise<BackendReport | null> = Promise.resolve(null);
  let gitRun: Promise<GitDataReport> | null = null;
  try {
    const closedEndpoint = `http://127.0.0.1:${await freeLoopbackPort()}`;
    mkdirSync(join(workDir, 'cli'), { recursive: true });
    const tf: DrillTerraform = {
      terraform: toolchain.terraform,
      cliConfigFile: writeCliConfig(toolchain.mirror, join(workDir, 'cli')),
      workDir,
      env: drillEnvironment(env, emulator.endpoint, closedEndpoint, 'closed'),
      record,
      signal: interrupted.signal,
    };
    const ctx: DrillContext = {
      tf,
      input: committed,
      emulator: emulator.endpoint,
      closedEndpoint,
      python,
      log,
      breakStep: breakStep as DrCycleStep | undefined,
      calls: new CallLog(callsFile),
      revoke,
      refreshed: new Set(),
      replannedLastStep: new Set(),
    };
    log(`drill: emulator (moto ${emulator.version}) on ${emulator.endpoint}, pid ${emulator.pid}; work folder ${workDir}`);
    log(describeProfile(committedStacks));
    // The Git data drill runs beside the estate's, on its own emulator (the time is mostly waits).
    if (!values['no-git-data']) gitRun = runGitData(python, closedEndpoint, workDir, gitOrder as (typeof GIT_SWITCH_ORDERS)[number], log, interrupted.signal);
    const boot = await bootstrap(ctx);
    // The backend checks run alone, before the cycle: moto is not safe under concurrent
    // writes to one table (a lock write retried under load found its own first attempt).
    if (!values['no-backend']) {
      backendRun = backendChecks(ctx, boot).catch((error: Error) => {
        log(`backend: checks stopped: ${error.message}`);
        return null;
      });
      backend = await backendRun;
      recovery = await recoveryChecks(ctx, estateBackend(boot.stacks, base.primary.region));
    }
    const cycle = drCycle(base.primary.region, base.dr.region);
    for (const { step, position } of cycle) {
      const report = await runStep(ctx, step, position);
      steps.push(report);
      if (step === 'failover') {
        // A failback straight from the failover, without the reprotect, must be refused.
        const attempt = { activeRegion: base.primary.region, switches: position.switches + 1, reprotects: position.reprotects };
        // Attempted as a step: were it accepted, the drill would apply it and the read-back would differ.
        refusals.push(
          await tryRefusedTransition(ctx, step, `failback to ${base.primary.region} without a reprotect`, () => configIn(committed, attempt), () => runStep(ctx, 'failback', attempt), () => readEstate(ctx, boot)),
        );
      }
      if (report.problems.length || step === until) break;
    }
    const last = steps[steps.length - 1];
    if (steps.length === cycle.length && last.problems.length === 0) {
      const outcome = await runMutations(ctx, last.name, last.position);
      mutations = outcome.mutations;
      mutationProblems.push(...outcome.problems);
      for (const p of outcome.problems) log(`  PROBLEM ${p}`);
    } else log(`\nmutations: not run (they follow the whole cycle${until ? `; --until ${until}` : ''})`);
  } catch (error) {
    // A check that did not hold is a DrillFailure; anything else (a probe the emulator dropped, a
    // bug) still ends in a report, with its stack in drill.log.
    if (error instanceof DrillFailure) failure = error.message;
    else {
      failure = `the drill stopped on an unexpected error: ${(error as Error).message ?? String(error)}`;
      appendFileSync(logFile, `\n${(error as Error).stack ?? String(error)}\n`);
    }
    log(`drill: FAILED: ${failure}`);
  } finally {
    backend ??= await backendRun;
    if (gitRun) gitData = await gitRun;
    await emulator.stop();
    process.removeListener('SIGINT', stopAll);
    process.removeListener('SIGTERM', stopAll);
  }

  const stepsOk = steps.length > 0 && steps.every((s) => s.problems.length === 0);
  const complete = until ? steps.some((s) => s.name === until) : steps.length === DR_CYCLE_STEPS.length;
  const backendOk = values['no-backend'] || (backend !== null && backend.problems.length === 0 && recovery !== null && recovery.problems.length === 0);
  const ok = !failure && stepsOk && complete && refusals.every((r) => r.refused && r.nothingApplied) && backendOk && (values['no-git-data'] || gitData?.ok === true) && mutationProblems.length === 0 && (steps.length < DR_CYCLE_STEPS.length || mutations.length > 0);
  const report: DrillReport = {
    ok,
    steps,
    refusals,
    backend,
    recovery,
    gitData,
    mutations,
    ...(failure ? { failure } : {}),
    emulator: { moto: emulator.version, profile: PROFILE, leftOut: leftOutWithExcluded(committedStacks) },
    permissions: {
      evaluated: steps.reduce((n, s) => n + (s.permissions?.evaluated ?? 0), 0),
      denied: steps.reduce((n, s) => n + (s.permissions?.denied ?? 0), 0),
      unplaced: steps.reduce((n, s) => n + (s.permissions?.unplaced ?? 0), 0),
    },
    seconds: Math.round((Date.now() - started) / 1000),
  };
  if (values.report) writeReport(values.report, report);
  log(`\ndrill: ${ok ? 'PASSED' : 'FAILED'} in ${report.seconds} s${values.report ? `; report in ${values.report}` : ''}`);
  if (values.keep || !ok) log(`drill: terraform output and working folders kept in ${workDir} (drill.log)`);
  else rmSync(workDir, { recursive: true, force: true });
  return ok ? EXIT.ok : EXIT.failure;
}

const PROFILE = 'scripts/drill/profile.ts';

/** A report of a drill that did nothing yet (it failed before its first step). */
function emptyReport(started: number): DrillReport {
  return {
    ok: false,
    steps: [],
    refusals: [],
    backend: null,
    recovery: null,
    gitData: null,
    mutations: [],
    emulator: { moto: 'not started', profile: PROFILE, leftOut: {} },
    permissions: { evaluated: 0, denied: 0, unplaced: 0 },
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

function writeReport(file: string, report: DrillReport): void {
  writeFileSync(resolve(file), `${JSON.stringify(report, null, 2)}\n`);
}
