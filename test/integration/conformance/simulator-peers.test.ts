/**
 * Conformance of the offline sandbox with public peers (project issue #10, §3): the request bodies, URLs and
 * headers that Segment's and RudderStack's TikTok audience tests send, and the fields, enums and limits of
 * TikTok's own SDK spec files, replayed over real HTTP against the simulator. Each case names its source;
 * the data values are in test/fixtures/conformance/peers.json.
 *
 * Substitutions, where the simulator cannot take a peer's value as is: audience ids are the ones the
 * simulator made (peers use placeholders such as "12345"); RudderStack's advertiser "dummyAdverTiserID" is
 * replaced by a seeded advertiser (TikTok converts advertiser_id to int64, SDK x-open-convert). Tokens are
 * issued for the peers' advertiser ids ("42884288", "123", ...), which are then used unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { TIKTOK_TIME, digests, md5, send, uploadForm, type Wire } from './helpers';
import { fixtures } from './recorder';

const seg = fixtures.segment;
const rud = fixtures.rudderstack;
const sdk = fixtures.sdk;

let sim: SimulatorHandle;
beforeEach(async () => {
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
});
afterEach(async () => {
  await sim.close();
});

/** Creates a partner audience the way Segment does (segment/audience/, action "create"); returns its id. */
async function partnerAudience(token: string, advertiserId: string, name = seg.createAudience.request.custom_audience_name): Promise<string> {
  const r = await send(sim, 'segment/audience/', { token, json: { custom_audience_name: name, advertiser_id: advertiserId, action: 'create' } });
  expect(r.body.code).toBe(0);
  return (r.body.data as { audience_id: string }).audience_id;
}

/** Segment's syncAudience body for one person, with our audience id in place of its placeholder "12345". */
function segmentMapping(action: 'add' | 'delete', audienceId: string, ids: readonly (keyof typeof seg.syncAudience.hashes)[] = ['email', 'phone', 'advertisingId']) {
  const schema: Record<string, string> = { email: 'EMAIL_SHA256', phone: 'PHONE_SHA256', advertisingId: 'IDFA_SHA256' };
  return {
    advertiser_ids: [seg.syncAudience.advertiserId],
    action,
    id_schema: ids.map((k) => schema[k]),
    batch_data: [ids.map((k) => ({ id: seg.syncAudience.hashes[k], audience_ids: [audienceId] }))],
  };
}

const expectEnvelopeOk = (r: Wire): void => {
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ code: 0, message: 'OK', request_id: expect.any(String) });
};

const expectRefused = (r: Wire): void => {
  expect(r.status).toBe(200);
  expect(r.body.code).not.toBe(0);
  expect(r.body.data).toEqual({});
};

