import type { ApiCallView, RunSent, RunStatus, RunTrigger } from '../../../shared/ipc/dto';
import type { Db } from './db';

export type { RunSent, RunStatus, RunTrigger };

/** One sync run as the sync log shows it. Counts only: never hashes, never tokens. */
export interface RunRecord {
  id: number;
  audienceId: number | null;
  trigger: RunTrigger;
  status: RunStatus;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string | null;
  sourcePath: string | null;
  rowsRead: number;
  valid: number;
  rejected: number;
  duplicates: number;
  adds: number;
  removes: number;
  callsUsed: number;
  rejectReasons: Record<string, number>;
  deferredUntil: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** What the run sent to TikTok, from the quota ledger (every call is reserved there before it is sent). */
  sent: RunSent;
}

/** One TikTok API call in the sync log (the view the renderer shows, plus its run and audience). */
export interface ApiCallRecord extends ApiCallView {
  runId: number | null;
  audienceId: number | null;
}

export type RunCounts = Partial<Pick<RunRecord, 'rowsRead' | 'valid' | 'rejected' | 'duplicates' | 'adds' | 'removes' | 'callsUsed' | 'rejectReasons'>>;

interface RunRow {
  id: number;
  audience_id: number | null;
  trigger: RunTrigger;
  status: RunStatus;
  dry_run: number;
  started_at: string;
  finished_at: string | null;
  source_path: string | null;
  rows_read: number;
  valid: number;
  rejected: number;
  duplicates: number;
  adds: number;
  removes: number;
  calls_used: number;
  reject_reasons_json: string;
  deferred_until: string | null;
  error_code: string | null;
  error_message: string | null;
  /** RUN_COLUMNS' ledger sums (null members when the run has no call there). */
  sent_json: string | null;
}

interface SentSums {
  calls: number;
  unanswered: number | null;
  appended: number | null;
  removed: number | null;
  whole: number | null;
  replace: number | null;
  wholeEntries: number | null;
}

/** The run's row with what it sent (RunSent), from the quota ledger's rows of the run (their index, migration 010). */
const RUN_COLUMNS = `r.*, (SELECT json_object('calls', count(*), 'unanswered', sum(state IN ('reserved', 'failed')),
    'appended', sum(CASE WHEN state = 'acked' AND kind = 'APPEND' THEN entries ELSE 0 END),
    'removed', sum(CASE WHEN state = 'acked' AND kind = 'REMOVE' THEN entries ELSE 0 END),
    'whole', sum(kind IN ('create', 'REPLACE') AND state = 'acked'), 'replace', sum(kind = 'REPLACE'),
    'wholeEntries', sum(CASE WHEN state = 'acked' AND kind IN ('create', 'REPLACE') THEN entries ELSE 0 END))
  FROM quota_calls q WHERE q.run_id = r.id AND q.state != 'released') AS sent_json
  FROM sync_runs r`;

