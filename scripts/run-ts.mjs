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
try {
  require('esbuild').buildSync({
    entryPoints: [resolve(root, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  });
} catch (error) {
  // A source that does not compile (a broken or missing config file, most likely): where and
  // why, one line per error, no stack trace.
  for (const e of error.errors ?? [{ text: error.message }]) {
    const where = e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : '';
    console.error(`${basename(dirname(resolve(root, entry)))}: ${where}${e.text}`);
  }
  process.exit(2);
}
Promise.resolve(require(outfile).main(args, process.env)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
