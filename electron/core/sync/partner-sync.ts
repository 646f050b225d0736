import { countText } from '../../../shared/count-text';
import type { KeyType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { subtractHashes, unionHashes, MULTI_SLOTS, slotOfKey } from '../cohort';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import { AUDIENCE_SETTINGS } from '../store/settings-keys';
import { isRemoteFailure, type PartnerApi, type PartnerIdSchema } from './audience-api';
import { recordDelta } from './deltas';
import { Deferral } from './deferral';
import { addPending, clearPending, diffWithPending } from './pending';
import { layoutOf } from './entry-layout';
import { matchWarning } from './status';
import { sendUnderPolicy, SplitBatch, type SendClock } from './send-policy';
import { findLostCreate, notePartnerCreateSent, settlePartnerCreate, type LostCreateLookup } from './lost-create';

/** Rows per /segment/mapping/ batch. No source states TikTok's cap (tiktok-api.md §4.2): stay conservative, split on 40061. */
export const PARTNER_BATCH_ROWS = 1000;
/** The snapshot is committed at least this often while batches flow (and at the end). */
const COMMIT_EVERY_MS = 5_000;
/**
 * A new partner audience is not ready for /segment/mapping/ for about 1–2 minutes (TikTok answers 40002 "invalid
 * audience ID", with HTTP 400 or 200). A run waits this long in all, then defers; an audience younger than
 * PARTNER_FRESH_MS is never an error for that answer.
 */
export const PARTNER_READY_WAIT_MS = 3 * 60_000;
/** An audience past its first minutes that the segment API does not know. */
export const PARTNER_GONE_MESSAGE = 'TikTok does not know this partner audience id for this ad account, though it was made more than a few minutes ago: it was deleted. Refresh the audience list; create a new audience for this cohort.';
const PARTNER_FRESH_MS = 30 * 60_000;
/** The waits between tries of a fresh audience: short first (it is often ready within a minute), then a minute. */
const READY_STEPS_MS = [5_000, 10_000, 20_000, 30_000, 60_000];

export const PARTNER_ID_SCHEMA: Record<KeyType, PartnerIdSchema> = {
  email: 'EMAIL_SHA256',
  phone: 'PHONE_SHA256',
  idfa: 'IDFA_SHA256',
  gaid: 'AAID_SHA256',
};

/** Thrown when TikTok says the app is not allowlisted for partner audiences before one was made: use the file API. */
export class PartnerNotAllowlisted extends AppError {
  constructor(message: string) {
    super('NOT_ALLOWLISTED', message);
  }
}

export interface PartnerSyncCtx {
  store: Store;
  api: PartnerApi;
  audience: AudienceRecord;
  runId: number | null;
  target: Buffer;
  dryRun: boolean;
  signal: AbortSignal;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  maxAttempts: number;
  batchRows?: number;
  progress(percent: number, message?: string): void;
  /** Epoch clock for waits and freshness (default Date.now); inject with `sleep` to test waits without waiting. */
  now?: () => number;
  /** Total wait for a new audience to become ready for mapping (default PARTNER_READY_WAIT_MS). */
  readyWaitMs?: number;
  /** Told the change before anything is sent (also in a dry run); throws to stop the sync (the removal limit). */
  guard?(d: { adds: number; removes: number; currentSize: number; exists: boolean }): void;
  /** The wait after TikTok says "processing" (the send policy's default otherwise). */
  processingWaitMs?: number;
  /** Test seam (SyncDeps.checkpoint): called right after TikTok answered the create, before the answer is recorded. */
  checkpoint?: (at: 'create-answered') => void;
}

export interface PartnerSyncResult {
  adds: number;
  removes: number;
  currentSize: number;
  callsPlanned: number;
  callsUsed: number;
  tiktokAudienceId: string | null;
  warnings: string[];
  /** Before a create: TikTok will likely match fewer than 1,000 of these people. */
  matchWarning: string | null;
}

/**
 * Keeps a partner audience in step through the segment API: add batches, then delete batches, each
 * idempotent at TikTok. Not bound by the 24-calls-per-audience budget (app-level rate limits apply
 * through the client's limiter). The snapshot moves only with acknowledged batches, committed at least
 * every few seconds with the run's delta, so a crash resends at most the batches since the last commit
 * (adding or deleting twice changes nothing). A create whose answer was lost is found by name first.
 */
export async function syncPartnerAudience(c: PartnerSyncCtx): Promise<PartnerSyncResult> {
  const { store } = c;
  let audience = c.audience;
  const warnings: string[] = [];
  if (audience.keys.length === 0) throw new AppError('INVALID_ARGUMENT', `Audience "${audience.name}" has no key mapping.`);
  const layout = layoutOf(audience);
  const w = layout.width;
  // id_schema is positional: one element per mapped key, in the entry's slot order (MAID as IDFA or AAID).
  const mapped = layout.slots ? layout.slots.map((slot) => audience.keys.find((k) => slotOfKey(k.key) === slot)!.key) : [audience.keys[0]!.key];
  const idSchema = mapped.map((k) => PARTNER_ID_SCHEMA[k]);
  const offsets = layout.slots ? layout.slots.map((slot) => MULTI_SLOTS.indexOf(slot) * 32) : [0];
  const ZERO = Buffer.alloc(32);
  const rowOf = (set: Buffer, i: number): (string | null)[] =>
    offsets.map((o) => {
      const h = set.subarray(i * w + o, i * w + o + 32);
      return h.equals(ZERO) ? null : h.toString('hex');
    });

  const clock = c.now ?? Date.now;
  const policy: SendClock = { now: () => new Date(clock()), sleep: c.sleep, signal: c.signal, maxAttempts: c.maxAttempts, processingWaitMs: c.processingWaitMs };
  const lookup: LostCreateLookup = { store, api: c.api, now: policy.now, sleep: c.sleep, signal: c.signal };
  // Before creating, TikTok is asked for the audience a create of ours made whose answer was lost (lost-create.ts).
  if (!audience.tiktokAudienceId && !c.dryRun) {
    const found = await findLostCreate(lookup, audience);
    if (found) {
      store.transaction(() => {
        store.audiences.setTiktokId(audience.id, found.audienceId);
        store.snapshots.clear(audience.id);
        settlePartnerCreate(store, audience.id);
      });
      audience = store.audiences.require(audience.id);
    }
  }
  const base = store.snapshots.load(audience.id);
  if (audience.tiktokAudienceId && !store.snapshots.meta(audience.id)) {
    warnings.push('This partner audience was not synced from here before: people already in it who are not in the file stay (the segment API cannot replace an audience).');
  }
  // As for customer files: remove what may be there and is not wanted, append what may be missing.
  const { adds, removes } = diffWithPending(store, audience.id, base, c.target, w);
  const rows = c.batchRows ?? PARTNER_BATCH_ROWS;
  const result: PartnerSyncResult = {
    adds: adds.length / w,
    removes: removes.length / w,
    currentSize: base.length / w,
    callsPlanned: (audience.tiktokAudienceId ? 0 : 1) + Math.ceil(adds.length / w / rows) + Math.ceil(removes.length / w / rows),
    callsUsed: 0,
    tiktokAudienceId: audience.tiktokAudienceId,
    warnings,
    matchWarning: audience.tiktokAudienceId ? null : matchWarning(store, audience, c.target.length / w),
  };
  if (result.matchWarning) warnings.push(result.matchWarning);
  c.guard?.({ adds: result.adds, removes: result.removes, currentSize: result.currentSize, exists: Boolean(audience.tiktokAudienceId) });
  if (c.dryRun) return result;

  const countCall = () => {
    result.callsUsed++;
    if (c.runId !== null) store.runs.addCallsUsed(c.runId, 1);
  };

  if (!audience.tiktokAudienceId) {
    notePartnerCreateSent(store, audience.id, policy.now());
    const current = audience;
    const res = await sendUnderPolicy(policy, async () => {
      try {
        const r = await c.api.create(current.name);
        c.checkpoint?.('create-answered');
        return r;
      } catch (err) {
        if (isRemoteFailure(err) && err.tiktokCode === 40118) throw new PartnerNotAllowlisted(err.message);
        if (isRemoteFailure(err) && err.delivery === 'maybe-applied') {
          const found = await findLostCreate(lookup, current);
          if (found) return { audienceId: found.audienceId, requestId: null };
        }
        throw err;
      }
    });
    countCall();
    store.transaction(() => {
      store.audiences.setTiktokId(audience.id, res.audienceId);
      settlePartnerCreate(store, audience.id);
      store.settings.write(AUDIENCE_SETTINGS.partnerCreated(audience.id), { tiktokAudienceId: res.audienceId, at: clock() });
    });
    audience = store.audiences.require(audience.id);
    result.tiktokAudienceId = res.audienceId;
  }

  // Until this run completes, everything it sends is uncertain: a crash between commits loses nothing.
  store.transaction(() => addPending(store, audience.id, adds, removes, w));

  // Acknowledged prefixes of the sorted adds and removes; committed together with the run's delta.
  let doneAdds = 0;
  let doneRemoves = 0;
  let committedAdds = 0;
  let committedRemoves = 0;
  let lastCommit = Date.now();
  const commit = () => {
    if (doneAdds === committedAdds && doneRemoves === committedRemoves) return;
    const added = adds.subarray(0, doneAdds * w);
    const removed = removes.subarray(0, doneRemoves * w);
    const snap = subtractHashes(unionHashes(base, added, w), removed, w);
    store.transaction(() => {
      store.snapshots.replace(audience.id, snap, w);
      if (c.runId !== null) recordDelta(store, c.runId, adds.subarray(committedAdds * w, doneAdds * w), removes.subarray(committedRemoves * w, doneRemoves * w), w);
    });
    committedAdds = doneAdds;
    committedRemoves = doneRemoves;
    lastCommit = Date.now();
  };

  const total = Math.max(1, result.adds + result.removes);
  try {
    for (const [action, set] of [['add', adds], ['delete', removes]] as const) {
      const n = set.length / w;
      let size = rows;
      for (let off = 0; off < n; ) {
        if (c.signal.aborted) throw new AppError('CANCELLED');
        const count = Math.min(size, n - off);
        const batch: (string | null)[][] = [];
        for (let i = off; i < off + count; i++) batch.push(rowOf(set, i));
        try {
          await whenReady(c, audience, () => sendUnderPolicy(policy, () => c.api.mapping({ audienceId: audience.tiktokAudienceId!, action, idSchema, rows: batch }), { canSplit: true }));
        } catch (err) {
          // 40061: the batch is too large for TikTok. Halve it and go on (down to a single row).
          if (err instanceof SplitBatch && size > 1) {
            size = Math.max(1, Math.floor(count / 2));
            continue;
          }
          throw err;
        }
        countCall();
        off += count;
        if (action === 'add') doneAdds = off;
        else doneRemoves = off;
        c.progress(((doneAdds + doneRemoves) / total) * 100, `${action} ${countText(off)} of ${countText(n)}`);
        if (Date.now() - lastCommit >= COMMIT_EVERY_MS) commit();
      }
    }
  } finally {
    commit();
  }
  clearPending(store, audience.id);
  return result;
}

/**
 * Sends a mapping call to a partner audience this app created minutes ago, waiting through TikTok's readiness
 * delay: "invalid audience ID" (AUDIENCE_NOT_FOUND) from a fresh audience means "not ready yet". The waits are
 * bounded in all by `readyWaitMs`; past it the run defers (never an error for a fresh audience). The first
 * mapping that gets through ends the waiting for good.
 */
async function whenReady<T>(c: PartnerSyncCtx, audience: AudienceRecord, send: () => Promise<T>): Promise<T> {
  const clock = c.now ?? Date.now;
  const budget = c.readyWaitMs ?? PARTNER_READY_WAIT_MS;
  let waited = 0;
  for (let step = 0; ; step++) {
    try {
      const r = await send();
      if (c.store.settings.read(AUDIENCE_SETTINGS.partnerCreated(audience.id))) c.store.settings.write(AUDIENCE_SETTINGS.partnerCreated(audience.id), null);
      return r;
    } catch (err) {
      const created = c.store.settings.read(AUDIENCE_SETTINGS.partnerCreated(audience.id));
      const fresh = created !== null && created.tiktokAudienceId === audience.tiktokAudienceId && clock() - created.at < PARTNER_FRESH_MS;
      if (!(err instanceof AppError && err.code === 'AUDIENCE_NOT_FOUND')) throw err;
      // Not a new audience still being set up (the words of each try say that): TikTok no longer has it.
      if (!fresh) {
        // TikTok's own words too (the part of the try's message that quotes them): support and the peers' logs go by them.
        const said = /TikTok said: .*$/s.exec(err.message)?.[0];
        throw new AppError('AUDIENCE_NOT_FOUND', said ? `${PARTNER_GONE_MESSAGE} ${said}` : PARTNER_GONE_MESSAGE, { cause: err });
      }
      const wait = Math.min(READY_STEPS_MS[Math.min(step, READY_STEPS_MS.length - 1)]!, budget - waited);
      if (wait <= 0) {
        throw new Deferral(new Date(clock() + 60_000), 'TikTok has not finished setting up the new partner audience yet (it takes a minute or two). Nothing to do: the sync resumes in a minute.');
      }
      c.progress(0, 'waiting for TikTok to set up the new partner audience');
      await c.sleep(wait, c.signal);
      waited += wait;
    }
  }
}
