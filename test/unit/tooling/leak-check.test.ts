import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../../electron/core/store/db';
import { REJECTS_HEADER } from '../../../electron/core/cohort/csv-write';
import { SANDBOX_ACCESS_TOKEN } from '../../../electron/core/sandbox/seed';
import { findTestEmail, scanForLeaks } from '../../helpers/leak-check';
import { emails, writeEmailCsv } from '../../helpers/cohort';

const run = promisify(execFile);
const hook = path.resolve(import.meta.dirname, '../../leak-keep.mjs');
const checker = path.resolve(import.meta.dirname, '../../helpers/leak-check.ts');
/** Where this suite plants its leaks: beside the reports, never under the run's TMPDIR that the real check scans. */
const FIXTURES = path.resolve(import.meta.dirname, '../../../.reports/leak-fixtures');
fs.mkdirSync(FIXTURES, { recursive: true });

let root: string;
beforeEach(() => {
  // Outside the run's TMPDIR: the leaks planted here are this test's fixtures, not files the app wrote.
  root = fs.realpathSync(fs.mkdtempSync(path.join(FIXTURES, 'cr-leak-root-')));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A real data folder (SQLite store opened and closed) under the root, with a test's input CSV beside it. */
function cleanRun(): { test: string; home: string } {
  const test = path.join(root, 'cohort-relay-test-x');
  const home = path.join(test, 'home');
  fs.mkdirSync(test);
  openDb(home).close();
  writeEmailCsv(path.join(test, 'cohort.csv'), emails(1, 50));
  return { test, home };
}

describe('test/helpers/leak-check.ts: no token or raw test identifier in files the app wrote', () => {
  it('passes on a real data folder beside the test input CSV that holds raw emails', () => {
    cleanRun();
    expect(scanForLeaks(root)).toEqual([]);
  });

  it('finds a token planted in a data-folder file, with file, offset and canary but not the token', async () => {
    const { home } = cleanRun();
    fs.appendFileSync(path.join(home, 'quota-ledger.jsonl'), `{"at":"x","note":"${SANDBOX_ACCESS_TOKEN}"}\n`);
    const findings = scanForLeaks(root);
    expect(findings).toEqual([{ file: path.join('cohort-relay-test-x', 'home', 'quota-ledger.jsonl'), offset: 18, canary: 'sandbox access token' }]);
    const cli = await run('npx', ['tsx', checker, root]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in cli ? cli.code : 0).toBe(1);
    expect(cli.stderr).toContain('quota-ledger.jsonl at byte 18: sandbox access token');
    expect(cli.stdout + cli.stderr).not.toContain(SANDBOX_ACCESS_TOKEN);
  });

  it('finds a simulator-issued token and a raw email in an app file, and a raw email in a CSV inside the data folder', () => {
    const { home } = cleanRun();
    fs.writeFileSync(path.join(home, 'backups-note.bin'), `token sbx${'a1'.repeat(18)}f and user7@example.com`);
    fs.writeFileSync(path.join(home, 'export.csv'), 'email\nuser8@example.com\n');
    const found = scanForLeaks(root).map((f) => `${path.basename(f.file)} ${f.canary}`);
    expect(found.sort()).toEqual(['backups-note.bin a raw test email (…@example.com/.org)', 'backups-note.bin a token the simulator issued (sbx…)', 'export.csv a raw test email (…@example.com/.org)']);
  });

  it('allows raw values in a rejects report a test asked for, but not a token in it', () => {
    const { test } = cleanRun();
    fs.writeFileSync(path.join(test, 'cohort-rejects.csv'), `${REJECTS_HEADER}\n"2","email","invalid","user9@example.com",""\n`);
    expect(scanForLeaks(root)).toEqual([]);
    fs.appendFileSync(path.join(test, 'cohort-rejects.csv'), `"3","email","x","${SANDBOX_ACCESS_TOKEN}",""\n`);
    expect(scanForLeaks(root).map((f) => f.canary)).toEqual(['sandbox access token']);
  });

  it('allows a web-host upload copy the host removed, not one it left behind', () => {
    const uploads = path.join(root, 'cohort-relay-uploads-123-abc', '1');
    fs.mkdirSync(uploads, { recursive: true });
    writeEmailCsv(path.join(uploads, 'cohort.csv'), emails(1, 3));
    expect(scanForLeaks(root).map((f) => f.file)).toEqual([path.join('cohort-relay-uploads-123-abc', '1', 'cohort.csv')]);
    const kept = path.join(root, '.kept', '1-1');
    fs.mkdirSync(kept, { recursive: true });
    fs.renameSync(path.join(root, 'cohort-relay-uploads-123-abc'), path.join(kept, 'cohort-relay-uploads-123-abc'));
    expect(scanForLeaks(root)).toEqual([]);
  });

  it('test/leak-keep.mjs keeps what a process removes under the root, so a leak in a cleaned-up data folder is still found', async () => {
    // The writer script holds the token itself: it lives outside the root, like the tests' own source files.
    const scripts = fs.mkdtempSync(path.join(FIXTURES, 'cr-leak-writer-'));
    const script = path.join(scripts, 'writer.mjs');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs'; import { rm } from 'node:fs/promises';
const d = ${JSON.stringify(path.join(root, 'cohort-relay-test-y'))};
fs.mkdirSync(d + '/home', { recursive: true });
fs.writeFileSync(d + '/home/cohort-relay.installed', 'x');
fs.writeFileSync(d + '/home/app.log', 'sent with ${SANDBOX_ACCESS_TOKEN}');
await rm(d, { recursive: true, force: true });`,
    );
    await run(process.execPath, [script], { env: { ...process.env, COHORT_RELAY_LEAK_ROOT: root, NODE_OPTIONS: `--import ${hook}` } }).finally(() => fs.rmSync(scripts, { recursive: true, force: true }));
    expect(fs.existsSync(path.join(root, 'cohort-relay-test-y'))).toBe(false);
    const findings = scanForLeaks(root);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.file).toMatch(/^\.kept\/\d+-1\/cohort-relay-test-y\/home\/app\.log$/);
    expect(findings[0]!.canary).toBe('sandbox access token');
  });

  it('finds a raw email by its offset in linear time, and not a look-alike domain', () => {
    expect(findTestEmail(Buffer.from('id,e\n1,user12@example.com\n'))).toBe(7);
    expect(findTestEmail(Buffer.from('x@example.company and @example.com alone'))).toBe(-1);
    const digests = Buffer.from(`${'ab12'.repeat(4_000_000)}@example.org`);
    const started = Date.now();
    expect(findTestEmail(digests)).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("skips Vitest's and Playwright's module caches (the project's own source) but not a look-alike file the app wrote", () => {
    const cache = path.join(root, 'AbCdEfGhIjKlMnOpQrStU', 'ssr');
    fs.mkdirSync(cache, { recursive: true });
    fs.writeFileSync(path.join(cache, 'c2b12c37ce68972db66320318693cb5d6fc62f6c'), `__vite_ssr_exportName__("T", () => "${SANDBOX_ACCESS_TOKEN}");`);
    const pw = path.join(root, 'playwright-transform-cache-0', 'c2');
    fs.mkdirSync(pw, { recursive: true });
    fs.writeFileSync(path.join(pw, 'c2b12c37ce_d9c5d0a_seed.js'), `export const T = "${SANDBOX_ACCESS_TOKEN}";`);
    expect(scanForLeaks(root)).toEqual([]);
    const { home } = cleanRun();
    fs.mkdirSync(path.join(home, 'ssr'));
    fs.writeFileSync(path.join(home, 'ssr', 'c2b12c37ce68972db66320318693cb5d6fc62f6c'), SANDBOX_ACCESS_TOKEN);
    expect(scanForLeaks(root).map((f) => f.canary)).toEqual(['sandbox access token']);
  });
});
