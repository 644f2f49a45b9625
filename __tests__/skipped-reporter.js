// A jest reporter that lists every skipped test at the end of every run (jest's default reporter
// names them only with --verbose). A skipped test's name says why it was skipped, so a missing
// tool is never a silent pass.
class SkippedReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults.flatMap((file) =>
      file.testResults
        .filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo')
        .map((t) => `  ${file.testFilePath.slice(process.cwd().length + 1)}: ${t.fullName}`),
    );
    if (skipped.length === 0) return;
    process.stderr.write(`\n${skipped.length} test(s) skipped:\n${skipped.join('\n')}\n`);
  }
}

module.exports = SkippedReporter;
