import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '../../../electron/core/store/db';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  ({ dir, cleanup } = tmpDir());
  env = { COHORT_RELAY_HOME: path.join(dir, 'home') };
});
afterEach(() => cleanup());

const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

describe('cohort-relay plan', () => {
  it('--json prints the counts, reasons and the diff against an empty audience', async () => {
    const csv = file('c.csv', 'id,email\n1,Jane.Doe@Gmail.com\n2,jane.doe@gmail.com\n3,not-an-email\n4,\n5,bob@example.com\n');
    const r = await cli(['plan', '--csv', csv, '--key', 'email', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ rowsRead: 5, valid: 3, rejected: 2, duplicates: 1, adds: 2, removes: 0, rejectReasons: { INVALID_EMAIL: 1, EMPTY: 1 } });
  });

  it('writes the rejects report only when asked, with row, reason and a masked value', async () => {
    const csv = file('c.csv', 'email\nalice@example.com\nnot-an-email\n');
    const rejects = path.join(dir, 'rejects.csv');
    const r = await cli(['plan', '--csv', csv, '--key', 'email', '--rejects', rejects], env);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(rejects, 'utf8');
    expect(text).toMatch(/^row,column,reason,masked_value/);
    expect(text).toMatch(/\n"3","email","INVALID_EMAIL","n\*\*\*",/);
    expect(text).not.toContain('not-an-email');
  });

  it('writes the rejects report of a file whose every row is rejected, then fails saying where it is; without --rejects it only fails', async () => {
    const csv = file('bad.csv', 'email\nfoo\nbar\nbaz\n');
    const rejects = path.join(dir, 'bad-rejects.csv');
    const r = await cli(['plan', '--csv', csv, '--key', 'email', '--rejects', rejects], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/None of the 3 rows of bad\.csv has a usable Email .* The rejects report is written to .*bad-rejects\.csv\./);
    expect(fs.readFileSync(rejects, 'utf8').trim().split('\n')).toHaveLength(4);
    const plain = await cli(['plan', '--csv', csv, '--key', 'email'], env);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/None of the 3 rows of bad\.csv/);
    expect(plain.stderr).not.toMatch(/rejects report/);
  });

  it('reads each row\'s phone with its country column (--country-column), as the app\'s "Country from column" does', async () => {
    const csv = file('ph.csv', 'phone,country\n07911123456,GB\n(202) 456-1111,US\n07700900123,GB\n030 1234567,\n');
    const without = JSON.parse((await cli(['plan', '--csv', csv, '--key', 'phone', '--json'], env)).stdout);
    expect(without.error.message).toMatch(/None of the 4 rows of ph\.csv has a usable Phone/);
    const r = await cli(['plan', '--csv', csv, '--key', 'phone', '--country-column', 'country', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    // GB and US rows are read with their country; the number GB does not make valid is an invalid number; the row
    // without a country has none.
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: 2, rejected: 2, rejectReasons: { INVALID_PHONE: 1, PHONE_NO_COUNTRY: 1 } });
    const email = await cli(['plan', '--csv', csv, '--key', 'email', '--column', 'phone', '--country-column', 'country'], env);
    expect(email.code).toBe(2);
    expect(email.stderr).toMatch(/--country-column applies to phone numbers/);
  });

  it('hashes phones with the default country from --country and rejects numbers without one otherwise', async () => {
    const csv = file('p.csv', 'phone\n(415) 555-2671\n+374 93 828222\n');
    const without = JSON.parse((await cli(['plan', '--csv', csv, '--key', 'phone', '--json'], env)).stdout);
    expect(without).toMatchObject({ valid: 1, rejectReasons: { PHONE_NO_COUNTRY: 1 } });
    const withUs = JSON.parse((await cli(['plan', '--csv', csv, '--key', 'phone', '--country', 'US', '--json'], env)).stdout);
    expect(withUs).toMatchObject({ valid: 2, rejected: 0 });
  });

  it.each([
    ['a missing file', () => path.join(dir, 'nope.csv'), /no file at/i],
    ['an empty file', () => file('e.csv', ''), /empty/i],
    ['a header-only file', () => file('h.csv', 'email\n'), /no data rows|only a header|header/i],
    ['a binary file', () => file('b.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 1, 2, 3])), /binary|not a (csv|text)/i],
    ['every row invalid', () => file('i.csv', 'email\nfoo\nbar\n'), /none of the 2 rows/i],
  ])('%s: one line naming the problem and the fix, a non-zero exit, nothing stored', async (_name, make, re) => {
    const r = await cli(['plan', '--csv', make(), '--key', 'email'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(re);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(fs.existsSync(path.join(dir, 'home', DB_FILE))).toBe(false);
  });

  it('an unknown column lists the columns there are', async () => {
    const csv = file('c.csv', 'id,email\n1,a@b.co\n');
    const r = await cli(['plan', '--csv', csv, '--key', 'email', '--column', 'mail'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/mail/);
    expect(r.stderr).toMatch(/email/);
  });

  it('--keys plans a multi-key cohort: one row per person, counts per key', async () => {
    const csv = file('m.csv', 'Email,Phone,IDFA\na@example.com,+1 415 200 0001,\n,+1 415 200 0002,5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25\nbad,12,nope\n');
    const r = await cli(['plan', '--csv', csv, '--keys', 'email=Email,phone=Phone,idfa=IDFA', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ rowsRead: 3, valid: 2, rejected: 1, adds: 2 });
    expect(out.perKey).toMatchObject({ email: { valid: 1 }, phone: { valid: 2 }, maid: { valid: 1 } });
    expect((await cli(['plan', '--csv', csv, '--keys', 'email'], env)).stderr).toMatch(/KEY=COLUMN/);
  });

  it('says rows kept and dropped for several keys, and cells rejected apart from them (a bad email in a kept row is no dropped row)', async () => {
    const csv = file('m.csv', 'Email,Phone\nbad,+1 415 200 0001\na@example.com,+1 415 200 0002\nworse,nope\n');
    const text = (await cli(['plan', '--csv', csv, '--keys', 'email=Email,phone=Phone'], env)).stdout;
    expect(text).toContain('Rows read: 3   kept: 2   dropped (no usable key): 1   duplicates dropped: 0');
    expect(text).toContain('  cells rejected (a row stays while another of its keys is usable): INVALID_EMAIL 2, INVALID_PHONE 1');
    // One key from several columns counts values.
    const two = file('e.csv', 'Email 1,Email 2\na@example.com,b@example.com\nc@example.com,bad\n');
    const values = (await cli(['plan', '--csv', two, '--keys', 'email=Email 1,email=Email 2'], env)).stdout;
    expect(values).toContain('Rows read: 2   values valid: 3   values rejected: 1   duplicates dropped: 0\n  values rejected: INVALID_EMAIL 1\n');
  });

  it('--rejects of a multi-key cohort marks each rejected cell: its row dropped (no usable key) or kept for another key', async () => {
    const csv = file('m.csv', 'Email,Phone,Name\nbad,+1 415 200 0001,a\na@example.com,+1 415 200 0002,b\nworse,nope,c\n=bad,,d\n,,e\n');
    const rejects = path.join(dir, 'm-rejects.csv');
    expect((await cli(['plan', '--csv', csv, '--keys', 'email=Email,phone=Phone', '--rejects', rejects], env)).code).toBe(0);
    const rows = Papa.parse<string[]>(fs.readFileSync(rejects, 'utf8').trimEnd()).data;
    expect(rows[0]).toEqual(['row', 'column', 'reason', 'masked_value', 'explanation', 'row_outcome']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[5]])).toEqual([
      ['2', 'Email', 'INVALID_EMAIL', 'cell rejected, row kept'],
      ['4', 'Email', 'INVALID_EMAIL', 'row dropped: no usable key'],
      ['4', 'Phone', 'INVALID_PHONE', 'row dropped: no usable key'],
      ['5', 'Email', 'INVALID_EMAIL', 'row dropped: no usable key'],
      ['6', 'Email', 'EMPTY', 'row dropped: no usable key'],
    ]);
    // Every cell quoted (csvSafeLine), the new one too.
    expect(fs.readFileSync(rejects, 'utf8').split('\n')[1]).toMatch(/^"2","Email",.*,"cell rejected, row kept"$/);
  });

  it('refuses an unknown key and a bad country code with the accepted values', async () => {
    const csv = file('c.csv', 'email\na@b.co\n');
    expect((await cli(['plan', '--csv', csv, '--key', 'fax'], env)).stderr).toMatch(/email, phone, idfa, gaid/);
    expect((await cli(['plan', '--csv', csv, '--key', 'phone', '--country', 'USA'], env)).stderr).toMatch(/two-letter/);
  });
});

describe('cohort-relay sync, status, runs, schedule, undo', () => {
  let sim: SimulatorHandle;
  beforeEach(async () => {
    sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
    env = { ...env, TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
  });
  afterEach(async () => sim.close());

  it('creates, then diffs; --json has the documented keys; status, runs and undo follow', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1500));
    const adv = sim.advertiserIds[0]!;
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Buyers', '--json'], env)).stdout);
    expect(first).toMatchObject({ status: 'done', adds: 1500, removes: 0, callsUsed: 1, deferredUntil: null, error: null });
    expect(first.audienceId).toMatch(/^\d+$/);

    writeEmailCsv(csv, emails(100, 1500));
    const dry = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Buyers', '--dry-run', '--json'], env)).stdout);
    expect(dry).toMatchObject({ status: 'planned', adds: 100, removes: 100, callsPlanned: 2, callsUsed: 0 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 1500)));

    const second = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Buyers', '--json'], env)).stdout);
    expect(second).toMatchObject({ status: 'done', adds: 100, removes: 100, callsUsed: 2, audienceId: first.audienceId });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(100, 1500)));

    const status = JSON.parse((await cli(['status', '--refresh', '--json'], env)).stdout);
    expect(status.audiences[0]).toMatchObject({ name: 'Buyers', localSize: 1500, coverNum: 1500, state: 'available', callsLeftToday: 21 });

    const runs = JSON.parse((await cli(['runs', '--json'], env)).stdout);
    expect(runs.runs.map((r: { status: string }) => r.status)).toEqual(['done', 'done']);
    const detail = JSON.parse((await cli(['runs', '--run', String(runs.runs[0].id), '--json'], env)).stdout);
    expect(detail.calls.some((c: { endpoint: string; requestId: string }) => c.endpoint === 'dmp/custom_audience/update/' && c.requestId)).toBe(true);

    const sched = await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'daily@06:30'], env);
    expect(sched.code).toBe(0);
    const list = JSON.parse((await cli(['schedule', 'list', '--json'], env)).stdout);
    expect(list.schedules[0]).toMatchObject({ cadence: { kind: 'daily', at: '06:30' }, paused: false });
    expect((await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'daily@25:00'], env)).stderr).toMatch(/HH:MM/);

    const undo = await cli(['undo', '--audience-id', String(first.localAudienceId), '--json'], env);
    expect(JSON.parse(undo.stdout)).toMatchObject({ status: 'done', adds: 100, removes: 100 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 1500)));
  });

  it('a sync that breaks the floor exits 1 with the numbers and sends nothing', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1050));
    const adv = sim.advertiserIds[0]!;
    await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Small'], env);
    writeEmailCsv(csv, emails(0, 950));
    const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Small', '--json'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'failed', error: { code: 'AUDIENCE_TOO_SMALL' } });
    expect(sim.requests('dmp/custom_audience/update')).toHaveLength(0);
  });

  it('sync without an audience name or advertiser says what to add', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 10));
    expect((await cli(['sync', '--csv', csv, '--key', 'email', '--audience', 'X'], env)).stderr).toMatch(/--advertiser/);
    expect((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', '1'], env)).stderr).toMatch(/--audience/);
  });
});
