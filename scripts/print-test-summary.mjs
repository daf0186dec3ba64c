// Prints one plain closing line from Vitest's JSON report, e.g. "tests: 412 passed, 0 failed".
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
    (skipped ? `, ${skipped} skipped` : ''),
);
