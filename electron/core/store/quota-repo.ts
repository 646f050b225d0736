import { AppError } from '../../../shared/errors';
import type { Db } from './db';
import { QUOTA_JOURNAL_KEEP_MS, type QuotaJournal, type QuotaJournalEntry } from './quota-journal';

export type QuotaCallKind = 'create' | 'APPEND' | 'REMOVE' | 'REPLACE' | 'segment';

/** The UTC day a call counts against, as YYYY-MM-DD. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The start of the next UTC day: when a spent budget comes back. */
export function nextUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
}

/** How a carried-over call finds its audience: TikTok's id, or for a create (no id yet) advertiser and name. */
const CARRYOVER_MATCH = 'AND c.advertiser_id = a.advertiser_id AND (c.tiktok_audience_id = a.tiktok_audience_id OR (c.tiktok_audience_id IS NULL AND c.name = a.name))';

/**
 * The per-audience per-UTC-day ledger of audience-modifying calls. A call is reserved (written and
 * committed) before it is sent; a reservation counts against the day whatever happens next, unless it is
 * released because TikTok certainly never received it. So a crash between reserve and send can only
 * under-use the budget, never exceed it.
 */
export class QuotaRepo {
  private readonly q;
  constructor(
    private readonly db: Db,
    private readonly journal: QuotaJournal | null = null,
  ) {
    this.q = {
      // Calls of the day in the ledger, plus those carried over from a database that was lost (see QuotaJournal).
      used: db.prepare(`SELECT (SELECT count(*) FROM quota_calls WHERE audience_id = @id AND utc_day = @day AND state != 'released')
        + (SELECT count(*) FROM quota_carryover c JOIN audiences a ON a.id = @id ${CARRYOVER_MATCH} WHERE c.utc_day = @day) AS n`),
      replaces: db.prepare(`SELECT (SELECT count(*) FROM quota_calls WHERE audience_id = @id AND utc_day = @day AND kind = 'REPLACE' AND state != 'released')
        + (SELECT count(*) FROM quota_carryover c JOIN audiences a ON a.id = @id ${CARRYOVER_MATCH} WHERE c.utc_day = @day AND c.kind = 'REPLACE') AS n`),
      audienceKey: db.prepare('SELECT advertiser_id AS advertiserId, tiktok_audience_id AS tiktokAudienceId, name FROM audiences WHERE id = ?'),
      carriedReplace: db.prepare(`SELECT max(c.created_at) AS at FROM quota_carryover c JOIN audiences a ON a.id = ? ${CARRYOVER_MATCH} WHERE c.kind = 'REPLACE'`),
      insert: db.prepare("INSERT INTO quota_calls (audience_id, utc_day, kind, state, run_id, created_at, updated_at) VALUES (?, ?, ?, 'reserved', ?, ?, ?)"),
      setState: db.prepare('UPDATE quota_calls SET state = ?, updated_at = ? WHERE id = ?'),
      get: db.prepare('SELECT id, audience_id AS audienceId, utc_day AS utcDay, kind, state FROM quota_calls WHERE id = ?'),
      // A refused REPLACE counts too: TikTok refused it because another REPLACE was unfinished.
      lastReplace: db.prepare("SELECT max(created_at) AS at FROM quota_calls WHERE audience_id = ? AND kind = 'REPLACE' AND state != 'released'"),
      lastChange: db.prepare("SELECT max(created_at) AS at FROM quota_calls WHERE audience_id = ? AND state IN ('acked', 'failed')"),
      lastChangeWall: db.prepare("SELECT max(updated_at) AS at FROM quota_calls WHERE audience_id = ? AND state IN ('acked', 'failed')"),
      newestCall: db.prepare(`SELECT max(at) AS at FROM (SELECT max(created_at) AS at FROM quota_calls WHERE audience_id = @id
        UNION ALL SELECT max(c.created_at) FROM quota_carryover c JOIN audiences a ON a.id = @id ${CARRYOVER_MATCH})`),
      // Membership calls that reached TikTok or may have (refused and released ones were not applied), carried over too.
      membershipCalls: db.prepare(`SELECT (SELECT count(*) FROM quota_calls WHERE audience_id = @id AND kind != 'segment' AND state IN ('reserved', 'acked', 'failed'))
        + (SELECT count(*) FROM quota_carryover c JOIN audiences a ON a.id = @id ${CARRYOVER_MATCH} WHERE c.kind != 'segment') AS n`),
      unabsorbed: db.prepare(`SELECT count(*) AS n FROM quota_carryover c JOIN audiences a ON a.id = @id ${CARRYOVER_MATCH}
        WHERE c.created_at > coalesce((SELECT max(created_at) FROM quota_calls WHERE audience_id = @id), '')`),
      unackedCreate: db.prepare("SELECT max(created_at) AS at FROM quota_calls WHERE audience_id = ? AND kind = 'create' AND state IN ('reserved', 'failed')"),
      setAnswer: db.prepare('UPDATE quota_calls SET request_id = ?, entries = ? WHERE id = ?'),
      runReached: db.prepare("SELECT 1 FROM quota_calls WHERE run_id = ? AND state IN ('acked', 'failed') LIMIT 1"),
      failRun: db.prepare("UPDATE quota_calls SET state = 'failed', updated_at = ? WHERE run_id = ? AND state = 'reserved'"),
      // The run's count of calls sent (its log's "N calls sent") follows the ledger: a call TikTok refused or left
      // unanswered is counted in both (acknowledge counts the acknowledged ones).
      chargeRun: db.prepare('UPDATE sync_runs SET calls_used = calls_used + @n WHERE id = (SELECT run_id FROM quota_calls WHERE id = @id)'),
      reservedOfRun: db.prepare("SELECT count(*) AS n FROM quota_calls WHERE run_id = ? AND state = 'reserved'"),
      addRunCalls: db.prepare('UPDATE sync_runs SET calls_used = calls_used + ? WHERE id = ?'),
      carry: db.prepare('INSERT INTO quota_carryover (advertiser_id, tiktok_audience_id, name, utc_day, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    };
  }

  /**
   * Calls counted against `audienceId` on the UTC day of `at`: the ledger's, those carried over, and those the journal
   * beside the database has that the database lost (a restored backup; see lostCalls) and no sync has carried over
   * yet. So status, the dry run and the sync read the same count, before and after the sync carries them over.
   */
  used(audienceId: number, at: Date): number {
    const day = utcDay(at);
    return (this.q.used.get({ id: audienceId, day }) as { n: number }).n + this.lostCalls(audienceId, at).filter((e) => e.utcDay === day).length;
  }

  left(audienceId: number, at: Date, budget: number): number {
    return Math.max(0, budget - this.used(audienceId, at));
  }

  replacesToday(audienceId: number, at: Date): number {
    const day = utcDay(at);
    return (this.q.replaces.get({ id: audienceId, day }) as { n: number }).n + this.lostCalls(audienceId, at).filter((e) => e.utcDay === day && e.kind === 'REPLACE').length;
  }

  /** When the last REPLACE of the audience was sent (acknowledged, refused or unanswered), or null. */
  lastReplaceAt(audienceId: number): Date | null {
    const r = this.q.lastReplace.get(audienceId) as { at: string | null };
    const carried = this.q.carriedReplace.get(audienceId) as { at: string | null };
    const newest = [r.at, carried.at].filter((x): x is string => x !== null).sort().at(-1);
    return newest ? new Date(newest) : null;
  }

  /** When the last change that reached (or may have reached) TikTok was sent, or null. */
  lastChangeAt(audienceId: number): Date | null {
    const r = this.q.lastChange.get(audienceId) as { at: string | null };
    return r.at ? new Date(r.at) : null;
  }

  /**
   * When the last change that reached (or may have reached) TikTok was answered or given up on, by this computer's
   * wall clock (lastChangeAt is the engine's clock at sending; the two differ only when the engine's clock is set).
   */
  lastChangeWallAt(audienceId: number): Date | null {
    const r = this.q.lastChangeWall.get(audienceId) as { at: string | null };
    return r.at ? new Date(r.at) : null;
  }

  /**
   * Calls the journal (beside the database) has for this audience that the database lost: a crash that took the
   * database's last writes with it (e.g. its -wal file) leaves the journal's lines of the calls sent meanwhile.
   * They are the journal's entries for the audience (by TikTok id, or a create by advertiser and name) of its last
   * 48 h that are newer than every call the database has for it, carried over or not.
   */
  lostCalls(audienceId: number, at: Date): QuotaJournalEntry[] {
    const key = this.q.audienceKey.get(audienceId) as { advertiserId: string; tiktokAudienceId: string | null; name: string } | undefined;
    if (!this.journal || !key) return [];
    const newest = (this.q.newestCall.get({ id: audienceId }) as { at: string | null }).at;
    return this.journal
      .read(new Date(at.getTime() - QUOTA_JOURNAL_KEEP_MS))
      .filter((e) => e.advertiserId === key.advertiserId && ((key.tiktokAudienceId !== null && e.tiktokAudienceId === key.tiktokAudienceId) || (e.tiktokAudienceId === null && e.kind === 'create' && e.name === key.name)))
      .filter((e) => newest === null || e.at > newest);
  }

  /**
   * How many changes to who is in the audience this app sent that TikTok may have applied: its create, APPENDs,
   * REMOVEs and REPLACEs that were acknowledged, are unanswered or in flight, and those carried over from a lost
   * database. Refused and released calls were not applied. (TikTok's history has one entry per applied change.)
   */
  membershipCalls(audienceId: number): number {
    return (this.q.membershipCalls.get({ id: audienceId }) as { n: number }).n;
  }

  /**
   * Calls carried over (a restored backup, a lost -wal file) that are newer than every call in the audience's own
   * ledger: the snapshot this database has predates them, so it lacks what they changed. A run that lost calls clears
   * the snapshot with the carry-over, and the calls after it are newer, so this is 0 again from then on.
   */
  unabsorbedCarryover(audienceId: number): number {
    return (this.q.unabsorbed.get({ id: audienceId }) as { n: number }).n;
  }

  /** Counts calls the database lost (see lostCalls) again, as a recovery does. Joins the caller's transaction. */
  carryOver(entries: readonly QuotaJournalEntry[]): void {
    for (const e of entries) this.q.carry.run(e.advertiserId, e.tiktokAudienceId, e.name, e.utcDay, e.kind, e.at);
  }

  /**
   * Reserves one call, atomically checked against the budget. `created_at` is `at`: the time the call is sent
   * (rolling windows, such as one REPLACE per 24 h, are measured on it). Throws QUOTA_EXHAUSTED when there is no
   * room. Joins the caller's transaction when there is one, so the reservation commits with its job step.
   */
  reserve(audienceId: number, kind: QuotaCallKind, at: Date, budget: number, runId: number | null = null): number {
    const doIt = () => {
      if (this.used(audienceId, at) >= budget) {
        throw new AppError('QUOTA_EXHAUSTED', `This audience has used all ${budget} TikTok calls for ${utcDay(at)} (UTC). The rest is sent after ${nextUtcDay(at).toISOString()}.`);
      }
      const id = Number(this.q.insert.run(audienceId, utcDay(at), kind, runId, at.toISOString(), new Date().toISOString()).lastInsertRowid);
      const key = this.q.audienceKey.get(audienceId) as { advertiserId: string; tiktokAudienceId: string | null; name: string } | undefined;
      if (key) this.journal?.append({ at: at.toISOString(), utcDay: utcDay(at), ...key, kind });
      return id;
    };
    return this.db.inTransaction ? doIt() : this.db.transaction(doIt).immediate();
  }

  /**
   * TikTok acknowledged the call. With its answer: TikTok's request id and how many entries the call sent. The caller
   * counts it in its run; one that had no answer at first (fail) was counted then, and is not counted twice.
   */
  ack(id: number, answer?: { requestId: string | null; entries: number }): void {
    this.inTx(() => {
      if (this.get(id)?.state === 'failed') this.q.chargeRun.run({ id, n: -1 });
      this.q.setState.run('acked', new Date().toISOString(), id);
    });
    if (answer) this.q.setAnswer.run(answer.requestId, answer.entries, id);
  }

  /** When (engine clock, epoch ms) the newest create of the audience whose fate is unknown was sent, or null. A refused create made nothing. */
  unackedCreateAt(audienceId: number): number | null {
    const r = this.q.unackedCreate.get(audienceId) as { at: string | null };
    return r.at ? Date.parse(r.at) : null;
  }

  /** Whether a call of the run was acknowledged, or sent without an answer (it may have been applied). */
  runReachedTikTok(runId: number): boolean {
    return this.q.runReached.get(runId) !== undefined;
  }

  /** The run stopped (the app died during it): its calls still reserved were sent or not, unknown. They keep counting. */
  failReservedOfRun(runId: number): void {
    this.inTx(() => {
      this.q.addRunCalls.run((this.q.reservedOfRun.get(runId) as { n: number }).n, runId);
      this.q.failRun.run(new Date().toISOString(), runId);
    });
  }

  /** The call's fate is unknown (no answer): it counts, and it may have been applied. */
  fail(id: number): void {
    this.inTx(() => {
      if (this.get(id)?.state === 'reserved') this.q.chargeRun.run({ id, n: 1 });
      this.q.setState.run('failed', new Date().toISOString(), id);
    });
  }

  /**
   * TikTok answered with a refusal that counts (errors.ts, refusalCountsAgainstAudience: TikTok does not document whether
   * it counts a refused call, so one refused about the audience itself counts, to be safe); it was not applied.
   */
  refuse(id: number): void {
    this.inTx(() => {
      if (this.get(id)?.state === 'reserved') this.q.chargeRun.run({ id, n: 1 });
      this.q.setState.run('refused', new Date().toISOString(), id);
    });
  }

  /** Runs `f` in the caller's transaction, or in one of its own. */
  private inTx(f: () => void): void {
    if (this.db.inTransaction) f();
    else this.db.transaction(f)();
  }

  /**
   * The call does not count: TikTok certainly never received it (e.g. connection refused), or refused it before it
   * reached the audience (rate limits, an expired file path: errors.ts, refusalCountsAgainstAudience).
   */
  release(id: number): void {
    this.q.setState.run('released', new Date().toISOString(), id);
  }

  get(id: number): { id: number; audienceId: number; utcDay: string; kind: QuotaCallKind; state: string } | undefined {
    return this.q.get.get(id) as { id: number; audienceId: number; utcDay: string; kind: QuotaCallKind; state: string } | undefined;
  }
}
