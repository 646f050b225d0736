/**
 * Several values per key inside a multi-key (MULTIPLE_TYPES) cohort (#14 §2): `Email 1`, `Email 2` beside `Phone`.
 * The tuple layout, the reader (one canonical tuple per person whatever the order of their values), the upload file
 * (the key's header repeated as many times as mapped) and the per-slot helpers (suppression, overlap, erasure).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesHolding, MULTI_ENTRY_BYTES, readCohortMulti, SINGLE_VALUE_LAYOUT, slotHashes, sortHashes, suppressEntries, tupleLayout, writeMultiUploadFiles, type MultiKeyMapping, type TupleLayout } from '../../../../electron/core/cohort';
import { canonicalTuples } from '../../../../electron/core/cohort/multi-key';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-several-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string): string {
  const p = path.join(dir, `s${n++}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
const ZERO = Buffer.alloc(32);
/** A 192-byte tuple (emails, then phones, three places each) built without the pipeline: values sorted, then zeros. */
function wide(emails: string[], phones: string[]): Buffer {
  const group = (vals: string[]) => {
    const d = [...new Set(vals)].map(sha).sort(Buffer.compare);
    return Buffer.concat([...d, ...new Array<Buffer>(3 - d.length).fill(ZERO)]);
  };
  return Buffer.concat([group(emails), group(phones)]);
}
const TWO_EMAILS: MultiKeyMapping[] = [
  { key: 'email', column: 'Email 1' },
  { key: 'email', column: 'Email 2' },
  { key: 'phone', column: 'Phone' },
];
const WIDE = tupleLayout({ email: 2, phone: 1 });

describe('tupleLayout', () => {
  it('keeps the 96-byte layout with one column per key, and gives several values a layout of another width', () => {
    expect(tupleLayout({ email: 1, phone: 1 })).toBe(SINGLE_VALUE_LAYOUT);
    expect(tupleLayout({ email: 1, phone: 1, maid: 1 }).width).toBe(MULTI_ENTRY_BYTES);
    expect(WIDE).toEqual({ width: 192, at: { email: 0, phone: 96, maid: 0 }, size: { email: 3, phone: 3, maid: 0 } });
    // Two or three columns: the same layout, so changing between them changes no stored tuple's shape.
    expect(tupleLayout({ email: 3, phone: 1 })).toEqual(WIDE);
    expect(tupleLayout({ email: 1, phone: 2, maid: 1 }).width).toBe(288);
    expect(() => tupleLayout({ email: 4, phone: 1 })).toThrow(/at most 3 columns to one key/);
  });
});

describe('canonicalTuples', () => {
  it('gives one tuple for a slot\'s values in any order, with gaps or repeats: sorted, unique, then zeros', () => {
    const [x, y, z] = ['x@a.com', 'y@a.com', 'z@a.com'].map(sha) as [Buffer, Buffer, Buffer];
    const want = wide(['x@a.com', 'y@a.com', 'z@a.com'], ['1']);
    const phone = Buffer.concat([sha('1'), ZERO, ZERO]);
    const orders = [[x, y, z], [x, z, y], [y, x, z], [y, z, x], [z, x, y], [z, y, x]];
    const rows = orders.map((o) => Buffer.concat([...o, phone]));
    const all = Buffer.concat(rows);
    canonicalTuples(all, rows.length, WIDE);
    for (let i = 0; i < rows.length; i++) expect(all.subarray(i * 192, (i + 1) * 192).equals(want)).toBe(true);
    const gaps = Buffer.concat([ZERO, y, x, ZERO, ZERO, sha('1')]);
    canonicalTuples(gaps, 1, WIDE);
    expect(gaps.equals(wide(['x@a.com', 'y@a.com'], ['1']))).toBe(true);
    const repeat = Buffer.concat([y, y, ZERO, phone]);
    canonicalTuples(repeat, 1, WIDE);
    expect(repeat.equals(wide(['y@a.com'], ['1']))).toBe(true);
  });
});

