import fs from 'node:fs';
import { countText } from '../../../shared/count-text';
import { AppError, toErrorShape, type AppErrorShape } from '../../../shared/errors';
import { AUDIENCE_FLOOR, DEFAULT_DAILY_CALL_BUDGET } from '../../../shared/domain';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import type { RunTrigger } from '../store/runs-repo';
import { nextUtcDay } from '../store/quota-repo';
import { audiencesWithOrphans } from '../store/chunk-generations';
import { diffHashes, slotPeople, subtractHashes, unionHashes, MULTI_SLOTS, type MultiSlot, type RejectRecord, type TupleLayout } from '../cohort';
import { digestAsync } from '../cohort/hash-set-async';
import { entryCount, type Entries, type SortedParts } from '../cohort/sorted-parts';
import { entriesPerFile, layoutOf, membershipLayout, type EntryLayout } from './entry-layout';
import { isRemoteFailure, type AudienceApi, type PartnerApi, type RemoteAudience } from './audience-api';
import { PartnerNotAllowlisted, syncPartnerAudience } from './partner-sync';
import { acquireAudienceLock, acquireCreateLock } from './locks';
import { floorMessage, planSync, FILES_PER_CALL, type Plan, type PlannedCall } from './planner';
import { commitDelta, stageDelta, sweepDeltas } from './deltas';
import { stageAfter } from './snapshot-merge';
import { Deferral } from './deferral';
import { makePrivateTempDir, removeStaleTempDirs } from '../temp-dirs';
import { addPendingAsync, clearPending, clearPendingAsync, diffWithPendingStreamed, settlePendingAsync, sweepPending } from './pending';
import { clearAdvertiserUnreachable, clearRefusedEdit, markAdvertiserUnreachable, markUnavailable, noteRefusedEdit, refusedEditSince, unavailableMark, unavailableMessage } from './marks';
import { floorWaitMessage, waitsForFloor } from './floor-wait';
import { matchWarning, processingWait, readAvailability, STILL_PROCESSING_MESSAGE } from './status';
import { sendUnderPolicy, type SendClock } from './send-policy';
import { findLostCreate, unsettledCreateAt, type LostCreateLookup } from './lost-create';
import type { QuotaJournalEntry } from '../store/quota-journal';
import { checkRemovals, checkUnknownMembership, knownMatchRate, SyncHeld, targetDigest, type HoldInfo } from './removal-guard';
import { reshapedMembership } from './mapping-change';

/** Temp folders of upload files (hashes only), named with the owning pid so a crashed run's are removed. */
const UPLOAD_DIR_PREFIX = 'cohort-relay-upload-';

/** The hashed cohort a run should leave the audience holding, with the pipeline's counts. */
export interface TargetSet {
  /**
   * The audience's entries, sorted and unique: 32-byte hashes for a single-key audience, or fixed-width tuples of them
   * (one place per mapped key value, entry-layout.ts) for a multi-key one.
   */
  entries: Buffer;
  /**
   * A cohort too large for memory (cohort/spill.ts): its entries in part files, `entries` empty. The diff streams them
   * against the stored snapshot, and a call that carries all of them (a first create) sends them as they are; only a
   * sync that sends them in slices (a create or replace of several calls) or replaces a doubtful membership joins them
   * into `entries`. The runner disposes them.
   */
  parts?: SortedParts;
  rowsRead: number;
  valid: number;
  rejected: number;
  duplicates: number;
  rejectReasons: Record<string, number>;
  /** Entries left out because they hold a person erased from the audience (a read cohort; cohort-target.ts). */
  erased?: number;
  /** The rejected rows (masked values only), for the user's explicit rejects export. */
  rejects?: RejectRecord[];
  /** Multi-key cohorts: valid, rejected and empty cells per key. */
  perKey?: Partial<Record<MultiSlot, { valid: number; rejected: number; empty: number }>>;
}

export type SyncPhase = 'reading' | 'planning' | 'uploading' | 'sending' | 'verifying';

export interface SyncProgress {
  runId: number | null;
  audienceId: number;
  phase: SyncPhase;
  /** 0..100 within the whole run. */
  percent: number;
  rows?: number;
  message?: string;
}

export interface SyncDeps {
  store: Store;
  api: AudienceApi;
  /** The segment API, for partner audiences. */
  partnerApi?: PartnerApi;
  /** Rows per partner batch (default 1,000). */
  partnerBatchRows?: number;
  readTarget(audience: AudienceRecord, ctx: { signal: AbortSignal; onRows(rows: number, fraction: number): void }): Promise<TargetSet>;
  now?: () => Date;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  dailyBudget?: number;
  /** Entries (people: a hash, or a multi-key tuple) per upload file (default: as many as fit in 50 MB). */
  hashesPerFile?: number;
  filesPerCall?: number;
  tmpRoot?: string;
  owner?: string;
  onProgress?: (p: SyncProgress) => void;
  /** Attempts per call before the run fails (transient faults only). */
  maxAttempts?: number;
  /** Wait after TikTok says the audience is still processing (default: the client's re-check rule, 10 min). */
  processingRetryMs?: number;
  /** How long after its last change an audience TikTok reports empty may still be processing (default 48 h). */
  processingWindowMs?: number;
  /** How long a run waits, in all, for a new partner audience to become ready for mapping (default 3 min). */
  partnerReadyWaitMs?: number;
  /**
   * Test seam: called at named points of a sync, e.g. right after TikTok answered a create and before the answer is
   * recorded, so a test can end the process exactly there (lost-create.ts).
   */
  checkpoint?: (at: SyncCheckpoint) => void;
}

/** The named points of a sync where SyncDeps.checkpoint is called. */
export type SyncCheckpoint = 'create-answered';

/** TikTok recommends at most one REPLACE per audience per day; counted per rolling 24 h (Census: "sometimes a bit longer"). */
export const REPLACE_WINDOW_MS = 24 * 3_600_000;
/** First re-check of an audience TikTok is processing, when no other wait is configured. */
const PROCESSING_RECHECK_MS = 10 * 60_000;

export interface SyncOptions {
  trigger: RunTrigger;
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Overrides the cohort read (undo sends a computed target). */
  target?: TargetSet;
  /** A dry run of a draft the user has not saved (its source, cadence, mapping): planned as this record, nothing stored. */
  draft?: AudienceRecord;
  /** The caller already holds the audience's sync lock (undo holds it from choosing what to undo to sending it). */
  lockHeld?: boolean;
  /** The file this run reads instead of the audience's source ("use this file once"): the run is logged with it. */
  sourcePath?: string;
  /**
   * A dry run of a draft whose saving would set the stored membership aside (other columns of a key, "mirror" for an
   * adopted audience): planned as the sync after that change, a full replace of a membership not known here.
   */
  setAside?: boolean;
}

