import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRejectsReport } from '../../../../electron/core/cohort';
import { exportRejects, hashLabView, previewView, tryValue, validateFile } from '../../../../electron/core/engine/imports';
import { sha256Hex } from '../../../../electron/core/cohort/normalize';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-imports-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string | Buffer, name = `f${n++}.csv`): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

const ctx = () => ({ signal: new AbortController().signal, emit: () => undefined });
const rows = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join('\n');

describe('key choice in the columns step (issue #11 item 6)', () => {
  it('suggests email over phone when both exist, even when the phone column is the surer one', async () => {
    const f = file(`phone,email\n${rows(40, (i) => `+49 151 2345${String(i).padStart(4, '0')},${i % 4 === 0 ? 'not-an-email' : `u${i}@example.com`}`)}\n`);
    const p = await previewView(f);
    expect(p.columns.map((c) => c.detected)).toEqual(['phone', 'email']);
    expect(p.columns[0]!.confidence).toBeGreaterThan(p.columns[1]!.confidence);
    expect(p.suggested).toEqual({ column: 1, key: 'email' });
  });

  it('gives each candidate its usable share, blanks and invalid values counting against it', async () => {
    // 100 rows: 90 good emails, 4 blank, 6 invalid → 90 % usable (confidence counts only non-empty cells).
    const f = file(`email,name\n${rows(100, (i) => `${i < 4 ? '' : i < 10 ? `bad${i}@@x` : `u${i}@example.com`},N${i}`)}\n`);
    const p = await previewView(f);
    expect(p.columns[0]).toMatchObject({ detected: 'email', usable: 0.9 });
    expect(p.columns[1]!.usable).toBeUndefined();
  });

  it('counts national phones as usable only with a default country', async () => {
    const f = file(`phone\n${rows(20, (i) => `(415) 555-${String(1000 + i)}`)}\n`);
    expect((await previewView(f)).columns[0]).toMatchObject({ detected: 'phone', usable: 0 });
    expect((await previewView(f, 'US')).columns[0]).toMatchObject({ detected: 'phone', usable: 1 });
  });

  it('proposes one column per key slot when several keys are detected, email first', async () => {
    const f = file(`idfa,phone,email\n${rows(20, (i) => `5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B${String(10 + i)},+49 151 2345${String(i).padStart(4, '0')},u${i}@example.com`)}\n`);
    const p = await previewView(f);
    expect(p.proposedKeys).toEqual([
      { column: 2, key: 'email' },
      { column: 1, key: 'phone' },
      { column: 0, key: 'idfa' },
    ]);
    const one = await previewView(file(`email,name\n${rows(5, (i) => `u${i}@example.com,N`)}\n`));
    expect(one.proposedKeys).toEqual([]);
  });

  it('never takes an amplitude_id of bare digits for a phone, and marks it a numeric id', async () => {
    const f = file(`amplitude_id,email\n${rows(30, (i) => `${493827160000 + i * 7919},u${i}@example.com`)}\n`);
    const p = await previewView(f);
    expect(p.columns[0]).toMatchObject({ name: 'amplitude_id', detected: null, numericId: true });
    expect(p.proposedKeys).toEqual([]);
    expect(p.suggested).toEqual({ column: 1, key: 'email' });
    // The same digits under a header that names no id may be phones written without "+".
    const bare = await previewView(file(`contact\n${rows(30, (i) => `${4915123456700 + i}`)}\n`));
    expect(bare.columns[0]).toMatchObject({ detected: 'phone' });
    expect(bare.columns[0]!.numericId).toBeUndefined();
  });

  it('flags a device_id column that mixes uppercase IDFAs and lowercase GAIDs, and finds the platform column', async () => {
    const id = (i: number) => `${String(10000000 + i)}-9c4d-4e7f-b8e2-17d3a1e69b25`;
    const f = file(`device_id,platform,country\n${rows(20, (i) => (i % 2 ? `${id(i).toUpperCase().replace(/^(\d+)/, '$1')},iOS,DE` : `${id(i)},android,us`))}\n`);
    const p = await previewView(f);
    expect(p.columns[0]!.mixedPlatforms).toEqual({ idfa: 10, gaid: 10 });
    expect(p.columns[1]!.platform).toBe(true);
    expect(p.columns[2]!.country).toBe(true);
    const plain = await previewView(file(`device_id\n${rows(20, (i) => id(i))}\n`));
    expect(plain.columns[0]!.mixedPlatforms).toBeUndefined();
  });
});

