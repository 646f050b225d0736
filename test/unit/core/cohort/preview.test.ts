import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewCsv } from '../../../../electron/core/cohort';
import { previewView } from '../../../../electron/core/engine/imports';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-preview-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string | Buffer, name = `f${n++}.csv`): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

function utf16(text: string, be: boolean, bom = true): Buffer {
  const le = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
  if (!be) return le;
  const out = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    out[i] = le[i + 1]!;
    out[i + 1] = le[i]!;
  }
  return out;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const EMAILS = 'email,name\njane@example.com,Jane\njohn@example.org,John\n';

describe('encoding', () => {
  it('reads UTF-8 without and with a BOM', async () => {
    expect(await previewCsv(file(EMAILS))).toMatchObject({ encoding: 'utf-8', bom: false, hasHeader: true });
    const p = await previewCsv(file(`\ufeff${EMAILS}`));
    expect(p).toMatchObject({ encoding: 'utf-8', bom: true });
    expect(p.columns[0]!.name).toBe('email');
  });

  it('reads UTF-16 LE and BE with a BOM, and UTF-16 LE without one', async () => {
    for (const [buf, enc] of [[utf16(EMAILS, false), 'utf-16le'], [utf16(EMAILS, true), 'utf-16be'], [utf16(EMAILS, false, false), 'utf-16le']] as const) {
      const p = await previewCsv(file(buf));
      expect(p.encoding).toBe(enc);
      expect(p.rows).toEqual([['jane@example.com', 'Jane'], ['john@example.org', 'John']]);
    }
  });
});

describe('delimiter, quotes and line ends', () => {
  it.each([
    [',', 'comma'],
    [';', 'semicolon'],
    ['\t', 'tab'],
    ['|', 'pipe'],
  ])('detects %j (%s)', async (d) => {
    const p = await previewCsv(file(`id${d}email${d}city\n1${d}a@b.co${d}Paris\n2${d}c@d.co${d}Rome\n`));
    expect(p.delimiter).toBe(d);
    expect(p.columns.map((c) => c.name)).toEqual(['id', 'email', 'city']);
  });

  it('prefers the delimiter that splits every row alike over one hiding inside a text column', async () => {
    const p = await previewCsv(file('name;email\nDoe, Jane;jane@example.com\nRoe, Rick;rick@example.com\nPoe, Ed;ed@example.com\n'));
    expect(p.delimiter).toBe(';');
    expect(p.rows[0]).toEqual(['Doe, Jane', 'jane@example.com']);
  });

  it('keeps delimiters, quotes and line breaks inside quoted fields', async () => {
    const p = await previewCsv(file('"email","note"\r\n"a@b.co","say ""hi"", then\r\nleave"\r\n"c@d.co","x,y"\r\n'));
    expect(p.newline).toBe('\r\n');
    expect(p.rows).toEqual([['a@b.co', 'say "hi", then\r\nleave'], ['c@d.co', 'x,y']]);
  });

  it.each([
    ['\n', 'LF'],
    ['\r\n', 'CRLF'],
    ['\r', 'CR'],
  ])('detects %j line ends (%s)', async (nl) => {
    const p = await previewCsv(file(['email', 'a@b.co', 'c@d.co'].join(nl) + nl));
    expect(p.newline).toBe(nl);
    expect(p.rows).toEqual([['a@b.co'], ['c@d.co']]);
  });

  it('leaves out blank lines and keeps ragged rows and trailing delimiters as they are', async () => {
    const p = await previewCsv(file('email,name,\na@b.co,A,\n\n,,\nc@d.co\n'));
    expect(p.rows).toEqual([['a@b.co', 'A', ''], ['c@d.co']]);
    expect(p.columns).toHaveLength(3);
    expect(p.columns[2]!.name).toBe('Column 3');
  });
});

