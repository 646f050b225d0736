/**
 * Changes to an audience that Cohort Relay did not send (#15 §2), against the offline sandbox over real HTTP with
 * real SQLite files. TikTok's history is counted, never dated (its opt_time has no time zone): more membership
 * changes than this app sent plus what it had accounted for hold the sync until the user chooses a full replace or
 * to keep syncing changes only. A history shifted by TikTok's time zone never raises a doubt; an adopted audience's
 * own history is accounted for; a history too long to count whole says nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { dbPath } from '../../../electron/core/store/integrity';
import { recoverDatabase } from '../../../electron/core/store/recover';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, createAudienceOf, upload } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const extra: CohortRelayApp[] = [];
const HOUR = 3_600_000;
const ADV = () => sim.advertiserIds[0]!;
/** The engine's clock is the simulator's, and its sleeps move the simulator's clock. */
const onSimClock = async () => ({ sim, app, dir, close } = await openSandboxApp({ now: () => new Date(sim.now()), runner: { sleep: async (ms) => sim.advanceClock(ms) } }));

afterEach(async () => {
  for (const a of extra.splice(0)) a.close();
  await close();
});

async function syncFile(list: readonly string[], name: string, opts: { dryRun?: boolean; tiktokAudienceId?: string; removalMode?: 'mirror' } = {}) {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name, tiktokAudienceId: opts.tiktokAudienceId, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE, removalMode: opts.removalMode });
  return { audience: a, outcome: opts.dryRun ? await app.sync.plan(a.id) : await app.sync.sync(a.id, 'cli') };
}

/** Another tool (TikTok's UI, another integration) changes the audience through TikTok's API directly. */
async function elsewhere(tiktokId: string, action: 'APPEND' | 'REMOVE', list: readonly string[]) {
  sim.advanceClock(HOUR);
  const { client } = clientFor(sim);
  await client.updateAudience({ advertiserId: ADV(), audienceId: tiktokId, action, filePaths: [await upload(client, ADV(), list.map(sha256Hex))] });
  sim.advanceClock(HOUR);
}

/** Every request that could change an audience or spend anything. */
const spending = () => ['dmp/custom_audience/file/upload', 'dmp/custom_audience/create', 'dmp/custom_audience/update'].reduce((n, e) => n + sim.requests(e as 'dmp/custom_audience/update').length, 0);

