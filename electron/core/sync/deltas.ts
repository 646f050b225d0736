import type { Store } from '../store';
import { unionHashes } from '../cohort';
import { unionHashesAsync } from '../cohort/hash-set-async';
import { CHUNKS_PER_TRANSACTION, deleteSliced, newGeneration, writeSliced } from '../store/chunk-generations';

const CHUNK_ENTRIES = 32_768;

/**
 * Adds what one acknowledged call changed to its run's delta (hashes only), inside the caller's
 * transaction. A run's delta is the union over its calls: what undo inverts.
 */
export function recordDelta(store: Store, runId: number, added: Buffer, removed: Buffer, width = 32): void {
  // An erasure (erasure.ts) is never undone, so its hashes are not kept, and the delta undo needs stays.
  const trigger = (store.db.prepare('SELECT trigger FROM sync_runs WHERE id = ?').get(runId) as { trigger: string } | undefined)?.trigger;
  if (trigger === 'erase') return;
  pruneOlderDeltas(store, runId);
  store.db.prepare(`DELETE FROM run_deltas WHERE run_id IN (${OLDER_RUNS})`).run(runId);
  for (const [kind, entries] of [['add', added], ['remove', removed]] as const) {
    if (entries.length === 0) continue;
    const existing = loadDelta(store, runId, kind);
    writeDeltaNow(store, runId, kind, existing.length === 0 ? entries : unionHashes(existing, entries, width), width);
  }
}

const insertSql = 'INSERT INTO run_deltas (run_id, kind, generation, seq, data) VALUES (?, ?, ?, ?, ?)';
const setHeadSql = 'INSERT OR REPLACE INTO run_delta_heads (run_id, kind, generation) VALUES (?, ?, ?)';

/** Writes a run's whole delta of one kind as a new current generation, inside the caller's transaction. */
function writeDeltaNow(store: Store, runId: number, kind: 'add' | 'remove', merged: Buffer, width: number): void {
  const chunk = CHUNK_ENTRIES * width;
  const generation = newGeneration(store.db);
  const insert = store.db.prepare(insertSql);
  for (let off = 0, seq = 0; off < merged.length; off += chunk, seq++) insert.run(runId, kind, generation, seq, merged.subarray(off, off + chunk));
  store.db.prepare(setHeadSql).run(runId, kind, generation);
  store.db.prepare('DELETE FROM run_deltas WHERE run_id = ? AND kind = ? AND generation != ?').run(runId, kind, generation);
}

interface StagedKind {
  kind: 'add' | 'remove';
  entries: Buffer;
  generation: number;
  /** The current delta the staged one merged: its generation and size, to see at commit whether it changed since. */
  basis: { generation: number | null; bytes: number };
}
export interface StagedDelta {
  runId: number;
  width: number;
  kinds: StagedKind[];
}

function deltaHead(store: Store, runId: number, kind: 'add' | 'remove'): { generation: number | null; bytes: number } {
  const head = store.db.prepare('SELECT generation FROM run_delta_heads WHERE run_id = ? AND kind = ?').get(runId, kind) as { generation: number } | undefined;
  if (!head) return { generation: null, bytes: 0 };
  const { bytes } = store.db.prepare('SELECT coalesce(sum(length(data)), 0) AS bytes FROM run_deltas WHERE run_id = ? AND kind = ? AND generation = ?').get(runId, kind, head.generation) as { bytes: number };
  return { generation: head.generation, bytes };
}

/**
 * recordDelta's writing, done before the acknowledging transaction (issue #13 §1): the run's merged delta goes under
 * new generations in small transactions that yield between them. commitDelta, inside that transaction, makes it
 * current. Null when nothing is to be kept. Under the audience's lock, outside any transaction.
 */
