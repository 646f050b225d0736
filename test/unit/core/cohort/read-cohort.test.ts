import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDiff, diffHashes, readCohort, sortHashes, type CohortResult, type ReadCohortOptions } from '../../../../electron/core/cohort';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-read-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string | Buffer): string {
  const p = path.join(dir, `f${n++}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
/** The sorted unique digest set of normalized values, built independently of the pipeline. */
const setOf = (values: string[]) => sortHashes(Buffer.concat(values.map(sha)));

function read(p: string, opts: Partial<ReadCohortOptions> = {}): Promise<CohortResult> {
  return readCohort({ path: p, key: 'email', workers: 0, ...opts });
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('readCohort on CSV quirks', () => {
  const want = setOf(['jane@example.com', 'john@example.org']);

  it.each([
    ['UTF-8', Buffer.from('email\nJane@Example.com\njohn@example.org\n')],
    ['UTF-8 with BOM', Buffer.from('\ufeffemail\nJane@Example.com\njohn@example.org\n')],
    ['UTF-16 LE with BOM', Buffer.from('\ufeffemail\r\nJane@Example.com\r\njohn@example.org\r\n', 'utf16le')],
    ['CRLF', Buffer.from('email\r\nJane@Example.com\r\njohn@example.org\r\n')],
    ['CR', Buffer.from('email\rJane@Example.com\rjohn@example.org\r')],
    ['no final line end', Buffer.from('email\nJane@Example.com\njohn@example.org')],
    ['quoted cells', Buffer.from('"email","note"\n"Jane@Example.com","a, ""b""\nc"\n"john@example.org",""\n')],
    ['semicolons and a trailing delimiter', Buffer.from('email;name;\nJane@Example.com;J;\njohn@example.org;K;\n')],
    ['tabs', Buffer.from('name\temail\nJ\tJane@Example.com\nK\tjohn@example.org\n')],
    ['pipes', Buffer.from('name|email\nJ|Jane@Example.com\nK|john@example.org\n')],
    ['no header', Buffer.from('Jane@Example.com,1\njohn@example.org,2\n')],
    ['blank lines', Buffer.from('email\n\nJane@Example.com\n\n\njohn@example.org\n\n')],
  ])('reads %s', async (_label, content) => {
    const r = await read(file(content));
    expect(r.rowsRead).toBe(2);
    expect(r.valid).toBe(2);
    expect(Buffer.compare(r.hashes, want)).toBe(0);
  });

  it.each([
    ['unquoted (block path)', (v: string) => v],
    ['quoted (parser path)', (v: string) => `"${v}"`],
  ])('switches to Windows-1252 at the first non-UTF-8 bytes after a plain-ASCII sample: %s', async (_label, q) => {
    // 300 KiB of ASCII rows (the sample sees no byte above 0x7f), then a Windows-1252 row.
    const ascii = Array.from({ length: 12_000 }, (_, i) => `${q(`user${i}@example.de`)},${q(`Name ${i}`)}`);
    const content = Buffer.from(`email,name\n${ascii.join('\n')}\n${q('j\xfcrgen@example.de')},${q('J\xfcrgen M\xfcller')}\n`, 'latin1');
    expect(content.length).toBeGreaterThan(256 * 1024);
    const r = await read(file(content));
    expect(r.rowsRead).toBe(12_001);
    expect(r.rejected).toBe(0);
    expect(Buffer.compare(r.hashes, setOf([...Array.from({ length: 12_000 }, (_, i) => `user${i}@example.de`), 'jürgen@example.de']))).toBe(0);
  });

  it('keeps reading valid UTF-8 after a plain-ASCII sample, also with a character cut at a read boundary', async () => {
    // Quoted rows take the parser path, which reads 2 MiB at a time: the "ü" of one email straddles that boundary.
    const BLOCK = 2 * 1024 * 1024;
    const head = 'email,note\n';
    const rows: string[] = [];
    let size = Buffer.byteLength(head);
    for (let i = 0; size < BLOCK - 200; i++) {
      const row = `"user${i}@example.de","${'x'.repeat(60)}"\n`;
      rows.push(row);
      size += Buffer.byteLength(row);
    }
    // The row whose "ü" starts at the last byte of the first read: `"j` then ü (2 bytes).
    const pad = BLOCK - 1 - size - Buffer.byteLength('"j');
    const filler = `"pad@example.de","${'y'.repeat(pad - Buffer.byteLength('"pad@example.de","') - 2)}"\n`;
    rows.push(filler);
    const body = `${head}${rows.join('')}"jürgen@example.de","Zoë"\n"zoë@example.de","é"\n`;
    const buf = Buffer.from(body, 'utf8');
    expect(buf.indexOf(Buffer.from('ü', 'utf8'))).toBe(BLOCK - 1);
    const r = await read(file(buf));
    expect(r.rejected).toBe(0);
    const emails = [...rows.map((x) => x.slice(1, x.indexOf('"', 1))), 'jürgen@example.de', 'zoë@example.de'];
    expect(Buffer.compare(r.hashes, setOf(emails))).toBe(0);
  });

  it('reads a Windows-1252 export (German Excel) beyond its sample, hashing "jürgen@example.de" as UTF-8', async () => {
    // Over 256 KiB: the sample decides the encoding, the streaming reader decodes every block the same way.
    const emails = Array.from({ length: 12_000 }, (_, i) => `m\xfcller${i}@example.de`);
    const body = `email;name\n${emails.map((e, i) => `${e};M\xfcller ${i} \x80`).join('\r\n')}\r\nJ\xfcrgen@Example.DE;J\xfcrgen\r\n`;
    const content = Buffer.from(body, 'latin1');
    expect(content.length).toBeGreaterThan(256 * 1024);
    const r = await read(file(content));
    expect(r.rowsRead).toBe(12_001);
    expect(r.rejected).toBe(0);
    const utf8 = [...emails.map((e) => Buffer.from(e, 'latin1').toString('latin1')), 'jürgen@example.de'];
    expect(Buffer.compare(r.hashes, setOf(utf8))).toBe(0);
  });

  it('reads UTF-16 BE with a BOM', async () => {
    const le = Buffer.from('\ufeffemail\nJane@Example.com\njohn@example.org\n', 'utf16le');
    const be = Buffer.alloc(le.length);
    for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!];
    const r = await read(file(be));
    expect(r.encoding).toBe('utf-16be');
    expect(Buffer.compare(r.hashes, want)).toBe(0);
  });

  it('keeps the person of a headerless file whose first value is malformed: row 1 is rejected, masked, not taken for a header', async () => {
    const raw = 'Alice Smith <alice@examplecorp.com>';
    const r = await read(file(`${raw}\nbob@example.com\ncarol@example.com\n`));
    expect(r.rowsRead).toBe(3);
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ row: 1, column: 'Column 1', reason: 'INVALID_EMAIL' });
    // The local part (the person) is masked; the domain stays visible so the fault can be seen (#11 item 15).
    expect(JSON.stringify(r)).not.toMatch(/Alice|alice|Smith/);
    expect(r.rejects[0]!.masked).toBe('A***@examplecorp.com*');
  });

  it('numbers rows as a spreadsheet shows them: header row 1, blank and multi-line rows counted once', async () => {
    const r = await read(file('email,note\na@b.co,x\n\nbad,"two\nlines"\nc@d.co,y\nalso bad,z\n'));
    expect(r.rejects.map((x) => [x.row, x.reason, x.masked])).toEqual([[4, 'INVALID_EMAIL', 'b***'], [6, 'INVALID_EMAIL', 'a***']]);
    expect(r.blankRows).toBe(1);
    expect(r.rowsRead).toBe(4);
  });

  it('numbers rows the same way on the fast path (no quotes) and without a header', async () => {
    const r = await read(file('a@b.co,x\n\nbad,y\n'));
    expect(r.hasHeader).toBe(false);
    expect(r.rejects.map((x) => [x.row, x.column])).toEqual([[3, 'Column 1']]);
  });

  it('rejects rows too short for the key column (MISSING_COLUMN) and empty cells (EMPTY), skips all-empty rows', async () => {
    const r = await read(file('id,name,email\n1,A,a@b.co\n2,B\n3,C,\n,,\n4,D,d@e.co\n'), { column: 'email' });
    expect(r.rejectReasons).toEqual({ MISSING_COLUMN: 1, EMPTY: 1 });
    expect(r.rejects.map((x) => x.row)).toEqual([3, 4]);
    expect(r).toMatchObject({ rowsRead: 4, valid: 2, rejected: 2, blankRows: 1 });
  });

  it('counts and drops duplicates after normalization', async () => {
    const r = await read(file('email\nA@B.co\na@b.co\n a@b.co \nc@d.co\n'));
    expect(r).toMatchObject({ rowsRead: 4, valid: 4, duplicates: 2, unique: 2 });
    expect(r.hashes.length).toBe(64);
  });

  it('passes existing SHA-256 hashes through without hashing them again', async () => {
    const h = sha('jane@example.com').toString('hex');
    const r = await read(file(`email_sha256\n${h.toUpperCase()}\n${h}\n`));
    expect(r.unique).toBe(1);
    expect(r.hashes.toString('hex')).toBe(h);
  });

  it('reports each reject reason for phones and ad ids', async () => {
    const phones = await read(file('phone\n+1 415 555 0100\n4155550101\n+1 555\nd41d8cd98f00b204e9800998ecf8427e\n\u00a0\n'), { key: 'phone' });
    expect(phones.rejectReasons).toEqual({ PHONE_NO_COUNTRY: 1, INVALID_PHONE: 1, INVALID_HASH: 1, EMPTY: 1 });
    const withUs = await read(file('phone\n+1 415 555 0100\n(415) 555-0101\n'), { key: 'phone', profile: { ...DEFAULT_PROFILE, defaultCountry: 'us' } });
    expect(withUs.valid).toBe(2);
    const ids = await read(file('idfa\n5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25\n00000000-0000-0000-0000-000000000000\nnot-an-id\n'), { key: 'idfa' });
    expect(ids.rejectReasons).toEqual({ MAID_ZERO: 1, INVALID_MAID: 1 });
  });

  it('keeps at most maxRejects rejects but counts all of them', async () => {
    const r = await read(file(`email\n${Array.from({ length: 50 }, (_, i) => (i % 2 ? `u${i}@x.io` : `bad${i}`)).join('\n')}\n`), { maxRejects: 3 });
    expect(r.rejected).toBe(25);
    expect(r.rejects).toHaveLength(3);
    expect(r.rejects.map((x) => x.row)).toEqual([2, 4, 6]);
    expect(r.rejectsTruncated).toBe(true);
  });

  it('never keeps the local part of an email in rejects, only the domain that shows the fault', async () => {
    const r = await read(file('email\nsecret.person@private-domain.com.\n'+ 'ok@x.io\n'));
    expect(JSON.stringify(r.rejects)).not.toMatch(/secret|person/);
    expect(r.rejects[0]!.masked).toBe('s***@private-domain.com.');
  });
});

