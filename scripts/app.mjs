#!/usr/bin/env node
// Runs the CDKTF app (main.ts) fast: esbuild bundles the project's own TypeScript (no
// type-check, milliseconds) and leaves every package as a plain require, so each provider
// class loads from its own file. The bundle is rebuilt only when a source is newer.
//
//   --typecheck  run tsc first (incremental); cdktf.json uses it, so `cdktf synth|deploy`
//                never act on code that does not type-check
//   --clean      remove the output folder first, so a failed synth leaves no stale stacks
//   --hcl        write HCL (cdk.tf) instead of JSON (cdk.tf.json)
//
// CDKTF_OUTDIR, SYNTH_HCL_OUTPUT and DR_ACTIVE_REGION pass through to the app;
// ESTATE_TSCONFIG names the tsconfig --typecheck uses (default: tsconfig.app.json, the
// app's sources; npm test type-checks tests and scripts as well).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !['--typecheck', '--clean', '--hcl'].includes(a));
if (unknown.length) {
  console.error(`app.mjs: unknown option ${unknown.join(', ')}; allowed: --typecheck, --clean, --hcl.`);
  process.exit(2);
}

if (args.has('--typecheck')) {
  const tsc = require.resolve('typescript/bin/tsc');
  const tsconfig = process.env.ESTATE_TSCONFIG ?? join(root, 'tsconfig.app.json');
  const check = spawnSync(process.execPath, [tsc, '-p', tsconfig], {
    stdio: 'inherit',
  });
  if (check.status !== 0) {
    console.error('Type-check failed: nothing was synthesized.');
    process.exit(check.status ?? 1);
  }
}
if (args.has('--hcl')) process.env.SYNTH_HCL_OUTPUT = 'true';
if (args.has('--clean')) {
  // Same resolution as the App's own outdir: relative to the working directory.
  rmSync(resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out'), { recursive: true, force: true });
}

const outfile = join(root, '.build', 'main.js');
if (!isFresh(outfile)) {
  const [bundle] = require('esbuild').buildSync({
    entryPoints: [join(root, 'main.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
    write: false,
  }).outputFiles;
  // Write then rename: a synth running in parallel never loads a half-written bundle.
  mkdirSync(dirname(outfile), { recursive: true });
  const partial = `${outfile}.${process.pid}.tmp`;
  writeFileSync(partial, bundle.contents);
  renameSync(partial, outfile);
}
if (process.env.ESTATE_BENCH_RSS_FILE) {
  const file = process.env.ESTATE_BENCH_RSS_FILE;
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
}
process.setSourceMapsEnabled(true);
require(outfile);

/** True when the bundle is newer than this script and every project source it bundles. */
function isFresh(bundle) {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  const sources = [fileURLToPath(import.meta.url), join(root, 'main.ts')];
  for (const dir of ['config', 'stacks', 'constructs']) sources.push(...tsFiles(join(root, dir)));
  return sources.every((file) => statSync(file).mtimeMs < built);
}

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
