#!/usr/bin/env node
// Runs one of the project's TypeScript commands: `node scripts/run-ts.mjs <entry.ts> [args]`.
// esbuild bundles the entry (packages stay plain requires) and its exported main(argv, env)
// runs; its return value is the exit code. Used by `npm run dr`, `drift`, `parity` and `drill`.
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const [entry, ...args] = process.argv.slice(2);
if (!entry || !entry.endsWith('.ts')) {
  console.error('run-ts: usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const outfile = join(root, '.build', `${basename(dirname(resolve(root, entry)))}-${basename(entry, '.ts')}.js`);
const { bundleOrExit } = await import('./esbuild.mjs');
// A command whose sources do not compile exits 2: nothing was run.
bundleOrExit({ entryPoints: [resolve(root, entry)], outfile }, { prefix: basename(dirname(resolve(root, entry))), exitCode: 2 });
Promise.resolve(require(outfile).main(args, process.env)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
