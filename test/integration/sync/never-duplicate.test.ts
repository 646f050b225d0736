/**
 * Never a duplicate audience, never a stale membership (#15 §2), against the offline sandbox over real HTTP with
 * real SQLite files: two first syncs of one new name at once, a create TikTok answers after the client's timeout,
 * and a crash that lost the database's -wal file after a first and after an incremental sync.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { DB_FILE } from '../../../electron/core/store/integrity';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, upload } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const opened: CohortRelayApp[] = [];
const HOUR = 3_600_000;
const ADV = () => sim.advertiserIds[0]!;
const named = (name: string) => sim.audiences(ADV()).filter((a) => a.name === name);

async function open(opts: Parameters<typeof openSandboxApp>[0] = {}) {
  ({ sim, app, dir, close } = await openSandboxApp(opts));
}
afterEach(async () => {
  for (const a of opened.splice(0)) a.close();
  await close();
});

function spec(name: string, csv: string) {
  return { advertiserId: ADV(), connectionId: null, name, key: 'email' as const, column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE };
}

/**
 * What a crash leaves when the database's -wal file is lost: the database file as of its last checkpoint. From the
 * moment this is called, the app's writes stay in the -wal file; `crash()` copies the data folder without it (the
 * quota journal beside the database survives, as files do) and opens the app on the copy.
 */
function loseWalAfterThis(a: CohortRelayApp, dataDir: string): { crash(): Promise<CohortRelayApp> } {
  a.store.db.pragma('wal_checkpoint(TRUNCATE)');
  a.store.db.pragma('wal_autocheckpoint = 0');
  return {
    async crash() {
      const copy = path.join(dir, `after-crash-${opened.length}`);
      fs.mkdirSync(copy);
      for (const f of fs.readdirSync(dataDir)) {
        if (f.endsWith('-wal') || f.endsWith('-shm') || fs.statSync(path.join(dataDir, f)).isDirectory()) continue;
        fs.copyFileSync(path.join(dataDir, f), path.join(copy, f));
      }
      expect(fs.existsSync(path.join(copy, DB_FILE))).toBe(true);
      const next = await CohortRelayApp.open({
        dataDir: copy,
        env: { TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url, COHORT_RELAY_KEYCHAIN: 'off' },
        now: () => new Date(sim.now()),
        runner: { hashesPerFile: 400, filesPerCall: 5, sleep: async (ms) => sim.advanceClock(ms), maxAttempts: 8 },
      });
      opened.push(next);
      return next;
    },
  };
}

describe('two first syncs of the same new name at once', () => {
  beforeEach(() => open());

  it('create one TikTok audience: the second finds the first one\'s audience or is refused while it runs', async () => {
    const csv = path.join(dir, 'cohort.csv');
    const list = emails(0, 3000);
    writeEmailCsv(csv, list);
    const env = { COHORT_RELAY_HOME: path.join(dir, 'data'), TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url, COHORT_RELAY_HASHES_PER_FILE: '200', COHORT_RELAY_FILES_PER_CALL: '2' };
    const args = ['sync', '--csv', csv, '--key', 'email', '--advertiser', ADV(), '--audience', 'Launch', '--json'];
    const runs = await Promise.all([cli(args, env), cli(args, env)]);

    expect(named('Launch')).toHaveLength(1);
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(1);
    const done = runs.filter((r) => r.code === 0);
    expect(done.length).toBeGreaterThanOrEqual(1);
    // Run with --json, a refusal is printed as JSON on stdout: {"error": {"code", "message"}}.
    for (const r of runs.filter((x) => x.code !== 0)) expect((JSON.parse(r.stdout) as { error: { message: string } }).error.message).toMatch(/already running|creating the audience "Launch"/);
    expect(app.store.audiences.list().filter((a) => a.name === 'Launch')).toHaveLength(1);
    expect(sim.membership(named('Launch')[0]!.audienceId)).toEqual(hashSet(list));
  });
});

describe('a create TikTok answers after the client has given up waiting', () => {
  beforeEach(() =>
    open({
      clientOptions: { timeoutMs: 800 },
      // Real waits (short): TikTok finishes the slow create while the sync waits to look for it again.
      runner: { sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5000))) },
    }),
  );

  it('is an unknown outcome: looked up by name once TikTok had time to finish, never created twice', async () => {
    sim.faults.add({ kind: 'slow', endpoint: 'dmp/custom_audience/create', delayMs: 2500, times: 1 });
    const csv = path.join(dir, 'slow.csv');
    const list = emails(0, 1500);
    writeEmailCsv(csv, list);
    const a = await app.sync.ensureAudience(spec('Slow create', csv));
    const outcome = await app.sync.sync(a.id, 'cli');

    expect(outcome.status).toBe('done');
    expect(named('Slow create')).toHaveLength(1);
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(1);
    expect(outcome.tiktokAudienceId).toBe(named('Slow create')[0]!.audienceId);
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(hashSet(list));
    // The one create counts once: TikTok's count and the ledger's agree.
    expect(app.sync.quota(a.id).used).toBe(sim.callsOn(outcome.tiktokAudienceId!));
  });
});

