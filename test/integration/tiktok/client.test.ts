import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TikTokClient, md5Hex } from '../../../electron/core/tiktok/client';
import { TikTokApiError } from '../../../electron/core/tiktok/errors';
import { SANDBOX_ADVERTISERS, startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { clientFor, createAudienceOf, fileOf, hashes, thrown, upload } from './helpers';

let sim: SimulatorHandle;
const ADV = SANDBOX_ADVERTISERS[0]!.advertiserId;
const ADV2 = SANDBOX_ADVERTISERS[1]!.advertiserId;

beforeAll(async () => {
  // Audiences here are edited with 80 % matched; TikTok's refusal of unavailable audiences has its own tests.
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, unavailableBelowFloor: false });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.reset();
  sim.configure({ rateLimit: false, processingDelayMs: 0, dailyAudienceCallCap: 24, createIdKey: 'custom_audience_id' });
});

describe('TikTokClient against the offline sandbox (real HTTP on 127.0.0.1)', () => {
  it('exchanges a one-time auth code for a token that reaches the seeded advertisers', async () => {
    const { client } = clientFor(sim, { accessToken: undefined });
    const r = await client.oauthAccessToken({ appId: sim.appId, secret: sim.appSecret, authCode: sim.authCode() });
    expect(r.accessToken).toMatch(/^sbx[0-9a-f]+$/);
    expect(r.advertiserIds).toEqual([ADV, ADV2]);
    expect(r.scope).toEqual(expect.arrayContaining([30, 31]));
    expect(r.requestId).toMatch(/^\d{14}[0-9A-F]{10}$/);
    const me = new TikTokClient({ base: sim.url, accessToken: r.accessToken, limiter: null });
    expect((await me.userInfo()).user.displayName).toBe('Sandbox User');
  });

  it('sends no Access-Token header on the token exchange and the header (not a query) elsewhere', async () => {
    const seen: { url: string; token: string | null }[] = [];
    const spyFetch: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), token: new Headers(init?.headers).get('access-token') });
      return fetch(input, init);
    };
    const { client } = clientFor(sim, { fetch: spyFetch });
    await client.oauthAccessToken({ appId: sim.appId, secret: sim.appSecret, authCode: sim.authCode() });
    await client.userInfo();
    expect(seen[0]).toEqual({ url: `${sim.url}/open_api/v1.3/oauth2/access_token/`, token: null });
    expect(seen[1]).toEqual({ url: `${sim.url}/open_api/v1.3/user/info/`, token: sim.accessToken });
  });

  it('lists the advertisers a token reaches and their names', async () => {
    const { client } = clientFor(sim);
    const got = await client.advertiserGet({ appId: sim.appId, secret: sim.appSecret });
    expect(got.advertisers).toEqual(SANDBOX_ADVERTISERS.map((a) => ({ advertiserId: a.advertiserId, advertiserName: a.name })));
    const info = await client.advertiserInfo([ADV, ADV2]);
    expect(info.advertisers.map((a) => a.name)).toEqual(['Sandbox Advertiser One', 'Sandbox Advertiser Two']);
    expect(info.requestIds).toHaveLength(1);
  });

  it('revokes a token so later calls fail with 40105 → reauth / AUTH_EXPIRED', async () => {
    const token = sim.issueToken();
    const c = new TikTokClient({ base: sim.url, accessToken: token, limiter: null });
    await c.userInfo();
    const r = await c.revokeToken({ appId: sim.appId, secret: sim.appSecret, accessToken: token });
    expect(r.advertiserIds).toEqual([ADV, ADV2]);
    const err = await thrown<TikTokApiError>(() => c.userInfo());
    expect(err).toBeInstanceOf(TikTokApiError);
    expect([err.tiktokCode, err.category, err.code, err.httpStatus]).toEqual([40105, 'reauth', 'AUTH_EXPIRED', 200]);
    expect(err.requestId).toMatch(/^\d{14}/);
  });

  it('reads the access token from an async provider on each call', async () => {
    let token = sim.accessToken;
    const c = new TikTokClient({ base: sim.url, accessToken: async () => token, limiter: null });
    await c.userInfo();
    token = 'not-a-token';
    expect((await thrown<TikTokApiError>(() => c.userInfo())).tiktokCode).toBe(40105);
  });

  it('uploads bytes with their MD5 signature and gets a 16-char file_path holding the rows', async () => {
    const { client } = clientFor(sim);
    const lines = hashes(3);
    const r = await client.fileUpload({ advertiserId: ADV, calculateType: 'EMAIL_SHA256', file: fileOf(lines) });
    expect(r.filePath).toMatch(/^[0-9a-f]{16}$/);
    expect(r.signature).toBe(md5Hex(fileOf(lines)));
    expect(sim.fileRows(r.filePath)).toEqual(lines);
  });

  it('uploads a file from disk by path, streaming it and naming it after the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tt-upload-'));
    const file = path.join(dir, 'chunk-1.csv');
    const lines = hashes(50);
    writeFileSync(file, fileOf(lines));
    const { client } = clientFor(sim);
    const r = await client.fileUpload({ advertiserId: ADV, calculateType: 'EMAIL_SHA256', file });
    expect(sim.fileRows(r.filePath)).toEqual(lines);
    expect(r.bytes).toBe(fileOf(lines).length);
  });

  it('creates an audience and reads it back through list and get (with history)', async () => {
    const { client } = clientFor(sim);
    const lines = hashes(1500, 'create');
    const { audienceId } = await createAudienceOf(client, ADV, lines, 'Buyers');
    expect(sim.membership(audienceId)).toEqual(new Set(lines));
    const listed = await client.listAudiences(ADV, { ids: [audienceId] });
    expect(listed.audiences).toHaveLength(1);
    expect(listed.audiences[0]).toMatchObject({ audienceId, name: 'Buyers', audienceType: 'Customer File Audience', calculateType: 'EMAIL_SHA256', coverNum: 1200, isValid: true, isCreator: true });
    const got = await client.getAudiences(ADV, [audienceId], { historySize: 5 });
    expect(got.audiences[0]).toMatchObject({ audienceId, coverNum: 1200, isValid: true, audienceType: 'Customer File Audience' });
    expect(got.audiences[0]!.history).toEqual([expect.objectContaining({ action: 'create', actionDetail: '1500', editor: 'open_api' })]);
  });

  it('accepts audience_id instead of custom_audience_id in the create answer', async () => {
    sim.configure({ createIdKey: 'audience_id' });
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(10, 'alt'));
    expect(sim.audience(audienceId)?.size).toBe(10);
  });

  it('always sends the update action explicitly, so APPEND adds and REMOVE removes', async () => {
    const bodies: unknown[] = [];
    const spyFetch: typeof fetch = async (input, init) => {
      if (String(input).includes('/update/')) bodies.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    const { client } = clientFor(sim, { fetch: spyFetch });
    const base = hashes(1200, 'upd');
    const { audienceId } = await createAudienceOf(client, ADV, base);
    const extra = hashes(10, 'upd-extra');
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [await upload(client, ADV, extra)] });
    expect(sim.membership(audienceId)?.size).toBe(1210);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'REMOVE', filePaths: [await upload(client, ADV, base.slice(0, 5))] });
    expect(sim.membership(audienceId)).toEqual(new Set([...base.slice(5), ...extra]));
    expect(bodies).toEqual([expect.objectContaining({ action: 'APPEND', custom_audience_id: audienceId }), expect.objectContaining({ action: 'REMOVE' })]);
    expect(sim.callsOn(audienceId)).toBe(3);
  });

  it('renames an audience without spending its daily calls', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(5, 'ren'));
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', name: 'Renamed' });
    expect(sim.audience(audienceId)?.name).toBe('Renamed');
    expect(sim.callsOn(audienceId)).toBe(1);
  });

  it('pages through every audience at page_size 100 and keeps each request id', async () => {
    const { client } = clientFor(sim);
    const filePath = await upload(client, ADV2, hashes(2, 'page'));
    for (let i = 0; i < 205; i++) await client.createAudience({ advertiserId: ADV2, name: `P${i}`, calculateType: 'EMAIL_SHA256', filePaths: [filePath] });
    const all = await client.listAudiences(ADV2);
    expect(all.audiences).toHaveLength(205);
    expect(new Set(all.audiences.map((a) => a.name)).size).toBe(205);
    expect(all.totalNumber).toBe(205);
    expect(all.requestIds).toHaveLength(3);
    const listCalls = sim.requests('dmp/custom_audience/list').slice(-3);
    expect(listCalls.every((c) => c.code === 0)).toBe(true);
    // get and delete take 100 ids per request: 205 ids → 3 requests each
    const ids = all.audiences.map((a) => a.audienceId);
    expect((await client.getAudiences(ADV2, ids)).requestIds).toHaveLength(3);
    const del = await client.deleteAudiences(ADV2, ids);
    expect(del.requestIds).toHaveLength(3);
    expect((await client.listAudiences(ADV2)).audiences).toEqual([]);
  });

  it('creates, fills, empties and deletes a partner audience through the segment API', async () => {
    const { client } = clientFor(sim);
    const long = 'x'.repeat(80);
    const created = await client.segmentAudienceCreate({ advertiserId: ADV, name: long });
    expect(created.name).toBe(`${'x'.repeat(67)}...`);
    expect(sim.audience(created.audienceId)).toMatchObject({ kind: 'partner', name: created.name, calculateType: 'MULTIPLE_TYPES' });
    const [e1, e2] = hashes(2, 'seg');
    const [p1] = hashes(1, 'segphone');
    const ids = [created.audienceId];
    await client.segmentMapping({
      advertiserIds: [ADV],
      action: 'add',
      idSchema: ['EMAIL_SHA256', 'PHONE_SHA256', 'AAID_SHA256'],
      batchData: [
        [{ id: e1!, audienceIds: ids }, { id: p1!, audienceIds: ids }, null],
        [{ id: e2!, audienceIds: ids }, null, null],
      ],
    });
    expect(sim.membership(created.audienceId)).toEqual(new Set([`EMAIL_SHA256:${e1}`, `PHONE_SHA256:${p1}`, `EMAIL_SHA256:${e2}`]));
    await client.segmentMapping({ advertiserIds: [ADV], action: 'delete', idSchema: ['EMAIL_SHA256'], batchData: [[{ id: e1!, audienceIds: ids }]] });
    expect(sim.membership(created.audienceId)).toEqual(new Set([`PHONE_SHA256:${p1}`, `EMAIL_SHA256:${e2}`]));
    const listed = await client.listAudiences(ADV, { ids });
    expect(listed.audiences[0]?.audienceType).toBe('Partner');
    await client.segmentAudienceDelete({ advertiserId: ADV, audienceId: created.audienceId });
    expect(sim.audience(created.audienceId)).toBeUndefined();
  });

  it('refuses a segment row whose length differs from the id schema before sending', async () => {
    const { client, calls } = clientFor(sim);
    const err = await thrown<Error & { code: string }>(() => client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256', 'PHONE_SHA256'], batchData: [[null]] }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(calls).toHaveLength(0);
  });

  it('reports every request to onCall with endpoint, request id, code, status and timing, never the token', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    const { client, calls } = clientFor(sim, { now: () => (t += 7) });
    await client.userInfo();
    await thrown(() => client.listAudiences('999'));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({ endpoint: 'user/info/', method: 'GET', requestId: expect.any(String), code: 0, httpStatus: 200, durationMs: 7, startedAt: '2030-01-01T00:00:00.007Z', attempt: 1 });
    expect(calls[1]).toMatchObject({ endpoint: 'dmp/custom_audience/list/', code: 40001, error: { appCode: 'PERMISSION_DENIED', category: 'reauth', maybeApplied: false } });
    expect(JSON.stringify(calls)).not.toContain(sim.accessToken);
  });

  it('throws AUTH_MISSING without sending when no token is configured', async () => {
    const { client, calls } = clientFor(sim, { accessToken: undefined });
    const err = await thrown<Error & { code: string }>(() => client.userInfo());
    expect(err.code).toBe('AUTH_MISSING');
    expect(calls).toHaveLength(0);
  });
});
