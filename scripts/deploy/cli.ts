import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEPLOY_PHASES, deploySequence, drState, type DeployPhase, type DeployStep } from '../../config/dr';
import { estate } from '../../config/estate';
import { resolveConfig, type EstateConfig } from '../../config/load';
import { EXIT, runCommand, UsageError, type CommandSpec } from '../cli';
import { findOnPath, hasRegistryFolder, writeCliConfig } from '../terraform/toolchain';
import { liveActiveRegion, pushGuardProblem } from './live-dns';

/*
 * npm run deploy:phase -- <phase ...|all> [--auto-approve] [--list] [--provider-mirror DIR]   (--help)
 *
 * Deploys the stacks of the named phases (regional, monitoring, dr, passive) in the order of
 * the current posture (config/dr.ts deploySequence; DR_ACTIVE_REGION is honoured): the active
 * site first, and, while the passive site protects nothing, its stacks last and best-effort, so
 * a failover runs to the DNS flip with the region it leaves unreachable. The pipelines call
 * this once per phase; by hand it is `npm run deploy:phase -- all`. Bootstrap stacks are never
 * deployed here. --list prints the sequence and deploys nothing; under a pipeline it also
 * writes each phase's stacks to GITHUB_OUTPUT, so a job can be skipped when its phase is empty.
 */

export const DEPLOY_COMMAND: CommandSpec = {
  invocation: 'npm run deploy:phase --',
  name: 'deploy',
  positionals: `<${DEPLOY_PHASES.join('|')}|all> [...]`,
  summary: [
    'Deploys the stacks of the named phases in the order of the current DR posture (DR_ACTIVE_REGION',
    'honoured): the active site first, the passive site last and best effort while it protects nothing.',
    'Bootstrap stacks are never deployed here.',
  ].join('\n'),
  options: {
    'auto-approve': { type: 'boolean', description: 'apply without asking (cdktf deploy --auto-approve)' },
    list: { type: 'boolean', description: 'print the sequence and deploy nothing (writes <phase>=<stacks> to GITHUB_OUTPUT in a pipeline)' },
    'guard-live-dns': {
      type: 'boolean',
      description: 'first read what the live DNS serves (the DR stack\'s state) and refuse, deploying nothing, when it is not this deploy\'s active region (deploys from a push)',
    },
    'provider-mirror': {
      type: 'string',
      value: 'DIR',
      description: 'install providers from this mirror (holding registry.terraform.io/), the rest from the registry; default TF_PROVIDER_MIRROR',
    },
  },
  exitCodes: { ok: 'every required stack deployed (best-effort ones may have failed, with a warning)', failure: 'a required stack failed; the ones after it were not deployed' },
};

interface DeployOptions {
  readonly phases: readonly DeployPhase[];
  readonly autoApprove: boolean;
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
  const mirror = (values['provider-mirror'] as string | undefined) ?? (env.TF_PROVIDER_MIRROR || undefined);
  if (mirror && !hasRegistryFolder(mirror)) {
    throw new UsageError(`the provider mirror "${mirror}" (--provider-mirror or TF_PROVIDER_MIRROR) holds no registry.terraform.io/ folder; fill one with "terraform providers mirror <dir>".`);
  }
  return {
    phases: DEPLOY_PHASES.filter((p) => phases.has(p)),
    autoApprove: values['auto-approve'] === true,
    list: values.list === true,
    guardLiveDns: values['guard-live-dns'] === true,
    providerMirror: mirror && resolve(mirror),
  };
}

/** Refuses (exit 2, nothing deployed) a deploy whose active region is not what the live DNS serves. */
async function guardLiveDns(config: EstateConfig, env: NodeJS.ProcessEnv): Promise<void> {
  const terraform = findOnPath('terraform', env.PATH ?? '');
  if (!terraform) throw new UsageError('--guard-live-dns reads the DR stack\'s state with terraform: no terraform executable on PATH.');
  const live = await liveActiveRegion(config, terraform, resolve('.build', 'deploy-guard'), env);
  const problem = pushGuardProblem(config, live);
  if (problem) throw new UsageError(problem);
  console.log(`deploy: the live DNS serves ${live ?? 'nothing yet (no DR stack deployed)'}; this deploy keeps it on ${config.activeRegion}`);
}