describe('Segment tiktok-audiences requests (segmentio/action-destinations @ 970a17e)', () => {
  it('creates a partner audience from the body of __tests__/index.test.ts and answers its envelope shape', async () => {
    const token = sim.issueToken([seg.createAudience.request.advertiser_id]);
    const r = await send(sim, seg.createAudience.path, { token, json: seg.createAudience.request });
    expectEnvelopeOk(r);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(seg.createAudience.response).sort());
    expect(r.body.data).toEqual({ audience_id: expect.stringMatching(/^\d+$/) });
  });

  it('accepts the older create body that also sent id_type (createAudience test before #2215)', async () => {
    const token = sim.issueToken([seg.createAudienceWithIdType.request.advertiser_id]);
    const r = await send(sim, 'segment/audience/', { token, json: seg.createAudienceWithIdType.request });
    expectEnvelopeOk(r);
    expect(r.body.data).toEqual({ audience_id: expect.stringMatching(/^\d+$/) });
  });

  it('truncates a name over 70 characters to 67 + "..." (properties.ts custom_audience_name)', async () => {
    const token = sim.issueToken([seg.createAudience.request.advertiser_id]);
    const long = `${seg.createAudience.request.custom_audience_name} — ${'x'.repeat(60)}`;
    const id = await partnerAudience(token, seg.createAudience.request.advertiser_id, long);
    expect(sim.audience(id)?.name).toBe(`${long.slice(0, 67)}...`);
    const exact = 'n'.repeat(70);
    expect(sim.audience(await partnerAudience(token, seg.createAudience.request.advertiser_id, exact))?.name).toBe(exact);
  });

  it("answers getAudience (with the trailing slash) in the shape of Segment's fixture for a new partner audience", async () => {
    const fx = seg.getAudience;
    const token = sim.issueToken([fx.advertiserId]);
    const want = fx.response.data.list[0]!;
    const id = await partnerAudience(token, fx.advertiserId, want.audience_details.name);
    const query = new URLSearchParams({ advertiser_id: fx.advertiserId, custom_audience_ids: JSON.stringify([id]) });
    const r = await send(sim, `${fx.path}/?${query}`, { token, headers: fx.requestHeaders });
    expectEnvelopeOk(r);
    const list = (r.body.data as { list: { audience_details: Record<string, unknown>; audience_history: Record<string, unknown>[] }[] }).list;
    expect(list).toHaveLength(1);
    const details = list[0]!.audience_details;
    for (const key of Object.keys(want.audience_details)) expect(details).toHaveProperty(key);
    expect(details).toMatchObject({
      audience_id: id,
      name: want.audience_details.name,
      type: 'Partner',
      calculate_type: 'MULTIPLE_TYPES',
      audience_sub_type: 'NORMAL',
      is_valid: false,
      cover_num: 0,
      is_creator: true,
      shared: false,
      is_auto_refresh: false,
      is_expiring: false,
      error_msg: null,
      msg: null,
    });
    // The fixture expires 365 days after creation (2023-08-03 16:27:49 → 2024-08-02 16:27:49).
    const created = Date.parse(`${String(details.create_time).replace(' ', 'T')}Z`);
    expect(details.create_time).toMatch(TIKTOK_TIME);
    expect(details.expired_time).toBe(new Date(created + 365 * 86_400_000).toISOString().slice(0, 19).replace('T', ' '));
    const history = list[0]!.audience_history;
    expect(history).toHaveLength(1);
    expect(Object.keys(history[0]!).sort()).toEqual(Object.keys(want.audience_history[0]!).sort());
    expect(history[0]).toMatchObject({ action: 'create', editor: 'open_api', action_detail: '0', msg: null, opt_time: details.create_time });
  });

  it('answers getAudience without the trailing slash, as Segment calls it in production (constants.ts GET_AUDIENCE_URL); other paths without it stay 404', async () => {
    const fx = seg.getAudience;
    expect(fx.path.endsWith('/')).toBe(false);
    const token = sim.issueToken([fx.advertiserId]);
    const id = await partnerAudience(token, fx.advertiserId, fx.response.data.list[0]!.audience_details.name);
    const query = new URLSearchParams({ advertiser_id: fx.advertiserId, custom_audience_ids: JSON.stringify([id]) });
    const r = await send(sim, `${fx.path}?${query}`, { token, headers: fx.requestHeaders });
    expectEnvelopeOk(r);
    expect((r.body.data as { list: { audience_details: { audience_id: string } }[] }).list.map((x) => x.audience_details.audience_id)).toEqual([id]);
    // tiktok-api.md §1: elsewhere a missing slash is the classic 404; no public client shows TikTok accepting it.
    expect((await send(sim, `${sdk.list.path.slice(0, -1)}?advertiser_id=${fx.advertiserId}`, { token })).status).toBe(404);
  });

  it("adds and deletes syncAudience's three-identifier row and answers its SUCCESS_RESPONSE shape", async () => {
    const token = sim.issueToken([seg.syncAudience.advertiserId]);
    const id = await partnerAudience(token, seg.syncAudience.advertiserId);
    const h = seg.syncAudience.hashes;
    const add = await send(sim, seg.syncAudience.path, { token, json: segmentMapping('add', id) });
    expectEnvelopeOk(add);
    expect(Object.keys(add.body)).toEqual(expect.arrayContaining(Object.keys(seg.syncAudience.successResponse)));
    expect(sim.membership(id)).toEqual(new Set([`EMAIL_SHA256:${h.email}`, `PHONE_SHA256:${h.phone}`, `IDFA_SHA256:${h.advertisingId}`]));
    const del = await send(sim, seg.syncAudience.path, { token, json: segmentMapping('delete', id) });
    expectEnvelopeOk(del);
    expect(sim.membership(id)).toEqual(new Set());
  });

  it('accepts the single-identifier bodies (send_email only, send_phone only)', async () => {
    const token = sim.issueToken([seg.syncAudience.advertiserId]);
    const id = await partnerAudience(token, seg.syncAudience.advertiserId);
    expectEnvelopeOk(await send(sim, 'segment/mapping/', { token, json: segmentMapping('add', id, ['email']) }));
    expectEnvelopeOk(await send(sim, 'segment/mapping/', { token, json: segmentMapping('add', id, ['phone']) }));
    expect(sim.membership(id)).toEqual(new Set([`EMAIL_SHA256:${seg.syncAudience.hashes.email}`, `PHONE_SHA256:${seg.syncAudience.hashes.phone}`]));
  });

  it('applies an add and a delete sent as two concurrent requests (performBatch splits a mixed batch)', async () => {
    const token = sim.issueToken([seg.syncAudience.advertiserId]);
    const id = await partnerAudience(token, seg.syncAudience.advertiserId);
    expectEnvelopeOk(await send(sim, 'segment/mapping/', { token, json: segmentMapping('add', id, ['phone']) }));
    const [add, del] = await Promise.all([
      send(sim, 'segment/mapping/', { token, json: segmentMapping('add', id, ['email']) }),
      send(sim, 'segment/mapping/', { token, json: segmentMapping('delete', id, ['phone']) }),
    ]);
    expectEnvelopeOk(add);
    expectEnvelopeOk(del);
    expect(sim.membership(id)).toEqual(new Set([`EMAIL_SHA256:${seg.syncAudience.hashes.email}`]));
  });

  it("answers ERROR_RESPONSE (HTTP 200, code 40002 'Parameter error: invalid audience ID') for an audience TikTok does not know", async () => {
    const token = sim.issueToken([seg.syncAudience.advertiserId]);
    const other = await partnerAudience(token, seg.syncAudience.advertiserId);
    const r = await send(sim, 'segment/mapping/', { token, json: segmentMapping('add', seg.syncAudience.audienceId) });
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(seg.syncAudience.errorResponse.code);
    expect(r.body.message.startsWith(seg.syncAudience.errorResponse.message)).toBe(true);
    expect(r.body.request_id).toEqual(expect.any(String));
    expect(sim.membership(other)).toEqual(new Set());
  });

  it('refuses mapping into a partner audience for a while after its creation with HTTP 400 + ERROR_RESPONSE (commit e002d90, #1297), then applies it', async () => {
    sim.configure({ partnerReadyDelayMs: 90_000 });
    const token = sim.issueToken([seg.syncAudience.advertiserId]);
    const id = await partnerAudience(token, seg.syncAudience.advertiserId);
    const early = await send(sim, 'segment/mapping/', { token, json: segmentMapping('add', id) });
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({ code: seg.syncAudience.errorResponse.code, message: seg.syncAudience.errorResponse.message });
    expect(sim.membership(id)).toEqual(new Set());
    sim.advanceClock(90_000);
    expectEnvelopeOk(await send(sim, 'segment/mapping/', { token, json: segmentMapping('add', id) }));
    expect(sim.membership(id)?.size).toBe(3);
  });

  it("refuses the legacy addUser body whose audience id is not an id ('personas_test_audience')", async () => {
    const fx = seg.addUserLegacy;
    const token = sim.issueToken(fx.request.advertiser_ids);
    const body = structuredClone(fx.request);
    for (const el of body.batch_data[0]!) el.audience_ids = [fx.invalidAudienceId];
    expectRefused(await send(sim, fx.path, { token, json: body }));
  });

  it('applies the legacy addUser body sent with every advertiser of the settings, the audience owned by one of them', async () => {
    const advertisers = seg.fetchAdvertisers.advertiserIds;
    const token = sim.issueToken(advertisers);
    const id = await partnerAudience(token, advertisers[1]!);
    const body = structuredClone(seg.addUserLegacy.request);
    body.advertiser_ids = advertisers;
    for (const el of body.batch_data[0]!) el.audience_ids = [id];
    expectEnvelopeOk(await send(sim, 'segment/mapping/', { token, json: body }));
    expect(sim.membership(id)?.size).toBe(3);
  });

  it("answers fetchAudiences' list paging (page, page_size=100) with page_info and the fields Segment reads", async () => {
    const fx = seg.fetchAudiences;
    const token = sim.issueToken([fx.query.advertiser_id]);
    const ids = [await partnerAudience(token, fx.query.advertiser_id, 'A'), await partnerAudience(token, fx.query.advertiser_id, 'B'), await partnerAudience(token, fx.query.advertiser_id, 'C')];
    const r = await send(sim, `${fx.path}?${new URLSearchParams(fx.query)}`, { token });
    expectEnvelopeOk(r);
    const data = r.body.data as { page_info: Record<string, number>; list: Record<string, unknown>[] };
    expect(data.page_info).toEqual({ page: 1, page_size: 100, total_number: 3, total_page: 1 });
    for (const item of data.list) {
      for (const key of fx.audienceFields) expect(item).toHaveProperty(key);
      expect(item).toMatchObject({ audience_id: expect.any(String), cover_num: expect.any(Number), is_valid: expect.any(Boolean), create_time: expect.stringMatching(TIKTOK_TIME) });
    }
    // Segment's loop: page = 1, 2, ... while page <= total_page.
    const seen: string[] = [];
    for (let page = 1, total = 1; page <= total; page++) {
      const p = await send(sim, `${fx.path}?${new URLSearchParams({ ...fx.query, page: String(page), page_size: '2' })}`, { token });
      const d = p.body.data as { page_info: { total_page: number }; list: { audience_id: string }[] };
      total = d.page_info.total_page;
      seen.push(...d.list.map((a) => a.audience_id));
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('answers fetchAdvertisers (advertiser/info/ with advertiser_ids as a JSON string) with one item per id', async () => {
    const fx = seg.fetchAdvertisers;
    const token = sim.issueToken(fx.advertiserIds);
    const r = await send(sim, `${fx.path}?${new URLSearchParams({ advertiser_ids: JSON.stringify(fx.advertiserIds) })}`, { token });
    expect(r.body.code).toBe(0);
    const list = (r.body.data as { list: { advertiser_id: string; name: string }[] }).list;
    expect(list.map((a) => a.advertiser_id)).toEqual(fx.advertiserIds);
    for (const a of list) expect(a.name).toEqual(expect.any(String));
  });

  it("answers testAuthentication's user/info/: code 0 with a working token, another code without one", async () => {
    expect((await send(sim, 'user/info/')).body.code).toBe(0);
    expect((await send(sim, 'user/info/', { token: 'test' })).body.code).not.toBe(0);
  });
});

describe('RudderStack tiktok_audience requests (rudderlabs/rudder-transformer @ c98d160, router/data.ts)', () => {
  /** A peer request with our audience and advertiser in place of its placeholders. */
  function localize(json: Record<string, unknown>, audienceId: string, advertiserId: string): Record<string, unknown> {
    const text = JSON.stringify(json).replaceAll(`"${rud.router.audienceId}"`, `"${audienceId}"`).replaceAll(`"${rud.router.advertiserId}"`, `"${advertiserId}"`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  for (const c of rud.router.cases) {
    it(`applies the requests of "${c.case}" sent with RudderStack's exact headers`, async () => {
      const adv = sim.advertiserIds[0]!;
      const id = await partnerAudience(sim.accessToken, adv);
      const expected = new Set<string>();
      for (const req of c.requests) {
        expect(req.endpoint.endsWith('/open_api/v1.3/segment/mapping/')).toBe(true);
        const json = localize(req.json, id, adv) as { action: string; id_schema: string[]; batch_data: { id?: string }[][] };
        const headers = { ...req.headers, 'Access-Token': sim.accessToken };
        const r = await send(sim, 'segment/mapping/', { token: null, headers, json });
        expectEnvelopeOk(r);
        for (const row of json.batch_data) {
          row.forEach((el, i) => {
            if (!el.id) return;
            const key = `${json.id_schema[i]}:${el.id}`;
            if (json.action === 'add') expected.add(key);
            else expected.delete(key);
          });
        }
      }
      expect(sim.membership(id)).toEqual(expected);
    });
  }

  it("answers 40002 invalid audience ID for RudderStack's audience id when no such audience exists", async () => {
    const req = rud.router.cases.find((c) => c.case.startsWith('Native Test 10'))!.requests[0]!;
    const json = JSON.parse(JSON.stringify(req.json).replaceAll(`"${rud.router.advertiserId}"`, `"${sim.advertiserIds[0]}"`)) as object;
    const r = await send(sim, 'segment/mapping/', { json });
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(40002);
    expect(r.body.message).toMatch(/invalid audience ID/);
  });
});

describe("TikTok's SDK spec files (tiktok/tiktok-business-api-sdk @ f809c39, yml_files/dmp_custom_audience_*.yml)", () => {
  const lines = (type: string, n = 1200, prefix = 'p'): Buffer => {
    if (type === 'MULTIPLE_TYPES') {
      const phones = digests(n, `${prefix}ph`);
      return Buffer.from(`email_SHA256,phone_SHA256\n${digests(n, `${prefix}e`).map((e, i) => `${e},${phones[i]}`).join('\n')}\n`);
    }
    return Buffer.from(`${digests(n, prefix, type.endsWith('_MD5') ? 'md5' : 'sha256').join('\n')}\n`);
  };

  async function upload(type: string, content = lines(type), adv = sim.advertiserIds[0]!): Promise<string> {
    const r = await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: adv, calculateType: type, content }) });
    expect(r.body.code).toBe(0);
    return (r.body.data as { file_path: string }).file_path;
  }

  async function create(body: Record<string, unknown>): Promise<Wire> {
    return send(sim, sdk.create.path, { json: body });
  }

  async function fileAudience(type = 'EMAIL_SHA256', n = 1200, prefix = 'p'): Promise<string> {
    const path = await upload(type, lines(type, n, prefix));
    const r = await create({ advertiser_id: sim.advertiserIds[0], custom_audience_name: `aud ${prefix}`, calculate_type: type, file_paths: [path] });
    expect(r.body.code).toBe(0);
    return (r.body.data as { custom_audience_id: string }).custom_audience_id;
  }

  it(`file/upload: accepts every DmpCalculateType (${sdk.fileUpload.calculateTypes.length}) with a matching file and answers a 16-character file_path`, async () => {
    for (const type of sdk.fileUpload.calculateTypes) {
      const r = await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: sim.advertiserIds[0]!, calculateType: type, content: lines(type, 5) }) });
      expect({ type, code: r.body.code }).toEqual({ type, code: 0 });
      expect(Object.keys(r.body.data!)).toEqual(sdk.fileUpload.response);
      expect((r.body.data as { file_path: string }).file_path).toHaveLength(sdk.create.filePaths.itemLength);
    }
  });

  it('file/upload: accepts the optional name (yml) and file_name (Python SDK) fields, and a .txt file', async () => {
    const content = lines('EMAIL_SHA256', 3);
    for (const extra of [{ name: 'cohort' }, { file_name: 'cohort.csv' }] as Record<string, string>[]) {
      expect((await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: sim.advertiserIds[0]!, calculateType: 'EMAIL_SHA256', content, extra }) })).body.code).toBe(0);
    }
    expect((await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: sim.advertiserIds[0]!, calculateType: 'EMAIL_SHA256', content, filename: 'a.txt' }) })).body.code).toBe(0);
  });

  it('file/upload: refuses a request missing any required field, an unknown calculate_type, or a suffix other than .csv/.txt', async () => {
    const content = lines('EMAIL_SHA256', 3);
    for (const omit of sdk.fileUpload.required) {
      const r = await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: sim.advertiserIds[0]!, calculateType: 'EMAIL_SHA256', content, omit }) });
      expect({ omit, refused: r.body.code !== 0 }).toEqual({ omit, refused: true });
      expectRefused(r);
    }
    expectRefused(await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: sim.advertiserIds[0]!, calculateType: 'EMAIL_MD5', content }) }));
    expectRefused(await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: sim.advertiserIds[0]!, calculateType: 'EMAIL_SHA256', content, filename: 'a.xlsx' }) }));
  });

  it('file/upload: refuses a file_signature that is not the MD5 of the file (40900)', async () => {
    const content = lines('EMAIL_SHA256', 3);
    const r = await send(sim, sdk.fileUpload.path, { form: uploadForm({ advertiserId: sim.advertiserIds[0]!, calculateType: 'EMAIL_SHA256', content, signature: md5('other') }) });
    expect(r.body.code).toBe(40900);
  });

  it('create: accepts every CalculateType of the create enum and answers custom_audience_id; refuses MAID_* (upload-only aliases)', async () => {
    for (const type of sdk.create.calculateTypes) {
      const path = await upload(type, lines(type, 5, type));
      const r = await create({ advertiser_id: sim.advertiserIds[0], custom_audience_name: type, calculate_type: type, file_paths: [path] });
      expect({ type, code: r.body.code }).toEqual({ type, code: 0 });
      expect(r.body.data).toEqual({ custom_audience_id: expect.stringMatching(/^\d+$/) });
    }
    const maid = sdk.fileUpload.calculateTypes.filter((t) => !sdk.create.calculateTypes.includes(t));
    expect(maid).toEqual(['MAID_MD5', 'MAID_SHA256']);
    for (const type of maid) {
      const path = await upload(type, lines(type, 5, type));
      expectRefused(await create({ advertiser_id: sim.advertiserIds[0], custom_audience_name: type, calculate_type: type, file_paths: [path] }));
    }
  });

  it('create: refuses a body missing any required field', async () => {
    const path = await upload('EMAIL_SHA256');
    const full: Record<string, unknown> = { advertiser_id: sim.advertiserIds[0], custom_audience_name: 'x', calculate_type: 'EMAIL_SHA256', file_paths: [path] };
    for (const key of sdk.create.required) {
      const { [key]: _dropped, ...body } = full;
      const r = await create(body);
      expect({ key, refused: r.body.code !== 0 }).toEqual({ key, refused: true });
    }
    expect((await create(full)).body.code).toBe(0);
  });

  it('create: custom_audience_name 1–128 characters, file_paths at least one, retention_in_days 1–365; optional fields accepted', async () => {
    const path = await upload('EMAIL_SHA256');
    const base = { advertiser_id: sim.advertiserIds[0], calculate_type: 'EMAIL_SHA256', file_paths: [path] };
    const [min, max] = sdk.create.nameLength as [number, number];
    expect((await create({ ...base, custom_audience_name: 'n'.repeat(min) })).body.code).toBe(0);
    expect((await create({ ...base, custom_audience_name: 'n'.repeat(max) })).body.code).toBe(0);
    expectRefused(await create({ ...base, custom_audience_name: 'n'.repeat(min - 1) }));
    expectRefused(await create({ ...base, custom_audience_name: 'n'.repeat(max + 1) }));
    expectRefused(await create({ ...base, custom_audience_name: 'n', file_paths: [] }));
    const [rMin, rMax] = sdk.create.retentionInDays as [number, number];
    for (const days of [rMin, rMax]) expect((await create({ ...base, custom_audience_name: `r${days}`, retention_in_days: days })).body.code).toBe(0);
    for (const days of [rMin - 1, rMax + 1]) expectRefused(await create({ ...base, custom_audience_name: `r${days}`, retention_in_days: days }));
    for (const sub of sdk.create.audienceSubTypes) expect((await create({ ...base, custom_audience_name: sub, audience_sub_type: sub, audience_enhancement: false })).body.code).toBe(0);
  });

  it('update: APPEND, REMOVE and REPLACE with file_paths; an omitted action means REPLACE; a rename alone needs no file', async () => {
    const id = await fileAudience('EMAIL_SHA256', 1200, 'u');
    const adv = sim.advertiserIds[0]!;
    const size = (): number | undefined => sim.audience(id)?.size;
    const more = await upload('EMAIL_SHA256', lines('EMAIL_SHA256', 100, 'more'));
    expect((await send(sim, sdk.update.path, { json: { advertiser_id: adv, custom_audience_id: id, action: 'APPEND', file_paths: [more] } })).body.code).toBe(0);
    expect(size()).toBe(1300);
    expect((await send(sim, sdk.update.path, { json: { advertiser_id: adv, custom_audience_id: id, action: 'REMOVE', file_paths: [more] } })).body.code).toBe(0);
    expect(size()).toBe(1200);
    const other = await upload('EMAIL_SHA256', lines('EMAIL_SHA256', 1100, 'other'));
    expect((await send(sim, sdk.update.path, { json: { advertiser_id: adv, custom_audience_id: id, file_paths: [other] } })).body.code).toBe(0);
    expect(sim.membership(id)).toEqual(new Set(digests(1100, 'other')));
    expect((await send(sim, sdk.update.path, { json: { advertiser_id: adv, custom_audience_id: id, action: 'REPLACE', file_paths: [await upload('EMAIL_SHA256', lines('EMAIL_SHA256', 1000, 'third'))] } })).body.code).toBe(0);
    expect(size()).toBe(1000);
    expect((await send(sim, sdk.update.path, { json: { advertiser_id: adv, custom_audience_id: id, custom_audience_name: 'renamed' } })).body.code).toBe(0);
    expect(sim.audience(id)?.name).toBe('renamed');
  });

  it('update: refuses a missing required field, neither name nor file_paths, an action outside the enum, and a result under 1,000', async () => {
    const id = await fileAudience('EMAIL_SHA256', 1200, 'v');
    const adv = sim.advertiserIds[0]!;
    const path = await upload('EMAIL_SHA256', lines('EMAIL_SHA256', 300, 'v'));
    const full = { advertiser_id: adv, custom_audience_id: id, action: 'APPEND', file_paths: [path] };
    for (const key of sdk.update.required) {
      const { [key as keyof typeof full]: _dropped, ...body } = full;
      expectRefused(await send(sim, sdk.update.path, { json: body }));
    }
    expectRefused(await send(sim, sdk.update.path, { json: { advertiser_id: adv, custom_audience_id: id } }));
    expectRefused(await send(sim, sdk.update.path, { json: { ...full, action: 'DELETE' } }));
    // The yml note: APPEND, REMOVE and REPLACE fail if the audience is under 1,000 after the operation.
    expectRefused(await send(sim, sdk.update.path, { json: { ...full, action: 'REMOVE' } }));
    expectRefused(await send(sim, sdk.update.path, { json: { ...full, action: 'REPLACE' } }));
    expect(sim.audience(id)?.size).toBe(1200);
  });

  it('get: custom_audience_ids as a JSON string or as repeated keys (Python SDK "multi"); 1–100 ids; history_size 1–100', async () => {
    const a = await fileAudience('EMAIL_SHA256', 5, 'ga');
    const b = await fileAudience('EMAIL_SHA256', 5, 'gb');
    const adv = sim.advertiserIds[0]!;
    const ids = (r: Wire): string[] => (r.body.data as { list: { audience_details: { audience_id: string } }[] }).list.map((x) => x.audience_details.audience_id);
    const json = await send(sim, `${sdk.get.path}?${new URLSearchParams({ advertiser_id: adv, custom_audience_ids: JSON.stringify([a, b]) })}`);
    expect(ids(json)).toEqual([a, b]);
    const repeated = await send(sim, `${sdk.get.path}?advertiser_id=${adv}&custom_audience_ids=${a}&custom_audience_ids=${b}`);
    expect(ids(repeated)).toEqual([a, b]);
    const history = (json.body.data as { list: { audience_history: Record<string, unknown>[] }[] }).list[0]!.audience_history;
    expect(Object.keys(history[0]!).sort()).toEqual([...sdk.get.audienceHistoryKeys].sort());
    const [minIds, maxIds] = sdk.get.idsPerRequest as [number, number];
    expectRefused(await send(sim, `${sdk.get.path}?advertiser_id=${adv}&custom_audience_ids=${encodeURIComponent(JSON.stringify(Array.from({ length: minIds - 1 }, (_, i) => String(i))))}`));
    expectRefused(await send(sim, `${sdk.get.path}?advertiser_id=${adv}&custom_audience_ids=${encodeURIComponent(JSON.stringify(Array.from({ length: maxIds + 1 }, (_, i) => String(i))))}`));
    expectRefused(await send(sim, `${sdk.get.path}?advertiser_id=${adv}&custom_audience_ids=${encodeURIComponent(JSON.stringify([a]))}`, { token: null }));
    for (const size of [sdk.get.historySize.min, sdk.get.historySize.max]) expect((await send(sim, `${sdk.get.path}?advertiser_id=${adv}&custom_audience_ids=${a}&history_size=${size}`)).body.code).toBe(0);
    for (const size of [sdk.get.historySize.min - 1, sdk.get.historySize.max + 1]) expectRefused(await send(sim, `${sdk.get.path}?advertiser_id=${adv}&custom_audience_ids=${a}&history_size=${size}`));
  });

  it(`get: history_size defaults to ${sdk.get.historySize.default}, so a get without it returns the newest ${sdk.get.historySize.default} entries`, async () => {
    const adv = seg.syncAudience.advertiserId;
    const token = sim.issueToken([adv]);
    const id = await partnerAudience(token, adv, 'history');
    // One 'create' entry, then one entry per mapping: one more than the default in all.
    for (let i = 0; i < sdk.get.historySize.default; i++) {
      const body = { advertiser_ids: [adv], action: i % 2 ? 'delete' : 'add', id_schema: ['EMAIL_SHA256'], batch_data: [[{ id: seg.syncAudience.hashes.email, audience_ids: [id] }]] };
      expect((await send(sim, 'segment/mapping/', { token, json: body })).body.code).toBe(0);
    }
    const r = await send(sim, `${sdk.get.path}?${new URLSearchParams({ advertiser_id: adv, custom_audience_ids: JSON.stringify([id]) })}`, { token });
    const history = (r.body.data as { list: { audience_history: { action: string }[] }[] }).list[0]!.audience_history;
    expect(history).toHaveLength(sdk.get.historySize.default);
    expect(history[0]!.action).toBe('delete');
    expect(history.map((h) => h.action)).not.toContain('create');
  });

  it('get: audience_details carries every key of the response_rule (pop_resp_nullvalue: false keeps nulls), for file and partner audiences', async () => {
    const adv = sim.advertiserIds[0]!;
    const file = await fileAudience('EMAIL_SHA256', 5, 'keys');
    const partner = await partnerAudience(sim.accessToken, adv, 'keys');
    const r = await send(sim, `${sdk.get.path}?${new URLSearchParams({ advertiser_id: adv, custom_audience_ids: JSON.stringify([file, partner]) })}`);
    const list = (r.body.data as { list: { audience_details: Record<string, unknown> }[] }).list;
    expect(list).toHaveLength(2);
    for (const { audience_details: details } of list) {
      expect(sdk.get.audienceDetailKeys.filter((k) => !(k in details))).toEqual([]);
      // The create yml's defaults; no enhancement asked, and neither is a lookalike audience.
      expect(details).toMatchObject({ audience_sub_type: 'NORMAL', audience_enhancement: false, enhancement_status: null, lookalike_spec: null });
    }
  });

  it('create: audience_sub_type REACH_FREQUENCY and audience_enhancement true are kept and shown by get (and the sub type by list)', async () => {
    const adv = sim.advertiserIds[0]!;
    const path = await upload('EMAIL_SHA256', lines('EMAIL_SHA256', 5, 'rf'));
    const r = await create({ advertiser_id: adv, custom_audience_name: 'rf', calculate_type: 'EMAIL_SHA256', file_paths: [path], audience_sub_type: 'REACH_FREQUENCY', audience_enhancement: true });
    expectEnvelopeOk(r);
    const id = (r.body.data as { custom_audience_id: string }).custom_audience_id;
    const got = await send(sim, `${sdk.get.path}?${new URLSearchParams({ advertiser_id: adv, custom_audience_ids: JSON.stringify([id]) })}`);
    expect((got.body.data as { list: { audience_details: Record<string, unknown> }[] }).list[0]!.audience_details).toMatchObject({ audience_sub_type: 'REACH_FREQUENCY', audience_enhancement: true });
    const listed = await send(sim, `${sdk.list.path}?${new URLSearchParams({ advertiser_id: adv, custom_audience_ids: JSON.stringify([id]) })}`);
    expect((listed.body.data as { list: Record<string, unknown>[] }).list[0]).toMatchObject({ audience_id: id, audience_sub_type: 'REACH_FREQUENCY' });
  });

  it(`create: audience_sub_type outside its strict enum (${sdk.create.audienceSubTypes.join(', ')}) or null, and a non-boolean audience_enhancement, are refused with 40002 and create nothing`, async () => {
    const adv = sim.advertiserIds[0]!;
    const path = await upload('EMAIL_SHA256', lines('EMAIL_SHA256', 5, 'bad'));
    const base = { advertiser_id: adv, custom_audience_name: 'bad', calculate_type: 'EMAIL_SHA256', file_paths: [path] };
    for (const extra of [{ audience_sub_type: 'LOOKALIKE' }, { audience_sub_type: 'normal' }, { audience_sub_type: null }, { audience_enhancement: 'False' }, { audience_enhancement: null }] as Record<string, unknown>[]) {
      const r = await create({ ...base, ...extra });
      expectRefused(r);
      expect({ extra, code: r.body.code }).toEqual({ extra, code: 40002 });
    }
    expect(sim.audiences(adv)).toEqual([]);
  });

  it('list: page defaults to 1 and page_size to 10; page_size 1–100; page ≥ 1; custom_audience_ids filters', async () => {
    const adv = sim.advertiserIds[0]!;
    const created: string[] = [];
    for (let i = 0; i < 11; i++) created.push(await fileAudience('EMAIL_SHA256', 2, `l${i}`));
    const r = await send(sim, `${sdk.list.path}?advertiser_id=${adv}`);
    expect(Object.keys(r.body.data!).sort()).toEqual([...sdk.list.response].sort());
    expect((r.body.data as { page_info: unknown }).page_info).toEqual({ page: sdk.list.page.default, page_size: sdk.list.pageSize.default, total_number: 11, total_page: 2 });
    expect((r.body.data as { list: unknown[] }).list).toHaveLength(10);
    expect((await send(sim, `${sdk.list.path}?advertiser_id=${adv}&page_size=${sdk.list.pageSize.max}`)).body.code).toBe(0);
    expectRefused(await send(sim, `${sdk.list.path}?advertiser_id=${adv}&page_size=${sdk.list.pageSize.max + 1}`));
    expectRefused(await send(sim, `${sdk.list.path}?advertiser_id=${adv}&page_size=${sdk.list.pageSize.min - 1}`));
    expectRefused(await send(sim, `${sdk.list.path}?advertiser_id=${adv}&page=${sdk.list.page.min - 1}`));
    const some = await send(sim, `${sdk.list.path}?${new URLSearchParams({ advertiser_id: adv, custom_audience_ids: JSON.stringify(created.slice(0, 2)) })}`);
    expect((some.body.data as { list: { audience_id: string }[] }).list.map((a) => a.audience_id)).toEqual(created.slice(0, 2));
  });

  it('delete: JSON body {advertiser_id, custom_audience_ids}; 1–100 ids; the audience is gone afterwards', async () => {
    const id = await fileAudience('EMAIL_SHA256', 2, 'd');
    const adv = sim.advertiserIds[0]!;
    const [minIds, maxIds] = sdk.delete.idsPerRequest as [number, number];
    expectRefused(await send(sim, sdk.delete.path, { json: { advertiser_id: adv, custom_audience_ids: Array.from({ length: minIds - 1 }, () => id) } }));
    expectRefused(await send(sim, sdk.delete.path, { json: { advertiser_id: adv, custom_audience_ids: Array.from({ length: maxIds + 1 }, () => id) } }));
    expectRefused(await send(sim, sdk.delete.path, { json: { custom_audience_ids: [id] } }));
    expectEnvelopeOk(await send(sim, sdk.delete.path, { json: { advertiser_id: adv, custom_audience_ids: [id] } }));
    const got = await send(sim, `${sdk.get.path}?advertiser_id=${adv}&custom_audience_ids=${encodeURIComponent(JSON.stringify([id]))}`);
    expect((got.body.data as { list: unknown[] }).list).toEqual([]);
  });
});

describe('codes of tiktok-api.md on the offline sandbox', () => {
  it('answers a missing Access-Token header with 40104 and the live wording S7 records, also when the token is only a query parameter', async () => {
    const missing = await send(sim, 'user/info/', { token: null });
    expect(missing).toMatchObject({ status: 200, body: { code: 40104, message: 'Access token is null, you should set it in http header with key Access-Token.', data: {} } });
    // The yml fragments declare Access-Token "in: query", but the SDKs and every peer send the header (§1).
    const query = await send(sim, `user/info/?Access-Token=${sim.accessToken}`, { token: null });
    expect(query.body.code).toBe(40104);
  });

  it('answers an unknown token with 40105 and the app rate limit with 40100, both with HTTP 200', async () => {
    expect(await send(sim, 'user/info/', { token: 'dummyAccessToken' })).toMatchObject({ status: 200, body: { code: 40105, data: {} } });
    sim.configure({ rateLimit: { qps: 1, qpm: 600 } });
    const first = await send(sim, 'user/info/');
    const second = await send(sim, 'user/info/');
    expect(first.body.code).toBe(0);
    expect(second).toMatchObject({ status: 200, body: { code: 40100, data: {} } });
  });
});
