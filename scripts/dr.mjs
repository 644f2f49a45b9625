#!/usr/bin/env node
// `npm run dr -- <command>`: bundles scripts/dr/cli.ts (esbuild, packages external) and runs it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const outfile = join(root, '.build', 'dr.js');
require('esbuild').buildSync({
  entryPoints: [join(root, 'scripts', 'dr', 'cli.ts')],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'error',
});
process.exitCode = require(outfile).main(process.argv.slice(2), process.env);
