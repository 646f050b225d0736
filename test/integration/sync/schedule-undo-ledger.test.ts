/**
 * Schedules, undo and the ledger (#15 §3), against the offline sandbox over real HTTP with real SQLite files: a slot
 * another sync blocked runs afterwards; a refused undo changes nothing; the daily ledger counts what TikTok counts
 * (not rate-limit or expired-file refusals), cached uploads past their lifetime are uploaded again first, a clock a
 * little ahead at midnight waits minutes, not a day, and a deferral by the one-REPLACE rule says so.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import { utcDay } from '../../../electron/core/store/quota-repo';
import { acquireAudienceLock } from '../../../electron/core/sync/locks';
import { msUntilNextUtcMidnight } from '../../../electron/core/tiktok/errors';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, upload } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const HOUR = 3_600_000;
const ADV = () => sim.advertiserIds[0]!;
const updates = () => sim.requests('dmp/custom_audience/update');
const uploads = () => sim.requests('dmp/custom_audience/file/upload').length;
/** The engine's clock is the simulator's (optionally ahead of it), and its sleeps move the simulator's clock. */
const onSimClock = (aheadMs = 0) => openSandboxApp({ now: () => new Date(sim.now() + aheadMs), runner: { sleep: async (ms) => sim.advanceClock(ms) } });

afterEach(async () => close());

async function syncFile(list: readonly string[], name: string) {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
  return { audience: a, outcome: await app.sync.sync(a.id, 'cli') };
}

/** A QPM refusal of the next audience change: the run ends deferred (a 5-minute wait) with its files uploaded. */
function throttleNextUpdate(times = 1) {
  sim.faults.add({ kind: 'tiktok-code', endpoint: 'dmp/custom_audience/update', code: 40100, message: "Too many requests: the app's QPM limit (600 per minute) is reached. Retry in 5 minutes.", times });
}

/** Calls the ledger and TikTok counted for the audience over the UTC days of `times`. */
function counted(audienceId: number, tiktokId: string, times: number[]) {
  const days = [...new Set(times.map((t) => utcDay(new Date(t))))];
  return {
    ledger: days.reduce((n, d) => n + app.store.quota.used(audienceId, new Date(`${d}T12:00:00Z`)), 0),
    tiktok: days.reduce((n, d) => n + sim.callsOn(tiktokId, d), 0),
  };
}

describe('a scheduled slot another sync blocks', () => {
  it('is not served while a sync of the audience runs, and runs once that sync has ended', async () => {
    ({ sim, app, dir, close } = await openSandboxApp());
    const { audience, outcome: first } = await syncFile(emails(0, 1200), 'Hourly');
    app.store.audiences.update(audience.id, { cadence: { kind: 'hourly' } });
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR).toISOString();
    app.store.db.prepare('UPDATE audiences SET schedule_last_slot = ?, created_at = ? WHERE id = ?').run(twoHoursAgo, new Date(Date.now() - 3 * HOUR).toISOString(), audience.id);
    writeEmailCsv(path.join(dir, 'Hourly.csv'), emails(0, 1300));
    const runsBefore = app.store.runs.list({ audienceId: audience.id }).length;

    const release = acquireAudienceLock(app.store, audience.id, 'a manual sync'); // "Sync now" is running
    await app.scheduler.tick();
    await app.scheduler.tick();
    expect(app.store.runs.list({ audienceId: audience.id })).toHaveLength(runsBefore);
    expect(app.scheduler.dueReason(app.store.audiences.require(audience.id))?.kind).toBe('slot');

    release();
    await app.scheduler.tick();
    const [last] = app.store.runs.list({ audienceId: audience.id, limit: 1 });
    expect(last).toMatchObject({ trigger: 'schedule', status: 'done', adds: 100 });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1300)));
    await app.scheduler.tick();
    expect(app.store.runs.list({ audienceId: audience.id })).toHaveLength(runsBefore + 1);
  });
});

