import { countText } from '../../../shared/count-text';
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import type { Store } from '../store';
import type { AudienceApi, RemoteAudience } from './audience-api';
import { advertiserUnreachable, markUnavailable, unavailableMark, unavailableMessage } from './marks';

import type { AudienceState, StatusRecord } from '../store/status-repo';

export type { AudienceState, StatusRecord } from '../store/status-repo';

const PERMANENT_ERRORS = new Set(['AUDIENCE_NOT_FOUND', 'KEY_TYPE_LOCKED', 'TIKTOK_REJECTED', 'PERMISSION_DENIED', 'AUDIENCE_TOO_SMALL', 'CSV_INVALID', 'FILE_NOT_FOUND', 'NOT_ALLOWLISTED']);

/**
 * How long after its last change an audience TikTok reports with no matched users may still be processing
 * (TikTok: sizes update within 24–48 h). Past it, an empty, invalid audience is unavailable.
 */
export const PROCESSING_WINDOW_MS = 48 * 3_600_000;

/**
 * How far a TikTok time (create_time, opt_time) may lie from this computer's clock, read as UTC. Those strings
 * carry no time zone, and TikTok may write them in the advertiser's zone (UTC−12 to UTC+14), so a comparison
 * that must not miss (recognising a create whose answer was lost) allows the widest zone plus 10 minutes of skew.
 */
export const TIKTOK_TIME_SLACK_MS = 14 * 3_600_000 + 10 * 60_000;

