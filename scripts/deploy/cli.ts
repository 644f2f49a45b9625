import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { DEPLOY_PHASES, deploySequence, drState, type DeployPhase, type DeployStep } from '../../config/dr';
import { loadEstateConfig } from '../estate-config';
import { findOnPath } from '../terraform/toolchain';

/*
 * npm run deploy:phase -- <phase ...|all> [--auto-approve] [--list]
 *
 * Deploys the stacks of the named phases (regional, monitoring, dr, passive) in the order of
 * the current posture (config/dr.ts deploySequence; DR_ACTIVE_REGION is honoured): the active
 * site first, and, while the passive site protects nothing, its stacks last and best-effort, so
 * a failover runs to the DNS flip with the region it leaves unreachable. The pipelines call
 * this once per phase; by hand it is `npm run deploy:phase -- all`. Bootstrap stacks are never
 * deployed here. --list prints the sequence and deploys nothing; under a pipeline it also
 * writes each phase's stacks to GITHUB_OUTPUT, so a job can be skipped when its phase is empty.
 */

const USAGE = `usage: npm run deploy:phase -- <${DEPLOY_PHASES.join('|')}|all> [...] [--auto-approve] [--list]`;

interface DeployOptions {
  readonly phases: readonly DeployPhase[];
  readonly autoApprove: boolean;
  readonly list: boolean;
}

function parse(argv: readonly string[]): DeployOptions | string {
  const phases = new Set<DeployPhase>();
  let autoApprove = false;
  let list = false;
  for (const arg of argv) {
    if (arg === '--auto-approve') autoApprove = true;
    else if (arg === '--list') list = true;
    else if (arg === 'all') DEPLOY_PHASES.forEach((p) => phases.add(p));
    else if ((DEPLOY_PHASES as readonly string[]).includes(arg)) phases.add(arg as DeployPhase);
    else if (arg.startsWith('-')) return `unknown option "${arg}"; ${USAGE}`;
    else return `phase is "${arg}", expected one of ${DEPLOY_PHASES.join(', ')} or all.`;
  }
  if (!phases.size) return `name at least one phase; ${USAGE}`;
  return { phases: DEPLOY_PHASES.filter((p) => phases.has(p)), autoApprove, list };
}

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
  const options = parse(argv);
  if (typeof options === 'string') {
    console.error(`deploy: ${options}`);
    return 1;
  }
  const config = loadEstateConfig('deploy', env);
  if (!config) return 1;
  const steps = deploySequence(config).filter((s) => options.phases.includes(s.phase));
  const describe = (s: DeployStep) => `${s.stack} (${s.phase}${s.bestEffort ? ', best effort' : ''})`;
  console.log(`deploy: state ${drState(config)}, active ${config.activeRegion}; ${steps.length ? steps.map(describe).join(' -> ') : 'nothing in these phases'}`);
  if (options.list && env.GITHUB_OUTPUT) {
    // For a pipeline: `<phase>=<stack> <stack>` per phase (empty when the phase has nothing).
    const outputs = options.phases.map((phase) => `${phase}=${steps.filter((s) => s.phase === phase).map((s) => s.stack).join(' ')}`);
    appendFileSync(env.GITHUB_OUTPUT, `${outputs.join('\n')}\n`);
  }
  if (options.list || !steps.length) return 0;

  const cdktf = findOnPath('cdktf', env.PATH ?? '');
  if (!cdktf) {
    console.error('deploy: no cdktf executable on PATH. Run "npm ci" first, then this command through npm run (it puts node_modules/.bin on PATH).');
    return 1;
  }
  const summary: string[] = [];
  let code = 0;
  for (const [i, step] of steps.entries()) {
    console.log(`\n[${i + 1}/${steps.length}] deploying ${describe(step)}`);
    const exit = await deployStack(cdktf, step, options.autoApprove, env);
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
    code = 1;
    break;
  }
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(env.GITHUB_STEP_SUMMARY, `### Deploy: ${options.phases.join(', ')} (active ${config.activeRegion})\n\n${summary.join('\n')}\n\n`);
  }
  return code;
}
