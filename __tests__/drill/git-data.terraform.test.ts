import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estate } from '../../config/estate';
import { freeLoopbackPort, startEmulator, type Emulator } from '../../scripts/drill/emulator';
import { gitDataDrill, type GitDataReport } from '../../scripts/drill/git-data';
import { GIT_DRILL_TOOLS } from '../../scripts/drill/git-sites';
import { findOnPath } from '../../scripts/terraform/toolchain';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * The Git data drill (scripts/drill/git-data.ts): the Git server's own data script run at two
 * sites through the DR cycle against the emulator, pushes made all along. Each finding of the
 * data review is a named expectation on its report. The order the failback starts and stops
 * the servers in before the handover was deployed first (the new writer first) is shown to lose
 * a push by `.ci/run`'s broken drill (`--git-switch-order new-writer-first`).
 */

jest.setTimeout(600_000);

const missing = GIT_DRILL_TOOLS.filter((tool) => !findOnPath(tool, process.env.PATH ?? '')).map((tool) => `${tool} is not on PATH`);
if (terraformSuiteMayRun('the Git data drill', missing)) {
  let emulator: Emulator;
  let report: GitDataReport;
  const lines: string[] = [];

  beforeAll(async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'estate-git-data-'));
    const calls = join(workDir, 'calls.jsonl');
    emulator = await startEmulator({ accountId: '111122223333', recordCallsTo: calls });
    report = await gitDataDrill({
      emulator: emulator.endpoint,
      closedEndpoint: `http://127.0.0.1:${await freeLoopbackPort()}`,
      workDir,
      input: estate,
      log: (line) => lines.push(line),
      recordedCalls: () => (existsSync(calls) ? readFileSync(calls, 'utf8') : ''),
    });
  });
  afterAll(() => emulator?.stop());

  test('the drill ran through the cycle with no problem', () => {
    expect([report.problems, lines.filter((l) => /PROBLEM|NOT|PUBLISHED|RESTORED/.test(l))]).toEqual([[], []]);
  });

  test('a planned failback, in the deploy order, loses no push: the old writer\'s final backup is the handover', () => {
    expect(report.pushesLost).toBe(0);
    expect(lines).toContainEqual(expect.stringMatching(/failback: Git servers in the order us-west-1 -> us-east-2/));
  });

  test('an unplanned failover restores the newest complete generation (one whose archive never left the region is skipped) and reports the pushes at risk', () => {
    expect(report.atRisk).toEqual({ since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), pushes: 2 });
  });

  test('a restore never takes a backup that is not newer than the data held, nor an empty one over repositories', () => {
    expect([report.staleRestoreRefused, report.emptyRestoreRefused]).toEqual([true, true]);
  });

  test('a server that never restored, a mirror, and a superseded old writer publish nothing', () => {
    expect([report.emptyPublishRefused, report.stalePublishRefused]).toEqual([true, true]);
  });

  test('a server whose bucket cannot be read stays down and says why (fails closed)', () => {
    expect(report.failedClosed).toBe(true);
  });

  test('a restore brings back every file (attachments, LFS, avatars, the JWT key, the config\'s secret) and every database row', () => {
    expect(report.complete).toBe(true);
  });

  test("every call the Git servers' data script made is allowed to their role, as the estate synthesizes it (policies, boundary, the storage key's policy)", () => {
    expect(report.permissions).toMatchObject({ denied: [], unplaced: [] });
    expect(report.permissions!.calls).toBeGreaterThan(20);
    // S3 encrypts and decrypts the backups with the caller's permissions on the storage key.
    expect(report.permissions!.evaluated).toBeGreaterThan(report.permissions!.calls);
  });

  test('generations are published once each, under the epoch of the switch that made their writer', () => {
    const manifests = Object.values(report.generations).flat().filter((k) => k.endsWith('/manifest.json'));
    const epochs = new Set(manifests.map((k) => k.split('/')[2].slice(0, 6)));
    expect([...epochs].sort()).toEqual(['000000', '000001', '000002']);
  });
}
