/**
 * Customer-file audiences (tiktok-api.md §3): file/upload, create and update (APPEND / REMOVE / REPLACE), with
 * the per-audience daily cap of audience-modifying calls.
 */
import { createHash } from 'node:crypto';
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import { canonicalType, CREATE_TYPES, parseFileRows, UPLOAD_TYPES } from './file-rows';
import { randomHex } from './prng';
import { checkName, fail, SimApiError, str, utcDay, type SimRequest } from './request';
import { AUDIENCE_SUB_TYPES, MemberSet, NOT_EDITABLE_MESSAGE, type AudienceSubType, type SimStore, type UploadedFile } from './store';

/** TikTok's refusal of a REPLACE while an earlier one is unfinished, as Census quotes it. */
export const REPLACE_UNFINISHED_MESSAGE =
  'This replace operation is rejected as there is an existing unfinished replace operation for this audience. Please wait until the current operation completes on this audience before re trying. Recommend no more than one replace operation per day.';

export function fileUpload(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const field = (name: string): string | null => {
    const p = req.parts.find((x) => x.name === name && x.filename === null);
    return p ? p.data.toString('utf8') : null;
  };
  const advertiserId = field('advertiser_id');
  store.requireAdvertiser(t, advertiserId);
  const calculateType = field('calculate_type');
  if (!calculateType) fail(40000, 'calculate_type is required.');
  if (!UPLOAD_TYPES.includes(calculateType as string)) fail(40909, `calculate_type "${calculateType}" is not supported.`);
  if (req.bodyTooLarge) fail(40907, `The file is larger than ${store.settings.maxFileBytes} bytes.`);
  const file = req.parts.find((x) => x.name === 'file' && x.filename !== null);
  if (!file) fail(40000, 'file is required.');
  const f = file as SimRequest['parts'][number];
  if (!/\.(csv|txt)$/.test(f.filename ?? '')) fail(40908, 'Only supports CSV and TXT files. The file suffixes should exactly be .csv or .txt.');
  if (f.data.length === 0) fail(40906, 'The file is empty.');
  if (f.data.length > store.settings.maxFileBytes) fail(40907, `The file is larger than ${store.settings.maxFileBytes} bytes.`);
  const signature = field('file_signature');
  if (!signature) fail(40000, 'file_signature is required.');
  if (createHash('md5').update(f.data).digest('hex') !== signature) fail(40900, 'file_signature does not match the MD5 of the file.');
  const rows = parseFileRows(f.data, calculateType as string);
  // Expired files keep their entry (so later use answers 40910, as TikTok) but release their rows.
  for (const old of store.files.values()) if (old.rows.length > 0 && store.now() - old.uploadedAt > store.settings.fileTtlMs) old.rows = [];
  const filePath = randomHex(store.random, 16);
  store.files.set(filePath, { filePath, advertiserId: advertiserId as string, calculateType: calculateType as string, rows, uploadedAt: store.now() });
  return { file_path: filePath };
}

export function createAudience(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const name = req.json.custom_audience_name;
  checkName(name);
  const calculateType = str(req.json.calculate_type);
  if (!calculateType || !CREATE_TYPES.includes(calculateType)) fail(40002, `calculate_type "${calculateType ?? ''}" is not valid for create.`);
  const retention = req.json.retention_in_days;
  if (retention !== undefined && (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 1 || retention > 365)) fail(40002, 'retention_in_days must be an integer from 1 to 365.');
  // The create yml marks both nullable: false, the sub type's enum strict and audience_enhancement a boolean.
  const subType = req.json.audience_sub_type;
  if (subType !== undefined && !(AUDIENCE_SUB_TYPES as readonly unknown[]).includes(subType)) fail(40002, `audience_sub_type "${String(subType)}" is not valid: use ${AUDIENCE_SUB_TYPES.join(' or ')}.`);
  const enhancement = req.json.audience_enhancement;
  if (enhancement !== undefined && typeof enhancement !== 'boolean') fail(40002, 'audience_enhancement must be true or false.');
  const files = useFiles(store, req.json.file_paths, advertiserId, calculateType as string, true);
  const members = new MemberSet();
  for (const f of files) for (const r of f.rows) members.add(r);
  const { audienceId } = store.addAudience({
    advertiserId,
    name: name as string,
    kind: 'file',
    calculateType: calculateType as string,
    members,
    retentionInDays: (retention as number | undefined) ?? null,
    subType: (subType as AudienceSubType | undefined) ?? 'NORMAL',
    enhancement: (enhancement as boolean | undefined) ?? false,
  });
  countCall(store, audienceId);
  const key = store.settings.createIdKey;
  return key === 'both' ? { custom_audience_id: audienceId, audience_id: audienceId } : { [key]: audienceId };
}

