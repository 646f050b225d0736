/**
 * The safety net (#15, #14 "volume-drop breaker"): a sync that would remove more than the audience's limit
 * (default 20 %) is held before any call, against the offline sandbox over real HTTP, with a real store.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SyncOutcome } from '../../../electron/core/sync/sync-runner';
import { audienceView } from '../../../electron/core/engine/views';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, upload } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let clock: Date;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => {
  clock = new Date();
  ({ sim, app, dir, close } = await openSandboxApp({ now: () => clock }));
});
afterEach(async () => close());

async function syncFile(list: readonly string[], opts: { name?: string; api?: 'file' | 'segment'; dryRun?: boolean } = {}) {
  const csv = path.join(dir, `${opts.name ?? 'Buyers'}.csv`);
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: opts.name ?? 'Buyers', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE, api: opts.api });
  return { audience: a, outcome: opts.dryRun ? await app.sync.plan(a.id) : await app.sync.sync(a.id, 'cli') };
}

/** Every request that could change an audience or spend anything: uploads, creates, updates, partner mappings. */
const spending = () => ['dmp/custom_audience/file/upload', 'dmp/custom_audience/create', 'dmp/custom_audience/update', 'segment/audience', 'segment/mapping'].reduce((n, e) => n + sim.requests(e as 'segment/mapping').length, 0);
const pendingRows = () => (app.store.db.prepare('SELECT count(*) AS n FROM pending_changes').get() as { n: number }).n;

