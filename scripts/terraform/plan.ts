import { STATEFUL_RESOURCE_TYPES } from '../../constructs/stateful';
import type { TerraformResult } from './toolchain';

/*
 * Reading Terraform's plans and errors, for every command that plans: the drift review and the
 * saved-plan deploy. A plan is read from `terraform show -json <plan file>` (Terraform's JSON
 * output format: `resource_changes[].change.actions`).
 */

/** Planned changes by kind (a replace is one delete and one create of the same address). */
export interface PlanCounts {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
}

export type PlanAction = keyof PlanCounts;

/** A planned action on a stateful resource that would lose data. */
export interface StatefulWarning {
  readonly address: string;
  readonly action: 'replace' | 'delete';
}

/** What a plan would do: counts, every changed address, and the stateful resources at risk. */
export interface PlanSummary {
  readonly counts: PlanCounts;
  readonly changes: readonly { readonly address: string; readonly action: PlanAction }[];
  readonly stateful: readonly StatefulWarning[];
}

export const NO_CHANGES: PlanCounts = { create: 0, update: 0, replace: 0, delete: 0 };

/** A `resource_changes` entry of Terraform's JSON plan format. */
interface PlanResourceChange {
  readonly address: string;
  readonly type: string;
  readonly change: { readonly actions: readonly string[] };
}

/** Reads `terraform show -json` of a plan; throws when it is not a plan document. */
export function summarizePlan(showJson: string): PlanSummary {
  let document: { resource_changes?: PlanResourceChange[] };
  try {
    document = JSON.parse(showJson) as typeof document;
  } catch {
    throw new Error('terraform show -json printed no plan document');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('terraform show -json printed no plan document');
  }
  const counts = { ...NO_CHANGES };
  const changes: { address: string; action: PlanAction }[] = [];
  const stateful: StatefulWarning[] = [];
  for (const change of document.resource_changes ?? []) {
    const action = actionOf(change.change.actions);
    if (!action) continue;
    counts[action] += 1;
    changes.push({ address: change.address, action });
    if ((action === 'replace' || action === 'delete') && STATEFUL_RESOURCE_TYPES.includes(change.type)) {
      stateful.push({ address: change.address, action });
    }
  }
  return { counts, changes, stateful };
}

/** What {@link initPlanAndSummarize} found: the plan's exit code and summary, or the step that failed. */
export type SavedPlanRun =
  | { readonly ok: true; readonly planExit: 0 | 2; readonly summary: PlanSummary }
  | { readonly ok: false; readonly step: 'init' | 'plan' | 'show'; readonly result: TerraformResult };

/**
 * `terraform init`, then `plan` with `planArgs` (which save the plan to `file` with
 * -detailed-exitcode), then `show -json` of that file, summarized: what the drift review and the
 * saved-plan deploy both do to learn what a stack's plan would change.
 */
export async function initPlanAndSummarize(
  run: (args: string[]) => Promise<TerraformResult>,
  planArgs: readonly string[],
  file: string,
): Promise<SavedPlanRun> {
  const init = await run(['init', '-input=false', '-no-color']);
  if (init.code !== 0) return { ok: false, step: 'init', result: init };
  const plan = await run(['plan', ...planArgs]);
  if (plan.code !== 0 && plan.code !== 2) return { ok: false, step: 'plan', result: plan };
  const show = await run(['show', '-json', '-no-color', file]);
  if (show.code !== 0) return { ok: false, step: 'show', result: show };
  try {
    return { ok: true, planExit: plan.code, summary: summarizePlan(show.stdout) };
  } catch (error) {
    return { ok: false, step: 'show', result: { ...show, code: 1, stderr: (error as Error).message } };
  }
}

/** True when a plan changes anything. */
export function hasChanges(counts: PlanCounts): boolean {
  return Object.values(counts).some((n) => n > 0);
}

function actionOf(actions: readonly string[]): PlanAction | undefined {
  const key = [...actions].sort().join(',');
  if (key === 'create') return 'create';
  if (key === 'update') return 'update';
  if (key === 'delete') return 'delete';
  if (key === 'create,delete') return 'replace';
  return undefined; // no-op, read, forget
}

const AUTH_ERRORS = [
  /No valid credential sources found/i,
  /failed to refresh cached credentials/i,
  /NoCredentialProviders/,
  /InvalidClientTokenId/,
  /ExpiredToken/,
  /could not (?:retrieve|load) (?:the )?credentials/i,
  /get-token.*(?:Unable to locate credentials|could not find)/i,
];

/**
 * Why a terraform step failed, on one line: what to do first when it is a known cause
 * (credentials, a timeout, no registry), then Terraform's own error whole (summary and
 * detail), never cut.
 */
export function explainFailure(step: string, r: TerraformResult): string {
  const text = `${r.stderr}\n${r.stdout}`;
  const terraformSays = lastTerraformError(text);
  const said = terraformSays ? `; terraform said: ${terraformSays}` : '';
  if (AUTH_ERRORS.some((pattern) => pattern.test(text))) {
    return `${step} could not authenticate to AWS: no valid credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available)${said}`;
  }
  if (r.timedOut) return `${step} timed out (raise --timeout-minutes, or check the network to AWS)${said}`;
  if (/Failed to (?:query available provider packages|install provider)/.test(text)) {
    return `${step} could not install the providers: no access to their registry (run where registry.terraform.io is reachable, or pass --provider-mirror a folder holding registry.terraform.io/, e.g. one filled by "terraform providers mirror")${said}`;
  }
  return `${step} failed: ${terraformSays ?? (text.trim().split('\n').pop() || `exit code ${r.code}`)}`;
}

/**
 * Terraform's last error block as one line: its summary and detail lines. Terraform may report
 * a general error before the specific one, so the last is the most specific.
 */
export function lastTerraformError(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.replace(/^[│╷╵\s]+/, '').trim());
  const blocks: string[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('Error:')) return;
    const parts = [line];
    for (let j = i + 1; j < lines.length && !lines[j].startsWith('Error:') && !/^(Warning:|Plan:|Terraform )/.test(lines[j]); j++) {
      if (lines[j]) parts.push(lines[j]);
    }
    blocks.push(parts.join(' '));
  });
  return blocks.pop();
}
