import { diffHashes, subtractHashes, unionHashes } from '../cohort';
import { diffHashesAsync, subtractHashesAsync, unionHashesAsync } from '../cohort/hash-set-async';
import { asParts, diffParts, entryCount, sliceFor, type Entries } from '../cohort/sorted-parts';
import type { Store } from '../store';
import { deleteSliced, newGeneration, writeSlicedParts } from '../store/chunk-generations';

const CHUNK_ENTRIES = 32_768;

/**
 * Changes that may have reached TikTok unacknowledged, per audience (see the pending_changes table).
 * `add`: entries that may be at TikTok though the snapshot lacks them; `remove`: entries that may be gone
 * though the snapshot has them.
 */
export function loadPending(store: Store, audienceId: number, kind: 'add' | 'remove'): Buffer {
  return store.pending.load(audienceId, kind);
}

/** Adds to the audience's uncertain changes (never shrinks them): call in the transaction before sending. */
export function addPending(store: Store, audienceId: number, add: Buffer, remove: Buffer, width: number): void {
  const chunk = CHUNK_ENTRIES * width;
  for (const [kind, entries] of [['add', add], ['remove', remove]] as const) {
    if (entries.length === 0) continue;
    const merged = unionHashes(loadPending(store, audienceId, kind), entries, width);
    const generation = newGeneration(store.db);
    for (let off = 0, seq = 0; off < merged.length; off += chunk, seq++) store.pending.insertChunk(audienceId, kind, generation, seq, merged.subarray(off, off + chunk));
    store.pending.setHead(audienceId, kind, generation);
    store.pending.dropOtherGenerations(audienceId, kind, generation);
  }
}

/**
 * addPending without holding the event loop (issue #13 §1): the merged sets are written under new generations in
 * small transactions, then one short transaction makes them current, then the old ones are deleted in slices. Until
 * that switch the old (smaller) set stays current, and nothing is sent before this returns: a crash at any instant
 * leaves a set that covers everything sent. Under the audience's lock, outside any transaction.
 */
export async function addPendingAsync(store: Store, audienceId: number, add: Entries, remove: Buffer, width: number): Promise<void> {
  const given = { add, remove };
  await restagePending(store, audienceId, width, async (kind, current) => {
    const entries = given[kind];
    if (entryCount(entries, width) === 0) return null;
    // A cohort in part files (an adopted audience replaced by a 10 M-row file) is written part after part, not joined.
    const now = current();
    return now.length === 0 ? entries : await unionHashesAsync(now, Buffer.isBuffer(entries) ? entries : await entries.toBuffer(), width);
  });
}

/**
 * The one way both uncertain sets change without holding the event loop: `next` gives each kind's new set from its
 * current one (read only when asked for; null: unchanged); each new set is written under a new generation in small transactions, one short
 * transaction makes them current together, then the old generations are deleted in slices.
 */
async function restagePending(store: Store, audienceId: number, width: number, next: (kind: 'add' | 'remove', current: () => Buffer) => Promise<Entries | null>): Promise<void> {
  const staged: { kind: 'add' | 'remove'; generation: number }[] = [];
  for (const kind of ['add', 'remove'] as const) {
    const set = await next(kind, () => loadPending(store, audienceId, kind));
    if (set === null) continue;
    const generation = store.transaction(() => newGeneration(store.db));
    await writeSlicedParts(store.db, set, CHUNK_ENTRIES * width, (seq, data) => store.pending.insertChunk(audienceId, kind, generation, seq, data));
    staged.push({ kind, generation });
  }
  if (staged.length === 0) return;
  store.transaction(() => {
    for (const s of staged) store.pending.setHead(audienceId, s.kind, s.generation);
  });
  await sweepPending(store, audienceId);
}

/** A run that completed leaves TikTok holding exactly the snapshot: nothing is uncertain any more. */
export function clearPending(store: Store, audienceId: number): void {
  store.pending.clear(audienceId, true);
}

/**
 * TikTok acknowledged an APPEND or REMOVE of `entries`, and the snapshot moved with it (committed): whether they are at
 * TikTok is certain now, so they leave both uncertain sets. A run that TikTok's processing keeps ending after one call
 * (each call waits for TikTok to finish the last) then converges: the next run does not send an acknowledged call
 * again. Called only after the acknowledgement committed: a crash before leaves them uncertain (resent, idempotent).
 * Under the audience's lock, outside any transaction.
 */
export async function settlePendingAsync(store: Store, audienceId: number, entries: Buffer, width: number): Promise<void> {
  if (entries.length === 0) return;
  await restagePending(store, audienceId, width, async (_kind, current) => {
    const now = current();
    if (now.length === 0) return null;
    const left = await subtractHashesAsync(now, entries, width);
    return left.length === now.length ? null : left;
  });
}

