/** Partner audiences (tiktok-api.md §4): segment/audience (create, delete) and segment/mapping (add, delete ids). */
import { fail, MD5, SHA256, str, type SimRequest } from './request';
import type { Audience, SimStore } from './store';

/** id_schema values of segment/mapping and the hash each takes. */
const SEGMENT_SCHEMAS: Record<string, RegExp> = { EMAIL_SHA256: SHA256, PHONE_SHA256: SHA256, IDFA_SHA256: SHA256, IDFA_MD5: MD5, AAID_SHA256: SHA256, AAID_MD5: MD5 };

export function segmentAudience(store: SimStore, req: SimRequest): unknown {
  if (!store.settings.segmentAllowlisted) fail(40118, 'The app is not in the whitelist of this feature (partner audiences).');
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const action = req.json.action === undefined ? 'create' : str(req.json.action);
  if (action === 'delete') {
    const a = store.requireAudience(advertiserId, str(req.json.delete_audience_id), 'partner');
    store.audiences.delete(a.audienceId);
    return {};
  }
  if (action !== 'create') fail(40002, `action "${String(req.json.action)}" is not valid: use create or delete.`);
  const raw = req.json.custom_audience_name;
  if (typeof raw !== 'string' || raw.length === 0) fail(40002, 'custom_audience_name is required.');
  const name = (raw as string).length > 70 ? `${(raw as string).slice(0, 67)}...` : (raw as string);
  const { audienceId } = store.addAudience({ advertiserId, name, kind: 'partner', calculateType: 'MULTIPLE_TYPES' });
  return { audience_id: audienceId };
}

export function segmentMapping(store: SimStore, req: SimRequest): unknown {
  if (!store.settings.segmentAllowlisted) fail(40118, 'The app is not in the whitelist of this feature (partner audiences).');
  const t = store.requireToken(req);
  const advertiserIds = req.json.advertiser_ids;
  if (!Array.isArray(advertiserIds) || advertiserIds.length === 0) fail(40000, 'advertiser_ids is required.');
  for (const id of advertiserIds as unknown[]) store.requireAdvertiser(t, str(id));
  const action = req.json.action === undefined ? 'add' : str(req.json.action);
  if (action !== 'add' && action !== 'delete') fail(40002, `action "${String(req.json.action)}" is not valid: use add or delete.`);
  const schemaRaw = req.json.id_schema;
  if (!Array.isArray(schemaRaw) || schemaRaw.length === 0) fail(40002, 'id_schema is required.');
  const schema = (schemaRaw as unknown[]).map((s) => String(s).toUpperCase());
  for (const s of schema) {
    if (s.startsWith('GAID_')) fail(40002, `id_schema "${s}" is not valid: use ${s.replace('GAID_', 'AAID_')} for Android advertising ids.`);
    if (!SEGMENT_SCHEMAS[s]) fail(40002, `id_schema "${s}" is not valid.`);
  }
  if (new Set(schema).size !== schema.length) fail(40002, 'id_schema has duplicates.');
  const batch = req.json.batch_data;
  if (!Array.isArray(batch) || batch.length === 0) fail(40002, 'batch_data is required.');
  if ((batch as unknown[]).length > store.settings.segmentMaxBatchSize) fail(40061, `batch_data has ${(batch as unknown[]).length} rows; at most ${store.settings.segmentMaxBatchSize} are allowed.`);
  const ops: { key: string; audience: Audience }[] = [];
  const rows: string[][] = [];
  (batch as unknown[]).forEach((row, r) => {
    const keys: string[] = [];
    rows.push(keys);
    if (!Array.isArray(row) || row.length !== schema.length) fail(40002, `batch_data row ${r + 1} must have ${schema.length} elements (one per id_schema entry; {} when missing).`);
    (row as unknown[]).forEach((el, i) => {
      if (!el || typeof el !== 'object' || Array.isArray(el)) fail(40002, `batch_data row ${r + 1} element ${i + 1} must be an object.`);
      const item = el as { id?: unknown; audience_ids?: unknown };
      if (Object.keys(item).length === 0) return; // {} placeholder
      const s = schema[i] as string;
      if (typeof item.id !== 'string') fail(40002, `batch_data row ${r + 1} element ${i + 1} has no id.`);
      const id = item.id as string;
      if (!(SEGMENT_SCHEMAS[s] as RegExp).test(id)) {
        if (/^[0-9a-fA-F]+$/.test(id)) fail(40002, `batch_data row ${r + 1} element ${i + 1} is not a lowercase ${s} hash.`);
        fail(40062, `batch_data row ${r + 1} element ${i + 1} is not hashed (${s}).`);
      }
      const ids = item.audience_ids;
      if (!Array.isArray(ids) || ids.length === 0) fail(40002, `batch_data row ${r + 1} element ${i + 1} has no audience_ids.`);
      for (const aid of ids as unknown[]) {
        const a = store.audiences.get(str(aid) ?? '');
        if (!a || a.kind !== 'partner' || !(advertiserIds as unknown[]).includes(a.advertiserId)) fail(40002, `Parameter error: invalid audience ID ${String(aid)}.`);
        // A fresh partner audience is unknown to the mapping service for a while (Segment saw HTTP 400 + 40002).
        if (store.now() < (a as Audience).createdAt + store.settings.partnerReadyDelayMs) fail(40002, 'Parameter error: invalid audience ID', store.settings.partnerNotReadyHttpStatus);
        ops.push({ key: `${s}:${id}`, audience: a as Audience });
      }
      keys.push(`${s}:${id}`);
    });
  });
  // One row is one person: TikTok counts them once, however many of their identifiers it was sent.
  if (action === 'add') for (const keys of rows) store.people.link(keys);
  const now = store.now();
  const touched = new Set<Audience>();
  for (const op of ops) {
    if (action === 'add') op.audience.members.add(op.key);
    else op.audience.members.delete(op.key);
    touched.add(op.audience);
  }
  for (const a of touched) {
    a.lastModifiedAt = now;
    a.history.push({ at: now, action: action as string, detail: String(ops.filter((o) => o.audience === a).length), msg: null });
  }
  return {};
}
