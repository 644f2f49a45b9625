#!/usr/bin/env node
// Runs the CDKTF app (main.ts) fast: esbuild bundles the project's own TypeScript (no
// type-check, milliseconds) and leaves every package as a plain require, so each provider
// class loads from its own file. The bundle is rebuilt on every run (no mtime check can be
// trusted: a deleted source, or one copied in with an old mtime, would leave it stale).
//
//   --typecheck  run tsc first (incremental); cdktf.json uses it, so `cdktf synth|deploy`
//                never act on code that does not type-check
//   --clean      the output folder holds exactly this synth's stacks: they are written to a
//                fresh folder that replaces it only when the synth succeeds (a failed synth
//                keeps the last good output)
//   --hcl        write HCL (cdk.tf) instead of JSON (cdk.tf.json)
//
// CDKTF_OUTDIR, SYNTH_HCL_OUTPUT and DR_ACTIVE_REGION pass through to the app;
// ESTATE_TSCONFIG names the tsconfig --typecheck uses (default: tsconfig.app.json, the
// app's sources; npm test type-checks tests and scripts as well).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  const final = resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const next = `${final}.next-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  process.env.CDKTF_OUTDIR = next;
  process.on('exit', (code) => {
    if (code === 0 && existsSync(next)) {
      rmSync(final, { recursive: true, force: true });
      renameSync(next, final);
    } else {
      rmSync(next, { recursive: true, force: true });
      if (existsSync(final)) console.error(`app.mjs: synth failed; ${final} still holds the last good output.`);
    }
  });
}

const outfile = join(root, '.build', 'main.js');
{
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