export interface SyncOutcome {
  runId: number | null;
  audienceId: number;
  tiktokAudienceId: string | null;
  /** held: over the audience's removal limit; nothing was sent (see `hold`). */
  status: 'done' | 'deferred' | 'failed' | 'cancelled' | 'planned' | 'held';
  strategy: Plan['strategy'];
  adds: number;
  removes: number;
  callsPlanned: number;
  callsUsed: number;
  callsLeft: number;
  currentSize: number;
  projectedSize: number;
  deferredUntil: string | null;
  /** Why the rest waits until deferredUntil (the day's calls, the one-REPLACE-a-day rule, TikTok processing, ...), dry runs too. */
  deferredReason?: string | null;
  warnings: string[];
  /** Before a create: TikTok will likely match fewer than 1,000 of these people (also among `warnings`). */
  matchWarning: string | null;
  error: AppErrorShape | null;
  counts: Omit<TargetSet, 'entries' | 'rejects' | 'perKey'>;
  rejects: RejectRecord[];
  /** Multi-key audiences: per key, people in the cohort with that key, and how many such keys are added and removed. */
  perKey: Partial<Record<MultiSlot, { target: number; adds: number; removes: number }>> | null;
  /**
   * Set when the sync removes more than the audience's limit, or TikTok shows changes this app did not send (`reason`):
   * held (or, in a dry run, would be), or confirmed once.
   */
  hold: HoldInfo | null;
  /** A dry run: SHA-256 of the cohort the sync would leave the audience holding (what a confirmation or a keep is for; never printed). */
  holdDigest?: string | null;
  /**
   * Set when the sync replaces the audience's whole membership from a size known here (its columns changed, or this
   * computer lost records of calls it sent): the people it held before and after. Null otherwise.
   */
  replace?: { before: number; after: number } | null;
}


const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new AppError('CANCELLED'));
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(new AppError('CANCELLED')); };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Syncs one audience: reads the cohort, diffs it against the acknowledged snapshot, plans the fewest
 * calls and sends what today's budget allows.
 *
 * Crash safety: every audience-modifying call is reserved in the quota ledger (committed) before it is
 * sent, and its acknowledgement, the snapshot move and the run's counts commit in one transaction.
 * Before anything is sent, the run's changes are added to the audience's pending (uncertain) changes,
 * which only a completed run clears. So after a crash, a lost answer or a run that ends early, the next
 * run removes everything that may be at TikTok and is not wanted, and appends everything wanted that may
 * be missing: APPEND and REMOVE are idempotent, so this converges exactly even when the cohort changed
 * in between. A create whose answer was lost is found by name before creating again.
 */