describe('readCohortMulti with two email columns', () => {
  const CSV = [
    'id,Email 1,Email 2,Phone',
    '1,a@example.com,b@example.com,+1 650 253 0001', // 2: two emails and a phone
    '2,B@example.com,a@example.com,+16502530001', // 3: the same person, emails the other way round
    '3,c@example.com,,+1 650 253 0003', // 4: no second email: no reject
    '4,d@example.com,not an email,', // 5: an unusable second email: rejected cell, row kept
    '5,e@example.com,e@example.com,', // 6: the same email twice: one value
    '6,,f@example.com,', // 7: only the second column
    '7,,,', // 8: nothing: rejected (EMPTY)
  ].join('\n');

  for (const path of ['byte', 'parser'] as const) {
    it(`gives one canonical tuple per person, rejects only the unusable cell with its row and column (${path} path)`, async () => {
      // A quote in the first block sends every record through the parser instead of the byte path.
      const content = path === 'byte' ? `${CSV}\n` : `${CSV.replace('7,,,', '"7",,,')}\n`;
      const r = await readCohortMulti({ path: file(content), keys: TWO_EMAILS, profile: { ...DEFAULT_PROFILE, defaultCountry: null }, workers: 0 });
      expect(r.layout).toEqual(WIDE);
      const expected = sortHashes(Buffer.concat([wide(['a@example.com', 'b@example.com'], ['16502530001']), wide(['c@example.com'], ['16502530003']), wide(['d@example.com'], []), wide(['e@example.com'], []), wide(['f@example.com'], [])]), 192);
      expect(r.entries.equals(expected)).toBe(true);
      expect(r).toMatchObject({ rowsRead: 7, valid: 6, rejected: 1, duplicates: 1 });
      expect(r.rejects.map((x) => ({ row: x.row, column: x.column, reason: x.reason }))).toEqual([
        { row: 5, column: 'Email 2', reason: 'INVALID_EMAIL' },
        { row: 8, column: 'Email 1', reason: 'EMPTY' },
      ]);
      expect(r.rejectReasons).toEqual({ INVALID_EMAIL: 1, EMPTY: 1 });
      // Both email columns counted under the one email key: 14 cells, 9 usable, 1 unusable, 4 empty.
      expect(r.perKey.email).toEqual({ valid: 9, rejected: 1, empty: 4 });
    });
  }

  it('hashes the same with hashing workers as on one thread', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},p${i}@example.com,${i % 2 ? `q${i}@example.com` : ''},+1650253${String(i).padStart(4, '0')}`);
    const p = file(`id,Email 1,Email 2,Phone\n${rows.join('\n')}\n`);
    const one = await readCohortMulti({ path: p, keys: TWO_EMAILS, profile: DEFAULT_PROFILE, workers: 0 });
    const two = await readCohortMulti({ path: p, keys: TWO_EMAILS, profile: DEFAULT_PROFILE, workers: 2 });
    expect(one.entries.length).toBe(3000 * 192);
    expect(two.entries.equals(one.entries)).toBe(true);
  });

  it('reads one column per key into the 96-byte tuples existing audiences hold', async () => {
    const r = await readCohortMulti({ path: file('Email,Phone\na@example.com,+16502530001\n'), keys: [{ key: 'email', column: 'Email' }, { key: 'phone', column: 'Phone' }], profile: DEFAULT_PROFILE, workers: 0 });
    expect(r.layout).toBe(SINGLE_VALUE_LAYOUT);
    expect(r.entries.equals(Buffer.concat([sha('a@example.com'), sha('16502530001'), ZERO]))).toBe(true);
  });
});

describe('writeMultiUploadFiles with several values of a key', () => {
  const read = (f: { path: string }) => fs.readFileSync(f.path, 'utf8');
  const hex = (s: string) => sha(s).toString('hex');
  const entries = (...t: Buffer[]) => sortHashes(Buffer.concat(t), 192);

  it('repeats the key\'s header as many times as it has columns, one row per person, empty cells where a value is missing', async () => {
    const set = entries(wide(['a@x.com', 'b@x.com'], ['1']), wide(['c@x.com'], []));
    const [f, ...more] = await writeMultiUploadFiles(set, path.join(dir, 'w1'), { slots: ['email', 'phone'], layout: WIDE, columns: { email: 2, phone: 1 } });
    expect(more).toEqual([]);
    const [ab] = [hex('a@x.com'), hex('b@x.com')].sort();
    const lines = read(f!).split('\n');
    expect(lines[0]).toBe('email_SHA256,email_SHA256,phone_SHA256');
    expect(new Set(lines.slice(1, 3))).toEqual(new Set([`${ab},${[hex('a@x.com'), hex('b@x.com')].sort()[1]},${hex('1')}`, `${hex('c@x.com')},,`]));
    expect(lines[3]).toBe('');
    expect(f!.count).toBe(2);
    expect(f!.md5).toBe(crypto.createHash('md5').update(fs.readFileSync(f!.path)).digest('hex'));
  });

  it('three columns mapped: three headers even when nobody has a third; a tuple with more values than mapped widens the header', async () => {
    const set = entries(wide(['a@x.com'], ['1']));
    const [three] = await writeMultiUploadFiles(set, path.join(dir, 'w2'), { slots: ['email', 'phone'], layout: WIDE, columns: { email: 3, phone: 1 } });
    expect(read(three!)).toBe(`email_SHA256,email_SHA256,email_SHA256,phone_SHA256\n${hex('a@x.com')},,,${hex('1')}\n`);
    // Removing a person synced with two emails after the mapping went back to one column: both are sent.
    const old = entries(wide(['a@x.com', 'b@x.com'], []));
    const [f] = await writeMultiUploadFiles(old, path.join(dir, 'w3'), { slots: ['email', 'phone'], layout: WIDE, columns: { email: 1, phone: 1 } });
    expect(read(f!).split('\n')[0]).toBe('email_SHA256,email_SHA256,phone_SHA256');
  });

  it('splits files by maxEntries and maxBytes, each with its header', async () => {
    const set = entries(...Array.from({ length: 5 }, (_, i) => wide([`p${i}@x.com`, `q${i}@x.com`], [`${i}`])));
    const files = await writeMultiUploadFiles(set, path.join(dir, 'w4'), { slots: ['email', 'phone'], layout: WIDE, columns: { email: 2, phone: 1 }, maxEntries: 2 });
    expect(files.map((f) => f.count)).toEqual([2, 2, 1]);
    for (const f of files) expect(read(f).startsWith('email_SHA256,email_SHA256,phone_SHA256\n')).toBe(true);
  });

  it('writes the 96-byte layout as before: one header per key', async () => {
    const set = Buffer.concat([sha('a@x.com'), sha('1'), ZERO]);
    const [f] = await writeMultiUploadFiles(set, path.join(dir, 'w5'), { slots: ['email', 'phone'] });
    expect(read(f!)).toBe(`email_SHA256,phone_SHA256\n${hex('a@x.com')},${hex('1')}\n`);
  });
});

describe('per-slot helpers over wider tuples', () => {
  const set = sortHashes(Buffer.concat([wide(['a@x.com', 'b@x.com'], ['1']), wide(['c@x.com'], ['2']), wide([], ['3'])]), 192);
  const digests = (...v: string[]) => sortHashes(Buffer.concat(v.map(sha)));
  const people = (b: Buffer, layout: TupleLayout = WIDE) => b.length / layout.width;

  it('suppression leaves out a person when any of their emails is listed, the second one too', () => {
    const kept = suppressEntries(set, digests('b@x.com'), 'email', WIDE);
    expect(people(kept)).toBe(2);
    expect(entriesHolding(kept, digests('a@x.com'), 'email', WIDE).length).toBe(0);
  });

  it('finds the person by a value in the second place (erasure), and counts every value of a slot (overlap)', () => {
    expect(entriesHolding(set, digests('b@x.com'), 'email', WIDE).equals(wide(['a@x.com', 'b@x.com'], ['1']))).toBe(true);
    expect(people(entriesHolding(set, digests('3'), 'phone', WIDE))).toBe(1);
    expect(slotHashes(set, 'email', WIDE).equals(digests('a@x.com', 'b@x.com', 'c@x.com'))).toBe(true);
    expect(slotHashes(set, 'phone', WIDE).length / 32).toBe(3);
  });
});
