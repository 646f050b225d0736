/**
 * #11 item 11: the daily call budget cannot exceed TikTok's 24 per audience per day — the engine refuses it with the
 * words (whatever host asks), the contract refuses it at the door, and a budget stored earlier above 24 is read as 24.
 * #11 item 8: an audience saved with "start when the cohort reaches 1,000" through the engine waits; switching it off
 * lets the next sync create it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { contract, type Handlers } from '../../../shared/ipc/contract';
import { DAILY_BUDGET_TOO_HIGH } from '../../../shared/ipc/dto';
import { emails } from '../../helpers/cohort';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-budget-', (e) => ({ dir, t, h } = e));

describe('the daily call budget', () => {
  it('the engine refuses more than 24 with plain words and keeps the old value', async () => {
    await h['settings:set']({ dailyCallBudget: 12 });
    await expect(h['settings:set']({ dailyCallBudget: 25 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: DAILY_BUDGET_TOO_HIGH });
    expect(DAILY_BUDGET_TOO_HIGH).toMatch(/at most 24 changes per audience per day/);
    expect((await h['settings:get'](undefined)).dailyCallBudget).toBe(12);
    expect((await h['settings:set']({ dailyCallBudget: 24 })).dailyCallBudget).toBe(24);
  });

  it('the contract refuses 25 at the door, with the same words', () => {
    const r = contract['settings:set'].request.safeParse({ dailyCallBudget: 25 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(DAILY_BUDGET_TOO_HIGH);
    expect(contract['settings:set'].request.safeParse({ dailyCallBudget: 24 }).success).toBe(true);
  });
});

describe('"Start when the cohort reaches 1,000" through the engine', () => {
  it('saved on create, the sync waits and says why; switched off, the next sync creates the audience now', async () => {
    const file = path.join(dir, 'small.csv');
    fs.writeFileSync(file, `email\n${emails(0, 640).join('\n')}\n`);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({
      advertiserId: conn.advertisers[0]!.advertiserId,
      connectionId: conn.id,
      name: 'Early birds',
      keys: [{ key: 'email', column: 'email' }],
      sourcePath: file,
      profile: DEFAULT_PROFILE,
      cadence: { kind: 'daily', at: '06:00' },
      startAtFloor: true,
    });
    expect(a).toMatchObject({ startAtFloor: true, tiktokAudienceId: null, syncNote: { kind: 'waiting_cohort' } });
    const { runId } = await h['sync:run']({ audienceId: a.id });
    const done = await t.waitFor('run:finished', (p) => p.runId === runId);
    expect(done).toMatchObject({ status: 'deferred', error: { code: 'AUDIENCE_TOO_SMALL' } });
    const waiting = await h['audiences:get']({ id: a.id });
    expect(waiting).toMatchObject({ tiktokAudienceId: null, syncNote: { kind: 'waiting_cohort', size: 640 } });

    const now = await h['audiences:update']({ id: a.id, startAtFloor: false });
    expect(now.startAtFloor).toBe(false);
    const second = await h['sync:run']({ audienceId: a.id });
    expect(await t.waitFor('run:finished', (p) => p.runId === second.runId)).toMatchObject({ status: 'done' });
    const created = await h['audiences:get']({ id: a.id });
    expect(created.tiktokAudienceId).not.toBeNull();
    await expect(h['audiences:update']({ id: a.id, startAtFloor: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