export async function runSync(deps: SyncDeps, audienceId: number, opts: SyncOptions): Promise<SyncOutcome> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? defaultSleep;
  const budget = deps.dailyBudget ?? DEFAULT_DAILY_CALL_BUDGET;
  const signal = opts.signal ?? new AbortController().signal;
  const maxAttempts = deps.maxAttempts ?? 6;
  let audience = opts.dryRun && opts.draft ? opts.draft : store.audiences.require(audienceId);
  const owner = deps.owner ?? `pid-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const release = opts.dryRun || opts.lockHeld ? () => {} : acquireAudienceLock(store, audienceId, owner);
  // Creating is locked by ad account and name too: the per-audience lock does not stop two local audiences (or two
  // first syncs racing to record one) of the same name from each creating a TikTok audience.
  let releaseCreate = () => {};
  if (!opts.dryRun && !audience.tiktokAudienceId) {
    try {
      releaseCreate = acquireCreateLock(store, audience.advertiserId, audience.name, owner);
    } catch (err) {
      release();
      throw err;
    }
  }
  let runId: number | null = null;
  const progress = (phase: SyncPhase, percent: number, extra: Partial<SyncProgress> = {}) =>
    deps.onProgress?.({ runId, audienceId, phase, percent: Math.min(100, Math.max(0, Math.round(percent))), ...extra });

  const outcome: SyncOutcome = {
    runId: null, audienceId, tiktokAudienceId: audience.tiktokAudienceId, status: 'failed', strategy: 'nothing',
    adds: 0, removes: 0, callsPlanned: 0, callsUsed: 0, callsLeft: 0, currentSize: 0, projectedSize: 0,
    deferredUntil: null, warnings: [], matchWarning: null, error: null,
    counts: { rowsRead: 0, valid: 0, rejected: 0, duplicates: 0, rejectReasons: {} },
    rejects: [],
    perKey: null,
    hold: null,
    replace: null,
  };
  let tmp: string | null = null;
  let spilled: SortedParts | undefined;
  try {
    removeStaleTempDirs(UPLOAD_DIR_PREFIX, deps.tmpRoot);
    tmp = makePrivateTempDir(UPLOAD_DIR_PREFIX, deps.tmpRoot, "the files of hashes it uploads to TikTok");
    if (!opts.dryRun) {
      recoverInterrupted(store, audienceId);
      await sweepOrphans(store, audienceId);
      runId = store.runs.start({ audienceId, trigger: opts.trigger, sourcePath: opts.sourcePath ?? audience.sourcePath }).id;
      outcome.runId = runId;
    }

    if (audience.api === 'file' && audience.tiktokAudienceId) {
      // TikTok refused this audience for good: no call is spent on it again, and the words say the way out.
      const mark = unavailableMark(store, audience);
      if (mark) throw new AppError('AUDIENCE_UNAVAILABLE', unavailableMessage(mark.coverNum));
      // After a "not editable" refusal, ask TikTok (a free read) before spending a call.
      if (!opts.dryRun && refusedEditSince(store, audienceId)) await checkEditable(deps, audience, now());
    }

    progress('reading', 0);
    const target = opts.target ?? (await deps.readTarget(audience, { signal, onRows: (rows, f) => progress('reading', f * 60, { rows }) }));
    outcome.counts = { rowsRead: target.rowsRead, valid: target.valid, rejected: target.rejected, duplicates: target.duplicates, rejectReasons: target.rejectReasons, erased: target.erased ?? 0 };
    outcome.rejects = target.rejects ?? [];
    spilled = target.parts;
    if (signal.aborted) throw new AppError('CANCELLED');

    progress('planning', 60);
    if (audience.api === 'segment') {
      await joinParts(target);
      try {
        return await finishPartner(deps, audience, runId, target, opts, signal, sleep, maxAttempts, outcome, progress);
      } catch (err) {
        if (!(err instanceof PartnerNotAllowlisted)) throw err;
        // 40118 before any partner audience existed: fall back to a customer-file audience, and say so.
        audience = store.audiences.update(audienceId, { api: 'file' });
        outcome.warnings.push(`${err.message} This audience now uses the customer-file API instead (up to 24 changes a day).`);
      }
    }
    // Before creating, TikTok is asked for an audience of this name that this app made: a create whose answer was lost
    // or came after the client's timeout, or whose record a crash took with the database's last writes (a lost -wal
    // file). That one is synced to, never a second one created; what it holds is unknown here (the cohort may have
    // changed since), so the plan becomes an exact REPLACE.
    if (!opts.dryRun && !audience.tiktokAudienceId) {
      const unacked = unsettledCreateAt(store, audience) !== null;
      const found = await findLostCreate(lookup({ deps, now, sleep, signal }), audience);
      if (found) {
        const lost = unacked ? [] : store.quota.lostCalls(audienceId, now());
        // What TikTok's history holds now is overwritten by the REPLACE this sync sends: all of it is accounted for.
        const remote = await deps.api.get(found.audienceId).catch(() => null);
        store.transaction(() => {
          store.audiences.setTiktokId(audienceId, found.audienceId);
          store.snapshots.clear(audienceId);
          store.quota.carryOver(lost);
          if (remote && typeof remote.membershipChanges === 'number' && !remote.historyTruncated) store.audiences.setHistoryBaseline(audienceId, remote.membershipChanges - store.quota.membershipCalls(audienceId));
        });
        audience = store.audiences.require(audienceId);
        if (!unacked) outcome.warnings.push(`TikTok already has the audience "${audience.name}" that this app created (TikTok id ${found.audienceId}); this computer had lost its record of it (the app stopped before it was saved). It is synced to, not created again: a full replace makes it match the file.`);
      }
    }
    // An erasure or an undo changes what TikTok holds in the shape it holds it (the old one while a change of columns
    // waits for its replace); any other sync sends the audience in its columns' shape.
    const inPlace = opts.trigger === 'erase' || opts.trigger === 'undo';
    const layout = inPlace ? membershipLayout(store, audience) : layoutOf(audience);
    const w = layout.width;
    const targetCount = target.parts ? target.parts.count : target.entries.length / w;
    // The snapshot keeps the width it was written in; after the audience's columns changed to another tuple width
    // (mapping-change.ts) it is never read at this one (it would diff nonsense): the sync replaces the audience whole,
    // from the size the snapshot says it has to the file's, and the snapshot stays until TikTok acknowledged that.
    const reshaped = audience.api === 'file' && audience.tiktokAudienceId && !inPlace ? reshapedMembership(store, audience) : null;
    const setAside = Boolean(opts.dryRun && opts.setAside) && !reshaped;
    if (reshaped && audience.removalMode === 'added-only') {
      throw new AppError('INVALID_ARGUMENT', `Audience "${audience.name}" only loses people Cohort Relay added, and its columns changed how each person is sent: who it added would be forgotten and stay in the audience. Choose "Mirror the file" for it, or map its old columns back.`);
    }
    const stored = setAside || reshaped ? null : store.snapshots.meta(audienceId);
    const perFile = deps.hashesPerFile ?? entriesPerFile(layout);
    // "Only remove people this app added" (an adopted audience's default): the snapshot holds exactly the people this
    // app added and has not removed since; nobody else is ever removed or replaced away. So what TikTok's history shows
    // of other tools is expected, not a doubt, and the audience is never made exact by a REPLACE.
    const addedOnly = audience.api === 'file' && audience.removalMode === 'added-only';
    const others = addedOnly ? (audience.othersSize ?? 0) : 0;
    if (addedOnly && !opts.dryRun && audience.tiktokAudienceId && store.snapshots.meta(audienceId)) {
      const lost = store.quota.lostCalls(audienceId, now());
      if (lost.length > 0) {
        store.transaction(() => store.quota.carryOver(lost));
        outcome.warnings.push(`This computer lost its record of ${lost.length} change(s) it sent to this TikTok audience (the app stopped before they were saved, or an older copy of its data was restored). This audience only loses people Cohort Relay added, and who those changes added is not known here: they stay in the audience. Choose "Mirror the file" to make it match the file exactly.`);
      }
    }
    // The record of what TikTok holds may be out of date (a crash lost the database's last writes, a backup was
    // restored, another tool edited the audience): a full REPLACE makes it exact. Calls the database lost are
    // known for sure, and the replace is automatic; changes only TikTok's history shows wait for the user's choice.
    const doubt = !addedOnly && audience.api === 'file' && audience.tiktokAudienceId && stored ? await localStateDoubt(deps, audience, opts, now()) : null;
    // A sync whose stored membership is set aside, or in doubt, sends the whole target: a cohort in part files is joined.
    if (doubt || setAside || reshaped) await joinParts(target);
    // The share TikTok matched at the audience's last check (null when unknown): a sync that would leave it matching
    // under the floor is held like a removal over the limit (removal-guard.ts matchFloorOver).
    const matchRate = audience.tiktokAudienceId ? knownMatchRate(store, audience) : null;
    // What a replace of a membership in doubt changes against what this computer last knew it held.
    let known: { currentSize: number; adds: number; removes: number } | null = null;
    let setDoubtAside: (() => void) | null = null;
    if (doubt) {
      // The full replace is held like any sync that removes too many: judged against what this computer last knew
      // the audience held (the snapshot about to be set aside), so a broken export never empties it this way either.
      const last = store.snapshots.load(audienceId);
      const input = { trigger: opts.trigger, dryRun: Boolean(opts.dryRun), runId, strategy: 'incremental' as const, matchRate, currentSize: last.length / w, adds: subtractHashes(target.entries, last, w).length / w, removes: subtractHashes(last, target.entries, w).length / w, target: target.entries, rowsRead: target.rowsRead, now: now() };
      known = { currentSize: input.currentSize, adds: input.adds, removes: input.removes };
      if (doubt.kind === 'lost') {
        outcome.warnings.push(doubt.reason);
        guardRemovals(deps, audience, input, outcome);
      } else {
        const calls = planSync({ current: 0, target: target.entries.length / w, adds: target.entries.length / w, removes: 0, remoteExists: true, membershipUnknown: true, callsLeft: Infinity, replacesToday: 0, hashesPerFile: perFile, filesPerCall: deps.filesPerCall ?? FILES_PER_CALL }).calls.length;
        const hold = checkUnknownMembership(store, audience, { ...input, foreignChanges: doubt.foreignChanges, foreignBaseline: doubt.changes - doubt.ours, calls });
        outcome.hold = hold;
        if (opts.dryRun) outcome.holdDigest = targetDigest(target.entries);
        if (hold.confirmed) outcome.warnings.push(hold.message);
        else if (!opts.dryRun) throw new SyncHeld(hold);
      }
      // Set aside only when the replace is about to go out (below): a sync the floor refuses, or that waits for the
      // day's calls, changes nothing here.
      setDoubtAside = () =>
        store.transaction(() => {
          store.quota.carryOver(doubt.lost);
          store.snapshots.clear(audienceId);
          clearPending(store, audienceId);
          // The replace that follows (now, or once the day's calls or the one-REPLACE window allow) overwrites every
          // change TikTok shows: they are accounted for, and not a reason to doubt again.
          if (doubt.changes !== null) store.audiences.setHistoryBaseline(audienceId, doubt.changes - store.quota.membershipCalls(audienceId));
        });
    }
    // Read and diffed in slices that yield to the event loop: a 5 M snapshot never holds the engine's loop (#13 §1).
    // A cohort in part files stays there unless the whole of it is sent in slices (joined below, once the plan is known).
    const currentCount = doubt || setAside ? 0 : reshaped ? reshaped.count : (store.snapshots.meta(audienceId)?.entryCount ?? 0);
    const membershipUnknown = !addedOnly && (Boolean(doubt) || (Boolean(audience.tiktokAudienceId) && !stored));
    // A replace of a membership known here by its size (the columns changed): its removal limit is judged on the
    // shrink, like any sync's removals, and it is shown as a replace from that size to the file's.
    const replaceOf = reshaped ? { before: reshaped.count, after: targetCount } : known ? { before: known.currentSize, after: targetCount } : null;
    // Remove what may be at TikTok and is not wanted; append what is wanted and may be missing.
    // Streamed: the stored snapshot chunk by chunk against the target (part by part), so neither is held whole.
    const diff = doubt || setAside || reshaped ? { adds: target.entries, removes: Buffer.alloc(0), plainAdds: target.entries, plainRemoves: Buffer.alloc(0) } : await diffWithPendingStreamed(store, audienceId, target.parts ?? target.entries, w);
    const { adds, removes } = diff;
    const addCount = entryCount(adds, w);
    if (layout.slots && layout.tuple) outcome.perKey = perKeyCounts(layout.slots, layout.tuple, doubt || setAside || reshaped ? Buffer.alloc(0) : await store.snapshots.loadAsync(audienceId), target.entries);
    const at = now();
    const callsLeft = store.quota.left(audienceId, at, budget);
    const lastReplace = store.quota.lastReplaceAt(audienceId);
    const replaceFreeAt = lastReplace && lastReplace.getTime() + REPLACE_WINDOW_MS > at.getTime() ? new Date(lastReplace.getTime() + REPLACE_WINDOW_MS) : null;
    // Added-only: the audience also holds the people others added (as many as TikTok matched when it was adopted).
    // A replace from a known size: its net change (what the removal limit and the floor's words weigh).
    const net = known ? { adds: known.adds, removes: known.removes } : replaceOf ? { adds: Math.max(0, replaceOf.after - replaceOf.before), removes: Math.max(0, replaceOf.before - replaceOf.after) } : null;
    const plan = planSync({
      current: others + currentCount, target: others + targetCount, adds: net ? net.adds : addCount, removes: net ? net.removes : removes.length / w,
      remoteExists: Boolean(audience.tiktokAudienceId), membershipUnknown, callsLeft, replaceAllowed: !addedOnly,
      replacesToday: replaceFreeAt ? 1 : 0, hashesPerFile: perFile, filesPerCall: deps.filesPerCall ?? FILES_PER_CALL,
    });
    if (plan.strategy === 'create') {
      const w = matchWarning(store, audience, targetCount);
      if (w) plan.warnings.push(w);
      outcome.matchWarning = w;
    }
    // An adopted audience needs a REPLACE, and one went out in the last 24 h: wait for the window, not a quota day.
    const replaceWait = plan.strategy === 'adopt' && replaceFreeAt !== null && plan.now.length === 0 && plan.deferred.length > 0;
    const fallbackWarnings = outcome.warnings;
    Object.assign(outcome, {
      strategy: reshaped ? 'replace' : plan.strategy, adds: net ? net.adds : addCount, removes: net ? net.removes : removes.length / w, callsPlanned: plan.calls.length, replace: replaceOf,
      callsLeft, currentSize: others + currentCount, projectedSize: plan.projectedSize, warnings: [...fallbackWarnings, ...plan.warnings],
    });
    if (plan.deferred.length > 0) {
      outcome.deferredUntil = (replaceWait ? replaceFreeAt! : nextUtcDay(at)).toISOString();
      // The one-REPLACE-a-day rule and the day's calls are different waits, and say so.
      outcome.deferredReason = replaceWait
        ? `TikTok allows one full replace of an audience a day, and this audience had one less than 24 hours ago. Making it match the file needs another, so it waits until ${outcome.deferredUntil}.`
        : `Today's ${budget} calls for this audience are used; ${plan.deferred.length} call(s) wait until ${outcome.deferredUntil} (UTC midnight).`;
    }
    if (runId !== null) store.runs.setCounts(runId, { ...outcome.counts, adds: outcome.adds, removes: outcome.removes });

    if (plan.floorBlock) throw new AppError('AUDIENCE_TOO_SMALL', floorMessage(replaceOf ? { ...plan.floorBlock, current: replaceOf.before, replace: true } : plan.floorBlock, opts.trigger === 'undo'));
    // Saved as "start when the cohort reaches 1,000": while the file is under the floor nothing is created (floor-wait.ts).
    if (plan.strategy === 'create' && !opts.dryRun && runId !== null && outcome.projectedSize < AUDIENCE_FLOOR && waitsForFloor(store, audience)) {
      outcome.status = 'deferred';
      outcome.error = { code: 'AUDIENCE_TOO_SMALL', message: floorWaitMessage(outcome.projectedSize), retryable: true };
      outcome.deferredReason = outcome.error.message;
      store.runs.finish(runId, 'deferred', { deferredUntil: null, errorCode: outcome.error.code, errorMessage: outcome.error.message });
      return outcome;
    }
    // The safety net, before anything is sent: too many removals hold the sync until the user confirms it.
    // A target in part files is digested part by part (a removal hold names the exact file it held).
    const parted = target.parts && plan.strategy !== 'create' ? { targetDigest: await digestAsync(target.parts) } : {};
    guardRemovals(deps, audience, { trigger: opts.trigger, dryRun: Boolean(opts.dryRun), runId, strategy: reshaped ? 'replace' : plan.strategy, replace: Boolean(reshaped), matchRate, currentSize: outcome.currentSize, adds: outcome.adds, removes: outcome.removes, target: target.entries, ...parted, rowsRead: target.rowsRead, now: now() }, outcome);
    if (opts.dryRun) {
      outcome.status = 'planned';
      return outcome;
    }

    // A cohort in part files is sent as it is by a call that carries all of it (a first create); a call that carries a
    // slice of it (a create or replace of several calls) needs it joined, and every set that was those parts with it.
    // (Only the target, and the adds of a first sync that are the target itself, can be in parts.)
    const parts = target.parts;
    const fromParts = (source: PlannedCall['source']) => source === 'target' || (source === 'adds' && diff.adds === parts);
    if (parts && plan.now.some((c) => fromParts(c.source) && !(c.offset === 0 && c.entries === parts.count))) await joinParts(target);
    const joined = (e: Entries): Entries => (e === parts && !target.parts ? target.entries : e);
    const sets: { adds: Entries; removes: Buffer; target: Entries } = { adds: joined(adds), removes, target: target.parts ?? target.entries };
    // An audience TikTok is still processing takes no call now. Asked before anything of this run becomes uncertain: a
    // run that sends nothing leaves nothing the next run would have to send again or take back (second review: files
    // alternating every few seconds cost calls that changed nothing). sendCall asks again before each later call.
    if (plan.now.length > 0 && audience.tiktokAudienceId) {
      const wait = await processingWait(deps.api, audience.tiktokAudienceId, store.quota.lastChangeAt(audienceId), now(), { windowMs: deps.processingWindowMs, retryMs: deps.processingRetryMs ?? PROCESSING_RECHECK_MS });
      if (wait) throw new Deferral(wait, STILL_PROCESSING_MESSAGE);
    }
    // Everything this run may change becomes uncertain until a run completes (not needed for the first
    // call of a create: a lost create is found by name).
    if (plan.now.length > 0) setDoubtAside?.();
    if (plan.now.length > 0 && audience.tiktokAudienceId) {
      const replace = plan.strategy === 'replace' || plan.strategy === 'adopt';
      // Those of a membership in the old width are the old shape's: the replace about to go out overwrites them all.
      if (reshaped) await clearPendingAsync(store, audienceId);
      const maybeAdded = joined(replace ? diff.plainAdds : adds);
      // A REPLACE whose first call carries only the start of the file leaves TikTok holding just that until the rest is
      // appended (later in the run, or another day): the rest may be gone though the snapshot has it.
      const first = plan.now[0]!;
      const replacedAway = replace && first.source === 'target' && first.offset === 0 && Buffer.isBuffer(sets.target) && first.entries * w < sets.target.length ? sets.target.subarray(first.entries * w) : null;
      await addPendingAsync(store, audienceId, maybeAdded, replace ? (replacedAway ? unionHashes(diff.plainRemoves, replacedAway, w) : diff.plainRemoves) : removes, w);
    } else if (plan.now.length > 1) {
      const rest = plan.now.slice(1).map((c) => slice(sets[c.source], c, w));
      await addPendingAsync(store, audienceId, rest.reduce<Buffer>((acc, b) => unionHashes(acc, Buffer.isBuffer(b) ? b : b.toBufferSync(), w), Buffer.alloc(0)), Buffer.alloc(0), w);
    }
    // From here the whole target is needed only by a call that sends it (a create, a REPLACE): an incremental sync
    // lets it go, so a large cohort never holds the target, the snapshot and the next snapshot at once.
    if (!plan.now.some((c) => c.source === 'target')) target.entries = sets.target = Buffer.alloc(0);
    let sent = 0;
    for (const call of plan.now) {
      if (signal.aborted) throw new AppError('CANCELLED');
      const entries = slice(sets[call.source], call, w);
      progress('sending', 60 + (35 * sent) / Math.max(1, plan.now.length), { message: `${call.kind} ${countText(call.entries)}` });
      await sendCall({ deps, audienceId, runId: runId!, call, entries, tmp, perFile, layout, budget, now, sleep, signal, maxAttempts });
      audience = store.audiences.require(audienceId);
      outcome.callsUsed = store.runs.get(runId!)!.callsUsed;
      sent++;
    }
    outcome.tiktokAudienceId = audience.tiktokAudienceId;
    outcome.callsUsed = store.runs.get(runId!)!.callsUsed;
    outcome.status = plan.deferred.length > 0 ? 'deferred' : 'done';
    if (outcome.status === 'done') {
      await clearPendingAsync(store, audienceId);
      // An erasure is not the held sync: its hold stays, re-planned without the person (SyncService.erase).
      if (opts.trigger !== 'erase') store.holds.clear(audienceId);
    }
    clearAdvertiserUnreachable(store, audience.connectionId, audience.advertiserId);
    if (outcome.status === 'deferred') {
      outcome.error = { code: replaceWait ? 'REPLACE_PENDING' : 'QUOTA_EXHAUSTED', message: outcome.deferredReason!, retryable: true };
    }
    store.runs.finish(runId!, outcome.status, { deferredUntil: outcome.deferredUntil, ...(outcome.error ? { errorCode: outcome.error.code, errorMessage: outcome.error.message } : {}) });
    progress('verifying', 97);
    return outcome;
  } catch (err) {
    if (err instanceof SyncHeld) return finishHeld(store, runId, err, outcome);
    if (err instanceof Deferral || (err instanceof AppError && err.code === 'QUOTA_EXHAUSTED')) {
      const until = err instanceof Deferral ? err.until : nextUtcDay(now());
      outcome.status = 'deferred';
      outcome.deferredUntil = until.toISOString();
      outcome.error = err instanceof Deferral ? { code: err.code, message: err.reason, retryable: true } : toErrorShape(err);
      outcome.deferredReason = outcome.error.message;
      if (runId !== null) {
        outcome.callsUsed = store.runs.get(runId)!.callsUsed;
        store.runs.finish(runId, 'deferred', { deferredUntil: outcome.deferredUntil, errorCode: outcome.error.code, errorMessage: outcome.error.message });
      }
      outcome.tiktokAudienceId = store.audiences.get(audienceId)?.tiktokAudienceId ?? null;
      return outcome;
    }
    let shape = toErrorShape(err);
    outcome.status = shape.code === 'CANCELLED' ? 'cancelled' : 'failed';
    if (runId !== null) outcome.callsUsed = store.runs.get(runId)!.callsUsed;
    // A cancel says how far the run got (the reader's or the client's words named neither), never that TikTok was asked when it was not.
    if (shape.code === 'CANCELLED') shape = { ...shape, message: cancelledWords(outcome.callsUsed) };
    outcome.error = shape;
    if (runId !== null) store.runs.finish(runId, outcome.status, { errorCode: shape.code, errorMessage: shape.message });
    if (shape.code === 'AUTH_EXPIRED' && audience.connectionId) store.connections.setStatus(audience.connectionId, 'needs_reconnect', shape.message);
    // 40106: the token works, but not for this ad account. Its audiences need attention; the connection's others do not.
    if (shape.code === 'ADVERTISER_UNREACHABLE') markAdvertiserUnreachable(store, audience.connectionId, audience.advertiserId, shape.message, now());
    outcome.tiktokAudienceId = store.audiences.get(audienceId)?.tiktokAudienceId ?? null;
    return outcome;
  } finally {
    // Off the loop: a large cohort's upload files and part files are hundreds of megabytes to unlink.
    await spilled?.dispose().catch(() => undefined);
    if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    releaseCreate();
    release();
  }
}

