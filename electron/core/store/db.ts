import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { BACKUP_DIR, checkDatabaseFile, dbPath, explainStorageError, INSTALLED_MARKER, markInstalled, newBackupPath, pruneBackups } from './integrity';
import { QUOTA_JOURNAL_FILE } from './quota-journal';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export { DB_FILE } from './integrity';

/** The offline sandbox's folder inside the data folder (engine/sandbox.ts keeps its state there). */
export const SANDBOX_DIR = 'sandbox';

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
    // SQLite gives the -wal and -shm files the mode of the database file: make it 0600 before they exist.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    securePrivateFiles(dataDir);
    db = new Database(file);
  } catch (err) {
    throw explainStorageError(err, file);
  }
  try {
    db.pragma('journal_mode = WAL');
    securePrivateFiles(dataDir);
    // FULL, not NORMAL: a quota reservation must survive a power cut, or the ledger could undercount
    // calls that were sent. One fsync per commit is cheap next to a TikTok call.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // A deleted row (an undo delta's hashes, a disconnected account) is overwritten with zeros, not left
    // readable in free pages of the file.
    db.pragma('secure_delete = ON');
    backupBeforeMigrating(db, dataDir, migrations);
    migrate(db, migrations);
    markInstalled(dataDir);
    return db;
  } catch (err) {
    db.close();
    throw explainStorageError(err, file);
  }
}

/** What the data folder holds that is only this user's business: the store, its journal files, backups, the sandbox. */
const PRIVATE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * Owner-only permissions on the data folder (0700) and on the database and its WAL / SHM / journal files,
 * the install marker, the quota journal, the backups and the offline sandbox's folder and files (0600),
 * also when the folder already existed with wider ones (mkdir's mode applies only to a new folder, and
 * an older version or a copy may have left 0644 files). No-op where the file system has no such modes.
 */
export function securePrivateFiles(dataDir: string): void {
  if (process.platform === 'win32') return;
  fs.chmodSync(dataDir, 0o700);
  const file = dbPath(dataDir);
  const files = [...PRIVATE_SUFFIXES.map((s) => file + s), path.join(dataDir, INSTALLED_MARKER), path.join(dataDir, QUOTA_JOURNAL_FILE)];
  for (const dir of [path.join(dataDir, BACKUP_DIR), path.join(dataDir, SANDBOX_DIR)]) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    fs.chmodSync(dir, 0o700);
    files.push(...names.map((n) => path.join(dir, n)));
  }
  for (const f of files) {
    try {
      if (fs.lstatSync(f).isFile()) fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
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