describe('rejects a person can fix (issue #11 item 15)', () => {
  const csv = 'user_id,email,name\nU1,alice@example.com,Alice\nU2,alice@example..com,Alice B\n\nU4,,Bob\nU5,carol@example.com,Carol\n';

  it('shows the email domain (the trailing "..") and carries the record id column by default', async () => {
    const f = file(csv);
    expect((await previewView(f)).recordColumn).toBe(0);
    const v = await validateFile({ path: f, key: 'email', column: 'email', profile: DEFAULT_PROFILE }, ctx());
    expect(v.rejectsSample).toEqual([
      { line: 3, reason: 'INVALID_EMAIL', value: 'a***@example..com', record: 'U2' },
      { line: 5, reason: 'EMPTY', value: '', record: 'U4' },
    ]);
    expect(v.recordColumn).toBe('user_id');
  });

  it('carries the column the user chose, or none', async () => {
    const f = file(csv);
    const named = await validateFile({ path: f, key: 'email', column: 'email', profile: DEFAULT_PROFILE, recordColumn: 'name' }, ctx());
    expect(named.rejectsSample.map((r) => r.record)).toEqual(['Alice B', 'Bob']);
    const none = await validateFile({ path: f, key: 'email', column: 'email', profile: DEFAULT_PROFILE, recordColumn: null }, ctx());
    expect(none.rejectsSample.every((r) => r.record === undefined)).toBe(true);
    expect(none.recordColumn).toBeUndefined();
  });

  it('carries the record column through a quoted, Windows-1252 file with rows beyond the first block', async () => {
    const body = `"id";"email"\r\n${rows(30_000, (i) => `"R${i}";"${i % 10_000 === 9_999 ? `m\xfcller${i}@example..de` : `u${i}@example.de`}"`).replace(/\n/g, '\r\n')}\r\n`;
    const f = file(Buffer.from(body, 'latin1'));
    const v = await validateFile({ path: f, key: 'email', column: 'email', profile: DEFAULT_PROFILE }, ctx());
    expect(v.rejectsSample.map((r) => [r.line, r.record, r.value])).toEqual([
      [10_001, 'R9999', 'm***@example..de'],
      [20_001, 'R19999', 'm***@example..de'],
      [30_001, 'R29999', 'm***@example..de'],
    ]);
  });

  it('carries a Windows-1252 name that first appears past the sample (the read switched encodings there)', async () => {
    const ascii = rows(12_000, (i) => `u${i}@example.de,Name ${i}`);
    const f = file(Buffer.from(`email,name\n${ascii}\nbroken@@example.de,J\xfcrgen M\xfcller\n`, 'latin1'));
    const v = await validateFile({ path: f, key: 'email', column: 'email', profile: DEFAULT_PROFILE, recordColumn: 'name' }, ctx());
    expect(v.rejectsSample).toEqual([{ line: 12_002, reason: 'INVALID_EMAIL', value: 'b***@example.de', record: 'Jürgen Müller' }]);
  });

  it('writes the record column last in the rejects report, which is still known as a report', async () => {
    const f = file(csv);
    const out = path.join(dir, `rejects-${n++}.csv`);
    const r = await exportRejects({ path: f, key: 'email', column: 'email', profile: DEFAULT_PROFILE, outPath: out }, ctx());
    expect(r.written).toBe(2);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('row,column,reason,masked_value,explanation,"user_id"');
    expect(lines[1]).toMatch(/^"3","email","INVALID_EMAIL","a\*\*\*@example\.\.com",".*","U2"$/);
    expect(lines[1]).not.toContain('alice@');
    expect(isRejectsReport(out)).toBe(true);
  });
});

