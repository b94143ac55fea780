// Prints the closing line CI reads: "N passed, N failed" (jest's own summary is not read).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed`;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\n${line}${skipped ? `, ${skipped} skipped` : ''}\n`);
    require('fs').mkdirSync('test-reports', { recursive: true });
    require('fs').writeFileSync('test-reports/summary.txt', `${line}\n`);
  }
}
module.exports = SummaryReporter;
