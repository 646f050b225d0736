import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../../shared/errors';
import {
  ERROR_CATEGORIES,
  QPM_WAIT_MS,
  TIKTOK_CODE_RANGES,
  TIKTOK_ERROR_TABLE,
  TikTokApiError,
  classifyTikTokCode,
  decideRetry,
  isSuccessCode,
  msUntilNextUtcMidnight,
  type ErrorCategory,
} from '../../../../electron/core/tiktok/errors';

const api = (code: number, message = '', extra: Partial<ConstructorParameters<typeof TikTokApiError>[0]> = {}) =>
  new TikTokApiError({ kind: 'api', endpoint: 'dmp/custom_audience/update/', tiktokCode: code, tiktokMessage: message, httpStatus: 200, requestId: 'REQ1', ...extra });

/** Every code of tiktok-api.md §7 and the category the table must give it. */
const EXPECTED: [number, ErrorCategory, string][] = [
  [40000, 'fix-input', 'INVALID_ARGUMENT'],
  [40001, 'reauth', 'PERMISSION_DENIED'],
  [40002, 'give-up', 'TIKTOK_REJECTED'],
  [40006, 'give-up', 'TIKTOK_REJECTED'],
  [40051, 'give-up', 'TIKTOK_REJECTED'],
  [40007, 'give-up', 'AUDIENCE_NOT_FOUND'],
  [40008, 'give-up', 'TIKTOK_REJECTED'],
  [40009, 'give-up', 'TIKTOK_REJECTED'],
  [40013, 'give-up', 'TIKTOK_REJECTED'],
  [40014, 'give-up', 'TIKTOK_REJECTED'],
  [40011, 'split', 'INVALID_ARGUMENT'],
  [40016, 'wait', 'RATE_LIMITED'],
  [40050, 'give-up', 'TIKTOK_REJECTED'],
  [40061, 'split', 'INVALID_ARGUMENT'],
  [40062, 'fix-input', 'INVALID_ARGUMENT'],
  [40100, 'wait', 'RATE_LIMITED'],
  [40101, 'give-up', 'AUTH_FAILED'],
  [40102, 'reauth', 'AUTH_EXPIRED'],
  [40104, 'reauth', 'AUTH_MISSING'],
  [40105, 'reauth', 'AUTH_EXPIRED'],
  [40106, 'reauth', 'ADVERTISER_UNREACHABLE'],
  [40107, 'reauth', 'AUTH_EXPIRED'],
  [40110, 'reauth', 'AUTH_FAILED'],
  [40113, 'give-up', 'AUTH_FAILED'],
  [40118, 'give-up', 'NOT_ALLOWLISTED'],
  [40119, 'give-up', 'PERMISSION_DENIED'],
  [40125, 'give-up', 'PERMISSION_DENIED'],
  [40130, 'reauth', 'PERMISSION_DENIED'],
  [40132, 'wait', 'RATE_LIMITED'],
  [40133, 'wait', 'RATE_LIMITED'],
  [40200, 'give-up', 'TIKTOK_REJECTED'],
  [40201, 'retry', 'TIKTOK_UNAVAILABLE'],
  [40202, 'retry', 'TIKTOK_UNAVAILABLE'],
  [40300, 'fix-input', 'INVALID_ARGUMENT'],
  [40301, 'give-up', 'PERMISSION_DENIED'],
  [40700, 'retry', 'TIKTOK_REJECTED'],
  [40900, 'reupload', 'TIKTOK_REJECTED'],
  [40905, 'reupload', 'TIKTOK_REJECTED'],
  [40906, 'fix-input', 'INVALID_ARGUMENT'],
  [40907, 'split', 'INVALID_ARGUMENT'],
  [40908, 'fix-input', 'INVALID_ARGUMENT'],
  [40909, 'fix-input', 'KEY_TYPE_LOCKED'],
  [40910, 'reupload', 'TIKTOK_REJECTED'],
  [40915, 'fix-input', 'INVALID_ARGUMENT'],
  [41000, 'give-up', 'TIKTOK_REJECTED'],
  [41001, 'give-up', 'TIKTOK_REJECTED'],
  [41002, 'give-up', 'TIKTOK_REJECTED'],
  [50000, 'retry', 'TIKTOK_UNAVAILABLE'],
  [50002, 'retry', 'TIKTOK_UNAVAILABLE'],
  [51000, 'retry', 'TIKTOK_UNAVAILABLE'],
  [51003, 'retry', 'TIKTOK_UNAVAILABLE'],
  [51063, 'retry', 'TIKTOK_UNAVAILABLE'],
  [51099, 'retry', 'TIKTOK_UNAVAILABLE'],
  [52017, 'retry', 'TIKTOK_UNAVAILABLE'],
  [53500, 'retry', 'TIKTOK_UNAVAILABLE'],
  [60001, 'retry', 'TIKTOK_UNAVAILABLE'],
  [61000, 'wait', 'RATE_LIMITED'],
  [49999, 'give-up', 'TIKTOK_REJECTED'],
];

