/**
 * Sums every suite's result into the one plain line CI reads ("N passed, N failed, N skipped") and
 * exits non-zero on any failure or when no test ran. Inputs: the reports folder and the counts of the
 * lint / type-check / build checks.
 */
import fs from 'node:fs';
import path from 'node:path';

const [dir = '.reports', checksPassed = '0', checksFailed = '0'] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);
let skipped = 0;
let ran = 0;

function readJson(file: string): unknown {
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch {
    return null;
  }
}

const vitest = readJson('vitest.json') as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; numFailedTestSuites: number } | undefined | null;
if (vitest === null || vitest === undefined) {
  console.error('vitest: no report was written (the run crashed before reporting).');
  failed += 1;
} else {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests + (vitest.numFailedTests === 0 ? vitest.numFailedTestSuites : 0);
  skipped += vitest.numPendingTests + vitest.numTodoTests;
  ran += vitest.numPassedTests + vitest.numFailedTests;
}

const hasE2e = fs.existsSync('test/e2e') && fs.readdirSync('test/e2e').some((f) => f.endsWith('.spec.ts'));
if (hasE2e) {
  const pw = readJson('playwright.json') as { stats?: { expected: number; unexpected: number; skipped: number; flaky: number } } | undefined | null;
  if (!pw?.stats) {
    console.error('playwright: no report was written (the run crashed before reporting).');
    failed += 1;
  } else {
    passed += pw.stats.expected + pw.stats.flaky;
    failed += pw.stats.unexpected;
    skipped += pw.stats.skipped;
    ran += pw.stats.expected + pw.stats.flaky + pw.stats.unexpected;
  }
}

if (ran === 0) {
  console.error('No test ran.');
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
