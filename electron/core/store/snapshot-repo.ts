import { createHash } from 'node:crypto';
import type { Db } from './db';
import { CHUNKS_PER_TRANSACTION, deleteSliced, newGeneration, writeSlicedParts } from './chunk-generations';

/** Entries per stored chunk: 32,768 × 32 bytes = 1 MiB blobs. */
const CHUNK_ENTRIES = 32_768;
/** Chunks loadAsync reads between yields to the event loop. */
const LOAD_CHUNKS_PER_READ = 4;

export interface SnapshotMeta {
  entryWidth: number;
  entryCount: number;
  /** sha256 of the whole sorted buffer: equal digests mean equal membership. */
  digest: string;
  updatedAt: string;
}

/**
 * The membership an audience holds as last acknowledged by TikTok: sorted, de-duplicated fixed-width
 * entries (32-byte SHA-256 digests for single-key audiences), stored as 1 MiB chunks.
 */
export class SnapshotRepo {
  private readonly q;
  constructor(private readonly db: Db) {
    this.q = {
      meta: db.prepare('SELECT entry_width AS entryWidth, entry_count AS entryCount, digest, updated_at AS updatedAt, generation FROM snapshot_meta WHERE audience_id = ?'),
      chunks: db.prepare('SELECT c.data FROM snapshot_chunks c JOIN snapshot_meta m ON m.audience_id = c.audience_id AND m.generation = c.generation WHERE c.audience_id = ? ORDER BY c.seq'),
      chunksFrom: db.prepare('SELECT seq, data FROM snapshot_chunks WHERE audience_id = ? AND generation = ? AND seq >= ? ORDER BY seq LIMIT ?'),
      deleteChunks: db.prepare('DELETE FROM snapshot_chunks WHERE audience_id = ?'),
      deleteOthers: db.prepare('DELETE FROM snapshot_chunks WHERE audience_id = ? AND generation != ?'),
      deleteOrphans: db.prepare(`DELETE FROM snapshot_chunks WHERE rowid IN (SELECT rowid FROM snapshot_chunks
        WHERE audience_id = ? AND generation IS NOT (SELECT generation FROM snapshot_meta WHERE audience_id = ?) LIMIT ${CHUNKS_PER_TRANSACTION})`),
      insertChunk: db.prepare('INSERT INTO snapshot_chunks (audience_id, generation, seq, data) VALUES (?, ?, ?, ?)'),
      stagedBytes: db.prepare('SELECT coalesce(sum(length(data)), 0) AS bytes FROM snapshot_chunks WHERE audience_id = ? AND generation = ?'),
      upsertMeta: db.prepare(`INSERT INTO snapshot_meta (audience_id, entry_width, entry_count, digest, updated_at, generation) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(audience_id) DO UPDATE SET entry_width = excluded.entry_width, entry_count = excluded.entry_count,
          digest = excluded.digest, updated_at = excluded.updated_at, generation = excluded.generation`),
      deleteMeta: db.prepare('DELETE FROM snapshot_meta WHERE audience_id = ?'),
    };
  }

  meta(audienceId: number): SnapshotMeta | undefined {
    const row = this.q.meta.get(audienceId) as (SnapshotMeta & { generation: number }) | undefined;
    if (!row) return undefined;
    return { entryWidth: row.entryWidth, entryCount: row.entryCount, digest: row.digest, updatedAt: row.updatedAt };
  }

  private current(audienceId: number): (SnapshotMeta & { generation: number }) | undefined {
    return this.q.meta.get(audienceId) as (SnapshotMeta & { generation: number }) | undefined;
  }

  /** The stored entries as one buffer (empty when the audience has never been synced). */
  load(audienceId: number): Buffer {
    const meta = this.meta(audienceId);
    if (!meta) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(meta.entryCount * meta.entryWidth);
    let off = 0;
    for (const row of this.q.chunks.iterate(audienceId) as Iterable<{ data: Buffer }>) {
      row.data.copy(out, off);
      off += row.data.length;
    }
    if (off !== out.length) throw new Error(`Snapshot of audience ${audienceId} is corrupt: ${off} bytes stored, ${out.length} expected.`);
    return out;
  }

  /**
   * load(), yielding to the event loop every few chunks so a 5 M snapshot (160 MB) does not hold the engine's
   * loop while it is read (issue #13 §1). Read outside a transaction: the caller holds the audience's lock.
   */
  async loadAsync(audienceId: number): Promise<Buffer> {
    const meta = this.current(audienceId);
    if (!meta) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(meta.entryCount * meta.entryWidth);
    let off = 0;
    // Four 1 MiB chunks per read, each read whole (no statement stays open across a yield).
    for (let next = 0; ; ) {
      const rows = this.q.chunksFrom.all(audienceId, meta.generation, next, LOAD_CHUNKS_PER_READ) as { seq: number; data: Buffer }[];
      for (const row of rows) {
        if (off + row.data.length > out.length) throw new Error(`Snapshot of audience ${audienceId} is corrupt: more bytes stored than ${out.length} expected.`);
        row.data.copy(out, off);
        off += row.data.length;
        next = row.seq + 1;
      }
      if (rows.length < LOAD_CHUNKS_PER_READ) break;
      await new Promise<void>((r) => setImmediate(r));
    }
    if (off !== out.length) throw new Error(`Snapshot of audience ${audienceId} is corrupt: ${off} bytes stored, ${out.length} expected.`);
    return out;
  }

