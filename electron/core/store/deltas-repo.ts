import type { Db } from './db';
import { CHUNKS_PER_TRANSACTION } from './chunk-generations';
import type { ChangeKind } from './pending-repo';

/**
 * Undo only ever inverts an audience's newest sync that changed TikTok, so once a (non-undo) run changes it, the
 * deltas of earlier runs of that audience go: hashes of people are kept no longer than undo needs them. One sync can
 * be several runs (runs cut short, `deferred`, then the run that carried on: undo-target.ts inverts them all), so the
 * deferred runs since the last other run that changed TikTok (that has a delta) keep theirs. An undo run's own change
 * keeps the delta it is inverting (an undo cut short is tried again from it).
 */
const OLDER_RUNS = `SELECT r.id FROM sync_runs r JOIN sync_runs me ON me.id = @runId AND me.trigger != 'undo' AND r.audience_id = me.audience_id AND r.id <= @upTo`;
/** The newest run before this one that changed TikTok (it has a delta) and was not cut short: the runs up to it are older syncs. */
const LAST_OTHER_SYNC = `SELECT b.id FROM sync_runs me JOIN sync_runs b ON b.audience_id = me.audience_id AND b.id < me.id
  WHERE me.id = ? AND b.status != 'deferred' AND EXISTS (SELECT 1 FROM run_delta_heads h WHERE h.run_id = b.id) ORDER BY b.id DESC LIMIT 1`;

/**
 * What each run added and removed at TikTok (its undo delta): chunked sets under a generation that the head row makes
 * current (migration 009). The merging is sync/deltas.ts's.
 */
export class DeltasRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      trigger: db.prepare('SELECT trigger FROM sync_runs WHERE id = ?'),
      lastOtherSync: db.prepare(LAST_OTHER_SYNC),
      dropOlderChunks: db.prepare(`DELETE FROM run_deltas WHERE run_id IN (${OLDER_RUNS})`),
      dropOlderHeads: db.prepare(`DELETE FROM run_delta_heads WHERE run_id IN (${OLDER_RUNS})`),
      insert: db.prepare('INSERT INTO run_deltas (run_id, kind, generation, seq, data) VALUES (?, ?, ?, ?, ?)'),
      setHead: db.prepare('INSERT OR REPLACE INTO run_delta_heads (run_id, kind, generation) VALUES (?, ?, ?)'),
      dropOthers: db.prepare('DELETE FROM run_deltas WHERE run_id = ? AND kind = ? AND generation != ?'),
      head: db.prepare('SELECT generation FROM run_delta_heads WHERE run_id = ? AND kind = ?'),
      bytes: db.prepare('SELECT coalesce(sum(length(data)), 0) AS bytes FROM run_deltas WHERE run_id = ? AND kind = ? AND generation = ?'),
      sweepSlice: db.prepare(`DELETE FROM run_deltas WHERE rowid IN (SELECT d.rowid FROM run_deltas d JOIN sync_runs r ON r.id = d.run_id
        WHERE r.audience_id = ? AND NOT EXISTS (SELECT 1 FROM run_delta_heads h WHERE h.run_id = d.run_id AND h.kind = d.kind AND h.generation = d.generation)
        LIMIT ${CHUNKS_PER_TRANSACTION})`),
      load: db.prepare('SELECT d.data FROM run_deltas d JOIN run_delta_heads h ON h.run_id = d.run_id AND h.kind = d.kind AND h.generation = d.generation WHERE d.run_id = ? AND d.kind = ? ORDER BY d.seq'),
      allChunks: db.prepare('SELECT d.run_id AS runId, d.kind AS kind, d.generation AS generation, d.seq AS seq, d.data AS data FROM run_deltas d JOIN sync_runs r ON r.id = d.run_id WHERE r.audience_id = ? ORDER BY d.run_id, d.kind, d.generation, d.seq'),
      rewriteChunk: db.prepare('UPDATE run_deltas SET data = ? WHERE run_id = ? AND kind = ? AND generation = ? AND seq = ?'),
      counts: db.prepare('SELECT d.kind AS kind, sum(length(d.data)) AS bytes FROM run_deltas d JOIN run_delta_heads h ON h.run_id = d.run_id AND h.kind = d.kind AND h.generation = d.generation WHERE d.run_id = ? GROUP BY d.kind'),
    };
  }

  /** The run's trigger ('cli', 'schedule', 'undo', 'erase', …), if the run exists. */
  triggerOf(runId: number): string | undefined {
    return (this.q.trigger.get(runId) as { trigger: string } | undefined)?.trigger;
  }

  /** Lets go of the deltas of the audience's runs before this one (see OLDER_RUNS); `chunksToo` deletes their chunks now. */
  pruneOlder(runId: number, chunksToo: boolean): void {
    const upTo = (this.q.lastOtherSync.get(runId) as { id: number } | undefined)?.id;
    if (upTo === undefined) return;
    if (chunksToo) this.q.dropOlderChunks.run({ runId, upTo });
    this.q.dropOlderHeads.run({ runId, upTo });
  }

  insertChunk(runId: number, kind: ChangeKind, generation: number, seq: number, data: Buffer): void {
    this.q.insert.run(runId, kind, generation, seq, data);
  }

  setHead(runId: number, kind: ChangeKind, generation: number): void {
    this.q.setHead.run(runId, kind, generation);
  }

  dropOtherGenerations(runId: number, kind: ChangeKind, generation: number): void {
    this.q.dropOthers.run(runId, kind, generation);
  }

  /** The current generation of the run's delta of this kind and its size in bytes. */
  head(runId: number, kind: ChangeKind): { generation: number | null; bytes: number } {
    const head = this.q.head.get(runId, kind) as { generation: number } | undefined;
    if (!head) return { generation: null, bytes: 0 };
    const { bytes } = this.q.bytes.get(runId, kind, head.generation) as { bytes: number };
    return { generation: head.generation, bytes };
  }

  /** Deletes at most CHUNKS_PER_TRANSACTION delta chunks of the audience's runs that no head names; returns how many. */
  sweepSlice(audienceId: number): number {
    return this.q.sweepSlice.run(audienceId).changes;
  }

  /** The entries a run added or removed (sorted). */
  load(runId: number, kind: ChangeKind): Buffer {
    return Buffer.concat((this.q.load.all(runId, kind) as { data: Buffer }[]).map((r) => r.data));
  }

  /** The bytes of the run's current add and remove deltas. */
  bytesByKind(runId: number): { kind: ChangeKind; bytes: number }[] {
    return this.q.counts.all(runId) as { kind: ChangeKind; bytes: number }[];
  }

  /** Every delta chunk of the audience's runs, of every generation (staged ones too), in order. */
  allChunks(audienceId: number): DeltaChunk[] {
    return this.q.allChunks.all(audienceId) as DeltaChunk[];
  }

  /** Replaces one chunk's data (an erasure strips a person's entries from it). */
  rewriteChunk(c: Omit<DeltaChunk, 'data'>, data: Buffer): void {
    this.q.rewriteChunk.run(data, c.runId, c.kind, c.generation, c.seq);
  }
}

/** One stored chunk of a run's delta. */
export interface DeltaChunk {
  runId: number;
  kind: ChangeKind;
  generation: number;
  seq: number;
  data: Buffer;
}
