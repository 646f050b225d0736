import type { Store } from '../store';
import { unionHashes } from '../cohort';
import { unionHashesAsync } from '../cohort/hash-set-async';
import { entryCount, type Entries } from '../cohort/sorted-parts';
import { deleteSliced, newGeneration, writeSlicedParts } from '../store/chunk-generations';

const CHUNK_ENTRIES = 32_768;

/**
 * Adds what one acknowledged call changed to its run's delta (hashes only), inside the caller's
 * transaction. A run's delta is the union over its calls: what undo inverts.
 */
export function recordDelta(store: Store, runId: number, added: Buffer, removed: Buffer, width = 32): void {
  // An erasure (erasure.ts) is never undone, so its hashes are not kept, and the delta undo needs stays.
  if (store.deltas.triggerOf(runId) === 'erase') return;
  store.deltas.pruneOlder(runId, true);
  for (const [kind, entries] of [['add', added], ['remove', removed]] as const) {
    if (entries.length === 0) continue;
    const existing = loadDelta(store, runId, kind);
    writeDeltaNow(store, runId, kind, existing.length === 0 ? entries : unionHashes(existing, entries, width), width);
  }
}

/** Writes a run's whole delta of one kind as a new current generation, inside the caller's transaction. */
function writeDeltaNow(store: Store, runId: number, kind: 'add' | 'remove', merged: Buffer, width: number): void {
  const chunk = CHUNK_ENTRIES * width;
  const generation = newGeneration(store.db);
  for (let off = 0, seq = 0; off < merged.length; off += chunk, seq++) store.deltas.insertChunk(runId, kind, generation, seq, merged.subarray(off, off + chunk));
  store.deltas.setHead(runId, kind, generation);
  store.deltas.dropOtherGenerations(runId, kind, generation);
}

interface StagedKind {
  kind: 'add' | 'remove';
  entries: Entries;
  generation: number;
  /** The current delta the staged one merged: its generation and size, to see at commit whether it changed since. */
  basis: { generation: number | null; bytes: number };
}
export interface StagedDelta {
  runId: number;
  width: number;
  kinds: StagedKind[];
}

/**
 * recordDelta's writing, done before the acknowledging transaction (issue #13 §1): the run's merged delta goes under
 * new generations in small transactions that yield between them. commitDelta, inside that transaction, makes it
 * current. Null when nothing is to be kept. Under the audience's lock, outside any transaction.
 */
export async function stageDelta(store: Store, runId: number, added: Entries, removed: Entries, width = 32): Promise<StagedDelta | null> {
  if (store.deltas.triggerOf(runId) === 'erase') return null;
  const kinds: StagedKind[] = [];
  for (const [kind, entries] of [['add', added], ['remove', removed]] as const) {
    if (entryCount(entries, width) === 0) continue;
    const basis = store.deltas.head(runId, kind);
    const existing = basis.bytes === 0 ? Buffer.alloc(0) : loadDelta(store, runId, kind);
    // A set in parts (the first sync of a cohort too large for memory) is its run's first delta: written part by part.
    const merged = existing.length === 0 ? entries : await unionHashesAsync(existing, Buffer.isBuffer(entries) ? entries : await entries.toBuffer(), width);
    const generation = store.transaction(() => newGeneration(store.db));
    await writeSlicedParts(store.db, merged, CHUNK_ENTRIES * width, (seq, data) => store.deltas.insertChunk(runId, kind, generation, seq, data));
    kinds.push({ kind, entries, generation, basis });
  }
  return { runId, width, kinds };
}

/**
 * Makes a staged delta current, inside the caller's transaction (only pointers move), and lets go of the deltas of the
 * audience's earlier runs (their chunks are deleted by sweepDeltas). Should the current delta have changed since it
 * was staged (an erasure strips deltas without the audience's lock), the merge is redone here from the current one.
 */
export function commitDelta(store: Store, staged: StagedDelta | null): void {
  if (!staged) return;
  store.deltas.pruneOlder(staged.runId, false);
  for (const k of staged.kinds) {
    const now = store.deltas.head(staged.runId, k.kind);
    if (now.generation === k.basis.generation && now.bytes === k.basis.bytes) {
      store.deltas.setHead(staged.runId, k.kind, k.generation);
    } else {
      const existing = loadDelta(store, staged.runId, k.kind);
      const entries = Buffer.isBuffer(k.entries) ? k.entries : k.entries.toBufferSync();
      writeDeltaNow(store, staged.runId, k.kind, existing.length === 0 ? entries : unionHashes(existing, entries, staged.width), staged.width);
    }
  }
}

/** Deletes the delta chunks of the audience's runs that no head names (replaced, pruned, orphans of a crash), in slices. Under the audience's lock. */
export function sweepDeltas(store: Store, audienceId: number): Promise<number> {
  return deleteSliced(store.db, () => store.deltas.sweepSlice(audienceId));
}

/** The entries a run added or removed (sorted). */
export function loadDelta(store: Store, runId: number, kind: 'add' | 'remove'): Buffer {
  return store.deltas.load(runId, kind);
}

/** How many entries a run added and removed at TikTok (acknowledged calls only), without loading the hashes. */
export function deltaCounts(store: Store, runId: number, width = 32): { added: number; removed: number } {
  const rows = store.deltas.bytesByKind(runId);
  const of = (k: 'add' | 'remove') => Math.floor((rows.find((r) => r.kind === k)?.bytes ?? 0) / width);
  return { added: of('add'), removed: of('remove') };
}
