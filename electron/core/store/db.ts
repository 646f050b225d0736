import fs from 'node:fs';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { checkDatabaseFile, dbPath, explainStorageError, markInstalled, newBackupPath, pruneBackups } from './integrity';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export { DB_FILE } from './integrity';

function migrationHash(m: Migration): string {
  return createHash('sha256').update(m.name).update('\0').update(m.sql).digest('hex');
}

/**
 * Opens (creating if needed) the store in `dataDir`: WAL, synchronous=FULL, a busy timeout, foreign
 * keys, then every pending migration in one transaction. Refuses a database written by newer code and
 * a database whose applied migration was edited afterwards.
 */
export function openDb(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const file = dbPath(dataDir);
  let db: Db;
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    checkDatabaseFile(dataDir);
    db = new Database(file);
  } catch (err) {
    throw explainStorageError(err, file);
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: a quota reservation must survive a power cut, or the ledger could undercount
    // calls that were sent. One fsync per commit is cheap next to a TikTok call.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    backupBeforeMigrating(db, dataDir, migrations);
    migrate(db, migrations);
    markInstalled(dataDir);
    return db;
  } catch (err) {
    db.close();
    throw explainStorageError(err, file);
  }
}

/** The newest applied schema version (0 for a new database). */
function appliedVersion(db: Db): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return 0;
  return (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
}

/**
 * Copies the database (consistent, with its WAL folded in) to the backups folder before a migration changes
 * it, and keeps only the newest few: `cohort-relay recover` restores it if the migrated database goes bad.
 */
function backupBeforeMigrating(db: Db, dataDir: string, migrations: readonly Migration[]): void {
  const version = appliedVersion(db);
  if (version === 0 || version >= migrations.length) return;
  const target = newBackupPath(dataDir, version);
  db.prepare('VACUUM INTO ?').run(target);
  fs.chmodSync(target, 0o600);
  pruneBackups(dataDir);
}

export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const run = db.transaction(() => {
    const applied = db.prepare('SELECT version, name, sha256 FROM schema_migrations ORDER BY version').all() as { version: number; name: string; sha256: string }[];
    const newest = applied.at(-1)?.version ?? 0;
    if (newest > migrations.length) {
      throw new AppError('DATABASE_NEWER', `The data folder was written by a newer version of Cohort Relay (schema ${newest}, this version knows ${migrations.length}). Update Cohort Relay, or set COHORT_RELAY_HOME to another folder.`);
    }
    for (const row of applied) {
      const m = migrations[row.version - 1];
      if (!m || migrationHash(m) !== row.sha256) {
        throw new AppError('INTERNAL', `Migration ${row.version} (${row.name}) was changed after it was applied; a shipped migration must never be edited. Restore it and add a new migration instead.`);
      }
    }
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)');
    for (let v = newest + 1; v <= migrations.length; v++) {
      const m = migrations[v - 1]!;
      db.exec(m.sql);
      insert.run(v, m.name, migrationHash(m), new Date().toISOString());
    }
  });
  run.immediate();
}
