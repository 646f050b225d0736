/**
 * The answers public peers were written against, served on 127.0.0.1 to our TikTok client, and how the client
 * reads them (project issue #10, §3). tiktok-api.md decides the reading: only code 0 (and 20001, partial
 * success) is success, whatever the HTTP status; 40100 waits and retries; 40001 and 40002 are not retried;
 * 5xx and unreadable pages are transient. Sources: segmentio/action-destinations @ 970a17e (tiktok-audiences
 * tests and api), rudderlabs/rudder-transformer @ c98d160 (tiktok_ads network.ts + networkHandler.js, the
 * handler of the same API family), Census's quote of the unfinished-REPLACE refusal (tiktok-api.md).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TikTokClient } from '../../../electron/core/tiktok/client';
import { TikTokApiError } from '../../../electron/core/tiktok/errors';
import { thrown } from '../tiktok/helpers';
import { fixtures, ok, startRecorder, type Recorder, type Reply } from './recorder';

const seg = fixtures.segment;
const rud = fixtures.rudderstack;
const ADV = '7000000000000000001';

let rec: Recorder;
let client: TikTokClient;
let sleeps: number[];

/** Serves `replies` in order; the last one keeps answering. */
function serve(...replies: Reply[]): void {
  rec.respond((_r, i) => replies[Math.min(i, replies.length - 1)]!);
}

