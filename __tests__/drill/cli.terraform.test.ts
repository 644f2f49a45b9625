import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estate } from '../../config/estate';
import { main, type DrillReport } from '../../scripts/drill/cli';

/*
 * `npm run drill` goes through the shared command runner: `--help` with exit codes, bad usage,
 * an invalid config and a missing tool refused before anything starts (exit 2), in one sentence. (The drill itself takes about 20 minutes: CI runs it after the unit
 * suite, see .ci/run.)
 */

let errors: string[];
let spy: jest.SpyInstance;

beforeEach(() => {
  errors = [];
  spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
});

afterEach(() => spy.mockRestore());

test('--help prints the usage, every option and the exit codes (exit 0)', async () => {
  const out: string[] = [];
  const logs = jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  try {
    expect(await main(['--help'], process.env)).toBe(0);
  } finally {
    logs.mockRestore();
  }
  const help = out.join('\n');
  expect(help).toMatch(/^Usage: npm run drill -- \[--report FILE\] \[--until STEP\]/);
  for (const option of ['--break STEP', '--revoke ROLE:SID', '--git-switch-order ORDER', '--keep', '--no-backend', '--no-git-data']) expect(help).toContain(option);
  expect(help).toMatch(/Exit codes:\n  0  every step read back as expected.*\n  1  a step, check or mutation did not hold.*\n  2  usage error, invalid config or missing tool/);
});

test('an unknown option is refused, pointing at --help (exit 2)', async () => {
  expect(await main(['--fast'], process.env)).toBe(2);
  expect(errors).toEqual(["drill: Unknown option '--fast'; see npm run drill -- --help."]);
});

test('an invalid config is refused before anything starts, one line per problem (exit 2)', async () => {
  expect(await main(['--until', 'normal'], process.env, { ...estate, switches: 1 })).toBe(2);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^drill: invalid estate config: .*switches/);
});

test('a step that is not in the DR cycle is refused, naming the allowed ones (exit 2)', async () => {
  expect(await main(['--until', 'reprotected'], process.env)).toBe(2);
  expect(errors).toEqual(['drill: --until is "reprotected", expected one of normal, failover, reprotect, failback, normal-again.']);
  expect(await main(['--break', 'everything'], process.env)).toBe(2);
  expect(errors[1]).toBe('drill: --break is "everything", expected one of normal, failover, reprotect, failback, normal-again.');
});

test('without terraform on PATH it stops before starting the emulator (exit 2: a missing tool)', async () => {
  expect(await main([], { ...process.env, PATH: '/nonexistent', TF_PROVIDER_MIRROR: '/nonexistent' })).toBe(2);
  expect(errors[0]).toMatch(/^drill: cannot run terraform here: no terraform executable on PATH/);
});

test('without moto it fails with one sentence saying so (exit 2: a missing tool)', async () => {
  const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    expect(await main(['--until', 'normal'], { ...process.env, DRILL_PYTHON: '/nonexistent/python3' })).toBe(2);
  } finally {
    logs.mockRestore();
  }
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^drill: moto_server is not installed for \/nonexistent\/python3 \(the drill's AWS emulator/);
});

describe('a drill that stops early still writes its report, saying why (exit 1)', () => {
  // Each starts the emulator (about 6 s of moto's import on a loaded machine, more beside a drill).
  jest.setTimeout(180_000);
  let dir: string;
  let logs: jest.SpyInstance;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'estate-drill-cli-'));
    logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    logs.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });
  const readReport = (file: string): DrillReport => JSON.parse(readFileSync(file, 'utf8')) as DrillReport;

  test('when the emulator does not start', async () => {
    // A python that has moto but whose moto_server exits at once.
    const python = join(dir, 'python3');
    writeFileSync(python, '#!/bin/sh\nif [ "$1" = "-c" ]; then exec python3 "$@"; fi\necho "moto refused to start" >&2\nexit 3\n', { mode: 0o755 });
    const report = join(dir, 'report.json');
    expect(await main(['--until', 'normal', '--no-git-data', '--report', report], { ...process.env, DRILL_PYTHON: python })).toBe(1);
    expect(readReport(report)).toMatchObject({ ok: false, steps: [], failure: expect.stringMatching(/^the emulator did not start: moto_server did not answer on http:\/\/127\.0\.0\.1:\d+: moto refused to start$/) });
  });

  test('when something other than a check fails (here: a provider mirror that holds no provider)', async () => {
    mkdirSync(join(dir, 'mirror', 'registry.terraform.io'), { recursive: true });
    const report = join(dir, 'report.json');
    expect(await main(['--until', 'normal', '--no-git-data', '--no-backend', '--report', report], { ...process.env, TF_PROVIDER_MIRROR: join(dir, 'mirror') })).toBe(1);
    const written = readReport(report);
    expect(written).toMatchObject({ ok: false, steps: [], failure: expect.stringMatching(/^the drill stopped on an unexpected error: installing .*hashicorp\/aws.* from the mirror failed/) });
    expect(written.emulator.moto).toMatch(/^5\./);
  });
});
