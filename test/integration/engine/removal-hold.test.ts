/** The removal limit through the engine facade (what the desktop app and the web host call), on the offline sandbox. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { notificationFor } from '../../../electron/main/notifications';
import { buildTrayModel } from '../../../electron/main/tray-model';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { contract, type Handlers, type PushEvent } from '../../../shared/ipc/contract';
import { emails, hashSet } from '../../helpers/cohort';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
let offset = 0;

beforeEach(() => {
  offset = 0;
});
engineForEachTest('cohort-relay-hold-', (e) => ({ dir, t, h } = e), { now: () => new Date(Date.now() + offset) });

const write = (file: string, list: readonly string[]) => fs.writeFileSync(file, `user_id,email\n${list.map((e, i) => `${i},${e}`).join('\n')}\n`);

async function synced(list: readonly string[], cadence: Parameters<Handlers['audiences:create']>[0]['cadence'] = { kind: 'manual' }) {
  const file = path.join(dir, 'cohort.csv');
  write(file, list);
  const conn = await h['connections:connectSandbox'](undefined);
  const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Buyers', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence });
  const { runId } = await h['sync:run']({ audienceId: a.id });
  expect(await t.waitFor('run:finished', (p) => p.runId === runId)).toMatchObject({ status: 'done' });
  return { a, file, tiktokId: (await h['audiences:get']({ id: a.id })).tiktokAudienceId! };
}

const finishedOf = async (started: Promise<{ runId: number }>) => {
  const { runId } = await started;
  return t.waitFor('run:finished', (p) => p.runId === runId);
};

describe('a held sync through the engine', () => {
  it('the dry run warns, the run holds, the audience, sync log and tray show it; Keep as is, then Sync anyway (once)', async () => {
    const { a, file, tiktokId } = await synced(emails(0, 5000));
    expect((await h['audiences:get']({ id: a.id })).removalLimitPct).toBe(20);
    write(file, emails(0, 1750));

    const plan = await h['sync:plan']({ audienceId: a.id });
    expect(plan.removalHold).toMatchObject({ removes: 3250, currentSize: 5000, percent: 65, limitPct: 20, confirmed: false });
    expect(plan.removalHold!.message).toMatch(/will be held until you confirm it/);
    expect((await h['audiences:get']({ id: a.id })).hold).toBeNull();

    const held = await finishedOf(h['sync:run']({ audienceId: a.id }));
    expect(held).toMatchObject({ status: 'held', trigger: 'manual', heldAgain: false, error: { code: 'REMOVALS_HELD', message: expect.stringMatching(/would remove 3,250 of 5,000 people \(65 %\)/) } });
    const detail = await h['audiences:get']({ id: a.id });
    expect(detail.hold).toMatchObject({ state: 'held', runId: held.runId, removes: 3250, currentSize: 5000, percent: 65, limitPct: 20, lastRowsRead: 5000 });
    expect(detail.recentRuns[0]).toMatchObject({ id: held.runId, status: 'held', callsUsed: 0, removes: 3250, error: { code: 'REMOVALS_HELD' } });
    const tray = await t.engine.traySnapshot();
    expect(tray.audiences[0]).toMatchObject({ id: a.id, held: true });
    const model = buildTrayModel(tray, { now: new Date(), locale: 'en-US', timeZone: 'UTC' });
    expect(model.items[0]).toMatchObject({ label: 'Buyers — Sync held: needs you' });
    expect(model.tooltip).toMatch(/needs attention/);

    // "Sync now" on the same file: held again, as a repeat.
    expect(await finishedOf(h['sync:run']({ audienceId: a.id }))).toMatchObject({ status: 'held', heldAgain: true });

    await expect(h['sync:keepAudience']({ audienceId: a.id, runId: held.runId + 100 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/changed since/) });
    const kept = await h['sync:keepAudience']({ audienceId: a.id, runId: held.runId });
    expect(kept.hold).toMatchObject({ state: 'kept', runId: held.runId });
    expect((await t.engine.traySnapshot()).audiences[0]!.held).toBe(false);
    expect(t.sim().membership(tiktokId)).toEqual(hashSet(emails(0, 5000)));

    const sent = await finishedOf(h['sync:confirmRemovals']({ audienceId: a.id, runId: held.runId }));
    expect(sent).toMatchObject({ status: 'done' });
    expect(t.sim().membership(tiktokId)).toEqual(hashSet(emails(0, 1750)));
    expect((await h['audiences:get']({ id: a.id })).hold).toBeNull();
    await expect(h['sync:confirmRemovals']({ audienceId: a.id, runId: held.runId })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it("the audience's limit is a setting: changed, switched off, and checked at the boundary", async () => {
    const { a, file } = await synced(emails(0, 5000));
    expect((await h['audiences:update']({ id: a.id, removalLimitPct: 70 })).removalLimitPct).toBe(70);
    write(file, emails(0, 1750));
    expect((await h['sync:plan']({ audienceId: a.id })).removalHold).toBeNull();
    expect((await h['audiences:update']({ id: a.id, removalLimitPct: null })).removalLimitPct).toBeNull();
    expect((await h['audiences:get']({ id: a.id })).removalLimitPct).toBeNull();
    const schema = contract['audiences:update'].request;
    expect(schema.safeParse({ id: 1, removalLimitPct: 101 }).success).toBe(false);
    expect(schema.safeParse({ id: 1, removalLimitPct: 12.5 }).success).toBe(false);
    expect(schema.safeParse({ id: 1, removalLimitPct: 0 }).success).toBe(true);
    expect(contract['sync:confirmRemovals'].request.safeParse({ audienceId: 1 }).success).toBe(false);
  });

  it('a scheduled run that is held notifies once, with the numbers; the next slot holding the same change does not notify again', async () => {
    const { a, file } = await synced(emails(0, 5000), { kind: 'hourly' });
    write(file, emails(0, 1750));
    const notify = (e: PushEvent) => notificationFor(e, { enabled: true, audienceName: 'Buyers' });

    offset = 3_600_000;
    t.engine.onResume();
    const first = await t.waitFor('run:finished', (p) => p.trigger === 'schedule');
    expect(first).toMatchObject({ status: 'held', heldAgain: false, audienceId: a.id });
    expect(notify({ event: 'run:finished', payload: first })).toEqual({
      title: 'Sync held: needs you',
      body: expect.stringMatching(/^“Buyers”: This sync would remove 3,250 of 5,000 people \(65 %\), more than this audience's 20 % limit, so it was held.*Open Cohort Relay to sync anyway \(once\) or keep the audience as is\.$/),
    });

    offset = 2 * 3_600_000;
    // The next slot: resumed until the scheduler (which finishes its previous tick first) has run it.
    const resume = setInterval(() => t.engine.onResume(), 100);
    const second = await t.waitFor('run:finished', (p) => p.trigger === 'schedule' && p.runId !== first.runId).finally(() => clearInterval(resume));
    expect(second).toMatchObject({ status: 'held', heldAgain: true });
    expect(notify({ event: 'run:finished', payload: second })).toBeNull();
    expect((await h['audiences:get']({ id: a.id })).hold).toMatchObject({ state: 'held', runId: first.runId });
  });
});
