import { AUDIENCE_FLOOR, KEY_LABELS, type CalculateType, type KeyType, type NormalizationProfile } from '../../../shared/domain';
import { AppError, toErrorShape } from '../../../shared/errors';
import { countText } from '../../../shared/count-text';
import { entriesHolding, MAX_COLUMNS_PER_KEY, slotOfKey, subtractHashes } from '../cohort';
import { readSyncTarget } from './cohort-target';
import { erasedDigests } from './erasure';
import { layoutOf, membershipLayout } from './entry-layout';
import { changeColumns, columnsChangeEffect } from './mapping-change';
import type { Store } from '../store';
import type { AudienceRecord, Cadence, KeyMapping, NewAudience, RemovalMode } from '../store/audiences-repo';
import type { RunRecord, RunTrigger } from '../store/runs-repo';
import { nextUtcDay } from '../store/quota-repo';
import { SETTINGS } from '../store/settings-keys';
import { MAX_DAILY_CALL_BUDGET, type ApiCallView } from '../../../shared/ipc/dto';
import type { AudienceApi, PartnerApi, RemoteAudience } from './audience-api';
import { mappedKeys, sourceOf, unsaved } from './new-audience';

/**
 * Several columns of one key (`Email 1`, `Email 2`: a person with two emails) become one mapping with extra columns,
 * in the order the keys were first named: for a single-key audience every value is one line of TikTok's file; beside
 * other keys (a multi-key audience) the key's column repeats in the MULTIPLE_TYPES header, one row per person.
 */
/** The mappings with the phone key read with `countryColumn` (a column of ISO country codes), when one is named. */
export function withCountryColumn(keys: KeyMapping[], countryColumn: string | number | null | undefined): KeyMapping[] {
  if (countryColumn === null || countryColumn === undefined) return keys;
  return keys.map((k) => (k.key === 'phone' ? { ...k, countryColumn } : k));
}

export function sameKeyColumns(keys: KeyMapping[]): KeyMapping[] {
  const out: KeyMapping[] = [];
  for (const k of keys) {
    const first = out.find((x) => x.key === k.key);
    if (!first) out.push({ ...k });
    else if (k.column !== null) first.extraColumns = [...(first.extraColumns ?? []), k.column, ...(k.extraColumns ?? [])];
  }
  for (const k of out) {
    if (1 + (k.extraColumns?.length ?? 0) > MAX_COLUMNS_PER_KEY) throw new AppError('INVALID_ARGUMENT', `Map at most ${MAX_COLUMNS_PER_KEY} columns to one key (TikTok takes up to ${MAX_COLUMNS_PER_KEY} values of a kind per person).`);
  }
  return out;
}

/** One HTTP request, as the sync log keeps it (the client's CallEvent satisfies it). */
export type ApiCallEvent = Omit<ApiCallView, 'id' | 'detail'> & { error?: { message: string } };
import { undoTarget, type UndoTarget } from './undo-target';
import { clearErasure, hasQueuedErasure, queuedErasure } from './erasure';
import { recoverInterrupted, runSync, type SyncDeps, type SyncOutcome, type SyncProgress, type TargetSet } from './sync-runner';
import { acquireAudienceLock } from './locks';
import { refreshStatus, type StatusRecord } from './status';
import { confirmHold, keepHold } from './removal-guard';
import type { HoldRecord, HoldState } from '../store/holds-repo';

/**
 * What an erasure did to the audience's held sync: planned again without the person (`carried`: the file is the one
 * held, so what the user decided (`was`) still stands; otherwise it asks again), no longer held (`cleared`), or not
 * planned again (`failed`, `reason` in words: the hold stays as it was).
 */
/** `checked`: false when whether the file is still the one held could not be told (the hold is then asked again, or a kept one stays kept). */
export type HoldReplan = { outcome: 'replanned'; carried: boolean; was: HoldState; checked: boolean } | { outcome: 'cleared' } | { outcome: 'failed'; reason: string };

/** An erasure's run, with what became of the audience's held sync (when it had one and the erasure went out). */
export type EraseOutcome = SyncOutcome & { holdReplan?: HoldReplan };

/** Per key, the sorted SHA-256 digests of identifiers erased from an audience (erasure.ts erasedDigests). */
export type ErasedDigests = Partial<Record<KeyType, Buffer>>;

