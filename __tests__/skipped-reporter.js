// A jest reporter that lists every skipped test at the end of every run, grouped by file, with
// the reason its file recorded (__tests__/skips.ts): jest's default reporter names skipped tests
// only with --verbose, and hides what a file prints when all its tests are skipped. A missing
// tool is never a silent pass.
const { existsSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

/** The file of the run's temporary folder the reasons are recorded in (__tests__/skips.ts). */
const SKIP_REASONS_FILE = 'skip-reasons.jsonl';

class SkippedReporter {
  onRunComplete(_contexts, results) {
    const reasons = new Map();
    const file = process.env.ESTATE_TEST_TMPDIR && join(process.env.ESTATE_TEST_TMPDIR, SKIP_REASONS_FILE);
    if (file && existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const { file: path, reason } = JSON.parse(line);
        reasons.set(path, [...new Set([...(reasons.get(path) ?? []), reason])]);
      }
    }
    const lines = [];
    let count = 0;
    for (const suite of results.testResults) {
      const skipped = suite.testResults.filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo');
      if (!skipped.length) continue;
      count += skipped.length;
      const why = reasons.get(suite.testFilePath);
      lines.push(`  ${relative(process.cwd(), suite.testFilePath)} (${skipped.length}): ${why ? why.join('; ') : 'no reason recorded (see the file)'}`);
      for (const t of skipped) lines.push(`      ${t.fullName}`);
    }
    if (count === 0) return;
    process.stderr.write(`\n${count} test(s) skipped:\n${lines.join('\n')}\n`);
  }
}

module.exports = SkippedReporter;
module.exports.SKIP_REASONS_FILE = SKIP_REASONS_FILE;
