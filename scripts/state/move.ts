import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EstateConfig } from '../../config/load';
import { RENAMED_STACKS, stateKey } from '../../config/naming';
import { UsageError } from '../cli';
import { backendFolder, parseState, s3BackendOf, type PulledState } from '../terraform/state';
import { terraformErrors, type TerraformResult } from '../terraform/toolchain';

/*
 * A renamed stack keeps its state. A stack's state key holds its name
 * (`<environment>/<stack>/terraform.tfstate`), so a rename points the stack at an empty key,
 * and its next plan would create every resource again beside the ones it already has. The
 * move copies the state once, with Terraform's own commands, from the old key to the new one,
 * in the same bucket, lock table and storage key (the renamed stack's backend settings):
 *   1. `terraform state pull` from the old key (nothing there: nothing to move);
 *   2. the new key must be empty, or hold these very resources already (the move ran before):
 *      a move never overwrites a state;
 *   3. `terraform state push` into the new key (under its lock);
 *   4. `terraform state pull` from the new key: the resources as pulled in 1.
 * Terraform gives a state pushed to an empty key a lineage of its own (the remote state
 * manager refreshes before its first write, finds nothing, and starts a lineage: hashicorp/
 * terraform internal/states/remote/state.go PersistState), so the resources, not the lineage,
 * say whether the new key holds the old state.
 * The old object is left as it was (the bucket keeps versions); nothing reads it any more.
 * Only the renames config/naming.ts records (RENAMED_STACKS) can be moved.
 */

/** What a move found and did. */
export interface MoveOutcome {
  /** `moved` (copied now), `already` (the new key held this state already). */
  readonly result: 'moved' | 'already';
  readonly from: string;
  readonly to: string;
  readonly resources: number;
  readonly lineage: string;
  readonly serial: number;
}

/** What the move needs around it. */
export interface MoveContext {
  readonly config: EstateConfig;
  /** The synthesized estate (stack name to its Terraform JSON text). */
  readonly texts: Readonly<Record<string, string>>;
  readonly terraform: string;
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Extra settings for both backends (`terraform init -backend-config=<file>`): a profile, a role, endpoints. */
  readonly backendConfig?: string;
  readonly timeoutMs?: number;
}

/** Refuses (one sentence) any move but a recorded rename onto a stack of this estate. */
export function moveProblem(from: string, to: string, stacks: readonly string[]): string | undefined {
  const renames = Object.entries(RENAMED_STACKS).map(([old, now]) => `${old} -> ${now}`).join(', ');
  if (stacks.includes(from)) return `${from} is a stack of this estate: a state moves only from a name no stack has any more (recorded renames: ${renames}).`;
  if (!stacks.includes(to)) return `${to} is not a stack of this estate: one of ${stacks.join(', ')}.`;
  if (RENAMED_STACKS[from] !== to) return `${from} was not renamed to ${to}: config/naming.ts records ${renames}.`;
  return undefined;
}

/** Copies a renamed stack's state from its old key to its new one (see the header). */
export async function moveState(from: string, to: string, ctx: MoveContext): Promise<MoveOutcome> {
  const problem = moveProblem(from, to, Object.keys(ctx.texts));
  if (problem) throw new UsageError(problem);
  const backend = s3BackendOf(ctx.texts[to]);
  if (!backend) throw new UsageError(`${to} keeps no state in an S3 backend, so there is nothing to move.`);
  if (backend.key !== stateKey(ctx.config, to)) throw new Error(`${to}'s state key is ${String(backend.key)}, not ${stateKey(ctx.config, to)}: the move cannot tell where the old one is.`);
  const url = (key: string) => `s3://${String(backend.bucket)}/${key}`;
  const [fromUrl, toUrl] = [url(stateKey(ctx.config, from)), url(stateKey(ctx.config, to))];

  const terraformIn = async (name: string, key: string) => {
    const dir = join(ctx.workDir, 'state-move', name);
    const check = (what: string, args: readonly string[], result: TerraformResult): TerraformResult => {
      if (result.code !== 0) throw new Error(`${what} (terraform ${args[0]}${args[1] ? ` ${args[1]}` : ''} exited ${result.code}): ${terraformErrors(result, 1)}`);
      return result;
    };
    const folder = await backendFolder(ctx.terraform, dir, { ...backend, key }, { env: ctx.env, timeoutMs: ctx.timeoutMs ?? 10 * 60_000, backendConfig: ctx.backendConfig });
    check(`could not reach the state at ${url(key)}`, ['init'], folder.init);
    const run = async (what: string, args: string[]) => check(what, args, await folder.run(args));
    return { dir, run, pull: async () => parseState((await run(`could not read ${url(key)}`, ['state', 'pull'])).stdout) };
  };

  const source = await terraformIn('from', stateKey(ctx.config, from));
  const target = await terraformIn('to', stateKey(ctx.config, to));
  const [old, now] = [await source.pull(), await target.pull()];
  const outcome = (result: MoveOutcome['result'], state: PulledState): MoveOutcome => ({ result, from: fromUrl, to: toUrl, resources: state.resources.length, lineage: state.lineage, serial: state.serial });

  if (now && old && sameResources(now, old)) return outcome('already', now);
  if (now) {
    throw new Error(
      `${toUrl} already holds a state (lineage ${now.lineage}, serial ${now.serial}, ${now.resources.length} resources) with other resources than ${fromUrl}` +
        `${old ? ` (lineage ${old.lineage}, serial ${old.serial}, ${old.resources.length} resources)` : ''}: nothing was moved, as a move never overwrites a state ` +
        `(if it was moved before and ${to} deployed since, the move is done).`,
    );
  }
  if (!old) throw new Error(`${fromUrl} holds no state, so there is nothing to move (and ${toUrl} is empty: a first deploy of ${to} starts from nothing).`);

  // The copy on disk lives only for the push: a state belongs in its encrypted bucket.
  const file = join(target.dir, 'moved.tfstate');
  writeFileSync(file, old.text, { mode: 0o600 });
  try {
    await target.run(`could not write ${toUrl}`, ['state', 'push', '-no-color', file]);
  } finally {
    rmSync(file, { force: true });
  }
  const written = await target.pull();
  if (!written || !sameResources(written, old)) {
    const read = written ? `lineage ${written.lineage}, serial ${written.serial}, ${written.resources.length} resources` : 'no state';
    throw new Error(`${toUrl} reads back as ${read}, not as the state pushed (lineage ${old.lineage}, serial ${old.serial}, ${old.resources.length} resources): check it before deploying ${to}.`);
  }
  return outcome('moved', written);
}

/** Two states hold the same resources, attribute for attribute. */
function sameResources(a: PulledState, b: PulledState): boolean {
  return JSON.stringify(a.resources) === JSON.stringify(b.resources);
}
