import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/*
 * The app as users run it (`npm run synth`, `npm run synth:hcl`, DR_ACTIVE_REGION=...):
 * scripts/app.mjs in a child process, with no terraform, AWS credentials or network needed.
 */

jest.setTimeout(60_000);

const root = join(__dirname, '..');

function synth(args: string[], env: Record<string, string> = {}, outdir = join(mkdtempSync(join(tmpdir(), 'estate-main-')), 'out')) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'app.mjs'), '--clean', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DR_ACTIVE_REGION: '', ...env, CDKTF_OUTDIR: outdir },
  });
  const stacksDir = join(outdir, 'stacks');
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir).sort() : [];
  return { run, outdir, stacks };
}

const ALL_STACKS = [
  'bootstrap-us-east-2',
  'bootstrap-us-west-1',
  'dns-global',
  'monitoring-us-east-2',
  'monitoring-us-west-1',
  'regional-us-east-2',
  'regional-us-west-1',
];

test('synth writes every stack as Terraform JSON, and says so in one line', () => {
  const { run, outdir, stacks } = synth([]);
  expect(run.status).toBe(0);
  expect(stacks).toEqual(ALL_STACKS);
  expect(run.stdout).toBe(`synth: wrote 7 stacks to ${relative(root, outdir)}/stacks (cdk.tf.json)\n`);
  for (const stack of stacks) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource).length).toBeGreaterThan(0);
  }
});

test('DR_ACTIVE_REGION=us-west-1 synthesizes every stack', () => {
  const { run, stacks } = synth([], { DR_ACTIVE_REGION: 'us-west-1' });
  expect(run.status).toBe(0);
  expect(stacks).toEqual(ALL_STACKS);
});

test('fails if DR_ACTIVE_REGION is not an estate region (even one that is no AWS region): one sentence naming the two, exit 2 like every command, no stacks written', () => {
  const { run, outdir, stacks } = synth([], { DR_ACTIVE_REGION: 'us-west-3' });
  expect(run.status).toBe(2);
  expect(run.stderr.trim()).toBe(
    'Invalid estate config: DR_ACTIVE_REGION (which overrides activeRegion) is "us-west-3", expected one of the estate\'s two regions: "us-east-2" (primary) or "us-west-1" (dr).',
  );
  expect(stacks).toEqual([]);
  expect(existsSync(join(outdir, 'manifest.json'))).toBe(false);
});

test('a failed synth keeps the last good output as it was', () => {
  const good = synth([]);
  expect(good.run.status).toBe(0);
  const before = readFileSync(join(good.outdir, 'stacks', 'regional-us-east-2', 'cdk.tf.json'), 'utf8');
  const failed = synth([], { DR_ACTIVE_REGION: 'eu-west-1' }, good.outdir);
  expect(failed.run.status).toBe(2);
  expect(failed.run.stderr).toContain(`app.mjs: synth failed; ${good.outdir} still holds the last good output.`);
  expect(failed.run.stderr).not.toContain('.next-');
  expect(failed.stacks).toEqual(ALL_STACKS);
  expect(readFileSync(join(good.outdir, 'stacks', 'regional-us-east-2', 'cdk.tf.json'), 'utf8')).toBe(before);
  expect(readdirSync(join(good.outdir, '..'))).toEqual(['out']);
});

test('synth runs the code in the tree, never an old bundle (even one that looks newer than every source)', () => {
  const bundle = join(root, '.build', 'main.js');
  mkdirSync(join(root, '.build'), { recursive: true });
  writeFileSync(bundle, "throw new Error('a stale bundle ran');\n");
  const future = new Date(Date.now() + 3600_000);
  utimesSync(bundle, future, future);
  const { run, stacks } = synth([]);
  expect(run.stderr).not.toContain('a stale bundle ran');
  expect(run.status).toBe(0);
  expect(stacks).toEqual(ALL_STACKS);
});