describe('header detection', () => {
  it('sees a header when the first row does not look like the rows below', async () => {
    expect((await previewCsv(file('Email Address\na@b.co\nc@d.co\n'))).hasHeader).toBe(true);
    expect((await previewCsv(file('phone,id\n+14155550100,1\n+14155550101,2\n'))).hasHeader).toBe(true);
  });

  it('sees no header when the first row is data like the rest, and names columns "Column N"', async () => {
    const p = await previewCsv(file('a@b.co,+14155550100\nc@d.co,+14155550101\n'));
    expect(p.hasHeader).toBe(false);
    expect(p.columns.map((c) => [c.index, c.name])).toEqual([[0, 'Column 1'], [1, 'Column 2']]);
    expect(p.rows).toHaveLength(2);
  });

  it('can be overridden; a header cell that looks like an identifier is never shown as a column name', async () => {
    const p = await previewCsv(file('a@b.co,Name\nc@d.co,Bob\n'), { hasHeader: true });
    expect(p.hasHeader).toBe(true);
    expect(p.columns.map((c) => c.name)).toEqual(['Column 1', 'Name']);
  });

  it('never takes a first row with an identifier, even a malformed one, for a header', async () => {
    const cases = [
      'Alice Smith <alice@x.com>\nbob@example.com\ncarol@example.com\n',
      'alice@examplecorp\nbob@example.com\ncarol@example.com\n',
      'alice@examplecorp,Alice\nbob@example.com,Bob\ncarol@example.com,Carol\n',
      '+1 415 555 01OO\n+14155550101\n+14155550102\n',
      'Dave,5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69BZZ\nErin,5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25\n',
    ];
    for (const text of cases) {
      const p = await previewCsv(file(text));
      expect(p.hasHeader, text).toBe(false);
      expect(p.rows, text).toHaveLength(text.trimEnd().split('\n').length);
      expect(p.columns[0]!.name, text).toBe('Column 1');
    }
  });

  it('says when a header is only a guess, so a mapping is saved by column index', async () => {
    const guess = await previewCsv(file('Alice,Berlin\nBob,Paris\nCarol,Rome\n'));
    expect(guess).toMatchObject({ hasHeader: true, headerDoubtful: true });
    const told = await previewCsv(file('email,city\na@b.co,Paris\nc@d.co,Rome\n'));
    expect(told).toMatchObject({ hasHeader: true, headerDoubtful: false });
    const forced = await previewCsv(file('Alice,Berlin\nBob,Paris\n'), { hasHeader: true });
    expect(forced.headerDoubtful).toBe(false);
    // The wizard's preview carries it.
    expect(await previewView(file('Alice,Berlin\nBob,Paris\nCarol,Rome\n'))).toMatchObject({ hasHeader: true, headerDoubtful: true });
  });

  it('still sees headers with dates, hash and "@" words in them', async () => {
    const p = await previewCsv(file('email_sha256,signup_2024-01-01,@timestamp\n' + `${'ab'.repeat(32)},2024-01-01,1\n`.repeat(3)));
    expect(p.hasHeader).toBe(true);
    expect(p.columns.map((c) => c.name)).toEqual(['email_sha256', 'signup_2024-01-01', '@timestamp']);
  });
});

describe('column detection', () => {
  it('detects emails, phones, hashes and ad ids, with confidence and samples', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`user${i}@example.com`, `+1 415 555 ${String(1000 + i)}`, 'ab'.repeat(32), `5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B${String(10 + i)}`, `${i}`, `Name ${i}`].join(','));
    const p = await previewCsv(file(`email,mobile,email_sha256,device,id,name\n${rows.join('\n')}\n`));
    expect(p.columns.map((c) => c.detected)).toEqual(['email', 'phone', 'sha256', 'maid', null, null]);
    expect(p.columns[0]!.confidence).toBe(1);
    expect(p.columns[0]!.samples).toHaveLength(5);
    expect(p.columns[2]!.headerHint).toBe('email');
    expect(p.suggested).toEqual({ column: 0, key: 'email' });
  });

  it('picks the key column filled in most rows, not a sparse second one whose few cells are all addresses', async () => {
    // id,email,secondary_email: email in 98 % of rows ("n/a" in the rest), a second address in 1 row of 4.
    const rows = Array.from({ length: 2000 }, (_, i) => `${i},${i % 50 === 7 ? 'n/a' : `p${i}@example.com`},${i % 4 === 0 ? `alt${i}@example.org` : ''}`);
    const csv = file(`id,email,secondary_email\n${rows.join('\n')}\n`);
    const p = await previewCsv(csv);
    expect(p.columns[2]!.confidence).toBeGreaterThan(p.columns[1]!.confidence);
    expect(p.suggested).toEqual({ column: 1, key: 'email' });
    // And a read with no column named (cohort-relay plan --key email) takes the same one.
    const { readCohort } = await import('../../../../electron/core/cohort');
    const res = await readCohort({ path: csv, key: 'email' });
    expect(res.column.name).toBe('email');
    expect(res.valid).toBe(1960);
    // With a phone column too, "Use these keys" proposes the well-filled email column.
    const both = Array.from({ length: 200 }, (_, i) => `${i % 50 === 7 ? 'n/a' : `p${i}@example.com`};${i % 4 === 0 ? `alt${i}@example.org` : ''};+1 415 555 ${String(1000 + i)}`);
    const q = await previewCsv(file(`\ufeffEmail 1;Email 2;Phone\n${both.join('\n')}\n`));
    expect(q.proposedKeys).toEqual([{ column: 0, key: 'email' }, { column: 2, key: 'phone' }]);
  });

  it('tells IDFA from GAID only by the header name', async () => {
    const id = '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25';
    const p = await previewCsv(file(`ios_idfa,android_advertising_id,maid\n${id},${id},${id}\n${id},${id},${id}\n`));
    expect(p.columns.map((c) => c.detected)).toEqual(['idfa', 'gaid', 'maid']);
  });

  it('does not take bare numbers (customer ids) for phones', async () => {
    const p = await previewCsv(file(`customer_id\n${Array.from({ length: 10 }, (_, i) => 10_000_000 + i).join('\n')}\n`));
    expect(p.columns[0]!.detected).toBeNull();
  });
});

