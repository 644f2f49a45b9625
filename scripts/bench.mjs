#!/usr/bin/env node
// npm run bench -- [--runs N] [--hcl]: times `npm run synth` (scripts/app.mjs --clean, every
// stack) against running the built bundle directly, interleaved so both see the same machine
// load. The verdict is on CPU time (user + system, which load barely moves), fastest run against
// fastest run (load only adds time): the synth may add at most 5 % to the bundle's. Wall times
// are printed for information.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchVerdict, median, quantile } from './bench-verdict.js';

/** Median wall time of a synth on the 2-core reference machine (informational: load moves it). */
const TARGET_WALL_SECONDS = 1.0;
/** What `npm run synth` may add to running the built bundle (bundle check, output swap), in CPU time. */
const TARGET_RATIO = 1.05;
const TARGET_RSS_MB = 200;

const HELP = `Usage: npm run bench -- [--runs N] [--hcl]

Synthesizes every stack N times through npm run synth (scripts/app.mjs --clean) and N times by
running the built bundle directly, interleaved, and prints the CPU and wall time of each, their
ratio and the synth's peak RSS. The verdict is on CPU time (user + system), which load barely
moves, and on the fastest run of each (load only ever adds time): the synth's fastest CPU time
over the bundle's must be within the target. Over it by less than the machine's noise at the
time (the bundle's median run over its fastest) is reported as not judged, exit 0. Wall time
depends on the machine and its load and only informs.

Options (--name value or --name=value):
  --runs N    runs of each (default 11, at least 5)
  --hcl       synthesize HCL (cdk.tf) instead of JSON
  -h, --help  print this help and exit

Exit codes:
  0  CPU ratio (fastest over fastest) <= ${TARGET_RATIO} and peak RSS <= ${TARGET_RSS_MB} MB
  1  a target missed by more than the noise, or a synth failed
  2  usage error`;

let options;
try {
  ({ values: options } = parseArgs({
    options: { runs: { type: 'string' }, hcl: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  }));
} catch (error) {
  console.error(`bench: ${error.message.split('. ')[0].replace(/\.$/, '')}; see npm run bench -- --help.`);
  process.exit(2);
}
if (options.help) {
  console.log(HELP);
  process.exit(0);
}
const runs = options.runs === undefined ? 11 : Number(options.runs);
if (!Number.isInteger(runs) || runs < 5 || runs > 100) {
  console.error(`bench: --runs is "${options.runs}", expected a whole number from 5 to 100.`);
  process.exit(2);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'estate-bench-'));
const usageFile = join(scratch, 'usage.json');
const hclEnv = options.hcl ? { SYNTH_HCL_OUTPUT: 'true' } : {};
const preload = join(root, 'scripts', 'bench-usage.cjs');

/** Runs node with `args`: its wall time, and its own CPU time and peak RSS (scripts/bench-usage.cjs). */
function timed(args, env) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', preload, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...hclEnv, ...env, ESTATE_BENCH_USAGE_FILE: usageFile },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    console.error(`bench: ${args.join(' ')} failed:\n${run.stderr}`);
    process.exit(1);
  }
  return { wall, ...JSON.parse(readFileSync(usageFile, 'utf8')) };
}

// One untimed synth builds the bundle, as the first synth after an edit does.
timed(['scripts/app.mjs', '--clean'], {});
const synth = [];
const direct = [];
for (let i = 0; i < runs; i++) {
  synth.push(timed(['scripts/app.mjs', '--clean'], {}));
  direct.push(timed(['.build/main.js'], { CDKTF_OUTDIR: join(scratch, `direct-${i}`) }));
}
rmSync(scratch, { recursive: true, force: true });

const stacks = readdirSync(join(root, 'cdktf.out', 'stacks'));
const ratios = synth.map((s, i) => s.cpu / direct[i].cpu);
const ratio = median(ratios);
const lower = quantile(ratios, 0.25);
const upper = quantile(ratios, 0.75);
const wall = median(synth.map((s) => s.wall));
const { fastest, noise, peak, verdict } = benchVerdict(synth, direct, { ratio: TARGET_RATIO, rssMb: TARGET_RSS_MB });
const fmt = (runs, key) => `median ${median(runs.map((r) => r[key])).toFixed(3)} s (min ${Math.min(...runs.map((r) => r[key])).toFixed(3)}, max ${Math.max(...runs.map((r) => r[key])).toFixed(3)})`;
console.log(`synth of ${stacks.length} stacks (${stacks.join(', ')}), ${runs} runs of each, interleaved`);
console.log(`  npm run synth:  CPU ${fmt(synth, 'cpu')}; wall ${fmt(synth, 'wall')}  reference <= ${TARGET_WALL_SECONDS} s wall on 2 idle cores`);
console.log(`  built bundle:   CPU ${fmt(direct, 'cpu')}; wall ${fmt(direct, 'wall')}`);
console.log(`  CPU ratio:      fastest run over fastest run ${fastest.toFixed(3)}  target <= ${TARGET_RATIO}  (pair by pair: median ${ratio.toFixed(3)}, quartiles ${lower.toFixed(3)}-${upper.toFixed(3)})`);
console.log(`  peak RSS:       ${peak.toFixed(0)} MB (median ${median(synth.map((s) => s.rssMb)).toFixed(0)} MB)  target <= ${TARGET_RSS_MB} MB`);
if (wall > TARGET_WALL_SECONDS) console.log(`  (the median wall time is over the ${TARGET_WALL_SECONDS} s reference: a loaded or slower machine; the CPU ratio is what the synth adds)`);
console.log(`  noise:          the bundle's median run is ${(noise * 100).toFixed(1)} % over its fastest`);
if (verdict === 'noisy') {
  console.log(`not judged: the CPU ratio is over ${TARGET_RATIO} by less than the noise; run it again on an idle machine`);
} else console.log(verdict === 'within' ? 'within targets' : 'OVER TARGET');
process.exit(verdict === 'over' ? 1 : 0);