/** How long a deploy waits for a stack's state lock held by another deploy. */
export const STATE_LOCK_TIMEOUT = '20m';

/** Runs `cdktf deploy` for one stack with the output streamed; resolves to its exit code. */
function deployStack(cdktf: string, step: DeployStep, autoApprove: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const args = ['deploy', step.stack, '--ignore-missing-stack-dependencies', ...(autoApprove ? ['--auto-approve'] : [])];
  return new Promise((resolve) => {
    const child = spawn(cdktf, args, { stdio: 'inherit', env });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Deploys the phases; returns the exit code (0 done, 1 a required stack failed or bad input). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runCommand(DEPLOY_COMMAND, argv, env, (parsed) => deploy(parse(parsed, env), env));
}

async function deploy(options: DeployOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const config = resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
  const steps = deploySequence(config).filter((s) => options.phases.includes(s.phase));
  const describe = (s: DeployStep) => `${s.stack} (${s.phase}${s.bestEffort ? ', best effort' : ''})`;
  console.log(`deploy: state ${drState(config)}, active ${config.activeRegion}; ${steps.length ? steps.map(describe).join(' -> ') : 'nothing in these phases'}`);
  if (options.list && env.GITHUB_OUTPUT) {
    // For a pipeline: `<phase>=<stack> <stack>` per phase (empty when the phase has nothing).
    const outputs = options.phases.map((phase) => `${phase}=${steps.filter((s) => s.phase === phase).map((s) => s.stack).join(' ')}`);
    appendFileSync(env.GITHUB_OUTPUT, `${outputs.join('\n')}\n`);
  }
  if (options.list || !steps.length) return 0;
  if (options.guardLiveDns) await guardLiveDns(config, env);

  const cdktf = findOnPath('cdktf', env.PATH ?? '');
  if (!cdktf) {
    throw new UsageError('no cdktf executable on PATH. Run "npm ci" first, then this command through npm run (it puts node_modules/.bin on PATH).');
  }
  // Terraform's update check only prints an error offline; a mirror, when given, is read first.
  // A stack whose state another deploy holds (the other forge's pipeline, an operator) is waited
  // for, not failed: its plan and apply take the state lock with a timeout.
  const deployEnv: NodeJS.ProcessEnv = {
    ...env,
    CHECKPOINT_DISABLE: '1',
    TF_CLI_ARGS_plan: env.TF_CLI_ARGS_plan ?? `-lock-timeout=${STATE_LOCK_TIMEOUT}`,
    TF_CLI_ARGS_apply: env.TF_CLI_ARGS_apply ?? `-lock-timeout=${STATE_LOCK_TIMEOUT}`,
  };
  if (options.providerMirror) {
    deployEnv.TF_CLI_CONFIG_FILE = writeCliConfig(options.providerMirror, resolve('.build', 'deploy'), { registryFallback: true });
    console.log(`deploy: providers from ${options.providerMirror} where it holds them, the rest from the registry`);
  }
  const summary: string[] = [];
  let code = 0;
  for (const [i, step] of steps.entries()) {
    console.log(`\n[${i + 1}/${steps.length}] deploying ${describe(step)}`);
    const exit = await deployStack(cdktf, step, options.autoApprove, deployEnv);
    if (exit === 0) {
      summary.push(`- ${step.stack}: deployed`);
      continue;
    }
    if (step.bestEffort) {
      const warning = `${step.stack} failed (exit ${exit}); ${step.bestEffortReason}`;
      console.log(env.GITHUB_ACTIONS === 'true' ? `::warning::${warning}` : `deploy: warning: ${warning}`);
      summary.push(`- ${step.stack}: **failed**, best effort (exit ${exit})`);
      continue;
    }
    const skipped = steps.slice(i + 1).map((s) => s.stack);
    console.error(`deploy: ${step.stack} failed (exit ${exit}); not deployed: ${skipped.length ? skipped.join(', ') : 'nothing else'}.`);
    summary.push(`- ${step.stack}: **failed** (exit ${exit})`, ...skipped.map((s) => `- ${s}: not deployed`));
    code = EXIT.failure;
    break;
  }
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(env.GITHUB_STEP_SUMMARY, `### Deploy: ${options.phases.join(', ')} (active ${config.activeRegion})\n\n${summary.join('\n')}\n\n`);
  }
  return code;
}