function isOutcome(x: unknown): x is SyncOutcome {
  return typeof x === 'object' && x !== null && 'status' in x && 'audienceId' in x;
}

/** An error's message, as sentences. */
function errorText(err: unknown): string {
  const m = (typeof err === 'string' ? err : toErrorShape(err).message).trim();
  return /[.!?]$/.test(m) ? m : `${m}.`;
}

/** The settings key of the daily call budget (the registry's, store/settings-keys.ts). */
export const DAILY_BUDGET_KEY = SETTINGS.dailyBudget.key;

/** A read cohort as a sync target, with the columns it was read from (the key of each, for several keys). */
export interface CohortTarget extends TargetSet {
  columns: { index: number; name: string; key?: KeyType }[];
  /** More rows were rejected than `rejects` keeps. */
  rejectsTruncated: boolean;
  /** Entries the suppression list left out. */
  suppressed: number;
}

/** What a user names when syncing a cohort: a file, a key, and an audience by name or TikTok id. */
export interface AudienceSpec {
  advertiserId: string;
  connectionId: string | null;
  name?: string;
  tiktokAudienceId?: string;
  key: KeyType;
  column: string | number | null;
  sourcePath: string;
  sourceKind?: 'file' | 'folder';
  sourcePattern?: string | null;
  suppressPath?: string | null;
  profile: NormalizationProfile;
  cadence?: Cadence;
  /** Two or three mapped columns (email, phone, IDFA or GAID) make a multi-key (MULTIPLE_TYPES) audience; key/column are then ignored. */
  keys?: KeyMapping[];
  /** 'segment' keeps a partner audience through the segment API (allowlisted apps); default the customer-file API. */
  api?: 'file' | 'segment';
  /**
   * Who syncs may remove: 'mirror' (the audience holds exactly the file) or 'added-only' (only people this app added).
   * Unset: an audience adopted from TikTok is 'added-only', one this app creates 'mirror'; a saved one keeps its own.
   */
  removalMode?: RemovalMode;
  /** A new audience only: the user's answer to "is the first row a header?" (unset: judged at each read). */
  hasHeader?: boolean;
  /** The phone key's column of ISO country codes (national-format numbers are read with their row's country). */
  countryColumn?: string | number | null;
}

export interface SyncServiceDeps {
  store: Store;
  /**
   * The customer-file API for the audience's advertiser and connection. `onCall` receives every HTTP
   * request made (for the sync log: endpoint, code, request id, duration — never the token or hashes).
   */
  apiFor(audience: AudienceRecord, opts?: { signal?: AbortSignal; onCall?: (e: ApiCallEvent) => void }): Promise<AudienceApi>;
  /** The segment API for partner audiences (same connection rules). */
  partnerApiFor?(audience: AudienceRecord, opts?: { signal?: AbortSignal; onCall?: (e: ApiCallEvent) => void }): Promise<PartnerApi>;
  now?: () => Date;
  onProgress?(p: SyncProgress): void;
  /** Test seams: small upload files, no real sleeping. */
  runner?: Partial<Pick<SyncDeps, 'hashesPerFile' | 'filesPerCall' | 'sleep' | 'maxAttempts' | 'processingRetryMs' | 'partnerBatchRows' | 'processingWindowMs' | 'partnerReadyWaitMs' | 'checkpoint'>>;
}

/**
 * The sync operations every host uses (CLI, daemon, desktop app): resolve an audience, plan, sync,
 * undo, refresh status. One sync at a time per audience; cancellable.
 */
export class SyncService {
  private readonly controllers = new Map<number, AbortController>();
  constructor(private readonly deps: SyncServiceDeps) {}

  get dailyBudget(): number {
    // A budget stored before the cap was enforced never lets the planner count on calls TikTok refuses.
    return Math.min(MAX_DAILY_CALL_BUDGET, this.deps.store.settings.read(SETTINGS.dailyBudget));
  }

