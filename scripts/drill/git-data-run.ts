import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estate } from '../../config/estate';
import { resolveConfig } from '../../config/load';
import { findOnPath } from '../terraform/toolchain';
import { startEmulator } from './emulator';
import { gitDataDrill, type GitDataReport } from './git-data';
import { GIT_DRILL_TOOLS } from './git-sites';

/**
 * The Git data drill (./git-data.ts) on an emulator of its own, so its calls never mix with the
 * estate's recorded ones: a missing tool or a step that could not run is the report's problem.
 */
export async function runGitData(
  python: string,
  closedEndpoint: string,
  workDir: string,
  switchOrder: 'deploy' | 'new-writer-first',
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<GitDataReport> {
  const started = Date.now();
  const failed = (problem: string): GitDataReport => {
    log(`git data: FAILED: ${problem}`);
    return {
      ok: false, pushes: 0, pushesLost: 0, atRisk: { since: null, pushes: 0 }, staleRestoreRefused: false, stalePublishRefused: false,
      emptyPublishRefused: false, emptyRestoreRefused: false, failedClosed: false, complete: false, generations: {}, problems: [problem],
      seconds: Math.round((Date.now() - started) / 1000),
    };
  };
  const missing = GIT_DRILL_TOOLS.filter((tool) => !findOnPath(tool, process.env.PATH ?? ''));
  if (missing.length) return failed(`the Git data drill needs ${missing.join(', ')} on PATH (the Git server's data script runs them)`);
  log(`git data: the Git server's data script at two sites through the DR cycle (switch order: ${switchOrder})`);
  // Its own record of calls: the Git servers' are judged against their role (./git-permissions.ts).
  const calls = join(workDir, 'git-data-calls.jsonl');
  let emulator;
  try {
    emulator = await startEmulator({ python, accountId: resolveConfig(estate).accountId, recordCallsTo: calls });
  } catch (error) {
    return failed((error as Error).message);
  }
  try {
    const report = await gitDataDrill({
      emulator: emulator.endpoint,
      closedEndpoint,
      workDir: join(workDir, 'git-data'),
      input: estate,
      log,
      switchOrder,
      recordedCalls: () => (existsSync(calls) ? readFileSync(calls, 'utf8') : ''),
      signal,
    });
    log(`git data: ${report.ok ? 'every push kept' : `${report.problems.length} problem(s)`} (${report.seconds} s)`);
    for (const p of report.problems) log(`  PROBLEM ${p}`);
    return report;
  } catch (error) {
    return failed((error as Error).message);
  } finally {
    await emulator.stop();
  }
}
