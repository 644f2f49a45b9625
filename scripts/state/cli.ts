import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { estate } from '../../config/estate';
import { resolveConfig, type EstateConfig } from '../../config/load';
import { EXIT, runCommand, UsageError, type CommandSpec } from '../cli';
import { synthesizeTexts } from '../dr/synthesize';
import { findOnPath } from '../terraform/toolchain';
import { moveState } from './move';

/*
 * npm run state:move -- <old stack> <new stack> [--backend-config FILE]   (--help)
 *
 * Moves a renamed stack's state to its new key (scripts/state/move.ts), once, when upgrading
 * across the rename and before the renamed stack is deployed (docs/runbook.md, "Upgrading
 * across a stack rename"). Run it as an administrator, with no deploy running.
 */

export const STATE_MOVE_COMMAND: CommandSpec = {
  invocation: 'npm run state:move --',
  name: 'state:move',
  positionals: '<old stack> <new stack>',
  summary: [
    'Copies a renamed stack\'s Terraform state from its old key to its new one (same bucket, lock table and',
    'storage key), with terraform state pull and push, and reads it back. Only the renames config/naming.ts',
    'records; never over another state; the old object is left as it was. Needs terraform and AWS credentials.',
  ].join('\n'),
  options: {
    'backend-config': {
      type: 'string',
      value: 'FILE',
      description: 'extra backend settings for both keys, as for terraform init -backend-config (a profile, a role to assume)',
    },
  },
  exitCodes: { ok: 'the new key holds the state (moved now, or already)', failure: 'nothing was moved (no old state, the new key holds another state, AWS refused)' },
};

/** What the command runs on; tests replace the synthesis and the working folder. */
export interface StateMoveContext {
  readonly synthesize?: (config: EstateConfig) => Record<string, string>;
  /** Where the two backends are initialized. Default: `.build`. */
  readonly workDir?: string;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, context: StateMoveContext = {}): Promise<number> {
  return runCommand(STATE_MOVE_COMMAND, argv, env, async ({ values, positionals }) => {
    if (positionals.length !== 2) throw new UsageError(`name the old and the new stack (got ${positionals.length} names); see ${STATE_MOVE_COMMAND.invocation} --help.`);
    const [from, to] = positionals;
    const backendConfig = values['backend-config'] as string | undefined;
    if (backendConfig !== undefined && !existsSync(backendConfig)) throw new UsageError(`--backend-config is "${backendConfig}", which is not a file.`);
    const terraform = findOnPath('terraform', env.PATH ?? '');
    if (!terraform) throw new UsageError('no terraform executable on PATH: install Terraform 1.11 (the version the pipelines pin), then run this again.');
    const config = resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
    const texts = (context.synthesize ?? synthesizeTexts)(config);
    const workDir = context.workDir ?? resolve('.build');
    const moved = await moveState(from, to, { config, texts, terraform, workDir, env, backendConfig: backendConfig && resolve(backendConfig) });
    const what = `${moved.resources} resources, lineage ${moved.lineage}, serial ${moved.serial}`;
    if (moved.result === 'already') console.log(`state:move: ${moved.to} already holds ${from}'s state (${what}); nothing to do.`);
    else console.log(`state:move: moved ${from}'s state (${what}) from ${moved.from} to ${moved.to}; the old object is left as it was, and nothing reads it now.`);
    return EXIT.ok;
  });
}