describe('choosing the column', () => {
  const csv = 'id,Work Email,phone\n1,a@b.co,+14155550100\n2,c@d.co,+14155550101\n';

  it('defaults to the best detected column for the key', async () => {
    expect((await read(file(csv))).column).toEqual({ index: 1, name: 'Work Email' });
    expect((await read(file(csv), { key: 'phone' })).column).toEqual({ index: 2, name: 'phone' });
  });

  it('accepts a header name (any case), a 0-based index, a digit string or "Column N"', async () => {
    const p = file(csv);
    for (const column of ['Work Email', 'work email', 1, '1', 'Column 2']) expect((await read(p, { column })).column.index).toBe(1);
  });

  it('rejects an unknown column with INVALID_ARGUMENT listing the available ones', async () => {
    const err = await rejection(read(file(csv), { column: 'mail' }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('"id" (0), "Work Email" (1), "phone" (2)');
    expect((await rejection(read(file(csv), { column: 7 }))).code).toBe('INVALID_ARGUMENT');
  });

  it('rejects a file where no column looks like the key', async () => {
    const err = await rejection(read(file(csv), { key: 'idfa' }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/No column .* looks like IDFA/);
  });
});

describe('bad input', () => {
  it.each([
    ['a missing file', () => read(path.join(dir, 'missing.csv')), 'FILE_NOT_FOUND', /missing\.csv/],
    ['an empty file', () => read(file('')), 'CSV_INVALID', /empty/],
    ['a header-only file', () => read(file('email\n')), 'CSV_INVALID', /header row but no data rows/],
    ['a header and blank lines', () => read(file('email\n\n\n')), 'CSV_INVALID', /no data rows/],
    ['a binary file', () => read(file(Buffer.from([0, 1, 2, 3, 0, 0, 0, 9, 200, 0]))), 'CSV_INVALID', /binary/],
    ['an unknown default country', () => read(file('phone\n+14155550100\n'), { key: 'phone', profile: { ...DEFAULT_PROFILE, defaultCountry: 'XX' } }), 'INVALID_ARGUMENT', /two-letter/],
  ] as const)('rejects %s', async (_label, run, code, words) => {
    const err = await rejection(run());
    expect(err.code).toBe(code);
    expect(err.message).toMatch(words);
    expect(err.message).not.toContain('\n');
  });

  it('rejects a file where every row is invalid, naming the top reason and the fix', async () => {
    const err = await rejection(read(file('phone\n4155550100\n4155550101\nxx\n'), { key: 'phone' }));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/None of the 3 rows.*Phone without country code.*2 rows.*default country/);
  });

  it('stops with CANCELLED when the signal aborts, before or during the read', async () => {
    const before = new AbortController();
    before.abort();
    expect((await rejection(read(file('email\na@b.co\n'), { signal: before.signal }))).code).toBe('CANCELLED');
    const big = file(`email\n${Array.from({ length: 200_000 }, (_, i) => `user${i}@example.com`).join('\n')}\n`);
    const during = new AbortController();
    const err = await rejection(read(big, { signal: during.signal, workers: 2, onProgress: () => during.abort() }));
    expect(err.code).toBe('CANCELLED');
  });
});

describe('large files, workers and the switch to the parser', () => {
  it('a file whose first rows are far longer than the rest loses nobody (the digest buffer grows mid-block)', async () => {
    // The sample sees only long rows, so a block of short rows holds many more digests than its buffer was sized for.
    const values = Array.from({ length: 6_000 }, (_, i) => `user${i}@example.com`);
    const lines = values.map((v, i) => `${v},${i < 200 ? 'x'.repeat(20_000) : ''}`);
    const p = file(`Email,Notes\n${lines.join('\n')}\n`);
    for (const workers of [0, 2]) {
      const r = await read(p, { workers });
      expect(r.duplicates).toBe(0);
      expect(r.hashes.equals(setOf(values))).toBe(true);
    }
  });

  let big: string;
  let values: string[];
  beforeAll(() => {
    // ~3.5 MB: more than one 2 MiB block, and a quote only in the last part of the file.
    values = Array.from({ length: 100_000 }, (_, i) => `person.${i}@example${i % 7}.com`);
    const lines = values.map((v, i) => (i % 1000 === 0 ? ` ${v.toUpperCase()} ` : v) + `,${i},city${i % 13}`);
    lines[90_000] = `"${values[90_000]}","90000","quoted, city"`;
    lines.splice(50_000, 0, 'not-an-email,x,y');
    big = file(`email,n,city\n${lines.join('\n')}\n`);
  });

  it('gives the same result with workers and on one thread, across a mid-file quote', async () => {
    const one = await read(big, { workers: 0 });
    const two = await read(big, { workers: 2 });
    expect([one.workers, two.workers]).toEqual([0, 2]);
    expect(one.rowsRead).toBe(100_001);
    expect(one.valid).toBe(100_000);
    expect(Buffer.compare(one.hashes, setOf(values))).toBe(0);
    expect(Buffer.compare(two.hashes, one.hashes)).toBe(0);
    expect(two.rejects).toEqual(one.rejects);
    expect(one.rejects).toEqual([{ row: 50_002, column: 'email', reason: 'INVALID_EMAIL', masked: 'n***' }]);
  });

  it('reports progress up to the whole file', async () => {
    const seen: number[] = [];
    await read(big, { workers: 2, onProgress: (p) => seen.push(p.bytesRead / p.totalBytes) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
  });
});

describe('hash-set properties of the pipeline', () => {
  const emails = fc.array(fc.tuple(fc.constantFrom('ann', 'bob', 'Cy', 'd.e'), fc.integer({ min: 0, max: 40 }), fc.constantFrom('x.io', 'Y.com')).map(([a, i, d]) => `${a}${i}@${d}`), { minLength: 1, maxLength: 60 });

  it('same input → same hashes, and row order does not matter', async () => {
    await fc.assert(
      fc.asyncProperty(emails, fc.integer(), async (list, seed) => {
        const shuffled = [...list].sort((a, b) => (crypto.createHash('md5').update(`${seed}${a}`).digest()[0]! - crypto.createHash('md5').update(`${seed}${b}`).digest()[0]!));
        const a = await read(file(`email\n${list.join('\n')}\n`));
        const again = await read(file(`email\n${list.join('\n')}\n`));
        const b = await read(file(`email\n${shuffled.join('\n')}\n`));
        expect(Buffer.compare(a.hashes, again.hashes)).toBe(0);
        expect(Buffer.compare(a.hashes, b.hashes)).toBe(0);
        expect(Buffer.compare(a.hashes, setOf(list.map((e) => e.toLowerCase())))).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('applying diff(a, b) to a gives b', async () => {
    await fc.assert(
      fc.asyncProperty(emails, emails, async (x, y) => {
        const a = (await read(file(`email\n${x.join('\n')}\n`))).hashes;
        const b = (await read(file(`email\n${y.join('\n')}\n`))).hashes;
        expect(Buffer.compare(applyDiff(a, diffHashes(a, b)), b)).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});

/** Rows Python's csv module reads from `p` (header and blank lines left out), the reference for "read fully". */
function pythonRows(p: string): number {
  const script = "import csv, sys\nrows = [r for r in csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')) if any(c.strip() for c in r)]\nprint(len(rows) - 1)";
  return Number(execFileSync('python3', ['-c', script, p], { encoding: 'utf8' }).trim());
}

describe('every row Python\'s csv module reads, we read; what would lose rows is refused with its row', () => {
  const people = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@example.com,Name ${i},2024-01-01`);

  it.each([
    ['the fast path', false],
    ['the parser path', true],
  ])('mixed line ends (LF among CRLF, a lone CR) lose no row, on %s', async (_label, quoted) => {
    const rows = people(5000).map((r, i) => (quoted && i === 0 ? `"${r.replace(',', '",')}` : r));
    const text = `email,name,signup\r\n${rows.map((r, i) => r + (i % 4 === 3 ? '\n' : i % 97 === 0 ? '\r' : '\r\n')).join('')}`;
    const p = file(text);
    expect(pythonRows(p)).toBe(5000);
    const r = await read(p);
    expect(r).toMatchObject({ rowsRead: 5000, valid: 5000, rejected: 0 });
    expect(Buffer.compare(r.hashes, setOf(people(5000).map((x) => x.split(',')[0]!)))).toBe(0);
  });

  it('mixed line ends across block boundaries and with workers, in a file of several blocks', async () => {
    const rows = people(120_000);
    const p = file(`email,name,signup\r\n${rows.map((r, i) => r + (i % 3 === 0 ? '\n' : i % 5 === 0 ? '\r' : '\r\n')).join('')}`);
    const r = await read(p, { workers: 2 });
    expect(r.rowsRead).toBe(120_000);
    expect(r.unique).toBe(120_000);
  });

  it('text after a closing quote stays in its cell, as in Python, and swallows no row', async () => {
    const rows = people(5000);
    rows[100] = 'user100@example.com,"Name" 100,2024-01-01';
    const p = file(`email,name,signup\n${rows.join('\n')}\n`);
    expect(pythonRows(p)).toBe(5000);
    expect((await read(p)).rowsRead).toBe(5000);
  });

  it('an unclosed quote in a 5,000-row file is refused naming its row, not read as 2,001 rows', async () => {
    const rows = people(5000);
    rows[2001] = 'user2001@example.com,"Name 2001,2024-01-01';
    const err = await rejection(read(file(`email,name,signup\n${rows.join('\n')}\n`)));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/quoted cell that starts on row 2,003 is never closed.*Add the missing closing quote \(\"\) on row 2,003/);
  });

  it('an unclosed quote past the sample (met by the full read, on the parser path) is refused naming its row', async () => {
    const rows = people(20_000);
    rows[0] = '"user0@example.com",Name 0,2024-01-01';
    rows[15_000] = 'user15000@example.com,"Name 15000,2024-01-01';
    const err = await rejection(read(file(`email,name,signup\n${rows.join('\n')}\n`), { workers: 2 }));
    expect(err.code).toBe('CSV_INVALID');
    // The 5,000 rows after it are more than a quoted cell may hold: refused before the end of the file.
    expect(err.message).toMatch(/quoted cell that starts on row 15,002 is longer than 128 KB, so its quote is most likely never closed/);
  });

  it('an unclosed quote near the end of a file larger than the sample is refused at the end of the file', async () => {
    const rows = people(20_000);
    rows[19_500] = 'user19500@example.com,"Name 19500,2024-01-01';
    const err = await rejection(read(file(`email,name,signup\n${rows.join('\n')}\n`)));
    expect(err.message).toMatch(/quoted cell that starts on row 19,502 is never closed/);
  });

  it('a quote left open that closes on a later row\'s quote is refused, not merged', async () => {
    const rows = people(5000).map((r) => r.replace(/Name (\d+)/, '"Name $1"'));
    rows[10] = 'user10@example.com,"Name 10,2024-01-01';
    const err = await rejection(read(file(`email,name,signup\n${rows.join('\n')}\n`)));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/quoted cell on row 12 runs over a line end/);
  });
});

describe('what is not a cohort CSV gives a clear error at once, never a hang', () => {
  it.skipIf(process.platform === 'win32')('a named pipe (FIFO) with no writer', async () => {
    const fifo = path.join(dir, 'pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const err = await rejection(read(fifo));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/is a named pipe \(FIFO\), not a file.*export the cohort to a file/);
  });

  it('a first line longer than 8 MB', async () => {
    const err = await rejection(read(file(`email,${'x'.repeat(9 * 1024 * 1024)}\nuser@example.com,a\n`), { column: 0 }));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/has no line end in its first 8 MB/);
  });

  it('a 100,000-column header', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    const err = await rejection(read(file(`${header}\n${Array.from({ length: 100_000 }, (_, i) => (i ? 'x' : 'a@b.co')).join(',')}\n`)));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/has 100,000 columns in a row, more than a spreadsheet holds \(16,384\)\. Check the delimiter/);
    expect(err.message).not.toMatch(/available: \./);
  });
});

describe('a cut-off export (its last row stops mid-value, with no line end) is refused naming the row; a whole last row is read', () => {
  const people = (n: number) => Array.from({ length: n }, (_, i) => `p${i}@corp.example.com,Name ${i},2024-01-01`);
  const cutMessage = (p: string, row: string) =>
    new RegExp(`^${path.basename(p)} ends in the middle of row ${row} \\(it has 1 of the 3 cells a row has, and no line end follows\\): the export was cut off.*a sync would remove them.*Nothing from the file was used or sent\\. Wait until the export has finished, or export the file again, then try again\\. If row ${row} is complete, end the file with a line end after it\\.$`);

  it.each([
    ['the fast path, one thread', 0, false],
    ['the fast path, with workers, past the first block', 2, false],
    ['the parser path (quoted cells)', 0, true],
    ['the parser path, with workers', 2, true],
  ])('on %s', async (_label, workers, quoted) => {
    // 60,000 rows: about 2.6 MB, more than one block of the reader.
    const rows = people(60_000);
    if (quoted) rows[0] = `"${rows[0]}"`.replace(',', '",');
    const p = file(`email,name,signup\n${rows.join('\n')}\np60000@corp.exa`);
    const err = await rejection(read(p, { workers }));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(cutMessage(p, '60,002'));
  });

  it('with CRLF line ends and without a header, numbered as a spreadsheet shows it', async () => {
    const p = file(`${people(3000).join('\r\n')}\r\np3000@corp.exa`);
    expect((await rejection(read(p, { hasHeader: false }))).message).toMatch(cutMessage(p, '3,001'));
  });

  it('a quoted cell left open on the last line', async () => {
    const p = file(`email,name,signup\n${people(5000).join('\n')}\n"p5000@corp.exa`);
    const err = await rejection(read(p));
    expect(err.message).toMatch(new RegExp(`^${path.basename(p)} ends in the middle of row 5,002 \\(a quoted cell is never closed, and no line end follows\\): the export was cut off`));
    // A line end would not close the quote: no way out offered that does not work.
    expect(err.message).not.toMatch(/end the file with a line end/);
    expect(err.retryable).toBe(true);
  });

  it('a small file read whole by its sample, too', async () => {
    const p = file('email,name\njane@example.com,Jane\njohn@exa');
    expect((await rejection(read(p))).message).toMatch(/ends in the middle of row 3 \(it has 1 of the 2 cells a row has/);
  });

  it.each([
    ['every cell and no final line end', 'email,name,signup\njane@example.com,J,2024\njohn@example.org,K,2024', 2],
    ['an empty last cell and no final line end', 'email,name,signup\njane@example.com,J,2024\njohn@example.org,K,', 2],
    ['rows that leave out empty trailing cells, like the last one', 'email,name,signup\njane@example.com,J\nx@example.net,L\njohn@example.org,K', 3],
    ['a single column', 'email\njane@example.com\njohn@example.org', 2],
    ['a blank last line with no line end', 'email,name,signup\njane@example.com,J,2024\njohn@example.org,K,2024\n  ', 2],
    ['rows of 3, 2 and 3 cells and a last one of 2 (an exporter that drops empty trailing cells)', 'email,name,signup\njane@example.com,J,2024\nx@example.net,L\ny@example.net,M,2024\njohn@example.org,K', 4],
    ['rows of mostly 2 cells and a last one of 1', 'email,name,signup\njane@example.com,J\nx@example.net\ny@example.net,M\njohn@example.org', 4],
    ['a DOS end-of-file mark (Ctrl-Z) after the last line end', 'email,name,signup\njane@example.com,J,2024\njohn@example.org,K,2024\n\x1a', 2],
    ['a DOS end-of-file mark right after the last row', 'email,name,signup\njane@example.com,J,2024\njohn@example.org,K,2024\x1a', 2],
  ])('reads a file with %s', async (_label, content, rows) => {
    expect((await read(file(content))).rowsRead).toBe(rows);
    expect((await read(file(`"email",name,signup\n${content.split('\n').slice(1).join('\n')}`))).rowsRead).toBe(rows);
  });

  const paths = [
    ['the fast path, one thread', 0, false],
    ['the fast path, with workers', 2, false],
    ['the parser path (quoted cells)', 0, true],
    ['the parser path, with workers', 2, true],
  ] as const;
  /** 60,000 rows (more than one block of the reader, far more than its sample), row 0 quoted on the parser path. */
  const bigFile = (head: string, rows: string[], quoted: boolean, tail: string) => {
    if (quoted) rows[0] = `"${rows[0]!.replace(',', '",')}`;
    return file(`${head}\n${rows.join('\n')}\n${tail}`);
  };

  it.each(paths)('reads a last row as narrow as a whole row that only comes past the sample and the first block, on %s', async (_label, workers, quoted) => {
    const rows = people(60_000);
    rows[40_000] = 'p40000@corp.example.com,Name 40000';
    const r = await read(bigFile('email,name,signup', rows, quoted, 'p60000@corp.example.com,Name 60000'), { workers });
    expect(r).toMatchObject({ rowsRead: 60_001, valid: 60_001 });
  });

  it('reads it when the narrow row is on the fast path and the last row on the parser path (a quote late in the file)', async () => {
    const rows = people(60_000);
    rows[40_000] = 'p40000@corp.example.com';
    rows[55_000] = `"${rows[55_000]!.replace(',', '",')}`;
    const p = file(`email,name,signup\n${rows.join('\n')}\np60000@corp.example.com`);
    expect(await read(p, { workers: 2 })).toMatchObject({ rowsRead: 60_001, valid: 60_001 });
    // Without that narrow row, the same last row is refused.
    rows[40_000] = people(40_001)[40_000]!;
    const cut = file(`email,name,signup\n${rows.join('\n')}\np60000@corp.exa`);
    expect((await rejection(read(cut, { workers: 2 }))).message).toMatch(cutMessage(cut, '60,002'));
  });

  it.each(paths)('reads a file ending in a DOS end-of-file mark (Ctrl-Z), on %s', async (_label, workers, quoted) => {
    const r = await read(bigFile('email,name,signup', people(60_000), quoted, '\x1a'), { workers });
    expect(r).toMatchObject({ rowsRead: 60_000, valid: 60_000, rejected: 0 });
  });

  it.each(paths)('refuses a single column of emails whose last one is cut short, on %s', async (_label, workers, quoted) => {
    const emails = people(60_000).map((r) => r.split(',')[0]!);
    if (quoted) emails[0] = `"${emails[0]}"`;
    // Cut after "corp": "p60000@corp.exa" would be a valid address, and is read (only the volume-drop limit sees that).
    const p = file(`email\n${emails.join('\n')}\np60000@corp`);
    const err = await rejection(read(p, { workers }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(new RegExp(`^${path.basename(p)} ends in the middle of row 60,002 \\(its last cell, in column "email", is not an email address, and no line end follows\\): the export was cut off.*If row 60,002 is complete, end the file with a line end after it\\.$`));
  });

  it.each(paths)('refuses a file whose key is its last column and the last key is cut short, on %s', async (_label, workers, quoted) => {
    const rows = people(60_000).map((r) => r.split(',').reverse().join(','));
    const err = await rejection(read(bigFile('signup,name,email', rows, quoted, '2024-01-01,Name 60000,p60000@corp.'), { workers }));
    expect(err.message).toMatch(/ends in the middle of row 60,002 \(its last cell, in column "email", is not an email address, and no line end follows\)/);
  });

  it.each([
    ['an invalid key that is not its last cell', 'email,name\njane@example.com,J\nnot-an-email,K', 1],
    ['an empty key as its last cell', 'name,email\nJ,jane@example.com\nK,', 1],
    ['a valid key as its last cell', 'email\njane@example.com\njohn@example.org', 0],
  ])('reads a last row (no line end) with %s', async (_label, content, rejected) => {
    expect(await read(file(content))).toMatchObject({ rowsRead: 2, rejected });
  });

  // A last value that was never a key, or a quoted cell whose quote closed, is not a cut: the row is rejected as usual
  // and the rest of the file is used (some exporters leave off the final line end).
  it.each(paths)('reads a last row (no line end) whose key is invalid but not shaped like a cut key, rejecting only that row, on %s', async (_label, workers, quoted) => {
    const emails = Array.from({ length: 1200 }, (_, i) => `p${i}@corp.example.com`);
    if (quoted) emails[0] = `"${emails[0]}"`;
    const r = await read(file(`email
${emails.join('\n')}\nnot-an-email`), { workers });
    expect(r).toMatchObject({ rowsRead: 1201, valid: 1200, rejected: 1 });
    expect(r.rejects.map((x) => [x.row, x.column, x.reason])).toEqual([[1202, 'email', 'INVALID_EMAIL']]);
    const names = Array.from({ length: 1200 }, (_, i) => `${quoted && i === 0 ? '"Name 0"' : `Name ${i}`},p${i}@corp.example.com`);
    const nameEmail = await read(file(`name,email\n${names.join('\n')}\nBob,n/a`), { workers });
    expect(nameEmail).toMatchObject({ rowsRead: 1201, valid: 1200, rejected: 1 });
    expect(nameEmail.rejects.map((x) => [x.row, x.column, x.reason])).toEqual([[1202, 'email', 'INVALID_EMAIL']]);
  });

  it('reads a last row (no line end) ending in a quoted cell whose quote closed ("john@gmail"): a whole cell, rejected as usual', async () => {
    const emails = Array.from({ length: 1200 }, (_, i) => `p${i}@corp.example.com`);
    for (const tail of ['"john@gmail"', 'John,"john@gmail"']) {
      const content = tail.includes(',') ? `name,email\n${emails.map((e, i) => `N${i},${e}`).join('\n')}\n${tail}` : `email\n${emails.join('\n')}\n${tail}`;
      const r = await read(file(content));
      expect(r).toMatchObject({ rowsRead: 1201, valid: 1200, rejected: 1 });
      expect(r.rejects.map((x) => [x.row, x.reason])).toEqual([[1202, 'INVALID_EMAIL']]);
    }
    // Left open, the same cell is a cut.
    expect((await rejection(read(file(`email\n${emails.join('\n')}\n"john@gmail`)))).message).toMatch(/ends in the middle of row 1,202 \(a quoted cell is never closed/);
  });

  it.each([
    ['an email cut after its "@"', 'email', 'p1@corp.example.com\nc@', /column "email", is not an email address/],
    ['an email cut after a dot of its domain', 'email', 'p1@corp.example.com\nc@example.', /column "email", is not an email address/],
    ['an email cut after a dash of its domain', 'email', 'p1@corp.example.com\nc@exa-', /column "email", is not an email address/],
    ['a SHA-256 cut short in an email column', 'email', `${'ab12'.repeat(16)}\n${'ab12'.repeat(10)}`, /column "email", is not a SHA-256 hash/],
    ['a phone cut short', 'phone', '+1 650 253 0000\n+1 (650) 25', /column "phone", is not a phone number/],
    ['a phone cut to a few digits, with no country to read it by', 'phone', '+1 650 253 0000\n650', /column "phone", is not a phone number/],
    ['an ad id cut short', 'idfa', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25\n5f3a2b18-9c4d-4e', /column "idfa", is not a mobile ad id/],
    ['an ad id without hyphens cut short', 'gaid', '5f3a2b189c4d4e7fb8e217d3a1e69b25\n5f3a2b189c4d', /column "gaid", is not a mobile ad id/],
  ] as const)('refuses a last row (no line end) with %s', async (_label, key, body, what) => {
    const err = await rejection(read(file(`${key}\n${body}`), { key }));
    expect(err.message).toMatch(/ends in the middle of row 3 \(its last cell/);
    expect(err.message).toMatch(what);
  });

  it.each([
    ['phone', '+1 650 253 0000\nn/a'],
    ['phone', '+1 650 253 0000\nunknown'],
    ['phone', '+1 650 253 0000\n+1 650 253 00000 0'],
    ['idfa', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25\nnot-an-id'],
    ['idfa', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25\nnone'],
    ['email', 'p1@corp.example.com\nunknown'],
    ['email', 'p1@corp.example.com\nc@@example.com'],
    ['email', 'p1@corp.example.com\n@example'],
  ] as const)('reads a last row (no line end) with a %s key that was never a key: %j', async (key, body) => {
    expect(await read(file(`${key}\n${body}`), { key })).toMatchObject({ rowsRead: 2, valid: 1, rejected: 1 });
  });
});