async function finishPartner(
  deps: SyncDeps,
  audience: AudienceRecord,
  runId: number | null,
  target: TargetSet,
  opts: SyncOptions,
  signal: AbortSignal,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  maxAttempts: number,
  outcome: SyncOutcome,
  progress: (phase: SyncPhase, percent: number, extra?: Partial<SyncProgress>) => void,
): Promise<SyncOutcome> {
  if (!deps.partnerApi) throw new AppError('INTERNAL', 'Partner audiences are not available in this build. Use a customer-file audience.');
  const r = await syncPartnerAudience({
    store: deps.store, api: deps.partnerApi, audience, runId, target: target.entries, dryRun: Boolean(opts.dryRun), signal, sleep, maxAttempts,
    batchRows: deps.partnerBatchRows, progress: (p, message) => progress('sending', 60 + p * 0.37, { message }),
    now: () => (deps.now ?? (() => new Date()))().getTime(), readyWaitMs: deps.partnerReadyWaitMs, processingWaitMs: deps.processingRetryMs, checkpoint: deps.checkpoint,
    guard: (d) => guardRemovals(deps, audience, { trigger: opts.trigger, dryRun: Boolean(opts.dryRun), runId, strategy: d.exists ? 'incremental' : 'create', currentSize: d.currentSize, adds: d.adds, removes: d.removes, target: target.entries, rowsRead: target.rowsRead, now: deps.now?.() ?? new Date() }, outcome),
  });
  Object.assign(outcome, {
    strategy: !audience.tiktokAudienceId ? 'create' : r.adds + r.removes === 0 ? 'nothing' : 'incremental',
    adds: r.adds, removes: r.removes, callsPlanned: r.callsPlanned, callsUsed: r.callsUsed, currentSize: r.currentSize,
    projectedSize: target.entries.length / layoutOf(audience).width, warnings: r.warnings, matchWarning: r.matchWarning, tiktokAudienceId: r.tiktokAudienceId,
  });
  if (runId !== null) deps.store.runs.setCounts(runId, { ...outcome.counts, adds: r.adds, removes: r.removes });
  if (opts.dryRun) {
    outcome.status = 'planned';
    return outcome;
  }
  outcome.status = 'done';
  clearAdvertiserUnreachable(deps.store, audience.connectionId, audience.advertiserId);
  if (opts.trigger !== 'erase') deps.store.holds.clear(audience.id);
  deps.store.runs.finish(runId!, 'done');
  return outcome;
}