export class RunsRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      // Never the id of a run a deleted audience had (its events and links would be taken for this run's): above the
      // highest id ever used, which AudiencesRepo.remove records before deleting the newest runs.
      start: db.prepare(`INSERT INTO sync_runs (id, audience_id, trigger, status, dry_run, started_at, source_path)
        VALUES (max(coalesce((SELECT max(id) FROM sync_runs), 0), coalesce((SELECT CAST(value_json AS INTEGER) FROM settings WHERE key = 'store.idFloor.sync_runs'), 0)) + 1, ?, ?, 'running', ?, ?, ?)`),
      counts: db.prepare(`UPDATE sync_runs SET rows_read = coalesce(@rowsRead, rows_read), valid = coalesce(@valid, valid), rejected = coalesce(@rejected, rejected),
          duplicates = coalesce(@duplicates, duplicates), adds = coalesce(@adds, adds), removes = coalesce(@removes, removes),
          calls_used = coalesce(@callsUsed, calls_used), reject_reasons_json = coalesce(@rejectReasons, reject_reasons_json) WHERE id = @id`),
      addCalls: db.prepare('UPDATE sync_runs SET calls_used = calls_used + ? WHERE id = ?'),
      finish: db.prepare('UPDATE sync_runs SET status = ?, finished_at = ?, deferred_until = ?, error_code = ?, error_message = ? WHERE id = ?'),
      get: db.prepare(`SELECT ${RUN_COLUMNS} WHERE r.id = ?`),
      list: db.prepare(`SELECT ${RUN_COLUMNS} ORDER BY r.id DESC LIMIT ?`),
      listFor: db.prepare(`SELECT ${RUN_COLUMNS} WHERE r.audience_id = ? ORDER BY r.id DESC LIMIT ?`),
      unfinished: db.prepare(`SELECT ${RUN_COLUMNS} WHERE r.status = 'running' ORDER BY r.id`),
      addCall: db.prepare(`INSERT INTO api_calls (run_id, audience_id, endpoint, method, request_id, code, http_status, duration_ms, started_at, detail)
          VALUES (@runId, @audienceId, @endpoint, @method, @requestId, @code, @httpStatus, @durationMs, @startedAt, @detail)`),
      calls: db.prepare('SELECT id, run_id AS runId, audience_id AS audienceId, endpoint, method, request_id AS requestId, code, http_status AS httpStatus, duration_ms AS durationMs, started_at AS startedAt, detail FROM api_calls WHERE run_id = ? ORDER BY id'),
    };
  }

  start(r: { audienceId: number | null; trigger: RunTrigger; dryRun?: boolean; sourcePath?: string | null }): RunRecord {
    const info = this.q.start.run(r.audienceId, r.trigger, r.dryRun ? 1 : 0, new Date().toISOString(), r.sourcePath ?? null);
    return this.get(Number(info.lastInsertRowid))!;
  }

  setCounts(id: number, c: RunCounts): void {
    this.q.counts.run({
      id,
      rowsRead: c.rowsRead ?? null,
      valid: c.valid ?? null,
      rejected: c.rejected ?? null,
      duplicates: c.duplicates ?? null,
      adds: c.adds ?? null,
      removes: c.removes ?? null,
      callsUsed: c.callsUsed ?? null,
      rejectReasons: c.rejectReasons ? JSON.stringify(c.rejectReasons) : null,
    });
  }

  addCallsUsed(id: number, n: number): void {
    this.q.addCalls.run(n, id);
  }

  finish(id: number, status: Exclude<RunStatus, 'running'>, extra: { deferredUntil?: string | null; errorCode?: string | null; errorMessage?: string | null } = {}): RunRecord {
    this.q.finish.run(status, new Date().toISOString(), extra.deferredUntil ?? null, extra.errorCode ?? null, extra.errorMessage ?? null, id);
    return this.get(id)!;
  }

  get(id: number): RunRecord | undefined {
    const r = this.q.get.get(id) as RunRow | undefined;
    return r && toRun(r);
  }

  list(opts: { audienceId?: number; limit?: number } = {}): RunRecord[] {
    const limit = opts.limit ?? 100;
    const rows = (opts.audienceId === undefined ? this.q.list.all(limit) : this.q.listFor.all(opts.audienceId, limit)) as RunRow[];
    return rows.map(toRun);
  }

  /** Runs a crash left in 'running'. */
  unfinished(): RunRecord[] {
    return (this.q.unfinished.all() as RunRow[]).map(toRun);
  }

  addApiCall(c: Omit<ApiCallRecord, 'id'>): void {
    this.q.addCall.run(c);
  }

  apiCalls(runId: number): ApiCallRecord[] {
    return this.q.calls.all(runId) as ApiCallRecord[];
  }
}

function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    audienceId: r.audience_id,
    trigger: r.trigger,
    status: r.status,
    dryRun: r.dry_run === 1,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    sourcePath: r.source_path,
    rowsRead: r.rows_read,
    valid: r.valid,
    rejected: r.rejected,
    duplicates: r.duplicates,
    adds: r.adds,
    removes: r.removes,
    callsUsed: r.calls_used,
    rejectReasons: JSON.parse(r.reject_reasons_json) as Record<string, number>,
    deferredUntil: r.deferred_until,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    sent: sentOf(r.sent_json),
  };
}

function sentOf(json: string | null): RunSent {
  const s = (json ? JSON.parse(json) : { calls: 0 }) as SentSums;
  return {
    calls: s.calls,
    unanswered: s.unanswered ?? 0,
    appended: s.appended ?? 0,
    removed: s.removed ?? 0,
    replaced: s.whole ? (s.wholeEntries ?? 0) + (s.appended ?? 0) : null,
    replace: (s.replace ?? 0) > 0,
  };
}
