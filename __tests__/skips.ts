import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Why a test file skips tests, for the skipped-test reporter (./skipped-reporter.js): jest hides
 * what a file prints when all its tests are skipped, so the reason goes through a file of the
 * run's temporary folder instead, and the reporter prints it once, in the summary.
 */

/** The file the reasons of a run are recorded in (under the run's temporary folder), as the reporter reads it. */
const { SKIP_REASONS_FILE } = require('./skipped-reporter.js') as { SKIP_REASONS_FILE: string };

/** Records that `file`'s skipped tests are skipped because of `reason` (one sentence). */
export function skipBecause(file: string, reason: string): void {
  const dir = process.env.ESTATE_TEST_TMPDIR;
  if (dir) appendFileSync(join(dir, SKIP_REASONS_FILE), `${JSON.stringify({ file, reason })}\n`);
}