describe('the TikTok error table', () => {
  it.each(EXPECTED)('maps code %i to category %s and AppError %s', (code, category, appCode) => {
    const e = api(code, 'something');
    expect(e.category).toBe(category);
    expect(e.code).toBe(appCode);
    expect(e.tiktokCode).toBe(code);
  });

  it('covers every row of the table in the expectations above (a new row needs a test row)', () => {
    const tested = new Set(EXPECTED.map(([c]) => c));
    for (const code of Object.keys(TIKTOK_ERROR_TABLE).map(Number)) expect(tested.has(code), `code ${code}`).toBe(true);
    for (const r of TIKTOK_CODE_RANGES) expect([...tested].some((c) => c >= r.from && c <= r.to), `range ${r.from}`).toBe(true);
  });

  it('gives every row a valid category, an existing AppError code and words with a fix', () => {
    for (const rule of [...Object.values(TIKTOK_ERROR_TABLE), ...TIKTOK_CODE_RANGES.map((r) => r.rule)]) {
      expect(ERROR_CATEGORIES).toContain(rule.category);
      expect(ERROR_CODES).toContain(rule.appCode);
      expect(rule.message.length).toBeGreaterThan(30);
      expect(rule.message).toMatch(/\.\s|\.$/); // at least two sentences or one complete sentence
    }
  });

  it('treats 0 and 20001 (partial success) as success, nothing else', () => {
    expect([0, 20001, 1, 40000].map(isSuccessCode)).toEqual([true, true, false, false]);
  });

  it.each([
    ['Audience is being processed, please check audience status', 'processing', 'AUDIENCE_PROCESSING'],
    ['Audience is not editable, please check audience status.', 'processing', 'AUDIENCE_PROCESSING'],
    ['The audience size would be less than 1000 after this operation (999).', 'fix-input', 'AUDIENCE_TOO_SMALL'],
    ['Parameter error: invalid audience ID', 'give-up', 'AUDIENCE_NOT_FOUND'],
    ['custom_audience_name must be 1 to 128 characters.', 'give-up', 'TIKTOK_REJECTED'],
  ])('reads 40002 "%s" as %s', (message, category, appCode) => {
    const e = api(40002, message);
    expect([e.category, e.code]).toEqual([category, appCode]);
  });

  it.each([
    ["Too many requests: the app's QPS limit (10 per second) is reached.", 'qps', 'RATE_LIMITED'],
    ["App's QPM limit reached", 'qpm', 'RATE_LIMITED'],
    ['Daily request limit (QPD) exceeded', 'qpd', 'RATE_LIMITED'],
    ['Audience update frequency limit reached: at most 24 calls per audience per day.', 'audience-day', 'QUOTA_EXHAUSTED'],
    ['Request too frequent', 'qps', 'RATE_LIMITED'],
  ])('reads 40100 "%s" as a %s limit', (message, scope, appCode) => {
    const e = api(40100, message);
    expect([e.category, e.rateLimitScope, e.code]).toEqual(['wait', scope, appCode]);
  });

  it('puts TikTok code, message and request id in the words, and never a stack', () => {
    const e = api(40909, 'file is PHONE_SHA256');
    expect(e.message).toContain("key type does not match the audience's key type");
    expect(e.message).toContain('TikTok said: "file is PHONE_SHA256"');
    expect(e.message).toContain('TikTok code 40909');
    expect(e.message).toContain('request id REQ1');
    expect(e.toShape()).toEqual({ code: 'KEY_TYPE_LOCKED', message: e.message, retryable: false });
  });

  it.each([
    [404, 'give-up', 'INTERNAL', false],
    [405, 'give-up', 'INTERNAL', false],
    [429, 'wait', 'RATE_LIMITED', false],
    [401, 'reauth', 'AUTH_EXPIRED', false],
    [413, 'split', 'INVALID_ARGUMENT', false],
    [400, 'give-up', 'TIKTOK_REJECTED', false],
    [500, 'retry', 'TIKTOK_UNAVAILABLE', true],
    [503, 'retry', 'TIKTOK_UNAVAILABLE', true],
  ])('maps HTTP %i to %s / %s (maybeApplied %s)', (status, category, appCode, maybeApplied) => {
    const e = new TikTokApiError({ kind: 'http', endpoint: 'x/', httpStatus: status });
    expect([e.category, e.code, e.maybeApplied]).toEqual([category, appCode, maybeApplied]);
  });

  it.each([
    ['ECONNREFUSED', false],
    ['ENOTFOUND', false],
    ['EAI_AGAIN', false],
    ['UND_ERR_CONNECT_TIMEOUT', false],
    ['UND_ERR_SOCKET', true],
    ['ECONNRESET', true],
    [null, true],
  ])('marks network error %s as maybeApplied=%s', (networkCode, maybeApplied) => {
    const e = new TikTokApiError({ kind: 'network', endpoint: 'x/', networkCode });
    expect([e.category, e.code, e.maybeApplied]).toEqual(['retry', 'NETWORK', maybeApplied]);
  });

  it('marks timeouts and invalid answers as maybe applied, API refusals as not applied, duplicates and 5xxxx as maybe applied', () => {
    expect(new TikTokApiError({ kind: 'timeout', endpoint: 'x/' }).maybeApplied).toBe(true);
    expect(new TikTokApiError({ kind: 'invalid-response', endpoint: 'x/' }).maybeApplied).toBe(true);
    expect(new TikTokApiError({ kind: 'aborted', endpoint: 'x/' }).code).toBe('CANCELLED');
    expect(api(40002, 'processing').maybeApplied).toBe(false);
    expect(api(40100).maybeApplied).toBe(false);
    expect(api(40050).maybeApplied).toBe(true);
    expect(api(50000).maybeApplied).toBe(true);
    expect(api(51020).maybeApplied).toBe(true);
  });

  it.each([
    [400, 40002, 'Parameter error: invalid audience ID', 'give-up', 'AUDIENCE_NOT_FOUND'],
    [400, 40100, "Too many requests: the app's QPS limit is reached.", 'wait', 'RATE_LIMITED'],
    [403, 40106, 'Token is not valid for this advertiser.', 'reauth', 'ADVERTISER_UNREACHABLE'],
    [400, 40002, 'Audience is not editable, please check audience status', 'processing', 'AUDIENCE_PROCESSING'],
  ])('classifies HTTP %i carrying TikTok code %i by the envelope ("%s" → %s / %s), as not applied', (httpStatus, code, message, category, appCode) => {
    const e = new TikTokApiError({ kind: 'http', endpoint: 'segment/mapping/', httpStatus, tiktokCode: code, tiktokMessage: message, requestId: 'R' });
    expect([e.category, e.code, e.maybeApplied, e.tiktokCode]).toEqual([category, appCode, false, code]);
    expect(e.message).toContain(`HTTP ${httpStatus}`);
  });

  it('keeps the HTTP reading for a 4xx without an envelope and for a 5xx with one', () => {
    expect(new TikTokApiError({ kind: 'http', endpoint: 'x/', httpStatus: 400 }).code).toBe('TIKTOK_REJECTED');
    const gateway = new TikTokApiError({ kind: 'http', endpoint: 'x/', httpStatus: 502, tiktokCode: 40002, tiktokMessage: 'Parameter error: invalid audience ID' });
    expect([gateway.category, gateway.maybeApplied]).toEqual(['retry', true]);
  });

  it.each([40002, 40000, 44444])("reads TikTok's refusal of a second unfinished REPLACE (code %i) as REPLACE_PENDING, not a failure", (code) => {
    const e = api(code, 'This replace operation is rejected as there is an existing unfinished replace operation for this audience. Please wait until the current operation completes on this audience before re trying. Recommend no more than one replace operation per day.');
    expect([e.category, e.code, e.retryable, e.maybeApplied]).toEqual(['processing', 'REPLACE_PENDING', true, false]);
  });

  it('falls back to give-up with TikTok words for an unknown code', () => {
    const r = classifyTikTokCode(44444, 'new thing');
    expect([r.category, r.appCode]).toEqual(['give-up', 'TIKTOK_REJECTED']);
  });
});

