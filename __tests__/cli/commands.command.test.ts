import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, type CommandSpec } from '../../scripts/cli';
import { DEPLOY_COMMAND, main as deploy } from '../../scripts/deploy/cli';
import { DOCS_COMMAND, main as docs } from '../../scripts/docs/cli';
import { DR_COMMAND, main as dr } from '../../scripts/dr/cli';
import { DRIFT_COMMAND, main as drift } from '../../scripts/drift/cli';
import { PARITY_COMMAND, main as parity } from '../../scripts/parity/cli';
import { STATE_MOVE_COMMAND, main as stateMove } from '../../scripts/state/cli';
import { synthesizeConfig } from '../helpers';

/*
 * What every command shares (scripts/cli.ts): --help, --name=value, unknown options refused,
 * one exit-code convention (0 ok, 1 failure, 2 usage), one line per mistake, no stack trace.
 */

const root = join(__dirname, '..', '..');
const commands: [string, CommandSpec, (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>][] = [
  ['dr', DR_COMMAND, dr],
  ['drift', DRIFT_COMMAND, drift],
  ['parity', PARITY_COMMAND, parity],
  ['deploy:phase', DEPLOY_COMMAND, deploy],
  ['docs', DOCS_COMMAND, (argv, env) => docs(argv, env)],
  ['state:move', STATE_MOVE_COMMAND, stateMove],
];

async function capture(run: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await run();
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe.each(commands)('npm run %s', (script, spec, main) => {
  test('--help prints "Usage:", every option, the exit codes, and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await capture(() => main([flag], {}));
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toMatch(new RegExp(`^Usage: npm run ${script}( -- \\S.*)?\\n`));
      for (const option of Object.keys(spec.options)) expect(r.stdout).toContain(`--${option}`);
      expect(r.stdout).toContain('Exit codes:\n  0  ');
      expect(r.stdout).toContain('  2  usage error, invalid config or missing tool: nothing was run');
    }
  });

  test('an unknown option is a usage error: exit 2, one line naming it', async () => {
    const r = await capture(() => main(['--no-such-option'], {}));
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(`${spec.name}: Unknown option '--no-such-option'; see npm run ${script} -- --help.`);
  });

});

// drift resolves the config only after it finds terraform: that case is in drift.test.ts.
test.each([
  ['dr', DR_COMMAND, () => dr(['status'], { DR_ACTIVE_REGION: 'eu-west-1' })],
  ['parity', PARITY_COMMAND, () => parity([], { DR_ACTIVE_REGION: 'eu-west-1' })],
  ['deploy:phase', DEPLOY_COMMAND, () => deploy(['all', '--list'], { DR_ACTIVE_REGION: 'eu-west-1' })],
] as const)('npm run %s: an invalid config is a usage error too (exit 2, each problem on its line, nothing run)', async (_script, spec, run) => {
  const r = await capture(run);
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toMatch(new RegExp(`^${spec.name}: invalid estate config: DR_ACTIVE_REGION`));
  expect(r.stdout).toBe('');
});

test('a command without arguments has no dangling "--" in its usage (parity)', async () => {
  const r = await capture(() => parity(['--help'], {}));
  expect(r.stdout.split('\n')[0]).toBe('Usage: npm run parity');
});

test('a bare npm run dr names the commands it takes (exit 2)', async () => {
  const r = await capture(() => dr([], {}));
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toBe('dr: No command given; use "status", "plan --to <region>", "plan --reprotect", "quotas" or "verify" (npm run dr -- --help).');
});

test('dr verify --url with something that is not an http(s) URL is a usage error (exit 2), and nothing is called', async () => {
  const r = await capture(() => dr(['verify', '--url', 'notaurl'], {}));
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toBe('dr: --url is "notaurl", expected an http(s) URL such as https://app.example.org.');
  expect(r.stdout).toBe('');
});

test('--name=value and --name value are the same option', async () => {
  // dr plan synthesizes both postures; the shared cache serves them.
  const a = await capture(() => dr(['plan', '--to=us-west-1'], {}, { synthesize: synthesizeConfig }));
  const b = await capture(() => dr(['plan', '--to', 'us-west-1'], {}, { synthesize: synthesizeConfig }));
  expect(a.code).toBe(0);
  expect(a.stdout).toBe(b.stdout);
});