/** clearPending, deleting the chunks in slices after the (cheap) pointer removal. Under the audience's lock. */
export async function clearPendingAsync(store: Store, audienceId: number): Promise<void> {
  store.transaction(() => store.pending.clear(audienceId, false));
  await sweepPending(store, audienceId);
}

/** Deletes the audience's pending chunks no head names (replaced sets, orphans of a crash), in slices. Under the audience's lock. */
export function sweepPending(store: Store, audienceId: number): Promise<number> {
  return deleteSliced(store.db, () => store.pending.sweepSlice(audienceId));
}

/**
 * diffWithPending streaming the stored snapshot (its chunks) against the target (in parts, or one buffer as one part):
 * the snapshot is never held whole. Also the plain diff (`plainAdds`, `plainRemoves`: target − snapshot, snapshot −
 * target), which a replace marks pending. Against no stored snapshot and nothing pending, the adds are the target
 * itself (not copied: a first sync of a cohort too large for memory keeps it in its part files).
 * Under the audience's lock.
 */
export async function diffWithPendingStreamed(store: Store, audienceId: number, target: Entries, width: number): Promise<{ adds: Entries; removes: Buffer; plainAdds: Entries; plainRemoves: Buffer }> {
  const maybeAdded = loadPending(store, audienceId, 'add');
  const maybeRemoved = loadPending(store, audienceId, 'remove');
  const none = Buffer.alloc(0);
  if (!(store.snapshots.meta(audienceId)?.entryCount) && maybeAdded.length === 0 && maybeRemoved.length === 0) return { adds: target, removes: none, plainAdds: target, plainRemoves: none };
  // adds = (T − S) ∪ (T ∩ maybe-removed); removes = (S − T) ∪ (maybe-added − T). The pending sets are small: each is
  // met with every part of the target in its range, on the way.
  const inTarget = { add: [] as Buffer[], remove: [] as Buffer[] };
  const onPart = (part: Buffer) => {
    for (const [kind, set] of [['add', maybeAdded], ['remove', maybeRemoved]] as const) {
      if (set.length === 0) continue;
      const slice = sliceFor(set, part, width);
      if (slice.length > 0) inTarget[kind].push(subtractHashes(slice, subtractHashes(slice, part, width), width));
    }
  };
  const d = await diffParts(store.snapshots.chunksAsync(audienceId), asParts(target, width), width, { collect: true, onPart });
  const targetAndRemoved = Buffer.concat(inTarget.remove);
  const addedNotInTarget = subtractHashes(maybeAdded, Buffer.concat(inTarget.add), width);
  return {
    adds: targetAndRemoved.length === 0 ? d.added : await unionHashesAsync(d.added, targetAndRemoved, width),
    removes: addedNotInTarget.length === 0 ? d.removed : await unionHashesAsync(d.removed, addedNotInTarget, width),
    plainAdds: d.added,
    plainRemoves: d.removed,
  };
}

/**
 * What to send to go from what TikTok may hold to `target`: adds = target − (snapshot − maybe-removed),
 * removes = (snapshot ∪ maybe-added) − target. With nothing pending this is the plain diff, computed once.
 */
/** diffWithPending, in slices that yield to the event loop between them (issue #13 §1). */
export async function diffWithPendingAsync(store: Store, audienceId: number, snapshot: Buffer, target: Buffer, width: number): Promise<{ adds: Buffer; removes: Buffer }> {
  const maybeAdded = loadPending(store, audienceId, 'add');
  const maybeRemoved = loadPending(store, audienceId, 'remove');
  if (maybeAdded.length === 0 && maybeRemoved.length === 0) return diffHashesAsync(snapshot, target, width);
  return {
    adds: (await diffHashesAsync(maybeRemoved.length === 0 ? snapshot : await subtractHashesAsync(snapshot, maybeRemoved, width), target, width)).adds,
    removes: (await diffHashesAsync(maybeAdded.length === 0 ? snapshot : await unionHashesAsync(snapshot, maybeAdded, width), target, width)).removes,
  };
}

export function diffWithPending(store: Store, audienceId: number, snapshot: Buffer, target: Buffer, width: number): { adds: Buffer; removes: Buffer } {
  const maybeAdded = loadPending(store, audienceId, 'add');
  const maybeRemoved = loadPending(store, audienceId, 'remove');
  if (maybeAdded.length === 0 && maybeRemoved.length === 0) return diffHashes(snapshot, target, width);
  return {
    adds: maybeRemoved.length === 0 ? diffHashes(snapshot, target, width).adds : diffHashes(subtractHashes(snapshot, maybeRemoved, width), target, width).adds,
    removes: maybeAdded.length === 0 ? diffHashes(snapshot, target, width).removes : diffHashes(unionHashes(snapshot, maybeAdded, width), target, width).removes,
  };
}
