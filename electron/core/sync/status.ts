import { AUDIENCE_FLOOR } from '../../../shared/domain';
import type { Store } from '../store';
import type { AudienceApi, RemoteAudience } from './audience-api';

export type AudienceState = 'never_synced' | 'processing' | 'available' | 'unavailable' | 'expiring' | 'expired' | 'needs_reconnect' | 'error';

export interface StatusRecord {
  audienceId: number;
  checkedAt: string;
  coverNum: number | null;
  isValid: boolean | null;
  isExpiring: boolean | null;
  expiredTime: string | null;
  localSize: number;
  state: AudienceState;
  message: string | null;
}

const PERMANENT_ERRORS = new Set(['AUDIENCE_NOT_FOUND', 'KEY_TYPE_LOCKED', 'TIKTOK_REJECTED', 'PERMISSION_DENIED', 'AUDIENCE_TOO_SMALL', 'CSV_INVALID', 'FILE_NOT_FOUND', 'NOT_ALLOWLISTED']);

/**
 * The one state badge an audience shows. TikTok has no "processing" flag: an invalid audience we
 * hold at least 1,000 people for is read as processing (TikTok takes 24–48 h), one under 1,000 as
 * unavailable.
 */
export function deriveState(input: {
  tiktokAudienceId: string | null;
  connectionNeedsReconnect: boolean;
  remote: RemoteAudience | null | undefined;
  localSize: number;
  lastRunError: string | null;
  now: Date;
}): AudienceState {
  if (input.connectionNeedsReconnect) return 'needs_reconnect';
  if (input.lastRunError && PERMANENT_ERRORS.has(input.lastRunError)) return 'error';
  if (!input.tiktokAudienceId) return 'never_synced';
  const r = input.remote;
  if (r === null) return 'error';
  if (r === undefined) return input.localSize < AUDIENCE_FLOOR ? 'unavailable' : 'processing';
  if (r.expiredTime && Date.parse(r.expiredTime.replace(' ', 'T') + 'Z') <= input.now.getTime()) return 'expired';
  if (r.isExpiring) return 'expiring';
  if (!r.isValid) {
    if (r.errorMsg) return 'error';
    return input.localSize < AUDIENCE_FLOOR ? 'unavailable' : 'processing';
  }
  return r.coverNum < AUDIENCE_FLOOR ? 'unavailable' : 'available';
}

/** Asks TikTok for the audience's size and state, stores it in the status history, and returns it. */
export async function refreshStatus(store: Store, api: AudienceApi, audienceId: number, now = new Date()): Promise<StatusRecord> {
  const a = store.audiences.require(audienceId);
  const localSize = store.snapshots.meta(audienceId)?.entryCount ?? 0;
  const remote = a.tiktokAudienceId ? await api.get(a.tiktokAudienceId) : undefined;
  const conn = a.connectionId ? store.connections.get(a.connectionId) : undefined;
  const lastRun = store.runs.list({ audienceId, limit: 1 })[0];
  const state = deriveState({
    tiktokAudienceId: a.tiktokAudienceId,
    connectionNeedsReconnect: conn?.status === 'needs_reconnect',
    remote,
    localSize,
    lastRunError: lastRun?.status === 'failed' ? lastRun.errorCode : null,
    now,
  });
  const rec: StatusRecord = {
    audienceId,
    checkedAt: now.toISOString(),
    coverNum: remote?.coverNum ?? null,
    isValid: remote ? remote.isValid : null,
    isExpiring: remote ? remote.isExpiring : null,
    expiredTime: remote?.expiredTime ?? null,
    localSize,
    state,
    message: remote === null ? 'TikTok no longer has this audience: it was deleted or expired. Create a new audience for this cohort.' : (remote?.errorMsg ?? null),
  };
  store.db
    .prepare('INSERT INTO audience_status (audience_id, checked_at, cover_num, is_valid, is_expiring, expired_time, local_size, state, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(audienceId, rec.checkedAt, rec.coverNum, rec.isValid === null ? null : Number(rec.isValid), rec.isExpiring === null ? null : Number(rec.isExpiring), rec.expiredTime, localSize, state, rec.message);
  return rec;
}

/** The status history, oldest first (the sent-vs-matched chart). */
export function statusHistory(store: Store, audienceId: number, limit = 500): StatusRecord[] {
  const rows = store.db
    .prepare('SELECT * FROM (SELECT * FROM audience_status WHERE audience_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id')
    .all(audienceId, limit) as { audience_id: number; checked_at: string; cover_num: number | null; is_valid: number | null; is_expiring: number | null; expired_time: string | null; local_size: number; state: AudienceState; message: string | null }[];
  return rows.map((r) => ({
    audienceId: r.audience_id,
    checkedAt: r.checked_at,
    coverNum: r.cover_num,
    isValid: r.is_valid === null ? null : r.is_valid === 1,
    isExpiring: r.is_expiring === null ? null : r.is_expiring === 1,
    expiredTime: r.expired_time,
    localSize: r.local_size,
    state: r.state,
    message: r.message,
  }));
}
