/**
 * readCohort and readCohortMulti share one block reader (block-reader.ts): the same file read for one key
 * by either gives the same rows, rejects (row, column, reason, masked), digests and progress, on the fast
 * path and the parser path, with and without workers. Cases that only one reader's tests covered before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCohort, readCohortMulti, slotHashes, type CohortProgress } from '../../../../electron/core/cohort';
import { DEFAULT_PROFILE, type KeyType } from '../../../../shared/domain';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('block-reader-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string | Buffer): string {
  const p = path.join(dir, `b${n++}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

const BLOCK = 2 * 1024 * 1024;

/** Reads `p` for one key with both readers and expects the same outcome. */
async function bothAlike(p: string, key: KeyType, column: string | number, extra: { hasHeader?: boolean; workers?: number } = {}) {
  const progressSingle: CohortProgress[] = [];
  const progressMulti: CohortProgress[] = [];
  const single = await readCohort({ path: p, key, column, workers: 0, ...extra, onProgress: (x) => progressSingle.push(x) });
  const multi = await readCohortMulti({ path: p, keys: [{ key, column }], profile: DEFAULT_PROFILE, workers: 0, ...extra, onProgress: (x) => progressMulti.push(x) });
  expect({ rows: multi.rowsRead, valid: multi.valid, rejected: multi.rejected, reasons: multi.rejectReasons, hasHeader: multi.hasHeader, encoding: multi.encoding }).toEqual({
    rows: single.rowsRead,
    valid: single.valid,
    rejected: single.rejected,
    reasons: single.rejectReasons,
    hasHeader: single.hasHeader,
    encoding: single.encoding,
  });
  // With one key, a row with a rejected cell has no usable key left: the multi-key reader marks it dropped.
  expect(multi.rejects).toEqual(single.rejects.map((r) => ({ ...r, rowKept: false })));
  expect(multi.duplicates).toBe(single.duplicates);
  expect(Buffer.compare(slotHashes(multi.entries, key === 'email' ? 'email' : key === 'phone' ? 'phone' : 'maid'), single.hashes)).toBe(0);
  for (const seen of [progressSingle, progressMulti]) {
    expect(seen.at(-1)).toEqual({ bytesRead: fs.statSync(p).size, totalBytes: fs.statSync(p).size, rows: single.rowsRead });
    expect(seen.every((v, i) => i === 0 || (v.bytesRead >= seen[i - 1]!.bytesRead && v.rows >= seen[i - 1]!.rows))).toBe(true);
  }
  return single;
}

describe('one block reader for single- and multi-key reads', () => {
  it('a Windows-1252 export past a plain-ASCII sample (the fast path hands over to the parser), several blocks', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => (i % 997 === 5 ? `bad${i};x` : `user${i}@example.de;${'n'.repeat(50)}`));
    rows.push('J\xfcrgen@Example.DE;J\xfcrgen', ';empty', 'm\xfcller@example.de;M\xfcller \x80');
    const content = Buffer.from(`email;name\r\n${rows.join('\r\n')}\r\n`, 'latin1');
    expect(content.length).toBeGreaterThan(BLOCK);
    const r = await bothAlike(file(content), 'email', 'email');
    expect(r.encoding).toBe('utf-8');
    expect(r.rowsRead).toBe(40_003);
    expect(r.rejected).toBeGreaterThan(40);
    await bothAlike(file(content), 'email', 'email', { workers: 2 });
  });

  it('a UTF-8 character cut at a read boundary on the parser path, and a quote late in the file', async () => {
    const head = 'email,note\n';
    const rows: string[] = [];
    let size = Buffer.byteLength(head);
    for (let i = 0; size < BLOCK - 200; i++) {
      const row = `user${i}@example.de,${'x'.repeat(60)}\n`;
      rows.push(row);
      size += Buffer.byteLength(row);
    }
    const body = `${head}${rows.join('')}"jürgen@example.de","Zoë"\n\n"zoë@example.de","é"\nnot-an-email,z\n`;
    const r = await bothAlike(file(body), 'email', 'email');
    expect(r.rejects.map((x) => x.reason)).toEqual(['INVALID_EMAIL']);
  });

  it('mixed line ends, blank lines before the header, short rows, a headerless override', async () => {
    const lines = ['', '', 'name,phone'];
    for (let i = 0; i < 30_000; i++) lines.push(i % 501 === 3 ? `p${i}` : i % 701 === 9 ? ',' : i % 301 === 7 ? `p${i},12` : `p${i},+1 650 253 ${String(i % 10_000).padStart(4, '0')}`);
    const ends = ['\n', '\r\n', '\r'];
    const body = lines.map((l, i) => l + ends[i % 3]).join('');
    const r = await bothAlike(file(body), 'phone', 'phone', { workers: 2 });
    expect(r.rejectReasons.MISSING_COLUMN).toBeGreaterThan(0);
    expect(r.rejectReasons.INVALID_PHONE).toBeGreaterThan(0);
    expect(r.blankRows).toBeGreaterThan(0);
    expect(r.rejects[0]!.row).toBeGreaterThan(3);
    await bothAlike(file('+16502530000,a\n+442079460958,b\nx,c\n'), 'phone', 0, { hasHeader: false });
  });

  it('UTF-8 beyond ASCII, spaces, case, hashes and bad values on the fast path, with workers', async () => {
    const odd = ['Zoë@Exämple.de', ' jane@example.com ', 'JANE@EXAMPLE.COM', 'a..b@example.com', 'x@localhost', 'ünïcode@例え.jp', `${'A'.repeat(64)}`, `${'ab'.repeat(32)}`, 'tab\t@example.com', 'a@b.c', 'q@1.23', 'first.last+tag@sub.example.co.uk', 'bad@-example.com', 'ok@ex-ample.com', '@example.com', 'x@example.com.'];
    const rows = Array.from({ length: 80_000 }, (_, i) => `${i},${odd[i % odd.length]!.replace('@', i % 3 === 0 ? '@' : `${i}@`)}`);
    const body = `id,email\n${rows.join('\n')}\n`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(BLOCK);
    const r = await bothAlike(file(body), 'email', 'email', { workers: 2 });
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.valid).toBeGreaterThan(0);
  });
});