/** TikTok's "YYYY-MM-DD HH:MM:SS" (read as GMT) or ISO → epoch ms; null when absent or unreadable. */
export function tiktokTimeMs(t: string | null | undefined): number | null {
  if (!t) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(t) ? `${t.replace(' ', 'T')}Z` : t);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Whether TikTok will take changes to a customer-file audience, from what TikTok reports — never from how many
 * rows we sent (TikTok matches only part of a list). TikTok has no "processing" flag, and answers 40002 "not
 * editable" both while it processes and, for good, once an audience matched fewer than 1,000 people:
 * - valid with at least 1,000 matched: available;
 * - some matched, but fewer than 1,000: TikTok has finished counting, and the audience is unavailable for good;
 * - none matched: processing while the last change (ours, or TikTok's create/history time) is recent, unavailable
 *   once `windowMs` has passed without TikTok finding anyone.
 */
export function readAvailability(remote: RemoteAudience, lastChangeAt: Date | null, now: Date, windowMs = PROCESSING_WINDOW_MS): 'available' | 'processing' | 'unavailable' {
  if (remote.isValid && remote.coverNum >= AUDIENCE_FLOOR) return 'available';
  if (remote.coverNum > 0 && remote.coverNum < AUDIENCE_FLOOR) return 'unavailable';
  if (remote.coverNum >= AUDIENCE_FLOOR) return 'processing'; // counted, not yet valid: TikTok is finishing
  const last = Math.max(lastChangeAt?.getTime() ?? -Infinity, tiktokTimeMs(remote.modifiedTime) ?? -Infinity, tiktokTimeMs(remote.createTime) ?? -Infinity);
  if (!Number.isFinite(last)) return 'processing';
  return now.getTime() - last < windowMs ? 'processing' : 'unavailable';
}

/** Why a run waits for TikTok to finish processing an audience (no call was spent on it). */
export const STILL_PROCESSING_MESSAGE = 'TikTok is still processing this audience, so it cannot change yet. Nothing to do: the sync tries again when TikTok is done.';

/**
 * Before an edit call (APPEND, REMOVE, REPLACE) to an audience this app changed within `windowMs`: asks TikTok for its
 * state (the get call: a read, not one of the audience's daily calls, tiktok-api.md §11) and returns the time to try
 * again while TikTok still processes the last change, or null to send. TikTok refuses an edit while it processes
 * (40002) and may count the refusal, so a call sent then is only spent: an APPEND straight after a REMOVE (one run's
 * two calls), or a sync seconds after the last. Only "processing" holds the call back: what else TikTok reports is
 * for TikTok's answer to the call to tell (an unavailable audience is recognised by its refusal, see checkEditable).
 */
export async function processingWait(
  api: Pick<AudienceApi, 'get'>,
  tiktokAudienceId: string,
  lastChangeAt: Date | null,
  now: Date,
  opts: { windowMs?: number; retryMs: number },
): Promise<Date | null> {
  const windowMs = opts.windowMs ?? PROCESSING_WINDOW_MS;
  if (!lastChangeAt || now.getTime() - lastChangeAt.getTime() >= windowMs) return null;
  const remote = await api.get(tiktokAudienceId);
  if (!remote || readAvailability(remote, lastChangeAt, now, windowMs) !== 'processing') return null;
  return new Date(now.getTime() + opts.retryMs);
}

/**
 * The one state badge an audience shows. `unavailable` (marked by a sync that met TikTok's refusal) wins over
 * everything but a connection to re-connect; otherwise TikTok's last report decides (readAvailability).
 */
export function deriveState(input: {
  tiktokAudienceId: string | null;
  connectionNeedsReconnect: boolean;
  remote: RemoteAudience | null | undefined;
  localSize: number;
  lastRunError: string | null;
  now: Date;
  /** When our last change reached TikTok (the ledger), for telling processing from unavailable. */
  lastChangeAt?: Date | null;
  /** A sync found the audience unavailable (TikTok refused it for good). */
  markedUnavailable?: boolean;
  /** The connection cannot reach this audience's ad account (40106). */
  advertiserUnreachable?: boolean;
}): AudienceState {
  if (input.connectionNeedsReconnect || input.advertiserUnreachable) return 'needs_reconnect';
  if (input.markedUnavailable && input.tiktokAudienceId) return 'unavailable';
  if (input.lastRunError && PERMANENT_ERRORS.has(input.lastRunError)) return 'error';
  if (!input.tiktokAudienceId) return 'never_synced';
  const r = input.remote;
  if (r === null) return 'error';
  if (r === undefined) return 'processing';
  if (isExpired(r, input.now)) return 'expired';
  if (r.isExpiring) return 'expiring';
  if (!r.isValid && r.errorMsg) return 'error';
  return readAvailability(r, input.lastChangeAt ?? null, input.now);
}

function isExpired(r: RemoteAudience, now: Date): boolean {
  const t = tiktokTimeMs(r.expiredTime);
  return t !== null && t <= now.getTime();
}

/** Asks TikTok for the audience's size and state, stores it in the status history, and returns it. */
export async function refreshStatus(store: Store, api: AudienceApi, audienceId: number, now = new Date()): Promise<StatusRecord> {
  const a = store.audiences.require(audienceId);
  const localSize = store.snapshots.meta(audienceId)?.entryCount ?? 0;
  const remote = a.tiktokAudienceId ? await api.get(a.tiktokAudienceId) : undefined;
  const conn = a.connectionId ? store.connections.get(a.connectionId) : undefined;
  const lastRun = store.runs.list({ audienceId, limit: 1 })[0];
  const lastChangeAt = store.quota.lastChangeAt(audienceId);
  // A customer-file audience TikTok reports as unavailable is marked now, before a sync spends a call on it.
  if (remote && a.api === 'file' && !unavailableMark(store, a) && readAvailability(remote, lastChangeAt, now) === 'unavailable' && !remote.errorMsg && !isExpired(remote, now)) {
    markUnavailable(store, a, remote.coverNum, now);
  }
  const marked = unavailableMark(store, a);
  const state = deriveState({
    tiktokAudienceId: a.tiktokAudienceId,
    connectionNeedsReconnect: conn?.status === 'needs_reconnect',
    remote,
    localSize,
    lastRunError: lastRun?.status === 'failed' ? lastRun.errorCode : null,
    now,
    lastChangeAt,
    markedUnavailable: marked !== null,
    advertiserUnreachable: advertiserUnreachable(store, a.connectionId, a.advertiserId) !== null,
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
    message: remote === null ? 'TikTok no longer has this audience: it was deleted or expired. Create a new audience for this cohort.' : state === 'unavailable' && a.api === 'file' ? unavailableMessage(remote?.coverNum ?? marked?.coverNum ?? null) : (remote?.errorMsg ?? null),
  };
  store.status.record(rec);
  return rec;
}

/** The status history, oldest first (the sent-vs-matched chart). */
export function statusHistory(store: Store, audienceId: number, limit = 500): StatusRecord[] {
  return store.status.history(audienceId, limit);
}

/** What TikTok matches of a list when nothing better is known: roughly half of it. */
export const DEFAULT_EXPECTED_MATCH_RATE = 0.5;

/**
 * The share of uploaded people TikTok matched for this app's other audiences of the same key type (the median of
 * their latest valid status), else DEFAULT_EXPECTED_MATCH_RATE.
 */
export function expectedMatchRate(store: Store, calculateType: string): number {
  const rates = store.status.matchedOfSent(calculateType).map((r) => Math.min(1, r.cover / r.local)).sort((x, y) => x - y);
  if (rates.length === 0) return DEFAULT_EXPECTED_MATCH_RATE;
  return rates[Math.floor((rates.length - 1) / 2)]!;
}

/**
 * The warning before creating an audience TikTok would likely match under 1,000 people: such an audience is
 * unavailable and can never be edited. Null when the expected match clears the floor (or the list itself is
 * under it: the planner says so).
 */
export function matchWarning(store: Store, audience: { calculateType: string }, people: number): string | null {
  if (people < AUDIENCE_FLOOR) return null;
  const rate = expectedMatchRate(store, audience.calculateType);
  const expected = Math.floor(people * rate);
  if (expected >= AUDIENCE_FLOOR) return null;
  const f = countText;
  return (
    `TikTok matches only part of a list (about ${Math.round(rate * 100)} % here), so of ${f(people)} people about ${f(expected)} may match — under ${f(AUDIENCE_FLOOR)}. ` +
    'TikTok then makes the audience unavailable and never lets it be edited. Use a larger cohort, or map several keys per person (email, phone and mobile ad id) for a higher match rate.'
  );
}
