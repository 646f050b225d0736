import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TikTokClient } from '../../../electron/core/tiktok/client';
import { refusalCountsAgainstAudience, TikTokApiError } from '../../../electron/core/tiktok/errors';
import { SANDBOX_ADVERTISERS, startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { clientFor, createAudienceOf, fileOf, hashes, thrown, upload } from '../tiktok/helpers';

let sim: SimulatorHandle;
const ADV = SANDBOX_ADVERTISERS[0]!.advertiserId;
const ADV2 = SANDBOX_ADVERTISERS[1]!.advertiserId;
const API = '/open_api/v1.3/';

/** Raw HTTP, for what the client never sends (omitted action, repeated params, wrong MD5, missing slash). */
async function raw(p: string, init: { method?: string; json?: unknown; token?: string | null; form?: FormData } = {}): Promise<{ status: number; body: { code: number; message: string; request_id: string; data: Record<string, unknown> } }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers['Access-Token'] = init.token ?? sim.accessToken;
  let body: string | FormData | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) body = init.form;
  const res = await fetch(`${sim.url}${p}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // non-JSON (404 pages)
  }
  return { status: res.status, body: parsed as never };
}

function uploadForm(p: { advertiserId?: string; calculateType?: string; content: Buffer; filename?: string; signature?: string }): FormData {
  const f = new FormData();
  f.append('advertiser_id', p.advertiserId ?? ADV);
  f.append('calculate_type', p.calculateType ?? 'EMAIL_SHA256');
  f.append('file_signature', p.signature ?? createHash('md5').update(p.content).digest('hex'));
  f.append('file', new Blob([new Uint8Array(p.content)]), p.filename ?? 'a.csv');
  return f;
}

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.reset();
  // Most rules below edit audiences whose matched size (80 % of the rows) is under 1,000, which TikTok would refuse
  // for good: the unavailable rule is off here and has its own tests ("TikTok's real answers").
  sim.configure({ rateLimit: false, processingDelayMs: 0, dailyAudienceCallCap: 24, segmentAllowlisted: true, segmentMaxBatchSize: 1000, fileTtlMs: 24 * 3600_000, unavailableBelowFloor: false, partnerReadyDelayMs: 0, replaceUnfinishedMs: null, matchRate: 0.8 });
});

describe('envelope and transport', () => {
  it('answers errors with HTTP 200 and the {code, message, request_id, data:{}} envelope', async () => {
    const r = await raw(`${API}user/info/`, { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: 40104, message: expect.stringContaining('Access-Token'), request_id: expect.stringMatching(/^\d{14}[0-9A-F]{10}$/), data: {} });
  });

  it('answers an unknown token with 40105 and a success with code 0 and message OK', async () => {
    expect((await raw(`${API}user/info/`, { token: 'nope' })).body.code).toBe(40105);
    expect((await raw(`${API}user/info/`)).body).toMatchObject({ code: 0, message: 'OK' });
  });

  it('answers 404 for a path without the trailing slash and 405 for the wrong method', async () => {
    expect((await raw(`${API}user/info`)).status).toBe(404);
    expect((await raw(`${API}user/info/`, { method: 'POST', json: {} })).status).toBe(405);
  });

  it('accepts GET array parameters both as a JSON string and as repeated keys', async () => {
    const { client } = clientFor(sim);
    const a = await createAudienceOf(client, ADV, hashes(3, 'arr-a'));
    const b = await createAudienceOf(client, ADV, hashes(3, 'arr-b'));
    const json = await raw(`${API}dmp/custom_audience/list/?advertiser_id=${ADV}&page_size=100&custom_audience_ids=${encodeURIComponent(JSON.stringify([a.audienceId, b.audienceId]))}`);
    const repeated = await raw(`${API}dmp/custom_audience/list/?advertiser_id=${ADV}&page_size=100&custom_audience_ids=${a.audienceId}&custom_audience_ids=${b.audienceId}`);
    const ids = (r: typeof json): string[] => (r.body.data.list as { audience_id: string }[]).map((x) => x.audience_id);
    expect(ids(json)).toEqual([a.audienceId, b.audienceId]);
    expect(ids(repeated)).toEqual([a.audienceId, b.audienceId]);
    expect((await raw(`${API}advertiser/info/?advertiser_ids=${ADV}&advertiser_ids=${ADV2}`)).body.data.list).toHaveLength(2);
  });

  it('rejects page_size over 100 with a parameter error', async () => {
    expect((await raw(`${API}dmp/custom_audience/list/?advertiser_id=${ADV}&page_size=101`)).body.code).toBe(40002);
  });

  it('uses the get shape of §3.5: `type` in details, history newest first, limited by history_size', async () => {
    const { client } = clientFor(sim);
    const base = hashes(1300, 'shape');
    const { audienceId } = await createAudienceOf(client, ADV, base);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [await upload(client, ADV, hashes(1, 'shape-x'))] });
    const r = await raw(`${API}dmp/custom_audience/get/?advertiser_id=${ADV}&custom_audience_ids=${encodeURIComponent(JSON.stringify([audienceId]))}&history_size=1`);
    const item = (r.body.data.list as Record<string, Record<string, unknown> | Record<string, unknown>[]>[])[0]!;
    expect(item.audience_details).toMatchObject({ audience_id: audienceId, type: 'Customer File Audience', calculate_type: 'EMAIL_SHA256', is_valid: true, cover_num: 1040, create_time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
    expect(item.audience_history).toEqual([{ opt_time: expect.any(String), action: 'append', action_detail: '1', editor: 'open_api', msg: null }]);
  });

  it('writes its times without a zone, in UTC by default or at the configured offset (e.g. UTC+8)', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1300, 'zone'));
    const get = async () => {
      const r = await raw(`${API}dmp/custom_audience/get/?advertiser_id=${ADV}&custom_audience_ids=${encodeURIComponent(JSON.stringify([audienceId]))}`);
      const item = (r.body.data.list as { audience_details: { create_time: string }; audience_history: { opt_time: string }[] }[])[0]!;
      return { created: item.audience_details.create_time, opt: item.audience_history[0]!.opt_time };
    };
    const at = sim.audience(audienceId)!.history[0]!.at;
    const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    expect(await get()).toEqual({ created: utc(at), opt: utc(at) });
    sim.configure({ timeZoneOffsetMinutes: 480 });
    try {
      expect(await get()).toEqual({ created: utc(at + 8 * 3_600_000), opt: utc(at + 8 * 3_600_000) });
    } finally {
      sim.configure({ timeZoneOffsetMinutes: 0 });
    }
  });
});

describe('OAuth', () => {
  it('approves on /portal/auth at once and redirects (302) with auth_code and state', async () => {
    sim.configure({ redirectUris: ['http://127.0.0.1:5555/callback?keep=1'] });
    const res = await fetch(`${sim.url}/portal/auth?app_id=${sim.appId}&state=xyz&redirect_uri=${encodeURIComponent('http://127.0.0.1:5555/callback?keep=1')}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location')!);
    expect(`${loc.origin}${loc.pathname}`).toBe('http://127.0.0.1:5555/callback');
    expect(loc.searchParams.get('keep')).toBe('1');
    expect(loc.searchParams.get('state')).toBe('xyz');
    const code = loc.searchParams.get('auth_code')!;
    const { client } = clientFor(sim, { accessToken: undefined });
    await client.oauthAccessToken({ appId: sim.appId, secret: sim.appSecret, authCode: code });
  });

  it('can send the code as `code` too, or deny consent, for the loopback listener tests', async () => {
    sim.configure({ authCodeParam: 'code', redirectUris: ['http://127.0.0.1:1/cb'] });
    let res = await fetch(`${sim.url}/portal/auth?app_id=${sim.appId}&state=s&redirect_uri=${encodeURIComponent('http://127.0.0.1:1/cb')}`, { redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toMatch(/^code/);
    sim.configure({ authCodeParam: 'auth_code', consent: 'deny' });
    res = await fetch(`${sim.url}/portal/auth?app_id=${sim.appId}&state=s&redirect_uri=${encodeURIComponent('http://127.0.0.1:1/cb')}`, { redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    sim.configure({ consent: 'approve' });
  });

  it('refuses a reused auth code, an expired one (1 h), and a wrong secret', async () => {
    const { client } = clientFor(sim, { accessToken: undefined });
    const code = sim.authCode();
    await client.oauthAccessToken({ appId: sim.appId, secret: sim.appSecret, authCode: code });
    const reused = await thrown<TikTokApiError>(() => client.oauthAccessToken({ appId: sim.appId, secret: sim.appSecret, authCode: code }));
    expect([reused.tiktokCode, reused.code]).toEqual([40110, 'AUTH_FAILED']);
    const old = sim.authCode();
    sim.advanceClock(3600_000 + 1);
    expect((await thrown<TikTokApiError>(() => client.oauthAccessToken({ appId: sim.appId, secret: sim.appSecret, authCode: old }))).tiktokCode).toBe(40110);
    const bad = await thrown<TikTokApiError>(() => client.oauthAccessToken({ appId: sim.appId, secret: 'wrong', authCode: sim.authCode() }));
    expect([bad.tiktokCode, bad.category, bad.code]).toEqual([40101, 'give-up', 'AUTH_FAILED']);
  });

  it('answers 40102 for an expired token', async () => {
    const token = sim.issueToken();
    sim.expireToken(token);
    const c = new TikTokClient({ base: sim.url, accessToken: token, limiter: null });
    expect((await thrown<TikTokApiError>(() => c.userInfo())).tiktokCode).toBe(40102);
  });

  it('refuses an advertiser the token cannot reach with 40001', async () => {
    const c = new TikTokClient({ base: sim.url, accessToken: sim.issueToken([ADV]), limiter: null });
    const err = await thrown<TikTokApiError>(() => c.listAudiences(ADV2));
    expect([err.tiktokCode, err.code]).toEqual([40001, 'PERMISSION_DENIED']);
  });
});

describe('file upload checks', () => {
  const good = fileOf(hashes(2, 'up'));
  it('rejects a wrong MD5 signature with 40900', async () => {
    const r = await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: good, signature: 'a'.repeat(32) }) });
    expect(r.body.code).toBe(40900);
  });
  it('rejects an extension other than .csv / .txt with 40908', async () => {
    expect((await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: good, filename: 'a.xlsx' }) })).body.code).toBe(40908);
    expect((await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: good, filename: 'a.txt' }) })).body.code).toBe(0);
  });
  it('rejects an unknown calculate_type with 40909 and an empty file with 40906', async () => {
    expect((await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: good, calculateType: 'NAME_SHA256' }) })).body.code).toBe(40909);
    expect((await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: Buffer.alloc(0) }) })).body.code).toBe(40906);
  });
  it('rejects a file over the size limit with 40907 (category split)', async () => {
    sim.configure({ maxFileBytes: 100 });
    const { client } = clientFor(sim);
    const err = await thrown<TikTokApiError>(() => client.fileUpload({ advertiserId: ADV, calculateType: 'EMAIL_SHA256', file: fileOf(hashes(3)) }));
    expect([err.tiktokCode, err.category]).toEqual([40907, 'split']);
    sim.configure({ maxFileBytes: 50 * 1024 * 1024 });
  });
  it.each([
    ['a header row', 'email\n' + hashes(1)[0] + '\n'],
    ['an uppercase hash', hashes(1)[0]!.toUpperCase() + '\n'],
    ['a raw email', 'jane@example.com\n'],
    ['CRLF line endings', hashes(2).join('\r\n') + '\r\n'],
    ['a blank line', hashes(1)[0] + '\n\n' + hashes(1, 'x')[0] + '\n'],
    ['an MD5 in a SHA-256 file', 'd41d8cd98f00b204e9800998ecf8427e\n'],
  ])('rejects %s with a parameter error (40002)', async (_label, content) => {
    const r = await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: Buffer.from(content) }) });
    expect(r.body.code).toBe(40002);
  });
  it('never echoes a rejected line (it may be a raw identifier) and accepts a last line without newline', async () => {
    const r = await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: Buffer.from('jane.doe@example.com\n') }) });
    expect(r.body.code).toBe(40002);
    expect(r.body.message).not.toContain('jane');
    const lines = hashes(2, 'nonl');
    const ok = await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content: Buffer.from(lines.join('\n')) }) });
    expect(sim.fileRows(ok.body.data.file_path as string)).toEqual(lines);
  });
  it('accepts a MULTIPLE_TYPES file with the documented header, one key per row', async () => {
    const [e, p] = hashes(2, 'multi');
    const content = Buffer.from(`email_SHA256,phone_SHA256,MAID_SHA256\n${e},${p},\n${e},,\n`);
    const r = await raw(`${API}dmp/custom_audience/file/upload/`, { form: uploadForm({ content, calculateType: 'MULTIPLE_TYPES' }) });
    expect(r.body.code).toBe(0);
    expect(sim.fileRows(r.body.data.file_path as string)).toEqual([`email_sha256=${e},phone_sha256=${p}`, `email_sha256=${e}`]);
  });
  it('binds a file_path to its advertiser and expires it (40910 → reupload)', async () => {
    const { client } = clientFor(sim);
    const fp = await upload(client, ADV, hashes(2, 'bind'));
    const other = await thrown<TikTokApiError>(() => client.createAudience({ advertiserId: ADV2, name: 'x', calculateType: 'EMAIL_SHA256', filePaths: [fp] }));
    expect([other.tiktokCode, other.category]).toEqual([40905, 'reupload']);
    sim.configure({ fileTtlMs: 1000 });
    sim.advanceClock(1001);
    const expired = await thrown<TikTokApiError>(() => client.createAudience({ advertiserId: ADV, name: 'x', calculateType: 'EMAIL_SHA256', filePaths: [fp] }));
    expect([expired.tiktokCode, expired.category]).toEqual([40910, 'reupload']);
  });
});