  /**
   * Finds the local audience the spec names, or records a new one. The key of a saved audience cannot
   * change: asking for another key is refused with the way out (a new audience).
   */
  async ensureAudience(spec: AudienceSpec): Promise<AudienceRecord> {
    const { store } = this.deps;
    const { keys, calculateType } = this.keysOf(spec);
    let existing = this.savedOf(spec, keys, calculateType);
    if (existing) {
      // Keys named explicitly (`--keys`) may map other columns to them: saved, the stored membership set aside when that
      // changes how each person is sent (mapping-change.ts).
      if (spec.keys && spec.keys.length > 0) existing = changeColumns(store, existing, keys);
      existing = store.audiences.update(existing.id, sourceOf(spec, existing));
      if (spec.removalMode && spec.removalMode !== existing.removalMode) existing = this.setRemovalMode(existing.id, spec.removalMode);
      return existing;
    }
    const { draft, remote } = await this.newOf(spec, keys, calculateType);
    // Recorded unless another process recorded it meanwhile (two first syncs of one new name at once): then both sync
    // that one local audience, whose lock lets one sync run at a time, and only one TikTok audience is created.
    const recorded = store.transaction(() => {
      if (store.audiences.findByName(spec.advertiserId, draft.name) || (draft.tiktokAudienceId && store.audiences.findByTiktokId(spec.advertiserId, draft.tiktokAudienceId))) return null;
      const created = store.audiences.create(draft);
      // Adopted: every change TikTok's history already has is someone else's, and accounted for (the first sync
      // replaces the membership); only changes after it are counted against this app's own calls. A history too
      // long to count whole leaves it unknown.
      if (remote && typeof remote.membershipChanges === 'number' && !remote.historyTruncated) {
        store.audiences.setHistoryBaseline(created.id, remote.membershipChanges - store.quota.membershipCalls(created.id));
      }
      return created;
    });
    return recorded ?? this.ensureAudience(spec);
  }

  /**
   * The audience a sync of `spec` would use, as ensureAudience would save it, with nothing saved: a dry run plans this
   * draft (a new audience has id 0). `setAside`: saving it would set the stored membership aside (other columns of a
   * key, or "mirror" for an adopted audience), so the sync after it replaces the membership whole.
   */
  async draftAudience(spec: AudienceSpec, removalLimitPct?: number | null): Promise<{ audience: AudienceRecord; setAside: boolean }> {
    const { store } = this.deps;
    const { keys, calculateType } = this.keysOf(spec);
    const existing = this.savedOf(spec, keys, calculateType);
    const limit = removalLimitPct === undefined ? {} : { removalLimitPct };
    if (existing) {
      let setAside = false;
      let savedKeys = existing.keys;
      if (spec.keys && spec.keys.length > 0) {
        const effect = columnsChangeEffect(store, existing, keys);
        if (effect.fullReplace && effect.refusal) throw new AppError('INVALID_ARGUMENT', effect.refusal);
        setAside = effect.fullReplace;
        // As changeColumns saves them: a phone's country column is kept.
        if (effect.changes) savedKeys = keys.map((k) => ({ ...k, ...(k.countryColumn === undefined && existing.keys.find((x) => x.key === k.key)?.countryColumn !== undefined ? { countryColumn: existing.keys.find((x) => x.key === k.key)!.countryColumn } : {}) }));
      }
      const mode = spec.removalMode ?? existing.removalMode;
      if (mode === 'mirror' && existing.removalMode !== 'mirror' && existing.tiktokAudienceId && existing.othersSize !== null) setAside = true;
      const audience: AudienceRecord = { ...existing, keys: savedKeys, ...sourceOf(spec, existing), removalMode: mode, ...limit };
      return { audience, setAside };
    }
    const { draft } = await this.newOf(spec, keys, calculateType);
    return { audience: { ...unsaved(draft, this.deps.now?.() ?? new Date()), ...limit }, setAside: false };
  }

  /** The keys a spec maps (several columns of one key grouped), refused when two map one slot. */
  private keysOf(spec: AudienceSpec): { keys: KeyMapping[]; calculateType: CalculateType } {
    return mappedKeys(withCountryColumn(sameKeyColumns(spec.keys && spec.keys.length > 0 ? spec.keys : [{ key: spec.key, column: spec.column }]), spec.countryColumn));
  }

