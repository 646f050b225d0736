import type { Db } from './db';

export type AudienceState = 'never_synced' | 'processing' | 'available' | 'unavailable' | 'expiring' | 'expired' | 'needs_reconnect' | 'error';

/** One check of an audience's status at TikTok (sync/status.ts, refreshStatus). */
export interface StatusRecord {
  audienceId: number;
  checkedAt: string;
  coverNum: number | null;
  isValid: boolean | null;
  isExpiring: boolean | null;
  expiredTime: string | null;
  localSize: number;
  state: AudienceState;
  message: string | null;
}

interface StatusRow {
  audience_id: number;
  checked_at: string;
  cover_num: number | null;
  is_valid: number | null;
  is_expiring: number | null;
  expired_time: string | null;
  local_size: number;
  state: AudienceState;
  message: string | null;
}

/** TikTok's reported status of each audience, over time, and the schedule's last served slot of each audience. */
export class StatusRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      insert: db.prepare('INSERT INTO audience_status (audience_id, checked_at, cover_num, is_valid, is_expiring, expired_time, local_size, state, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      history: db.prepare('SELECT * FROM (SELECT * FROM audience_status WHERE audience_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id'),
      latest: db.prepare('SELECT state, checked_at AS checkedAt FROM audience_status WHERE audience_id = ? ORDER BY id DESC LIMIT 1'),
      matched: db.prepare(`SELECT s.cover_num AS cover, s.local_size AS local FROM audience_status s JOIN audiences a ON a.id = s.audience_id
        WHERE s.id IN (SELECT max(id) FROM audience_status WHERE is_valid = 1 GROUP BY audience_id)
          AND a.calculate_type = ? AND s.local_size > 0 AND s.cover_num IS NOT NULL`),
      lastChecks: db.prepare(`SELECT a.id AS id, s.checked_at AS checkedAt, s.state AS state FROM audiences a
        LEFT JOIN audience_status s ON s.id = (SELECT max(id) FROM audience_status WHERE audience_id = a.id)
        WHERE a.tiktok_audience_id IS NOT NULL ORDER BY coalesce(s.checked_at, '')`),
      lastSlot: db.prepare('SELECT schedule_last_slot AS s FROM audiences WHERE id = ?'),
      setLastSlot: db.prepare('UPDATE audiences SET schedule_last_slot = ? WHERE id = ?'),
    };
  }

  record(r: StatusRecord): void {
    this.q.insert.run(r.audienceId, r.checkedAt, r.coverNum, r.isValid === null ? null : Number(r.isValid), r.isExpiring === null ? null : Number(r.isExpiring), r.expiredTime, r.localSize, r.state, r.message);
  }

  /** The newest `limit` checks of the audience, oldest first. */
  history(audienceId: number, limit: number): StatusRecord[] {
    return (this.q.history.all(audienceId, limit) as StatusRow[]).map((r) => ({
      audienceId: r.audience_id,
      checkedAt: r.checked_at,
      coverNum: r.cover_num,
      isValid: r.is_valid === null ? null : r.is_valid === 1,
      isExpiring: r.is_expiring === null ? null : r.is_expiring === 1,
      expiredTime: r.expired_time,
      localSize: r.local_size,
      state: r.state,
      message: r.message,
    }));
  }

  /** The state and time of the audience's newest check, if any. */
  latest(audienceId: number): { state: AudienceState; checkedAt: string } | undefined {
    return this.q.latest.get(audienceId) as { state: AudienceState; checkedAt: string } | undefined;
  }

  /** Per audience of this key type whose newest valid check has both: TikTok's match count and the people sent. */
  matchedOfSent(calculateType: string): { cover: number; local: number }[] {
    return this.q.matched.all(calculateType) as { cover: number; local: number }[];
  }

  /** Every audience that exists at TikTok with its newest check (null: never checked), least recently checked first. */
  lastChecks(): { id: number; checkedAt: string | null; state: string | null }[] {
    return this.q.lastChecks.all() as { id: number; checkedAt: string | null; state: string | null }[];
  }

  /** The schedule slot the audience's last scheduled run served, or null. */
  lastSlot(audienceId: number): Date | null {
    const row = this.q.lastSlot.get(audienceId) as { s: string | null } | undefined;
    return row?.s ? new Date(row.s) : null;
  }

  setLastSlot(audienceId: number, slot: Date | null): void {
    this.q.setLastSlot.run(slot?.toISOString() ?? null, audienceId);
  }
}
