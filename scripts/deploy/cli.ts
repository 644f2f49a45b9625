import { appendFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { DEPLOY_PHASES, deploySequence, type DeployPhase, type DeployStep } from './order';
import { drState } from '../../config/dr';
import { estate } from '../../config/estate';
import { resolveConfig, type EstateConfig } from '../../config/load';
import { EXIT, runCommand, UsageError, wholeNumber, type CommandSpec } from '../cli';
import { synthesizeTexts } from '../dr/synthesize';
import { findOnPath, hasRegistryFolder, writeCliConfig } from '../terraform/toolchain';
import { guardLiveDns } from './live-dns';
import { REPLICA_WAIT_MS, replicasReady } from './replica';
import { DEFAULT_MAX_PLAN_AGE_HOURS, PLAN_SET_FILE, PLAN_SUMMARY_FILE, planSetChanges, sha256, type DeployIntent, type PlanSet } from './plan-set';
import { applyPlanSet, planPhase, type ApplyResult, type SavedPlanContext } from './saved-plan';
import { ROLE_SOURCES, rolesFor, type RoleSource } from './stack-roles';

/*
 * npm run deploy:phase -- <phase ...|all> [--plan DIR | --apply DIR] [--list] [--guard-live-dns]   (--help)
 *
 * Deploys the stacks of the named phases (regional, dns, monitoring, passive) in the order of
 * the current DR state (scripts/deploy/order.ts deploySequence; DR_ACTIVE_REGION is honoured): the active
 * site first, and, while the passive site protects nothing, its stacks last and best-effort, so
 * a failover runs to the DNS flip with the region it leaves unreachable. Bootstrap stacks are
 * never deployed here.
 *
 * What is applied is what was reviewed: each phase is planned to saved plan files, and exactly
 * those files are applied (saved-plan.ts). A pipeline plans a phase in one job (--plan DIR,
 * read-only role) and applies it in the next, after approval (--apply DIR, deploy role); the
 * next phase is planned only then, as it reads this one's outputs. By hand, without --plan or
 * --apply, each phase is planned, shown, and applied once you type "yes".
 * --list prints the sequence and deploys nothing; under a pipeline it also writes each phase's
 * stacks to GITHUB_OUTPUT, so a job can be skipped when its phase is empty.
 */

export const DEPLOY_COMMAND: CommandSpec = {
  invocation: 'npm run deploy:phase --',
  name: 'deploy',
  positionals: `<${DEPLOY_PHASES.join('|')}|all> [...]`,
  summary: [
    'Deploys the stacks of the named phases in the order of the current DR state (DR_ACTIVE_REGION',
    'honoured): the active site first, the passive site last and best effort while it protects nothing.',
    'Each phase is planned to saved plan files and exactly those are applied: by hand, once you confirm;',
    'in a pipeline, --plan in one job and --apply in the approved next one. Bootstrap stacks are never deployed here.',
  ].join('\n'),
  options: {
    plan: {
      type: 'string',
      value: 'DIR',
      description: `plan one phase's stacks into DIR (saved plans, ${PLAN_SET_FILE}, ${PLAN_SUMMARY_FILE}) and apply nothing; writes changes=true|false to GITHUB_OUTPUT`,
    },
    apply: {
      type: 'string',
      value: 'DIR',
      description: 'apply exactly the saved plans in DIR (made by --plan for this phase, commit and DR position); a stale plan fails',
    },
    'assume-stack-roles': {
      type: 'string',
      value: 'env',
      description: "with --apply: apply each stack as its own scoped CI role (deploy-<region>, deploy-dns), assumed from the environment's credentials (env)",
    },
    'expect-plan-set': {
      type: 'string',
      value: 'SHA256',
      description: "with --apply: the plan set's sha256 as the plan job reported it (its plan-set output); any other plan set is refused",
    },
    'max-plan-age': {
      type: 'string',
      value: 'HOURS',
      description: `with --apply: refuse plans older than this (default ${DEFAULT_MAX_PLAN_AGE_HOURS})`,
    },
    list: { type: 'boolean', description: 'print the sequence and deploy nothing (writes <phase>=<stacks> to GITHUB_OUTPUT in a pipeline)' },
    'guard-live-dns': {
      type: 'boolean',
      description: 'first read what the live DNS serves (the DNS stack\'s state) and refuse, deploying nothing, when it is not this deploy\'s active region (deploys from a push)',
    },
    'provider-mirror': {
      type: 'string',
      value: 'DIR',
      description: 'install providers from this mirror (holding registry.terraform.io/), the rest from the registry; default TF_PROVIDER_MIRROR',
    },
  },
  exitCodes: {
    ok: 'planned, or every required stack applied (best-effort ones may have failed, with a warning)',
    failure: 'a required stack could not be planned or applied; the ones after it were not applied',
  },
};

/** What the command runs on; tests replace the synthesis, the prompt and the clock. */
export interface DeployContext {
  /** The synthesized configuration of every stack. Default: a fresh synthesis. */
  readonly synthesize?: (config: EstateConfig) => Record<string, string>;
  /** Asks to apply what was just shown (by hand). Default: a "yes" typed on the terminal. */
  readonly confirm?: (question: string) => Promise<boolean>;
  readonly now?: () => Date;
  /** Where working files go (the push guard's copy of the DNS stack, the provider config, the plans of a deploy by hand). Default: `.build`. */
  readonly workDir?: string;
  /** How long a plan waits for a state replica to catch up with its source, and between reads. Default: 15 min, 15 s. */
  readonly replicaWait?: { readonly waitMs: number; readonly pollMs: number };
}

interface DeployOptions {
  readonly phases: readonly DeployPhase[];
  readonly mode: { readonly kind: 'interactive' } | { readonly kind: 'plan' | 'apply'; readonly dir: string };
  readonly maxPlanAgeHours: number;
  readonly expectedPlanSet?: string;
  readonly stackRoles?: RoleSource;
  readonly list: boolean;
  readonly guardLiveDns: boolean;
  readonly providerMirror?: string;
}

function parse({ values, positionals }: { values: Record<string, unknown>; positionals: string[] }, env: NodeJS.ProcessEnv): DeployOptions {
  const phases = new Set<DeployPhase>();
  for (const arg of positionals) {
    if (arg === 'all') DEPLOY_PHASES.forEach((p) => phases.add(p));
    else if ((DEPLOY_PHASES as readonly string[]).includes(arg)) phases.add(arg as DeployPhase);
    else throw new UsageError(`phase is "${arg}", expected one of ${DEPLOY_PHASES.join(', ')} or all.`);
  }
  if (!phases.size) throw new UsageError(`name at least one phase (${DEPLOY_PHASES.join(', ')} or all); see ${DEPLOY_COMMAND.invocation} --help.`);
  const plan = values.plan as string | undefined;
  const apply = values.apply as string | undefined;
  if (plan !== undefined && apply !== undefined) throw new UsageError('--plan and --apply are two steps: plan in one run, apply in the next, after review.');
  const dirMode = plan !== undefined ? 'plan' : apply !== undefined ? 'apply' : undefined;
  if (dirMode && phases.size !== 1) {
    throw new UsageError(`--${dirMode} takes one phase (each phase is planned after the one before it is applied); got ${[...phases].join(', ')}.`);
  }
  if (dirMode && !(plan ?? apply)) throw new UsageError(`--${dirMode} needs a folder.`);
  const roles = values['assume-stack-roles'] as string | undefined;
  if (roles !== undefined && !(ROLE_SOURCES as readonly string[]).includes(roles)) {
    throw new UsageError(`--assume-stack-roles is "${roles}", expected ${ROLE_SOURCES.join(' or ')}.`);
  }
  if (roles !== undefined && dirMode !== 'apply') throw new UsageError('--assume-stack-roles goes with --apply: plans are made with the read-only plan role.');
  const expectedPlanSet = values['expect-plan-set'] as string | undefined;
  if (expectedPlanSet !== undefined && dirMode !== 'apply') throw new UsageError('--expect-plan-set goes with --apply: it names the plan set to apply.');
  if (expectedPlanSet !== undefined && !/^[0-9a-f]{64}$/.test(expectedPlanSet)) {
    throw new UsageError(`--expect-plan-set is "${expectedPlanSet}", expected a sha256 (64 hexadecimal digits), as the plan job's plan-set output gives it.`);
  }
  const mirror = (values['provider-mirror'] as string | undefined) ?? (env.TF_PROVIDER_MIRROR || undefined);
  if (mirror && !hasRegistryFolder(mirror)) {
    throw new UsageError(`the provider mirror "${mirror}" (--provider-mirror or TF_PROVIDER_MIRROR) holds no registry.terraform.io/ folder; fill one with "terraform providers mirror <dir>".`);
  }
  return {
    phases: DEPLOY_PHASES.filter((p) => phases.has(p)),
    mode: dirMode ? { kind: dirMode, dir: resolve((plan ?? apply)!) } : { kind: 'interactive' },
    maxPlanAgeHours: wholeNumber('max-plan-age', values['max-plan-age'] as string | undefined, DEFAULT_MAX_PLAN_AGE_HOURS, 1, 24 * 30),
    expectedPlanSet,
    stackRoles: roles as RoleSource | undefined,
    list: values.list === true,
    guardLiveDns: values['guard-live-dns'] === true,
    providerMirror: mirror && resolve(mirror),
  };
}

/** Deploys the phases; returns the exit code (0 done, 1 a required stack failed, 2 nothing was run). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, context: DeployContext = {}): Promise<number> {
  return runCommand(DEPLOY_COMMAND, argv, env, (parsed) => deploy(parse(parsed, env), env, context));
}

async function deploy(options: DeployOptions, env: NodeJS.ProcessEnv, context: DeployContext): Promise<number> {
  const config = resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
  const steps = deploySequence(config).filter((s) => options.phases.includes(s.phase));
  const describe = (s: DeployStep) => `${s.stack} (${s.phase}${s.bestEffort ? ', best effort' : ''})`;
  console.log(`deploy: state ${drState(config)}, active ${config.activeRegion}; ${steps.length ? steps.map(describe).join(' -> ') : 'nothing in these phases'}`);
  if (options.list && env.GITHUB_OUTPUT) {
    // For a pipeline: `<phase>=<stack> <stack>` per phase (empty when the phase has nothing).
    const outputs = options.phases.map((phase) => `${phase}=${steps.filter((s) => s.phase === phase).map((s) => s.stack).join(' ')}`);
    appendFileSync(env.GITHUB_OUTPUT, `${outputs.join('\n')}\n`);
  }
  if (options.list) return EXIT.ok;
  if (!steps.length) {
    if (options.mode.kind === 'plan' && env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, 'changes=false\n');
    return EXIT.ok;
  }

  const workDir = resolve(context.workDir ?? '.build');
  const terraform = findOnPath('terraform', env.PATH ?? '');
  if (!terraform) throw new UsageError('no terraform executable on PATH: install Terraform 1.11 (the version the pipelines pin), then run this again.');
  // Terraform's update check only prints an error offline; a mirror, when given, is read first.
  const runEnv: NodeJS.ProcessEnv = { ...env, CHECKPOINT_DISABLE: '1' };
  let cliConfigFile: string | undefined;
  if (options.providerMirror) {
    cliConfigFile = writeCliConfig(options.providerMirror, join(workDir, 'deploy'), { registryFallback: true });
    console.log(`deploy: providers from ${options.providerMirror} where it holds them, the rest from the registry`);
  }
  const texts = (context.synthesize ?? synthesizeTexts)(config);
  if (options.guardLiveDns) {
    if (options.mode.kind === 'apply') throw new UsageError('--guard-live-dns belongs to the plan: a refused push plans nothing, so there is nothing to apply.');
    await guardLiveDns(config, texts, terraform, env, workDir);
  }
  const now = context.now ?? (() => new Date());
  const intentOf = (phase: DeployPhase): DeployIntent => ({
    phase,
    activeRegion: config.activeRegion,
    state: drState(config),
    steps: steps.filter((s) => s.phase === phase),
    texts,
  });
  const ctx = (dir: string): SavedPlanContext => ({
    terraform,
    dir,
    env: runEnv,
    cliConfigFile,
    log: (line) => console.log(line),
    stream: (text) => process.stdout.write(text),
    timeoutMs: 3 * 3_600_000,
  });
  const phases = options.phases.filter((phase) => steps.some((s) => s.phase === phase));

  // A stack that reads another's state from a replica waits for replication (./replica.ts).
  const replicas = (phase: DeployPhase) =>
    replicasReady(texts, intentOf(phase).steps.map((s) => s.stack), {
      terraform,
      workDir,
      env: runEnv,
      readTimeoutMs: 2 * 60_000,
      ...(context.replicaWait ?? { waitMs: REPLICA_WAIT_MS, pollMs: 15_000 }),
    });
  if (options.mode.kind === 'plan') {
    if (!(await replicas(phases[0]))) return EXIT.failure;
    const set = await planPhase(intentOf(phases[0]), ctx(options.mode.dir), now(), env.GITHUB_SHA, options.maxPlanAgeHours);
    return finishPlan(set, options.mode.dir, env);
  }
  if (options.mode.kind === 'apply') {
    const intent = { ...intentOf(phases[0]), commit: env.GITHUB_SHA || undefined, expectedPlanSet: options.expectedPlanSet };
    if (!options.stackRoles) return applyAndReport(intent, ctx(options.mode.dir), now(), options.maxPlanAgeHours, env);
    const roles = rolesFor(config, intent, options.stackRoles, runEnv);
    try {
      return await applyAndReport(intent, { ...ctx(options.mode.dir), applyEnvFor: roles.envFor }, now(), options.maxPlanAgeHours, env);
    } finally {
      roles.dispose();
    }
  }

  // By hand: plan each phase, show it, ask, apply exactly it, then the next phase.
  if (!context.confirm && !process.stdin.isTTY) {
    throw new UsageError('no terminal to confirm on: in a pipeline, plan with --plan DIR in one job and apply with --apply DIR in the approved next one.');
  }
  const confirm = context.confirm ?? confirmOnTerminal;
  for (const phase of phases) {
    const dir = join(workDir, 'plans', phase);
    if (!(await replicas(phase))) return EXIT.failure;
    const set = await planPhase(intentOf(phase), ctx(dir), now(), undefined, options.maxPlanAgeHours);
    const planned = finishPlan(set, dir, {});
    if (planned !== EXIT.ok) return planned;
    if (!planSetChanges(set)) continue;
    if (!(await confirm(`Apply these saved plans of the ${phase} phase? Only "yes" applies them: `))) {
      console.log(`deploy: the ${phase} phase was not applied; nothing after it was deployed.`);
      return EXIT.failure;
    }
    const applied = await applyAndReport(intentOf(phase), ctx(dir), now(), options.maxPlanAgeHours, env);
    if (applied !== EXIT.ok) return applied;
  }
  return EXIT.ok;
}

/** Prints a plan set's summary (and gives it to the pipeline); 1 when a required stack could not be planned. */
function finishPlan(set: PlanSet, dir: string, env: NodeJS.ProcessEnv): number {
  const summary = readFileSync(join(dir, PLAN_SUMMARY_FILE), 'utf8');
  console.log(`\n${summary}`);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${summary}\n`);
  // The plan set's digest leaves the job as its output, apart from the artifact it describes.
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `changes=${planSetChanges(set)}\nplan-set=${sha256(readFileSync(join(dir, PLAN_SET_FILE)))}\n`);
  const failed = set.stacks.filter((s) => s.outcome === 'failed');
  for (const s of failed.filter((f) => f.bestEffort)) {
    const text = `${s.stack} could not be planned (${s.error}); it will not be applied`;
    console.log(env.GITHUB_ACTIONS === 'true' ? `::warning::${text}` : `deploy: warning: ${text}`);
  }
  const required = failed.filter((s) => !s.bestEffort);
  if (!required.length) return EXIT.ok;
  console.error(`deploy: ${required.map((s) => s.stack).join(', ')} could not be planned; nothing of the ${set.phase} phase can be applied.`);
  return EXIT.failure;
}

async function applyAndReport(intent: DeployIntent, ctx: SavedPlanContext, now: Date, maxAgeHours: number, env: NodeJS.ProcessEnv): Promise<number> {
  let result: ApplyResult;
  try {
    result = await applyPlanSet(intent, ctx, now, maxAgeHours);
  } catch (refusal) {
    throw new UsageError(`nothing was applied: ${(refusal as Error).message}`);
  }
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(env.GITHUB_STEP_SUMMARY, `### Apply: ${intent.phase} (${intent.state}, active ${intent.activeRegion})\n\n${result.summary.join('\n')}\n\n`);
  }
  return result.code;
}

/** Reads "yes" from the terminal. */
async function confirmOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim() === 'yes';
  } finally {
    rl.close();
  }
}
