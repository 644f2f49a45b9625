import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployPhase, DeployStep } from './order';
import type { DrState } from '../../config/dr';
import { hasChanges, type PlanAction, type PlanCounts, type StatefulWarning } from '../terraform/plan';

/*
 * A plan set: one phase's stacks, each planned to a saved plan file, with what they would do.
 * `deploy:phase -- <phase> --plan DIR` writes it; `--apply DIR` applies exactly those files
 * after checking that they are the ones reviewed: same phase, same DR position, same
 * synthesized configuration, same plan bytes, not older than the approval window. Terraform
 * itself refuses a plan whose state changed since it was made ("Saved plan is stale").
 *
 *   DIR/plans.json            this manifest
 *   DIR/plans.md              the reviewers' summary (also the run's step summary)
 *   DIR/<stack>/cdk.tf.json   the configuration planned
 *   DIR/<stack>/.terraform.lock.hcl, DIR/<stack>/saved.tfplan
 */

export const PLAN_SET_FILE = 'plans.json';
export const PLAN_SUMMARY_FILE = 'plans.md';
export const PLAN_FILE = 'saved.tfplan';
const FORMAT = 1;

/** How long a plan may wait for its approval before it must be made again. */
export const DEFAULT_MAX_PLAN_AGE_HOURS = 24;

/** One stack of a plan set. */
export interface PlannedStack {
  readonly stack: string;
  readonly bestEffort: boolean;
  /** `failed`: it could not be planned (only a best-effort stack's failure leaves a usable set). */
  readonly outcome: 'changes' | 'no changes' | 'failed';
  readonly counts: PlanCounts;
  readonly changes: readonly { readonly address: string; readonly action: PlanAction }[];
  readonly stateful: readonly StatefulWarning[];
  /** sha256 of the synthesized configuration planned (cdk.tf.json). */
  readonly configSha256: string;
  /** sha256 of the saved plan file (stacks with changes). */
  readonly planSha256?: string;
  /** Why it could not be planned. */
  readonly error?: string;
}

/** A phase's plans, as `plans.json` holds them. */
export interface PlanSet {
  readonly format: typeof FORMAT;
  readonly phase: DeployPhase;
  readonly activeRegion: string;
  readonly state: DrState;
  /** The commit planned (GITHUB_SHA in a pipeline). */
  readonly commit?: string;
  /** When the plans were made (ISO 8601). */
  readonly createdAt: string;
  readonly stacks: readonly PlannedStack[];
}