describe('a refused undo changes nothing', () => {
  it('refused while a sync runs: the schedule keeps running and no run is recorded', async () => {
    ({ sim, app, dir, close } = await openSandboxApp());
    const { audience } = await syncFile(emails(0, 1500), 'Busy');
    await syncFile(emails(0, 1700), 'Busy');
    app.store.audiences.update(audience.id, { cadence: { kind: 'hourly' } });
    const runs = app.store.runs.list({ audienceId: audience.id }).length;
    const release = acquireAudienceLock(app.store, audience.id, 'another sync');
    await expect(app.sync.undo(audience.id)).rejects.toMatchObject({ code: 'SYNC_RUNNING' });
    release();
    expect(app.store.audiences.require(audience.id).paused).toBe(false);
    expect(app.store.runs.list({ audienceId: audience.id })).toHaveLength(runs);
  });

  it('refused by the 1,000 floor: nothing is sent and the schedule is not paused', async () => {
    ({ sim, app, dir, close } = await openSandboxApp());
    const { audience, outcome } = await syncFile(emails(0, 1500), 'Only one sync');
    app.store.audiences.update(audience.id, { cadence: { kind: 'hourly' } });
    const undo = await app.sync.undo(audience.id); // undoing the create would leave nobody
    expect(undo).toMatchObject({ status: 'failed', callsUsed: 0, schedulePaused: false, error: { code: 'AUDIENCE_TOO_SMALL' } });
    // In an undo's words: no sync advice ("add more people to the cohort…") that does not fit an undo.
    const words = 'Undoing the last sync would leave the audience with 0 people (now 1,500, +0, −1,500), and TikTok rejects any change that leaves fewer than 1,000, so that sync cannot be undone. Nothing was sent: the audience stays as it is.';
    expect(undo.error?.message).toBe(words);
    expect((await app.sync.undoPreview(audience.id)).outcome.error?.message).toBe(words);
    expect(app.store.audiences.require(audience.id).paused).toBe(false);
    expect(sim.membership(outcome.tiktokAudienceId!)!.size).toBe(1500);
  });
});

describe('the daily ledger counts what TikTok counts', () => {
  it('under 50 % rate limiting a first sync of 20 calls finishes the same day, counting 20', async () => {
    // 20 calls of one 2,000-hash file each; no client-side rate limiter (TikTok's answers are the limit here).
    ({ sim, app, dir, close } = await openSandboxApp({ runner: { maxAttempts: 12, hashesPerFile: 2000, filesPerCall: 1 }, clientOptions: { limiter: null } }));
    sim.faults.add({ kind: 'rate-limit', endpoint: ['dmp/custom_audience/create', 'dmp/custom_audience/update'], probability: 0.5 });
    const { audience, outcome } = await syncFile(emails(0, 40_000), 'Throttled launch');
    expect(sim.faults.fired.filter((f) => f.kind === 'rate-limit').length).toBeGreaterThan(5);
    expect(outcome).toMatchObject({ status: 'done', callsUsed: 20 });
    expect(app.sync.quota(audience.id).used).toBe(20);
    expect(sim.callsOn(outcome.tiktokAudienceId!)).toBe(20);
    expect(sim.membership(outcome.tiktokAudienceId!)!.size).toBe(40_000);
  });

  it('a rate-limit refusal (40100) and an expired file path (40910) cost no call of the day', async () => {
    ({ sim, app, dir, close } = await onSimClock());
    sim.configure({ fileTtlMs: HOUR }); // TikTok expires file paths sooner than the app re-uses them
    const { audience, outcome: first } = await syncFile(emails(0, 1500), 'Refusals');
    const t0 = sim.now();
    throttleNextUpdate();
    const { outcome: throttled } = await syncFile(emails(0, 1800), 'Refusals');
    expect(throttled).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'RATE_LIMITED' } });
    sim.advanceClock(2 * HOUR);
    const done = await app.sync.sync(audience.id, 'catch-up');
    expect(done).toMatchObject({ status: 'done', callsUsed: 1 });
    expect(updates().map((r) => r.code)).toEqual([40100, 40910, 0]);
    expect(counted(audience.id, first.tiktokAudienceId!, [t0, sim.now()])).toEqual({ ledger: 2, tiktok: 2 });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1800)));
  });

  it('an uploaded file past its lifetime is uploaded again before a call uses it; a recent one is re-used', async () => {
    ({ sim, app, dir, close } = await onSimClock());
    const { audience, outcome: first } = await syncFile(emails(0, 1500), 'Old files');
    throttleNextUpdate(2);
    expect((await syncFile(emails(0, 1800), 'Old files')).outcome.status).toBe('deferred');
    const uploaded = uploads();
    sim.advanceClock(HOUR);
    expect((await app.sync.sync(audience.id, 'catch-up')).status).toBe('deferred');
    expect(uploads()).toBe(uploaded); // an hour old: re-used

    sim.advanceClock(25 * HOUR); // past TikTok's 24 h
    const done = await app.sync.sync(audience.id, 'catch-up');
    expect(done).toMatchObject({ status: 'done', callsUsed: 1 });
    expect(uploads()).toBeGreaterThan(uploaded);
    expect(updates().map((r) => r.code)).not.toContain(40910);
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1800)));
  });

  it("a clock 90 s ahead at midnight: TikTok's refusal for its old day is retried minutes later, not a day later", async () => {
    ({ sim, app, dir, close } = await onSimClock(90_000));
    const toMidnight = msUntilNextUtcMidnight(sim.now());
    sim.advanceClock(toMidnight - 2 * 60_000 + (toMidnight < 3 * 60_000 ? 24 * HOUR : 0)); // TikTok: 23:58
    sim.configure({ dailyAudienceCallCap: 1 });
    const { audience, outcome: first } = await syncFile(emails(0, 1500), 'Midnight'); // TikTok's day: its one call
    sim.advanceClock(60_000); // TikTok 23:59:00, this computer 00:00:30 of the next day

    const { outcome } = await syncFile(emails(0, 1800), 'Midnight');
    const at = sim.now() + 90_000;
    expect(outcome).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'QUOTA_EXHAUSTED' } });
    expect(outcome.error!.message).toMatch(/day has not begun yet/);
    expect(Date.parse(outcome.deferredUntil!) - at).toBeLessThanOrEqual(10 * 60_000);
    expect(app.sync.quota(audience.id).used).toBe(0); // TikTok refused it: it counts for neither day

    sim.advanceClock(Date.parse(outcome.deferredUntil!) - at);
    const done = await app.sync.sync(audience.id, 'catch-up');
    expect(done).toMatchObject({ status: 'done', callsUsed: 1 });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1800)));
  });
});

