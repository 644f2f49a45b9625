import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { explainFailure, hasChanges, initPlanAndSummarize, NO_CHANGES, type PlanCounts, type StatefulWarning } from '../terraform/plan';
import { pool, runTerraform, type TerraformResult } from '../terraform/toolchain';

/*
 * Drift review: for every stack, `terraform plan -detailed-exitcode` against its real state,
 * read back with `terraform show -json`, summed up per stack, with any replace or delete of a
 * stateful resource called out.
 */

/** Outcome of one stack. `skipped`: its state is a local file this machine does not have. */
export type DriftResult = 'in sync' | 'drift' | 'error' | 'skipped';

/** One stack's review. */
export interface StackReview {
  readonly stack: string;
  readonly result: DriftResult;
  readonly counts: PlanCounts;
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
  const empty = NO_CHANGES;
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
    error: explainFailure(step, r),
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

  const planned = await initPlanAndSummarize(run, ['-detailed-exitcode', '-input=false', '-lock=false', '-no-color', '-out=drift.tfplan'], 'drift.tfplan');
  if (!planned.ok) return fail(planned.step, planned.result);
  const { summary } = planned;
  const { counts, stateful } = summary;
  const changed = hasChanges(counts);
  return {
    stack,
    result: planned.planExit === 2 || changed ? 'drift' : 'in sync',
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
