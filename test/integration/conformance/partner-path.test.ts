/**
 * The partner (segment API) sync path, end to end from a cohort CSV, against a recording stand-in for TikTok on
 * 127.0.0.1 (project issue #10, §3): what the app sends must have the shape Segment's and RudderStack's tests
 * assert for /segment/audience/ and /segment/mapping/, and the ids of the peers' own test people must come out
 * as the very hashes in the peers' fixtures. Sources: segmentio/action-destinations @ 970a17e
 * (tiktok-audiences __tests__, syncAudience/__tests__), rudderlabs/rudder-transformer @ c98d160
 * (tiktok_audience router/data.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { SANDBOX_ACCESS_TOKEN } from '../../../electron/core/sandbox/seed';
import { DEFAULT_PROFILE, defaultPhoneKeepPlus, type NormalizationProfile } from '../../../shared/domain';
import { tmpDir } from '../../helpers/tmp';
import { sha256 } from './helpers';
import { fixtures, jsonOf, ok, startRecorder, type Recorded, type Recorder, type Reply } from './recorder';

const seg = fixtures.segment;
const rudderCase1 = fixtures.rudderstack.router.cases[0]!;
const ADV = '7000000000000000001';
const AUDIENCE_ID = seg.createAudience.response.data.audience_id;

/** The people of the peers' tests, by email, with the hash each peer's fixture expects for them. */
const PEER_PEOPLE: { email: string; hash: string; source: string }[] = [
  { email: seg.syncAudience.inputs.email, hash: seg.syncAudience.hashes.email, source: 'Segment syncAudience' },
  ...(['alex@email.com', 'amy@abc.com', 'van@abc.com'] as const).map((email, i) => ({ email, hash: (rudderCase1.requests[0]!.json.batch_data[i]![0] as { id: string }).id, source: 'RudderStack Native Test 1' })),
];

let rec: Recorder;
let app: CohortRelayApp;
let dir: string;
let cleanup: () => void;
/** The partner audience the stand-in holds once created (name as sent). */
let created: string | null;

/**
 * A minimal TikTok for the partner path: create answers Segment's fixture id; list and get show the audience once
 * it exists (get in the shape of Segment's getAudience fixture); mapping answers SUCCESS_RESPONSE, unless a
 * test overrides it with `mappingReply`.
 */
let mappingReply: (r: Recorded, nth: number) => Reply;
function tiktok(r: Recorded): Reply {
  const details = () => ({ ...seg.getAudience.response.data.list[0]!.audience_details, audience_id: AUDIENCE_ID, name: created });
  switch (r.endpoint) {
    case 'segment/audience/':
      created = String(jsonOf(r).custom_audience_name);
      return { body: seg.createAudience.response };
    case 'segment/mapping/':
      return mappingReply(r, rec.to('segment/mapping/').length);
    case 'dmp/custom_audience/list/': {
      const { type, ...rest } = details();
      const list = created ? [{ ...rest, audience_type: type }] : [];
      return ok({ page_info: { page: 1, page_size: 100, total_number: list.length, total_page: 1 }, list });
    }
    case 'dmp/custom_audience/get/':
      return ok(created ? { list: [{ audience_details: details(), audience_history: seg.getAudience.response.data.list[0]!.audience_history }] } : { list: [] });
    default:
      return ok({});
  }
}

beforeEach(async () => {
  created = null;
  mappingReply = () => ({ body: seg.syncAudience.successResponse });
  rec = await startRecorder(tiktok);
  ({ dir, cleanup } = tmpDir());
  app = await CohortRelayApp.open({
    dataDir: path.join(dir, 'data'),
    env: { TIKTOK_ACCESS_TOKEN: SANDBOX_ACCESS_TOKEN, TIKTOK_API_BASE: rec.url, COHORT_RELAY_KEYCHAIN: 'off' },
    runner: { sleep: async () => {}, maxAttempts: 4, partnerBatchRows: 3 },
  });
});
afterEach(async () => {
  app.close();
  await rec.close();
  cleanup();
});

async function syncPartner(rows: string, keys: { key: 'email' | 'phone' | 'idfa'; column: string }[], profile: NormalizationProfile = DEFAULT_PROFILE) {
  const csv = path.join(dir, 'cohort.csv');
  fs.writeFileSync(csv, rows);
  const a = await app.sync.ensureAudience({ advertiserId: ADV, connectionId: null, name: 'Peers partner', key: keys[0]!.key, column: keys[0]!.column, keys, sourcePath: csv, profile, api: 'segment' });
  return app.sync.sync(a.id, 'cli');
}