/**
 * The removal limit (removal-guard.ts): over it, a run throws RemovalsHeld before anything is sent; a dry run only
 * reports it; a change the user confirmed goes ahead, and says so.
 */
function guardRemovals(deps: SyncDeps, audience: AudienceRecord, input: Parameters<typeof checkRemovals>[2], outcome: SyncOutcome): void {
  const hold = checkRemovals(deps.store, audience, input);
  // Also without a hold, when the audience has one: an erasure's re-plan of a held sync names the file as it is now by it
  // (SyncService.replanHold). Other dry runs skip it: a SHA-256 over the whole target, on the engine's thread.
  if (input.dryRun && (hold || deps.store.holds.get(audience.id))) outcome.holdDigest = input.targetDigest ?? targetDigest(input.target);
  if (!hold) return;
  outcome.hold = hold;
  if (hold.confirmed) outcome.warnings.push(hold.message);
  else if (!input.dryRun) throw new SyncHeld(hold);
}

/** A held run: recorded in the sync log as held, with the numbers; no call was spent. */
function finishHeld(store: Store, runId: number | null, err: SyncHeld, outcome: SyncOutcome): SyncOutcome {
  Object.assign(outcome, { status: 'held', hold: err.hold, adds: err.hold.adds, removes: err.hold.removes, currentSize: err.hold.currentSize, projectedSize: err.hold.currentSize + err.hold.adds - err.hold.removes, error: err.toShape() });
  if (runId !== null) {
    store.runs.setCounts(runId, { ...outcome.counts, adds: err.hold.adds, removes: err.hold.removes });
    outcome.callsUsed = store.runs.get(runId)!.callsUsed;
    store.runs.finish(runId, 'held', { errorCode: err.code, errorMessage: err.hold.message });
  }
  outcome.tiktokAudienceId = store.audiences.get(outcome.audienceId)?.tiktokAudienceId ?? null;
  return outcome;
}

