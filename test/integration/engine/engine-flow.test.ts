import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers, RequestOf } from '../../../shared/ipc/contract';
import { emails, hashSet, sha256Hex } from '../../helpers/cohort';
import { testRedirectUri } from '../../helpers/ports';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from './helpers';

let dir: string;
let cleanup: () => void;
let t: TestEngine;
let h: Handlers;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir('cohort-relay-engine-'));
  t = await startTestEngine(dir);
  h = t.engine.handlers;
});
afterEach(async () => {
  await t.engine.shutdown();
  cleanup();
});

/** A cohort with an email column, plus two malformed emails and one empty cell. */
function writeCohort(file: string, list: readonly string[]): void {
  const rows = list.map((e, i) => `${i},${e}`);
  rows.push('9001,not-an-email', '9002,jane@', '9003,');
  fs.writeFileSync(file, `user_id,email\n${rows.join('\n')}\n`);
}

const mapping = (file: string) => ({ path: file, key: 'email' as const, column: 'email', profile: DEFAULT_PROFILE });

async function runToEnd(channel: 'sync:run' | 'sync:undo', audienceId: number) {
  const { runId } = await h[channel]({ audienceId });
  const finished = await t.waitFor('run:finished', (p) => p.runId === runId);
  return { runId, finished };
}

async function createAudience(file: string, over: Partial<RequestOf<'audiences:create'>> = {}) {
  const conn = await h['connections:connectSandbox'](undefined);
  return h['audiences:create']({
    advertiserId: conn.advertisers[0]!.advertiserId,
    connectionId: conn.id,
    name: 'Buyers',
    keys: [{ key: 'email', column: 'email' }],
    sourcePath: file,
    profile: DEFAULT_PROFILE,
    cadence: { kind: 'manual' },
    ...over,
  });
}

