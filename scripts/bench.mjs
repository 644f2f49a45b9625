#!/usr/bin/env node
// Synthesizes every stack N times (default 7, at least 5) the way `npm run synth` does and
// prints the median wall time of the whole process and its peak RSS, against the targets.
//   node scripts/bench.mjs [--runs N] [--hcl]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET_WALL_SECONDS = 1.5;
const TARGET_RSS_MB = 250;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const runsArg = argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(argv[runsArg + 1]) : 7;
if (!Number.isInteger(runs) || runs < 5) {
  console.error(`bench: --runs is ${argv[runsArg + 1]}, expected a whole number of at least 5.`);
  process.exit(2);
}
const appArgs = ['scripts/app.mjs', '--clean', ...(argv.includes('--hcl') ? ['--hcl'] : [])];
const scratch = mkdtempSync(join(tmpdir(), 'estate-bench-'));
const rssFile = join(scratch, 'rss');

// One untimed run builds the bundle, as any synth after an edit would once.
const warm = spawnSync(process.execPath, appArgs, { cwd: root, encoding: 'utf8' });
if (warm.status !== 0) {
  console.error(`bench: synth failed:\n${warm.stderr}`);
  process.exit(1);
}

const walls = [];
const rssMb = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, appArgs, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ESTATE_BENCH_RSS_FILE: rssFile },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    console.error(`bench: run ${i + 1} failed:\n${run.stderr}`);
    process.exit(1);
  }
  walls.push(seconds);
  rssMb.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
}
rmSync(scratch, { recursive: true, force: true });

const stacks = readdirSync(join(root, 'cdktf.out', 'stacks'));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const wall = median(walls);
const peak = Math.max(...rssMb);
const ok = wall <= TARGET_WALL_SECONDS && peak <= TARGET_RSS_MB;
console.log(`synth of ${stacks.length} stacks (${stacks.join(', ')}), ${runs} runs`);
console.log(`  wall:     median ${wall.toFixed(3)} s (min ${Math.min(...walls).toFixed(3)}, max ${Math.max(...walls).toFixed(3)})  target <= ${TARGET_WALL_SECONDS} s`);
console.log(`  peak RSS: ${peak.toFixed(0)} MB (median ${median(rssMb).toFixed(0)} MB)  target <= ${TARGET_RSS_MB} MB`);
console.log(ok ? 'within targets' : 'OVER TARGET');
process.exit(ok ? 0 : 1);