describe('a change another tool made to the audience', () => {
  it('is found by counting TikTok\'s history and held, not replaced: nothing sent; the same question is not asked anew', async () => {
    await onSimClock();
    const list = emails(0, 1500);
    const { audience, outcome: created } = await syncFile(list, 'Buyers');
    const id = created.tiktokAudienceId!;
    await elsewhere(id, 'APPEND', emails(5000, 300));
    const spent = spending();

    const plan = (await syncFile(list, 'Buyers', { dryRun: true })).outcome;
    expect(plan).toMatchObject({ status: 'planned', hold: { reason: 'membership', foreignChanges: 1, confirmed: false, runId: null } });
    expect(plan.hold!.message).toMatch(/This sync will be held until you choose: nothing is sent until then\./);
    expect(app.store.holds.get(audience.id)).toBeNull();

    const held = (await syncFile(list, 'Buyers')).outcome;
    expect(held).toMatchObject({ status: 'held', callsUsed: 0, adds: 0, removes: 0, currentSize: 1500, error: { code: 'MEMBERSHIP_UNKNOWN' } });
    expect(held.hold).toMatchObject({ reason: 'membership', foreignChanges: 1, repeated: false, confirmed: false, runId: held.runId });
    expect(held.error!.message).toMatch(/^TikTok shows 1 change to who is in this audience that Cohort Relay did not send \(another tool, or this computer lost recent records\)/);
    expect(held.error!.message).toMatch(/replaced with the file \(one full replace, 1 call: \+0 −0 against the 1,500 people this computer last knew it held; against what TikTok holds now, unknown\)/);
    expect(held.error!.message).toMatch(/Choose "Replace with the file", or "Keep syncing changes only"/);
    expect(spending()).toBe(spent);
    expect(sim.membership(id)!.size).toBe(1800);
    expect(app.store.snapshots.meta(audience.id)?.entryCount).toBe(1500);
    expect(app.store.runs.get(held.runId!)).toMatchObject({ status: 'held', errorCode: 'MEMBERSHIP_UNKNOWN' });
    expect(app.store.holds.get(audience.id)).toMatchObject({ reason: 'membership', state: 'held', foreignChanges: 1, runId: held.runId });

    const again = (await syncFile(list, 'Buyers')).outcome;
    expect(again).toMatchObject({ status: 'held', hold: { repeated: true, runId: held.runId } });
    expect(spending()).toBe(spent);
  });

  it('"Replace with the file" makes TikTok match the file with one full replace; the next sync is incremental without asking', async () => {
    await onSimClock();
    const list = emails(0, 1500);
    const { audience, outcome: created } = await syncFile(list, 'Buyers');
    const id = created.tiktokAudienceId!;
    await elsewhere(id, 'APPEND', emails(5000, 300));
    await elsewhere(id, 'REMOVE', emails(0, 100));
    const held = (await syncFile(list, 'Buyers')).outcome;
    expect(held).toMatchObject({ status: 'held', hold: { foreignChanges: 2 } });

    app.sync.confirmRemovals(audience.id, held.runId);
    const replaced = await app.sync.sync(audience.id, 'manual');
    expect(replaced).toMatchObject({ status: 'done', strategy: 'adopt', callsUsed: 1, hold: { reason: 'membership', confirmed: true } });
    expect(replaced.warnings.join(' ')).toMatch(/As you chose, this sync replaces its whole membership with the file/);
    expect(sim.membership(id)).toEqual(hashSet(list));
    expect(sim.audience(id)!.history.at(-1)!.action).toBe('replace');
    expect(app.store.holds.get(audience.id)).toBeNull();

    const grown = [...list, ...emails(9000, 50)];
    expect((await syncFile(grown, 'Buyers')).outcome).toMatchObject({ status: 'done', strategy: 'incremental', adds: 50, callsUsed: 1, hold: null });
    expect((await syncFile(grown, 'Buyers')).outcome).toMatchObject({ status: 'done', strategy: 'nothing', callsUsed: 0, hold: null });
    expect(sim.membership(id)).toEqual(hashSet(grown));
  });

  it('"Keep syncing changes only" accepts TikTok\'s changes: nothing is sent for them, and the next syncs are incremental without asking', async () => {
    await onSimClock();
    const list = emails(0, 1500);
    const { audience, outcome: created } = await syncFile(list, 'Buyers');
    const id = created.tiktokAudienceId!;
    await elsewhere(id, 'APPEND', emails(5000, 300));
    const held = (await syncFile(list, 'Buyers')).outcome;
    const spent = spending();

    const kept = app.sync.keepAudience(audience.id, held.runId);
    expect(kept).toMatchObject({ reason: 'membership', state: 'kept', foreignChanges: 1 });
    expect(app.store.holds.get(audience.id)).toBeNull();
    expect(app.store.audiences.historyBaseline(audience.id)).toBe(1);
    expect(spending()).toBe(spent);

    const grown = [...list, ...emails(9000, 50)];
    expect((await syncFile(grown, 'Buyers')).outcome).toMatchObject({ status: 'done', strategy: 'incremental', adds: 50, removes: 0, callsUsed: 1, hold: null });
    expect((await syncFile(grown, 'Buyers')).outcome).toMatchObject({ status: 'done', strategy: 'nothing', callsUsed: 0, hold: null });
    // The people the other tool added stay: the user chose to keep its change.
    expect(sim.membership(id)).toEqual(hashSet([...grown, ...emails(5000, 300)]));

    // A further change elsewhere is a new question.
    await elsewhere(id, 'APPEND', emails(7000, 10));
    expect((await syncFile(grown, 'Buyers')).outcome).toMatchObject({ status: 'held', hold: { reason: 'membership', foreignChanges: 1, repeated: false } });
  });

  it('a rename elsewhere changes nobody: not a reason to hold', async () => {
    await onSimClock();
    const { outcome: created } = await syncFile(emails(0, 1500), 'Buyers');
    const { client } = clientFor(sim);
    await client.updateAudience({ advertiserId: ADV(), audienceId: created.tiktokAudienceId!, action: 'APPEND', name: 'Buyers (renamed at TikTok)' });
    expect((await syncFile(emails(0, 1500), 'Buyers')).outcome).toMatchObject({ status: 'done', strategy: 'nothing', hold: null });
  });

  it('a history as long as TikTok returns (100 entries) cannot be counted whole: no doubt on that basis', async () => {
    await onSimClock();
    const { outcome: created } = await syncFile(emails(0, 1500), 'Busy');
    const { client } = clientFor(sim);
    for (let i = 0; i < 100; i++) await client.updateAudience({ advertiserId: ADV(), audienceId: created.tiktokAudienceId!, action: 'APPEND', name: `Busy ${i}` });
    // The newest 100 entries: 98 renames and these two; the create has dropped out of the list.
    await elsewhere(created.tiktokAudienceId!, 'APPEND', emails(5000, 300));
    await elsewhere(created.tiktokAudienceId!, 'APPEND', emails(6000, 300));
    expect(sim.audience(created.tiktokAudienceId!)!.history).toHaveLength(103);
    expect((await syncFile(emails(0, 1500), 'Busy')).outcome).toMatchObject({ status: 'done', strategy: 'nothing', hold: null });
  });
});

