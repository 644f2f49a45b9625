import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainFailure, hasChanges, initPlanAndSummarize, NO_CHANGES } from '../terraform/plan';
import { pool, runTerraform, type TerraformResult } from '../terraform/toolchain';
import {
  countsPhrase,
  DEFAULT_MAX_PLAN_AGE_HOURS,
  newPlanSet,
  PLAN_FILE,
  PLAN_SET_FILE,
  PLAN_SUMMARY_FILE,
  planSummary,
  readPlanSetFor,
  sha256,
  type DeployIntent,
  type PlannedStack,
  type PlanSet,
} from './plan-set';

/*
 * Saved-plan deploys: a phase is planned to saved plan files (--plan), reviewed, and exactly
 * those files are applied (--apply). Plans are made without the state lock (a read-only role
 * cannot take it, and nothing is written); each apply takes the lock, and Terraform refuses
 * the plan when the stack's state changed after it was made. The next phase is planned only
 * after this one is applied: its stacks read this phase's outputs.
 */

/** How long a deploy waits for a stack's state lock held by another deploy. */
export const STATE_LOCK_TIMEOUT = '20m';

/** What planning and applying share. */
export interface SavedPlanContext {
  readonly terraform: string;
  /** The plan set's folder. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cliConfigFile?: string;
  /** Progress and the plans themselves (for reviewers reading the log). */
  readonly log: (line: string) => void;
  /** Terraform's output while it applies. */
  readonly stream?: (text: string) => void;
  /** Longest a single terraform command may run. */
  readonly timeoutMs?: number;
  /**
   * The environment a stack is applied in (its own role: stack-roles.ts).
   * @default - `env` for every stack
   */
  readonly applyEnvFor?: (stack: string) => NodeJS.ProcessEnv;
}

const STALE = /Saved plan is stale/;

/** Plans every stack of the phase into `ctx.dir`; writes plans.json and plans.md. */
export async function planPhase(intent: DeployIntent, ctx: SavedPlanContext, now: Date, commit?: string, maxAgeHours = DEFAULT_MAX_PLAN_AGE_HOURS): Promise<PlanSet> {
  mkdirSync(ctx.dir, { recursive: true });
  for (const file of [PLAN_SET_FILE, PLAN_SUMMARY_FILE]) rmSync(join(ctx.dir, file), { force: true });
  const shown: string[][] = [];
  const stacks = await pool(intent.steps.map((step, index) => ({ step, index })), 2, async ({ step, index }) => {
    ctx.log(`[${index + 1}/${intent.steps.length}] ${step.stack}: planning`);
    const { planned, show } = await planStack(intent.texts[step.stack], step.stack, step.bestEffort, ctx);
    shown[index] = show;
    ctx.log(`[${index + 1}/${intent.steps.length}] ${step.stack}: ${planned.outcome === 'failed' ? `not planned: ${planned.error}` : countsPhrase(planned.counts)}`);
    return planned;
  });
  // The plans themselves, in order, for whoever approves the apply.
  for (const lines of shown) lines.forEach((line) => ctx.log(line));
  const set = newPlanSet(intent, stacks, now, commit);
  writeFileSync(join(ctx.dir, PLAN_SET_FILE), `${JSON.stringify(set, null, 2)}\n`);
  writeFileSync(join(ctx.dir, PLAN_SUMMARY_FILE), planSummary(set, maxAgeHours));
  return set;
}

async function planStack(text: string | undefined, stack: string, bestEffort: boolean, ctx: SavedPlanContext): Promise<{ planned: PlannedStack; show: string[] }> {
  if (text === undefined) throw new Error(`${stack} is not a stack of the synthesized estate.`);
  const cwd = join(ctx.dir, stack);
  mkdirSync(cwd, { recursive: true });
  for (const file of ['cdk.tf.json', PLAN_FILE, '.terraform.lock.hcl']) rmSync(join(cwd, file), { force: true });
  writeFileSync(join(cwd, 'cdk.tf.json'), text);
  const base = { stack, bestEffort, counts: NO_CHANGES, changes: [], stateful: [], configSha256: sha256(text) };
  const failed = (step: string, r: TerraformResult) => ({ planned: { ...base, outcome: 'failed' as const, error: explainFailure(step, r) }, show: [] });
  const run = (args: string[]) => runTerraform(ctx.terraform, args, { cwd, env: ctx.env, cliConfigFile: ctx.cliConfigFile, timeoutMs: ctx.timeoutMs });

  // No lock: nothing is written, and the apply refuses this plan if the state moves on.
  const planned = await initPlanAndSummarize(run, ['-input=false', '-no-color', '-lock=false', '-detailed-exitcode', `-out=${PLAN_FILE}`], PLAN_FILE);
  if (!planned.ok) return failed(planned.step, planned.result);
  const { summary } = planned;
  if (!hasChanges(summary.counts)) {
    // Nothing to apply; the file would only be carried around.
    rmSync(join(cwd, PLAN_FILE), { force: true });
    return { planned: { ...base, outcome: 'no changes' }, show: [] };
  }
  const human = await run(['show', '-no-color', PLAN_FILE]);
  return {
    planned: { ...base, ...summary, outcome: 'changes', planSha256: sha256(readFileSync(join(cwd, PLAN_FILE))) },
    show: [`\n--- ${stack}: the saved plan ---`, human.code === 0 ? human.stdout.trimEnd() : explainFailure('show', human)],
  };
}