describe('a sync that would remove more than the audience allows', () => {
  it('is held before any call: nothing sent, snapshot, quota and TikTok untouched; the sync log says held, with the numbers', async () => {
    const { audience, outcome: created } = await syncFile(emails(0, 5000));
    expect(created).toMatchObject({ status: 'done', strategy: 'create' });
    expect(audience.removalLimitPct).toBe(20);
    const before = { spent: spending(), used: app.store.quota.used(audience.id, clock), meta: app.store.snapshots.meta(audience.id) };

    const { outcome } = await syncFile(emails(0, 1750)); // a cut-short export: 3,250 of 5,000 would go
    expect(outcome).toMatchObject({ status: 'held', callsUsed: 0, adds: 0, removes: 3250, currentSize: 5000, error: { code: 'REMOVALS_HELD' } });
    expect(outcome.hold).toMatchObject({ removes: 3250, currentSize: 5000, percent: 65, limitPct: 20, confirmed: false, repeated: false, rowsRead: 1750, lastRowsRead: 5000 });
    expect(outcome.error!.message).toMatch(/would remove 3,250 of 5,000 people \(65 %\), more than this audience's 20 % limit, so it was held: nothing was sent and no call was spent\./);
    expect(outcome.error!.message).toMatch(/The file has 1,750 rows; the one last synced had 5,000: check that the export is complete\./);

    expect(spending()).toBe(before.spent);
    expect(app.store.quota.used(audience.id, clock)).toBe(before.used);
    expect(app.store.snapshots.meta(audience.id)).toEqual(before.meta);
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 5000)));
    expect(pendingRows()).toBe(0);
    expect(app.store.runs.get(outcome.runId!)).toMatchObject({ status: 'held', callsUsed: 0, removes: 3250, rowsRead: 1750, errorCode: 'REMOVALS_HELD', errorMessage: outcome.error!.message });
    expect(app.store.holds.get(audience.id)).toMatchObject({ state: 'held', runId: outcome.runId, removes: 3250, currentSize: 5000, limitPct: 20 });

    // The audience view (table, tray, CLI status) carries the hold and its words.
    const view = audienceView(app.store, app.store.audiences.require(audience.id), { now: clock, nextRun: () => null, running: () => false, quota: () => ({ left: 23, budget: 24 }) });
    expect(view.hold).toMatchObject({ state: 'held', runId: outcome.runId, removes: 3250, percent: 65, limitPct: 20 });
    expect(view.hold!.message).toMatch(/would remove 3,250 of 5,000 people \(65 %\)/);
  });

  it('holds more than the limit, not the limit itself; the limit is per audience, can change, be 0 % or be switched off', async () => {
    const { audience } = await syncFile(emails(0, 5000));
    expect((await syncFile(emails(0, 4000))).outcome).toMatchObject({ status: 'done', removes: 1000 }); // exactly 20 %

    const over = (await syncFile(emails(0, 3199))).outcome; // 801 of 4,000: 20.025 %
    expect(over).toMatchObject({ status: 'held', removes: 801 });
    expect(over.error!.message).toMatch(/801 of 4,000 people \(20\.0\d %\), more than this audience's 20 % limit/);

    app.sync.setRemovalLimit(audience.id, 25);
    expect((await syncFile(emails(0, 3199))).outcome).toMatchObject({ status: 'done', removes: 801 });
    expect(app.store.holds.get(audience.id)).toBeNull();

    app.sync.setRemovalLimit(audience.id, null);
    expect((await syncFile(emails(0, 1200))).outcome).toMatchObject({ status: 'done', removes: 1999 });

    app.sync.setRemovalLimit(audience.id, 0);
    expect((await syncFile(emails(0, 1199))).outcome).toMatchObject({ status: 'held', removes: 1 });
    expect(() => app.sync.setRemovalLimit(audience.id, 101)).toThrow(/whole percentage from 0 to 100/);

    // Another audience keeps the default.
    const other = (await syncFile(emails(0, 2000), { name: 'Others' })).audience;
    expect(app.store.audiences.require(other.id).removalLimitPct).toBe(20);
  });

  it('"Sync anyway (once)" sends exactly the held change, once; the next big drop is held again', async () => {
    const { audience, outcome: created } = await syncFile(emails(0, 5000));
    const held = (await syncFile(emails(0, 1750))).outcome;
    app.sync.confirmRemovals(audience.id, held.runId);
    expect(app.store.holds.get(audience.id)).toMatchObject({ state: 'confirmed' });

    const sent = await app.sync.sync(audience.id, 'manual');
    expect(sent).toMatchObject({ status: 'done', removes: 3250, hold: { confirmed: true } });
    expect(sent.warnings.join(' ')).toMatch(/removes 3,250 of 5,000 people \(65 %\), more than this audience's 20 % limit, as you confirmed once/);
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1750)));
    expect(app.store.holds.get(audience.id)).toBeNull();

    const next = (await syncFile(emails(0, 1000))).outcome; // 750 of 1,750
    expect(next).toMatchObject({ status: 'held', removes: 750, callsUsed: 0 });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1750)));
  });

  it('a confirmation covers only the change it was given for: a changed file is checked again, and the old confirmation is refused', async () => {
    const { audience, outcome: created } = await syncFile(emails(0, 5000));
    const first = (await syncFile(emails(0, 1750))).outcome;
    app.sync.confirmRemovals(audience.id, first.runId);

    const spent = spending();
    const changed = (await syncFile(emails(0, 2000))).outcome; // another file arrived before the sync ran
    expect(changed).toMatchObject({ status: 'held', removes: 3000, hold: { repeated: false, confirmed: false } });
    expect(changed.hold!.runId).toBe(changed.runId);
    expect(changed.runId).not.toBe(first.runId);
    expect(spending()).toBe(spent);
    expect(() => app.sync.confirmRemovals(audience.id, first.runId)).toThrow(/changed since/);

    app.sync.confirmRemovals(audience.id, changed.runId);
    expect(await app.sync.sync(audience.id, 'manual')).toMatchObject({ status: 'done', removes: 3000 });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 2000)));
    expect(() => app.sync.confirmRemovals(audience.id, changed.runId)).toThrow(/No sync of this audience is held/);
  });

  it('a confirmed change that fails part-way goes on in the next run without asking again', async () => {
    const { audience, outcome: created } = await syncFile(emails(0, 5000));
    const held = (await syncFile(emails(0, 1750))).outcome;
    app.sync.confirmRemovals(audience.id, held.runId);
    sim.faults.add({ kind: 'tiktok-code', endpoint: 'dmp/custom_audience/update', code: 40006, message: 'Version error.', times: 1 });
    expect(await app.sync.sync(audience.id, 'manual')).toMatchObject({ status: 'failed' });
    expect(app.store.holds.get(audience.id)).toMatchObject({ state: 'confirmed' });
    expect(await app.sync.sync(audience.id, 'catch-up')).toMatchObject({ status: 'done' });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1750)));
  });

  it('"Keep audience as is": the same file stays held without asking again; a fixed export syncs and ends the hold', async () => {
    const { audience, outcome: created } = await syncFile(emails(0, 5000));
    const held = (await syncFile(emails(0, 1750))).outcome;
    app.sync.keepAudience(audience.id, held.runId);
    const spent = spending();

    const again = (await syncFile(emails(0, 1750))).outcome;
    expect(again).toMatchObject({ status: 'held', hold: { repeated: true, kept: true, runId: held.runId } });
    expect(again.error!.message).toMatch(/You chose to keep the audience as is for this file; a changed file is checked again/);
    expect(app.store.holds.get(audience.id)).toMatchObject({ state: 'kept', runId: held.runId });
    expect(spending()).toBe(spent);

    const fixed = [...emails(0, 4900), ...emails(9000, 100)]; // the export is whole again: 100 leave, 100 join
    expect((await syncFile(fixed)).outcome).toMatchObject({ status: 'done', adds: 100, removes: 100 });
    expect(app.store.holds.get(audience.id)).toBeNull();
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(fixed));
  });

  it('a full replace because TikTok shows a change this computer has no record of says when it removes more than the limit, judged against what it last knew', async () => {
    const { audience, outcome: created } = await syncFile(emails(0, 5000));
    sim.advanceClock(3_600_000);
    const { client } = clientFor(sim);
    await client.updateAudience({ advertiserId: ADV(), audienceId: created.tiktokAudienceId!, action: 'APPEND', filePaths: [await upload(client, ADV(), emails(9000, 300).map(sha256Hex))] });
    sim.advanceClock(3_600_000);
    const spent = spending();

    const held = (await syncFile(emails(0, 1750))).outcome; // another tool touched it, and the export is cut short
    expect(held).toMatchObject({ status: 'held', removes: 3250, currentSize: 5000, callsUsed: 0, hold: { reason: 'membership', overLimit: true, limitPct: 20 } });
    expect(held.error!.message).toMatch(/TikTok shows 1 change to who is in this audience that Cohort Relay did not send/);
    expect(held.error!.message).toMatch(/That removes 3,250 of 5,000 people \(65 %\), more than this audience's 20 % limit\. The file has 1,750 rows; the one last synced had 5,000/);
    expect(spending()).toBe(spent);
    expect(sim.membership(created.tiktokAudienceId!)?.size).toBe(5300);
    expect(app.store.snapshots.meta(audience.id)?.entryCount).toBe(5000);

    // Over the limit, the choice to replace is for exactly the file shown: another file is asked about again.
    app.sync.confirmRemovals(audience.id, held.runId);
    const other = (await syncFile(emails(0, 1800))).outcome;
    expect(other).toMatchObject({ status: 'held', removes: 3200, hold: { reason: 'membership', confirmed: false, repeated: false } });
    expect(spending()).toBe(spent);
    app.sync.confirmRemovals(audience.id, other.runId);
    expect(await app.sync.sync(audience.id, 'manual')).toMatchObject({ status: 'done', strategy: 'adopt' });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1800)));
    expect(app.store.holds.get(audience.id)).toBeNull();
  });

  it('a dry run says the sync would be held, and holds nothing; after a confirmation it says the change goes ahead', async () => {
    const { audience } = await syncFile(emails(0, 5000));
    const runs = app.store.runs.list({ audienceId: audience.id }).length;
    const plan = (await syncFile(emails(0, 1750), { dryRun: true })).outcome;
    expect(plan).toMatchObject({ status: 'planned', removes: 3250, hold: { confirmed: false, runId: null } });
    expect(plan.hold!.message).toMatch(/would remove 3,250 of 5,000 people \(65 %\), more than this audience's 20 % limit, so it will be held until you confirm it/);
    expect(app.store.holds.get(audience.id)).toBeNull();
    expect(app.store.runs.list({ audienceId: audience.id })).toHaveLength(runs);

    const held = await app.sync.sync(audience.id, 'manual');
    app.sync.confirmRemovals(audience.id, held.runId);
    expect((await app.sync.plan(audience.id)).hold).toMatchObject({ confirmed: true });
    expect(app.store.holds.get(audience.id)).toMatchObject({ state: 'confirmed' });
  });

  it('the first sync and an undo are not held', async () => {
    const { audience, outcome: created } = await syncFile(emails(0, 1500));
    expect((await syncFile(emails(0, 6000))).outcome).toMatchObject({ status: 'done', adds: 4500, removes: 0 });
    const undo = await app.sync.undo(audience.id); // takes 4,500 of 6,000 back out: the user asked for exactly that
    expect(undo).toMatchObject({ status: 'done', removes: 4500, hold: null });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1500)));
  });

  it('partner audiences follow the same rule: held before any mapping call, then sent once confirmed', async () => {
    const partner = (list: readonly string[]) => new Set(list.map((e) => `EMAIL_SHA256:${sha256Hex(e)}`));
    const { audience, outcome: created } = await syncFile(emails(0, 2000), { name: 'Partner', api: 'segment' });
    expect(created).toMatchObject({ status: 'done', strategy: 'create' });
    const mappings = sim.requests('segment/mapping').length;

    const held = (await syncFile(emails(0, 1200), { name: 'Partner', api: 'segment' })).outcome;
    expect(held).toMatchObject({ status: 'held', removes: 800, currentSize: 2000, callsUsed: 0, hold: { percent: 40 } });
    expect(sim.requests('segment/mapping')).toHaveLength(mappings);
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(partner(emails(0, 2000)));
    expect(app.store.runs.get(held.runId!)).toMatchObject({ status: 'held', removes: 800 });

    expect((await syncFile(emails(0, 1200), { name: 'Partner', api: 'segment', dryRun: true })).outcome.hold).toMatchObject({ confirmed: false });
    app.sync.confirmRemovals(audience.id, held.runId);
    expect(await app.sync.sync(audience.id, 'manual')).toMatchObject({ status: 'done', removes: 800 });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(partner(emails(0, 1200)));
  });

  it('a scheduled run that hits the hold is not retried every tick; the next slot checks the file again', async () => {
    const { audience } = await syncFile(emails(0, 5000));
    app.store.audiences.update(audience.id, { cadence: { kind: 'hourly' } });
    const spent = spending();
    writeEmailCsv(path.join(dir, 'Buyers.csv'), emails(0, 1750));
    const outcomes: SyncOutcome[] = [];
    const scheduler = app.createScheduler({
      runAudience: async (id, trigger) => {
        const o = await app.sync.sync(id, trigger);
        outcomes.push(o);
        return o;
      },
    });
    const HOUR = 3_600_000;
    const slot = Math.floor(clock.getTime() / HOUR) * HOUR + HOUR; // the next hourly slot after the audience was made
    clock = new Date(slot + 60_000);
    await scheduler.tick();
    expect(outcomes.map((o) => o.status)).toEqual(['held']);
    expect(outcomes[0]!.hold!.repeated).toBe(false);
    expect(app.store.runs.get(outcomes[0]!.runId!)).toMatchObject({ trigger: 'schedule', status: 'held' });

    // Held is not failed: no retry at every tick within the slot.
    for (const minutes of [2, 30, 59]) {
      clock = new Date(slot + minutes * 60_000);
      await scheduler.tick();
    }
    expect(outcomes).toHaveLength(1);
    expect(scheduler.nextRun(app.store.audiences.require(audience.id), clock)?.getTime()).toBe(slot + HOUR);

    // The next slot reads the file again: the same change is held again, as a repeat (no second notification).
    clock = new Date(slot + HOUR + 60_000);
    await scheduler.tick();
    expect(outcomes).toHaveLength(2);
    expect(outcomes[1]).toMatchObject({ status: 'held', hold: { repeated: true, runId: outcomes[0]!.runId } });
    expect(spending()).toBe(spent);
  });

});
