/**
 * Store records → the DTOs of shared/ipc/dto.ts. Pure mapping plus the few reads each view needs; no
 * network, so the audiences table and the tray stay instant whatever TikTok is doing.
 */
import { countText } from '../../../shared/count-text';
import { AUDIENCE_FLOOR, CALCULATE_TYPE_BY_KEY, type KeyType, type RejectReason } from '../../../shared/domain';
import { describeError, ERROR_CODES, type AppErrorShape, type ErrorCode } from '../../../shared/errors';
import { syncedFileAt } from '../sync/match-rate';
import type { ApiCallView, ApiEnvironment, AudienceState, AudienceView, ConnectionView, HoldView, RejectSample, RunView, SizePoint, SyncNoteView } from '../../../shared/ipc/dto';
import type { RejectRecord } from '../cohort';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import type { ConnectionRecord } from '../store/connections-repo';
import type { ApiCallRecord, RunRecord } from '../store/runs-repo';
import type { HoldRecord } from '../store/holds-repo';
import { storedHoldMessage } from '../sync/removal-guard';
import { reshapedMembership } from '../sync/mapping-change';
import type { RemoteAudience } from '../sync/audience-api';
import { deriveState, statusHistory, type StatusRecord } from '../sync/status';
import { advertiserNamesNotice } from '../tiktok/oauth';
import { advertiserUnreachable, unavailableMark, unavailableMessage, type UnavailableMark, type UnreachableMark } from '../sync/marks';
import { TIKTOK_API_BASES } from '../tiktok/client';
import { deltaCounts } from '../sync/deltas';
import { layoutOf } from '../sync/entry-layout';
import { waitsForFloor } from '../sync/floor-wait';

/** TikTok expires an audience this long after its last change (tiktok-api.md §3.5). */
const EXPIRY_MONTHS = 12;
/** Rejects shown on screen; "Export rejects" writes all of them. */
export const REJECTS_SAMPLE = 50;

/** Which TikTok a connection talks to, from its kind and API base. */
export function environmentOf(c: Pick<ConnectionRecord, 'kind' | 'apiBase'>): ApiEnvironment {
  // A pasted token or an OAuth sign-in against the simulator is on the offline sandbox too.
  if (c.kind === 'sandbox' || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(c.apiBase)) return 'offline-sandbox';
  if (c.apiBase === TIKTOK_API_BASES.tiktokSandbox) return 'tiktok-sandbox';
  return 'production';
}

export function connectionView(c: ConnectionRecord): ConnectionView {
  return {
    id: c.id,
    label: c.label,
    kind: c.kind,
    appId: c.kind === 'sandbox' ? null : c.appId,
    environment: environmentOf(c),
    status: c.status,
    statusMessage: c.statusMessage,
    createdAt: c.createdAt,
    lastCheckedAt: c.lastCheckedAt,
    advertisers: c.advertisers.map((a) => ({ advertiserId: a.advertiserId, name: a.name })),
    notice: advertiserNamesNotice(c.advertisers),
  };
}

