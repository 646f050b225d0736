/**
 * #11 item 7 and 8: an audience row tells the truth about its last sync — waiting for the day's calls (until when, with
 * what is done apart from what is left), retrying while TikTok processes, partly synced, cancelled after N added, already
 * up to date (not an error) — and an audience saved as "start when the cohort reaches 1,000" is not created at TikTok
 * until its file holds 1,000 people. Real SQLite, the simulator over HTTP.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import { audienceView } from '../../../electron/core/engine/views';
import { recordDelta } from '../../../electron/core/sync/deltas';
import { setWaitForFloor, waitsForFloor } from '../../../electron/core/sync/floor-wait';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import type { SyncOutcome } from '../../../electron/core/sync/sync-runner';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let clock: Date;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;
const csv = () => path.join(dir, 'cohort.csv');

beforeEach(async () => {
  clock = new Date('2026-11-24T10:00:00Z');
  ({ sim, app, dir, close } = await openSandboxApp({ now: () => clock }));
});
afterEach(async () => close());

async function audienceFor(list: readonly string[], name = 'Buyers') {
  writeEmailCsv(csv(), list);
  return app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name, key: 'email', column: 'email', sourcePath: csv(), profile: DEFAULT_PROFILE });
}

function view(id: number) {
  return audienceView(app.store, app.store.audiences.require(id), { now: clock, nextRun: () => null, running: () => false, quota: (a) => app.sync.quota(a) });
}

const hashes = (list: readonly string[]) => Buffer.concat(list.map((e) => Buffer.from(sha256Hex(e), 'hex')).sort(Buffer.compare));

describe('the last sync as the audience row tells it', () => {
  it('waiting for the day calls: nothing added yet, 2,500 left, until the next UTC midnight; calls shown are calls spent', async () => {
    app.store.settings.set('quota.dailyBudget', 1);
    const a = await audienceFor(emails(0, 2000));
    expect((await app.sync.sync(a.id, 'manual')).status).toBe('done');
    expect(view(a.id).syncNote).toBeNull();
    writeEmailCsv(csv(), emails(0, 4500));
    const o = await app.sync.sync(a.id, 'schedule');
    expect(o.status).toBe('deferred');
    expect(view(a.id).syncNote).toEqual({ kind: 'waiting_quota', runId: o.runId, added: 0, removed: 0, addsLeft: 2500, removesLeft: 0, callsUsed: 0, until: '2026-11-25T00:00:00.000Z', size: null });
    expect(view(a.id).callsLeftToday).toBe(0);
  });

  it('a daily budget stored above TikTok\'s 24 (before the cap) is used as 24', () => {
    app.store.settings.set('quota.dailyBudget', 100);
    expect(app.sync.dailyBudget).toBe(24);
  });

  it('an unchanged file is "already up to date", a neutral note, not an error', async () => {
    const a = await audienceFor(emails(0, 1500));
    await app.sync.sync(a.id, 'manual');
    const again = await app.sync.sync(a.id, 'manual');
    expect(again).toMatchObject({ status: 'done', callsUsed: 0 });
    const v = view(a.id);
    expect(v.syncNote).toMatchObject({ kind: 'up_to_date', added: 0, removed: 0, callsUsed: 0 });
    expect(v.state).not.toBe('error');
  });

  it('TikTok still processing: retrying, with the next try time', async () => {
    sim.configure({ processingDelayMs: 3_600_000 });
    const a = await audienceFor(emails(0, 1500));
    await app.sync.sync(a.id, 'manual');
    writeEmailCsv(csv(), emails(0, 1600));
    const o = await app.sync.sync(a.id, 'manual');
    expect(o.status).toBe('deferred');
    const note = view(a.id).syncNote!;
    expect(note).toMatchObject({ kind: 'retrying', added: 0, addsLeft: 100, until: o.deferredUntil });
    expect(Date.parse(note.until!)).toBeGreaterThan(clock.getTime());
  });

  it('partly synced and cancelled: what TikTok acknowledged apart from what is left', async () => {
    const a = await audienceFor(emails(0, 1500));
    await app.sync.sync(a.id, 'manual');
    // A run that sent its APPEND (300 people), then failed before its REMOVE of 200.
    const failed = app.store.runs.start({ audienceId: a.id, trigger: 'schedule' });
    app.store.runs.setCounts(failed.id, { adds: 300, removes: 200 });
    app.store.runs.addCallsUsed(failed.id, 1);
    app.store.transaction(() => recordDelta(app.store, failed.id, hashes(emails(5000, 300)), Buffer.alloc(0)));
    app.store.runs.finish(failed.id, 'failed', { errorCode: 'NETWORK', errorMessage: 'TikTok could not be reached.' });
    expect(view(a.id).syncNote).toEqual({ kind: 'partly_synced', runId: failed.id, added: 300, removed: 0, addsLeft: 0, removesLeft: 200, callsUsed: 1, until: null, size: null });

    const cancelled = app.store.runs.start({ audienceId: a.id, trigger: 'manual' });
    app.store.runs.setCounts(cancelled.id, { adds: 4000, removes: 0 });
    app.store.runs.addCallsUsed(cancelled.id, 1);
    app.store.transaction(() => recordDelta(app.store, cancelled.id, hashes(emails(9000, 2000)), Buffer.alloc(0)));
    app.store.runs.finish(cancelled.id, 'cancelled', { errorCode: 'CANCELLED', errorMessage: 'Cancelled.' });
    expect(view(a.id).syncNote).toMatchObject({ kind: 'cancelled', added: 2000, addsLeft: 2000, callsUsed: 1 });
  });

  it('a sync the floor stopped shows the size it would have left (the blocked size), nothing sent', async () => {
    const a = await audienceFor(emails(0, 1100));
    await app.sync.sync(a.id, 'manual');
    writeEmailCsv(csv(), emails(0, 900));
    const o = await app.sync.sync(a.id, 'manual');
    expect(o.error?.code).toBe('AUDIENCE_TOO_SMALL');
    expect(view(a.id).syncNote).toMatchObject({ kind: 'floor_blocked', size: 900, added: 0, removed: 0, callsUsed: 0 });
  });

  it('a failed run that sent nothing is no partial sync (its error is the state)', async () => {
    const a = await audienceFor(emails(0, 1500));
    const r = app.store.runs.start({ audienceId: a.id, trigger: 'manual' });
    app.store.runs.finish(r.id, 'failed', { errorCode: 'NETWORK', errorMessage: 'x' });
    expect(view(a.id).syncNote).toBeNull();
  });
});

describe('"Start when the cohort reaches 1,000"', () => {
  it('no sync creates the audience while the file is under 1,000; the first one that finds 1,000 creates it', async () => {
    const a = await audienceFor(emails(0, 640));
    setWaitForFloor(app.store, a, true);
    expect(view(a.id)).toMatchObject({ startAtFloor: true, syncNote: { kind: 'waiting_cohort', size: null } });

    const waiting = await app.sync.sync(a.id, 'schedule');
    expect(waiting).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'AUDIENCE_TOO_SMALL' } });
    expect(waiting.error!.message).toMatch(/Waiting for the cohort to reach 1,000 people \(the file has 640\)/);
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(0);
    expect(app.store.audiences.require(a.id).tiktokAudienceId).toBeNull();
    expect(view(a.id).syncNote).toMatchObject({ kind: 'waiting_cohort', size: 640, callsUsed: 0 });
    // Nothing was sent: the row does not claim a last sync.
    expect(view(a.id).lastSync).toBeNull();

    writeEmailCsv(csv(), emails(0, 1200));
    const created = await app.sync.sync(a.id, 'schedule');
    expect(created).toMatchObject({ status: 'done', callsUsed: 1 });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1200)));
    const after = app.store.audiences.require(a.id);
    expect(waitsForFloor(app.store, after)).toBe(false);
    expect(view(a.id)).toMatchObject({ startAtFloor: false, syncNote: null });
  });

  it('the scheduler runs a waiting audience at each slot; nothing is created until a slot finds 1,000, and no retry in between', async () => {
    // Slots count from the audience's creation, stamped with the real clock.
    clock = new Date();
    const a = await audienceFor(emails(0, 640));
    app.store.audiences.update(a.id, { cadence: { kind: 'hourly' } });
    setWaitForFloor(app.store, a, true);
    const outcomes: SyncOutcome[] = [];
    const scheduler = app.createScheduler({
      runAudience: async (id, trigger) => {
        const o = await app.sync.sync(id, trigger);
        outcomes.push(o);
        return o;
      },
    });
    const HOUR = 3_600_000;
    const slot = Math.floor(clock.getTime() / HOUR) * HOUR + HOUR;
    clock = new Date(slot + 60_000);
    await scheduler.tick();
    expect(outcomes.map((o) => o.status)).toEqual(['deferred']);
    clock = new Date(slot + 30 * 60_000);
    await scheduler.tick();
    expect(outcomes).toHaveLength(1);
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(0);

    writeEmailCsv(csv(), emails(0, 1000));
    clock = new Date(slot + HOUR + 60_000);
    await scheduler.tick();
    expect(outcomes.map((o) => o.status)).toEqual(['deferred', 'done']);
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(1);
    expect(sim.membership(outcomes[1]!.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1000)));
  });

  it('without the mark a small cohort is created now (usable at 1,000), as before', async () => {
    const a = await audienceFor(emails(0, 640));
    const o = await app.sync.sync(a.id, 'manual');
    expect(o.status).toBe('done');
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(1);
  });

  it('the mark does not pass to a later audience that reuses the id', async () => {
    const a = await audienceFor(emails(0, 640));
    setWaitForFloor(app.store, a, true);
    expect(waitsForFloor(app.store, { ...a, createdAt: '2030-01-01T00:00:00.000Z' })).toBe(false);
    setWaitForFloor(app.store, a, false);
    expect(waitsForFloor(app.store, a)).toBe(false);
  });
});