beforeEach(async () => {
  rec = await startRecorder();
  sleeps = [];
  client = new TikTokClient({
    base: rec.url,
    accessToken: 'test',
    limiter: null,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
});
afterEach(async () => {
  await rec.close();
});

const mapping = () =>
  client.segmentMapping({ advertiserIds: [seg.syncAudience.advertiserId], action: 'add', idSchema: ['EMAIL_SHA256'], batchData: [[{ id: seg.syncAudience.hashes.email, audienceIds: [seg.syncAudience.audienceId] }]] });

describe("Segment's canned answers", () => {
  it('SUCCESS_RESPONSE (code 0, no data) resolves a mapping with its request id', async () => {
    serve({ body: seg.syncAudience.successResponse });
    await expect(mapping()).resolves.toEqual({ requestId: seg.syncAudience.successResponse.request_id });
    expect(rec.requests).toHaveLength(1);
  });

  it("the create answer gives the audience id ('888888888') and request id", async () => {
    serve({ body: seg.createAudience.response });
    const r = await client.segmentAudienceCreate({ advertiserId: seg.createAudience.request.advertiser_id, name: seg.createAudience.request.custom_audience_name });
    expect(r).toMatchObject({ audienceId: seg.createAudience.response.data.audience_id, requestId: seg.createAudience.response.request_id });
  });

  it("the getAudience fixture reads as a new partner audience: not valid, 0 matched, one 'create' entry by open_api", async () => {
    serve({ body: seg.getAudience.response });
    const { audiences, requestIds } = await client.getAudiences(seg.getAudience.advertiserId, [seg.getAudience.audienceId]);
    const d = seg.getAudience.response.data.list[0]!.audience_details;
    expect(requestIds).toEqual([seg.getAudience.response.request_id]);
    expect(audiences).toEqual([
      expect.objectContaining({
        audienceId: d.audience_id,
        name: d.name,
        audienceType: 'Partner',
        calculateType: 'MULTIPLE_TYPES',
        audienceSubType: 'NORMAL',
        coverNum: 0,
        isValid: false,
        isExpiring: false,
        isCreator: true,
        shared: false,
        createTime: d.create_time,
        expiredTime: d.expired_time,
        errorMsg: null,
        history: [{ optTime: '2023-08-03 16:27:49', action: 'create', actionDetail: '0', editor: 'open_api', msg: null }],
      }),
    ]);
  });

  it("the fetchAudiences list answer (message 'success', no request_id) reads every item, calculate_type null included", async () => {
    serve({ body: seg.fetchAudiences.response });
    const { audiences, requestIds } = await client.listAudiences(seg.fetchAudiences.query.advertiser_id);
    expect(requestIds).toEqual([null]);
    expect(audiences.map((a) => [a.audienceId, a.name, a.audienceType, a.calculateType, a.coverNum, a.isCreator, a.shared, a.isValid])).toEqual([
      ['123', 'CUSTOM_AUDIENCE_NAME', 'Lookalike Audience', null, 6489086, false, true, false],
      ['124', 'CUSTOM_AUDIENCE_NAME1', 'Lookalike Audience', null, 6489085, false, true, false],
    ]);
  });

  it('the fetchAdvertisers answer gives each name; its HTTP 500 answer is transient and retried for a read', async () => {
    serve({ body: seg.fetchAdvertisers.response });
    const r = await client.advertiserInfo(seg.fetchAdvertisers.advertiserIds);
    expect(r.advertisers.map((a) => [a.advertiserId, a.name])).toEqual([
      ['1234567890', 'TestAccount1'],
      ['0987654321', 'TestAccount2'],
      ['2345675643', 'TestAccount3'],
    ]);
    serve({ status: seg.fetchAdvertisers.errorResponse.status, body: seg.fetchAdvertisers.errorResponse.body }, { body: seg.fetchAdvertisers.response });
    rec.requests.length = 0;
    await expect(client.advertiserInfo(seg.fetchAdvertisers.advertiserIds)).resolves.toMatchObject({ advertisers: expect.any(Array) });
    expect(rec.requests).toHaveLength(2);
  });

  it("ERROR_RESPONSE with HTTP 200 (code 40002 'Parameter error: invalid audience ID') fails the batch, unknown audience, not retried", async () => {
    serve({ body: seg.syncAudience.errorResponse });
    const err = await thrown<TikTokApiError>(mapping);
    expect(err).toBeInstanceOf(TikTokApiError);
    expect(err).toMatchObject({ kind: 'api', tiktokCode: 40002, code: 'AUDIENCE_NOT_FOUND', category: 'give-up', maybeApplied: false, requestId: 'test-request-id' });
    expect(err.message).toContain('Parameter error: invalid audience ID');
    expect(rec.requests).toHaveLength(1);
  });

  it('ERROR_RESPONSE with HTTP 400 is read by its code exactly as with HTTP 200 (the envelope decides, not the status)', async () => {
    serve({ status: 400, body: seg.syncAudience.errorResponse });
    const err = await thrown<TikTokApiError>(mapping);
    expect(err).toMatchObject({ kind: 'http', httpStatus: 400, tiktokCode: 40002, code: 'AUDIENCE_NOT_FOUND', category: 'give-up', maybeApplied: false });
    expect(err.message).toContain('Parameter error: invalid audience ID');
    expect(rec.requests).toHaveLength(1);
  });

  it('an answer without a code (the createAudience nock reply {data:{audience_id}}) is not a success', async () => {
    serve({ body: seg.createAudienceAnswerWithoutCode.response });
    const err = await thrown<TikTokApiError>(() => client.segmentAudienceCreate({ advertiserId: '123', name: 'personas_test_audience' }));
    expect(err).toMatchObject({ kind: 'invalid-response', code: 'TIKTOK_UNAVAILABLE', maybeApplied: true });
    // A create may have applied: the client does not resend it blindly (a second create makes a duplicate).
    expect(rec.requests).toHaveLength(1);
  });
});

describe("RudderStack's tiktok_ads answers (network.ts) and networkHandler.js outcomes", () => {
  const answer = (name: string) => {
    const a = rud.tiktokAdsAnswers.answers.find((x) => x.name === name);
    if (!a) throw new Error(`no answer ${name}`);
    return { status: a.status, body: a.body };
  };

  it("'success' {code 0, message OK} without request_id or data resolves", async () => {
    serve(answer('success'));
    await expect(mapping()).resolves.toEqual({ requestId: null });
  });

  it('code 20001 (partial success, treated as success by networkHandler.js) resolves', async () => {
    serve({ body: { code: 20001, message: 'Partial success', request_id: '20261201PARTIAL', data: {} } });
    await expect(mapping()).resolves.toEqual({ requestId: '20261201PARTIAL' });
  });

  it("'tooManyRequests' (40100, throttled) waits about a second and retries, even for a change", async () => {
    serve(answer('tooManyRequests'), answer('success'));
    await expect(mapping()).resolves.toEqual({ requestId: null });
    expect(rec.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    expect(sleeps[0]).toBeLessThanOrEqual(1_100);
  });

  it("'tooManyRequests' that keeps answering ends as RATE_LIMITED, retryable, after the bounded attempts", async () => {
    serve(answer('tooManyRequests'));
    const err = await thrown<TikTokApiError>(mapping);
    expect(err).toMatchObject({ tiktokCode: 40100, code: 'RATE_LIMITED', category: 'wait', rateLimitScope: 'qps', retryable: true, maybeApplied: false });
    expect(rec.requests).toHaveLength(4);
  });

  it("'invalidPermissionsResponse' (40001, aborted) asks for a new sign-in and is not retried", async () => {
    serve(answer('invalidPermissionsResponse'));
    const err = await thrown<TikTokApiError>(mapping);
    expect(err).toMatchObject({ tiktokCode: 40001, code: 'PERMISSION_DENIED', category: 'reauth', retryable: false });
    expect(rec.requests).toHaveLength(1);
  });

  it("'invalidDataTypeResponse' (40002, aborted) is a refusal that is not retried", async () => {
    serve(answer('invalidDataTypeResponse'));
    const err = await thrown<TikTokApiError>(mapping);
    expect(err).toMatchObject({ tiktokCode: 40002, code: 'TIKTOK_REJECTED', category: 'give-up', retryable: false, maybeApplied: false });
    expect(err.message).toContain('Not a valid string');
    expect(rec.requests).toHaveLength(1);
  });

  it("'502-BadGateway' (nginx page, retryable) is transient: a read retries; a change is left to the caller as maybe applied", async () => {
    serve(answer('502-BadGateway'), { body: seg.fetchAudiences.response });
    await expect(client.listAudiences(ADV)).resolves.toMatchObject({ audiences: expect.any(Array) });
    expect(rec.requests).toHaveLength(2);
    rec.requests.length = 0;
    serve(answer('502-BadGateway'));
    const err = await thrown<TikTokApiError>(mapping);
    expect(err).toMatchObject({ kind: 'http', httpStatus: 502, code: 'TIKTOK_UNAVAILABLE', category: 'retry', retryable: true, maybeApplied: true });
    expect(rec.requests).toHaveLength(1);
  });
});

describe('codes of tiktok-api.md §7 as TikTok words them', () => {
  const cases: { code: number; message: string; http?: number; expect: Partial<TikTokApiError> }[] = [
    { code: 40104, message: 'Access token is null, you should set it in http header with key Access-Token.', expect: { code: 'AUTH_MISSING', category: 'reauth', retryable: false } },
    { code: 40105, message: 'Access token is invalid or has been revoked.', expect: { code: 'AUTH_EXPIRED', category: 'reauth', retryable: false } },
    { code: 40106, message: 'The user of the access token has no access to this advertiser.', expect: { category: 'reauth', retryable: false } },
    { code: 40002, message: 'Audience is not editable, please check audience status', expect: { code: 'AUDIENCE_PROCESSING', category: 'processing', retryable: true, maybeApplied: false } },
    {
      code: 40002,
      message: 'This replace operation is rejected as there is an existing unfinished replace operation for this audience. Please wait until the current operation completes on this audience before re trying. Recommend no more than one replace operation per day.',
      expect: { code: 'REPLACE_PENDING', category: 'processing', retryable: true, maybeApplied: false },
    },
    { code: 40061, message: 'Invalid batch size.', expect: { category: 'split', retryable: true } },
    { code: 40118, message: 'The app is not in the whitelist of this feature.', expect: { code: 'NOT_ALLOWLISTED', category: 'give-up', retryable: false } },
    { code: 50000, message: 'System error.', expect: { code: 'TIKTOK_UNAVAILABLE', category: 'retry', retryable: true, maybeApplied: true } },
  ];
  for (const c of cases) {
    it(`${c.code} "${c.message.slice(0, 48)}…" → ${c.expect.category}${c.expect.code ? ` / ${c.expect.code}` : ''}, not resent as is`, async () => {
      serve({ status: c.http ?? 200, body: { code: c.code, message: c.message, request_id: '20261201CASE', data: {} } });
      const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId: '7300000000000007919', action: 'REPLACE', filePaths: ['a1b2c3d4e5f60718'] }));
      expect(err).toBeInstanceOf(TikTokApiError);
      expect(err).toMatchObject({ tiktokCode: c.code, requestId: '20261201CASE', ...c.expect });
      expect(err.message).toContain(c.message.slice(0, 40));
      expect(rec.requests).toHaveLength(1);
    });
  }

  it('only code 0 or 20001 is success: an error code with a data payload still fails', async () => {
    serve({ body: { code: 40000, message: 'Invalid params', request_id: '20261201DATA', data: { custom_audience_id: '7300000000000007919' } } });
    const err = await thrown<TikTokApiError>(() => client.createAudience({ advertiserId: ADV, name: 'x', calculateType: 'EMAIL_SHA256', filePaths: ['a1b2c3d4e5f60718'] }));
    expect(err).toMatchObject({ tiktokCode: 40000, code: 'INVALID_ARGUMENT', category: 'fix-input' });
  });

  it('create reads custom_audience_id (SDK response_rule) and the audience_id some clients read (Pipedream)', async () => {
    serve(ok({ custom_audience_id: '7300000000000007919' }));
    await expect(client.createAudience({ advertiserId: ADV, name: 'x', calculateType: 'EMAIL_SHA256', filePaths: ['a1b2c3d4e5f60718'] })).resolves.toMatchObject({ audienceId: '7300000000000007919' });
    serve(ok({ audience_id: '7300000000000015838' }));
    await expect(client.createAudience({ advertiserId: ADV, name: 'y', calculateType: 'EMAIL_SHA256', filePaths: ['a1b2c3d4e5f60718'] })).resolves.toMatchObject({ audienceId: '7300000000000015838' });
  });
});
