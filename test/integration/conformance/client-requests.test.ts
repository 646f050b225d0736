/**
 * Our TikTok client's requests, recorded on 127.0.0.1, compared with what public peers send and TikTok's SDK
 * spec files declare (project issue #10, §3): paths with the trailing slash, the Access-Token header, JSON
 * field names and types (ids as strings), GET arrays as JSON strings, and the multipart upload fields.
 * Sources: segmentio/action-destinations @ 970a17e (tiktok-audiences), rudderlabs/rudder-transformer @ c98d160
 * (tiktok_audience router tests), tiktok/tiktok-business-api-sdk @ f809c39 (yml_files), tiktok-api.md.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TikTokClient } from '../../../electron/core/tiktok/client';
import type { SegmentIdSchema, SegmentMappingRow } from '../../../electron/core/tiktok/types';
import { tmpDir } from '../../helpers/tmp';
import { API, digests, md5 } from './helpers';
import { fixtures, formOf, jsonOf, ok, startRecorder, type Recorded, type Recorder } from './recorder';

const seg = fixtures.segment;
const rud = fixtures.rudderstack;
const sdk = fixtures.sdk;
const TOKEN = 'dummyAccessToken';
const ADV = '7000000000000000001';
const FILE_PATH = 'a1b2c3d4e5f60718';

let rec: Recorder;
let client: TikTokClient;

/** Plausible answers per endpoint, so every client method completes. */
function stand(r: Recorded): ReturnType<typeof ok> {
  switch (r.endpoint) {
    case 'dmp/custom_audience/file/upload/':
      return ok({ file_path: FILE_PATH });
    case 'dmp/custom_audience/create/':
      return ok({ custom_audience_id: '7300000000000007919' });
    case 'dmp/custom_audience/list/':
      return ok({ page_info: { page: Number(r.query.get('page')), page_size: 100, total_number: 0, total_page: 1 }, list: [] });
    case 'dmp/custom_audience/get/':
    case 'advertiser/info/':
      return ok({ list: [] });
    case 'segment/audience/':
      return ok(jsonOf(r).action === 'create' ? { audience_id: seg.createAudience.response.data.audience_id } : {});
    default:
      return ok({});
  }
}

beforeEach(async () => {
  rec = await startRecorder(stand);
  client = new TikTokClient({ base: rec.url, accessToken: TOKEN, limiter: null, sleep: async () => {}, random: () => 0.5 });
});
afterEach(async () => {
  await rec.close();
});

/** Calls every audience-related client method once. */
async function callEverything(): Promise<void> {
  await client.userInfo();
  await client.advertiserInfo(['1234567890']);
  await client.fileUpload({ advertiserId: ADV, calculateType: 'EMAIL_SHA256', file: Buffer.from(`${digests(2, 'x').join('\n')}\n`) });
  await client.createAudience({ advertiserId: ADV, name: 'Buyers', calculateType: 'EMAIL_SHA256', filePaths: [FILE_PATH] });
  await client.updateAudience({ advertiserId: ADV, audienceId: '7300000000000007919', action: 'APPEND', filePaths: [FILE_PATH] });
  await client.listAudiences(ADV);
  await client.getAudiences(ADV, ['7300000000000007919']);
  await client.deleteAudiences(ADV, ['7300000000000007919']);
  await client.segmentAudienceCreate({ advertiserId: ADV, name: 'Partner' });
  await client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256'], batchData: [[{ id: digests(1, 'y')[0]!, audienceIds: ['888888888'] }]] });
  await client.segmentAudienceDelete({ advertiserId: ADV, audienceId: '888888888' });
}