test('through the real entry point, a mistake is one line and no stack trace', () => {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'run-ts.mjs'), 'scripts/dr/cli.ts', 'plan', '--to'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DR_ACTIVE_REGION: '' },
  });
  expect(run.status).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual([`dr: Option '--to <value>' argument missing; see npm run dr -- --help.`]);
});

test('npm run bench takes --help and --runs=N, and refuses what it does not know with exit 2', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', 'bench.mjs'), ...args], { cwd: root, encoding: 'utf8' });
  const help = bench('--help');
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: npm run bench -- \[--runs N\] \[--hcl\]/);
  expect(help.stdout).toContain('--runs N');
  expect(help.stdout).toContain('--hcl');
  const tooFew = bench('--runs=2');
  expect([tooFew.status, tooFew.stderr.trim()]).toEqual([2, 'bench: --runs is "2", expected a whole number from 5 to 100.']);
  const unknown = bench('--fast');
  expect([unknown.status, unknown.stderr.trim()]).toEqual([2, "bench: Unknown option '--fast'; see npm run bench -- --help."]);
});

test('every npm script that runs the cdktf CLI turns Terraform\'s update check off (it only prints an error offline)', () => {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const direct = Object.entries(scripts).filter(([, command]) => /(^|\s)cdktf\s/.test(command));
  expect(direct.map(([name]) => name).sort()).toEqual(['deploy', 'diff']);
  for (const [name, command] of direct) expect([name, command]).toEqual([name, expect.stringMatching(/^CHECKPOINT_DISABLE=1 cdktf /)]);
});

test('a command whose sources do not compile (a broken config, say) says where, in one line per error, and exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'estate-broken-'));
  mkdirSync(join(dir, 'dr'));
  writeFileSync(join(dir, 'dr', 'cli.ts'), "import { estate } from './estate';\nexport const main = () => estate;\n");
  writeFileSync(join(dir, 'dr', 'estate.ts'), 'export const estate = { project: ;\n');
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'run-ts.mjs'), join(dir, 'dr', 'cli.ts')], { cwd: root, encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^dr: .*dr\/estate\.ts:1:33: Unexpected ";"$/)]);
});

describe('npm run bench judges on CPU time, fastest against fastest, allowing for the machine\'s noise', () => {
  const { benchVerdict } = require('../../scripts/bench-verdict.js') as {
    benchVerdict: (s: { cpu: number; rssMb: number }[], d: { cpu: number; rssMb: number }[], t: { ratio: number; rssMb: number }) => { verdict: string; fastest: number; noise: number };
  };
  const runs = (...cpu: number[]) => cpu.map((c) => ({ cpu: c, rssMb: 130 }));
  const targets = { ratio: 1.05, rssMb: 200 };

  test('an idle machine, the synth adding 1 %: within', () => {
    expect(benchVerdict(runs(1.21, 1.19, 1.2, 1.22, 1.2), runs(1.18, 1.19, 1.2, 1.18, 1.21), targets).verdict).toBe('within');
  });

  test('the synth adding 11 % (a 120 ms busy loop), the bundle steady: over', () => {
    expect(benchVerdict(runs(1.3, 1.31, 1.33, 1.3, 1.32), runs(1.17, 1.18, 1.2, 1.19, 1.17), targets).verdict).toBe('over');
  });

  test('a loaded machine, the fastest synth 5.1 % over while the bundle itself spreads 20 %: not judged', () => {
    const result = benchVerdict(runs(1.267, 1.5, 1.34, 1.6, 1.3), runs(1.205, 1.45, 1.69, 1.5, 1.3), targets);
    expect(result.verdict).toBe('noisy');
    expect(result.fastest).toBeCloseTo(1.051, 3);
  });

  test('a peak RSS over 200 MB: over, whatever the time', () => {
    expect(benchVerdict([{ cpu: 1.2, rssMb: 250 }], runs(1.2), targets).verdict).toBe('over');
  });
});
