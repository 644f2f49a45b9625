#!/usr/bin/env node
// Runs the CDKTF app (main.ts) fast: esbuild bundles the project's own TypeScript (no
// type-check, milliseconds) and leaves every package as a plain require, so each provider
// class loads from its own file. The bundle is reused only while the content hash of every
// source it was built from still matches (never an mtime: a deleted source, or one copied in
// with an old mtime, would leave it stale); otherwise it is rebuilt.
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
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
// npm run synth is `app.mjs --clean`, synth:hcl adds --hcl; cdktf.json runs it with --typecheck.
const HELP = `Usage: npm run synth [-- --hcl] [--typecheck]   (npm run synth:hcl: the same as HCL)

Synthesizes every stack of the estate (config/estate.ts; DR_ACTIVE_REGION overrides activeRegion)
into cdktf.out/stacks/<stack>/, replacing cdktf.out only when the synth succeeds. Needs no
terraform, AWS credentials or network.

Options:
  --hcl        write HCL (cdk.tf) instead of JSON (cdk.tf.json)
  --typecheck  type-check the app's sources first (tsc), as the cdktf CLI does
  --clean      write to a fresh folder that replaces the output only on success (npm run synth sets it)
  -h, --help   print this help and exit

Exit codes:
  0  every stack was written
  1  the synth failed (a construct threw); the last good output is kept
  2  usage error, invalid config or a type error: nothing was synthesized`;
if (args.has('--help') || args.has('-h')) {
  console.log(HELP);
  process.exit(0);
}
const unknown = [...args].filter((a) => !['--typecheck', '--clean', '--hcl'].includes(a));
if (unknown.length) {
  console.error(`app.mjs: unknown option ${unknown.join(', ')}; allowed: --typecheck, --clean, --hcl (npm run synth -- --help).`);
  process.exit(2);
}

if (args.has('--typecheck')) {
  const tsc = require.resolve('typescript/bin/tsc');
  const tsconfig = process.env.ESTATE_TSCONFIG ?? join(root, 'tsconfig.app.json');
  const check = require('node:child_process').spawnSync(process.execPath, [tsc, '-p', tsconfig], {
    stdio: 'inherit',
  });
  if (check.status !== 0) {
    console.error('Type-check failed: nothing was synthesized.');
    process.exit(2);
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
      console.log(`synth: wrote ${stacksIn(final).length} stacks to ${relative(process.cwd(), final) || '.'}/stacks (${args.has('--hcl') ? 'cdk.tf' : 'cdk.tf.json'})`);
    } else {
      rmSync(next, { recursive: true, force: true });
      if (existsSync(final)) console.error(`app.mjs: synth failed; ${final} still holds the last good output.`);
    }
  });
}

const outfile = join(root, '.build', 'main.js');
const record = `${outfile}.inputs.json`;
const sha = (data) => createHash('sha256').update(data).digest('hex');

// The bundle is reused only when it is byte for byte the one built from exactly these inputs
// (every source file esbuild read, by content hash, and the esbuild version): a deleted or
// changed source, or a file copied in with an old mtime, changes a hash and forces a rebuild.
function bundleIsCurrent() {
  try {
    const built = JSON.parse(readFileSync(record, 'utf8'));
    if (built.esbuild !== esbuildVersion() || built.bundle !== sha(readFileSync(outfile))) return false;
    return Object.entries(built.inputs).every(([file, hash]) => sha(readFileSync(join(root, file))) === hash);
  } catch {
    return false;
  }
}

function esbuildVersion() {
  return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
}

if (!bundleIsCurrent()) {
  // Loaded only to rebuild: a synth that reuses its bundle never pays for it.
  const { bundleOrExit } = await import('./esbuild.mjs');
  const result = bundleOrExit(
    {
      entryPoints: [join(root, 'main.ts')],
      absWorkingDir: root,
      outfile,
      // A separate map file: read only when a synth fails (see below), never parsed otherwise.
      sourcemap: 'linked',
      metafile: true,
      write: false,
    },
    { prefix: 'app.mjs', exitCode: 1 },
  );
  writeBundle(result);
}

function writeBundle(result) {
  const inputs = Object.fromEntries(
    [...Object.keys(result.metafile.inputs), 'tsconfig.json'].map((file) => [file, sha(readFileSync(join(root, file)))]),
  );
  // Write then rename: a synth running in parallel never loads a half-written bundle.
  mkdirSync(dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) {
    const partial = `${file.path}.${process.pid}.tmp`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  const bundle = result.outputFiles.find((f) => f.path === outfile);
  const partial = `${record}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify({ esbuild: esbuildVersion(), bundle: sha(bundle.contents), inputs }));
  renameSync(partial, record);
}
// Source maps cost a third of a synth when enabled up front, so they are off; a synth that
// throws is run once more with them on, so its stack trace names TypeScript files and lines.
if (process.env.ESTATE_SOURCE_MAPS === '1') process.setSourceMapsEnabled(true);
try {
  require(outfile);
  printWarnings(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
} catch (error) {
  if (process.env.ESTATE_SOURCE_MAPS === '1') throw error;
  // child_process is loaded only here and for --typecheck: a synth that succeeds never needs it.
  // Without --typecheck (done) and --clean: this process owns the output folder and says what became of it.
  const again = require('node:child_process').spawnSync(process.execPath, process.argv.slice(1).filter((a) => a !== '--typecheck' && a !== '--clean'), {
    stdio: 'inherit',
    env: { ...process.env, ESTATE_SOURCE_MAPS: '1', CDKTF_OUTDIR: process.env.CDKTF_OUTDIR },
  });
  process.exit(again.status ?? 1);
}

/** The stacks a synth wrote (its manifest's), or none. */
function stacksIn(outdir) {
  const manifest = join(outdir, 'manifest.json');
  return existsSync(manifest) ? Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).stacks ?? {}) : [];
}

// What the stacks warn of at synth (cdktf Annotations, e.g. an estate with no alert address),
// printed as the cdktf CLI prints them: the synth still succeeds.
function printWarnings(outdir) {
  const manifest = join(resolve(outdir), 'manifest.json');
  if (!existsSync(manifest)) return;
  for (const stack of Object.values(JSON.parse(readFileSync(manifest, 'utf8')).stacks ?? {})) {
    for (const note of stack.annotations ?? []) {
      if (/warn/.test(String(note.level))) console.error(`warning: ${stack.name}: ${note.message}`);
    }
  }
}
