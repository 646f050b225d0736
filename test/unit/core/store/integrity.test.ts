import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, storageErrorShape, toErrorShape } from '../../../../shared/errors';
import { openDb } from '../../../../electron/core/store/db';
import { BACKUP_DIR, dbPath, explainStorageError, INSTALLED_MARKER, listBackups } from '../../../../electron/core/store/integrity';
import { MIGRATIONS } from '../../../../electron/core/store/migrations';
import { inspectDatabase, recoverDatabase } from '../../../../electron/core/store/recover';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

/** A set-up data folder with one connection row, closed (its WAL checkpointed into the file). */
function installed(): void {
  const db = openDb(dir);
  db.prepare("INSERT INTO settings (key, value_json) VALUES ('marker', '1')").run();
  db.close();
}

const openError = () => {
  try {
    openDb(dir).close();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('openDb did not refuse');
};

describe('a database that cannot be trusted is never silently a new install', () => {
  it('a new data folder gets a database and the installed marker', () => {
    installed();
    expect(fs.existsSync(path.join(dir, INSTALLED_MARKER))).toBe(true);
  });

  it('refuses an emptied database file and leaves it as it was', () => {
    installed();
    fs.truncateSync(dbPath(dir), 0);
    const err = openError();
    expect(err.code).toBe('DATABASE_CORRUPT');
    expect(err.message).toContain(dbPath(dir));
    expect(err.message).toMatch(/empty \(0 bytes\).*cohort-relay recover/);
    expect(fs.statSync(dbPath(dir)).size).toBe(0);
  });

  it('refuses a data folder whose database was deleted', () => {
    installed();
    fs.rmSync(dbPath(dir));
    expect(openError().message).toMatch(/missing, though this data folder had one/);
    expect(fs.existsSync(dbPath(dir))).toBe(false);
  });

  it('refuses a database cut short (shorter than its header says)', () => {
    installed();
    const db = new Database(dbPath(dir));
    db.exec('CREATE TABLE filler (x BLOB)');
    const ins = db.prepare('INSERT INTO filler VALUES (randomblob(4000))');
    for (let i = 0; i < 50; i++) ins.run();
    db.close();
    fs.truncateSync(dbPath(dir), 8192);
    expect(openError().message).toMatch(/cut short \(8192 bytes; its header says \d+\)/);
  });

  it('refuses a file that is not SQLite', () => {
    installed();
    fs.writeFileSync(dbPath(dir), 'id,email\n1,a@b.c\n'.repeat(20));
    const err = openError();
    expect(err.code).toBe('DATABASE_CORRUPT');
    expect(err.message).toMatch(/not an SQLite database/);
  });
});

describe('a backup before each migration, and recovery', () => {
  it('copies the database to backups/ before migrating it, keeping the newest two', () => {
    const first = openDb(dir, MIGRATIONS.slice(0, 1));
    first.prepare("INSERT INTO settings (key, value_json) VALUES ('kept', '\"yes\"')").run();
    first.close();
    openDb(dir).close();
    const backups = listBackups(dir);
    expect(backups).toHaveLength(1);
    const b = new Database(backups[0]!.file, { readonly: true });
    expect(b.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 1 });
    expect(b.prepare("SELECT value_json FROM settings WHERE key = 'kept'").get()).toEqual({ value_json: '"yes"' });
    b.close();
    expect(fs.statSync(backups[0]!.file).mode & 0o777).toBe(0o600);
    // No migration pending: no backup.
    openDb(dir).close();
    expect(listBackups(dir)).toHaveLength(1);
    // Two more upgrades: three backups made, the newest two kept.
    const x3 = { name: 'x3', sql: 'CREATE TABLE x3 (a INTEGER) STRICT;' };
    const x4 = { name: 'x4', sql: 'CREATE TABLE x4 (a INTEGER) STRICT;' };
    openDb(dir, [...MIGRATIONS, x3]).close();
    openDb(dir, [...MIGRATIONS, x3, x4]).close();
    const kept = fs.readdirSync(path.join(dir, BACKUP_DIR)).sort();
    expect(kept).toHaveLength(2);
    expect(kept.map((f) => f.replace(/-\d{4}-.*/, ''))).toEqual([`cohort-relay-schema${MIGRATIONS.length}`, `cohort-relay-schema${MIGRATIONS.length + 1}`]);
  });

  it('recover restores the newest backup after moving the damaged file aside; a healthy database is not touched', () => {
    const first = openDb(dir, MIGRATIONS.slice(0, 1));
    first.prepare("INSERT INTO settings (key, value_json) VALUES ('kept', '\"yes\"')").run();
    first.close();
    openDb(dir).close();
    expect(recoverDatabase(dir)).toEqual({ action: 'nothing', backup: null, movedAside: [] });
    fs.writeFileSync(dbPath(dir), 'garbage');
    expect(inspectDatabase(dir)).toMatchObject({ ok: false, problem: expect.stringMatching(/not an SQLite database/) });
    const r = recoverDatabase(dir);
    expect(r.action).toBe('restored');
    expect(fs.readFileSync(r.movedAside[0]!, 'utf8')).toBe('garbage');
    const db = openDb(dir);
    expect(db.prepare("SELECT value_json FROM settings WHERE key = 'kept'").get()).toEqual({ value_json: '"yes"' });
    expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: MIGRATIONS.length });
    db.close();
  });

  it('with no backup, recover says to start fresh; --fresh sets the damaged file aside and starts empty', () => {
    installed();
    fs.truncateSync(dbPath(dir), 0);
    expect(() => recoverDatabase(dir)).toThrow(/no backup.*recover --fresh/);
    const r = recoverDatabase(dir, { fresh: true });
    expect(r.action).toBe('fresh');
    expect(r.movedAside).toHaveLength(1);
    const db = openDb(dir);
    expect(db.prepare("SELECT count(*) AS n FROM settings WHERE key = 'marker'").get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('disk and database failures in words a person can act on', () => {
  it('a full disk (SQLite or a temp file) says which place is full', () => {
    const sqlite = new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
    expect(toErrorShape(sqlite)).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/disk .* is full\. Free some space/) });
    const tmp = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC', path: '/tmp/cohort-relay-upload-1/part-1.csv' });
    expect(toErrorShape(tmp).message).toMatch(/^The disk \(\/tmp\/cohort-relay-upload-1\/part-1\.csv\) is full/);
  });

  it('a read-only database names the folder and the fix', () => {
    const err = explainStorageError(new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY'), '/data/cohort-relay.sqlite');
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DATABASE_READONLY');
    expect((err as AppError).message).toMatch(/cannot write \(\/data\/cohort-relay\.sqlite\) \(attempt to write a readonly database\)\. Make the data folder writable/);
  });

  it('a corrupt page found mid-run is DATABASE_CORRUPT with the way out', () => {
    expect(storageErrorShape(new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'))).toMatchObject({ code: 'DATABASE_CORRUPT', message: expect.stringMatching(/damaged .*cohort-relay recover/) });
  });

  it('anything else stays INTERNAL', () => {
    expect(toErrorShape(new TypeError('x is undefined')).code).toBe('INTERNAL');
    expect(explainStorageError(new TypeError('x'), '/p')).toBeInstanceOf(TypeError);
  });
});
