import type { Db } from './db';

/**
 * Writing and deleting chunked blobs without holding the event loop (issue #13 §1): a new version goes under a fresh
 * generation number in small transactions (CHUNKS_PER_TRANSACTION 1 MiB chunks each), with a yield between them; the
 * caller's commit then only moves a pointer. See migration 009.
 */
export const CHUNKS_PER_TRANSACTION = 2;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `fn` in its own transaction committed without waiting for the disk (synchronous = NORMAL for that commit only,
 * set back at once: nothing else runs on this connection in between). Safe for these slices: what they write stays
 * invisible until a pointer names it, and the commit that moves the pointer (synchronous = FULL) makes the write-ahead
 * log durable up to it, these slices included; a deletion lost to a power cut is redone by the next sweep. Waiting for
 * the disk at every 2 MiB slice held the engine's loop for up to 0.7 s while large upload files were being written.
 */
function withoutSync<T>(db: Db, fn: () => T): T {
  const mode = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  try {
    return db.transaction(fn).immediate();
  } finally {
    db.pragma(`synchronous = ${mode}`);
  }
}

/** A generation number never handed out before (in this data folder). */
export function newGeneration(db: Db): number {
  const id = Number(db.prepare('INSERT INTO chunk_generations DEFAULT VALUES').run().lastInsertRowid);
  db.prepare('DELETE FROM chunk_generations WHERE id = ?').run(id);
  return id;
}

/**
 * Writes `data` as chunks of `chunkBytes` (seq 0, 1, …) through `insert`, a few per transaction, yielding between
 * them. Must not run inside a transaction: each slice commits on its own (the chunks stay invisible until a pointer
 * names their generation).
 */
export async function writeSliced(db: Db, data: Buffer, chunkBytes: number, insert: (seq: number, chunk: Buffer) => void): Promise<void> {
  if (db.inTransaction) throw new Error('writeSliced runs outside a transaction: its slices commit one by one.');
  for (let seq = 0, off = 0; off < data.length; ) {
    withoutSync(db, () => {
      for (let n = 0; n < CHUNKS_PER_TRANSACTION && off < data.length; n++, seq++, off += chunkBytes) {
        insert(seq, data.subarray(off, Math.min(off + chunkBytes, data.length)));
      }
    });
    await tick();
  }
}

/**
 * writeSliced over one buffer, or over a set's parts one after the other (a cohort too large for memory, never joined),
 * the chunks numbered on from part to part.
 */
export async function writeSlicedParts(db: Db, data: Buffer | { parts(): AsyncIterable<Buffer> }, chunkBytes: number, insert: (seq: number, chunk: Buffer) => void): Promise<void> {
  let first = 0;
  for await (const part of Buffer.isBuffer(data) ? [data] : data.parts()) {
    const base = first;
    await writeSliced(db, part, chunkBytes, (seq, chunk) => insert(base + seq, chunk));
    first += Math.ceil(part.length / chunkBytes);
  }
}

/**
 * Runs `deleteSlice` (a DELETE of at most CHUNKS_PER_TRANSACTION orphaned chunks, returning how many it deleted) in
 * its own small transaction until nothing is left, yielding between slices: secure_delete zeroes every freed page,
 * so deleting a whole snapshot at once would hold the loop as long as writing it.
 */
export async function deleteSliced(db: Db, deleteSlice: () => number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = withoutSync(db, deleteSlice);
    total += n;
    if (n === 0) return total;
    await tick();
  }
}

/**
 * The audiences with chunks no pointer names (snapshots, pending changes, run deltas): a crash, in any process, between
 * the slices of a write. Reads only the tables' row headers, not the 1 MiB chunks.
 */
export function audiencesWithOrphans(db: Db): number[] {
  const rows = db
    .prepare(
      `SELECT c.audience_id AS id FROM snapshot_chunks c LEFT JOIN snapshot_meta m ON m.audience_id = c.audience_id WHERE c.generation IS NOT m.generation
       UNION SELECT c.audience_id FROM pending_changes c WHERE NOT EXISTS (SELECT 1 FROM pending_heads h WHERE h.audience_id = c.audience_id AND h.kind = c.kind AND h.generation = c.generation)
       UNION SELECT r.audience_id FROM run_deltas d JOIN sync_runs r ON r.id = d.run_id WHERE r.audience_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM run_delta_heads h WHERE h.run_id = d.run_id AND h.kind = d.kind AND h.generation = d.generation)`,
    )
    .all() as { id: number }[];
  return rows.map((r) => r.id);
}
