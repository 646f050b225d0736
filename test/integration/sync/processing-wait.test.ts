/**
 * Never a call spent on an audience TikTok is still processing (review of session 7, 2b): two files of 3,000 people
 * alternating on one audience, synced every 6 s while TikTok takes 5 s to process each change. Before an edit of an
 * audience changed moments ago the engine asks TikTok (the get call, a read) and defers while it processes; the
 * ledger, the runs' calls sent and the sandbox's own counter agree. Real HTTP against the sandbox, real SQLite; the
 * engine's clock is the simulator's.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ sim, app, dir, close } = await openSandboxApp({ now: () => new Date(sim.now()), runner: { sleep: async (ms) => sim.advanceClock(ms), filesPerCall: 50 } }));
});
afterEach(async () => close());

describe('an audience TikTok is still processing', () => {
  it('alternating two files every 6 s spends no call on a refusal; ledger, runs and TikTok count the same calls', async () => {
    sim.configure({ processingDelayMs: 5_000 });
    const files = [emails(0, 3000), emails(100, 3000)];
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, files[0]!);
    const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: 'Alternating', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    const created = await app.sync.sync(a.id, 'cli');
    expect(created).toMatchObject({ status: 'done', callsUsed: 1 });
    const tiktokId = created.tiktokAudienceId!;

    const outcomes = [];
    for (let i = 1; i <= 11; i++) {
      sim.advanceClock(6_000);
      writeEmailCsv(csv, files[i % 2]!);
      outcomes.push(await app.sync.sync(a.id, 'cli'));
    }
    const updates = sim.requests('dmp/custom_audience/update');
    // TikTok refused nothing: each edit went out once TikTok had finished the last one.
    expect(updates.map((r) => r.code).filter((c) => c !== 0)).toEqual([]);
    expect(updates.length).toBeGreaterThanOrEqual(11);
    // The second call of a run waits for TikTok instead of being refused: deferred, with the reason.
    const waited = outcomes.filter((o) => o.status === 'deferred');
    expect(waited.length).toBeGreaterThan(0);
    for (const o of waited) expect(o.error).toMatchObject({ code: 'AUDIENCE_PROCESSING', message: expect.stringMatching(/still processing this audience/) });
    for (const o of outcomes) expect(o.status === 'done' || o.status === 'deferred').toBe(true);

    const used = app.sync.quota(a.id).used;
    expect(used).toBe(1 + updates.length);
    expect(sim.callsOn(tiktokId)).toBe(used);
    const runsSent = app.store.runs.list({ audienceId: a.id, limit: 100 }).reduce((n, r) => n + r.callsUsed, 0);
    expect(runsSent).toBe(used);

    // Synced on every 6 s, the audience comes to hold the last file, each call sent once TikTok finished the one before.
    let last = outcomes.at(-1)!;
    for (let i = 0; i < 3 && last.status !== 'done'; i++) {
      sim.advanceClock(6_000);
      last = await app.sync.sync(a.id, 'cli');
    }
    expect(last.status).toBe('done');
    expect(sim.requests('dmp/custom_audience/update').map((r) => r.code).filter((c) => c !== 0)).toEqual([]);
    expect(sim.membership(tiktokId)).toEqual(hashSet(files[11 % 2]!));
  });

  it('a run that waited before sending anything leaves nothing to undo: the file TikTok holds costs no call afterwards', async () => {
    sim.configure({ processingDelayMs: 5_000 });
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 3000));
    const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: 'Waited', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    const created = await app.sync.sync(a.id, 'cli');
    expect(created.status).toBe('done');
    // Another file while TikTok still processes the create: planned, nothing sent.
    writeEmailCsv(csv, emails(200, 3000));
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'AUDIENCE_PROCESSING' } });
    // Back to the file TikTok holds: nothing to send, now or later.
    sim.advanceClock(6_000);
    writeEmailCsv(csv, emails(0, 3000));
    expect((await app.sync.plan(a.id))).toMatchObject({ adds: 0, removes: 0 });
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', callsUsed: 0, adds: 0, removes: 0 });
    expect(sim.requests('dmp/custom_audience/update')).toEqual([]);
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 3000)));
  });

  it("a refusal the read could not foresee is charged once, alike in the ledger, the run's calls sent and TikTok's counter", async () => {
    await close();
    // The app's own last change is taken as long past (a 1 ms processing window): no read before the call.
    ({ sim, app, dir, close } = await openSandboxApp({ now: () => new Date(sim.now()), runner: { sleep: async (ms) => sim.advanceClock(ms), filesPerCall: 50, processingWindowMs: 1 } }));
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 3000));
    const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: 'Refused', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    const created = await app.sync.sync(a.id, 'cli');
    expect(created.status).toBe('done');
    sim.configure({ processingDelayMs: 60_000 });
    writeEmailCsv(csv, emails(0, 3100));
    expect((await app.sync.sync(a.id, 'cli')).status).toBe('done');
    // TikTok processes that APPEND for a minute; the next change goes out at once and is refused.
    writeEmailCsv(csv, emails(0, 3200));
    const outcome = await app.sync.sync(a.id, 'cli');
    expect(outcome).toMatchObject({ status: 'deferred', callsUsed: 1, error: { code: 'AUDIENCE_PROCESSING' } });
    expect(sim.requests('dmp/custom_audience/update').map((r) => r.code)).toEqual([0, 40002]);
    const used = app.sync.quota(a.id).used;
    expect(used).toBe(3);
    expect(sim.callsOn(created.tiktokAudienceId!)).toBe(used);
    expect(app.store.runs.list({ audienceId: a.id, limit: 100 }).reduce((n, r) => n + r.callsUsed, 0)).toBe(used);
  });
});
