import type { Db } from './db';
import { CHUNKS_PER_TRANSACTION } from './chunk-generations';

export type ChangeKind = 'add' | 'remove';

/**
 * Changes that may have reached TikTok unacknowledged, per audience: chunked sets under a generation that the head
 * row makes current (migration 009). The set algebra over them is sync/pending.ts's.
 */
export class PendingRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      load: db.prepare('SELECT c.data FROM pending_changes c JOIN pending_heads h ON h.audience_id = c.audience_id AND h.kind = c.kind AND h.generation = c.generation WHERE c.audience_id = ? AND c.kind = ? ORDER BY c.seq'),
      insert: db.prepare('INSERT INTO pending_changes (audience_id, kind, generation, seq, data) VALUES (?, ?, ?, ?, ?)'),
      setHead: db.prepare('INSERT OR REPLACE INTO pending_heads (audience_id, kind, generation) VALUES (?, ?, ?)'),
      dropOthers: db.prepare('DELETE FROM pending_changes WHERE audience_id = ? AND kind = ? AND generation != ?'),
      dropHeads: db.prepare('DELETE FROM pending_heads WHERE audience_id = ?'),
      dropChunks: db.prepare('DELETE FROM pending_changes WHERE audience_id = ?'),
      sweepSlice: db.prepare(`DELETE FROM pending_changes WHERE rowid IN (SELECT c.rowid FROM pending_changes c WHERE c.audience_id = ?
        AND NOT EXISTS (SELECT 1 FROM pending_heads h WHERE h.audience_id = c.audience_id AND h.kind = c.kind AND h.generation = c.generation) LIMIT ${CHUNKS_PER_TRANSACTION})`),
    };
  }

  /** The audience's current set of this kind (sorted entries), empty when none. */
  load(audienceId: number, kind: ChangeKind): Buffer {
    return Buffer.concat((this.q.load.all(audienceId, kind) as { data: Buffer }[]).map((r) => r.data));
  }

  insertChunk(audienceId: number, kind: ChangeKind, generation: number, seq: number, data: Buffer): void {
    this.q.insert.run(audienceId, kind, generation, seq, data);
  }

  /** Makes `generation` the audience's current set of this kind. */
  setHead(audienceId: number, kind: ChangeKind, generation: number): void {
    this.q.setHead.run(audienceId, kind, generation);
  }

  /** Deletes the audience's chunks of this kind under any other generation. */
  dropOtherGenerations(audienceId: number, kind: ChangeKind, generation: number): void {
    this.q.dropOthers.run(audienceId, kind, generation);
  }

  /** Nothing is current any more (the chunks stay until swept, or `chunksToo`). */
  clear(audienceId: number, chunksToo: boolean): void {
    this.q.dropHeads.run(audienceId);
    if (chunksToo) this.q.dropChunks.run(audienceId);
  }

  /** Deletes at most CHUNKS_PER_TRANSACTION chunks of the audience no head names; returns how many. */
  sweepSlice(audienceId: number): number {
    return this.q.sweepSlice.run(audienceId).changes;
  }
}
