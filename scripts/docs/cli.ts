import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, runCommand, type CommandSpec } from '../cli';
import { GENERATED, withSection } from './generated';

/** npm run docs: regenerates the generated parts of docs/ (./generated.ts). */
export const DOCS_COMMAND: CommandSpec = {
  invocation: 'npm run docs --',
  name: 'docs',
  summary: [
    'Writes the generated parts of docs/: the configuration reference (from config/schema), the runbook',
    "steps (from scripts/dr/runbook.ts) and the quota table. With --check, only says whether they are current.",
  ].join('\n'),
  options: { check: { type: 'boolean', description: 'change nothing; exit 1 when a doc is out of date' } },
  exitCodes: { ok: 'every generated part is current (or was updated)', failure: '--check: a doc is out of date' },
};

/** Runs the command on the docs under `root` (npm runs scripts in the project's folder); returns the exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, root = resolve('.')): Promise<number> {
  return runCommand(DOCS_COMMAND, argv, env, ({ values }) => {
    const stale: string[] = [];
    for (const file of [...new Set(GENERATED.map((s) => s.file))]) {
      const path = join(root, file);
      const text = readFileSync(path, 'utf8');
      const current = GENERATED.filter((s) => s.file === file).reduce(withSection, text);
      if (current === text) continue;
      stale.push(file);
      if (!values.check) writeFileSync(path, current);
    }
    if (!stale.length) {
      console.log(`docs: ${GENERATED.length} generated parts are current (${[...new Set(GENERATED.map((s) => s.file))].join(', ')})`);
      return EXIT.ok;
    }
    if (values.check) {
      console.error(`docs: out of date: ${stale.join(', ')}; run npm run docs`);
      return EXIT.failure;
    }
    console.log(`docs: wrote ${stale.join(', ')}`);
    return EXIT.ok;
  });
}