/** How each stack of an apply ended. */
export interface ApplyResult {
  /** 0 when every required stack is applied (or had nothing to apply); 1 when one failed. */
  readonly code: number;
  /** One Markdown list item per stack. */
  readonly summary: readonly string[];
}

/**
 * Applies exactly the saved plans in `ctx.dir`, in the phase's order, after checking they are
 * the ones reviewed for this intent (throws, applying nothing, when they are not).
 */
export async function applyPlanSet(intent: DeployIntent, ctx: SavedPlanContext, now: Date, maxAgeHours: number): Promise<ApplyResult> {
  const set = readPlanSetFor(ctx.dir, intent, now, maxAgeHours);
  const summary: string[] = [];
  for (const [i, planned] of set.stacks.entries()) {
    const step = `[${i + 1}/${set.stacks.length}] ${planned.stack}`;
    if (planned.outcome === 'no changes') {
      ctx.log(`${step}: nothing to apply`);
      summary.push(`- ${planned.stack}: no changes`);
      continue;
    }
    if (planned.outcome === 'failed') {
      warn(ctx, `${planned.stack} is not applied: it could not be planned (${planned.error})`, intent.steps[i].bestEffortReason);
      summary.push(`- ${planned.stack}: **not planned**, best effort`);
      continue;
    }
    ctx.log(`\n${step}: applying the saved plan (${countsPhrase(planned.counts)})`);
    const problem = await applyStack(planned.stack, ctx);
    if (!problem) {
      summary.push(`- ${planned.stack}: applied (${countsPhrase(planned.counts)})`);
      continue;
    }
    if (planned.bestEffort) {
      warn(ctx, `${planned.stack} failed: ${problem}`, intent.steps[i].bestEffortReason);
      summary.push(`- ${planned.stack}: **failed**, best effort`);
      continue;
    }
    const rest = set.stacks.slice(i + 1).map((s) => s.stack);
    ctx.log(`deploy: ${planned.stack} failed: ${problem} Not applied: ${rest.length ? rest.join(', ') : 'nothing else'}.`);
    summary.push(`- ${planned.stack}: **failed**: ${problem}`, ...rest.map((s) => `- ${s}: not applied`));
    return { code: 1, summary };
  }
  return { code: 0, summary };
}

/** Applies one stack's saved plan; undefined when done, else why not (one sentence or two). */
async function applyStack(stack: string, ctx: SavedPlanContext): Promise<string | undefined> {
  const cwd = join(ctx.dir, stack);
  const env = ctx.applyEnvFor?.(stack) ?? ctx.env;
  const run = (args: string[], stream?: (text: string) => void) =>
    runTerraform(ctx.terraform, args, { cwd, env, cliConfigFile: ctx.cliConfigFile, timeoutMs: ctx.timeoutMs, onOutput: stream });
  // The providers the plan was made with, exactly: the lock file travels with the plan.
  const lockfile = existsSync(join(cwd, '.terraform.lock.hcl')) ? ['-lockfile=readonly'] : [];
  const init = await run(['init', '-input=false', '-no-color', ...lockfile]);
  if (init.code !== 0) return `${explainFailure('init', init)}.`;
  const apply = await run(['apply', '-input=false', '-no-color', `-lock-timeout=${STATE_LOCK_TIMEOUT}`, PLAN_FILE], ctx.stream);
  if (apply.code === 0) return undefined;
  if (STALE.test(`${apply.stderr}\n${apply.stdout}`)) {
    return "its state changed after the plan was made (another deploy, or a change by hand), so the reviewed plan no longer applies and nothing of it was applied. Plan the phase again and review the new plan.";
  }
  return `${explainFailure('apply', apply)}.`;
}

function warn(ctx: SavedPlanContext, message: string, reason: string | undefined): void {
  const text = reason ? `${message}; ${reason}` : message;
  ctx.log(ctx.env.GITHUB_ACTIONS === 'true' ? `::warning::${text}` : `deploy: warning: ${text}`);
}
