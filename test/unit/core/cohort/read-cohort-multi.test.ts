import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MULTI_ENTRY_BYTES, readCohortMulti, slotHashes, sortHashes, type MultiCohortResult, type MultiKeyMapping, type ReadCohortMultiOptions } from '../../../../electron/core/cohort';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-multi-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string | Buffer): string {
  const p = path.join(dir, `m${n++}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
const ZERO = Buffer.alloc(32);
/** A tuple built independently of the pipeline: normalized values (or null for an absent key) in slot order. */
const tuple = (email: string | null, phone: string | null, maid: string | null) => Buffer.concat([email ? sha(email) : ZERO, phone ? sha(phone) : ZERO, maid ? sha(maid) : ZERO]);
const hexTuples = (b: Buffer) => {
  const out: string[] = [];
  for (let i = 0; i < b.length; i += MULTI_ENTRY_BYTES) out.push(b.subarray(i, i + MULTI_ENTRY_BYTES).toString('hex'));
  return out;
};

const ALL_KEYS: MultiKeyMapping[] = [
  { key: 'email', column: 'email' },
  { key: 'phone', column: 'phone' },
  { key: 'idfa', column: 'idfa' },
];

function read(p: string, opts: Partial<ReadCohortMultiOptions> = {}): Promise<MultiCohortResult> {
  return readCohortMulti({ path: p, keys: ALL_KEYS, profile: DEFAULT_PROFILE, workers: 0, ...opts });
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

// Row numbers as a spreadsheet shows them: the header is row 1; the blank row 11 keeps its number.
const COHORT = [
  'email,phone,idfa,name',
  'Jane@Example.com,+1 650 253 0000,5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25,a', // 2: all three keys
  'john@example.org,,,b', // 3: email only
  ',+44 20 7946 0958,,c', // 4: phone only
  'not-an-email,+1 650 253 0000,,d', // 5: bad email, kept for its phone
  'bad,12,zz,e', // 6: every key invalid: rejected, three cells
  ',,,f', // 7: every key empty: rejected (EMPTY)
  'JANE@example.com ,+16502530000,5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25,g', // 8: duplicate of 2
  'john@example.org,,,h', // 9: duplicate of 3
  ',,{6D92078A-8246-4BA4-AE5B-76104861E7DC},i', // 10: ad id only
  ',,,', // 11: blank
  'john@example.org,+16502530000,,j', // 12: email and phone
].join('\n');

const E1 = 'jane@example.com';
const E2 = 'john@example.org';
const P1 = '16502530000';
const P2 = '442079460958';
const M1 = '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25';
const M2 = '6d92078a-8246-4ba4-ae5b-76104861e7dc';

describe('readCohortMulti on a three-key cohort', () => {
  it('keeps a row with at least one valid key and counts rows, duplicates and cells per key', async () => {
    const r = await read(file(COHORT));
    expect(r.rowsRead).toBe(10);
    expect(r.valid).toBe(8);
    expect(r.rejected).toBe(2);
    expect(r.duplicates).toBe(2);
    expect(r.rowsRead).toBe(r.valid + r.rejected);
    expect(r.entries.length / MULTI_ENTRY_BYTES).toBe(r.valid - r.duplicates);
    expect(r.perKey).toEqual({
      email: { valid: 5, rejected: 2, empty: 3 },
      phone: { valid: 5, rejected: 1, empty: 4 },
      maid: { valid: 3, rejected: 1, empty: 6 },
    });
    expect(r.rejectReasons).toEqual({ INVALID_EMAIL: 2, INVALID_PHONE: 1, INVALID_MAID: 1, EMPTY: 1 });
    expect(r.columns).toEqual([
      { key: 'email', slot: 'email', index: 0, name: 'email' },
      { key: 'phone', slot: 'phone', index: 1, name: 'phone' },
      { key: 'idfa', slot: 'maid', index: 2, name: 'idfa' },
    ]);
    expect(r.hasHeader).toBe(true);
  });

  it('writes one masked reject per rejected cell, with its row and column, in row order', async () => {
    const r = await read(file(COHORT));
    expect(r.rejects.map(({ row, column, reason }) => ({ row, column, reason }))).toEqual([
      { row: 5, column: 'email', reason: 'INVALID_EMAIL' },
      { row: 6, column: 'email', reason: 'INVALID_EMAIL' },
      { row: 6, column: 'phone', reason: 'INVALID_PHONE' },
      { row: 6, column: 'idfa', reason: 'INVALID_MAID' },
      { row: 7, column: 'email', reason: 'EMPTY' },
    ]);
    expect(r.rejectsTruncated).toBe(false);
    expect(r.rejects[0]!.masked).not.toContain('not-an-email');
    const few = await read(file(COHORT), { maxRejects: 2 });
    expect(few.rejects).toHaveLength(2);
    expect(few.rejectsTruncated).toBe(true);
    expect(few.rejectReasons).toEqual(r.rejectReasons);
  });

  it('says of each rejected cell whether its row was kept for another key or dropped', async () => {
    const r = await read(file(COHORT));
    expect(r.rejects.map(({ row, rowKept }) => ({ row, rowKept }))).toEqual([
      { row: 5, rowKept: true },
      { row: 6, rowKept: false },
      { row: 6, rowKept: false },
      { row: 6, rowKept: false },
      { row: 7, rowKept: false },
    ]);
  });

  describe('marks kept and dropped rows in large files, whatever path and however the rejects are cut', () => {
    // Per 5 rows: both keys good; a bad email with a good phone (kept); a bad email with an empty or blank phone
    // (dropped); both bad (dropped); both empty (dropped, one EMPTY). Every block and batch mixes them all.
    const line = (i: number) => {
      const phone = `+1 650 253 ${String(i % 10_000).padStart(4, '0')}`;
      return `${[`u${i}@example.com,${phone}`, `bad${i},${phone}`, `bad${i},${i % 2 ? ' ' : ''}`, `bad${i},12`, ','][i % 5]!},n${i}`;
    };
    const lines = Array.from({ length: 60_000 }, (_, i) => line(i));
    const keys: MultiKeyMapping[] = [
      { key: 'email', column: 'email' },
      { key: 'phone', column: 'phone' },
    ];
    const kept = (row: number) => (row - 2) % 5 === 1;

    it.each([
      ['the fast path, one thread', 0, false],
      ['the fast path, with workers', 2, false],
      ['the parser path, one thread', 0, true],
      ['the parser path, with workers', 2, true],
    ])('on %s', async (_label, workers, quoted) => {
      const body = quoted ? [`"${lines[0]!.replace(',', '",')}`, ...lines.slice(1)] : lines;
      const r = await read(file(`email,phone,name\n${body.join('\n')}\n`), { keys, workers });
      expect(r.rejects).toHaveLength(60_000);
      expect(r.rejects.filter((x) => x.rowKept !== kept(x.row))).toEqual([]);
      expect(new Set(r.rejects.filter((x) => !x.rowKept).map((x) => x.row)).size).toBe(r.rejected);
    });

    it('when maxRejects cuts a row\'s rejects in two, that row is still marked dropped', async () => {
      // Rejects: row 3 (kept), row 4 (dropped), row 5's email; its phone reject is cut off.
      const r = await read(file(`email,phone,name\n${lines.join('\n')}\n`), { keys, maxRejects: 3 });
      expect(r.rejects.map(({ row, column, rowKept }) => ({ row, column, rowKept }))).toEqual([
        { row: 3, column: 'email', rowKept: true },
        { row: 4, column: 'email', rowKept: false },
        { row: 5, column: 'email', rowKept: false },
      ]);
    });
  });

  it('holds exactly the sorted unique tuples of SHA-256 digests, zeros where a key is missing', async () => {
    const r = await read(file(COHORT));
    const want = sortHashes(Buffer.concat([tuple(E1, P1, M1), tuple(E2, null, null), tuple(null, P2, null), tuple(null, P1, null), tuple(null, null, M2), tuple(E2, P1, null)]), MULTI_ENTRY_BYTES);
    expect(hexTuples(r.entries)).toEqual(hexTuples(want));
    expect(hexTuples(r.entries)).toEqual([...hexTuples(r.entries)].sort());
    expect(slotHashes(r.entries, 'email').toString('hex')).toBe(sortHashes(Buffer.concat([sha(E1), sha(E2)])).toString('hex'));
    expect(slotHashes(r.entries, 'phone').length / 32).toBe(2);
    expect(slotHashes(r.entries, 'maid').toString('hex')).toBe(sortHashes(Buffer.concat([sha(M1), sha(M2)])).toString('hex'));
  });

  it('maps a subset of keys by index, with GAID in the MAID slot and other columns ignored', async () => {
    const r = await read(file(COHORT), { keys: [{ key: 'gaid', column: 2 }, { key: 'email', column: 0 }] });
    expect(r.columns.map((c) => c.slot)).toEqual(['maid', 'email']);
    // Rows 4 and 5 (phone only / bad email) now have no valid key; row 7 is empty.
    expect(r.valid).toBe(6);
    expect(r.rejected).toBe(4);
    expect(r.perKey.phone).toBeUndefined();
    const want = sortHashes(Buffer.concat([tuple(E1, null, M1), tuple(E2, null, null), tuple(null, null, M2)]), MULTI_ENTRY_BYTES);
    expect(hexTuples(r.entries)).toEqual(hexTuples(want));
  });

  it('reads a file without a header by column index, or with the header detection overridden', async () => {
    const body = COHORT.split('\n').slice(1).join('\n');
    const keys: MultiKeyMapping[] = [{ key: 'email', column: 0 }, { key: 'phone', column: 1 }, { key: 'idfa', column: 2 }];
    const a = await read(file(COHORT));
    const b = await read(file(body), { keys, hasHeader: false });
    expect(b.hasHeader).toBe(false);
    expect(b.entries.equals(a.entries)).toBe(true);
    expect(b.rejects.map((r) => r.row)).toEqual(a.rejects.map((r) => r.row - 1));
    expect(b.rejects[0]!.column).toBe('Column 1');
  });

  it('reads quoted, CRLF and semicolon files the same way', async () => {
    const quoted = COHORT.split('\n').map((line) => line.split(',').map((c) => `"${c}"`).join(';')).join('\r\n');
    const a = await read(file(COHORT));
    const b = await read(file(quoted));
    expect(b.delimiter).toBe(';');
    expect(b.entries.equals(a.entries)).toBe(true);
    expect(b.rejects).toEqual(a.rejects);
    expect(b.perKey).toEqual(a.perKey);
  });

  it('numbers rows the same on the byte path and on the parser path, with blank lines before the header and a quote late in the file', async () => {
    const lines = ['', 'email;phone;idfa', ''];
    for (let i = 0; i < 130_000; i++) lines.push(i % 11 === 0 ? ';;' : `${i % 4 === 0 ? `bad${i}` : `u${i}@example.com`};${i % 9 === 0 ? '+1 650 253 0000' : ''};${i % 13 === 0 ? 'zz' : ''}`);
    lines.push('"late@example.com";;');
    const crlf = lines.join('\r\n');
    // Byte path for the first 2 MB blocks, the parser from the block holding the quote.
    const mixed = await read(file(crlf), { workers: 2 });
    // The parser throughout: every cell quoted.
    const quoted = await read(file(lines.map((l) => (l === '' || l.startsWith('"') ? l : l.split(';').map((c) => `"${c}"`).join(';'))).join('\r\n')));
    expect(Buffer.byteLength(crlf)).toBeGreaterThan(2 * 1024 * 1024);
    expect(mixed.entries.equals(quoted.entries)).toBe(true);
    expect(mixed.rejects).toEqual(quoted.rejects);
    expect({ ...mixed, entries: null }).toEqual({ ...quoted, entries: null });
    // Rows 1 and 3 are blank, 2 the header; data i is row i + 4 (i = 4 is the first bad email).
    expect(mixed.rejects[0]).toMatchObject({ row: 8, column: 'email', reason: 'INVALID_EMAIL' });
    expect(mixed.rejects.at(-1)).toMatchObject({ row: 129_996 + 4, column: 'email' });
    expect(mixed.perKey.email!.valid).toBe(quoted.perKey.email!.valid);
    expect(mixed.valid - mixed.duplicates).toBe(mixed.entries.length / MULTI_ENTRY_BYTES);
  });

  it('gives the same result with hashing workers as on one thread', async () => {
    const lines = ['email,phone,idfa'];
    for (let i = 0; i < 30_000; i++) {
      const email = i % 5 === 0 ? '' : i % 97 === 0 ? `bad${i}` : `user${i % 20_000}@example.com`;
      const phone = i % 3 === 0 ? `+1 650 253 ${String(i % 10_000).padStart(4, '0')}` : '';
      const idfa = i % 7 === 0 ? crypto.createHash('md5').update(String(i % 5000)).digest('hex') : '';
      lines.push(`${email},${phone},${idfa}`);
    }
    const p = file(lines.join('\n'));
    const one = await read(p, { workers: 0 });
    const two = await read(p, { workers: 2 });
    expect(two.entries.equals(one.entries)).toBe(true);
    expect(two.perKey).toEqual(one.perKey);
    expect(two.rejects).toEqual(one.rejects);
    expect({ ...two, entries: null }).toEqual({ ...one, entries: null });
    // A row with every cell empty is blank: skipped, not read.
    expect(one.rowsRead).toBe(lines.slice(1).filter((l) => l !== ',,').length);
    expect(one.duplicates).toBeGreaterThan(0);
  });
});

