import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, runCommand, type CommandSpec } from '../cli';
import { withReference } from './config-reference';

/** npm run docs: regenerates the README's configuration reference from the schema. */
export const DOCS_COMMAND: CommandSpec = {
  invocation: 'npm run docs --',
  name: 'docs',
  summary: "Writes the README's configuration reference, generated from config/schema (defaults) and\nconfig/schema/docs.ts (meanings). With --check, only says whether it is current.",
  options: { check: { type: 'boolean', description: 'change nothing; exit 1 when the README is out of date' } },
  exitCodes: { ok: 'the README is current (or was updated)', failure: '--check: the README is out of date' },
};

/** Runs the command on the README in the working folder (npm runs scripts in the project's); returns the exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, readmePath = resolve('README.md')): Promise<number> {
  return runCommand(DOCS_COMMAND, argv, env, ({ values }) => {
    const readme = readFileSync(readmePath, 'utf8');
    const current = withReference(readme);
    if (current === readme) {
      console.log('docs: the configuration reference in README.md is current');
      return EXIT.ok;
    }
    if (values.check) {
      console.error('docs: the configuration reference in README.md is out of date; run npm run docs');
      return EXIT.failure;
    }
    writeFileSync(readmePath, current);
    console.log('docs: wrote the configuration reference in README.md');
    return EXIT.ok;
  });
}