describe('decideRetry', () => {
  const NOW = Date.parse('2030-06-15T13:45:10.300Z');
  const policy = { now: () => NOW, random: () => 0 };

  it('backs off exponentially with jitter, bounded by maxDelayMs, for retry-category errors', () => {
    const e = new TikTokApiError({ kind: 'http', endpoint: 'x/', httpStatus: 503 });
    const delays = [1, 2, 3].map((a) => decideRetry(e, a, { ...policy, baseDelayMs: 1000, maxDelayMs: 3000, random: () => 1 }).delayMs);
    expect(delays).toEqual([1000, 2000, 3000]);
    const low = [1, 2, 3].map((a) => decideRetry(e, a, { ...policy, baseDelayMs: 1000, maxDelayMs: 3000, random: () => 0 }).delayMs);
    expect(low).toEqual([500, 1000, 1500]);
    expect(decideRetry(e, 1, policy)).toMatchObject({ retry: true, retryAt: NOW + 250 });
  });

  it('stops at maxAttempts but still says when a later try makes sense', () => {
    const e = new TikTokApiError({ kind: 'network', endpoint: 'x/', networkCode: 'ECONNRESET' });
    const d = decideRetry(e, 4, { ...policy, maxAttempts: 4 });
    expect(d.retry).toBe(false);
    expect(d.delayMs).toBeGreaterThan(0);
  });

  it('waits until the next second for a QPS 40100, growing on repeats', () => {
    const e = api(40100, 'QPS limit');
    expect(decideRetry(e, 1, policy)).toMatchObject({ retry: true, delayMs: 700 });
    expect(decideRetry(e, 2, policy)).toMatchObject({ retry: true, delayMs: 1700 });
  });

  it('waits 5 minutes for a QPM 40100 — longer than the client sleeps, so it is handed to the caller', () => {
    const d = decideRetry(api(40100, "App's QPM limit reached"), 1, policy);
    expect(d).toMatchObject({ retry: false, delayMs: QPM_WAIT_MS, retryAt: NOW + QPM_WAIT_MS });
    expect(decideRetry(api(40100, "App's QPM limit reached"), 1, { ...policy, maxWaitMs: 10 * 60_000 }).retry).toBe(true);
  });

  it('waits until 00:00 UTC for a daily limit and for the per-audience cap', () => {
    const midnight = Date.parse('2030-06-16T00:00:00.000Z');
    expect(decideRetry(api(40100, 'QPD limit reached'), 1, policy)).toMatchObject({ retry: false, retryAt: midnight });
    expect(decideRetry(api(40100, 'Audience update frequency limit reached'), 1, policy)).toMatchObject({ retry: false, retryAt: midnight });
    expect(msUntilNextUtcMidnight(midnight)).toBe(86_400_000);
  });

  it('never retries a processing audience itself but suggests a re-check in minutes', () => {
    const d = decideRetry(api(40002, 'Audience is being processed, please check audience status'), 1, policy);
    expect(d).toMatchObject({ retry: false, delayMs: 10 * 60_000 });
    expect(decideRetry(api(40002, 'processing'), 3, policy).delayMs).toBe(40 * 60_000);
  });

  it.each([40105, 40102, 40106, 40000, 40909, 40011, 40061, 40907, 40900, 40910, 40118, 40007])('does not retry code %i as is', (code) => {
    expect(decideRetry(api(code), 1, policy).retry).toBe(false);
  });

  it("in 'safe-only' mode retries only what certainly did not apply", () => {
    const safe = { ...policy, mode: 'safe-only' as const };
    expect(decideRetry(new TikTokApiError({ kind: 'network', endpoint: 'x/', networkCode: 'ECONNREFUSED' }), 1, safe).retry).toBe(true);
    expect(decideRetry(api(40100, 'QPS'), 1, safe).retry).toBe(true);
    expect(decideRetry(new TikTokApiError({ kind: 'network', endpoint: 'x/', networkCode: 'UND_ERR_SOCKET' }), 1, safe).retry).toBe(false);
    expect(decideRetry(new TikTokApiError({ kind: 'timeout', endpoint: 'x/' }), 1, safe).retry).toBe(false);
    expect(decideRetry(new TikTokApiError({ kind: 'http', endpoint: 'x/', httpStatus: 502 }), 1, safe).retry).toBe(false);
    expect(decideRetry(api(50000), 1, safe).retry).toBe(false);
    expect(decideRetry(api(50000), 1, { ...policy, mode: 'all' }).retry).toBe(true);
    expect(decideRetry(api(50000), 1, { ...policy, mode: 'none' }).retry).toBe(false);
  });

  it('retries 40700 once only, and waits at least a minute for maintenance (60001)', () => {
    expect(decideRetry(api(40700), 1, policy).retry).toBe(true);
    expect(decideRetry(api(40700), 2, policy).retry).toBe(false);
    expect(decideRetry(api(60001), 1, policy).delayMs).toBe(60_000);
  });

  it('does not retry what is not a TikTok call failure', () => {
    expect(decideRetry(new Error('bug'), 1, policy).retry).toBe(false);
  });
});