describe('size and errors', () => {
  it('reads only the first 256 KiB: a huge file previews with an estimate, and its tail is never read', async () => {
    const head = `email\n${Array.from({ length: 20_000 }, (_, i) => `user${i}@example.com`).join('\n')}\n`;
    const fd = fs.openSync(path.join(dir, 'big.csv'), 'w');
    fs.writeSync(fd, head);
    // The rest of the file is binary garbage: previewing it would fail if it were read.
    fs.writeSync(fd, Buffer.alloc(2 * 1024 * 1024, 0));
    fs.closeSync(fd);
    const p = await previewCsv(path.join(dir, 'big.csv'));
    expect(p.rows).toHaveLength(50);
    expect(p.exactRows).toBe(false);
    expect(p.estimatedRows).toBeGreaterThan(20_000);
    expect(p.fileSize).toBe(fs.statSync(path.join(dir, 'big.csv')).size);
  });

  it('counts rows exactly when the whole file fits in the sample', async () => {
    expect(await previewCsv(file(EMAILS))).toMatchObject({ exactRows: true, estimatedRows: 2 });
  });

  it('rejects a missing file with FILE_NOT_FOUND', async () => {
    const err = await rejection(previewCsv(path.join(dir, 'nope.csv')));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.message).toMatch(/nope\.csv/);
  });

  it('rejects a folder with INVALID_ARGUMENT', async () => {
    expect((await rejection(previewCsv(dir))).code).toBe('INVALID_ARGUMENT');
  });

  it.skipIf(process.platform === 'win32')('rejects a named pipe at once instead of waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const err = await rejection(previewCsv(fifo));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/named pipe/);
  });

  it('grows the sample for a first row longer than 256 KiB, and previews it', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `a_rather_long_column_name_${i}`).join(',');
    const row = (e: string) => [e, ...Array.from({ length: 9_999 }, () => 'x')].join(',');
    const p = await previewCsv(file(`${header}\n${row('a@b.co')}\n${row('c@d.co')}\n`));
    expect(p.columns).toHaveLength(10_000);
    expect(p.rows.map((r) => r[0])).toEqual(['a@b.co', 'c@d.co']);
  });

  it.each([
    ['an empty file', '', /empty/],
    ['blank lines only', '\n\r\n  \n', /no rows/],
    ['a header only', 'email,name\n', /header row but no data rows/],
  ])('rejects %s with CSV_INVALID', async (_label, content, words) => {
    const err = await rejection(previewCsv(file(content)));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(words);
  });

  it('rejects binary files, naming Excel workbooks', async () => {
    const xlsx = await rejection(previewCsv(file(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]))));
    expect(xlsx.code).toBe('CSV_INVALID');
    expect(xlsx.message).toMatch(/Excel workbook.*CSV UTF-8/);
    const bin = await rejection(previewCsv(file(Buffer.from([0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0xff, 0x13, 0x00, 0x7f, 0x00, 0x00]))));
    expect(bin.message).toMatch(/binary/);
    expect(bin.message.split('\n')).toHaveLength(1);
  });

  it('reads a Windows-1252 / Latin-1 export (German Excel) as Windows-1252 instead of refusing it', async () => {
    const latin1 = Buffer.from(`email,name\n${Array.from({ length: 200 }, (_, i) => `u${i}@example.com,Jos\xe9 M\xfcller`).join('\n')}\nj\xfcrgen@example.de,J\xfcrgen \x80\n`, 'latin1');
    const p = await previewCsv(file(latin1));
    expect(p.encoding).toBe('windows-1252');
    expect(p.rows[0]).toEqual(['u0@example.com', 'José Müller']);
    expect((await previewView(p.path)).encoding).toBe('windows-1252');
    // 0x80 is the euro sign in Windows-1252 (not a C1 control, as in ISO-8859-1).
    const last = Buffer.from('email,name\nj\xfcrgen@example.de,J\xfcrgen \x80\n', 'latin1');
    expect((await previewCsv(file(last))).rows).toEqual([['jürgen@example.de', 'Jürgen €']]);
  });

  it('tolerates a few stray bytes among valid UTF-8, and refuses many mixed with valid UTF-8', async () => {
    const fewBad = Buffer.concat([Buffer.from(`email,name\n${Array.from({ length: 200 }, (_, i) => `u${i}@example.com,Zoë`).join('\n')}\nx@y.co,Jos`), Buffer.from([0xe9]), Buffer.from('\n')]);
    const p = await previewCsv(file(fewBad));
    expect(p.encoding).toBe('utf-8');
    expect(p.rows).toHaveLength(50);
    const mixed = Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from(`u${i}@example.com,Zoë Noël `), Buffer.from([0xe9, 0x0a])])));
    const err = await rejection(previewCsv(file(Buffer.concat([Buffer.from('email,name\n'), mixed]))));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/not UTF-8/);
  });
});
