import type { Store } from '../store';
import { unionHashes } from '../cohort';

const CHUNK_ENTRIES = 32_768;

/**
 * Adds what one acknowledged call changed to its run's delta (hashes only), inside the caller's
 * transaction. A run's delta is the union over its calls: what undo inverts.
 */
export function recordDelta(store: Store, runId: number, added: Buffer, removed: Buffer, width = 32): void {
  const chunk = CHUNK_ENTRIES * width;
  for (const [kind, entries] of [['add', added], ['remove', removed]] as const) {
    if (entries.length === 0) continue;
    const existing = loadDelta(store, runId, kind);
    const merged = existing.length === 0 ? entries : unionHashes(existing, entries, width);
    store.db.prepare('DELETE FROM run_deltas WHERE run_id = ? AND kind = ?').run(runId, kind);
    const insert = store.db.prepare('INSERT INTO run_deltas (run_id, kind, seq, data) VALUES (?, ?, ?, ?)');
    for (let off = 0, seq = 0; off < merged.length; off += chunk, seq++) insert.run(runId, kind, seq, merged.subarray(off, off + chunk));
  }
}

/** The entries a run added or removed (sorted). */
export function loadDelta(store: Store, runId: number, kind: 'add' | 'remove'): Buffer {
  const rows = store.db.prepare('SELECT data FROM run_deltas WHERE run_id = ? AND kind = ? ORDER BY seq').all(runId, kind) as { data: Buffer }[];
  return Buffer.concat(rows.map((r) => r.data));
}