export function updateAudience(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const a = store.requireAudience(advertiserId, str(req.json.custom_audience_id), 'file');
  const hasName = req.json.custom_audience_name !== undefined;
  const hasFiles = req.json.file_paths !== undefined;
  if (!hasName && !hasFiles) fail(40000, 'custom_audience_name or file_paths is required.');
  if (hasName) checkName(req.json.custom_audience_name);
  // §3.3: the default action is REPLACE (the trap the client avoids by always sending one).
  const action = req.json.action === undefined ? 'REPLACE' : str(req.json.action);
  if (!action || !['APPEND', 'REMOVE', 'REPLACE'].includes(action)) fail(40002, `action "${String(req.json.action)}" is not valid: use APPEND, REMOVE or REPLACE.`);
  if (store.isExpired(a)) fail(40002, 'The audience has expired and can only be deleted.');
  if (!hasFiles) {
    a.name = req.json.custom_audience_name as string;
    a.history.push({ at: store.now(), action: 'rename', detail: '', msg: null });
    return {};
  }
  // A refusal of the request's own files (expired or unknown file_path, too many) is given before the audience is
  // looked at: not counted, as the app's ledger (errors.ts, refusalCountsAgainstAudience).
  const files = useFiles(store, req.json.file_paths, advertiserId, a.calculateType, false);
  try {
    const now = store.now();
    if (action === 'REPLACE' && a.replaceUntil !== undefined && now < a.replaceUntil) fail(40002, REPLACE_UNFINISHED_MESSAGE);
    // TikTok gives the same words while processing and once the audience is unavailable (under 1,000 matched).
    if (now < a.processingUntil) fail(40002, NOT_EDITABLE_MESSAGE);
    if (store.settings.unavailableBelowFloor && store.view(a).coverNum < AUDIENCE_FLOOR) fail(40002, NOT_EDITABLE_MESSAGE);
    checkDailyCap(store, a.audienceId);
    // Compute the resulting size first (the floor), then change the set in place: audiences reach millions.
    const rowCount = files.reduce((n, f) => n + f.rows.length, 0);
    let delta: Set<string>;
    let nextSize: number;
    if (action === 'APPEND') {
      delta = new Set();
      for (const f of files) for (const r of f.rows) if (!a.members.has(r)) delta.add(r);
      nextSize = a.members.size + delta.size;
    } else if (action === 'REMOVE') {
      delta = new Set();
      for (const f of files) for (const r of f.rows) if (a.members.has(r)) delta.add(r);
      nextSize = a.members.size - delta.size;
    } else {
      delta = new MemberSet();
      for (const f of files) for (const r of f.rows) delta.add(r);
      nextSize = delta.size;
    }
    if (nextSize < AUDIENCE_FLOOR) fail(40002, `The audience size would be less than ${AUDIENCE_FLOOR} after this operation (${nextSize}).`);
    a.coverBefore = store.view(a).coverNum;
    if (action === 'APPEND') for (const r of delta) a.members.add(r);
    else if (action === 'REMOVE') for (const r of delta) a.members.delete(r);
    else a.members = delta;
    a.lastModifiedAt = now;
    a.processingUntil = now + store.settings.processingDelayMs;
    if (action === 'REPLACE') a.replaceUntil = now + (store.settings.replaceUnfinishedMs ?? store.settings.processingDelayMs);
    if (hasName) a.name = req.json.custom_audience_name as string;
    a.history.push({ at: now, action: (action as string).toLowerCase(), detail: String(rowCount), msg: null });
    countCall(store, a.audienceId);
    return {};
  } catch (err) {
    // A refusal about the audience itself (processing, not editable, an unfinished REPLACE, the floor) counts; the cap's
    // own 40100 is the counter saying no, not a call it counted.
    if (err instanceof SimApiError && store.settings.capCountsRefusedCalls && err.code !== 40100) countCall(store, a.audienceId);
    throw err;
  }
}

/** Validates file_paths for create/update: 1–500, known, same advertiser, not expired, same calculate_type. */
function useFiles(store: SimStore, raw: unknown, advertiserId: string, calculateType: string, creating: boolean): UploadedFile[] {
  if (!Array.isArray(raw) || raw.length === 0) fail(40002, 'file_paths must have 1 to 500 items.');
  // Documented choice: more than 500 answers 40011 (ID_LIMIT_EXCEED), which tells the client to split.
  if ((raw as unknown[]).length > 500) fail(40011, `file_paths has ${(raw as unknown[]).length} items; at most 500 are allowed.`);
  const now = store.now();
  return (raw as unknown[]).map((p) => {
    const f = store.files.get(str(p) ?? '');
    if (!f || f.advertiserId !== advertiserId) fail(40905, `file_path ${String(p)} does not exist for this advertiser.`);
    const file = f as UploadedFile;
    if (now - file.uploadedAt > store.settings.fileTtlMs) fail(40910, `file_path ${file.filePath} has expired; upload the file again.`);
    if (canonicalType(file.calculateType) !== canonicalType(calculateType)) {
      fail(40909, creating ? `The file ${file.filePath} was uploaded as ${file.calculateType}, not ${calculateType}.` : `The file ${file.filePath} is ${file.calculateType} but the audience is ${calculateType}.`);
    }
    return file;
  });
}

/** Audience-modifying calls counted for an audience on a UTC day (default: today). */
export function callsOn(store: SimStore, audienceId: string, day = utcDay(store.now())): number {
  return store.dailyCalls.get(`${audienceId}|${day}`) ?? 0;
}

function checkDailyCap(store: SimStore, audienceId: string): void {
  const cap = store.settings.dailyAudienceCallCap;
  // Documented choice for the cap's error: 40100 (REQUEST_TOO_FREQUENT) with a message naming the audience,
  // so clients classify it as "wait until the next UTC day" for this audience only (errors.ts).
  if (cap !== null && callsOn(store, audienceId) >= cap) fail(40100, `Audience update frequency limit reached: at most ${cap} calls per audience per day.`);
}

function countCall(store: SimStore, audienceId: string): void {
  const key = `${audienceId}|${utcDay(store.now())}`;
  store.dailyCalls.set(key, (store.dailyCalls.get(key) ?? 0) + 1);
}
