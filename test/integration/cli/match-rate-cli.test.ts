/**
 * The honest match rate (#14 §2): TikTok's matched count against every row of the source file, invalid rows included,
 * beside matched ÷ sent — in `cohort-relay status` and in the chart's points — against the offline sandbox matching
 * 80 % of what it is sent.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { sizeHistory } from '../../../electron/core/engine/views';
import { rates } from '../../../electron/core/sync/match-rate';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let sim: SimulatorHandle;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir());
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 0.8 });
  env = { COHORT_RELAY_HOME: path.join(dir, 'home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
});
afterEach(async () => {
  await sim.close();
  cleanup();
});

/** 1,200 valid emails and 300 rows without a usable one: 1,500 rows. */
function writeCohort(file: string, valid: number, invalid: number): void {
  const rows = [...emails(0, valid), ...Array.from({ length: invalid }, (_, i) => `not-an-email-${i}`)];
  writeFileSync(file, `user_id,email\n${rows.map((e, i) => `${i},${e}`).join('\n')}\n`);
}

describe('the honest match rate', () => {
  it('status shows matched ÷ sent and matched ÷ all rows of the file (invalid rows included); the chart points carry the rows', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeCohort(csv, 1200, 300);
    const synced = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', '--json'], env);
    expect(synced.code).toBe(0);
    expect(JSON.parse(synced.stdout)).toMatchObject({ rowsRead: 1500, valid: 1200, rejected: 300 });

    const text = await cli(['status', '--refresh'], env);
    expect(text.code).toBe(0);
    // TikTok matched 960 of the 1,200 sent (80 %), which is 64 % of the 1,500 people in the file.
    expect(text.stdout).toMatch(/Match rate 80 % of 1,200 sent, 64 % of all 1,500 rows in the file \(invalid rows included\)/);
    const json = JSON.parse((await cli(['status', '--json'], env)).stdout) as { audiences: { matchRate: unknown }[] };
    expect(json.audiences[0]!.matchRate).toEqual({ matched: 960, sent: 1200, rows: 1500, ofSent: 0.8, ofRows: 0.64, staleSince: null, valuesPerPerson: false, processing: false });

    const app = await CohortRelayApp.open({ env });
    try {
      const id = app.store.audiences.list()[0]!.id;
      expect(sizeHistory(app.store, id).at(-1)).toMatchObject({ sent: 1200, matched: 960, rows: 1500 });
    } finally {
      app.close();
    }
  });

  it('a count TikTok has not updated since the audience got smaller (an undo, an erase) is never shown as a rate above 100 %', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeCohort(csv, 1200, 0);
    expect((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers'], env)).code).toBe(0);
    // TikTok still shows the 1,500 it matched before the undo made the audience 1,200: two checks, the same count.
    const first = new Date(Date.now() + 3_600_000).toISOString();
    const second = new Date(Date.now() + 7_200_000).toISOString();
    const app = await CohortRelayApp.open({ env });
    try {
      const id = app.store.audiences.list()[0]!.id;
      for (const at of [first, second]) app.store.status.record({ audienceId: id, checkedAt: at, coverNum: 1500, isValid: true, isExpiring: false, expiredTime: null, localSize: 1200, state: 'available', message: null });
    } finally {
      app.close();
    }
    const text = await cli(['status'], env);
    expect(text.stdout).toContain(`Match rate not shown: TikTok has not updated its matched count since ${first} (it still shows 1,500, more than this audience holds now)`);
    expect(text.stdout).not.toMatch(/1\d\d %/);
    const json = JSON.parse((await cli(['status', '--json'], env)).stdout) as { audiences: { matchRate: unknown }[] };
    expect(json.audiences[0]!.matchRate).toEqual({ matched: 1500, sent: 1200, rows: 1200, ofSent: null, ofRows: null, staleSince: first, valuesPerPerson: false, processing: false });
  });

  it('an audience with several values per person (Email 1, Email 2) sets TikTok\'s people matched against people (the file\'s rows), not values sent', async () => {
    const csv = path.join(dir, 'two.csv');
    const a = emails(0, 1200);
    // 200 of the 1,200 people have a second email: 1,400 values sent.
    const b = emails(5000, 200);
    writeFileSync(csv, `Email 1,Email 2\n${a.map((e, i) => `${e},${b[i] ?? ''}`).join('\n')}\n`);
    expect((await cli(['sync', '--csv', csv, '--keys', 'email=Email 1,email=Email 2', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Two emails'], env)).code).toBe(0);
    const json = JSON.parse((await cli(['status', '--refresh', '--json'], env)).stdout) as { audiences: { matchRate: { sent: number; ofSent: number | null; valuesPerPerson: boolean } }[] };
    // 1,400 values sent for 1,200 people: no matched ÷ values (TikTok's 1,120 is set against the 1,200 rows).
    expect(json.audiences[0]!.matchRate).toMatchObject({ matched: 1120, sent: 1400, rows: 1200, ofSent: null, valuesPerPerson: true });
    const text = await cli(['status'], env);
    expect(text.stdout).toMatch(/TikTok counts people matched, and this audience sends several values per person \(1,400 values\), so no rate of values sent is given/);
    expect(text.stdout).toMatch(/Match rate 93 % of all 1,200 rows in the file/);
    expect(text.stdout).not.toMatch(/of 1,400 sent/);
  });

  it('rates: never above 100 %, and none of values sent', () => {
    expect(rates(1500, 1200, 1300, { since: '2026-12-01T09:00:00.000Z' })).toMatchObject({ ofSent: null, ofRows: null, staleSince: '2026-12-01T09:00:00.000Z' });
    expect(rates(1200, 1200, 1300, { since: 'x' })).toMatchObject({ ofSent: 1, staleSince: null });
    expect(rates(900, 2400, 1200, { valuesPerPerson: true })).toMatchObject({ ofSent: null, ofRows: 0.75, staleSince: null });
  });

  it('before any sync read a file, or before TikTok matched anything, the rates are unknown, not zero', () => {
    expect(rates(null, 1200, 1500)).toMatchObject({ ofSent: null, ofRows: null });
    expect(rates(960, 1200, null)).toMatchObject({ ofSent: 0.8, ofRows: null });
    expect(rates(0, 0, 0)).toMatchObject({ ofSent: null, ofRows: null });
  });
});