/** A cancelled run in words: before its first call nothing reached TikTok; after, what went through stays. */
function cancelledWords(callsUsed: number): string {
  if (callsUsed === 0) return 'Cancelled before anything was sent to TikTok.';
  return `Cancelled after ${callsUsed} ${callsUsed === 1 ? 'call' : 'calls'} to TikTok: what they sent stays, and the next sync sends the rest.`;
}

/** The entries one call carries: a slice of a buffer, or a whole set in parts (runSync joins any other). */
function slice(set: Entries, call: PlannedCall, w: number): Entries {
  if (Buffer.isBuffer(set)) return set.subarray(call.offset * w, (call.offset + call.entries) * w);
  if (call.offset !== 0 || call.entries !== set.count) throw new AppError('INTERNAL', 'A slice of a set kept in part files was asked for.');
  return set;
}

/** Joins a target kept in part files into `entries` (and lets the files go). */
async function joinParts(target: TargetSet): Promise<void> {
  if (!target.parts) return;
  target.entries = await target.parts.toBuffer();
  await target.parts.dispose();
  target.parts = undefined;
}

/**
 * Per key: the people with that key in the cohort, and how many people's values of it join or leave — people, not
 * values (#14 §2): a person with two emails counts once under email; one whose second email changed leaves and joins.
 */
function perKeyCounts(slots: MultiSlot[], tuple: TupleLayout, snapshot: Buffer, target: Buffer): NonNullable<SyncOutcome['perKey']> {
  const out: NonNullable<SyncOutcome['perKey']> = {};
  for (const slot of MULTI_SLOTS) {
    if (!slots.includes(slot)) continue;
    const now = slotPeople(target, slot, tuple);
    const d = diffHashes(slotPeople(snapshot, slot, tuple).sets, now.sets, now.width);
    out[slot] = { target: now.sets.length / now.width, adds: d.adds.length / now.width, removes: d.removes.length / now.width };
  }
  return out;
}

/**
 * Deletes, in slices, the audience's chunks nothing points at: generations a crash left half-written or replaced
 * ones not yet deleted (migration 009). Under the audience's lock, so no sync of it is staging one.
 */