describe('a crash that lost the -wal file', () => {
  beforeEach(() => open({ now: () => new Date(sim.now()), runner: { sleep: async (ms) => sim.advanceClock(ms) } }));

  it('after a first sync: the audience TikTok has is found by name and synced to, not created again', async () => {
    const csv = path.join(dir, 'first.csv');
    const list = emails(0, 1600);
    writeEmailCsv(csv, list);
    const a = await app.sync.ensureAudience(spec('Lost create', csv));
    const wal = loseWalAfterThis(app, path.join(dir, 'data'));
    const created = await app.sync.sync(a.id, 'cli');
    expect(created).toMatchObject({ status: 'done', strategy: 'create' });

    const after = await wal.crash();
    const again = after.store.audiences.require(a.id);
    expect(again.tiktokAudienceId).toBeNull(); // the crash took the create's record
    const outcome = await after.sync.sync(again.id, 'cli');

    expect(outcome.status).toBe('done');
    expect(named('Lost create')).toHaveLength(1);
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(1);
    expect(outcome.tiktokAudienceId).toBe(created.tiktokAudienceId);
    expect(outcome.warnings.join(' ')).toMatch(/already has the audience "Lost create".*lost its record/);
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(list));
    // The lost create still counts (the journal beside the database kept it), with the REPLACE that followed.
    expect(after.sync.quota(again.id).used).toBe(2);
  });

  it('after a first sync, with TikTok writing its times 8 h behind UTC (a US advertiser\'s zone): still found, not created again', async () => {
    sim.configure({ timeZoneOffsetMinutes: -8 * 60 });
    const csv = path.join(dir, 'zone.csv');
    const list = emails(0, 1600);
    writeEmailCsv(csv, list);
    const a = await app.sync.ensureAudience(spec('Zoned create', csv));
    const wal = loseWalAfterThis(app, path.join(dir, 'data'));
    const created = await app.sync.sync(a.id, 'cli');
    const after = await wal.crash();
    const outcome = await after.sync.sync(a.id, 'cli');
    expect(outcome.status).toBe('done');
    expect(named('Zoned create')).toHaveLength(1);
    expect(outcome.tiktokAudienceId).toBe(created.tiktokAudienceId);
  });

  it('after an incremental sync: the whole membership is replaced, instead of "+0 −0" with people left at TikTok', async () => {
    const csv = path.join(dir, 'incremental.csv');
    const original = emails(0, 1500);
    writeEmailCsv(csv, original);
    const a = await app.sync.ensureAudience(spec('Lost append', csv));
    const first = await app.sync.sync(a.id, 'cli');
    expect(first.status).toBe('done');
    const wal = loseWalAfterThis(app, path.join(dir, 'data'));
    writeEmailCsv(csv, emails(0, 2000));
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', adds: 500, callsUsed: 1 });
    expect(sim.membership(first.tiktokAudienceId!)!.size).toBe(2000);

    const after = await wal.crash();
    writeEmailCsv(csv, original); // the 500 leave the cohort again
    const plan = await after.sync.plan(a.id);
    // Shown as a replace from what this computer last knew (the 1,500 before the lost APPEND), its numbers against that.
    expect(plan).toMatchObject({ status: 'planned', strategy: 'adopt', callsPlanned: 1, hold: null, replace: { before: 1500, after: 1500 }, adds: 0, removes: 0 });
    expect(plan.warnings.join(' ')).toMatch(/lost its record of 1 change.*replaces its whole membership/);
    const outcome = await after.sync.sync(a.id, 'cli');

    // Calls the journal shows were sent by this app: the replace is automatic, not held for the user.
    expect(outcome).toMatchObject({ status: 'done', strategy: 'adopt', hold: null });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(original));
    expect(sim.audience(first.tiktokAudienceId!)!.history.at(-1)!.action).toBe('replace');
    // The APPEND the database lost counts again: create, APPEND, REPLACE.
    expect(after.sync.quota(a.id).used).toBe(3);
    const next = await after.sync.sync(a.id, 'cli');
    expect(next).toMatchObject({ status: 'done', strategy: 'nothing', callsUsed: 0 });
  });

  it('TikTok\'s history of a change this computer has no record of (another tool) holds the sync for the user, who can have the membership replaced', async () => {
    const csv = path.join(dir, 'elsewhere.csv');
    const list = emails(0, 1500);
    writeEmailCsv(csv, list);
    const a = await app.sync.ensureAudience(spec('Edited elsewhere', csv));
    const first = await app.sync.sync(a.id, 'cli');
    sim.advanceClock(HOUR);
    const { client } = clientFor(sim);
    await client.updateAudience({ advertiserId: ADV(), audienceId: first.tiktokAudienceId!, action: 'APPEND', filePaths: [await upload(client, ADV(), emails(5000, 300).map(sha256Hex))] });
    sim.advanceClock(HOUR);

    // Not "+0 −0" with 300 people left at TikTok, and not a replace nobody chose: held, nothing sent.
    const held = await app.sync.sync(a.id, 'cli');
    expect(held).toMatchObject({ status: 'held', callsUsed: 0, error: { code: 'MEMBERSHIP_UNKNOWN' }, hold: { reason: 'membership', foreignChanges: 1 } });
    expect(held.error!.message).toMatch(/TikTok shows 1 change to who is in this audience that Cohort Relay did not send/);
    expect(sim.membership(first.tiktokAudienceId!)!.size).toBe(1800);
    app.sync.confirmRemovals(a.id, held.runId);
    const outcome = await app.sync.sync(a.id, 'cli');
    expect(outcome).toMatchObject({ status: 'done', strategy: 'adopt' });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(list));
    // Renaming it at TikTok changes nobody: not a reason to replace.
    sim.advanceClock(HOUR);
    await client.updateAudience({ advertiserId: ADV(), audienceId: first.tiktokAudienceId!, action: 'APPEND', name: 'Edited elsewhere (renamed)' });
    sim.advanceClock(HOUR);
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', strategy: 'nothing', callsUsed: 0 });
  });
});
