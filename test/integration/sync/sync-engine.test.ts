import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let clock: Date;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => {
  clock = new Date('2026-11-24T10:00:00Z');
  ({ sim, app, dir, close } = await openSandboxApp({ now: () => clock }));
});
afterEach(async () => close());

async function syncFile(list: readonly string[], name = 'Buyers') {
  const csv = path.join(dir, 'cohort.csv');
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
  return { audience: a, outcome: await app.sync.sync(a.id, 'cli') };
}

const audienceCalls = () => sim.requests('dmp/custom_audience/create').length + sim.requests('dmp/custom_audience/update').length;

describe('sync engine against the offline sandbox', () => {
  it('a first sync creates the audience with exactly the cohort', async () => {
    const list = emails(0, 1500);
    const { outcome } = await syncFile(list);
    expect(outcome.status).toBe('done');
    expect(outcome.strategy).toBe('create');
    expect(outcome.adds).toBe(1500);
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(hashSet(list));
    expect(outcome.callsUsed).toBe(1);
    expect(sim.audiences(ADV()).filter((a) => a.name === 'Buyers')).toHaveLength(1);
  });

  it('an incremental sync sends only the diff, APPEND before REMOVE, and an unchanged file sends nothing', async () => {
    const first = await syncFile(emails(0, 3000));
    const updatesBefore = sim.requests('dmp/custom_audience/update').length;
    const second = emails(150, 3000); // 150 leave, 150 join
    const { outcome } = await syncFile(second);
    expect(outcome).toMatchObject({ status: 'done', strategy: 'incremental', adds: 150, removes: 150, callsUsed: 2 });
    const updates = sim.requests('dmp/custom_audience/update');
    expect(updates).toHaveLength(updatesBefore + 2);
    expect(sim.membership(first.outcome.tiktokAudienceId!)).toEqual(hashSet(second));

    const before = audienceCalls();
    const again = await syncFile(second);
    expect(again.outcome).toMatchObject({ status: 'done', strategy: 'nothing', callsUsed: 0 });
    expect(audienceCalls()).toBe(before);
  });

  it('refuses to change the key of a saved audience and points to a new audience', async () => {
    await syncFile(emails(0, 1200));
    await expect(app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Buyers', key: 'phone', column: 'email', sourcePath: path.join(dir, 'cohort.csv'), profile: DEFAULT_PROFILE })).rejects.toMatchObject({
      code: 'KEY_TYPE_LOCKED',
      message: expect.stringMatching(/cannot change.*new audience/),
    });
  });

  it('never sends a change that leaves fewer than 1,000, and says so with the numbers', async () => {
    await syncFile(emails(0, 1100));
    const before = audienceCalls();
    const { outcome } = await syncFile(emails(0, 900));
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('AUDIENCE_TOO_SMALL');
    expect(outcome.error?.message).toMatch(/900 people \(now 1,100, \+0, −200\)/);
    expect(audienceCalls()).toBe(before);
  });

  it('defers what the daily budget cannot fit to the next UTC day, then finishes it', async () => {
    app.store.settings.set('quota.dailyBudget', 2);
    const { outcome: first, audience } = await syncFile(emails(0, 2000)); // create: 1 call
    expect(first.callsUsed).toBe(1);
    const target = emails(0, 4500); // 2,500 adds = two APPEND calls; a REPLACE would need three
    const { outcome } = await syncFile(target);
    expect(outcome).toMatchObject({ status: 'deferred', callsUsed: 1, deferredUntil: '2026-11-25T00:00:00.000Z' });
    expect(app.store.quota.used(audience.id, clock)).toBe(2);
    const again = await app.sync.sync(audience.id, 'schedule');
    expect(again).toMatchObject({ status: 'deferred', callsUsed: 0 });
    clock = new Date('2026-11-25T00:00:01Z');
    const next = await app.sync.sync(audience.id, 'catch-up');
    expect(next).toMatchObject({ status: 'done', callsUsed: 1 });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(target));
  });

  it('an audience still processing (40002) is retried later, not failed', async () => {
    sim.configure({ processingDelayMs: 3_600_000 });
    const { outcome: first, audience } = await syncFile(emails(0, 1500));
    expect(first.status).toBe('done');
    // TikTok is still processing the new audience: the APPEND meets 40002.
    const { outcome } = await syncFile(emails(0, 1600));
    expect(outcome.status).toBe('deferred');
    expect(outcome.error?.code).toBe('AUDIENCE_PROCESSING');
    sim.settle();
    sim.configure({ processingDelayMs: 0 });
    clock = new Date(clock.getTime() + 31 * 60_000);
    const retry = await app.sync.sync(audience.id, 'catch-up');
    expect(retry.status).toBe('done');
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1600)));
  });

  it('a lost acknowledgement of create finds the audience by name instead of creating a duplicate', async () => {
    sim.faults.failNext('dmp/custom_audience/create', 'lost-ack');
    const list = emails(0, 1300);
    const { outcome } = await syncFile(list);
    expect(outcome.status).toBe('done');
    expect(sim.audiences(ADV()).filter((a) => a.name === 'Buyers')).toHaveLength(1);
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(hashSet(list));
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(1);
  });

  it('a lost acknowledgement of an update is resent and converges exactly', async () => {
    const { outcome: first } = await syncFile(emails(0, 2000));
    sim.faults.failNext('dmp/custom_audience/update', 'lost-ack');
    const target = emails(100, 2000);
    const { outcome } = await syncFile(target);
    expect(outcome.status).toBe('done');
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(target));
  });

  it('a change that may have been applied without an answer is undone exactly after the cohort changes back', async () => {
    const original = emails(0, 2000);
    const { outcome: first } = await syncFile(original);
    // Every answer to the APPEND is lost (the change is applied each time): the run gives up.
    sim.faults.failNext('dmp/custom_audience/update', 'lost-ack', 20);
    const { outcome: lost } = await syncFile(emails(0, 2300));
    expect(lost.status).toBe('failed');
    expect(sim.membership(first.tiktokAudienceId!)!.size).toBe(2300);
    sim.faults.reset();
    // The cohort goes back to the original: the 300 that may have been added are removed.
    const { outcome } = await syncFile(original);
    expect(outcome.status).toBe('done');
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(original));
    // Nothing is uncertain after a completed run: an unchanged file costs nothing.
    const again = await syncFile(original);
    expect(again.outcome).toMatchObject({ status: 'done', callsUsed: 0 });
  });

  it('a crash after a REMOVE reached TikTok unacknowledged still re-adds people who come back', async () => {
    const original = emails(0, 2000);
    const { outcome: first, audience } = await syncFile(original);
    sim.faults.failNext('dmp/custom_audience/update', 'lost-ack', 20);
    const { outcome: lost } = await syncFile(emails(100, 1900)); // REMOVE of 100 applied, never answered
    expect(lost.status).toBe('failed');
    sim.faults.reset();
    expect(app.store.snapshots.meta(audience.id)?.entryCount).toBe(2000);
    const { outcome } = await syncFile(original); // they come back
    expect(outcome.status).toBe('done');
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(original));
  });

  it('20 % injected faults on every endpoint still end with the exact membership, inside the budget', async () => {
    for (const kind of ['http5xx', 'code50000', 'drop', 'lost-ack', 'rate-limit'] as const) {
      sim.faults.add({ kind, probability: 0.04, endpoint: ['dmp/custom_audience/file/upload', 'dmp/custom_audience/create', 'dmp/custom_audience/update', 'dmp/custom_audience/list', 'dmp/custom_audience/get'] });
    }
    const versions = [emails(0, 3000), emails(400, 3200), emails(900, 2500), emails(0, 4000)];
    let audienceId = 0;
    for (const list of versions) {
      let outcome;
      for (let i = 0; i < 10; i++) {
        ({ outcome } = await syncFile(list));
        audienceId = (await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Buyers', key: 'email', column: 'email', sourcePath: path.join(dir, 'cohort.csv'), profile: DEFAULT_PROFILE })).id;
        app.store.audiences.update(audienceId, { removalLimitPct: null }); // Big changes on purpose: the removal limit (held syncs) has its own tests (removal-limit.test.ts).
        if (outcome.status === 'done') break;
      }
      expect(outcome!.status).toBe('done');
      const remote = app.store.audiences.require(audienceId).tiktokAudienceId!;
      expect(sim.membership(remote)).toEqual(hashSet(list));
    }
    expect(app.store.quota.used(audienceId, clock)).toBeLessThanOrEqual(24);
    expect(sim.audiences(ADV()).filter((a) => a.name === 'Buyers')).toHaveLength(1);
  });

  it('undo sends the inverse of the last sync and pauses the schedule', async () => {
    const original = emails(0, 2000);
    const { audience, outcome: first } = await syncFile(original);
    await syncFile(emails(300, 2000));
    const undo = await app.sync.undo(audience.id);
    expect(undo).toMatchObject({ status: 'done', adds: 300, removes: 300 });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(original));
    expect(app.store.audiences.require(audience.id).paused).toBe(true);
    await expect(app.sync.undo(audience.id)).rejects.toMatchObject({ code: 'UNDO_REFUSED' });
  });

  it('records every run and every API call in the sync log, without tokens or hashes', async () => {
    const { outcome } = await syncFile(emails(0, 1200));
    const run = app.store.runs.get(outcome.runId!)!;
    expect(run).toMatchObject({ status: 'done', rowsRead: 1200, valid: 1200, adds: 1200, callsUsed: 1 });
    const calls = app.store.runs.apiCalls(run.id);
    expect(calls.map((c) => c.endpoint)).toEqual(expect.arrayContaining(['dmp/custom_audience/file/upload/', 'dmp/custom_audience/create/']));
    expect(calls.every((c) => c.requestId && c.code === 0)).toBe(true);
    const dump = JSON.stringify(calls);
    expect(dump).not.toContain(sim.accessToken);
    expect(dump).not.toMatch(/[0-9a-f]{64}/);
  });

  it('a revoked token stops the sync and marks nothing done', async () => {
    const { audience } = await syncFile(emails(0, 1200));
    sim.revokeToken(sim.accessToken);
    writeEmailCsv(path.join(dir, 'cohort.csv'), emails(0, 1300));
    const o = await app.sync.sync(audience.id, 'manual');
    expect(o.status).toBe('failed');
    expect(o.error?.code).toBe('AUTH_EXPIRED');
    expect(app.store.snapshots.meta(audience.id)?.entryCount).toBe(1200);
  });
});
