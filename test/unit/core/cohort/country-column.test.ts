import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneWithCountry, readCohort, readCohortMulti, sortHashes } from '../../../../electron/core/cohort';
import { hashLabView, validateFile } from '../../../../electron/core/engine/imports';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { contract } from '../../../../shared/ipc/contract';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-country-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string): string {
  const p = path.join(dir, `c${n++}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

const setOf = (values: string[]) => sortHashes(Buffer.concat(values.map((v) => crypto.createHash('sha256').update(v).digest())));
/** National-format phones of three countries, one already international, one with an unknown country code. */
const CSV = 'phone,country,email\n030 1234567,DE,a@example.com\n(415) 555-2671,us,b@example.com\n020 7946 0958,GB,c@example.com\n+33 1 42 68 53 00,DE,d@example.com\n0151 23456789,XX,e@example.com\n';

describe('phones with "country from column X" (issue #11 item 6)', () => {
  it('gives a national-format number its row\'s country, and leaves international numbers and unknown codes alone', () => {
    expect(phoneWithCountry('030 1234567', 'DE')).toBe('+49301234567');
    expect(phoneWithCountry('(415) 555-2671', ' us ')).toBe('+14155552671');
    expect(phoneWithCountry('+33 1 42 68 53 00', 'DE')).toBe('+33 1 42 68 53 00');
    expect(phoneWithCountry('0151 23456789', 'XX')).toBe('0151 23456789');
    expect(phoneWithCountry('0151 23456789', null)).toBe('0151 23456789');
  });

  it('reads each row\'s phone with its country column (single key), the rest falling back to the default country', async () => {
    const f = file(CSV);
    const without = await readCohort({ path: f, key: 'phone', column: 'phone', workers: 0 });
    expect(without).toMatchObject({ valid: 1, rejected: 4 });
    const r = await readCohort({ path: f, key: 'phone', column: 'phone', countryColumn: 'country', workers: 0 });
    expect(r).toMatchObject({ valid: 4, rejected: 1, rejectReasons: { PHONE_NO_COUNTRY: 1 } });
    expect(Buffer.compare(r.hashes, setOf(['49301234567', '14155552671', '442079460958', '33142685300']))).toBe(0);
    const withDefault = await readCohort({ path: f, key: 'phone', column: 'phone', countryColumn: 'country', workers: 0, profile: { ...DEFAULT_PROFILE, defaultCountry: 'DE' } });
    expect(withDefault).toMatchObject({ valid: 5, rejected: 0 });
  });

  it('rejects a number its row\'s country does not make valid as an invalid number, not as one without a country', async () => {
    // 07700 900123 is in the UK's range for drama (never a real line): GB does not make it valid.
    expect(phoneWithCountry('07700900123', 'GB')).toBe('+447700900123');
    expect(phoneWithCountry('07700900123', 'GB', 'US')).toBe('07700900123');
    const f = file('phone,country\n07700900123,GB\n07911123456,GB\n');
    const r = await readCohort({ path: f, key: 'phone', column: 'phone', countryColumn: 'country', workers: 0 });
    expect(r).toMatchObject({ valid: 1, rejected: 1, rejectReasons: { INVALID_PHONE: 1 } });
  });

  it('reads the phone key of a multi-key cohort with its country column', async () => {
    const f = file(CSV);
    const base = { path: f, workers: 0, profile: DEFAULT_PROFILE } as const;
    const without = await readCohortMulti({ ...base, keys: [{ key: 'email', column: 'email' }, { key: 'phone', column: 'phone' }] });
    const r = await readCohortMulti({ ...base, keys: [{ key: 'email', column: 'email' }, { key: 'phone', column: 'phone', countryColumn: 'country' }] });
    expect(without.perKey.phone).toMatchObject({ valid: 1 });
    expect(r.perKey.phone).toMatchObject({ valid: 4 });
    expect(r.rowsRead).toBe(5);
  });

  it('refuses a country column for another key, or the phone column itself', async () => {
    const f = file(CSV);
    const err = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as AppError);
    expect((await err(readCohort({ path: f, key: 'email', column: 'email', countryColumn: 'country', workers: 0 })))?.message).toMatch(/only applies to phone numbers/);
    expect((await err(readCohort({ path: f, key: 'phone', column: 'phone', countryColumn: 'phone', workers: 0 })))?.message).toMatch(/cannot hold both/);
  });

  it('shows the country-read numbers in the hash lab and counts them in validation', async () => {
    const f = file(CSV);
    const req = { path: f, key: 'phone' as const, column: 'phone', countryColumn: 'country', profile: DEFAULT_PROFILE };
    const lab = await hashLabView(req);
    expect(lab.rows[0]).toMatchObject({ line: 2, raw: '030 1234567', normalized: '49301234567', reject: null });
    expect(lab.rows[4]).toMatchObject({ raw: '0151 23456789', reject: 'PHONE_NO_COUNTRY' });
    const v = await validateFile(req, { signal: new AbortController().signal, emit: () => undefined });
    expect(v).toMatchObject({ valid: 4, rejected: 1 });
  });

  it('is part of a saved key mapping and of the import requests', () => {
    const create = contract['audiences:create'].request.safeParse({
      advertiserId: '1',
      name: 'x',
      keys: [{ key: 'phone', column: 'phone', countryColumn: 'country' }],
      sourcePath: '/a.csv',
      profile: DEFAULT_PROFILE,
      cadence: { kind: 'manual' },
    });
    expect(create.success && create.data.keys[0]).toEqual({ key: 'phone', column: 'phone', countryColumn: 'country' });
    expect(contract['import:validate'].request.safeParse({ path: '/a.csv', key: 'phone', column: 0, countryColumn: 1, profile: DEFAULT_PROFILE }).success).toBe(true);
  });
});