describe('create and update rules', () => {
  it('validates name length 1–128, 1–500 file paths and calculate_type consistency', async () => {
    const { client } = clientFor(sim);
    const fp = await upload(client, ADV, hashes(2, 'val'));
    const create = (name: string, filePaths: string[], calculateType: 'EMAIL_SHA256' | 'PHONE_SHA256' = 'EMAIL_SHA256') => thrown<TikTokApiError>(() => client.createAudience({ advertiserId: ADV, name, calculateType, filePaths }));
    expect((await create('', [fp])).tiktokCode).toBe(40002);
    expect((await create('n'.repeat(129), [fp])).tiktokCode).toBe(40002);
    expect((await create('ok', [])).tiktokCode).toBe(40002);
    expect((await create('ok', Array(501).fill(fp))).tiktokCode).toBe(40011);
    const mismatch = await create('ok', [fp], 'PHONE_SHA256');
    expect([mismatch.tiktokCode, mismatch.code]).toEqual([40909, 'KEY_TYPE_LOCKED']);
    await client.createAudience({ advertiserId: ADV, name: 'n'.repeat(128), calculateType: 'EMAIL_SHA256', filePaths: [fp] });
  });

  it('treats an update without action as REPLACE (the trap the client avoids)', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1200, 'rep-a'));
    const next = hashes(1100, 'rep-b');
    const fp = await upload(client, ADV, next);
    const r = await raw(`${API}dmp/custom_audience/update/`, { json: { advertiser_id: ADV, custom_audience_id: audienceId, file_paths: [fp] } });
    expect(r.body.code).toBe(0);
    expect(sim.membership(audienceId)).toEqual(new Set(next));
    expect(sim.audience(audienceId)?.history.at(-1)?.action).toBe('replace');
  });

  it('refuses APPEND, REMOVE or REPLACE that would leave fewer than 1,000 (AUDIENCE_TOO_SMALL), and changes nothing', async () => {
    const { client } = clientFor(sim);
    const base = hashes(1005, 'floor');
    const { audienceId } = await createAudienceOf(client, ADV, base);
    const removeSix = await upload(client, ADV, base.slice(0, 6));
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'REMOVE', filePaths: [removeSix] }));
    expect([err.tiktokCode, err.category, err.code, err.maybeApplied]).toEqual([40002, 'fix-input', 'AUDIENCE_TOO_SMALL', false]);
    expect(sim.membership(audienceId)?.size).toBe(1005);
    const small = await upload(client, ADV, hashes(999, 'floor-small'));
    expect((await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'REPLACE', filePaths: [small] }))).code).toBe('AUDIENCE_TOO_SMALL');
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'REMOVE', filePaths: [await upload(client, ADV, base.slice(0, 5))] });
    expect(sim.membership(audienceId)?.size).toBe(1000);
  });

  it('creates an audience under 1,000 but shows it unavailable (is_valid false)', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(999, 'tiny'));
    const [a] = (await client.getAudiences(ADV, [audienceId])).audiences;
    expect([a!.isValid, a!.coverNum]).toEqual([false, 799]);
  });

  it('answers 40002 "processing" while an audience processes (category processing, not a failure), then accepts', async () => {
    sim.configure({ processingDelayMs: 60_000 });
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1300, 'proc'));
    const [during] = (await client.getAudiences(ADV, [audienceId])).audiences;
    expect([during!.isValid, during!.coverNum]).toEqual([false, 0]);
    const fp = await upload(client, ADV, hashes(5, 'proc-x'));
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
    expect([err.tiktokCode, err.category, err.code, err.retryable]).toEqual([40002, 'processing', 'AUDIENCE_PROCESSING', true]);
    expect(sim.membership(audienceId)?.size).toBe(1300);
    sim.advanceClock(60_000);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] });
    expect(sim.membership(audienceId)?.size).toBe(1305);
    // processing again after the update: cover_num stays at the value before the change until it settles
    const [after] = (await client.getAudiences(ADV, [audienceId])).audiences;
    expect([after!.isValid, after!.coverNum]).toEqual([false, 1040]);
    sim.settle(audienceId);
    expect(sim.audience(audienceId)).toMatchObject({ isValid: true, coverNum: 1044, processing: false });
  });

  it('caps audience-modifying calls at 24 per audience per UTC day with 40100 → QUOTA_EXHAUSTED until 00:00 UTC', async () => {
    let clock = Date.parse('2031-03-04T22:00:00Z');
    const local = await startSimulator({ rateLimit: false, processingDelayMs: 0, now: () => clock, matchRate: 'exact' });
    try {
      const { client } = clientFor(local, { now: () => local.now() });
      const base = hashes(1000, 'cap');
      const { audienceId } = await createAudienceOf(client, ADV, base);
      const fp = await upload(client, ADV, hashes(1, 'cap-x'));
      for (let i = 1; i < 24; i++) await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] });
      expect(local.callsOn(audienceId)).toBe(24);
      const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
      expect([err.tiktokCode, err.category, err.code, err.rateLimitScope, err.maybeApplied]).toEqual([40100, 'wait', 'QUOTA_EXHAUSTED', 'audience-day', false]);
      // another audience is not affected
      await createAudienceOf(client, ADV, base);
      clock = Date.parse('2031-03-05T00:00:00Z');
      await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [await upload(client, ADV, hashes(1, 'cap-y'))] });
      expect(local.callsOn(audienceId)).toBe(1);
      expect(local.callsOn(audienceId, '2031-03-04')).toBe(24);
    } finally {
      await local.close();
    }
  });

  it("counts what the app's ledger counts: a refusal about the audience (processing, the floor), not one of its files", async () => {
    sim.configure({ processingDelayMs: 60_000 });
    const { client } = clientFor(sim);
    const base = hashes(1300, 'count-refused');
    const { audienceId } = await createAudienceOf(client, ADV, base);
    expect(sim.callsOn(audienceId)).toBe(1);
    const fp = await upload(client, ADV, hashes(5, 'count-refused-x'));
    const processing = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
    expect([processing.code, refusalCountsAgainstAudience(processing)]).toEqual(['AUDIENCE_PROCESSING', true]);
    expect(sim.callsOn(audienceId)).toBe(2);
    sim.advanceClock(60_000);
    const floor = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'REPLACE', filePaths: [fp] }));
    expect([floor.code, refusalCountsAgainstAudience(floor)]).toEqual(['AUDIENCE_TOO_SMALL', true]);
    expect(sim.callsOn(audienceId)).toBe(3);
    // A file path TikTok no longer has is refused before the audience is looked at: not counted, by either.
    sim.configure({ fileTtlMs: 1000 });
    sim.advanceClock(1001);
    const expired = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
    expect([expired.tiktokCode, refusalCountsAgainstAudience(expired)]).toEqual([40910, false]);
    expect(sim.callsOn(audienceId)).toBe(3);
    expect(sim.membership(audienceId)?.size).toBe(1300);
  });

  it('applies the app-level QPS limit with 40100 naming QPS', async () => {
    let now = Date.parse('2032-01-01T00:00:00.000Z');
    const local = await startSimulator({ rateLimit: { qps: 2, qpm: 600 }, now: () => now });
    try {
      const c = new TikTokClient({ base: local.url, accessToken: local.accessToken, limiter: null, retry: { maxAttempts: 1 } });
      await c.userInfo();
      await c.userInfo();
      const err = await thrown<TikTokApiError>(() => c.userInfo());
      expect([err.tiktokCode, err.category, err.rateLimitScope, err.code]).toEqual([40100, 'wait', 'qps', 'RATE_LIMITED']);
      now += 1000;
      await c.userInfo();
    } finally {
      await local.close();
    }
  });

  it('deletes audiences and answers 40007 for unknown ones', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(2, 'del'));
    await client.deleteAudiences(ADV, [audienceId]);
    const err = await thrown<TikTokApiError>(() => client.deleteAudiences(ADV, [audienceId]));
    expect([err.tiktokCode, err.code]).toEqual([40007, 'AUDIENCE_NOT_FOUND']);
    expect((await client.getAudiences(ADV, [audienceId])).audiences).toEqual([]);
  });
});