export async function stageDelta(store: Store, runId: number, added: Buffer, removed: Buffer, width = 32): Promise<StagedDelta | null> {
  const trigger = (store.db.prepare('SELECT trigger FROM sync_runs WHERE id = ?').get(runId) as { trigger: string } | undefined)?.trigger;
  if (trigger === 'erase') return null;
  const kinds: StagedKind[] = [];
  for (const [kind, entries] of [['add', added], ['remove', removed]] as const) {
    if (entries.length === 0) continue;
    const basis = deltaHead(store, runId, kind);
    const existing = basis.bytes === 0 ? Buffer.alloc(0) : loadDelta(store, runId, kind);
    const merged = existing.length === 0 ? entries : await unionHashesAsync(existing, entries, width);
    const generation = store.transaction(() => newGeneration(store.db));
    const insert = store.db.prepare(insertSql);
    await writeSliced(store.db, merged, CHUNK_ENTRIES * width, (seq, data) => insert.run(runId, kind, generation, seq, data));
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
  pruneOlderDeltas(store, staged.runId);
  for (const k of staged.kinds) {
    const now = deltaHead(store, staged.runId, k.kind);
    if (now.generation === k.basis.generation && now.bytes === k.basis.bytes) {
      store.db.prepare(setHeadSql).run(staged.runId, k.kind, k.generation);
    } else {
      const existing = loadDelta(store, staged.runId, k.kind);
      writeDeltaNow(store, staged.runId, k.kind, existing.length === 0 ? k.entries : unionHashes(existing, k.entries, staged.width), staged.width);
    }
  }
}

/** Deletes the delta chunks of the audience's runs that no head names (replaced, pruned, orphans of a crash), in slices. Under the audience's lock. */
export function sweepDeltas(store: Store, audienceId: number): Promise<number> {
  const slice = store.db.prepare(`DELETE FROM run_deltas WHERE rowid IN (SELECT d.rowid FROM run_deltas d JOIN sync_runs r ON r.id = d.run_id
    WHERE r.audience_id = ? AND NOT EXISTS (SELECT 1 FROM run_delta_heads h WHERE h.run_id = d.run_id AND h.kind = d.kind AND h.generation = d.generation)
    LIMIT ${CHUNKS_PER_TRANSACTION})`);
  return deleteSliced(store.db, () => slice.run(audienceId).changes);
}

/**
 * Undo only ever inverts an audience's newest sync that changed TikTok, so once a (non-undo) run changes it, the
 * deltas of every earlier run of that audience are deleted: hashes of people are kept no longer than undo needs
 * them. An undo run's own change keeps the delta it is inverting (an undo cut short is tried again from it).
 */
const OLDER_RUNS = `SELECT r.id FROM sync_runs r JOIN sync_runs me ON me.id = ? AND me.trigger != 'undo' AND r.audience_id = me.audience_id AND r.id < me.id`;
function pruneOlderDeltas(store: Store, runId: number): void {
  store.db.prepare(`DELETE FROM run_delta_heads WHERE run_id IN (${OLDER_RUNS})`).run(runId);
}

/** The entries a run added or removed (sorted). */
export function loadDelta(store: Store, runId: number, kind: 'add' | 'remove'): Buffer {
  const rows = store.db
    .prepare('SELECT d.data FROM run_deltas d JOIN run_delta_heads h ON h.run_id = d.run_id AND h.kind = d.kind AND h.generation = d.generation WHERE d.run_id = ? AND d.kind = ? ORDER BY d.seq')
    .all(runId, kind) as { data: Buffer }[];
  return Buffer.concat(rows.map((r) => r.data));
}

/** How many entries a run added and removed at TikTok (acknowledged calls only), without loading the hashes. */
export function deltaCounts(store: Store, runId: number, width = 32): { added: number; removed: number } {
  const rows = store.db.prepare('SELECT d.kind AS kind, sum(length(d.data)) AS bytes FROM run_deltas d JOIN run_delta_heads h ON h.run_id = d.run_id AND h.kind = d.kind AND h.generation = d.generation WHERE d.run_id = ? GROUP BY d.kind').all(runId) as { kind: 'add' | 'remove'; bytes: number }[];
  const of = (k: 'add' | 'remove') => Math.floor((rows.find((r) => r.kind === k)?.bytes ?? 0) / width);
  return { added: of('add'), removed: of('remove') };
}