  /**
   * The current snapshot's chunks in order, read a few at a time with a yield between reads (no statement stays open
   * across a yield, so the engine's other work can use the store meanwhile): what a sync streams its diff and its next
   * snapshot over, never holding the whole snapshot. The caller holds the audience's lock.
   */
  async *chunksAsync(audienceId: number): AsyncGenerator<Buffer> {
    const meta = this.current(audienceId);
    if (!meta) return;
    for (let next = 0; ; ) {
      const rows = this.q.chunksFrom.all(audienceId, meta.generation, next, LOAD_CHUNKS_PER_READ) as { seq: number; data: Buffer }[];
      for (const row of rows) {
        next = row.seq + 1;
        yield row.data;
      }
      if (rows.length < LOAD_CHUNKS_PER_READ) return;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /**
   * The stored entries chunk by chunk (1 MiB each, in order), without assembling one buffer: a diff
   * can stream over them (cohort diffHashesChunked) so a 5 M snapshot never sits whole in memory.
   */
  *chunks(audienceId: number): Generator<Buffer> {
    for (const row of this.q.chunks.iterate(audienceId) as Iterable<{ data: Buffer }>) yield row.data;
  }

  /**
   * Replaces the whole snapshot. Runs inside the caller's transaction when there is one (so a job step
   * and its effect commit together), else in its own.
   */
  replace(audienceId: number, entries: Buffer, entryWidth = 32, digest?: string): SnapshotMeta {
    if (entries.length % entryWidth !== 0) throw new Error(`Snapshot length ${entries.length} is not a multiple of ${entryWidth}.`);
    const meta: SnapshotMeta = {
      entryWidth,
      entryCount: entries.length / entryWidth,
      // A caller that hashed the entries already (digestAsync, outside its transaction) passes the digest.
      digest: digest ?? digestOf(entries),
      updatedAt: new Date().toISOString(),
    };
    const write = () => {
      const generation = newGeneration(this.db);
      const chunkBytes = CHUNK_ENTRIES * entryWidth;
      for (let seq = 0, off = 0; off < entries.length; seq++, off += chunkBytes) {
        this.q.insertChunk.run(audienceId, generation, seq, entries.subarray(off, Math.min(off + chunkBytes, entries.length)));
      }
      this.q.upsertMeta.run(audienceId, meta.entryWidth, meta.entryCount, meta.digest, meta.updatedAt, generation);
      this.q.deleteOthers.run(audienceId, generation);
    };
    if (this.db.inTransaction) write();
    else this.db.transaction(write).immediate();
    return meta;
  }

  /**
   * Writes `entries` as a new, not yet current generation of the audience's snapshot, in small transactions that
   * yield between them (issue #13 §1); commit() makes it current. Outside any transaction, under the audience's lock.
   * A crash before the commit leaves the old snapshot current and this generation an orphan (sweep() deletes it).
   */
  async stage(audienceId: number, entries: Buffer | { parts(): AsyncIterable<Buffer> }, entryWidth = 32): Promise<number> {
    const generation = this.db.transaction(() => newGeneration(this.db)).immediate();
    // A set in parts (a cohort too large for memory) is written part after part.
    await writeSlicedParts(this.db, entries, CHUNK_ENTRIES * entryWidth, (seq, chunk) => {
      if (chunk.length % entryWidth !== 0) throw new Error(`Snapshot chunk of ${chunk.length} bytes is not a multiple of ${entryWidth}.`);
      this.q.insertChunk.run(audienceId, generation, seq, chunk);
    });
    return generation;
  }

  /**
   * Makes a staged generation the audience's snapshot: only the pointer moves, so this is cheap inside the caller's
   * transaction (a job step and its effect commit together). The old chunks stay until sweep().
   */
  commit(audienceId: number, generation: number, entryCount: number, entryWidth: number, digest: string): SnapshotMeta {
    const bytes = (this.q.stagedBytes.get(audienceId, generation) as { bytes: number }).bytes;
    if (bytes !== entryCount * entryWidth) throw new Error(`Staged snapshot ${generation} of audience ${audienceId} holds ${bytes} bytes, ${entryCount * entryWidth} expected.`);
    const meta: SnapshotMeta = { entryWidth, entryCount, digest, updatedAt: new Date().toISOString() };
    const write = () => this.q.upsertMeta.run(audienceId, entryWidth, entryCount, digest, meta.updatedAt, generation);
    if (this.db.inTransaction) write();
    else this.db.transaction(write).immediate();
    return meta;
  }

  /**
   * Deletes the audience's chunks that are not its current snapshot (replaced generations, orphans of a crash), a
   * few per transaction with yields between. Under the audience's lock (a staged generation looks orphaned). Returns
   * how many chunks it deleted.
   */
  sweep(audienceId: number): Promise<number> {
    return deleteSliced(this.db, () => this.q.deleteOrphans.run(audienceId, audienceId).changes);
  }

  clear(audienceId: number): void {
    this.db.transaction(() => {
      this.q.deleteChunks.run(audienceId);
      this.q.deleteMeta.run(audienceId);
    })();
  }
}

export function digestOf(entries: Buffer): string {
  return createHash('sha256').update(entries).digest('hex');
}