describe('segment API rules', () => {
  it('refuses audience ids that do not belong to the listed advertisers with 40002 (AUDIENCE_NOT_FOUND)', async () => {
    const { client } = clientFor(sim);
    const other = await client.segmentAudienceCreate({ advertiserId: ADV2, name: 'other' });
    const err = await thrown<TikTokApiError>(() => client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256'], batchData: [[{ id: hashes(1)[0]!, audienceIds: [other.audienceId] }]] }));
    expect([err.tiktokCode, err.code]).toEqual([40002, 'AUDIENCE_NOT_FOUND']);
    expect(sim.membership(other.audienceId)?.size).toBe(0);
  });

  it('counts people, not identifiers: a row of email and phone is one person in cover_num', async () => {
    sim.configure({ segmentMaxBatchSize: 2000 });
    const { client } = clientFor(sim);
    const { audienceId } = await client.segmentAudienceCreate({ advertiserId: ADV, name: 'people' });
    const emails = hashes(1500, 'people-email');
    const phones = hashes(1500, 'people-phone');
    // Every other person has a phone too.
    const rows = emails.map((id, i) => [{ id, audienceIds: [audienceId] }, i % 2 === 0 ? { id: phones[i]!, audienceIds: [audienceId] } : null]);
    await client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256', 'PHONE_SHA256'], batchData: rows });
    expect(sim.membership(audienceId)?.size).toBe(2250); // identifiers
    sim.settle(audienceId);
    expect(sim.audience(audienceId)).toMatchObject({ coverNum: Math.floor(1500 * 0.8), isValid: true });
    // Removing the first 100 people (their email and phone) leaves 1,400.
    await client.segmentMapping({ advertiserIds: [ADV], action: 'delete', idSchema: ['EMAIL_SHA256', 'PHONE_SHA256'], batchData: rows.slice(0, 100) });
    sim.settle(audienceId);
    expect(sim.audience(audienceId)?.coverNum).toBe(Math.floor(1400 * 0.8));
  });

  it('answers 40061 (category split) above the max batch size and applies nothing', async () => {
    sim.configure({ segmentMaxBatchSize: 3 });
    const { client } = clientFor(sim);
    const { audienceId } = await client.segmentAudienceCreate({ advertiserId: ADV, name: 'batch' });
    const rows = hashes(4, 'batch').map((id) => [{ id, audienceIds: [audienceId] }]);
    const err = await thrown<TikTokApiError>(() => client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256'], batchData: rows }));
    expect([err.tiktokCode, err.category]).toEqual([40061, 'split']);
    expect(sim.membership(audienceId)?.size).toBe(0);
    await client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256'], batchData: rows.slice(0, 3) });
    expect(sim.membership(audienceId)?.size).toBe(3);
  });

  it('answers 40118 (NOT_ALLOWLISTED, give-up) in not-allowlisted mode', async () => {
    sim.configure({ segmentAllowlisted: false });
    const { client } = clientFor(sim);
    const err = await thrown<TikTokApiError>(() => client.segmentAudienceCreate({ advertiserId: ADV, name: 'x' }));
    expect([err.tiktokCode, err.category, err.code]).toEqual([40118, 'give-up', 'NOT_ALLOWLISTED']);
  });

  it('refuses GAID in id_schema (AAID is the name), duplicates, and unhashed ids (40062)', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await client.segmentAudienceCreate({ advertiserId: ADV, name: 'schema' });
    const body = (idSchema: string[], id: string) => ({ advertiser_ids: [ADV], action: 'add', id_schema: idSchema, batch_data: [idSchema.map(() => ({ id, audience_ids: [audienceId] }))] });
    const h = hashes(1)[0]!;
    expect((await raw(`${API}segment/mapping/`, { json: body(['GAID_SHA256'], h) })).body).toMatchObject({ code: 40002, message: expect.stringContaining('AAID_SHA256') });
    expect((await raw(`${API}segment/mapping/`, { json: body(['EMAIL_SHA256', 'EMAIL_SHA256'], h) })).body.code).toBe(40002);
    expect((await raw(`${API}segment/mapping/`, { json: body(['EMAIL_SHA256'], 'jane@example.com') })).body.code).toBe(40062);
    expect((await raw(`${API}segment/mapping/`, { json: body(['aaid_sha256'], h) })).body.code).toBe(0);
    expect(sim.membership(audienceId)).toEqual(new Set([`AAID_SHA256:${h}`]));
  });
});

describe("TikTok's real answers", () => {
  it('an audience that matched fewer than 1,000 refuses every edit for good with TikTok\'s "not editable" words, even above the floor', async () => {
    sim.configure({ unavailableBelowFloor: true, matchRate: 0.5 });
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1500, 'unav'));
    const [a] = (await client.getAudiences(ADV, [audienceId])).audiences;
    expect([a!.isValid, a!.coverNum]).toEqual([false, 750]); // matched users below the row count
    for (const action of ['APPEND', 'REMOVE', 'REPLACE'] as const) {
      const fp = await upload(client, ADV, action === 'REMOVE' ? hashes(10, 'unav') : hashes(3000, `unav-${action}`));
      const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action, filePaths: [fp] }));
      expect([err.tiktokCode, err.tiktokMessage, err.category]).toEqual([40002, 'Audience is not editable, please check audience status', 'processing']);
    }
    sim.advanceClock(7 * 86_400_000);
    const late = await upload(client, ADV, hashes(5000, 'unav-late'));
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [late] }));
    expect(err.tiktokCode).toBe(40002);
    expect(sim.membership(audienceId)?.size).toBe(1500);
  });

  it('answers the same "not editable" words while an audience processes', async () => {
    sim.configure({ unavailableBelowFloor: true, matchRate: 'exact', processingDelayMs: 60_000 });
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1200, 'busy'));
    const fp = await upload(client, ADV, hashes(5, 'busy-x'));
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
    expect(err.tiktokMessage).toBe('Audience is not editable, please check audience status');
    sim.advanceClock(60_000);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [await upload(client, ADV, hashes(5, 'busy-y'))] });
    expect(sim.membership(audienceId)?.size).toBe(1205);
  });

  it('refuses a REPLACE while an earlier REPLACE is unfinished, with the words Census quotes; APPEND still works', async () => {
    sim.configure({ replaceUnfinishedMs: 3_600_000, matchRate: 'exact' });
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1200, 'rep1'));
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'REPLACE', filePaths: [await upload(client, ADV, hashes(1300, 'rep2'))] });
    const third = await upload(client, ADV, hashes(1400, 'rep3'));
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'REPLACE', filePaths: [third] }));
    expect(err.tiktokCode).toBe(40002);
    expect(err.tiktokMessage).toMatch(/^This replace operation is rejected as there is an existing unfinished replace operation for this audience\./);
    expect([err.category, err.code]).toEqual(['processing', 'REPLACE_PENDING']);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [await upload(client, ADV, hashes(5, 'rep4'))] });
    sim.advanceClock(3_600_000);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'REPLACE', filePaths: [third] });
    expect(sim.membership(audienceId)).toEqual(new Set(hashes(1400, 'rep3')));
  });

  it.each([400, 200])('a new partner audience answers /segment/mapping/ with HTTP %i + 40002 "invalid audience ID" until it is ready', async (status) => {
    sim.configure({ partnerReadyDelayMs: 90_000, partnerNotReadyHttpStatus: status });
    const { client } = clientFor(sim);
    const { audienceId } = await client.segmentAudienceCreate({ advertiserId: ADV, name: 'fresh' });
    const body = { advertiser_ids: [ADV], action: 'add', id_schema: ['EMAIL_SHA256'], batch_data: [[{ id: hashes(1)[0]!, audience_ids: [audienceId] }]] };
    const early = await raw(`${API}segment/mapping/`, { json: body });
    expect(early.status).toBe(status);
    expect(early.body).toMatchObject({ code: 40002, message: 'Parameter error: invalid audience ID' });
    const err = await thrown<TikTokApiError>(() => client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256'], batchData: [[{ id: hashes(1)[0]!, audienceIds: [audienceId] }]] }, { retry: 'none' }));
    expect([err.tiktokCode, err.code, err.httpStatus]).toEqual([40002, 'AUDIENCE_NOT_FOUND', status]);
    sim.advanceClock(90_000);
    expect((await raw(`${API}segment/mapping/`, { json: body })).body.code).toBe(0);
    expect(sim.membership(audienceId)?.size).toBe(1);
  });
});

