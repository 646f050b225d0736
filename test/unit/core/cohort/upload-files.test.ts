import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYTES_PER_HASH_LINE, isRejectsReport, makeTempUploadDir, removeUploadDir, sortHashes, withTempUploadDir, writeRejectsCsv, writeUploadFiles } from '../../../../electron/core/cohort';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-upload-')));
afterAll(() => cleanup());

const hashes = sortHashes(Buffer.concat(Array.from({ length: 1000 }, (_, i) => crypto.createHash('sha256').update(`u${i}`).digest())));

describe('writeUploadFiles', () => {
  it('writes one lowercase hex hash per line, "\\n" line ends, no header, with the MD5 of the exact bytes', async () => {
    const out = path.join(dir, 'one');
    const files = await writeUploadFiles(hashes, out);
    expect(files).toHaveLength(1);
    const f = files[0]!;
    expect(path.extname(f.path)).toBe('.csv');
    const bytes = fs.readFileSync(f.path);
    expect(f.md5).toBe(crypto.createHash('md5').update(bytes).digest('hex'));
    expect(f.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(f.bytes).toBe(bytes.length);
    const text = bytes.toString('latin1');
    expect(text).not.toContain('\r');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1000);
    expect(lines.every((l) => /^[0-9a-f]{64}$/.test(l))).toBe(true);
    expect(lines[0]).toBe(hashes.subarray(0, 32).toString('hex'));
    expect(f.count).toBe(1000);
  });

  it('splits at maxBytes, every file within it, all hashes written once in order', async () => {
    const maxBytes = 65 * 300 + 64;
    const files = await writeUploadFiles(hashes, path.join(dir, 'split'), { maxBytes });
    expect(files.map((f) => f.count)).toEqual([300, 300, 300, 100]);
    const all: string[] = [];
    for (const f of files) {
      const bytes = fs.readFileSync(f.path);
      expect(bytes.length).toBeLessThanOrEqual(maxBytes);
      expect(f.md5).toBe(crypto.createHash('md5').update(bytes).digest('hex'));
      all.push(...bytes.toString('latin1').trimEnd().split('\n'));
    }
    const expected: string[] = [];
    for (let i = 0; i < hashes.length; i += 32) expected.push(hashes.subarray(i, i + 32).toString('hex'));
    expect(all).toEqual(expected);
    expect(new Set(files.map((f) => f.path)).size).toBe(4);
  });

  it('writes no file for an empty set and refuses a maxBytes below one line', async () => {
    expect(await writeUploadFiles(Buffer.alloc(0), path.join(dir, 'empty'))).toEqual([]);
    await expect(writeUploadFiles(hashes, path.join(dir, 'tiny'), { maxBytes: BYTES_PER_HASH_LINE - 1 })).rejects.toThrow(AppError);
  });
});

describe('temp upload folder', () => {
  it('is created under os.tmpdir() and removed with everything in it', async () => {
    const d = await makeTempUploadDir();
    expect(d.startsWith(os.tmpdir())).toBe(true);
    await writeUploadFiles(hashes, d);
    await removeUploadDir(d);
    expect(fs.existsSync(d)).toBe(false);
    await removeUploadDir(d);
  });

  it('withTempUploadDir removes the folder even when the work fails', async () => {
    let seen = '';
    await expect(
      withTempUploadDir(async (d) => {
        seen = d;
        await writeUploadFiles(hashes, d);
        throw new Error('upload failed');
      }),
    ).rejects.toThrow('upload failed');
    expect(seen).not.toBe('');
    expect(fs.existsSync(seen)).toBe(false);
  });
});

describe('writeRejectsCsv', () => {
  it('writes row,column,reason,masked_value,explanation with plain-words explanations, quoting as needed', async () => {
    const p = path.join(dir, 'rejects.csv');
    await writeRejectsCsv(
      [
        { row: 3, column: 'Work, Email', reason: 'INVALID_EMAIL', masked: 'j***@g***.com' },
        { row: 9, column: 'phone', reason: 'PHONE_NO_COUNTRY', masked: '415****100' },
      ],
      p,
    );
    const parsed = Papa.parse<string[]>(fs.readFileSync(p, 'utf8').trimEnd()).data;
    expect(parsed[0]).toEqual(['row', 'column', 'reason', 'masked_value', 'explanation']);
    expect(parsed[1]!.slice(0, 4)).toEqual(['3', 'Work, Email', 'INVALID_EMAIL', 'j***@g***.com']);
    expect(parsed[2]![4]).toMatch(/country code/);
    expect(parsed).toHaveLength(3);
  });

  it('adds row_outcome to a multi-key report: row dropped (no usable key) or cell rejected, row kept; before a record column', async () => {
    const p = path.join(dir, 'rejects-multi.csv');
    await writeRejectsCsv(
      [
        { row: 2, column: 'email', reason: 'INVALID_EMAIL', masked: 'b***', rowKept: true },
        { row: 3, column: 'email', reason: 'EMPTY', masked: '', rowKept: false },
      ],
      p,
      { column: 'id', values: new Map([[2, 'c-2']]) },
    );
    const parsed = Papa.parse<string[]>(fs.readFileSync(p, 'utf8').trimEnd()).data;
    expect(parsed[0]).toEqual(['row', 'column', 'reason', 'masked_value', 'explanation', 'row_outcome', 'id']);
    expect(parsed.slice(1).map((r) => [r[0], r[5], r[6]])).toEqual([
      ['2', 'cell rejected, row kept', 'c-2'],
      ['3', 'row dropped: no usable key', ''],
    ]);
    expect(isRejectsReport(p)).toBe(true);
  });

  it('neutralizes every cell a spreadsheet would run as a formula, the column name from the file included', async () => {
    const p = path.join(dir, 'rejects.csv');
    await writeRejectsCsv(
      [
        { row: 2, column: '=HYPERLINK("http://x","y")', reason: 'INVALID_EMAIL', masked: '=***' },
        { row: 3, column: '+cmd', reason: 'INVALID_PHONE', masked: '+1********00' },
        { row: 4, column: '-2+3', reason: 'INVALID_EMAIL', masked: '@***' },
        { row: 5, column: '\tx', reason: 'INVALID_EMAIL', masked: '\r***' },
      ],
      p,
    );
    const text = fs.readFileSync(p, 'utf8');
    const parsed = Papa.parse<string[]>(text.trimEnd()).data;
    expect(parsed.slice(1).map((r) => [r[1], r[3]])).toEqual([
      ["'=HYPERLINK(\"http://x\",\"y\")", "'=***"],
      ["'+cmd", "'+1********00"],
      ["'-2+3", "'@***"],
      ["'\tx", "'\r***"],
    ]);
    for (const row of parsed.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // Every data cell is quoted, so a delimiter or line end inside one cannot start another.
    for (const line of text.trimEnd().split('\n').slice(1)) expect(line.startsWith('"')).toBe(true);
    expect(isRejectsReport(p)).toBe(true);
  });

  it('names the folder problem when the report cannot be written', async () => {
    const err = await writeRejectsCsv([], path.join(dir, 'no-such-folder', 'r.csv')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_ARGUMENT');
  });
});