/** TikTok's "YYYY-MM-DD HH:MM:SS" (GMT) → ISO-8601; ISO input passes through; null when unreadable. */
export function tiktokTimeToIso(t: string | null | undefined): string | null {
  if (!t) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(t) ? `${t.replace(' ', 'T')}Z` : t);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function toErrorCode(code: string | null): ErrorCode {
  return code && (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL';
}

export function runError(r: Pick<RunRecord, 'errorCode' | 'errorMessage'>): AppErrorShape | null {
  if (!r.errorCode) return null;
  const code = toErrorCode(r.errorCode);
  const d = describeError(code);
  return { code, message: r.errorMessage ?? `${d.message} ${d.action}`, retryable: d.retryable };
}

export function runView(r: RunRecord, audienceName: string | null): RunView {
  const durationMs = r.finishedAt ? Math.max(0, Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : null;
  return {
    id: r.id,
    audienceId: r.audienceId,
    audienceName,
    trigger: r.trigger,
    status: r.status,
    dryRun: r.dryRun,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs,
    sourcePath: r.sourcePath,
    rowsRead: r.rowsRead,
    valid: r.valid,
    rejected: r.rejected,
    duplicates: r.duplicates,
    adds: r.adds,
    removes: r.removes,
    callsUsed: r.callsUsed,
    rejectReasons: r.rejectReasons as Partial<Record<RejectReason, number>>,
    deferredUntil: r.deferredUntil,
    error: runError(r),
    sent: r.sent,
  };
}

export function apiCallView(c: ApiCallRecord): ApiCallView {
  return { id: c.id, endpoint: c.endpoint, method: c.method, requestId: c.requestId, code: c.code, httpStatus: c.httpStatus, durationMs: c.durationMs, startedAt: c.startedAt, detail: c.detail };
}

export function rejectSamples(rejects: readonly RejectRecord[], limit = REJECTS_SAMPLE): RejectSample[] {
  return rejects.slice(0, limit).map((r) => ({ line: r.row, reason: r.reason, value: r.masked }));
}

/** The key a calculate_type matches on, when it is single-key. */
export function keyOfCalculateType(t: string | null): KeyType | null {
  const hit = (Object.entries(CALCULATE_TYPE_BY_KEY) as [KeyType, string][]).find(([, v]) => v === t);
  return hit ? hit[0] : null;
}

/** What the audience view needs beyond the record: live engine facts the store does not hold. */
export interface AudienceContext {
  now: Date;
  nextRun(a: AudienceRecord): Date | null;
  running(audienceId: number): boolean;
  quota(audienceId: number): { left: number; budget: number };
}

/** The last status record read back as the remote audience deriveState expects. */
function remoteFromStatus(a: AudienceRecord, s: StatusRecord | undefined): RemoteAudience | null | undefined {
  if (!s || !a.tiktokAudienceId) return undefined;
  // refreshStatus records a deleted audience as state error, no size, no validity.
  if (s.isValid === null) return s.state === 'error' && s.coverNum === null && s.message ? null : undefined;
  return {
    audienceId: a.tiktokAudienceId,
    name: a.name,
    calculateType: a.calculateType,
    coverNum: s.coverNum ?? 0,
    isValid: s.isValid,
    isExpiring: s.isExpiring ?? false,
    expiredTime: s.expiredTime,
    createTime: null,
    errorMsg: s.state === 'error' ? s.message : null,
    isCreator: null,
  };
}

function plus12Months(iso: string): string {
  const d = new Date(iso);
  d.setUTCMonth(d.getUTCMonth() + EXPIRY_MONTHS);
  return d.toISOString();
}

function stateMessage(
  state: AudienceState,
  ctx: { conn: ConnectionRecord | undefined; lastRun: RunRecord | undefined; status: StatusRecord | undefined; unavailable: UnavailableMark | null; unreachable: UnreachableMark | null; advertiserId: string; api: AudienceRecord['api'] },
): string | null {
  switch (state) {
    case 'needs_reconnect':
      if (ctx.conn?.status !== 'needs_reconnect' && ctx.unreachable) {
        return `This TikTok connection cannot reach ad account ${ctx.advertiserId} (TikTok code 40106); its other ad accounts are not affected. Re-connect with a TikTok user who has access to it, or sync this cohort to an ad account the connection can reach.`;
      }
      return ctx.conn?.statusMessage ?? 'TikTok no longer accepts this connection. Sign in again to re-connect it.';
    case 'error':
      if (ctx.lastRun?.status === 'failed' && ctx.lastRun.errorMessage) return ctx.lastRun.errorMessage;
      return ctx.status?.message ?? 'TikTok reports a problem with this audience. Open it in TikTok Ads Manager, or sync it to a new audience.';
    case 'unavailable':
      // A partner audience takes changes at any size: it only cannot be targeted yet.
      if (ctx.api === 'segment') return `TikTok shows audiences under ${countText(AUDIENCE_FLOOR)} matched people as unavailable, and they cannot be targeted. Add people to the cohort, or map several keys per person for a higher match rate.`;
      return unavailableMessage(ctx.unavailable?.coverNum ?? ctx.status?.coverNum ?? null);
    case 'expired':
      return 'TikTok expired this audience after 12 months without a change. Sync it to a new audience.';
    case 'expiring':
      return 'TikTok will expire this audience soon. Any sync that changes it renews it for 12 months.';
    default:
      return null;
  }
}

/** Why a deferred run waits, from its error code: TikTok's quota and replace rules, or a retry after TikTok's answer. */
function deferredKind(code: string | null): SyncNoteView['kind'] {
  if (code === 'QUOTA_EXHAUSTED') return 'waiting_quota';
  if (code === 'REPLACE_PENDING') return 'waiting_replace';
  if (code === 'AUDIENCE_TOO_SMALL') return 'waiting_cohort';
  return 'retrying';
}

/**
 * Where the audience's last sync left it, when that was not simply "done" (SyncNoteView): counts of what TikTok
 * acknowledged (the run's deltas) apart from what is still to send, calls spent, and when the rest goes.
 */
export function syncNote(store: Store, a: AudienceRecord, runs: readonly RunRecord[]): SyncNoteView | null {
  const localSize = store.snapshots.meta(a.id)?.entryCount ?? 0;
  const last = runs.find((r) => !r.dryRun && r.status !== 'running' && r.status !== 'planned');
  const waiting = waitsForFloor(store, a);
  if (!last) return waiting ? { kind: 'waiting_cohort', runId: null, added: 0, removed: 0, addsLeft: 0, removesLeft: 0, callsUsed: 0, until: null, size: null } : null;
  const done = deltaCounts(store, last.id, layoutOf(a).width);
  const note = (kind: SyncNoteView['kind']): SyncNoteView => ({
    kind,
    runId: last.id,
    added: done.added,
    removed: done.removed,
    addsLeft: Math.max(0, last.adds - done.added),
    removesLeft: Math.max(0, last.removes - done.removed),
    callsUsed: last.callsUsed,
    until: last.deferredUntil,
    // A create waiting for the floor planned the whole file as adds: that is the cohort's size.
    size: kind === 'waiting_cohort' ? (last.status === 'deferred' && last.errorCode === 'AUDIENCE_TOO_SMALL' ? last.adds : null) : kind === 'floor_blocked' ? Math.max(0, localSize + last.adds - last.removes) : null,
  });
  if (waiting) return note('waiting_cohort');
  switch (last.status) {
    case 'done':
      return last.adds + last.removes === 0 && last.callsUsed === 0 ? note('up_to_date') : null;
    case 'deferred':
      return note(deferredKind(last.errorCode));
    case 'cancelled':
      return note('cancelled');
    case 'failed':
      // The floor stopped it before anything was sent: the size it would have left is the one to show.
      if (last.errorCode === 'AUDIENCE_TOO_SMALL') return note('floor_blocked');
      // Calls that went through before the failure: the audience is partly synced (the error itself is the state badge's).
      return done.added + done.removed > 0 ? note('partly_synced') : null;
    default:
      return null;
  }
}

/** One row of the audiences table, from the store and the engine's live facts. */
export function audienceView(store: Store, a: AudienceRecord, ctx: AudienceContext): AudienceView {
  const status = statusHistory(store, a.id, 1)[0];
  const meta = store.snapshots.meta(a.id);
  const localSize = meta?.entryCount ?? 0;
  const conn = a.connectionId ? store.connections.get(a.connectionId) : undefined;
  const runs = store.runs.list({ audienceId: a.id, limit: 20 });
  const lastRun = runs[0];
  const unavailable = a.api === 'file' ? unavailableMark(store, a) : null;
  const unreachable = advertiserUnreachable(store, a.connectionId, a.advertiserId);
  const state = deriveState({
    tiktokAudienceId: a.tiktokAudienceId,
    connectionNeedsReconnect: conn?.status === 'needs_reconnect',
    remote: remoteFromStatus(a, status),
    localSize,
    lastRunError: lastRun?.status === 'failed' ? lastRun.errorCode : null,
    now: ctx.now,
    lastChangeAt: store.quota.lastChangeAt(a.id),
    markedUnavailable: unavailable !== null,
    advertiserUnreachable: unreachable !== null,
  });
  // A run that waited for the cohort to reach 1,000 sent nothing: it is no sync.
  const lastSync = runs.find((r) => !r.dryRun && (r.status === 'done' || (r.status === 'deferred' && r.errorCode !== 'AUDIENCE_TOO_SMALL')))?.finishedAt ?? null;
  const expiresAt = tiktokTimeToIso(status?.expiredTime) ?? (a.tiktokAudienceId && meta ? plus12Months(meta.updatedAt) : null);
  const quota = ctx.quota(a.id);
  return {
    id: a.id,
    name: a.name,
    connectionId: a.connectionId,
    advertiserId: a.advertiserId,
    tiktokAudienceId: a.tiktokAudienceId,
    keys: a.keys.map((k) => ({ key: k.key, column: k.column ?? 0, ...(k.countryColumn !== undefined ? { countryColumn: k.countryColumn } : {}), ...(k.extraColumns?.length ? { extraColumns: k.extraColumns } : {}) })),
    calculateType: a.calculateType,
    api: a.api,
    profile: a.profile,
    sourceKind: a.sourceKind,
    sourcePath: a.sourcePath,
    sourcePattern: a.sourcePattern,
    suppressPath: a.suppressPath,
    cadence: a.cadence,
    paused: a.paused,
    state,
    stateMessage: stateMessage(state, { conn, lastRun, status, unavailable, unreachable, advertiserId: a.advertiserId, api: a.api }),
    coverNum: status?.coverNum ?? null,
    localSize,
    lastSync,
    nextSync: ctx.nextRun(a)?.toISOString() ?? null,
    callsLeftToday: quota.left,
    dailyBudget: quota.budget,
    expiresAt,
    running: ctx.running(a.id),
    removalLimitPct: a.removalLimitPct,
    removalMode: a.removalMode,
    othersSize: a.othersSize,
    hold: holdView(store.holds.get(a.id), reshapedMembership(store, a) !== null),
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    syncNote: syncNote(store, a, runs),
    startAtFloor: waitsForFloor(store, a),
  };
}

/** The audience's held sync as the renderer, the tray and the CLI show it; `replace`: it replaces the whole membership (its columns changed). */
export function holdView(h: HoldRecord | null, replace = false): HoldView | null {
  if (!h) return null;
  return {
    runId: h.runId,
    reason: h.reason,
    state: h.state,
    heldAt: h.heldAt,
    decidedAt: h.decidedAt,
    currentSize: h.currentSize,
    adds: h.adds,
    removes: h.removes,
    percent: h.currentSize > 0 ? (h.removes * 100) / h.currentSize : 0,
    limitPct: h.limitPct,
    rowsRead: h.rowsRead,
    lastRowsRead: h.lastRowsRead,
    foreignChanges: h.foreignChanges,
    message: storedHoldMessage(h, replace),
  };
}

/** The sent-vs-matched chart: one point per status check, with every row of the file synced by then (the honest rate). */
export function sizeHistory(store: Store, audienceId: number): SizePoint[] {
  const runs = store.runs.list({ audienceId, limit: 1000 });
  return statusHistory(store, audienceId).map((s) => ({ at: s.checkedAt, sent: s.localSize, matched: s.coverNum, rows: syncedFileAt(runs, s.checkedAt)?.rowsRead ?? null }));
}