describe('persistence', () => {
  it('keeps audiences and their membership across restarts with a data dir', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/sandbox-`);
    const first = await startSimulator({ dataDir: dir, rateLimit: false });
    const { client } = clientFor(first);
    const lines = hashes(10, 'persist');
    const { audienceId } = await createAudienceOf(client, ADV, lines);
    await first.close();
    const second = await startSimulator({ dataDir: dir, rateLimit: false });
    try {
      expect(second.membership(audienceId)).toEqual(new Set(lines));
      expect(second.callsOn(audienceId)).toBe(1);
      const { client: c2 } = clientFor(second);
      const { audienceId: next } = await createAudienceOf(c2, ADV, lines);
      expect(next).not.toBe(audienceId);
    } finally {
      await second.close();
    }
  });

  it('a data folder removed while it runs (its workspace deleted) leaves the pending save with nothing to keep, and no crash', async () => {
    const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/sandbox-`);
    const sim = await startSimulator({ dataDir: dir, rateLimit: false });
    try {
      const { client } = clientFor(sim);
      await createAudienceOf(client, ADV, hashes(10, 'gone'));
      rmSync(dir, { recursive: true, force: true });
      // The save is due 250 ms after the change; an error thrown from its timer would fail this test as uncaught.
      await new Promise((r) => setTimeout(r, 600));
      expect(existsSync(dir)).toBe(false);
    } finally {
      await sim.close().catch(() => {});
    }
  });
});