describe('a deferral by the one-REPLACE-a-day rule', () => {
  it('says so, in a dry run, the run and the sync log, and not that the day\'s calls are used', async () => {
    ({ sim, app, dir, close } = await onSimClock());
    const { client } = clientFor(sim);
    const list = emails(0, 1500);
    const { audience, outcome: first } = await syncFile(list, 'Edited twice');
    const editElsewhere = async (from: number) => {
      sim.advanceClock(HOUR);
      await client.updateAudience({ advertiserId: ADV(), audienceId: first.tiktokAudienceId!, action: 'APPEND', filePaths: [await upload(client, ADV(), emails(from, 200).map(sha256Hex))] });
      sim.advanceClock(HOUR);
    };
    // A change elsewhere holds the sync until the user chooses to replace the membership with the file.
    const replaceOnce = async () => {
      const held = (await syncFile(list, 'Edited twice')).outcome;
      expect(held).toMatchObject({ status: 'held', hold: { reason: 'membership' } });
      app.sync.confirmRemovals(audience.id, held.runId);
    };
    await editElsewhere(5000);
    await replaceOnce();
    expect((await syncFile(list, 'Edited twice')).outcome).toMatchObject({ status: 'done', strategy: 'adopt' }); // one REPLACE
    await editElsewhere(6000);
    await replaceOnce();

    const plan = await app.sync.plan(audience.id);
    expect(plan).toMatchObject({ status: 'planned', strategy: 'adopt' });
    expect(plan.deferredReason).toMatch(/one full replace of an audience a day.*less than 24 hours ago/);
    const outcome = await app.sync.sync(audience.id, 'cli');
    expect(outcome).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'REPLACE_PENDING' } });
    for (const words of [plan.deferredReason, outcome.deferredReason, outcome.error!.message, app.store.runs.get(outcome.runId!)!.errorMessage]) {
      expect(words).toMatch(/one full replace/);
      expect(words).not.toMatch(/calls.*(are )?used/);
    }
  });
});