export async function sweepOrphans(store: Store, audienceId: number): Promise<void> {
  await store.snapshots.sweep(audienceId);
  await sweepPending(store, audienceId);
  await sweepDeltas(store, audienceId);
}

/**
 * sweepOrphans for every audience that has orphaned chunks (a crash, in any process, between the slices of a write):
 * run when a host opens the store. Each audience is swept under its lock; one a live process is syncing is left to
 * that sync (its run sweeps too). Finding them reads only the tables' row headers, not the 1 MiB chunks.
 */
export async function sweepAllOrphans(store: Store): Promise<number[]> {
  const swept: number[] = [];
  for (const id of audiencesWithOrphans(store.db)) {
    let release: () => void;
    try {
      release = acquireAudienceLock(store, id, `sweep-${process.pid}-${Math.random().toString(36).slice(2)}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'SYNC_RUNNING') continue;
      throw err;
    }
    try {
      await sweepOrphans(store, id);
      swept.push(id);
    } finally {
      release();
    }
  }
  return swept;
}

/** Marks runs a crash left as running as failed; their reserved calls keep counting. Call under the lock. */
export function recoverInterrupted(store: Store, audienceId: number): void {
  store.transaction(() => {
    for (const run of store.runs.unfinished()) {
      if (run.audienceId !== audienceId) continue;
      store.quota.failReservedOfRun(run.id);
      store.runs.finish(run.id, 'failed', { errorCode: 'INTERNAL', errorMessage: 'Interrupted: the app stopped during this sync. The next run resumed from the last change TikTok acknowledged.' });
    }
  });
}

/** Why this computer's record of who is in an audience cannot be trusted (see localStateDoubt). */
type Doubt =
  | {
      /** The database lost calls it sent (the quota journal beside it has them): known for sure. */
      kind: 'lost';
      reason: string;
      /** The journal's calls to count again. */
      lost: QuotaJournalEntry[];
      /** TikTok's count of membership changes, when it could be read whole (else null). */
      changes: number | null;
    }
  | {
      /** TikTok's history has more membership changes than this app sent and had accounted for. */
      kind: 'foreign';
      lost: QuotaJournalEntry[];
      foreignChanges: number;
      changes: number;
      /** This app's membership calls that TikTok may have applied. */
      ours: number;
    };

/**
 * Why this computer's record of who is in the audience (the snapshot) cannot be trusted, or null. A diff against it
 * would be wrong (TikTok could keep hundreds of people while the sync says "+0 −0"):
 * - 'lost': the quota journal beside the database has calls to this audience that the database lost (a crash took
 *   its last writes, e.g. the -wal file), or calls were carried over from the journal after its snapshot (a restored
 *   backup). This app sent them, so the sync replaces the whole membership without asking.
 * - 'foreign': TikTok's history counts more changes to who is in the audience than this app sent (acknowledged,
 *   unanswered or carried over; refused ones were never applied) plus those accounted for when it was adopted or
 *   kept (the baseline): another tool changed it, or this computer lost records the journal no longer has. TikTok's
 *   opt_time has no time zone, so nothing is dated: entries are counted. A history as long as asked for may leave
 *   older entries out: then the count cannot tell, and there is no doubt on that basis. Not for an undo (it sends
 *   the inverse of this app's own last change). The user chooses (checkUnknownMembership).
 * An audience whose baseline is not known yet (made before this was counted) gets it now, from TikTok's count.
 * A dry run asks TikTok too, records nothing, and stays quiet offline.
 */
async function localStateDoubt(deps: SyncDeps, audience: AudienceRecord, opts: Pick<SyncOptions, 'dryRun' | 'trigger'>, at: Date): Promise<Doubt | null> {
  const store = deps.store;
  const lost = store.quota.lostCalls(audience.id, at);
  const carried = store.quota.unabsorbedCarryover(audience.id);
  let remote: RemoteAudience | null = null;
  try {
    remote = await deps.api.get(audience.tiktokAudienceId!);
  } catch (err) {
    // Without TikTok's count a lost call still decides; a dry run stays quiet offline.
    if (!opts.dryRun && lost.length + carried === 0) throw err;
  }
  const changes = remote && typeof remote.membershipChanges === 'number' && !remote.historyTruncated ? remote.membershipChanges : null;
  if (lost.length + carried > 0) {
    const n = lost.length + carried;
    return {
      kind: 'lost',
      lost,
      changes,
      reason: `This computer lost its record of ${n} change(s) it sent to this TikTok audience (the app stopped before they were saved, or an older copy of its data was restored), so who is in the audience is not known here. To make it match the file exactly, this sync replaces its whole membership (one full REPLACE).`,
    };
  }
  if (changes === null) return null;
  const ours = store.quota.membershipCalls(audience.id);
  const baseline = store.audiences.historyBaseline(audience.id);
  if (baseline === null) {
    if (!opts.dryRun) store.audiences.setHistoryBaseline(audience.id, changes - ours);
    return null;
  }
  const foreignChanges = changes - baseline - ours;
  if (foreignChanges <= 0 || opts.trigger === 'undo') return null;
  return { kind: 'foreign', lost: [], foreignChanges, changes, ours };
}

/**
 * Asks TikTok whether the customer-file audience takes changes now (a read: no audience call is spent).
 * Unavailable for good: marks it, stops its schedule and throws AUDIENCE_UNAVAILABLE. Still processing:
 * throws a Deferral. Available: returns.
 */
async function checkEditable(deps: SyncDeps, audience: AudienceRecord, at: Date): Promise<void> {
  const remote = await deps.api.get(audience.tiktokAudienceId!);
  if (remote === null) throw new AppError('AUDIENCE_NOT_FOUND', 'TikTok no longer has this audience: it was deleted or expired. Sync the cohort to a new audience.');
  const verdict = readAvailability(remote, deps.store.quota.lastChangeAt(audience.id), at, deps.processingWindowMs);
  if (verdict === 'unavailable') {
    markUnavailable(deps.store, audience, remote.coverNum, at);
    throw new AppError('AUDIENCE_UNAVAILABLE', unavailableMessage(remote.coverNum));
  }
  if (verdict === 'processing') {
    throw new Deferral(new Date(at.getTime() + (deps.processingRetryMs ?? PROCESSING_RECHECK_MS)), 'TikTok is still processing this audience, so it cannot change yet. Nothing to do: the sync tries again when TikTok is done.');
  }
}

interface SendCtx {
  deps: SyncDeps;
  audienceId: number;
  runId: number;
  call: PlannedCall;
  /** In parts only for a first sync's one create call of a cohort too large for memory. */
  entries: Entries;
  tmp: string;
  perFile: number;
  layout: EntryLayout;
  budget: number;
  now: () => Date;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  maxAttempts: number;
}

/**
 * Uploads the call's files (re-using file_paths of identical bytes) and sends it under the send policy until
 * acknowledged (send-policy.ts). Every attempt is reserved in the quota ledger first, and counted as TikTok counts it.
 */
async function sendCall(c: SendCtx): Promise<void> {
  const { deps, audienceId, call } = c;
  const store = deps.store;
  const audience = store.audiences.require(audienceId);
  // An edit of an audience changed moments ago (this run's last call, a sync seconds ago) waits while TikTok processes
  // it: asked with a read, not refused with a spent call.
  const wait = audience.tiktokAudienceId ? await processingWait(deps.api, audience.tiktokAudienceId, store.quota.lastChangeAt(audienceId), c.now(), { windowMs: deps.processingWindowMs, retryMs: deps.processingRetryMs ?? PROCESSING_RECHECK_MS }) : null;
  if (wait) throw new Deferral(wait, STILL_PROCESSING_MESSAGE);
  const files = await c.layout.writeFiles(c.entries, c.tmp, c.perFile);
  let filePaths = await uploadAll(c, audience, files, false);
  const kind = call.kind === 'create' && audience.tiktokAudienceId ? 'REPLACE' : call.kind;

  return sendUnderPolicy(
    policyClock(c),
    async () => {
      const quotaId = store.quota.reserve(audienceId, kind, c.now(), c.budget, c.runId);
      try {
        if (kind === 'create') {
          const res = await deps.api.create({ name: audience.name, calculateType: audience.calculateType, filePaths });
          deps.checkpoint?.('create-answered');
          return await acknowledge(c, quotaId, kind, res.requestId, res.audienceId);
        }
        const res = await deps.api.update({ audienceId: audience.tiktokAudienceId!, action: kind, filePaths });
        return await acknowledge(c, quotaId, kind, res.requestId, null);
      } catch (err) {
        if (!isRemoteFailure(err)) {
          store.quota.fail(quotaId);
          throw err;
        }
        // Count what TikTok counts: a refusal before the request reached the audience (a rate limit, an expired file) is not.
        if (err.delivery === 'not-sent' || (err.delivery === 'rejected' && err.countsAgainstAudience === false)) store.quota.release(quotaId);
        else if (err.delivery === 'rejected') store.quota.refuse(quotaId);
        else store.quota.fail(quotaId);
        if (kind === 'create' && err.delivery === 'maybe-applied') {
          // No answer (lost, or not within the client's timeout): an unknown outcome that TikTok may still be applying. It
          // is looked for by name, again once TikTok has had time to finish, before creating again (lost-create.ts). If it
          // exists, this very call made it, with exactly these files.
          const found = await findLostCreate(lookup(c), audience);
          if (found) return await acknowledge(c, quotaId, 'create', null, found.audienceId);
        }
        throw err;
      }
    },
    {
      reupload: async () => {
        filePaths = await uploadAll(c, audience, files, true);
      },
      // 40002 "not editable": processing, or unavailable for good. TikTok's own report of the audience decides.
      beforeProcessingDeferral: async () => {
        if (kind === 'create') return;
        noteRefusedEdit(store, audienceId, c.now());
        await checkEditable(deps, audience, c.now());
      },
    },
  );
}

/** The engine's clock, sleep and bounds, as the send policy takes them. */
function policyClock(c: Pick<SendCtx, 'deps' | 'now' | 'sleep' | 'signal' | 'maxAttempts'>): SendClock {
  return { now: c.now, sleep: c.sleep, signal: c.signal, maxAttempts: c.maxAttempts, processingWaitMs: c.deps.processingRetryMs };
}

/** The lost-create lookup on the engine's clock. */
function lookup(c: { deps: SyncDeps; now: () => Date; sleep: (ms: number, signal: AbortSignal) => Promise<void>; signal: AbortSignal }): LostCreateLookup {
  return { store: c.deps.store, api: c.deps.api, now: c.now, sleep: c.sleep, signal: c.signal };
}

/**
 * How long an uploaded file_path is used again. TikTok expires file paths after a time it does not document (the
 * sandbox: 24 h) and refuses a call naming an expired one (40910): older cached paths are uploaded again first.
 */
export const UPLOAD_REUSE_MS = 12 * 3_600_000;

/** Uploads cost no audience quota and are idempotent: every transient failure is resent under the send policy. */
async function uploadAll(c: SendCtx, audience: AudienceRecord, files: { path: string; md5: string }[], fresh: boolean): Promise<string[]> {
  const store = c.deps.store;
  const paths: string[] = [];
  for (const file of files) {
    const key = { advertiserId: audience.advertiserId, calculateType: audience.calculateType, md5: file.md5 };
    // A file path TikTok may have expired by now (40910) is not used: the file is uploaded again first.
    const cached = fresh ? null : store.uploads.fresh(key, new Date(c.now().getTime() - UPLOAD_REUSE_MS));
    if (cached) {
      paths.push(cached);
      continue;
    }
    const res = await sendUnderPolicy(policyClock(c), () => c.deps.api.uploadFile({ path: file.path, md5: file.md5, calculateType: audience.calculateType }));
    store.uploads.put(key, res.filePath, c.now());
    paths.push(res.filePath);
  }
  return paths;
}

/**
 * Commits one acknowledged call: ledger, snapshot, undo delta, run counts — together. The next snapshot is streamed from
 * the stored one and the call's entries into a staged generation (snapshot-merge.ts: neither is held whole), and the
 * delta is staged too, in small transactions that yield to the event loop (issue #13 §1), so the transaction itself only
 * moves pointers; a crash before it leaves the old snapshot current (the orphans are swept at the next run's start).
 */
async function acknowledge(c: SendCtx, quotaId: number, kind: PlannedCall['kind'], requestId: string | null, newAudienceId: string | null): Promise<void> {
  const store = c.deps.store;
  const w = c.layout.width;
  const next = await stageAfter(store, c.audienceId, kind, c.entries, w);
  const delta = await stageDelta(store, c.runId, next.added, next.removed, w);
  store.transaction(() => {
    store.quota.ack(quotaId, { requestId, entries: entryCount(c.entries, w) });
    clearRefusedEdit(store, c.audienceId);
    if (newAudienceId) store.audiences.setTiktokId(c.audienceId, newAudienceId);
    store.snapshots.commit(c.audienceId, next.generation, next.count, w, next.digest);
    commitDelta(store, delta);
    store.runs.addCallsUsed(c.runId, 1);
  });
  // What an acknowledged APPEND or REMOVE sent is certain now: a run that ends before its next call does not resend it.
  if ((kind === 'APPEND' || kind === 'REMOVE') && Buffer.isBuffer(c.entries)) await settlePendingAsync(store, c.audienceId, c.entries, w);
  await store.snapshots.sweep(c.audienceId);
  await sweepDeltas(store, c.audienceId);
}
