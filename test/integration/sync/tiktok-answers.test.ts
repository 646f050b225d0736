/**
 * TikTok's real answers (#10 §3), end to end: the engine against the offline sandbox over real HTTP. The
 * engine's clock is the simulator's, and its sleeps move that clock, so waits of minutes or days take none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import { audienceView } from '../../../electron/core/engine/views';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, createAudienceOf, upload } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const HOUR = 3_600_000;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => {
  ({ sim, app, dir, close } = await openSandboxApp({
    now: () => new Date(sim.now()),
    // One call carries up to 20,000 people: each create and REPLACE here is a single call.
    runner: { sleep: async (ms) => sim.advanceClock(ms), partnerBatchRows: 500, filesPerCall: 50 },
  }));
});
afterEach(async () => close());

async function syncFile(list: readonly string[], name = 'Buyers', extra: { connectionId?: string; advertiserId?: string; api?: 'segment' } = {}) {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: extra.advertiserId ?? ADV(), connectionId: extra.connectionId ?? null, name, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE, api: extra.api });
  return { audience: a, outcome: await app.sync.sync(a.id, 'cli') };
}

const view = (id: number) => audienceView(app.store, app.store.audiences.require(id), { now: new Date(sim.now()), nextRun: (a) => app.scheduler.nextRun(a, new Date(sim.now())), running: () => false, quota: (x) => app.sync.quota(x) });
const updates = () => sim.requests('dmp/custom_audience/update');
const env = () => ({ COHORT_RELAY_HOME: path.join(dir, 'data'), TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url });

describe('an audience TikTok matched under 1,000 people is unavailable', () => {
  it('warns before creating it, and the one refused edit marks it unavailable, stops its schedule, and no further call is spent', async () => {
    sim.configure({ matchRate: 0.5, processingDelayMs: HOUR });
    const { audience, outcome: created } = await syncFile(emails(0, 1500));
    expect(created.status).toBe('done');
    expect(created.warnings.join(' ')).toMatch(/about 750 may match.*several keys per person/);
    expect(created.matchWarning).toMatch(/about 750 may match/);
    app.store.audiences.update(audience.id, { cadence: { kind: 'hourly' } });
    sim.advanceClock(HOUR + 1000); // TikTok has processed it: 750 matched

    const { outcome } = await syncFile(emails(0, 1600));
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('AUDIENCE_UNAVAILABLE');
    expect(outcome.error?.message).toMatch(/only 750 \(under 1,000\).*new audience.*larger cohort.*several keys per person/);
    expect(updates().map((r) => r.code)).toEqual([40002]);
    expect(app.store.audiences.require(audience.id).paused).toBe(true);
    expect(app.scheduler.dueReason(app.store.audiences.require(audience.id), new Date(sim.now() + 2 * HOUR))).toBeNull();

    const uploadsBefore = sim.requests('dmp/custom_audience/file/upload').length;
    const again = await app.sync.sync(audience.id, 'manual');
    expect(again).toMatchObject({ status: 'failed', callsUsed: 0, error: { code: 'AUDIENCE_UNAVAILABLE' } });
    expect(updates()).toHaveLength(1);
    expect(sim.requests('dmp/custom_audience/file/upload')).toHaveLength(uploadsBefore);

    const v = view(audience.id);
    expect(v.state).toBe('unavailable');
    expect(v.stateMessage).toMatch(/only 750.*never let it be edited.*new audience/);
    const status = await cli(['status'], env());
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/#\d+ Buyers \[unavailable\].*next paused/);
    expect(status.stdout).toMatch(/Way out: sync the cohort to a new audience/);
  });

  it('expects the match rate this app saw for other audiences of the key, warning only when it falls under 1,000', async () => {
    const { outcome: first } = await syncFile(emails(0, 2000), 'Matched fully'); // TikTok matched all 2,000
    expect(first.matchWarning).toBeNull(); // nothing learned yet: about half of 2,000 is enough
    const { outcome } = await syncFile(emails(0, 1500), 'Second');
    expect(outcome.matchWarning).toBeNull(); // 100 % matched before: 1,500 expected
    sim.configure({ matchRate: 0.4 });
    await syncFile(emails(0, 5000), 'Matched poorly');
    await syncFile(emails(0, 5000), 'Matched poorly too');
    const { outcome: third } = await syncFile(emails(0, 2000), 'Third');
    expect(third.matchWarning).toMatch(/about 40 % here.*about 800 may match/);
  });

  it('a status check that finds it unavailable marks it before any call is spent', async () => {
    sim.configure({ matchRate: 0.6 });
    const { audience } = await syncFile(emails(0, 1500)); // the run's closing status check sees 900 matched
    expect(view(audience.id).state).toBe('unavailable');
    expect(app.store.audiences.require(audience.id).paused).toBe(true);
    const { outcome } = await syncFile(emails(0, 1700));
    expect(outcome.error?.code).toBe('AUDIENCE_UNAVAILABLE');
    expect(updates()).toHaveLength(0);
  });

  it('tells processing from unavailable by the matched size and the time since the last change, not the rows sent', async () => {
    sim.configure({ matchRate: 0 }); // TikTok reports no match at all, whatever was sent
    const { audience } = await syncFile(emails(0, 3000));
    expect(view(audience.id).state).toBe('processing'); // 3,000 rows sent, nobody matched yet: still processing

    // Changed moments ago: TikTok is asked (a read) before an edit, and nobody matched yet means still processing.
    const first = await syncFile(emails(0, 3100));
    expect(first.outcome).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'AUDIENCE_PROCESSING' } });
    expect(updates()).toHaveLength(0);

    sim.advanceClock(2 * HOUR);
    const second = await app.sync.sync(audience.id, 'catch-up');
    expect(second).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'AUDIENCE_PROCESSING' } });
    expect(updates()).toHaveLength(0); // asked TikTok (a read) instead of spending a call

    // 48 h after the last change with nobody matched, the one edit it then gets is refused for good.
    sim.advanceClock(48 * HOUR);
    const third = await app.sync.sync(audience.id, 'catch-up');
    expect(third).toMatchObject({ status: 'failed', error: { code: 'AUDIENCE_UNAVAILABLE' } });
    expect(third.error?.message).toMatch(/matched no people/);
    expect(updates().map((r) => r.code)).toEqual([40002]);
    expect((await app.sync.sync(audience.id, 'catch-up')).callsUsed).toBe(0);
    expect(updates()).toHaveLength(1);
    expect(view(audience.id).state).toBe('unavailable');
  });

  it('a refused edit of an audience that then turns out ready is sent once TikTok is done', async () => {
    sim.configure({ processingDelayMs: 30 * 60_000 });
    const { audience, outcome: created } = await syncFile(emails(0, 2000));
    const { outcome } = await syncFile(emails(0, 2100));
    expect(outcome).toMatchObject({ status: 'deferred', error: { code: 'AUDIENCE_PROCESSING' } });
    sim.advanceClock(31 * 60_000);
    sim.configure({ processingDelayMs: 0 });
    const retry = await app.sync.sync(audience.id, 'catch-up');
    expect(retry.status).toBe('done');
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(emails(0, 2100)));
    expect(view(audience.id).state).toBe('available');
  });
});

describe('a new partner audience is not ready at once', () => {
  it.each([400, 200])('syncs in one run, waiting through the readiness delay (HTTP %i + 40002 "invalid audience ID")', async (status) => {
    sim.configure({ partnerReadyDelayMs: 90_000, partnerNotReadyHttpStatus: status });
    const start = sim.now();
    const list = emails(0, 1200);
    const { outcome } = await syncFile(list, 'Partner fresh', { api: 'segment' });
    expect(outcome).toMatchObject({ status: 'done', adds: 1200, error: null });
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(new Set(list.map((e) => `EMAIL_SHA256:${sha256Hex(e)}`)));
    const mapping = sim.requests('segment/mapping');
    expect(mapping[0]).toMatchObject({ code: 40002, httpStatus: status });
    expect(mapping.filter((r) => r.code === 0)).toHaveLength(3);
    // Each try while TikTok sets the audience up is logged as that, not as an unknown or deleted audience.
    const notReady = app.store.runs.apiCalls(outcome.runId!).filter((c) => c.endpoint.startsWith('segment/mapping') && c.code === 40002);
    expect(notReady.length).toBeGreaterThan(0);
    for (const c of notReady) {
      expect(c.detail).toMatch(/not know this partner audience yet.*minute or two.*retries/);
      expect(c.detail).not.toMatch(/deleted|create a new audience/);
    }
    const waited = sim.now() - start;
    expect(waited).toBeGreaterThanOrEqual(90_000);
    expect(waited).toBeLessThanOrEqual(180_000);
  });

  it('waits a bounded time, then defers (not an error), and the next run finishes', async () => {
    sim.configure({ partnerReadyDelayMs: 10 * 60_000 });
    const start = sim.now();
    const list = emails(0, 1000);
    const { audience, outcome } = await syncFile(list, 'Partner slow', { api: 'segment' });
    expect(outcome.status).toBe('deferred');
    expect(outcome.error?.code).toBe('AUDIENCE_PROCESSING');
    expect(outcome.error?.message).toMatch(/setting up the new partner audience/);
    expect(sim.now() - start).toBeLessThanOrEqual(3 * 60_000 + 5_000); // the injected waits, plus real time
    expect(view(audience.id).state).not.toBe('error');
    sim.advanceClock(10 * 60_000);
    const next = await app.sync.sync(audience.id, 'catch-up');
    expect(next.status).toBe('done');
    expect(sim.membership(outcome.tiktokAudienceId!)!.size).toBe(1000);
  });

  it('an old partner audience answering "invalid audience ID" is an error, not a wait', async () => {
    const { audience, outcome } = await syncFile(emails(0, 1000), 'Partner old', { api: 'segment' });
    expect(outcome.status).toBe('done');
    sim.advanceClock(2 * HOUR);
    sim.faults.add({ kind: 'tiktok-code', endpoint: 'segment/mapping', code: 40002, message: 'Parameter error: invalid audience ID', status: 400 });
    const start = sim.now();
    const { outcome: next } = await syncFile(emails(0, 1100), 'Partner old', { api: 'segment' });
    expect(next).toMatchObject({ status: 'failed', error: { code: 'AUDIENCE_NOT_FOUND' } });
    expect(next.error?.message).toMatch(/made more than a few minutes ago: it was deleted.*create a new audience/);
    expect(sim.now() - start).toBeLessThan(60_000);
    expect(app.store.audiences.require(audience.id).tiktokAudienceId).toBe(outcome.tiktokAudienceId);
  });

  it('a lost create is recovered only from a partner audience of that name this app made, not a customer-file namesake', async () => {
    const { client } = clientFor(sim);
    const namesake = await createAudienceOf(client, ADV(), emails(0, 1200).map(sha256Hex), 'Partner buyers');
    sim.faults.failNext('segment/audience', 'lost-ack');
    const list = emails(0, 1000);
    const { outcome } = await syncFile(list, 'Partner buyers', { api: 'segment' });
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe('done');
    expect(outcome.tiktokAudienceId).not.toBe(namesake.audienceId);
    expect(sim.audience(outcome.tiktokAudienceId!)?.kind).toBe('partner');
    expect(sim.requests('segment/audience')).toHaveLength(1);
    expect(sim.membership(outcome.tiktokAudienceId!)!.size).toBe(1000);
    expect(sim.membership(namesake.audienceId)!.size).toBe(1200);
  });
});

describe('REPLACE', () => {
  it("TikTok's refusal of a REPLACE while another is unfinished defers; the next run sends APPEND and REMOVE instead", async () => {
    sim.configure({ replaceUnfinishedMs: 6 * HOUR });
    const { audience, outcome: created } = await syncFile(emails(0, 2000));
    app.store.audiences.update(audience.id, { removalLimitPct: null }); // Big changes on purpose: the removal limit (held syncs) has its own tests (removal-limit.test.ts).
    // Another tool replaces the audience; TikTok is still applying it.
    const { client } = clientFor(sim);
    await client.updateAudience({ advertiserId: ADV(), audienceId: created.tiktokAudienceId!, action: 'REPLACE', filePaths: [await upload(client, ADV(), emails(0, 2000).map(sha256Hex))] });

    const target = emails(300, 4700); // 300 leave, 3,000 join: one REPLACE is the cheapest plan
    // TikTok's history shows that REPLACE, which this app did not send: held until the user chooses. It holds the
    // same people, so they keep syncing changes only.
    const held = (await syncFile(target)).outcome;
    expect(held).toMatchObject({ status: 'held', hold: { reason: 'membership', foreignChanges: 1 } });
    app.sync.keepAudience(audience.id, held.runId);
    const outcome = await app.sync.sync(audience.id, 'manual');
    expect(outcome).toMatchObject({ status: 'deferred', strategy: 'replace', error: { code: 'REPLACE_PENDING', retryable: true } });
    expect(updates().at(-1)).toMatchObject({ code: 40002 });
    expect(app.store.runs.get(outcome.runId!)).toMatchObject({ status: 'deferred', errorCode: 'REPLACE_PENDING' });

    const next = await app.sync.sync(audience.id, 'catch-up');
    expect(next).toMatchObject({ status: 'done', strategy: 'incremental' });
    expect(sim.membership(created.tiktokAudienceId!)).toEqual(hashSet(target));
    expect(sim.audience(created.tiktokAudienceId!)!.history.slice(-2).map((h) => h.action)).toEqual(['append', 'remove']);
  });

  it('an adopted audience whose REPLACE TikTok refused waits 24 hours for the next one, spending no call meanwhile', async () => {
    sim.configure({ replaceUnfinishedMs: 6 * HOUR });
    const { client } = clientFor(sim);
    const existing = await createAudienceOf(client, ADV(), emails(0, 1500).map(sha256Hex), 'Made elsewhere');
    await client.updateAudience({ advertiserId: ADV(), audienceId: existing.audienceId, action: 'REPLACE', filePaths: [await upload(client, ADV(), emails(0, 1600).map(sha256Hex))] });
    const csv = path.join(dir, 'adopt.csv');
    writeEmailCsv(csv, emails(100, 1700));
    const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, tiktokAudienceId: existing.audienceId, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE, removalMode: 'mirror' });
    const refused = await app.sync.sync(a.id, 'cli');
    expect(refused).toMatchObject({ status: 'deferred', strategy: 'adopt', error: { code: 'REPLACE_PENDING' } });
    const refusedAt = sim.now();
    const calls = updates().length;

    sim.advanceClock(7 * HOUR); // TikTok has finished the other REPLACE, but ours went out (refused) 7 h ago
    const waiting = await app.sync.sync(a.id, 'catch-up');
    expect(waiting).toMatchObject({ status: 'deferred', callsUsed: 0, error: { code: 'REPLACE_PENDING' } });
    expect(Date.parse(waiting.deferredUntil!)).toBeGreaterThanOrEqual(refusedAt + 24 * HOUR - 60_000);
    expect(Date.parse(waiting.deferredUntil!)).toBeLessThanOrEqual(refusedAt + 24 * HOUR + 60_000);
    expect(updates()).toHaveLength(calls);

    sim.advanceClock(17 * HOUR + 60_000);
    const done = await app.sync.sync(a.id, 'catch-up');
    expect(done).toMatchObject({ status: 'done', strategy: 'adopt' });
    expect(sim.membership(existing.audienceId)).toEqual(hashSet(emails(100, 1700)));
  });

  it('sends at most one REPLACE per rolling 24 hours, across UTC midnight', async () => {
    const at = new Date(sim.now());
    const elevenPm = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), 23);
    sim.advanceClock((elevenPm > sim.now() ? elevenPm : elevenPm + 24 * HOUR) - sim.now());
    const { outcome: created } = await syncFile(emails(0, 2000));
    const id = created.tiktokAudienceId!;
    // Each change below removes a few and adds many: one REPLACE is cheaper than APPEND + REMOVE.
    expect((await syncFile(emails(300, 4700))).outcome).toMatchObject({ status: 'done', strategy: 'replace' });

    sim.advanceClock(2 * HOUR); // 01:00 the next UTC day: a new quota day, but within 24 h of the REPLACE
    expect((await syncFile(emails(1000, 8000))).outcome).toMatchObject({ status: 'done', strategy: 'incremental' });
    expect(sim.membership(id)).toEqual(hashSet(emails(1000, 8000)));

    sim.advanceClock(22 * HOUR + 60_000); // 24 h after the REPLACE
    expect((await syncFile(emails(2000, 16_000))).outcome).toMatchObject({ status: 'done', strategy: 'replace' });
    expect(sim.membership(id)).toEqual(hashSet(emails(2000, 16_000)));
  });
});

describe('40106: the token is not valid for one ad account', () => {
  it('marks that ad account, not the connection; its other ad accounts keep syncing; a later success clears it', async () => {
    const conn = app.store.connections.upsert({ id: 'c-1', label: 'Agency', kind: 'token', appId: null, apiBase: sim.url });
    const [adv1, adv2] = sim.advertiserIds as [string, string];
    sim.faults.add({ kind: 'tiktok-code', endpoint: 'dmp/custom_audience/file/upload', code: 40106, message: 'The token is not valid for this advertiser.', times: 1 });
    const { audience: a, outcome } = await syncFile(emails(0, 1200), 'Shop one', { connectionId: conn.id, advertiserId: adv1 });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'ADVERTISER_UNREACHABLE' } });
    expect(app.store.connections.get(conn.id)?.status).toBe('ok');
    expect(view(a.id)).toMatchObject({ state: 'needs_reconnect', stateMessage: expect.stringContaining(`cannot reach ad account ${adv1}`) });

    const { audience: b, outcome: other } = await syncFile(emails(0, 1200), 'Shop two', { connectionId: conn.id, advertiserId: adv2 });
    expect(other.status).toBe('done');
    expect(view(b.id).state).toBe('available');
    expect(view(a.id).state).toBe('needs_reconnect');

    const retry = await app.sync.sync(a.id, 'manual');
    expect(retry.status).toBe('done');
    expect(view(a.id).state).toBe('available');
  });
});

describe('phones sent to the segment API', () => {
  const phones = Array.from({ length: 1000 }, (_, i) => `+1 415 555 ${String(1000 + i).padStart(4, '0')}`);
  const e164 = (p: string) => p.replace(/[^\d+]/g, '');

  it("keep the leading '+' (E.164) by default; --phone-digits drops it; customer files keep digits only", async () => {
    const csv = path.join(dir, 'phones.csv');
    fs.writeFileSync(csv, `id,phone\n${phones.map((p, i) => `${i},${p}`).join('\n')}\n`);
    const home = { ...env(), COHORT_RELAY_HOME: path.join(dir, 'cli-data') };
    const sync = async (name: string, extra: string[]) => {
      const r = await cli(['sync', '--csv', csv, '--key', 'phone', '--column', 'phone', '--advertiser', ADV(), '--audience', name, '--json', ...extra], home);
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { audienceId: string; status: string };
    };
    const plus = await sync('Phones partner', ['--partner']);
    expect(plus.status).toBe('done');
    expect(sim.membership(plus.audienceId)).toEqual(new Set(phones.map((p) => `PHONE_SHA256:${sha256Hex(e164(p))}`)));
    const digits = await sync('Phones partner digits', ['--partner', '--phone-digits']);
    expect(sim.membership(digits.audienceId)).toEqual(new Set(phones.map((p) => `PHONE_SHA256:${sha256Hex(e164(p).slice(1))}`)));
    const file = await sync('Phones file', []);
    expect(sim.membership(file.audienceId)).toEqual(new Set(phones.map((p) => sha256Hex(e164(p).slice(1)))));
  });
});