const mappings = () => rec.to('segment/mapping/').map(jsonOf) as { advertiser_ids: unknown; action: string; id_schema: string[]; batch_data: { id?: string; audience_ids?: string[] }[][] }[];

describe('the partner sync path sends what the peers send', () => {
  it("creates the audience with exactly the fields of Segment's create body", async () => {
    const outcome = await syncPartner(`email\n${PEER_PEOPLE.map((p) => p.email).join('\n')}\n`, [{ key: 'email', column: 'email' }]);
    expect(outcome.status).toBe('done');
    const creates = rec.to('segment/audience/');
    expect(creates).toHaveLength(1);
    const body = jsonOf(creates[0]!);
    expect(Object.keys(body).sort()).toEqual(Object.keys(seg.createAudience.request).sort());
    expect(body).toEqual({ custom_audience_name: 'Peers partner', advertiser_id: ADV, action: 'create' });
    expect(outcome.tiktokAudienceId).toBe(AUDIENCE_ID);
  });

  it("maps the peers' test people to the exact hashes of their fixtures, in Segment's and RudderStack's body shape", async () => {
    const outcome = await syncPartner(`id,email\n${PEER_PEOPLE.map((p, i) => `${i},${p.email}`).join('\n')}\n`, [{ key: 'email', column: 'email' }]);
    expect(outcome).toMatchObject({ status: 'done', adds: PEER_PEOPLE.length });
    const sent = rec.to('segment/mapping/');
    expect(sent.length).toBe(Math.ceil(PEER_PEOPLE.length / 3));
    for (const r of sent) {
      expect(r.path).toBe('/open_api/v1.3/segment/mapping/');
      expect(r.headers['access-token']).toBe(SANDBOX_ACCESS_TOKEN);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const body = jsonOf(r);
      expect(Object.keys(body).sort()).toEqual(Object.keys(rudderCase1.requests[0]!.json).sort());
      expect(body).toMatchObject({ advertiser_ids: [ADV], action: 'add', id_schema: ['EMAIL_SHA256'] });
    }
    const rows = mappings().flatMap((b) => b.batch_data);
    for (const row of rows) expect(row).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{64}$/), audience_ids: [AUDIENCE_ID] }]);
    expect(new Set(rows.map((row) => row[0]!.id))).toEqual(new Set(PEER_PEOPLE.map((p) => p.hash)));
  });

  it("normalizes like Segment's normalizeEmail when the profile strips +tags and dots (syncAudience 'Test.User+tag@Testing.com')", async () => {
    await syncPartner(`email\n${seg.syncAudience.inputs.emailToNormalize}\n`, [{ key: 'email', column: 'email' }], { ...DEFAULT_PROFILE, emailStripPlusAndDots: true });
    expect(mappings()[0]!.batch_data).toEqual([[{ id: sha256('testuser@testing.com'), audience_ids: [AUDIENCE_ID] }]]);
  });

  it("hashes a phone as E.164 with its '+' under the partner default the wizard and CLI apply (tiktok-api.md corrections: PHONE_SHA256 of '+1231234567', Segment docs)", async () => {
    // The engine hashes with the profile it is given (a choice made in the hash lab wins); the '+' default for
    // partner audiences is applied by the hosts through defaultPhoneKeepPlus, so this is the profile they send.
    await syncPartner('phone\n+14155550100\n', [{ key: 'phone', column: 'phone' }], { ...DEFAULT_PROFILE, phoneKeepPlus: defaultPhoneKeepPlus('segment') });
    expect(mappings()[0]).toMatchObject({ id_schema: ['PHONE_SHA256'], batch_data: [[{ id: sha256('+14155550100'), audience_ids: [AUDIENCE_ID] }]] });
  });

  it("sends removals as action 'delete' in a separate request, as Segment's performBatch and RudderStack's listData do", async () => {
    const first = await syncPartner(`email\n${PEER_PEOPLE.map((p) => p.email).join('\n')}\n`, [{ key: 'email', column: 'email' }]);
    // One of four people (25 %) leaves on purpose: over the default removal limit (20 %), which is not under test here.
    app.sync.setRemovalLimit(first.audienceId, null);
    rec.requests.length = 0;
    const outcome = await syncPartner(`email\n${PEER_PEOPLE.slice(1).map((p) => p.email).join('\n')}\n`, [{ key: 'email', column: 'email' }]);
    expect(outcome).toMatchObject({ status: 'done', adds: 0, removes: 1 });
    expect(mappings()).toEqual([{ advertiser_ids: [ADV], action: 'delete', id_schema: ['EMAIL_SHA256'], batch_data: [[{ id: seg.syncAudience.hashes.email, audience_ids: [AUDIENCE_ID] }]] }]);
  });

  it("a multi-key cohort sends Segment's id_schema order (EMAIL, PHONE, IDFA) with {} where a person lacks a key", async () => {
    const idfa = '5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25';
    const csv = `Email,Phone,IDFA\n${seg.syncAudience.inputs.email},+14155550100,\n,+14155550101,${idfa}\n`;
    const outcome = await syncPartner(csv, [
      { key: 'email', column: 'Email' },
      { key: 'phone', column: 'Phone' },
      { key: 'idfa', column: 'IDFA' },
    ]);
    expect(outcome.status).toBe('done');
    const bodies = mappings();
    for (const b of bodies) expect(b.id_schema).toEqual(seg.syncAudience.idSchema);
    const rows = bodies.flatMap((b) => b.batch_data);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toHaveLength(3);
    const byEmail = rows.find((row) => row[0]!.id === seg.syncAudience.hashes.email)!;
    expect(byEmail[1]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{64}$/), audience_ids: [AUDIENCE_ID] });
    expect(byEmail[2]).toEqual({});
    const noEmail = rows.find((row) => row !== byEmail)!;
    expect(noEmail[0]).toEqual({});
    // tiktok-api.md §5.3: IDFA lowercased, hyphens kept, then SHA-256 (TikTok's own example hash).
    expect(noEmail[2]).toEqual({ id: '83dc3f5f32b9472613b0f038d36f22585a609d018af6f6067f50da318bf354bd', audience_ids: [AUDIENCE_ID] });
  });

  it("reads Segment's ERROR_RESPONSE on a mapping (HTTP 200, 40002 invalid audience ID) as a failed run and names TikTok's words", async () => {
    // Not right after creation: the audience exists from an earlier run, so the refusal is not the "not ready yet" case.
    await syncPartner(`email\n${PEER_PEOPLE[0]!.email}\n`, [{ key: 'email', column: 'email' }]);
    mappingReply = () => ({ body: seg.syncAudience.errorResponse });
    const outcome = await syncPartner(`email\n${PEER_PEOPLE.map((p) => p.email).join('\n')}\n`, [{ key: 'email', column: 'email' }]);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'AUDIENCE_NOT_FOUND' });
    expect(outcome.error?.message).toContain('Parameter error: invalid audience ID');
  });

  for (const status of [400, 200]) {
    it(`waits through HTTP ${status} + ERROR_RESPONSE on the first mappings of a new audience ("not ready yet", commit e002d90 #1297) and completes`, async () => {
      mappingReply = (_r, nth) => (nth <= 2 ? { status, body: seg.syncAudience.errorResponse } : { body: seg.syncAudience.successResponse });
      const outcome = await syncPartner(`email\n${PEER_PEOPLE[0]!.email}\n`, [{ key: 'email', column: 'email' }]);
      expect(outcome).toMatchObject({ status: 'done', adds: 1, error: null });
      expect(rec.to('segment/audience/')).toHaveLength(1);
      const sent = rec.to('segment/mapping/').map((r) => r.body.toString('utf8'));
      expect(sent).toHaveLength(3);
      expect(new Set(sent).size).toBe(1);
    });
  }

  it("retries a mapping answered with RudderStack's 40100 'Too many requests' and completes", async () => {
    mappingReply = (_r, nth) => (nth === 1 ? { body: fixtures.rudderstack.tiktokAdsAnswers.answers.find((a) => a.name === 'tooManyRequests')!.body } : { body: seg.syncAudience.successResponse });
    const outcome = await syncPartner(`email\n${PEER_PEOPLE.map((p) => p.email).join('\n')}\n`, [{ key: 'email', column: 'email' }]);
    expect(outcome.status).toBe('done');
    const sent = rec.to('segment/mapping/').map((r) => r.body.toString('utf8'));
    expect(sent[1]).toBe(sent[0]);
    expect(new Set(mappings().flatMap((b) => b.batch_data.map((row) => row[0]!.id)))).toEqual(new Set(PEER_PEOPLE.map((p) => p.hash)));
  });
});
