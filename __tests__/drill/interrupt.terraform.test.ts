import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectToolchain } from '../../scripts/terraform/toolchain';
import { skipBecause } from '../skips';

/*
 * An interrupted drill leaves nothing running: terraform and its provider plugins (their own
 * process group) and the emulator (by its PID) are stopped, and the report says it failed.
 * Runs the real command line with real terraform and moto for a few seconds.
 */

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..');
const toolchain = detectToolchain();
const hasMoto = (() => {
  try {
    execFileSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const runnable = toolchain.missing.length === 0 && hasMoto;
if (!runnable) skipBecause(__filename, `needs terraform, the provider mirror and moto (missing: ${[...toolchain.missing, ...(hasMoto ? [] : ['moto'])].join('; ')})`);

const processesMentioning = (text: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.startsWith('ps '));

(runnable ? test : test.skip)('SIGTERM during the bootstrap applies stops terraform, its providers and the emulator; the report says why', async () => {
  const report = join(mkdtempSync(join(tmpdir(), 'drill-interrupt-')), 'report.json');
  const child = spawn(process.execPath, [join(root, 'scripts', 'run-ts.mjs'), 'scripts/drill/cli.ts', '--report', report, '--no-backend', '--no-git-data'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

  // Wait for terraform to be applying in the drill's work folder.
  const deadline = Date.now() + 60_000;
  let workDir = '';
  while (Date.now() < deadline) {
    workDir = /work folder (\S+)/.exec(output)?.[1] ?? '';
    if (workDir && output.includes('bootstrap: applying') && processesMentioning(workDir).some((p) => p.includes('terraform-provider-aws'))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(processesMentioning(workDir).some((p) => p.includes('terraform-provider-aws'))).toBe(true);
  const moto = /pid (\d+)/.exec(output)?.[1];

  child.kill('SIGTERM');
  expect(await exited).toBe(1);
  await new Promise((r) => setTimeout(r, 6000));
  expect(processesMentioning(workDir)).toEqual([]);
  expect(moto && existsSync(`/proc/${moto}`)).toBe(false);
  rmSync(workDir, { recursive: true, force: true });
  expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ ok: false, failure: expect.stringMatching(/^bootstrap-us-(east-2|west-1): interrupted \(SIGINT or SIGTERM\)/) });
});
