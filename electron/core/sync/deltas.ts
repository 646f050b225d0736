import type { Store } from '../store';
import { unionHashes } from '../cohort';

const CHUNK_ENTRIES = 32_768;

/**
 * Adds what one acknowledged call changed to its run's delta (hashes only), inside the caller's
 * transaction. A run's delta is the union over its calls: what undo inverts.
 */
export function recordDelta(store: Store, runId: number, added: Buffer, removed: Buffer, width = 32): void {
  // An erasure (erasure.ts) is never undone, so its hashes are not kept, and the delta undo needs stays.
  const trigger = (store.db.prepare('SELECT trigger FROM sync_runs WHERE id = ?').get(runId) as { trigger: string } | undefined)?.trigger;
  if (trigger === 'erase') return;
  const chunk = CHUNK_ENTRIES * width;
  pruneOlderDeltas(store, runId);
  for (const [kind, entries] of [['add', added], ['remove', removed]] as const) {
    if (entries.length === 0) continue;
    const existing = loadDelta(store, runId, kind);
    const merged = existing.length === 0 ? entries : unionHashes(existing, entries, width);
    store.db.prepare('DELETE FROM run_deltas WHERE run_id = ? AND kind = ?').run(runId, kind);
    const insert = store.db.prepare('INSERT INTO run_deltas (run_id, kind, seq, data) VALUES (?, ?, ?, ?)');
    for (let off = 0, seq = 0; off < merged.length; off += chunk, seq++) insert.run(runId, kind, seq, merged.subarray(off, off + chunk));
  }
}

/**
 * Undo only ever inverts an audience's newest sync that changed TikTok, so once a (non-undo) run changes it, the
 * deltas of every earlier run of that audience are deleted: hashes of people are kept no longer than undo needs
 * them. An undo run's own change keeps the delta it is inverting (an undo cut short is tried again from it).
 */
function pruneOlderDeltas(store: Store, runId: number): void {
  store.db
    .prepare(
      `DELETE FROM run_deltas WHERE run_id IN (
        SELECT r.id FROM sync_runs r JOIN sync_runs me ON me.id = ? AND me.trigger != 'undo' AND r.audience_id = me.audience_id AND r.id < me.id)`,
    )
    .run(runId);
}

/** The entries a run added or removed (sorted). */
export function loadDelta(store: Store, runId: number, kind: 'add' | 'remove'): Buffer {
  const rows = store.db.prepare('SELECT data FROM run_deltas WHERE run_id = ? AND kind = ? ORDER BY seq').all(runId, kind) as { data: Buffer }[];
  return Buffer.concat(rows.map((r) => r.data));
}

/** How many entries a run added and removed at TikTok (acknowledged calls only), without loading the hashes. */
export function deltaCounts(store: Store, runId: number, width = 32): { added: number; removed: number } {
  const rows = store.db.prepare('SELECT kind, sum(length(data)) AS bytes FROM run_deltas WHERE run_id = ? GROUP BY kind').all(runId) as { kind: 'add' | 'remove'; bytes: number }[];
  const of = (k: 'add' | 'remove') => Math.floor((rows.find((r) => r.kind === k)?.bytes ?? 0) / width);
  return { added: of('add'), removed: of('remove') };
}
