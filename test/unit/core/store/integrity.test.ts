import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, storageErrorShape, toErrorShape } from '../../../../shared/errors';
import { openDb } from '../../../../electron/core/store/db';
import { BACKUP_DIR, dbPath, explainStorageError, INSTALLED_MARKER, listBackups } from '../../../../electron/core/store/integrity';
import { MIGRATIONS } from '../../../../electron/core/store/migrations';
import { QuotaJournal } from '../../../../electron/core/store/quota-journal';
import { inspectDatabase, recoverDatabase } from '../../../../electron/core/store/recover';
import { Store } from '../../../../electron/core/store';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
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
    // By schema number, not by name: "schema10" sorts before "schema9".
    const schemas = kept.map((f) => Number(/schema(\d+)-/.exec(f)![1])).sort((a, b) => a - b);
    expect(schemas).toEqual([MIGRATIONS.length, MIGRATIONS.length + 1]);
  });

  it('recover restores the newest backup after moving the damaged file aside; a healthy database is not touched', () => {
    const first = openDb(dir, MIGRATIONS.slice(0, 1));
    first.prepare("INSERT INTO settings (key, value_json) VALUES ('kept', '\"yes\"')").run();
    first.close();
    openDb(dir).close();
    expect(recoverDatabase(dir)).toEqual({ action: 'nothing', backup: null, movedAside: [], carriedOver: 0 });
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

describe('the quota ledger survives a lost database', () => {
  const newAudience = (store: Store, name: string, tiktokAudienceId: string | null) =>
    store.audiences.create({ connectionId: null, advertiserId: 'adv1', name, tiktokAudienceId, keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: null, profile: DEFAULT_PROFILE });

  it("after recover --fresh, today's calls still count against the re-adopted audience, and a REPLACE still blocks the next 24 h", () => {
    const at = new Date('2026-12-01T10:00:00Z');
    let store = Store.open(dir);
    const live = newAudience(store, 'Buyers', 'tt-555');
    for (let i = 0; i < 20; i++) store.quota.reserve(live.id, i === 0 ? 'REPLACE' : 'APPEND', new Date(at.getTime() + i * 60_000), 24);
    const fresh = newAudience(store, 'New one', null);
    store.quota.reserve(fresh.id, 'create', at, 24);
    expect(store.quota.used(live.id, at)).toBe(20);
    store.close();

    fs.rmSync(dbPath(dir));
    expect(() => Store.open(dir)).toThrow(/missing, though this data folder had one/);
    const r = recoverDatabase(dir, { fresh: true }, new Date('2026-12-01T12:00:00Z'));
    expect(r.carriedOver).toBe(21);

    store = Store.open(dir);
    const adopted = newAudience(store, 'Buyers (re-adopted)', 'tt-555');
    const later = new Date('2026-12-01T13:00:00Z');
    expect(store.quota.used(adopted.id, later)).toBe(20);
    expect(store.quota.left(adopted.id, later, 24)).toBe(4);
    expect(store.quota.replacesToday(adopted.id, later)).toBe(1);
    expect(store.quota.lastReplaceAt(adopted.id)?.toISOString()).toBe(at.toISOString());
    // A create carries over by advertiser and name (TikTok's id was not known when it was reserved).
    expect(store.quota.used(newAudience(store, 'New one', 'tt-777').id, later)).toBe(1);
    // Another audience is not charged, and the next UTC day starts clean.
    expect(store.quota.used(newAudience(store, 'Other', 'tt-999').id, later)).toBe(0);
    expect(store.quota.used(adopted.id, new Date('2026-12-02T00:30:00Z'))).toBe(0);
    for (let i = 0; i < 4; i++) store.quota.reserve(adopted.id, 'APPEND', later, 24);
    expect(() => store.quota.reserve(adopted.id, 'APPEND', later, 24)).toThrow(/used all 24/);
    store.close();
  });

  it('restoring a backup carries over only the calls made after it', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const first = Store.open(dir);
    const a = newAudience(first, 'Buyers', 'tt-1');
    first.quota.reserve(a.id, 'APPEND', at, 24);
    first.close();
    // An upgrade makes the backup; two more calls happen after it.
    const x = { name: 'x', sql: 'CREATE TABLE x (a INTEGER) STRICT;' };
    openDb(dir, [...MIGRATIONS, x]).close();
    fs.rmSync(dbPath(dir));
    fs.copyFileSync(listBackups(dir)[0]!.file, dbPath(dir));
    const second = Store.open(dir);
    second.quota.reserve(a.id, 'APPEND', new Date(at.getTime() + 60_000), 24);
    second.quota.reserve(a.id, 'REMOVE', new Date(at.getTime() + 120_000), 24);
    expect(second.quota.used(a.id, at)).toBe(3);
    second.close();
    fs.writeFileSync(dbPath(dir), 'garbage');
    const r = recoverDatabase(dir, {}, new Date('2026-12-01T11:00:00Z'));
    expect(r).toMatchObject({ action: 'restored', carriedOver: 2 });
    const restored = Store.open(dir);
    expect(restored.quota.used(a.id, at)).toBe(3);
    restored.close();
  });

  it('a backup copied back by hand: status and the dry run count the calls the journal has, as the sync does, and once', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const first = Store.open(dir);
    const a = newAudience(first, 'Buyers', 'tt-1');
    first.quota.reserve(a.id, 'APPEND', at, 24);
    first.close();
    const backup = path.join(dir, 'copy.sqlite');
    fs.copyFileSync(dbPath(dir), backup);
    const second = Store.open(dir);
    second.quota.reserve(a.id, 'REPLACE', new Date(at.getTime() + 60_000), 24);
    second.quota.reserve(a.id, 'REMOVE', new Date(at.getTime() + 120_000), 24);
    second.close();
    for (const f of [dbPath(dir), `${dbPath(dir)}-wal`, `${dbPath(dir)}-shm`]) fs.rmSync(f, { force: true });
    fs.copyFileSync(backup, dbPath(dir));

    const restored = Store.open(dir);
    const later = new Date(at.getTime() + 180_000);
    expect(restored.quota.lostCalls(a.id, later)).toHaveLength(2);
    expect(restored.quota.used(a.id, later)).toBe(3);
    expect(restored.quota.left(a.id, later, 24)).toBe(21);
    expect(restored.quota.replacesToday(a.id, later)).toBe(1);
    // The sync carries them over: still three, not five.
    restored.transaction(() => restored.quota.carryOver(restored.quota.lostCalls(a.id, later)));
    expect(restored.quota.used(a.id, later)).toBe(3);
    expect(restored.quota.replacesToday(a.id, later)).toBe(1);
    restored.quota.reserve(a.id, 'APPEND', later, 24);
    expect(restored.quota.used(a.id, later)).toBe(4);
    // Another UTC day is not charged with them.
    expect(restored.quota.used(a.id, new Date('2026-12-02T01:00:00Z'))).toBe(0);
    restored.close();
  });

  it('the journal keeps 48 hours and skips a line torn by a crash', () => {
    const j = new QuotaJournal(dir, new Date('2026-12-01T00:00:00Z'));
    const e = (at: string) => ({ at, utcDay: at.slice(0, 10), advertiserId: 'a', tiktokAudienceId: 't', name: 'n', kind: 'APPEND' });
    j.append(e('2026-11-28T00:00:00.000Z'));
    j.append(e('2026-11-30T12:00:00.000Z'));
    fs.appendFileSync(j.file, '{"at":"2026-11-30T13:0');
    const reopened = new QuotaJournal(dir, new Date('2026-12-01T00:00:00Z'));
    expect(fs.readFileSync(reopened.file, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(reopened.read(new Date(0)).map((x) => x.at)).toEqual(['2026-11-30T12:00:00.000Z']);
  });
});