describe('engine facade: a whole user flow on the offline sandbox', () => {
  it('connects, imports, syncs, re-syncs the diff, logs, undoes, and reports a revoked token', async () => {
    // Connect the sandbox and list its ad accounts.
    const conn = await h['connections:connectSandbox'](undefined);
    expect(conn).toMatchObject({ id: 'tt-sandbox', kind: 'sandbox', environment: 'offline-sandbox', status: 'ok', appId: null });
    expect(conn.advertisers.length).toBeGreaterThan(0);
    const advertisers = await h['connections:advertisers']({ connectionId: conn.id });
    expect(advertisers.map((a) => a.advertiserId)).toEqual(conn.advertisers.map((a) => a.advertiserId));
    expect(await h['connections:list'](undefined)).toHaveLength(1);

    // Import: preview, hash lab, validation.
    const file = path.join(dir, 'cohort.csv');
    const first = emails(0, 1500);
    writeCohort(file, first);
    const preview = await h['import:preview']({ path: file });
    expect(preview).toMatchObject({ fileName: 'cohort.csv', hasHeader: true, delimiter: ',', suggested: { column: 1, key: 'email' } });
    expect(preview.columns[1]).toMatchObject({ name: 'email', detected: 'email' });
    expect(preview.rows[0]).toEqual(['0', 'user0@example.com']);

    const lab = await h['import:hashLab']({ ...mapping(file), limit: 3 });
    expect(lab.rows[0]).toMatchObject({ line: 2, raw: 'user0@example.com', normalized: 'user0@example.com', hash: sha256Hex('user0@example.com'), passthrough: false, reject: null });
    expect(lab.rows).toHaveLength(3);
    expect(lab.selfTest.length).toBeGreaterThan(0);
    expect(lab.selfTest.every((v) => v.ok)).toBe(true);

    const validation = await h['import:validate'](mapping(file));
    expect(validation).toMatchObject({ rowsRead: 1503, valid: 1500, rejected: 3, duplicates: 0, byReason: { INVALID_EMAIL: 2, EMPTY: 1 } });
    expect(validation.rejectsSample.map((r) => r.line)).toEqual([1502, 1503, 1504]);
    expect(validation.rejectsSample.some((r) => r.value.includes('not-an-email'))).toBe(false);
    expect(t.events.some((e) => e.event === 'import:progress' && e.payload.path === file)).toBe(true);

    // Save the mapping: nothing is sent yet.
    const created = await createAudience(file);
    expect(created).toMatchObject({ name: 'Buyers', state: 'never_synced', tiktokAudienceId: null, localSize: 0, coverNum: null, callsLeftToday: 24, dailyBudget: 24, running: false, lastSync: null, nextSync: null });
    expect(t.sim().audiences()).toHaveLength(0);

    // Dry run.
    const plan = await h['sync:plan']({ audienceId: created.id });
    expect(plan).toMatchObject({ rowsRead: 1503, valid: 1500, rejected: 3, adds: 1500, removes: 0, unchanged: 0, calls: 1, quotaLeft: 24, currentSize: 0, projectedSize: 1500, floorWarning: null, deferredUntil: null, suppressed: 0 });
    expect(plan.rejectsSample).toHaveLength(3);
    expect(t.sim().audiences()).toHaveLength(0);

    // Sync now: resolves at once with the run id; progress and the end come as events.
    const one = await runToEnd('sync:run', created.id);
    expect(one.finished).toMatchObject({ audienceId: created.id, status: 'done', trigger: 'manual', error: null });
    const progress = t.events.filter((e) => e.event === 'run:progress' && e.payload.runId === one.runId);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((e) => (e.event === 'run:progress' ? e.payload.phase : null))).toContain('updating');
    expect(t.events.some((e) => e.event === 'audience:statusChanged' && e.payload.audienceId === created.id)).toBe(true);

    const [listed] = await h['audiences:list'](undefined);
    expect(listed).toMatchObject({ id: created.id, state: 'available', localSize: 1500, coverNum: 1500, callsLeftToday: 23, running: false });
    expect(listed!.tiktokAudienceId).toMatch(/\S/);
    expect(listed!.lastSync).not.toBeNull();
    expect(Date.parse(listed!.expiresAt!)).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(t.sim().membership(listed!.tiktokAudienceId!)).toEqual(hashSet(first));

    // A changed file sends only the diff.
    const second = emails(100, 1500);
    writeCohort(file, second);
    const two = await runToEnd('sync:run', created.id);
    expect(two.finished.status).toBe('done');
    const run2 = await h['runs:get']({ runId: two.runId });
    expect(run2).toMatchObject({ id: two.runId, audienceName: 'Buyers', trigger: 'manual', status: 'done', adds: 100, removes: 100, callsUsed: 2, rowsRead: 1503, rejected: 3, error: null });
    expect(run2.durationMs).toBeGreaterThanOrEqual(0);
    expect(run2.calls.filter((c) => c.endpoint.includes('custom_audience/update'))).toHaveLength(2);
    expect(run2.calls.every((c) => c.code === 0)).toBe(true);
    expect(t.sim().membership(listed!.tiktokAudienceId!)).toEqual(hashSet(second));

    const runs = await h['runs:list']({ audienceId: created.id });
    expect(runs.map((r) => r.id)).toEqual([two.runId, one.runId]);
    expect(await h['quota:get']({ audienceId: created.id })).toMatchObject({ audienceId: created.id, used: 3, budget: 24, left: 21 });

    // The rejects of a run, re-read from its source.
    const exported = await h['runs:exportRejects']({ runId: two.runId });
    expect(exported).toEqual({ outPath: path.join(dir, 'cohort-rejects.csv'), written: 3 });
    // The file's record id column (user_id) comes last, so each reject can be found (#11 item 15).
    const report = fs.readFileSync(exported.outPath, 'utf8').split('\n');
    expect(report[0]).toBe('row,column,reason,masked_value,explanation,"user_id"');
    expect(report[1]).toMatch(/,"9001"$/);

    // Undo sends the inverse of the last sync and pauses the schedule.
    const undo = await runToEnd('sync:undo', created.id);
    expect(undo.finished).toMatchObject({ status: 'done', trigger: 'undo' });
    expect(t.sim().membership(listed!.tiktokAudienceId!)).toEqual(hashSet(first));
    const detail = await h['audiences:get']({ id: created.id });
    expect(detail).toMatchObject({ paused: true, localSize: 1500 });
    expect(detail.recentRuns.map((r) => r.trigger)).toEqual(['undo', 'manual', 'manual']);
    expect(detail.history.length).toBeGreaterThanOrEqual(3);
    expect(detail.history.at(-1)).toMatchObject({ sent: 1500, matched: 1500 });

    // Settings: the daily budget is the one the sync service counts against.
    const settings = await h['settings:get'](undefined);
    expect(settings).toMatchObject({ environment: 'offline-sandbox', dailyCallBudget: 24, theme: 'system', notifications: true, launchAtLogin: false, pausedAll: false, defaultCountry: null });
    expect(settings.dataFolder).toBe(path.join(dir, 'data'));
    const changed = await h['settings:set']({ dailyCallBudget: 10, theme: 'dark', defaultCountry: 'DE', rateLimits: { qps: 5 } });
    expect(changed).toMatchObject({ dailyCallBudget: 10, theme: 'dark', defaultCountry: 'DE', rateLimits: { qps: 5, qpm: 600 } });
    expect(await h['quota:get']({ audienceId: created.id })).toMatchObject({ budget: 10, left: 5 });
    expect((await h['sync:pauseAll']({ paused: true })).paused).toBe(true);
    expect((await h['settings:get'](undefined)).pausedAll).toBe(true);

    // A token TikTok no longer accepts: the run fails, the connection needs re-connecting.
    t.sim().revokeToken(t.sim().accessToken);
    writeCohort(file, second);
    const revoked = await runToEnd('sync:run', created.id);
    expect(revoked.finished).toMatchObject({ status: 'failed', error: { code: 'AUTH_EXPIRED' } });
    expect(await t.waitFor('connection:needsReconnect')).toMatchObject({ connectionId: 'tt-sandbox', message: expect.stringMatching(/\S/) });
    const [after] = await h['audiences:list'](undefined);
    expect(after).toMatchObject({ state: 'needs_reconnect', stateMessage: expect.stringMatching(/\S/) });
    expect((await h['connections:list'](undefined))[0]).toMatchObject({ status: 'needs_reconnect' });
    expect(await t.engine.traySnapshot()).toMatchObject({ pausedAll: true, needsReconnect: 1, audiences: [{ id: created.id, state: 'needs_reconnect', running: false }] });

    // Re-connecting the sandbox works again (with a token the simulator issues), and so does the sync.
    expect(await h['connections:connectSandbox'](undefined)).toMatchObject({ id: 'tt-sandbox', status: 'ok' });
    expect((await runToEnd('sync:run', created.id)).finished).toMatchObject({ status: 'done', error: null });
    expect(t.sim().membership(listed!.tiktokAudienceId!)).toEqual(hashSet(second));
  });
});