/** What a deploy is for: checked against the plan set before anything is applied. */
export interface DeployIntent {
  readonly phase: DeployPhase;
  readonly activeRegion: string;
  readonly state: DrState;
  readonly steps: readonly DeployStep[];
  /** The synthesized configuration of every stack, by name. */
  readonly texts: Readonly<Record<string, string>>;
  /** The commit this run deploys (GITHUB_SHA): the plans must be of it. */
  readonly commit?: string;
  /**
   * sha256 of the plan set file as the plan job reported it (its job output, which does not
   * travel with the plans): the file applied must be that one.
   */
  readonly expectedPlanSet?: string;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function newPlanSet(intent: DeployIntent, stacks: readonly PlannedStack[], createdAt: Date, commit?: string): PlanSet {
  return { format: FORMAT, phase: intent.phase, activeRegion: intent.activeRegion, state: intent.state, commit, createdAt: createdAt.toISOString(), stacks };
}

/** True when applying the set would change anything. */
export function planSetChanges(set: PlanSet): boolean {
  return set.stacks.some((s) => s.outcome === 'changes');
}

/**
 * Reads the plan set in `dir` and checks it is the one to apply for `intent`; throws one
 * sentence per refusal (nothing has been applied then).
 */
export function readPlanSetFor(dir: string, intent: DeployIntent, now: Date, maxAgeHours: number): PlanSet {
  const file = join(dir, PLAN_SET_FILE);
  const again = `plan again (deploy:phase -- ${intent.phase} --plan ${dir}) and review the new plans`;
  if (!existsSync(file)) throw new Error(`${dir} holds no plan set (${PLAN_SET_FILE}): plan the phase first with deploy:phase -- ${intent.phase} --plan ${dir}.`);
  const bytes = readFileSync(file);
  if (intent.expectedPlanSet !== undefined && sha256(bytes) !== intent.expectedPlanSet) {
    throw new Error(`the plan set in ${dir} (sha256 ${sha256(bytes)}) is not the one the plan job reported (${intent.expectedPlanSet}): ${again}.`);
  }
  const set = JSON.parse(bytes.toString('utf8')) as PlanSet;
  if (set.format !== FORMAT) throw new Error(`${file} has format ${String(set.format)}, expected ${FORMAT}: ${again}.`);
  if (set.phase !== intent.phase) throw new Error(`the plans in ${dir} are of the ${set.phase} phase, not ${intent.phase}.`);
  if (set.activeRegion !== intent.activeRegion || set.state !== intent.state) {
    throw new Error(
      `the plans were made for the ${set.state} state with ${set.activeRegion} active, but this deploy is for the ${intent.state} state with ${intent.activeRegion} active (DR_ACTIVE_REGION or the committed activeRegion changed): ${again}.`,
    );
  }
  if (intent.commit !== undefined && set.commit !== intent.commit) {
    throw new Error(`the plans were made at commit ${set.commit ?? '(none recorded)'}, but this deploy runs commit ${intent.commit}: ${again}.`);
  }
  const ageHours = (now.getTime() - Date.parse(set.createdAt)) / 3_600_000;
  if (!(ageHours <= maxAgeHours)) {
    throw new Error(`the plans were made at ${set.createdAt}, ${ageHours.toFixed(1)} h ago, longer than the ${maxAgeHours} h a plan may wait for its approval: ${again}.`);
  }
  const planned = set.stacks.map((s) => s.stack).join(', ');
  const expected = intent.steps.map((s) => s.stack).join(', ');
  if (planned !== expected) throw new Error(`the plans are of ${planned || 'no stack'}, but the ${intent.phase} phase deploys ${expected}: ${again}.`);
  for (const stack of set.stacks) {
    if (stack.outcome === 'failed' && !stack.bestEffort) throw new Error(`${stack.stack} could not be planned (${stack.error}); its plan set cannot be applied: ${again}.`);
    if (stack.outcome !== 'changes') continue;
    const configFile = join(dir, stack.stack, 'cdk.tf.json');
    const planFile = join(dir, stack.stack, PLAN_FILE);
    const fresh = intent.texts[stack.stack];
    if (fresh === undefined || sha256(fresh) !== stack.configSha256 || !existsSync(configFile) || sha256(readFileSync(configFile)) !== stack.configSha256) {
      throw new Error(`${stack.stack} was planned from another configuration than this commit synthesizes (another commit or config): ${again}.`);
    }
    if (!existsSync(planFile) || sha256(readFileSync(planFile)) !== stack.planSha256) {
      throw new Error(`${stack.stack}'s saved plan (${planFile}) is missing or not the file that was reviewed: ${again}.`);
    }
  }
  return set;
}

const COUNT_KEYS = ['create', 'update', 'replace', 'delete'] as const;

/** The reviewers' summary of a plan set (Markdown). */
export function planSummary(set: PlanSet, maxAgeHours: number): string {
  const cell = (s: PlannedStack) => (s.outcome === 'changes' ? '**changes**' : s.outcome === 'failed' ? `**not planned**${s.bestEffort ? ' (best effort)' : ''}` : 'no changes');
  const lines = [
    `### Plan: ${set.phase} (${set.state}, active ${set.activeRegion})`,
    '',
    '| stack | plan | create | update | replace | delete |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...set.stacks.map((s) => `| ${s.stack} | ${cell(s)} | ${COUNT_KEYS.map((k) => (s.outcome === 'failed' ? '-' : s.counts[k])).join(' | ')} |`),
  ];
  const stateful = set.stacks.flatMap((s) => s.stateful.map((w) => `- **${w.action}** of a stateful resource: \`${s.stack}\` \`${w.address}\``));
  if (stateful.length) lines.push('', '#### Stateful resources that would be replaced or deleted', '', ...stateful);
  const failed = set.stacks.filter((s) => s.outcome === 'failed').map((s) => `- \`${s.stack}\`: ${s.error}`);
  if (failed.length) lines.push('', '#### Not planned', '', ...failed);
  for (const s of set.stacks.filter((p) => p.outcome === 'changes')) {
    lines.push('', `<details><summary>${s.stack}: ${s.changes.length} change${s.changes.length === 1 ? '' : 's'}</summary>`, '');
    lines.push(...s.changes.map((c) => `- ${c.action} \`${c.address}\``), '', '</details>');
  }
  lines.push(
    '',
    planSetChanges(set)
      ? `Approving the deploy applies exactly these saved plans. They are refused once a stack's state changes, or ${maxAgeHours} h after ${set.createdAt}.`
      : 'Nothing to apply.',
    '',
  );
  return lines.join('\n');
}

/** A stack's counts as one phrase: `2 to create, 1 to update`. */
export function countsPhrase(counts: PlanCounts): string {
  if (!hasChanges(counts)) return 'no changes';
  return COUNT_KEYS.filter((k) => counts[k] > 0).map((k) => `${counts[k]} to ${k}`).join(', ');
}
