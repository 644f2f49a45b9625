#!/usr/bin/env node
// npm run bench -- [--runs N] [--hcl]: times `npm run synth` (scripts/app.mjs --clean, every
// stack) against running the built bundle directly, interleaved so both see the same machine
// load, and prints medians, the ratio and peak RSS against the targets.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Median wall time of a synth on the 2-core reference machine (informational: load moves it). */
const TARGET_WALL_SECONDS = 1.0;
/** What `npm run synth` may add to running the built bundle (bundle check, output swap). */
const TARGET_RATIO = 1.05;
const TARGET_RSS_MB = 200;

const HELP = `Usage: npm run bench -- [--runs N] [--hcl]

Synthesizes every stack N times through npm run synth (scripts/app.mjs --clean) and N times by
running the built bundle directly, interleaved, and prints the median wall time of each, their
ratio and the synth's peak RSS. The wall time depends on the machine and its load; the ratio
and the RSS do not, so only they decide the exit code.

Options (--name value or --name=value):
  --runs N    runs of each (default 9, at least 5)
  --hcl       synthesize HCL (cdk.tf) instead of JSON
  -h, --help  print this help and exit

Exit codes:
  0  ratio <= ${TARGET_RATIO} and peak RSS <= ${TARGET_RSS_MB} MB
  1  a target missed, or a synth failed
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
const runs = options.runs === undefined ? 9 : Number(options.runs);
if (!Number.isInteger(runs) || runs < 5 || runs > 100) {
  console.error(`bench: --runs is "${options.runs}", expected a whole number from 5 to 100.`);
  process.exit(2);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'estate-bench-'));
const rssFile = join(scratch, 'rss');
const hclEnv = options.hcl ? { SYNTH_HCL_OUTPUT: 'true' } : {};

function timed(args, env) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...hclEnv, ...env } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    console.error(`bench: ${args.join(' ')} failed:\n${run.stderr}`);
    process.exit(1);
  }
  return seconds;
}

// One untimed synth builds the bundle, as the first synth after an edit does.
timed(['scripts/app.mjs', '--clean'], {});
const synth = [];
const direct = [];
const rssMb = [];
for (let i = 0; i < runs; i++) {
  synth.push(timed(['scripts/app.mjs', '--clean'], { ESTATE_BENCH_RSS_FILE: rssFile }));
  rssMb.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
  direct.push(timed(['.build/main.js'], { CDKTF_OUTDIR: join(scratch, `direct-${i}`) }));
}
rmSync(scratch, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stacks = readdirSync(join(root, 'cdktf.out', 'stacks'));
const wall = median(synth);
const baseline = median(direct);
const ratio = wall / baseline;
const peak = Math.max(...rssMb);
const ok = ratio <= TARGET_RATIO && peak <= TARGET_RSS_MB;
console.log(`synth of ${stacks.length} stacks (${stacks.join(', ')}), ${runs} runs of each, interleaved`);
console.log(`  npm run synth:  median ${wall.toFixed(3)} s (min ${Math.min(...synth).toFixed(3)}, max ${Math.max(...synth).toFixed(3)})  reference <= ${TARGET_WALL_SECONDS} s on 2 idle cores`);
console.log(`  built bundle:   median ${baseline.toFixed(3)} s (min ${Math.min(...direct).toFixed(3)}, max ${Math.max(...direct).toFixed(3)})`);
console.log(`  ratio:          ${ratio.toFixed(3)}  target <= ${TARGET_RATIO}`);
console.log(`  peak RSS:       ${peak.toFixed(0)} MB (median ${median(rssMb).toFixed(0)} MB)  target <= ${TARGET_RSS_MB} MB`);
if (wall > TARGET_WALL_SECONDS) console.log(`  (the median is over the ${TARGET_WALL_SECONDS} s reference: a loaded or slower machine; the ratio is what the synth adds)`);
console.log(ok ? 'within targets' : 'OVER TARGET');
process.exit(ok ? 0 : 1);