/** Every string leaf of a JSON value, with its path; used to check that ids never travel as numbers. */
function idLeaves(v: unknown, at = '$'): { at: string; value: unknown }[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => idLeaves(x, `${at}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => (/(^|_)ids?$/.test(k) ? (Array.isArray(x) ? x.map((y, i) => ({ at: `${at}.${k}[${i}]`, value: y })) : [{ at: `${at}.${k}`, value: x }]) : idLeaves(x, `${at}.${k}`)));
  return [];
}

describe('transport (tiktok-api.md §1; Segment extendRequest; RudderStack headers)', () => {
  it('sends every call to /open_api/v1.3/<endpoint>/ with the trailing slash, the Access-Token header, and no token in the URL', async () => {
    await callEverything();
    const expected = [
      'user/info/',
      'advertiser/info/',
      sdk.fileUpload.path,
      sdk.create.path,
      sdk.update.path,
      sdk.list.path,
      sdk.get.path,
      sdk.delete.path,
      seg.createAudience.path,
      seg.syncAudience.path,
      seg.createAudience.path,
    ];
    expect(rec.requests.map((r) => r.endpoint)).toEqual(expected);
    for (const r of rec.requests) {
      expect(r.path.startsWith(API)).toBe(true);
      expect(r.path.endsWith('/')).toBe(true);
      expect(r.headers['access-token']).toBe(TOKEN);
      expect(r.headers.authorization).toBeUndefined();
      expect(r.rawQuery).not.toContain(TOKEN);
    }
  });

  it('reads with GET and changes with POST; JSON bodies go as application/json, the upload as multipart/form-data', async () => {
    await callEverything();
    const gets = new Set(['user/info/', 'advertiser/info/', sdk.list.path, sdk.get.path]);
    for (const r of rec.requests) {
      expect({ endpoint: r.endpoint, method: r.method }).toEqual({ endpoint: r.endpoint, method: gets.has(r.endpoint) ? 'GET' : 'POST' });
      if (r.method === 'GET') {
        expect(r.body.length).toBe(0);
      } else if (r.endpoint === sdk.fileUpload.path) {
        expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      } else {
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(() => jsonOf(r)).not.toThrow();
      }
    }
  });

  it('sends every id in a JSON body as a string, never a number (TikTok converts them with int64(%s))', async () => {
    await callEverything();
    const leaves = rec.requests.filter((r) => r.method === 'POST' && r.endpoint !== sdk.fileUpload.path).flatMap((r) => idLeaves(jsonOf(r)).map((l) => ({ ...l, endpoint: r.endpoint })));
    expect(leaves.length).toBeGreaterThan(8);
    for (const l of leaves) expect({ ...l, type: typeof l.value }).toEqual({ ...l, type: 'string' });
  });
});

describe("customer-file API against the SDK's yml_files", () => {
  it('uploads multipart with exactly advertiser_id, calculate_type, file_signature (lowercase MD5 of the bytes) and a .csv file', async () => {
    const bytes = Buffer.from(`${digests(3, 'up').join('\n')}\n`);
    for (const calculateType of sdk.fileUpload.calculateTypes) {
      await client.fileUpload({ advertiserId: ADV, calculateType: calculateType as never, file: bytes });
    }
    const { dir, cleanup } = tmpDir();
    try {
      const onDisk = path.join(dir, 'cohort-upload.csv');
      writeFileSync(onDisk, bytes);
      await client.fileUpload({ advertiserId: ADV, calculateType: 'EMAIL_SHA256', file: onDisk });
    } finally {
      cleanup();
    }
    const uploads = rec.to(sdk.fileUpload.path);
    expect(uploads).toHaveLength(sdk.fileUpload.calculateTypes.length + 1);
    for (const [i, r] of uploads.entries()) {
      const form = await formOf(r);
      expect([...new Set(form.keys())].sort()).toEqual([...sdk.fileUpload.required].sort());
      expect(form.get('advertiser_id')).toBe(ADV);
      expect(form.get('calculate_type')).toBe(i < sdk.fileUpload.calculateTypes.length ? sdk.fileUpload.calculateTypes[i] : 'EMAIL_SHA256');
      expect(form.get('file_signature')).toBe(md5(bytes));
      expect(form.get('file_signature')).toMatch(/^[0-9a-f]{32}$/);
      const file = form.get('file') as File;
      expect(sdk.fileUpload.fileSuffixes.some((s) => file.name.endsWith(s))).toBe(true);
      expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
    }
  });

  it("create: the yml's required fields, file_paths an array of strings, retention_in_days an integer, nothing outside the spec", async () => {
    await client.createAudience({ advertiserId: ADV, name: 'Buyers', calculateType: 'EMAIL_SHA256', filePaths: [FILE_PATH, 'b1b2c3d4e5f60718'] });
    await client.createAudience({ advertiserId: ADV, name: 'Buyers 30 days', calculateType: 'MULTIPLE_TYPES', filePaths: [FILE_PATH], retentionInDays: 30 });
    const [plain, retained] = rec.to(sdk.create.path).map(jsonOf);
    for (const body of [plain!, retained!]) {
      expect(sdk.create.properties).toEqual(expect.arrayContaining(Object.keys(body)));
      expect(Object.keys(body)).toEqual(expect.arrayContaining(sdk.create.required));
      expect(sdk.create.calculateTypes).toContain(body.calculate_type);
    }
    expect(plain).toEqual({ advertiser_id: ADV, custom_audience_name: 'Buyers', calculate_type: 'EMAIL_SHA256', file_paths: [FILE_PATH, 'b1b2c3d4e5f60718'] });
    expect(retained!.retention_in_days).toBe(30);
  });

  it('update: the action is always sent and in the enum (never the REPLACE default by omission); a rename sends no file_paths', async () => {
    for (const action of sdk.update.actions as ('APPEND' | 'REMOVE' | 'REPLACE')[]) {
      await client.updateAudience({ advertiserId: ADV, audienceId: '7300000000000007919', action, filePaths: [FILE_PATH] });
    }
    await client.updateAudience({ advertiserId: ADV, audienceId: '7300000000000007919', action: 'APPEND', name: 'Renamed' });
    const bodies = rec.to(sdk.update.path).map(jsonOf);
    for (const [i, body] of bodies.entries()) {
      expect(sdk.update.properties).toEqual(expect.arrayContaining(Object.keys(body)));
      expect(Object.keys(body)).toEqual(expect.arrayContaining(sdk.update.required));
      expect(body.action).toBe(i < 3 ? sdk.update.actions[i] : 'APPEND');
    }
    expect(bodies.slice(0, 3).map((b) => b.file_paths)).toEqual([[FILE_PATH], [FILE_PATH], [FILE_PATH]]);
    expect(bodies[3]).toEqual({ advertiser_id: ADV, custom_audience_id: '7300000000000007919', action: 'APPEND', custom_audience_name: 'Renamed' });
  });

  it('delete: {advertiser_id, custom_audience_ids} with at most 100 ids a request', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(7_300_000_000_000_000_000n + BigInt(i)));
    await client.deleteAudiences(ADV, ids);
    const bodies = rec.to(sdk.delete.path).map(jsonOf);
    expect(bodies).toEqual([
      { advertiser_id: ADV, custom_audience_ids: ids.slice(0, 100) },
      { advertiser_id: ADV, custom_audience_ids: ids.slice(100) },
    ]);
  });

  it("list: exactly Segment's fetchAudiences query (advertiser_id, page, page_size=100), paging to total_page", async () => {
    const fx = seg.fetchAudiences;
    rec.respond((r) => ok({ page_info: { page: Number(r.query.get('page')), page_size: 100, total_number: 5, total_page: 3 }, list: [] }));
    await client.listAudiences(fx.query.advertiser_id);
    const queries = rec.to(sdk.list.path).map((r) => Object.fromEntries(r.query));
    expect(queries).toEqual([1, 2, 3].map((page) => ({ ...fx.query, page: String(page) })));
  });

  it('list and get: custom_audience_ids as a JSON string, as URLSearchParams encodes it (Segment getAudience), 100 ids a request', async () => {
    const fx = seg.getAudience;
    await client.getAudiences(fx.advertiserId, [fx.audienceId]);
    const get = rec.to(sdk.get.path)[0]!;
    expect(Object.fromEntries(get.query)).toEqual({ advertiser_id: fx.advertiserId, custom_audience_ids: JSON.stringify([fx.audienceId]) });
    expect(get.rawQuery).toBe(new URLSearchParams({ advertiser_id: fx.advertiserId, custom_audience_ids: JSON.stringify([fx.audienceId]) }).toString());
    await client.getAudiences(fx.advertiserId, [fx.audienceId], { historySize: sdk.get.historySize.max });
    expect(rec.to(sdk.get.path)[1]!.query.get('history_size')).toBe(String(sdk.get.historySize.max));
    const many = Array.from({ length: 130 }, (_, i) => String(1000 + i));
    await client.listAudiences(ADV, { ids: many });
    const lists = rec.to(sdk.list.path);
    expect(lists.map((r) => JSON.parse(r.query.get('custom_audience_ids')!) as string[])).toEqual([many.slice(0, 100), many.slice(100)]);
  });

  it("advertiser/info: exactly Segment's fetchAdvertisers query (advertiser_ids as a JSON string)", async () => {
    const fx = seg.fetchAdvertisers;
    await client.advertiserInfo(fx.advertiserIds);
    const r = rec.to(fx.path)[0]!;
    expect(r.rawQuery).toBe(new URLSearchParams({ advertiser_ids: JSON.stringify(fx.advertiserIds) }).toString());
  });
});

describe('segment ("streaming") API against Segment and RudderStack', () => {
  it("segment/audience/: exactly Segment's create body; delete as {advertiser_id, action: delete, delete_audience_id}", async () => {
    const fx = seg.createAudience;
    const created = await client.segmentAudienceCreate({ advertiserId: fx.request.advertiser_id, name: fx.request.custom_audience_name });
    expect(created.audienceId).toBe(fx.response.data.audience_id);
    await client.segmentAudienceDelete({ advertiserId: fx.request.advertiser_id, audienceId: created.audienceId });
    const [create, del] = rec.to(fx.path).map(jsonOf);
    expect(create).toEqual(fx.request);
    expect(del).toEqual({ advertiser_id: fx.request.advertiser_id, action: 'delete', delete_audience_id: fx.response.data.audience_id });
  });

  it("segment/mapping/: exactly Segment's syncAudience bodies for an add and a delete", async () => {
    const fx = seg.syncAudience;
    const row: SegmentMappingRow = [fx.hashes.email, fx.hashes.phone, fx.hashes.advertisingId].map((id) => ({ id, audienceIds: [fx.audienceId] }));
    for (const action of ['add', 'delete'] as const) {
      await client.segmentMapping({ advertiserIds: [fx.advertiserId], action, idSchema: fx.idSchema as SegmentIdSchema[], batchData: [row] });
    }
    const bodies = rec.to(fx.path).map(jsonOf);
    const expected = (action: string) => ({
      advertiser_ids: [fx.advertiserId],
      action,
      id_schema: fx.idSchema,
      batch_data: [[fx.hashes.email, fx.hashes.phone, fx.hashes.advertisingId].map((id) => ({ id, audience_ids: [fx.audienceId] }))],
    });
    expect(bodies).toEqual([expected('add'), expected('delete')]);
  });

  it("segment/mapping/: exactly the legacy addUser body (addUser/__tests__/index.test.ts)", async () => {
    const fx = seg.addUserLegacy.request;
    const batchData: SegmentMappingRow[] = fx.batch_data.map((row) => row.map((el) => ({ id: el.id, audienceIds: el.audience_ids })));
    await client.segmentMapping({ advertiserIds: fx.advertiser_ids, action: fx.action as 'add', idSchema: fx.id_schema as SegmentIdSchema[], batchData });
    expect(jsonOf(rec.to('segment/mapping/')[0]!)).toEqual(fx);
  });

  for (const c of rud.router.cases) {
    it(`segment/mapping/: the bodies of RudderStack's "${c.case}", rebuilt through our client, are identical`, async () => {
      for (const req of c.requests) {
        const body = req.json as { advertiser_ids: string[]; action: 'add' | 'delete'; id_schema: SegmentIdSchema[]; batch_data: ({ id?: string; audience_ids?: string[] })[][] };
        const batchData: SegmentMappingRow[] = body.batch_data.map((row) => row.map((el) => (el.id ? { id: el.id, audienceIds: el.audience_ids ?? [] } : null)));
        await client.segmentMapping({ advertiserIds: body.advertiser_ids, action: body.action, idSchema: body.id_schema, batchData });
      }
      const sent = rec.to('segment/mapping/');
      expect(sent.map(jsonOf)).toEqual(c.requests.map((r) => r.json));
      for (const r of sent) expect(r.headers['content-type']).toMatch(/^application\/json/);
    });
  }

  it('segment/mapping/: a missing id keeps its position as the {} placeholder (Segment extractUsers, RudderStack transform.ts)', async () => {
    const fx = seg.syncAudience;
    await client.segmentMapping({
      advertiserIds: [fx.advertiserId],
      action: 'add',
      idSchema: fx.idSchema as SegmentIdSchema[],
      batchData: [
        [{ id: fx.hashes.email, audienceIds: [fx.audienceId] }, null, { id: fx.hashes.advertisingId, audienceIds: [fx.audienceId] }],
        [null, { id: fx.hashes.phone, audienceIds: [fx.audienceId] }, null],
      ],
    });
    expect(jsonOf(rec.to('segment/mapping/')[0]!).batch_data).toEqual([
      [{ id: fx.hashes.email, audience_ids: [fx.audienceId] }, {}, { id: fx.hashes.advertisingId, audience_ids: [fx.audienceId] }],
      [{}, { id: fx.hashes.phone, audience_ids: [fx.audienceId] }, {}],
    ]);
  });
});
