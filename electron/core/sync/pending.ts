import { diffHashes, subtractHashes, unionHashes } from '../cohort';
import { diffHashesAsync, subtractHashesAsync, unionHashesAsync } from '../cohort/hash-set-async';
import type { Store } from '../store';

const CHUNK_ENTRIES = 32_768;

/**
 * Changes that may have reached TikTok unacknowledged, per audience (see the pending_changes table).
 * `add`: entries that may be at TikTok though the snapshot lacks them; `remove`: entries that may be gone
 * though the snapshot has them.
 */
export function loadPending(store: Store, audienceId: number, kind: 'add' | 'remove'): Buffer {
  const rows = store.db.prepare('SELECT data FROM pending_changes WHERE audience_id = ? AND kind = ? ORDER BY seq').all(audienceId, kind) as { data: Buffer }[];
  return Buffer.concat(rows.map((r) => r.data));
}

/** Adds to the audience's uncertain changes (never shrinks them): call in the transaction before sending. */
export function addPending(store: Store, audienceId: number, add: Buffer, remove: Buffer, width: number): void {
  const chunk = CHUNK_ENTRIES * width;
  for (const [kind, entries] of [['add', add], ['remove', remove]] as const) {
    if (entries.length === 0) continue;
    const merged = unionHashes(loadPending(store, audienceId, kind), entries, width);
    store.db.prepare('DELETE FROM pending_changes WHERE audience_id = ? AND kind = ?').run(audienceId, kind);
    const insert = store.db.prepare('INSERT INTO pending_changes (audience_id, kind, seq, data) VALUES (?, ?, ?, ?)');
    for (let off = 0, seq = 0; off < merged.length; off += chunk, seq++) insert.run(audienceId, kind, seq, merged.subarray(off, off + chunk));
  }
}

/** A run that completed leaves TikTok holding exactly the snapshot: nothing is uncertain any more. */
export function clearPending(store: Store, audienceId: number): void {
  store.db.prepare('DELETE FROM pending_changes WHERE audience_id = ?').run(audienceId);
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