describe('a phone column read with its country column', () => {
  it('counts national-format numbers usable with their row\'s country (the detected country column, or the one chosen); none chosen: only international ones', async () => {
    // 40 rows: German and US numbers in national format, each with its country; 4 in international format.
    const f = file(`phone,country\n${rows(40, (i) => (i % 10 === 0 ? `+49 151 2345${String(i).padStart(4, '0')},DE` : i % 2 ? `030 1234${String(i).padStart(3, '0')},DE` : `(415) 555-${String(1000 + i)},US`))}\n`);
    const detected = await previewView(f);
    expect(detected.columns.find((c) => c.name === 'country')).toMatchObject({ country: true });
    expect(detected.columns.find((c) => c.name === 'phone')!.usable).toBe(1);
    expect((await previewView(f, null, undefined, 1)).columns[0]!.usable).toBe(1);
    // Without the country column only the numbers that carry their country code are usable.
    expect((await previewView(f, null, undefined, null)).columns[0]!.usable).toBe(0.1);
  });
});

describe('the hash lab (issue #11 item 16)', () => {
  it('lists the rows where normalization changes the value', async () => {
    const f = file(`email\nbob@example.com\n Alice@Example.COM \ncarol@example.com\nnot-an-email\nDAVE@example.com\n`);
    const lab = await hashLabView({ path: f, key: 'email', column: 'email', profile: DEFAULT_PROFILE });
    expect(lab.changed).toEqual([
      { line: 3, raw: ' Alice@Example.COM ', normalized: 'alice@example.com', hash: sha256Hex('alice@example.com'), passthrough: false, reject: null },
      { line: 6, raw: 'DAVE@example.com', normalized: 'dave@example.com', hash: sha256Hex('dave@example.com'), passthrough: false, reject: null },
    ]);
  });

  it('a key read from several columns shows each column of a row by name: an empty one says so, the others are still hashed', async () => {
    const f = file(`id,Email 1,Email 2\n1,,b2@example.com\n2,A@example.com,\n3,c@example.com,not-an-email\n`);
    const lab = await hashLabView({ path: f, key: 'email', column: 'Email 1', extraColumns: ['Email 2'], profile: DEFAULT_PROFILE });
    expect(lab.rows[0]).toMatchObject({
      line: 2,
      values: [
        { column: 'Email 1', raw: '', normalized: null, hash: null, reject: 'EMPTY' },
        { column: 'Email 2', raw: 'b2@example.com', normalized: 'b2@example.com', hash: sha256Hex('b2@example.com'), reject: null },
      ],
    });
    expect(lab.rows[1]!.values).toMatchObject([{ column: 'Email 1', normalized: 'a@example.com', reject: null }, { column: 'Email 2', reject: 'EMPTY' }]);
    expect(lab.rows[2]!.values).toMatchObject([{ column: 'Email 1', hash: sha256Hex('c@example.com') }, { column: 'Email 2', raw: 'not-an-email', reject: 'INVALID_EMAIL' }]);
    // One column: the row as before, no per-column list.
    expect((await hashLabView({ path: f, key: 'email', column: 'Email 1', profile: DEFAULT_PROFILE })).rows[0]).toEqual({ line: 2, raw: '', normalized: null, hash: null, passthrough: false, reject: 'EMPTY' });
  });

  it('normalizes and hashes a typed value without reading or writing any file', () => {
    const before = fs.readdirSync(dir);
    expect(tryValue({ key: 'email', value: ' Alice@Example.COM ', profile: DEFAULT_PROFILE })).toEqual({ normalized: 'alice@example.com', hash: sha256Hex('alice@example.com'), passthrough: false, reject: null });
    expect(tryValue({ key: 'phone', value: '030 1234567', profile: { ...DEFAULT_PROFILE, defaultCountry: 'DE' } })).toMatchObject({ normalized: '49301234567', reject: null });
    expect(tryValue({ key: 'phone', value: '030 1234567', profile: DEFAULT_PROFILE })).toEqual({ normalized: null, hash: null, passthrough: false, reject: 'PHONE_NO_COUNTRY' });
    expect(fs.readdirSync(dir)).toEqual(before);
  });
});