describe("TikTok's history times", () => {
  it('written 8 h ahead (UTC+8, no zone) never make a sync doubt, over many syncs', async () => {
    await onSimClock();
    sim.configure({ timeZoneOffsetMinutes: 480 });
    let list = emails(0, 1500);
    const { audience } = await syncFile(list, 'Asia');
    for (let i = 1; i <= 5; i++) {
      sim.advanceClock(HOUR);
      list = [...list, ...emails(10_000 + i * 100, 20)];
      expect((await syncFile(list, 'Asia')).outcome).toMatchObject({ status: 'done', strategy: 'incremental', adds: 20, callsUsed: 1, hold: null });
    }
    expect((await syncFile(list, 'Asia')).outcome).toMatchObject({ status: 'done', strategy: 'nothing', hold: null });
    expect(app.store.runs.list({ audienceId: audience.id }).filter((r) => r.status === 'held')).toHaveLength(0);
  });

  it('written 8 h behind (UTC−8): a change elsewhere is still found, since nothing is dated', async () => {
    await onSimClock();
    sim.configure({ timeZoneOffsetMinutes: -480 });
    const { outcome: created } = await syncFile(emails(0, 1500), 'Americas');
    await elsewhere(created.tiktokAudienceId!, 'APPEND', emails(5000, 300));
    expect((await syncFile(emails(0, 1500), 'Americas')).outcome).toMatchObject({ status: 'held', hold: { reason: 'membership', foreignChanges: 1 } });
  });
});

describe('an adopted audience', () => {
  it('set to mirror the file, with history from another tool, is not doubted at its first syncs after adoption (by its TikTok id)', async () => {
    await onSimClock();
    const { client } = clientFor(sim);
    const name = 'Made elsewhere';
    const { audienceId } = await createAudienceOf(client, ADV(), emails(20_000, 1400).map(sha256Hex), name);
    await client.updateAudience({ advertiserId: ADV(), audienceId, action: 'APPEND', filePaths: [await upload(client, ADV(), emails(30_000, 200).map(sha256Hex))] });
    await client.updateAudience({ advertiserId: ADV(), audienceId, action: 'REMOVE', filePaths: [await upload(client, ADV(), emails(20_000, 50).map(sha256Hex))] });
    await client.updateAudience({ advertiserId: ADV(), audienceId, action: 'APPEND', name });
    sim.advanceClock(HOUR);

    const list = emails(0, 1500);
    const first = await syncFile(list, name, { tiktokAudienceId: audienceId, removalMode: 'mirror' });
    expect(first.outcome).toMatchObject({ status: 'done', strategy: 'adopt', tiktokAudienceId: audienceId, hold: null });
    // Create, APPEND and REMOVE were there before: accounted for; the rename changes nobody.
    expect(app.store.audiences.historyBaseline(first.audience.id)).toBe(3);
    expect(sim.membership(audienceId)).toEqual(hashSet(list));

    sim.advanceClock(HOUR);
    const grown = [...list, ...emails(40_000, 30)];
    expect((await syncFile(grown, name)).outcome).toMatchObject({ status: 'done', strategy: 'incremental', adds: 30, hold: null });
    expect((await syncFile(grown, name)).outcome).toMatchObject({ status: 'done', strategy: 'nothing', hold: null });
  });
});

describe('calls this computer sent and lost its record of', () => {
  it('a restored backup: the calls after it (kept in the journal) make the sync replace the membership at once, without asking', async () => {
    await onSimClock();
    const original = emails(0, 1500);
    const { audience, outcome: created } = await syncFile(original, 'Restored');
    const backup = path.join(dir, 'backup.sqlite');
    app.store.db.prepare('VACUUM INTO ?').run(backup);
    expect((await syncFile(emails(0, 2000), 'Restored')).outcome).toMatchObject({ status: 'done', adds: 500 });

    // The database breaks; the backup from before the APPEND is restored, and the journal's APPEND carried over.
    const dataDir = path.join(dir, 'data');
    app.close();
    fs.writeFileSync(dbPath(dataDir), 'garbage');
    expect(recoverDatabase(dataDir, { backup })).toMatchObject({ action: 'restored', carriedOver: 1 });
    app = await CohortRelayApp.open({
      dataDir,
      env: { TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url, COHORT_RELAY_KEYCHAIN: 'off' },
      now: () => new Date(sim.now()),
      runner: { hashesPerFile: 400, filesPerCall: 5, sleep: async (ms) => sim.advanceClock(ms), maxAttempts: 8 },
    });
    expect(app.store.snapshots.meta(audience.id)?.entryCount).toBe(1500);

    writeEmailCsv(path.join(dir, 'Restored.csv'), original); // the 500 leave the cohort again
    const outcome = await app.sync.sync(audience.id, 'cli');
    expect(outcome).toMatchObject({ status: 'done', strategy: 'adopt', hold: null });
    expect(outcome.warnings.join(' ')).toMatch(/lost its record of 1 change\(s\).*replaces its whole membership/);
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(original));
    expect((await app.sync.sync(audience.id, 'cli'))).toMatchObject({ status: 'done', strategy: 'nothing', callsUsed: 0, hold: null });
  });
});
