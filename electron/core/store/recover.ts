import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError, toErrorShape } from '../../../shared/errors';
import { openDb, type Db } from './db';
import { QUOTA_JOURNAL_KEEP_MS, QuotaJournal } from './quota-journal';
import { checkDatabaseFile, dbPath, INSTALLED_MARKER, listBackups, replaceDatabase } from './integrity';

/** What `inspectDatabase` found. */
export interface DatabaseHealth {
  ok: boolean;
  /** Why the database cannot be used, in plain words; null when it is healthy. */
  problem: string | null;
  file: string;
  backups: { file: string; at: Date }[];
}

/**
 * Checks the data folder's database without changing it: the file checks every start makes, then SQLite's
 * own page-by-page check (`quick_check`, seconds on a large database: only on request).
 */
export function inspectDatabase(dataDir: string): DatabaseHealth {
  const file = dbPath(dataDir);
  const backups = listBackups(dataDir);
  try {
    checkDatabaseFile(dataDir);
    if (!fs.existsSync(file)) return { ok: true, problem: null, file, backups };
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const result = db.pragma('quick_check(1)', { simple: true });
      if (result !== 'ok') return { ok: false, problem: `SQLite's check found damage: ${String(result).slice(0, 200)}`, file, backups };
    } finally {
      db.close();
    }
    return { ok: true, problem: null, file, backups };
  } catch (err) {
    return { ok: false, problem: toErrorShape(err).message, file, backups };
  }
}

export interface RecoverResult {
  action: 'nothing' | 'restored' | 'fresh';
  /** The backup put in place (restored). */
  backup: string | null;
  /** Where the damaged files were moved (never deleted). */
  movedAside: string[];
  /** Calls of the last 48 h the database lacked, carried over from the quota journal (they keep counting). */
  carriedOver: number;
}

/**
 * Restores the newest backup (or `backup`), or with `fresh` starts an empty database, after moving the
 * damaged one aside. Refuses to touch a healthy database: the ledger of calls spent today and the record of
 * who is in each audience live there. The result is opened once, so a bad backup is caught here.
 */
export function recoverDatabase(dataDir: string, opts: { fresh?: boolean; backup?: string } = {}, now: Date = new Date()): RecoverResult {
  const health = inspectDatabase(dataDir);
  if (health.ok) return { action: 'nothing', backup: null, movedAside: [], carriedOver: 0 };
  let backup: string | null = null;
  if (!opts.fresh) {
    backup = opts.backup ? path.resolve(opts.backup) : (health.backups[0]?.file ?? null);
    if (!backup) {
      throw new AppError('DATABASE_CORRUPT', `The database (${health.file}) is damaged (${health.problem}) and there is no backup in ${path.join(dataDir, 'backups')}. Run "cohort-relay recover --fresh" to set it aside and start empty, then re-adopt your audiences from TikTok ("cohort-relay sync --audience-id ID").`);
    }
    if (!fs.existsSync(backup)) throw new AppError('FILE_NOT_FOUND', `The backup ${backup} does not exist. Run "cohort-relay recover --list" to see the backups.`);
  }
  const movedAside = replaceDatabase(dataDir, backup);
  // A fresh database in a folder that had one: the marker would (rightly) refuse it, so it goes too.
  if (!backup) fs.rmSync(path.join(dataDir, INSTALLED_MARKER), { force: true });
  const db = openDb(dataDir);
  let carriedOver = 0;
  try {
    carriedOver = carryOverQuota(db, dataDir, now);
  } finally {
    db.close();
  }
  return { action: backup ? 'restored' : 'fresh', backup, movedAside, carriedOver };
}

/**
 * Copies the journal's calls that the recovered database does not have (all of the last 48 h for an empty
 * one; those after its newest call for a backup) into quota_carryover, where the ledger counts them.
 */
function carryOverQuota(db: Db, dataDir: string, now: Date): number {
  const newest = (db.prepare('SELECT max(created_at) AS at FROM quota_calls').get() as { at: string | null }).at;
  const entries = new QuotaJournal(dataDir, now).read(new Date(now.getTime() - QUOTA_JOURNAL_KEEP_MS)).filter((e) => !newest || e.at > newest);
  const insert = db.prepare('INSERT INTO quota_carryover (advertiser_id, tiktok_audience_id, name, utc_day, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const e of entries) insert.run(e.advertiserId, e.tiktokAudienceId, e.name, e.utcDay, e.kind, e.at);
  })();
  return entries.length;
}
