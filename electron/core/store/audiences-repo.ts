import { DEFAULT_REMOVAL_LIMIT_PCT, type KeyType, type NormalizationProfile, type CalculateType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { Db } from './db';

/** One mapped column: which CSV column (header name or 0-based index) feeds which TikTok key. */
export interface KeyMapping {
  key: KeyType;
  column: string | number | null;
  /**
   * Further columns of the same key (a person with two or three emails: `Email 2`, `Email 3`); single-key audiences.
   * Every value is sent, one hash per line.
   */
  extraColumns?: (string | number)[];
  /** Phone only: the column of ISO country codes for national-format numbers (stored in keys_json with the mapping). */
  countryColumn?: string | number;
}

export type RemovalMode = 'mirror' | 'added-only';

export type Cadence =
  | { kind: 'manual' }
  | { kind: 'once'; at: string }
  | { kind: 'hourly' }
  | { kind: 'daily'; at: string }
  | { kind: 'weekly'; weekday: number; at: string };

export interface AudienceRecord {
  id: number;
  connectionId: string | null;
  advertiserId: string;
  tiktokAudienceId: string | null;
  name: string;
  api: 'file' | 'segment';
  keys: KeyMapping[];
  calculateType: CalculateType;
  sourceKind: 'file' | 'folder';
  sourcePath: string | null;
  sourcePattern: string | null;
  suppressPath: string | null;
  profile: NormalizationProfile;
  cadence: Cadence;
  paused: boolean;
  /**
   * The largest share of the audience (%) one sync may remove without the user's confirmation; null: no limit.
   * Default 20 (DEFAULT_REMOVAL_LIMIT_PCT).
   */
  removalLimitPct: number | null;
  /**
   * Who a sync may remove: 'mirror' makes the audience hold exactly the file; 'added-only' removes only people this
   * app added (the snapshot then holds just those). An audience adopted from TikTok defaults to 'added-only'.
   */
  removalMode: RemovalMode;
  /** Adopted audiences: TikTok's matched size when adopted (people this app did not add); null when unknown or not adopted. */
  othersSize: number | null;
  /** Whether the file's first row is a header: null (or absent) lets the reader judge; true / false is the user's answer. */
  hasHeader?: boolean | null;
  createdAt: string;
  updatedAt: string;
}

export type NewAudience = Omit<AudienceRecord, 'id' | 'tiktokAudienceId' | 'createdAt' | 'updatedAt' | 'paused' | 'cadence' | 'sourceKind' | 'sourcePattern' | 'suppressPath' | 'api' | 'removalLimitPct' | 'removalMode' | 'othersSize'> &
  Partial<Pick<AudienceRecord, 'tiktokAudienceId' | 'cadence' | 'sourceKind' | 'sourcePattern' | 'suppressPath' | 'api' | 'removalLimitPct' | 'removalMode' | 'othersSize'>>;

interface Row {
  id: number;
  connection_id: string | null;
  advertiser_id: string;
  tiktok_audience_id: string | null;
  name: string;
  api: 'file' | 'segment';
  keys_json: string;
  calculate_type: CalculateType;
  source_kind: 'file' | 'folder';
  source_path: string | null;
  source_pattern: string | null;
  suppress_path: string | null;
  profile_json: string;
  cadence_json: string;
  paused: number;
  removal_limit_pct: number | null;
  removal_mode: RemovalMode;
  others_size: number | null;
  has_header: number | null;
  created_at: string;
  updated_at: string;
}

/** Local audience configuration. The key mapping is fixed once saved (TikTok fixes calculate_type). */
export class AudiencesRepo {
  private readonly q;
  constructor(private readonly db: Db) {
    this.q = {
      // Ids are never reused (see remove): quota rows, events and the screens name audiences by id.
      insert: db.prepare(`INSERT INTO audiences (id, connection_id, advertiser_id, tiktok_audience_id, name, api, keys_json, calculate_type,
          source_kind, source_path, source_pattern, suppress_path, profile_json, cadence_json, removal_limit_pct, history_baseline, removal_mode, others_size, created_at, updated_at)
        VALUES (max(coalesce((SELECT max(id) FROM audiences), 0), coalesce((SELECT CAST(value_json AS INTEGER) FROM settings WHERE key = 'store.idFloor.audiences'), 0)) + 1, @connectionId, @advertiserId, @tiktokAudienceId, @name, @api, @keys, @calculateType, @sourceKind, @sourcePath,
          @sourcePattern, @suppressPath, @profile, @cadence, @removalLimitPct, @historyBaseline, @removalMode, @othersSize, @now, @now)`),
      get: db.prepare('SELECT * FROM audiences WHERE id = ?'),
      byTiktokId: db.prepare('SELECT * FROM audiences WHERE advertiser_id = ? AND tiktok_audience_id = ?'),
      byName: db.prepare('SELECT * FROM audiences WHERE advertiser_id = ? AND name = ? ORDER BY id LIMIT 1'),
      list: db.prepare('SELECT * FROM audiences ORDER BY name, id'),
      setTiktokId: db.prepare('UPDATE audiences SET tiktok_audience_id = ?, updated_at = ? WHERE id = ?'),
      update: db.prepare(`UPDATE audiences SET name = @name, api = @api, source_kind = @sourceKind, source_path = @sourcePath, source_pattern = @sourcePattern,
          suppress_path = @suppressPath, cadence_json = @cadence, paused = @paused, connection_id = @connectionId, removal_limit_pct = @removalLimitPct, removal_mode = @removalMode, others_size = @othersSize, updated_at = @now WHERE id = @id`),
      remove: db.prepare('DELETE FROM audiences WHERE id = ?'),
      // Its sync history goes too: the runs, and with them (ON DELETE CASCADE) their calls and their deltas (hashes).
      removeRuns: db.prepare('DELETE FROM sync_runs WHERE audience_id = ?'),
      // The highest ids so far, kept so that deleting the newest rows does not hand their ids to the next ones.
      keepIdFloors: db.prepare(`INSERT INTO settings (key, value_json) SELECT 'store.idFloor.' || t, CAST(n AS TEXT) FROM (
          SELECT 'audiences' AS t, (SELECT max(id) FROM audiences) AS n UNION ALL SELECT 'sync_runs', (SELECT max(id) FROM sync_runs)) WHERE n IS NOT NULL
        ON CONFLICT(key) DO UPDATE SET value_json = CAST(max(CAST(value_json AS INTEGER), CAST(excluded.value_json AS INTEGER)) AS TEXT)`),
      // The quota ledger keeps its rows (they count against the day), detached from runs whose ids may be reused.
      detachCalls: db.prepare('UPDATE quota_calls SET run_id = NULL WHERE run_id IN (SELECT id FROM sync_runs WHERE audience_id = ?)'),
      removeLock: db.prepare('DELETE FROM audience_locks WHERE audience_id = ?'),
      historyBaseline: db.prepare('SELECT history_baseline AS n FROM audiences WHERE id = ?'),
      setHistoryBaseline: db.prepare('UPDATE audiences SET history_baseline = ? WHERE id = ?'),
      setHasHeader: db.prepare('UPDATE audiences SET has_header = ? WHERE id = ?'),
      setKeys: db.prepare('UPDATE audiences SET keys_json = ?, updated_at = ? WHERE id = ?'),
      // An erasure queued for the audience and the digests of erased people it leaves out (sync/erasure.ts) go with it.
      removeErasure: db.prepare("DELETE FROM settings WHERE key IN ('erase.queue.' || ?, 'erase.kept.' || ?)"),
    };
  }

  create(a: NewAudience): AudienceRecord {
    const info = this.q.insert.run({
      connectionId: a.connectionId,
      advertiserId: a.advertiserId,
      tiktokAudienceId: a.tiktokAudienceId ?? null,
      name: a.name,
      api: a.api ?? 'file',
      keys: JSON.stringify(a.keys),
      calculateType: a.calculateType,
      sourceKind: a.sourceKind ?? 'file',
      sourcePath: a.sourcePath,
      sourcePattern: a.sourcePattern ?? null,
      suppressPath: a.suppressPath ?? null,
      profile: JSON.stringify(a.profile),
      cadence: JSON.stringify(a.cadence ?? { kind: 'manual' }),
      removalLimitPct: a.removalLimitPct === undefined ? DEFAULT_REMOVAL_LIMIT_PCT : a.removalLimitPct,
      // Not at TikTok yet: its history will start with this app's create. Adopted: the caller records what TikTok had.
      historyBaseline: a.tiktokAudienceId ? null : 0,
      removalMode: a.removalMode ?? 'mirror',
      othersSize: a.othersSize ?? null,
      now: new Date().toISOString(),
    });
    if (a.hasHeader !== undefined && a.hasHeader !== null) this.setHasHeader(Number(info.lastInsertRowid), a.hasHeader);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): AudienceRecord | undefined {
    const r = this.q.get.get(id) as Row | undefined;
    return r && toRecord(r);
  }

  /** Like get, but a missing audience is a user-facing error. */
  require(id: number): AudienceRecord {
    const a = this.get(id);
    if (!a) throw new AppError('AUDIENCE_NOT_FOUND', `No audience with local id ${id}. Run "cohort-relay status" to list audiences.`);
    return a;
  }

  findByTiktokId(advertiserId: string, tiktokAudienceId: string): AudienceRecord | undefined {
    const r = this.q.byTiktokId.get(advertiserId, tiktokAudienceId) as Row | undefined;
    return r && toRecord(r);
  }

  findByName(advertiserId: string, name: string): AudienceRecord | undefined {
    const r = this.q.byName.get(advertiserId, name) as Row | undefined;
    return r && toRecord(r);
  }

  list(): AudienceRecord[] {
    return (this.q.list.all() as Row[]).map(toRecord);
  }

  setTiktokId(id: number, tiktokAudienceId: string): void {
    this.q.setTiktokId.run(tiktokAudienceId, new Date().toISOString(), id);
  }

  /**
   * Sets the columns the audience's keys are read from (which keys, and so calculate_type, never change: the caller
   * checks). Changing how many columns a multi-key audience's key has changes its tuple width: see
   * sync/mapping-change.ts, which calls this.
   */
  setKeys(id: number, keys: KeyMapping[]): AudienceRecord {
    this.q.setKeys.run(JSON.stringify(keys), new Date().toISOString(), id);
    return this.require(id);
  }

  /** Updates the mutable settings (api only as the fallback from partner to file). Keys, calculate_type, advertiser and profile are not among them. */
  update(id: number, patch: Partial<Pick<AudienceRecord, 'name' | 'api' | 'sourceKind' | 'sourcePath' | 'sourcePattern' | 'suppressPath' | 'cadence' | 'paused' | 'connectionId' | 'removalLimitPct' | 'removalMode' | 'othersSize' | 'hasHeader'>>): AudienceRecord {
    const cur = this.require(id);
    const next = { ...cur, ...patch };
    this.q.update.run({
      id,
      name: next.name,
      api: next.api,
      sourceKind: next.sourceKind,
      sourcePath: next.sourcePath,
      sourcePattern: next.sourcePattern,
      suppressPath: next.suppressPath,
      cadence: JSON.stringify(next.cadence),
      paused: next.paused ? 1 : 0,
      connectionId: next.connectionId,
      removalLimitPct: next.removalLimitPct,
      removalMode: next.removalMode,
      othersSize: next.othersSize,
      now: new Date().toISOString(),
    });
    if (patch.hasHeader !== undefined) this.setHasHeader(id, patch.hasHeader);
    return this.require(id);
  }

  private setHasHeader(id: number, hasHeader: boolean | null): void {
    this.q.setHasHeader.run(hasHeader === null ? null : hasHeader ? 1 : 0, id);
  }

  /**
   * How many changes to who is in the audience TikTok's history has that this app did not send and that are accounted
   * for: what TikTok had when the audience was adopted, and changes the user chose to keep ("Keep syncing changes
   * only"). null: not known yet (recorded at the next sync that can count TikTok's history).
   */
  historyBaseline(id: number): number | null {
    return (this.q.historyBaseline.get(id) as { n: number | null } | undefined)?.n ?? null;
  }

  setHistoryBaseline(id: number, n: number | null): void {
    this.q.setHistoryBaseline.run(n === null ? null : Math.max(0, Math.round(n)), id);
  }

  /**
   * Forgets the audience locally and erases every hash kept for it: its snapshot, pending changes, status and hold
   * go with it (ON DELETE CASCADE), and so do its sync history's runs with their deltas and calls. The freed pages
   * are overwritten (secure_delete) and the file is rewritten without free pages, so the hashes do not linger in the
   * file. TikTok is not touched.
   */
  remove(id: number): void {
    const db = this.db;
    const before = db.pragma('secure_delete', { simple: true }) as number;
    db.pragma('secure_delete = ON');
    try {
      db.transaction(() => {
        this.q.keepIdFloors.run();
        this.q.detachCalls.run(id);
        this.q.removeRuns.run(id);
        this.q.removeLock.run(id);
        this.q.removeErasure.run(String(id), String(id));
        this.q.remove.run(id);
      })();
    } finally {
      db.pragma(`secure_delete = ${before ? 'ON' : 'OFF'}`);
    }
    // Earlier syncs freed pages that still hold hashes (cleared pending changes, replaced snapshot chunks): VACUUM
    // rewrites the file without free pages, then the write-ahead log that holds old pages is emptied. A delete is
    // rare and asked for; best effort: another process reading at this instant keeps them until the next delete.
    try {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // busy: nothing lost, the rows are gone; only unreachable bytes stay until the next VACUUM.
    }
  }
}

function toRecord(r: Row): AudienceRecord {
  return {
    id: r.id,
    connectionId: r.connection_id,
    advertiserId: r.advertiser_id,
    tiktokAudienceId: r.tiktok_audience_id,
    name: r.name,
    api: r.api,
    keys: JSON.parse(r.keys_json) as KeyMapping[],
    calculateType: r.calculate_type,
    sourceKind: r.source_kind,
    sourcePath: r.source_path,
    sourcePattern: r.source_pattern,
    suppressPath: r.suppress_path,
    profile: JSON.parse(r.profile_json) as NormalizationProfile,
    cadence: JSON.parse(r.cadence_json) as Cadence,
    paused: r.paused === 1,
    removalLimitPct: r.removal_limit_pct,
    removalMode: r.removal_mode,
    othersSize: r.others_size,
    hasHeader: r.has_header === null || r.has_header === undefined ? null : r.has_header === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