describe('readCohortMulti refuses', () => {
  it('IDFA and GAID together, naming the fix', async () => {
    const err = await rejection(read(file(COHORT), { keys: [{ key: 'idfa', column: 2 }, { key: 'gaid', column: 3 }] }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/IDFA and GAID/);
    expect(err.message).toMatch(/map a single ad id column/);
  });

  it('one column mapped twice, a key mapped to four columns, one column for two keys, no keys, and an unknown column', async () => {
    const p = file(COHORT);
    // Two columns of one key are several values per person (multi-key-several-values.test.ts); the same column twice is not.
    expect((await rejection(read(p, { keys: [{ key: 'email', column: 0 }, { key: 'email', column: 'email' }] }))).message).toMatch(/mapped twice to Email/);
    expect((await rejection(read(p, { keys: [0, 1, 2, 3].map((column) => ({ key: 'email' as const, column })) }))).message).toMatch(/at most 3 columns to one key/);
    expect((await rejection(read(p, { keys: [{ key: 'email', column: 0 }, { key: 'phone', column: 'email' }] }))).message).toMatch(/mapped to both/);
    expect((await rejection(read(p, { keys: [] }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(read(p, { keys: [{ key: 'email', column: 'mail' }] }))).message).toMatch(/no column "mail"/);
  });

  it('a file where no row has a valid key, naming the most common problem', async () => {
    const err = await rejection(read(file('email,phone,idfa\nbad,,\nworse,,\n,,x\n')));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/None of the 3 rows/);
    expect(err.message).toMatch(/email/i);
  });

  it('a missing file', async () => {
    expect((await rejection(read(path.join(dir, 'nope.csv')))).code).toBe('FILE_NOT_FOUND');
  });

  it('a header without rows', async () => {
    expect((await rejection(read(file('email,phone,idfa\n')))).code).toBe('CSV_INVALID');
  });

  it('to go on once cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(read(file(COHORT), { signal: ac.signal }))).code).toBe('CANCELLED');
    const lines = ['email,phone,idfa'];
    for (let i = 0; i < 100_000; i++) lines.push(`user${i}@example.com,,`);
    const late = new AbortController();
    const err = await rejection(read(file(lines.join('\n')), { signal: late.signal, workers: 2, onProgress: () => late.abort() }));
    expect(err.code).toBe('CANCELLED');
  });
});

describe('reading every row, or refusing with the row (the same parser and line ends as readCohort)', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com,+1 650 253 ${String(i).padStart(4, '0')},,n${i}`);

  it.each([
    ['the fast path', false],
    ['the parser path', true],
  ])('mixed line ends lose no row, on %s', async (_label, quoted) => {
    const body = rows.map((r, i) => (quoted && i === 0 ? r.replace(',n0', ',"n0"') : r) + (i % 4 === 3 ? '\n' : i % 97 === 0 ? '\r' : '\r\n')).join('');
    const r = await read(file(`email,phone,idfa,name\r\n${body}`));
    expect(r).toMatchObject({ rowsRead: 5000, valid: 5000, rejected: 0 });
  });

  it('an unclosed quote is refused naming its row', async () => {
    const broken = [...rows];
    broken[3500] = 'user3500@example.com,+1 650 253 3500,,"n3500';
    const err = await rejection(read(file(`email,phone,idfa,name\n${broken.join('\n')}\n`)));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/quoted cell that starts on row 3,502 is never closed/);
  });

  it.each([
    ['the fast path', 0, false],
    ['the fast path, with workers', 2, false],
    ['the parser path', 0, true],
  ])('a cut-off export (last row stops mid-value, no line end) is refused naming the row, on %s', async (_label, workers, quoted) => {
    const body = quoted ? [rows[0]!.replace(',n0', ',"n0"'), ...rows.slice(1)] : rows;
    const p = file(`email,phone,idfa,name\n${body.join('\n')}\nuser5000@example.co`);
    const err = await rejection(read(p, { workers }));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(new RegExp(`^${path.basename(p)} ends in the middle of row 5,002 \\(it has 1 of the 4 cells a row has, and no line end follows\\): the export was cut off`));
  });

  it('a last row with every cell and no final line end is read', async () => {
    expect(await read(file(`email,phone,idfa,name\n${rows.join('\n')}`))).toMatchObject({ rowsRead: 5000, valid: 5000 });
  });

  it.each([
    ['the fast path', 0, false],
    ['the parser path', 0, true],
  ])('a full-width last row (no line end) whose last cell is a key cut short is refused naming the row and column, on %s', async (_label, workers, quoted) => {
    const body = rows.map((r) => r.split(',').reverse().join(','));
    if (quoted) body[0] = body[0]!.replace('n0,', '"n0",');
    const keys = [{ key: 'email' as const, column: 'email' }, { key: 'phone' as const, column: 'phone' }];
    const p = file(`name,idfa,phone,email\n${body.join('\n')}\nn5000,,+1 650 253 5000,user5000@exa`);
    const err = await rejection(read(p, { workers, keys }));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(new RegExp(`^${path.basename(p)} ends in the middle of row 5,002 \\(its last cell, in column "email", is not an email address, and no line end follows\\): the export was cut off.*If row 5,002 is complete, end the file with a line end after it\\.$`));
    const phoneLast = file(`name,idfa,email,phone\n${rows.map((r) => r.split(',').reverse().join(',').replace(/^(n\d+,,)(\+[^,]*),(.*)$/, '$1$3,$2')).join('\n')}\nn5000,,user5000@example.com,+1 650 25`);
    expect((await rejection(read(phoneLast, { workers, keys }))).message).toMatch(/row 5,002 \(its last cell, in column "phone", is not a phone number, and no line end follows\)/);
  });

  it.each([
    ['the fast path', 0, false],
    ['the parser path', 0, true],
  ])('a full-width last row (no line end) whose last key is invalid but not a cut key ("n/a", or a closed quoted cell) is read, that cell rejected, on %s', async (_label, workers, quoted) => {
    const body = rows.map((r) => r.split(',').reverse().join(','));
    if (quoted) body[0] = body[0]!.replace('n0,', '"n0",');
    const keys = [{ key: 'email' as const, column: 'email' }, { key: 'phone' as const, column: 'phone' }];
    for (const last of ['n/a', 'not-an-email', '"user5000@exa"']) {
      const r = await read(file(`name,idfa,phone,email\n${body.join('\n')}\nn5000,,+1 650 253 5000,${last}`), { workers, keys });
      expect(r).toMatchObject({ rowsRead: 5001 });
      expect(r.rejects.map((x) => [x.row, x.column, x.reason, x.rowKept])).toEqual([[5002, 'email', 'INVALID_EMAIL', true]]);
    }
  });

  it('reads a ragged last row (no line end) as wide as a whole row, and one with an empty last key', async () => {
    const ragged = [...rows];
    ragged[100] = 'user100@example.com,+1 650 253 0100';
    expect(await read(file(`email,phone,idfa,name\n${ragged.join('\n')}\nuser5000@example.com,+1 650 253 5000`))).toMatchObject({ rowsRead: 5001, valid: 5001 });
    expect(await read(file(`email,phone,idfa,name\n${rows.join('\n')}\n\x1a`))).toMatchObject({ rowsRead: 5000, valid: 5000 });
    const keys = [{ key: 'email' as const, column: 'email' }, { key: 'phone' as const, column: 'phone' }];
    expect(await read(file(`name,phone,email\nn0,+1 650 253 0000,user0@example.com\nn1,+1 650 253 0001,`), { keys })).toMatchObject({ rowsRead: 2, valid: 2 });
  });
});
