import type { Db } from './db';

/**
 * What the user decided about a held sync: still waiting for them (`held`), "Sync anyway (once)" for exactly
 * that cohort (`confirmed`), or "Keep audience as is" (`kept`: the same file stays held, without asking again).
 */
export type HoldState = 'held' | 'confirmed' | 'kept';

/**
 * Why a sync is held: it would remove more of the audience than its limit allows ('removals'), or TikTok shows
 * changes to who is in the audience that this app did not send ('membership': replace the whole membership with the
 * file, or keep syncing changes only).
 */
export type HoldReason = 'removals' | 'membership';

/** A held sync and what the user decided (one per audience). */
export interface HoldRecord {
  audienceId: number;
  /** The run that first held this plan: the id a confirmation names. */
  runId: number | null;
  reason: HoldReason;
  /** SHA-256 of the cohort the held sync would leave the audience holding: a confirmation is for exactly it. */
  targetDigest: string;
  currentSize: number;
  adds: number;
  removes: number;
  /** The audience's removal limit (%) when held; null: no limit (a membership hold is made without one too). */
  limitPct: number | null;
  rowsRead: number;
  /** Rows of the file last synced, when a sync of this audience completed before. */
  lastRowsRead: number | null;
  /** Membership holds: changes TikTok shows that this app did not send (else null). */
  foreignChanges: number | null;
  /** Membership holds: the audience's history baseline that "Keep syncing changes only" records (else null). */
  foreignBaseline: number | null;
  heldAt: string;
  state: HoldState;
  decidedAt: string | null;
}

interface Row {
  audience_id: number;
  run_id: number | null;
  reason: HoldReason;
  target_digest: string;
  current_size: number;
  adds: number;
  removes: number;
  limit_pct: number | null;
  rows_read: number;
  last_rows_read: number | null;
  foreign_changes: number | null;
  foreign_baseline: number | null;
  held_at: string;
  state: HoldState;
  decided_at: string | null;
}

/** The removal_holds table: at most one held plan per audience, held for its removals or for unknown membership. */
export class HoldsRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      get: db.prepare('SELECT * FROM removal_holds WHERE audience_id = ?'),
      put: db.prepare(`INSERT INTO removal_holds (audience_id, run_id, reason, target_digest, current_size, adds, removes, limit_pct, rows_read, last_rows_read,
            foreign_changes, foreign_baseline, held_at, state, decided_at)
          VALUES (@audienceId, @runId, @reason, @targetDigest, @currentSize, @adds, @removes, @limitPct, @rowsRead, @lastRowsRead,
            @foreignChanges, @foreignBaseline, @heldAt, @state, @decidedAt)
          ON CONFLICT(audience_id) DO UPDATE SET run_id = excluded.run_id, reason = excluded.reason, target_digest = excluded.target_digest,
            current_size = excluded.current_size, adds = excluded.adds, removes = excluded.removes, limit_pct = excluded.limit_pct,
            rows_read = excluded.rows_read, last_rows_read = excluded.last_rows_read, foreign_changes = excluded.foreign_changes,
            foreign_baseline = excluded.foreign_baseline, held_at = excluded.held_at, state = excluded.state, decided_at = excluded.decided_at`),
      decide: db.prepare('UPDATE removal_holds SET state = ?, decided_at = ? WHERE audience_id = ?'),
      clear: db.prepare('DELETE FROM removal_holds WHERE audience_id = ?'),
    };
  }

  get(audienceId: number): HoldRecord | null {
    const r = this.q.get.get(audienceId) as Row | undefined;
    return r ? toRecord(r) : null;
  }

  /** Records (or replaces) the audience's held plan. */
  put(h: HoldRecord): void {
    this.q.put.run(h);
  }

  decide(audienceId: number, state: HoldState, at: Date): void {
    this.q.decide.run(state, at.toISOString(), audienceId);
  }

  clear(audienceId: number): void {
    this.q.clear.run(audienceId);
  }
}

function toRecord(r: Row): HoldRecord {
  return {
    audienceId: r.audience_id,
    runId: r.run_id,
    reason: r.reason,
    targetDigest: r.target_digest,
    currentSize: r.current_size,
    adds: r.adds,
    removes: r.removes,
    limitPct: r.limit_pct,
    rowsRead: r.rows_read,
    lastRowsRead: r.last_rows_read,
    foreignChanges: r.foreign_changes,
    foreignBaseline: r.foreign_baseline,
    heldAt: r.held_at,
    state: r.state,
    decidedAt: r.decided_at,
  };
}
