import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../../electron/core/tiktok/limiter';
import { TIKTOK_API_BASES, TikTokClient, authorizationUrl, md5Hex, normalizeApiBase, resolveApiBase, segmentAudienceName } from '../../../../electron/core/tiktok/client';

describe('API base', () => {
  it('prefers TIKTOK_API_BASE, then the setting, then production', () => {
    expect(resolveApiBase({ TIKTOK_API_BASE: 'http://127.0.0.1:8123/' }, 'https://sandbox-ads.tiktok.com')).toBe('http://127.0.0.1:8123');
    expect(resolveApiBase({}, 'tiktok-sandbox')).toBe(TIKTOK_API_BASES.tiktokSandbox);
    expect(resolveApiBase({}, null)).toBe('https://business-api.tiktok.com');
    expect(resolveApiBase({ TIKTOK_API_BASE: '  ' }, '')).toBe('https://business-api.tiktok.com');
  });

  it('refuses a base that is not an http(s) URL with INVALID_ARGUMENT', () => {
    expect(() => normalizeApiBase('business-api.tiktok.com')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => normalizeApiBase('ftp://x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('builds the consent URL at <base>/portal/auth with app_id, state and redirect_uri', () => {
    const u = new URL(authorizationUrl('https://business-api.tiktok.com/', { appId: 'A', state: 's t', redirectUri: 'http://127.0.0.1:9/cb' }));
    expect(`${u.origin}${u.pathname}`).toBe('https://business-api.tiktok.com/portal/auth');
    expect(Object.fromEntries(u.searchParams)).toEqual({ app_id: 'A', state: 's t', redirect_uri: 'http://127.0.0.1:9/cb' });
  });
});

describe('helpers', () => {
  it('computes the lowercase hex MD5 TikTok checks as file_signature', () => {
    expect(md5Hex(Buffer.from(''))).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('cuts partner audience names over 70 chars to 67 + "..."', () => {
    expect(segmentAudienceName('a'.repeat(70))).toBe('a'.repeat(70));
    expect(segmentAudienceName('a'.repeat(71))).toBe(`${'a'.repeat(67)}...`);
  });
});

describe('TikTokClient transport', () => {
  it('waits for the shared limiter before each request', async () => {
    let now = 0;
    const limiter = new RateLimiter({ qps: 1, now: () => now, sleep: async (ms) => void (now += ms) });
    const starts: number[] = [];
    const fakeFetch: typeof fetch = async () => new Response(JSON.stringify({ code: 0, message: 'OK', request_id: 'r', data: {} }));
    const c = new TikTokClient({ base: 'http://127.0.0.1:1', accessToken: 't', limiter, now: () => now, fetch: fakeFetch, onCall: (e) => starts.push(Date.parse(e.startedAt)) });
    await c.userInfo();
    await c.userInfo();
    await c.userInfo();
    expect(starts).toEqual([0, 1000, 2000]);
  });

  it('pauses the shared limiter until the QPS wait is over after a 40100', async () => {
    let now = 250;
    const limiter = new RateLimiter({ now: () => now, sleep: async (ms) => void (now += ms) });
    let n = 0;
    const fakeFetch: typeof fetch = async () => new Response(JSON.stringify(n++ === 0 ? { code: 40100, message: 'QPS limit', request_id: 'r', data: {} } : { code: 0, message: 'OK', request_id: 'r', data: {} }));
    const c = new TikTokClient({ base: 'https://x.test', accessToken: 't', limiter, now: () => now, random: () => 0, sleep: async () => {}, fetch: fakeFetch });
    await c.userInfo();
    // the retry's own sleep was instant, so the limiter held it to the next second
    expect(now).toBe(1000);
  });

  it('keeps 20001 (partial success) as success', async () => {
    const fakeFetch: typeof fetch = async () => new Response(JSON.stringify({ code: 20001, message: 'partial', request_id: 'r9', data: { file_path: 'abcdabcdabcdabcd' } }));
    const c = new TikTokClient({ base: 'https://x.test', accessToken: 't', limiter: null, fetch: fakeFetch });
    expect(await c.fileUpload({ advertiserId: '1', calculateType: 'EMAIL_SHA256', file: Buffer.from('x\n') })).toMatchObject({ filePath: 'abcdabcdabcdabcd', requestId: 'r9' });
  });
});