  /** The saved audience a spec names, refused when its kind or key differs from the spec's; undefined when new. */
  private savedOf(spec: AudienceSpec, keys: KeyMapping[], calculateType: CalculateType): AudienceRecord | undefined {
    const { store } = this.deps;
    const keyWords = keys.map((k) => KEY_LABELS[k.key]).join(' + ');
    const existing = spec.tiktokAudienceId ? store.audiences.findByTiktokId(spec.advertiserId, spec.tiktokAudienceId) : spec.name ? store.audiences.findByName(spec.advertiserId, spec.name) : undefined;
    if (!spec.name && !spec.tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', 'Name the audience: give --audience NAME for a new or existing audience, or --audience-id ID for one that exists at TikTok.');
    if (!existing) return undefined;
    const savedWords = existing.keys.map((k) => KEY_LABELS[k.key]).join(' + ');
    if (spec.api && spec.api !== existing.api) {
      throw new AppError('INVALID_ARGUMENT', `Audience "${existing.name}" is a ${existing.api === 'segment' ? 'partner' : 'customer-file'} audience; a ${spec.api === 'segment' ? 'partner' : 'customer-file'} audience is a different audience at TikTok. Sync to a new audience name instead.`);
    }
    const sameKeys = existing.calculateType === calculateType && existing.keys.map((k) => k.key).sort().join() === keys.map((k) => k.key).sort().join();
    if (!sameKeys) {
      throw new AppError('KEY_TYPE_LOCKED', `Audience "${existing.name}" matches on ${savedWords}; its key cannot change after it is saved (TikTok fixes calculate_type). Sync this file to a new audience instead, e.g. --audience "${existing.name} (${keyWords})".`);
    }
    return existing;
  }

  /**
   * A new audience as it would be saved (nothing is saved, nothing created at TikTok: its first sync creates it), and
   * the TikTok audience it adopts when the spec names one by id: read, its key checked. A name alone never adopts a
   * TikTok audience (the creation rule, engine/ops/create.ts, refuses a same-named one before this).
   */
  private async newOf(spec: AudienceSpec, keys: KeyMapping[], calculateType: CalculateType): Promise<{ draft: NewAudience & { name: string; tiktokAudienceId: string | null }; remote?: RemoteAudience }> {
    const api = spec.api ?? 'file';
    const draft = { api, connectionId: spec.connectionId, advertiserId: spec.advertiserId, name: spec.name ?? '', tiktokAudienceId: null, keys, calculateType, sourcePath: spec.sourcePath, sourceKind: spec.sourceKind ?? 'file', sourcePattern: spec.sourcePattern ?? null, suppressPath: spec.suppressPath ?? null, profile: spec.profile, cadence: spec.cadence ?? { kind: 'manual' }, removalMode: spec.removalMode ?? 'mirror', hasHeader: spec.hasHeader ?? null } satisfies NewAudience;
    const tiktokId = spec.tiktokAudienceId;
    if (!tiktokId) return { draft };
    const remote = await (await this.deps.apiFor(unsaved(draft, this.deps.now?.() ?? new Date()))).get(tiktokId);
    if (!remote) throw new AppError('AUDIENCE_NOT_FOUND', `TikTok has no audience ${tiktokId} for advertiser ${spec.advertiserId}. Check the id, or give --audience NAME to create one.`);
    if (api === 'file' && remote.calculateType && remote.calculateType !== calculateType) {
      throw new AppError('KEY_TYPE_LOCKED', `The TikTok audience "${remote.name}" matches on ${remote.calculateType}, not ${calculateType}; an audience's key cannot change. Choose another audience name to create a new one.`);
    }
    // Adopted: its members were uploaded by hand or by another tool, so by default only people this app adds are ever
    // removed; "mirror the file" is the user's explicit choice. TikTok's matched size counts the others. The first sync
    // REPLACEs the membership.
    const adopted = api === 'file';
    return {
      draft: { ...draft, tiktokAudienceId: remote.audienceId, name: draft.name || remote.name, removalMode: spec.removalMode ?? (adopted ? 'added-only' : 'mirror'), othersSize: adopted ? (remote.coverNum ?? null) : null },
      remote,
    };
  }

  /** Reads the audience's cohort, minus its suppression list and erased people (cohort-target.ts; a large one stays in part files). */
  async readTarget(audience: AudienceRecord, ctx: { signal: AbortSignal; onRows(rows: number, fraction: number): void }, erased?: Partial<Record<KeyType, Buffer>>): Promise<CohortTarget> {
    return readSyncTarget(audience, { ...ctx, erased: erased ?? erasedDigests(this.deps.store, audience.id) });
  }

  private async run(audienceId: number, opts: { trigger: RunTrigger; dryRun?: boolean; target?: TargetSet; signal?: AbortSignal; lockHeld?: boolean; draft?: AudienceRecord; setAside?: boolean; sourceOnce?: string; erased?: Partial<Record<KeyType, Buffer>> }): Promise<SyncOutcome> {
    const audience = opts.dryRun && opts.draft ? opts.draft : this.deps.store.audiences.require(audienceId);
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (!opts.dryRun) this.controllers.set(audienceId, controller);
    let runId: number | null = null;
    const onCall = (e: ApiCallEvent) => {
      if (opts.dryRun) return;
      this.deps.store.runs.addApiCall({ runId, audienceId, endpoint: e.endpoint, method: e.method, requestId: e.requestId, code: e.code, httpStatus: e.httpStatus, durationMs: e.durationMs, startedAt: e.startedAt, detail: e.error?.message ?? null });
    };
    try {
      const api = await this.deps.apiFor(audience, { signal: controller.signal, onCall });
      const partnerApi = audience.api === 'segment' ? await this.deps.partnerApiFor?.(audience, { signal: controller.signal, onCall }) : undefined;
      const outcome = await runSync(
        {
          store: this.deps.store,
          api,
          partnerApi,
          // "Use this file once": this run reads that file; the audience keeps its saved source (a watched folder).
          readTarget: (a, ctx) => this.readTarget(opts.sourceOnce ? { ...a, sourceKind: 'file', sourcePath: opts.sourceOnce, sourcePattern: null } : a, ctx, opts.erased),
          now: this.deps.now,
          dailyBudget: this.dailyBudget,
          onProgress: (p) => {
            runId = p.runId;
            this.deps.onProgress?.(p);
          },
          ...this.deps.runner,
        },
        audienceId,
        { trigger: opts.trigger, dryRun: opts.dryRun, target: opts.target, signal: controller.signal, lockHeld: opts.lockHeld, ...(opts.dryRun && opts.draft ? { draft: opts.draft, setAside: opts.setAside } : {}), ...(opts.sourceOnce ? { sourcePath: opts.sourceOnce } : {}) },
      );
      if (!opts.dryRun && outcome.callsUsed > 0) await refreshStatus(this.deps.store, api, audienceId, this.deps.now?.()).catch(() => undefined);
      return outcome;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (this.controllers.get(audienceId) === controller) this.controllers.delete(audienceId);
    }
  }

  /**
   * The dry run: the plan and its cost; nothing is sent, nothing is recorded. With `draft` the plan is of that record
   * (an unsaved source, cadence or mapping; for a new audience, one not in the store, id 0) instead of the stored one;
   * `setAside` plans it as the sync after its stored membership is set aside (draftAudience).
   */
  plan(audienceId: number, signal?: AbortSignal, draft?: AudienceRecord, setAside = false): Promise<SyncOutcome> {
    return this.run(audienceId, { trigger: 'manual', dryRun: true, signal, ...(draft ? { draft, setAside } : {}) });
  }

  /** With `sourceOnce` the run reads that file instead of the audience's source, which stays as saved. */
  async sync(audienceId: number, trigger: RunTrigger = 'manual', signal?: AbortSignal, once: { sourceOnce?: string } = {}): Promise<SyncOutcome> {
    // A queued erasure (the day's calls were spent when it was asked) goes out first, as a run of its own; then the
    // file's sync. One that could not go out (deferred, failed) is the answer: its words say why, and the file waits.
    if (hasQueuedErasure(this.deps.store, audienceId)) {
      const erased = await this.erase(audienceId, { signal });
      if (erased.status !== 'done') return erased;
    }
    return this.run(audienceId, { trigger, signal, ...(once.sourceOnce ? { sourceOnce: once.sourceOnce } : {}) });
  }

  /**
   * An erasure request (erasure.ts): removes the queued entries — or, in a dry run, `entries` — from the audience and
   * changes nothing else, within the day's calls (the rest is deferred like any sync, and `sync` sends it first at
   * the next slot). Not held by the removal limit, never undone; the queue is cleared once TikTok acknowledged it.
   * `holdReplan`: what became of the audience's held sync, when it had one and the erasure went out.
   */
  async erase(audienceId: number, opts: { entries?: Buffer; dryRun?: boolean; signal?: AbortSignal; erasedBefore?: ErasedDigests } = {}): Promise<EraseOutcome> {
    const { store } = this.deps;
    const audience = store.audiences.require(audienceId);
    // The membership's own width: the old one while a change of columns waits for its replace (the erasure goes first).
    const w = membershipLayout(store, audience).width;
    const gone = opts.entries ?? queuedErasure(store, audienceId);
    const entries = subtractHashes(store.snapshots.load(audienceId), gone, w);
    const target: TargetSet = { entries, rowsRead: 0, valid: entries.length / w, rejected: 0, duplicates: 0, rejectReasons: {} };
    const held = opts.dryRun ? null : store.holds.get(audienceId);
    const outcome = await this.run(audienceId, { trigger: 'erase', dryRun: opts.dryRun, target, signal: opts.signal });
    if (!opts.dryRun && outcome.status === 'done') {
      clearErasure(store, audienceId);
      // A sync held for the user's choice stays held: re-planned without the person. What the user decided carries over
      // only when it is the file they saw less the person they erased.
      if (held) return { ...outcome, holdReplan: await this.replanHold(audience, held, gone, outcome.runId, opts.signal, opts.erasedBefore) };
    }
    return outcome;
  }

  /**
   * After an erasure, the audience's held sync planned again without the person. When the file still plans exactly the
   * held cohort (planned with the erasures as they were before this one: `gone` holds this one's entries), the hold
   * keeps its run, time and what the user decided, with the new numbers. Otherwise the file changed since: the hold
   * asks again (state `held`, named by the erasure's run `runId`, so a confirmation of the old numbers no longer
   * matches), with the numbers of the file as it is now. A plan that no longer needs holding ends the hold (the next
   * sync sends it), except a kept hold of the same file: it stays kept, with the new numbers; one that cannot be planned now (the file is missing, under the floor) keeps the hold as it was,
   * and says why: confirming it checks the file again.
   */
  private async replanHold(audience: AudienceRecord, held: HoldRecord, gone: Buffer, runId: number | null, signal?: AbortSignal, given?: ErasedDigests): Promise<HoldReplan> {
    const { store } = this.deps;
    const audienceId = audience.id;
    const failed = (err: unknown): HoldReplan => ({ outcome: 'failed', reason: errorText(err) });
    const plan = await this.run(audienceId, { trigger: 'manual', dryRun: true, signal }).catch((err: unknown) => err);
    if (!isOutcome(plan)) return failed(plan);
    // Under the floor: said with the numbers, not as the refusal of a sync nobody asked for ("Nothing was sent").
    if (plan.error?.code === 'AUDIENCE_TOO_SMALL') return failed(`The file as it is now would leave the audience with ${countText(Math.max(0, plan.currentSize + plan.adds - plan.removes))} people, under TikTok's ${countText(AUDIENCE_FLOOR)} floor.`);
    if (plan.status !== 'planned') return failed(plan.error?.message ?? `Its plan ended ${plan.status}.`);
    // The file as it was held: the same plan with this erasure's people put back.
    // Null: that plan could not be made, so whether the file changed is not known.
    const heldFileStill = async (): Promise<boolean | null> => {
      const before = this.erasedBefore(audience, gone, given);
      const asHeld = before ? await this.run(audienceId, { trigger: 'manual', dryRun: true, signal, erased: before }).catch(() => null) : null;
      if (asHeld?.status !== 'planned' || !asHeld.holdDigest) return null;
      return asHeld.holdDigest === held.targetDigest;
    };
    // A plan within the limit now ends a held or confirmed hold (the next sync sends it), but never a "Keep audience as
    // is" of the same file: that choice was for the file, whatever its numbers; it stays kept with the new ones (also
    // when that cannot be checked: nothing is sent that the user chose to keep, and confirming sends it).
    const keptCheck = !plan.hold && held.state === 'kept' && held.reason === 'removals' ? await heldFileStill() : false;
    const keptSame = keptCheck !== false;
    if (!plan.hold && !keptSame) {
      store.holds.clear(audienceId);
      return { outcome: 'cleared' };
    }
    if (!plan.holdDigest) return failed('The cohort it would send could not be told apart from another.');
    const h = plan.hold ?? { reason: held.reason, currentSize: plan.currentSize, adds: plan.adds, removes: plan.removes, limitPct: audience.removalLimitPct, rowsRead: plan.counts.rowsRead, lastRowsRead: held.lastRowsRead, foreignChanges: held.foreignChanges };
    const check = keptSame ? keptCheck : await heldFileStill();
    // Not known to be the same file: asked again (a kept one within the limit stays kept, as above).
    const carried = (check === true || (keptSame && check === null)) && h.reason === held.reason;
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    store.holds.put({
      ...held,
      reason: h.reason,
      targetDigest: plan.holdDigest,
      currentSize: h.currentSize,
      adds: h.adds,
      removes: h.removes,
      limitPct: h.limitPct,
      rowsRead: h.rowsRead,
      lastRowsRead: h.lastRowsRead,
      foreignChanges: h.foreignChanges,
      foreignBaseline: carried ? held.foreignBaseline : null,
      // Another file (or another question): asked again, as a hold of its own, so an old confirmation cannot name it.
      ...(carried ? {} : { runId: runId ?? held.runId, heldAt: at, state: 'held' as const, decidedAt: null }),
    });
    return { outcome: 'replanned', carried, was: held.state, checked: check !== null };
  }

  /**
   * The digests of people erased from the audience before this erasure (whose entries `gone` holds): what its held
   * sync was planned with. `given`: the audience's kept digests as they were before this erasure kept its own (an
   * identifier typed now that the audience did not hold yet has no entry in `gone`, so it could not be told apart
   * afterwards); without it, every kept digest. Null when that cannot be told (the membership is kept in other
   * columns than the file's).
   */
  private erasedBefore(audience: AudienceRecord, gone: Buffer, given?: ErasedDigests): ErasedDigests | null {
    const layout = membershipLayout(this.deps.store, audience);
    if (layout.width !== layoutOf(audience).width) return null;
    const out: ErasedDigests = {};
    for (const [key, digests] of Object.entries(given ?? erasedDigests(this.deps.store, audience.id)) as [KeyType, Buffer][]) {
      const keep: Buffer[] = [];
      for (let p = 0; p < digests.length; p += 32) {
        const d = digests.subarray(p, p + 32);
        const thisOne = layout.tuple ? entriesHolding(gone, d, slotOfKey(key), layout.tuple).length > 0 : subtractHashes(d, gone).length === 0;
        if (!thisOne) keep.push(d);
      }
      out[key] = Buffer.concat(keep);
    }
    return out;
  }

  /** Cancels the audience's running sync; its acknowledged calls stay. Returns whether one was running. */
  cancel(audienceId: number): boolean {
    const c = this.controllers.get(audienceId);
    c?.abort();
    return Boolean(c);
  }

  /**
   * Undoes the audience's last sync that changed TikTok — also one that failed, was cancelled or was cut short by a
   * crash part-way: sends its inverse (what it added is removed, what it removed is added back, and what it may have
   * changed unanswered is put back), within the quota and the floor. Then the audience's schedule is paused, so the
   * next scheduled run does not re-apply the file. A refused undo (a sync running, nothing to undo, nothing sent)
   * changes nothing: neither TikTok nor the schedule. `schedulePaused` says whether it was paused.
   */
  async undo(audienceId: number, signal?: AbortSignal): Promise<SyncOutcome & { schedulePaused: boolean }> {
    const { store } = this.deps;
    const audience = store.audiences.require(audienceId);
    // Held from choosing what to undo to sending it, so no sync starts in between; refused while one runs.
    const release = acquireAudienceLock(store, audienceId, `undo-${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      // A sync a crash left running is closed first: it may be the last one that changed TikTok.
      recoverInterrupted(store, audienceId);
      const { target } = this.undoTarget(audience);
      const outcome = await this.run(audienceId, { trigger: 'undo', signal, lockHeld: true, target });
      const schedulePaused = outcome.status === 'done' || outcome.callsUsed > 0;
      if (schedulePaused) store.audiences.update(audienceId, { paused: true });
      return { ...outcome, schedulePaused };
    } finally {
      release();
    }
  }

  /**
   * What "Undo last sync" would do, without doing it: a dry run of the undo. Sends nothing, records nothing, takes
   * no lock. The sync it would undo, how many people it would add back and remove, the calls it would use and the
   * calls left today. Refused exactly as `undo` refuses (nothing to undo, membership not known here).
   */
  async undoPreview(audienceId: number, signal?: AbortSignal): Promise<{ run: RunRecord; runs: RunRecord[]; outcome: SyncOutcome }> {
    const audience = this.deps.store.audiences.require(audienceId);
    const { run, runs, target } = this.undoTarget(audience);
    const outcome = await this.run(audienceId, { trigger: 'undo', dryRun: true, signal, target });
    return { run, runs, outcome };
  }

  /** The audience's last sync that changed TikTok and not undone yet (every run of it), and the membership its undo restores (undo-target.ts). */
  private undoTarget(audience: AudienceRecord): UndoTarget {
    return undoTarget(this.deps.store, audience);
  }

  /**
   * Sets the largest share (%) of the audience one sync may remove without the user's confirmation (0–100, a
   * whole number); null switches the check off.
   */
  setRemovalLimit(audienceId: number, pct: number | null): AudienceRecord {
    if (pct !== null && (!Number.isInteger(pct) || pct < 0 || pct > 100)) {
      throw new AppError('INVALID_ARGUMENT', `The removal limit must be a whole percentage from 0 to 100 (or off), not ${String(pct)}.`);
    }
    return this.deps.store.audiences.update(audienceId, { removalLimitPct: pct });
  }

  /**
   * Sets who the audience's syncs may remove. Switching an adopted audience to 'mirror' makes its next sync replace
   * the whole membership with the file (who else is in it is not known here); switching to 'added-only' keeps the
   * people this app added as its own, and nobody else is removed from then on.
   */
  setRemovalMode(audienceId: number, mode: RemovalMode): AudienceRecord {
    const { store } = this.deps;
    const a = store.audiences.require(audienceId);
    if (a.removalMode === mode) return a;
    return store.transaction(() => {
      // Mirror: the snapshot (only the people this app added) is not the whole audience; the next sync makes it exact.
      if (mode === 'mirror' && a.tiktokAudienceId && a.othersSize !== null) store.snapshots.clear(audienceId);
      return store.audiences.update(audienceId, { removalMode: mode });
    });
  }

  /** The audience's held sync (and what the user decided), or null. */
  hold(audienceId: number): HoldRecord | null {
    return this.deps.store.holds.get(audienceId);
  }

  /**
   * "Sync anyway (once)": the next sync of exactly the held change goes ahead (a changed file is checked again).
   * `runId` names the hold the user saw; another is refused. Does not start the sync.
   */
  confirmRemovals(audienceId: number, runId?: number | null): HoldRecord {
    this.deps.store.audiences.require(audienceId);
    return confirmHold(this.deps.store, audienceId, runId, this.deps.now?.() ?? new Date());
  }

  /** "Keep audience as is": the held change is not sent, and the same file stays held without asking again. */
  keepAudience(audienceId: number, runId?: number | null): HoldRecord {
    this.deps.store.audiences.require(audienceId);
    return keepHold(this.deps.store, audienceId, runId, this.deps.now?.() ?? new Date());
  }

  async refreshStatus(audienceId: number): Promise<StatusRecord> {
    const audience = this.deps.store.audiences.require(audienceId);
    return refreshStatus(this.deps.store, await this.deps.apiFor(audience, {}), audienceId, this.deps.now?.());
  }

  /** Calls left today and when the budget comes back. */
  quota(audienceId: number): { used: number; left: number; budget: number; resetsAt: string } {
    const at = this.deps.now?.() ?? new Date();
    const budget = this.dailyBudget;
    const used = this.deps.store.quota.used(audienceId, at);
    return { used, left: Math.max(0, budget - used), budget, resetsAt: nextUtcDay(at).toISOString() };
  }
}
