import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { STATEFUL_RESOURCE_TYPES } from '../../constructs/stateful';
import { pool, runTerraform, type TerraformResult } from '../terraform/toolchain';

/*
 * Drift review: for every stack, `terraform plan -detailed-exitcode` against its real state,
 * read back with `terraform show -json`, summed up per stack, with any replace or delete of a
 * stateful resource called out.
 */

/** Outcome of one stack. `skipped`: its state is a local file this machine does not have. */
export type DriftResult = 'in sync' | 'drift' | 'error' | 'skipped';

/** A planned action on a stateful resource that would lose data. */
export interface StatefulWarning {
  readonly address: string;
  readonly action: 'replace' | 'delete';
}

/** One stack's review. */
export interface StackReview {
  readonly stack: string;
  readonly result: DriftResult;
  readonly counts: { readonly create: number; readonly update: number; readonly replace: number; readonly delete: number };
  readonly stateful: readonly StatefulWarning[];
  /** For `error`: one sentence on what failed. */
  readonly error?: string;
  /** For `skipped`: why the stack was not planned. */
  readonly reason?: string;
  readonly seconds: number;
}

/** Options of {@link reviewStacks}. */
export interface ReviewOptions {
  /** The terraform executable. */
  readonly terraform: string;
  /** Folder of the synthesized stacks (`cdktf.out/stacks`). */
  readonly stacksDir: string;
  /** Stacks checked at once. */
  readonly parallelism: number;
  /** Longest a single terraform command may run. */
  readonly timeoutMs: number;
  /** Progress lines go here. */
  readonly log: (line: string) => void;
  /** Environment of the terraform processes. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * A terraform CLI config to install providers with (see `writeCliConfig` in scripts/terraform/toolchain.ts).
   * @default the caller's own (`TF_CLI_CONFIG_FILE` or `~/.terraformrc`)
   */
  readonly cliConfigFile?: string;
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

/** Reviews the stacks (in the given order), at most `parallelism` at a time. */
export function reviewStacks(stacks: readonly string[], options: ReviewOptions): Promise<StackReview[]> {
  return pool(stacks.map((stack, index) => ({ stack, index })), Math.max(1, options.parallelism), async ({ stack, index }) => {
    options.log(`[${index + 1}/${stacks.length}] ${stack}: planning`);
    const r = await reviewStack(stack, options);
    const detail = r.error ?? r.reason;
    options.log(`[${index + 1}/${stacks.length}] ${stack}: ${r.result}${detail ? ` (${detail})` : ''}`);
    return r;
  });
}

async function reviewStack(stack: string, options: ReviewOptions): Promise<StackReview> {
  const started = Date.now();
  const cwd = join(options.stacksDir, stack);
  const empty = { create: 0, update: 0, replace: 0, delete: 0 };
  const run = (args: string[]) =>
    runTerraform(options.terraform, args, {
      cwd,
      env: options.env,
      cliConfigFile: options.cliConfigFile,
      timeoutMs: options.timeoutMs,
    });
  const fail = (step: string, r: TerraformResult): StackReview => ({
    stack,
    result: 'error',
    counts: empty,
    stateful: [],
    error: explain(step, r),
    seconds: (Date.now() - started) / 1000,
  });

  const missingState = missingLocalState(cwd);
  if (missingState) {
    return {
      stack,
      result: 'skipped',
      counts: empty,
      stateful: [],
      reason: `its state is a local file that is not on this machine (${missingState}): review it where it was deployed, or move it into S3 (stateBackend.bootstrapStateInS3)`,
      seconds: (Date.now() - started) / 1000,
    };
  }

  const init = await run(['init', '-input=false', '-no-color']);
  if (init.code !== 0) return fail('init', init);
  const plan = await run(['plan', '-detailed-exitcode', '-input=false', '-lock=false', '-no-color', '-out=drift.tfplan']);
  if (plan.code !== 0 && plan.code !== 2) return fail('plan', plan);
  const show = await run(['show', '-json', '-no-color', 'drift.tfplan']);
  if (show.code !== 0) return fail('show', show);
  let changes: PlanResourceChange[];
  try {
    changes = (JSON.parse(show.stdout) as { resource_changes?: PlanResourceChange[] }).resource_changes ?? [];
  } catch {
    return fail('show', { ...show, code: 1, stderr: 'terraform show -json printed no plan document' });
  }
  const counts = { ...empty };
  const stateful: StatefulWarning[] = [];
  for (const change of changes) {
    const action = actionOf(change.change.actions);
    if (!action) continue;
    counts[action] += 1;
    if ((action === 'replace' || action === 'delete') && STATEFUL_RESOURCE_TYPES.includes(change.type)) {
      stateful.push({ address: change.address, action });
    }
  }
  const changed = Object.values(counts).some((n) => n > 0);
  return {
    stack,
    result: plan.code === 2 || changed ? 'drift' : 'in sync',
    counts,
    stateful,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * The state file of a stack with a local backend when it does not exist: planning against it
 * would report every resource as new, which is not drift but a missing state.
 */
function missingLocalState(stackDir: string): string | undefined {
  const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as {
    terraform?: { backend?: { local?: { path?: string } } };
  };
  const local = json.terraform?.backend?.local;
  if (!local) return undefined;
  const path = resolve(stackDir, local.path ?? 'terraform.tfstate');
  return existsSync(path) ? undefined : path;
}

/** A `resource_changes` entry of Terraform's JSON plan format. */
interface PlanResourceChange {
  readonly address: string;
  readonly type: string;
  readonly change: { readonly actions: readonly string[] };
}

function actionOf(actions: readonly string[]): keyof StackReview['counts'] | undefined {
  const key = [...actions].sort().join(',');
  if (key === 'create') return 'create';
  if (key === 'update') return 'update';
  if (key === 'delete') return 'delete';
  if (key === 'create,delete') return 'replace';
  return undefined; // no-op, read, forget
}

/**
 * Why a step failed, on one line: what to do first when it is a known cause (credentials, a
 * timeout, no registry), then Terraform's own error whole (summary and detail), never cut.
 */
function explain(step: string, r: TerraformResult): string {
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
function lastTerraformError(text: string): string | undefined {
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

/** Reads a synthesized app's stacks and their dependencies from its manifest, in deploy order. */
export function stacksInDeployOrder(outdir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { dependencies?: string[] }>;
  };
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`stack dependency cycle: ${[...path, name].join(' -> ')}`);
    for (const dependency of [...(manifest.stacks[name]?.dependencies ?? [])].sort()) visit(dependency, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(manifest.stacks).sort()) visit(name, []);
  return order;
}
