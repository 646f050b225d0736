import fs from 'node:fs';
import path from 'node:path';
import { AppError, storageErrorShape } from '../../../shared/errors';

/** The database file's name inside the data folder. */
export const DB_FILE = 'cohort-relay.sqlite';
/**
 * Written once the first database of a data folder is set up. With it present, a missing, empty or cut-short
 * database is damage, never a new install: starting empty would forget which calls were already spent today
 * and which people TikTok holds.
 */
export const INSTALLED_MARKER = 'cohort-relay.installed';
/** Backups made before each migration live here; only the newest BACKUPS_KEPT are kept (they hold hashes). */
export const BACKUP_DIR = 'backups';
export const BACKUPS_KEPT = 2;

export function dbPath(dataDir: string): string {
  return path.join(dataDir, DB_FILE);
}

/**
 * Refuses a database that cannot be trusted before SQLite touches it: a data folder that had a database and
 * now has none or an empty one, a file that is not SQLite, or one shorter than its own header says (cut
 * short by a full disk, a bad copy or a crash of the file system). Cheap: reads 100 bytes and one stat.
 */
export function checkDatabaseFile(dataDir: string): void {
  const file = dbPath(dataDir);
  const installed = fs.existsSync(path.join(dataDir, INSTALLED_MARKER));
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (installed) throw damaged(file, 'the database file is missing, though this data folder had one');
    return;
  }
  if (size === 0) {
    if (installed) throw damaged(file, 'the database file is empty (0 bytes)');
    return;
  }
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') throw damaged(file, 'the file is not an SQLite database');
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  const pages = header.readUInt32BE(28);
  // The in-header size is valid only when "version-valid-for" matches the change counter (SQLite file format §1.3.7).
  if (header.readUInt32BE(92) === header.readUInt32BE(24) && pages > 0 && size < pages * pageSize) {
    throw damaged(file, `the file is cut short (${size} bytes; its header says ${pages * pageSize})`);
  }
}

/** Marks the data folder as set up (see INSTALLED_MARKER). */
export function markInstalled(dataDir: string): void {
  const marker = path.join(dataDir, INSTALLED_MARKER);
  if (!fs.existsSync(marker)) fs.writeFileSync(marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
}

/** The backups in the data folder, newest first. */
export function listBackups(dataDir: string): { file: string; at: Date }[] {
  const dir = path.join(dataDir, BACKUP_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sqlite'))
    .map((f) => ({ file: path.join(dir, f), at: fs.statSync(path.join(dir, f)).mtime }))
    .sort((a, b) => b.at.getTime() - a.at.getTime() || b.file.localeCompare(a.file));
}

/** Keeps the newest BACKUPS_KEPT backups and deletes the rest. */
export function pruneBackups(dataDir: string): void {
  for (const b of listBackups(dataDir).slice(BACKUPS_KEPT)) fs.rmSync(b.file, { force: true });
}

/** A path for a new backup taken before migrating from schema `version`. */
export function newBackupPath(dataDir: string, version: number, at: Date = new Date()): string {
  const dir = path.join(dataDir, BACKUP_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `cohort-relay-schema${version}-${at.toISOString().replace(/[:.]/g, '-')}.sqlite`);
}

/**
 * Moves the damaged database (and its -wal / -shm) aside, never deleting it, and puts `backup` in its place,
 * or nothing when `backup` is null (a fresh start: the user re-adopts audiences from TikTok). Returns where
 * the damaged files went.
 */
export function replaceDatabase(dataDir: string, backup: string | null, at: Date = new Date()): string[] {
  const file = dbPath(dataDir);
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const moved: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    if (!fs.existsSync(file + suffix)) continue;
    const aside = `${file}.damaged-${stamp}${suffix}`;
    fs.renameSync(file + suffix, aside);
    moved.push(aside);
  }
  if (backup) fs.copyFileSync(backup, file, fs.constants.COPYFILE_EXCL);
  return moved;
}

function damaged(file: string, why: string): AppError {
  return new AppError(
    'DATABASE_CORRUPT',
    `Cohort Relay's database (${file}) cannot be trusted: ${why}. Nothing was changed. Run "cohort-relay recover" to restore the newest backup, or "cohort-relay recover --fresh" to set it aside and start empty, then re-adopt your audiences from TikTok.`,
  );
}

/**
 * Re-throws a disk or database failure as the AppError a person can act on (corrupt, read-only, disk
 * full), naming `where` when the error itself names no path. Anything else is re-thrown unchanged.
 */
export function explainStorageError(err: unknown, where: string): unknown {
  if (err instanceof AppError) return err;
  const withPath = err && typeof err === 'object' && !('path' in err) ? Object.assign(Object.create(Object.getPrototypeOf(err)), err, { path: where, message: (err as Error).message }) : err;
  const shape = storageErrorShape(withPath);
  return shape ? new AppError(shape.code, shape.message, { cause: err }) : err;
}