test('an unchanged tree reuses its bundle; a source whose content changed, or that is gone, rebuilds it', () => {
  // The bundle is checked (and rebuilt) before the app runs; with an override the config
  // refuses, the app then stops before synthesizing (exit 1), which keeps each step short.
  const check = () => {
    const { run } = synth([], { DR_ACTIVE_REGION: 'eu-west-1' });
    expect([run.status, run.stderr]).toEqual([2, expect.stringContaining('Invalid estate config: DR_ACTIVE_REGION')]);
  };
  check();
  const bundle = join(root, '.build', 'main.js');
  const record = `${bundle}.inputs.json`;
  const builtAt = statSync(bundle).mtimeMs;
  check();
  expect(statSync(bundle).mtimeMs).toBe(builtAt); // reused: nothing it was built from changed
  const inputs = JSON.parse(readFileSync(record, 'utf8'));
  expect(Object.keys(inputs.inputs)).toEqual(expect.arrayContaining(['main.ts', 'config/schema/index.ts', 'constructs/database/index.ts', 'constructs/user-data/git-server.sh', 'tsconfig.json']));
  // A source whose content differs from what the bundle was built from (whatever its mtime).
  writeFileSync(record, JSON.stringify({ ...inputs, inputs: { ...inputs.inputs, 'main.ts': 'f'.repeat(64) } }));
  check();
  expect(statSync(bundle).mtimeMs).not.toBe(builtAt);
  // A source the bundle was built from that is no longer there.
  const rebuilt = JSON.parse(readFileSync(record, 'utf8'));
  expect(rebuilt.inputs['main.ts']).not.toBe('f'.repeat(64));
  writeFileSync(record, JSON.stringify({ ...rebuilt, inputs: { ...rebuilt.inputs, 'constructs/deleted.ts': 'f'.repeat(64) } }));
  const before = statSync(bundle).mtimeMs;
  check();
  expect(statSync(bundle).mtimeMs).not.toBe(before);
  expect(Object.keys(JSON.parse(readFileSync(record, 'utf8')).inputs)).not.toContain('constructs/deleted.ts');
  // And the rebuilt bundle synthesizes.
  expect(synth([]).stacks).toEqual(ALL_STACKS);
});

test('a synth that throws is run again with source maps: its stack trace names the TypeScript source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'estate-main-'));
  writeFileSync(join(dir, 'a-file'), '');
  // Without --clean, the app itself makes its output folder: under a file, that throws.
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'app.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DR_ACTIVE_REGION: '', CDKTF_OUTDIR: join(dir, 'a-file', 'out') },
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('ENOTDIR');
  expect(run.stderr).toMatch(/\(.*\/main\.ts:\d+:\d+\)/);
  expect(run.stderr.match(/ENOTDIR: not a directory/g)).toHaveLength(1); // one report, the mapped one
});

test('fails if an option is unknown, pointing at --help', () => {
  const { run } = synth(['--json']);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('app.mjs: unknown option --json; allowed: --typecheck, --clean, --hcl (npm run synth -- --help).');
});

test('npm run synth -- --help prints the usage, the options and the exit codes, and synthesizes nothing', () => {
  const { run, stacks } = synth(['--help']);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Usage: npm run synth \[-- --hcl\]/);
  for (const option of ['--hcl', '--typecheck', '--clean', '-h, --help']) expect(run.stdout).toContain(option);
  expect(run.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 {2}usage error, invalid config/);
  expect(stacks).toEqual([]);
});

test('--typecheck (the cdktf CLI path) refuses to synthesize code that does not type-check', () => {
  // A tsconfig over one broken file stands in for the project's: the flag must run tsc and stop.
  const dir = mkdtempSync(join(tmpdir(), 'estate-typecheck-'));
  const fixture = join(dir, 'broken.ts');
  writeFileSync(fixture, "const n: number = 'not a number';\nexport { n };\n");
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, files: ['broken.ts'] }), // no @types: tsc starts fast
  );
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'app.mjs'), '--typecheck', '--clean'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ESTATE_TSCONFIG: join(dir, 'tsconfig.json'), CDKTF_OUTDIR: join(dir, 'out') },
  });
  expect(run.status).not.toBe(0);
  expect(run.stdout + run.stderr).toContain("Type 'string' is not assignable to type 'number'");
  expect(run.stderr).toContain('Type-check failed: nothing was synthesized.');
  expect(existsSync(join(dir, 'out'))).toBe(false);
});