describe('engine facade: refusals and edge cases', () => {
  it('a sync that cannot start rejects sync:run with the reason, and records nothing', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1200));
    const a = await createAudience(file);
    fs.rmSync(file);
    // The file is read inside the run: the run starts, then fails with the plain reason.
    const { finished } = await runToEnd('sync:run', a.id);
    expect(finished).toMatchObject({ status: 'failed', error: { code: 'FILE_NOT_FOUND' } });
    await expect(h['sync:run']({ audienceId: 999 })).rejects.toMatchObject({ code: 'AUDIENCE_NOT_FOUND' });
    await expect(h['sync:undo']({ audienceId: a.id })).rejects.toMatchObject({ code: 'UNDO_REFUSED', message: expect.stringMatching(/nothing|no sync to undo/i) });
  });

  it('the dry run explains a change that would leave fewer than 1,000 people, and sends nothing', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1100));
    const a = await createAudience(file);
    await runToEnd('sync:run', a.id);
    writeCohort(file, emails(0, 900));
    const before = t.sim().requests('dmp/custom_audience/update').length;
    const plan = await h['sync:plan']({ audienceId: a.id });
    expect(plan.floorWarning).toMatch(/900 people/);
    expect(plan).toMatchObject({ removes: 200, currentSize: 1100, projectedSize: 1100 });
    expect(t.sim().requests('dmp/custom_audience/update')).toHaveLength(before);
  });

  it('refuses a second audience of the same name, IDFA and GAID together, and a missing file; accepts several keys as a multi-key audience', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 10));
    await createAudience(file);
    await expect(createAudience(file)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('already exists') });
    const multi = await createAudience(file, { name: 'Two keys', keys: [{ key: 'email', column: 'email' }, { key: 'phone', column: 0 }] });
    expect(multi.calculateType).toBe('MULTIPLE_TYPES');
    await expect(createAudience(file, { name: 'Two ad ids', keys: [{ key: 'idfa', column: 0 }, { key: 'gaid', column: 1 }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('one mobile ad id') });
    await expect(createAudience(path.join(dir, 'missing.csv'), { name: 'Missing' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('updates the cadence and lists the next scheduled sync; deletes locally', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 10));
    const a = await createAudience(file);
    const updated = await h['audiences:update']({ id: a.id, cadence: { kind: 'daily', at: '03:00' } });
    expect(updated.cadence).toEqual({ kind: 'daily', at: '03:00' });
    expect(updated.nextSync).not.toBeNull();
    expect(Date.parse(updated.nextSync!)).toBeGreaterThan(Date.now());
    expect(await h['audiences:deleteLocal']({ id: a.id })).toBeNull();
    expect(await h['audiences:list'](undefined)).toEqual([]);
  });

  it('lists the audiences that exist at TikTok, marking the mapped one and filtering by key', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1100));
    const a = await createAudience(file);
    await runToEnd('sync:run', a.id);
    const all = await h['audiences:tiktokList']({ advertiserId: a.advertiserId });
    const mine = all.find((x) => x.name === 'Buyers');
    expect(mine).toMatchObject({ key: 'email', calculateType: 'EMAIL_SHA256', mapped: true, coverNum: 1100 });
    expect(await h['audiences:tiktokList']({ advertiserId: a.advertiserId, key: 'phone' })).not.toContainEqual(expect.objectContaining({ name: 'Buyers' }));
  });

  it('import:cancel stops a validation in progress', async () => {
    const file = path.join(dir, 'big.csv');
    writeCohort(file, emails(0, 200_000));
    const pending = h['import:validate'](mapping(file));
    await t.waitFor('import:progress', (p) => p.path === file);
    expect(await h['import:cancel']({ path: file })).toEqual({ cancelled: true });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await h['import:cancel']({ path: file })).toEqual({ cancelled: false });
  });

  it('an audience shown as processing turns available once the sandbox has processed it', async () => {
    const other = tmpDir('cohort-relay-engine-processing-');
    const p = await startTestEngine(other.dir, { simulator: { rateLimit: false, processingDelayMs: 400, matchRate: 'exact' }, statusRefreshMs: 50 });
    try {
      const conn = await p.engine.handlers['connections:connectSandbox'](undefined);
      const file = path.join(other.dir, 'cohort.csv');
      writeCohort(file, emails(0, 1200));
      const a = await p.engine.handlers['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, name: 'Slow', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
      expect(a.connectionId).toBe('tt-sandbox');
      const { runId } = await p.engine.handlers['sync:run']({ audienceId: a.id });
      await p.waitFor('run:finished', (e) => e.runId === runId);
      expect((await p.engine.handlers['audiences:get']({ id: a.id })).state).toBe('processing');
      // The background re-check notices the end of processing by itself (no request from the page).
      for (let i = 0; i < 100 && (await p.engine.handlers['audiences:get']({ id: a.id })).state === 'processing'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await p.engine.handlers['audiences:get']({ id: a.id })).toMatchObject({ state: 'available', coverNum: 1200 });
    } finally {
      await p.engine.shutdown();
      other.cleanup();
    }
  });

  it('runs a due schedule on resume with the schedule trigger; a revoked token skips it and asks to re-connect', async () => {
    const other = tmpDir('cohort-relay-engine-schedule-');
    let offset = 0;
    const p = await startTestEngine(other.dir, { now: () => new Date(Date.now() + offset) });
    try {
      const conn = await p.engine.handlers['connections:connectSandbox'](undefined);
      const advertiserId = conn.advertisers[0]!.advertiserId;
      const file = path.join(other.dir, 'cohort.csv');
      writeCohort(file, emails(0, 1200));
      const at = new Date(Date.now() + 3_600_000).toISOString();
      const a = await p.engine.handlers['audiences:create']({ advertiserId, name: 'Nightly', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'once', at } });
      expect(a.nextSync).toBe(at);
      offset = 2 * 3_600_000;
      p.engine.onResume();
      expect(await p.waitFor('run:finished', (e) => e.audienceId === a.id)).toMatchObject({ status: 'done', trigger: 'schedule' });

      const b = await p.engine.handlers['audiences:create']({ advertiserId, name: 'Later', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'once', at: new Date(Date.now() + offset + 3_600_000).toISOString() } });
      p.sim().revokeToken(p.sim().accessToken);
      offset = 4 * 3_600_000;
      p.engine.onResume();
      expect(await p.waitFor('connection:needsReconnect')).toMatchObject({ connectionId: 'tt-sandbox' });
      expect(p.events.some((e) => e.event === 'run:finished' && e.payload.audienceId === b.id)).toBe(false);
      expect((await p.engine.handlers['audiences:get']({ id: b.id })).state).toBe('needs_reconnect');
    } finally {
      await p.engine.shutdown();
      other.cleanup();
    }
  });

  it('after a restart the sandbox keeps its audiences, and follows to a new port when the old one is taken', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1200));
    const a = await createAudience(file);
    await runToEnd('sync:run', a.id);
    const oldPort = t.sim().port;
    await t.engine.shutdown();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(oldPort, '127.0.0.1', resolve));
    try {
      t = await startTestEngine(dir);
      h = t.engine.handlers;
      expect(t.sim().port).not.toBe(oldPort);
      expect((await h['connections:list'](undefined))[0]).toMatchObject({ id: 'tt-sandbox', status: 'ok' });
      const plan = await h['sync:plan']({ audienceId: a.id });
      expect(plan).toMatchObject({ adds: 0, removes: 0, calls: 0, currentSize: 1200 });
      writeCohort(file, emails(0, 1250));
      expect((await runToEnd('sync:run', a.id)).finished).toMatchObject({ status: 'done', error: null });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('signs in with OAuth through the browser the host opens', async () => {
    const other = tmpDir('cohort-relay-engine-oauth-');
    const opened: string[] = [];
    // A redirect URL of this test alone (the fixed default port could clash with parallel test files), registered on the sandbox's app.
    const redirectUri = await testRedirectUri();
    // The "browser": follows the simulator's consent page, which approves and redirects to the loopback.
    const p = await startTestEngine(other.dir, { env: { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_REDIRECT_URI: redirectUri }, simulator: { rateLimit: false, processingDelayMs: 0, matchRate: 'exact', redirectUris: [redirectUri] } }, { openExternal: async (url) => {
      opened.push(url);
      void fetch(url).catch(() => undefined);
    } });
    try {
      await p.engine.handlers['connections:connectSandbox'](undefined);
      const sim = p.sim();
      const conn = await p.engine.handlers['connections:loginOAuth']({ appId: sim.appId, appSecret: sim.appSecret });
      expect(opened).toHaveLength(1);
      expect(opened[0]).toContain('/portal/auth');
      expect(conn).toMatchObject({ kind: 'oauth', appId: sim.appId, status: 'ok', environment: 'offline-sandbox' });
      expect(conn.advertisers.length).toBeGreaterThan(0);
      expect(JSON.stringify(conn)).not.toContain(sim.appSecret);
    } finally {
      await p.engine.shutdown();
      other.cleanup();
    }
  });

  it('maps a new local audience onto one that exists at TikTok, and the first sync makes it exact', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1300));
    const a = await createAudience(file);
    await runToEnd('sync:run', a.id);
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    await expect(createAudience(file, { name: 'Twin', existingTiktokAudienceId: tiktokId })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('already mapped') });
    await h['audiences:deleteLocal']({ id: a.id });
    await expect(createAudience(file, { name: 'Wrong key', keys: [{ key: 'phone', column: 'email' }], existingTiktokAudienceId: tiktokId })).rejects.toMatchObject({ code: 'KEY_TYPE_LOCKED' });

    writeCohort(file, emails(0, 1400));
    // Making it exact (people not in the file removed) is an explicit choice for an audience that exists at TikTok.
    const adopted = await createAudience(file, { name: 'Buyers (adopted)', existingTiktokAudienceId: tiktokId, removalMode: 'mirror' });
    expect(adopted).toMatchObject({ tiktokAudienceId: tiktokId, localSize: 0, removalMode: 'mirror' });
    const plan = await h['sync:plan']({ audienceId: adopted.id });
    expect(plan).toMatchObject({ calls: 1, projectedSize: 1400 });
    expect((await runToEnd('sync:run', adopted.id)).finished.status).toBe('done');
    expect(t.sim().membership(tiktokId)).toEqual(hashSet(emails(0, 1400)));
  });

  it('an audience that exists at TikTok defaults to removing only people Cohort Relay added; mirroring the file is chosen with audiences:update', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1300));
    const a = await createAudience(file);
    await runToEnd('sync:run', a.id);
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    await h['audiences:deleteLocal']({ id: a.id });

    writeCohort(file, emails(0, 1100));
    const adopted = await createAudience(file, { name: 'Adopted', existingTiktokAudienceId: tiktokId });
    expect(adopted).toMatchObject({ removalMode: 'added-only', othersSize: 1300 });
    expect((await runToEnd('sync:run', adopted.id)).finished.status).toBe('done');
    expect(t.sim().membership(tiktokId)).toEqual(hashSet(emails(0, 1300))); // nobody this app added (in this mapping) left the file

    expect(await h['audiences:update']({ id: adopted.id, removalMode: 'mirror' })).toMatchObject({ removalMode: 'mirror' });
    expect((await runToEnd('sync:run', adopted.id)).finished.status).toBe('done');
    expect(t.sim().membership(tiktokId)).toEqual(hashSet(emails(0, 1100)));
  });

  it('switches the API environment and keeps the choice', async () => {
    expect((await h['settings:set']({ environment: 'production' })).environment).toBe('production');
    expect((await h['settings:get'](undefined)).environment).toBe('production');
    // The offline sandbox connects whatever the environment (it is always on this computer).
    expect((await h['connections:connectSandbox'](undefined)).environment).toBe('offline-sandbox');
    expect((await h['settings:set']({ environment: 'offline-sandbox' })).environment).toBe('offline-sandbox');
  });

  it('sync:cancel stops a running sync; the run is logged as cancelled and nothing was sent', async () => {
    const file = path.join(dir, 'big.csv');
    writeCohort(file, emails(0, 150_000));
    const a = await createAudience(file);
    const { runId } = await h['sync:run']({ audienceId: a.id });
    expect((await h['audiences:get']({ id: a.id })).running).toBe(true);
    await expect(h['sync:run']({ audienceId: a.id })).rejects.toMatchObject({ code: 'SYNC_RUNNING' });
    expect(await h['sync:cancel']({ runId })).toEqual({ cancelled: true });
    // Its words say nothing reached TikTok (not "the request to TikTok was cancelled").
    expect(await t.waitFor('run:finished', (e) => e.runId === runId)).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED', message: 'Cancelled before anything was sent to TikTok.' } });
    expect(await h['runs:get']({ runId })).toMatchObject({ status: 'cancelled', callsUsed: 0, error: { message: 'Cancelled before anything was sent to TikTok.' } });
    expect(t.sim().audiences()).toHaveLength(0);
    expect(await h['sync:cancel']({ audienceId: a.id })).toEqual({ cancelled: false });
  });

  it('import:exportRejects writes every reject of the file where asked', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 20));
    const outPath = path.join(dir, 'out', 'rejects.csv');
    fs.mkdirSync(path.dirname(outPath));
    expect(await h['import:exportRejects']({ ...mapping(file), outPath })).toEqual({ outPath, written: 3 });
    const lines = fs.readFileSync(outPath, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(['"INVALID_EMAIL"', '"INVALID_EMAIL"', '"EMPTY"']);
    await expect(h['import:exportRejects']({ ...mapping(file), outPath: file })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a file whose every row is rejected is checked to the end (counts and reasons) and its rejects report is written, when it is wanted most', async () => {
    const file = path.join(dir, 'all-bad.csv');
    fs.writeFileSync(file, 'user_id,email\n1,not-an-email\n2,\n3,also bad\n');
    expect(await h['import:validate']({ ...mapping(file) })).toMatchObject({ rowsRead: 3, valid: 0, rejected: 3, byReason: { INVALID_EMAIL: 2, EMPTY: 1 } });
    const outPath = path.join(dir, 'all-bad-rejects.csv');
    expect(await h['import:exportRejects']({ ...mapping(file), outPath })).toEqual({ outPath, written: 3 });
    expect(fs.readFileSync(outPath, 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('the rejects of a multi-key run hold every key\'s rejects, each saying whether its row was kept; a file with no usable key at all gets its report too', async () => {
    const file = path.join(dir, 'crm.csv');
    const people = emails(0, 1200).map((e, i) => `${i},${e},+1415555${String(i).padStart(4, '0')}`);
    people.push('9001,not-an-email,+14155559001', '9002,c@example.com,12', '9003,worse,nope');
    fs.writeFileSync(file, `user_id,email,phone\n${people.join('\n')}\n`);
    const created = await createAudience(file, { name: 'CRM', keys: [{ key: 'email', column: 'email' }, { key: 'phone', column: 'phone' }] });
    const run = await runToEnd('sync:run', created.id);
    expect(run.finished.status).toBe('done');
    const exported = await h['runs:exportRejects']({ runId: run.runId });
    expect(exported.written).toBe(4);
    const report = fs.readFileSync(exported.outPath, 'utf8').trim().split('\n');
    expect(report[0]).toBe('row,column,reason,masked_value,explanation,row_outcome,"user_id"');
    expect(report.slice(1).map((l) => [l.split(',')[1], l.match(/"(row dropped: no usable key|cell rejected, row kept)"/)?.[1], l.split(',').pop()])).toEqual([
      ['"email"', 'cell rejected, row kept', '"9001"'],
      ['"phone"', 'cell rejected, row kept', '"9002"'],
      ['"email"', 'row dropped: no usable key', '"9003"'],
      ['"phone"', 'row dropped: no usable key', '"9003"'],
    ]);
    // The import screen's export of the same mapping writes the same report; one of a file without any usable key too.
    const keys = [{ key: 'email' as const, column: 'email' }, { key: 'phone' as const, column: 'phone' }];
    const again = path.join(dir, 'again.csv');
    await h['import:exportRejects']({ ...mapping(file), keys, outPath: again });
    expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(exported.outPath, 'utf8'));
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'user_id,email,phone\n1,x,12\n2,y,\n');
    expect(await h['import:exportRejects']({ ...mapping(bad), keys, outPath: path.join(dir, 'bad-rejects.csv') })).toMatchObject({ written: 3 });
  });
});
