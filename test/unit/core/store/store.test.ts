import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Store } from '../../../../electron/core/store';
import { DB_FILE, openDb } from '../../../../electron/core/store/db';
import { MIGRATIONS } from '../../../../electron/core/store/migrations';
import { nextUtcDay } from '../../../../electron/core/store/quota-repo';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

function newAudience(store: Store, name = 'Buyers') {
  return store.audiences.create({ connectionId: null, advertiserId: 'adv1', name, keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/x.csv', profile: DEFAULT_PROFILE });
}

describe('migrations', () => {
  it('opens in WAL mode with every migration recorded with its hash', () => {
    const store = Store.open(dir);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = store.db.prepare('SELECT version, sha256 FROM schema_migrations').all() as { version: number; sha256: string }[];
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.sha256))).toBe(true);
    store.close();
  });

  it('reopening applies nothing twice and keeps the data', () => {
    const s1 = Store.open(dir);
    newAudience(s1);
    s1.close();
    const s2 = Store.open(dir);
    expect(s2.audiences.list()).toHaveLength(1);
    s2.close();
  });

  it('refuses a database written by newer code', () => {
    Store.open(dir).close();
    const raw = new Database(path.join(dir, DB_FILE));
    raw.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x', '2030-01-01')").run();
    raw.close();
    expect(() => Store.open(dir)).toThrow(/newer version of Cohort Relay/);
  });

  it('refuses a shipped migration that was edited after it was applied', () => {
    Store.open(dir).close();
    const edited = [{ ...MIGRATIONS[0]!, sql: MIGRATIONS[0]!.sql + '\n-- edited' }, ...MIGRATIONS.slice(1)];
    expect(() => openDb(dir, edited)).toThrow(/was changed after it was applied/);
  });

  it('applies a new migration in the same transaction as its record', () => {
    Store.open(dir).close();
    const broken = [...MIGRATIONS, { name: 'broken', sql: 'CREATE TABLE ok_table (x INTEGER); THIS IS NOT SQL;' }];
    expect(() => openDb(dir, broken)).toThrow();
    const raw = new Database(path.join(dir, DB_FILE));
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_table'").get()).toBeUndefined();
    expect((raw.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(MIGRATIONS.length);
    raw.close();
  });
});

describe('snapshots', () => {
  it('stores millions of 32-byte entries as chunks and loads them back byte for byte', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const n = 100_003;
    const buf = Buffer.alloc(n * 32);
    for (let i = 0; i < n; i++) buf.writeUInt32BE(i, i * 32);
    const meta = store.snapshots.replace(a.id, buf);
    expect(meta.entryCount).toBe(n);
    const chunks = (store.db.prepare('SELECT count(*) AS c FROM snapshot_chunks WHERE audience_id = ?').get(a.id) as { c: number }).c;
    expect(chunks).toBe(Math.ceil(n / 32_768));
    expect(store.snapshots.load(a.id).equals(buf)).toBe(true);
    store.close();
  });

  it('replacing with a smaller snapshot leaves no stale chunk behind', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    store.snapshots.replace(a.id, Buffer.alloc(70_000 * 32, 1));
    const small = Buffer.alloc(10 * 32, 2);
    store.snapshots.replace(a.id, small);
    expect(store.snapshots.load(a.id).equals(small)).toBe(true);
    expect(store.snapshots.meta(a.id)?.entryCount).toBe(10);
    store.close();
  });

  it('an audience never synced has an empty snapshot', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    expect(store.snapshots.load(a.id).length).toBe(0);
    expect(store.snapshots.meta(a.id)).toBeUndefined();
    store.close();
  });

  it('a snapshot replace inside a rolled-back transaction leaves the old snapshot', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const old = Buffer.alloc(64, 3);
    store.snapshots.replace(a.id, old);
    expect(() =>
      store.transaction(() => {
        store.snapshots.replace(a.id, Buffer.alloc(96, 4));
        throw new Error('crash mid-step');
      }),
    ).toThrow('crash mid-step');
    expect(store.snapshots.load(a.id).equals(old)).toBe(true);
    store.close();
  });
});

describe('quota ledger', () => {
  it('never reserves beyond the daily budget and counts failed calls', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const at = new Date('2026-11-24T10:00:00Z');
    const ids = [store.quota.reserve(a.id, 'create', at, 3), store.quota.reserve(a.id, 'APPEND', at, 3)];
    store.quota.ack(ids[0]!);
    store.quota.fail(ids[1]!);
    store.quota.reserve(a.id, 'REMOVE', at, 3);
    expect(store.quota.used(a.id, at)).toBe(3);
    expect(() => store.quota.reserve(a.id, 'APPEND', at, 3)).toThrow(/used all 3 TikTok calls for 2026-11-24/);
    store.close();
  });

  it('a released reservation gives its call back', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const at = new Date('2026-11-24T10:00:00Z');
    const id = store.quota.reserve(a.id, 'APPEND', at, 1);
    store.quota.release(id);
    expect(store.quota.left(a.id, at, 1)).toBe(1);
    store.close();
  });

  it('the budget comes back at 00:00 UTC, and survives reopening the store', () => {
    const s1 = Store.open(dir);
    const a = newAudience(s1);
    const late = new Date('2026-11-24T23:59:59Z');
    s1.quota.reserve(a.id, 'APPEND', late, 1);
    s1.close();
    const s2 = Store.open(dir);
    expect(s2.quota.left(a.id, late, 1)).toBe(0);
    expect(nextUtcDay(late).toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(s2.quota.left(a.id, nextUtcDay(late), 1)).toBe(1);
    s2.close();
  });

  it("the run's calls sent follow the ledger: a refused or unanswered call counts in both, an answer found later once", () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const at = new Date('2026-11-24T10:00:00Z');
    const run = store.runs.start({ audienceId: a.id, trigger: 'cli' });
    const sent = () => store.runs.get(run.id)!.callsUsed;
    // Acknowledged: the engine counts it with the acknowledgement (runs.addCallsUsed).
    store.quota.ack(store.quota.reserve(a.id, 'APPEND', at, 24, run.id));
    store.runs.addCallsUsed(run.id, 1);
    expect(sent()).toBe(1);
    // TikTok refused it (40002 still processing): charged, and sent.
    store.quota.refuse(store.quota.reserve(a.id, 'REMOVE', at, 24, run.id));
    expect(sent()).toBe(2);
    // No answer, then found applied (a lost create): counted once.
    const lost = store.quota.reserve(a.id, 'APPEND', at, 24, run.id);
    store.quota.fail(lost);
    expect(sent()).toBe(3);
    store.quota.ack(lost);
    store.runs.addCallsUsed(run.id, 1);
    expect(sent()).toBe(3);
    // Never received (released): neither.
    store.quota.release(store.quota.reserve(a.id, 'APPEND', at, 24, run.id));
    expect(sent()).toBe(3);
    // The app stopped mid-call: the reserved call keeps counting, in the run too.
    store.quota.reserve(a.id, 'APPEND', at, 24, run.id);
    store.quota.failReservedOfRun(run.id);
    expect(sent()).toBe(4);
    expect(store.quota.used(a.id, at)).toBe(4);
    store.close();
  });

  it('counts REPLACE calls of the day separately', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const at = new Date('2026-11-24T10:00:00Z');
    store.quota.reserve(a.id, 'REPLACE', at, 24);
    store.quota.reserve(a.id, 'APPEND', at, 24);
    expect(store.quota.replacesToday(a.id, at)).toBe(1);
    store.close();
  });
});

describe('audiences and connections', () => {
  it('keeps the key mapping as saved and updates only mutable settings', () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const b = store.audiences.update(a.id, { cadence: { kind: 'daily', at: '06:30' }, paused: true });
    expect(b.keys).toEqual([{ key: 'email', column: 'email' }]);
    expect(b.calculateType).toBe('EMAIL_SHA256');
    expect(b.cadence).toEqual({ kind: 'daily', at: '06:30' });
    expect(b.paused).toBe(true);
    expect(store.audiences.findByName('adv1', 'Buyers')?.id).toBe(a.id);
    store.close();
  });

  it('removing a connection keeps audiences and runs', () => {
    const store = Store.open(dir);
    store.connections.upsert({ id: 'c1', label: 'Acme', kind: 'token', appId: null, apiBase: 'http://127.0.0.1:1' });
    store.connections.setAdvertisers('c1', [{ advertiserId: 'adv1', name: 'Acme US' }]);
    const a = store.audiences.create({ connectionId: 'c1', advertiserId: 'adv1', name: 'X', keys: [{ key: 'phone', column: 0 }], calculateType: 'PHONE_SHA256', sourcePath: null, profile: DEFAULT_PROFILE });
    const run = store.runs.start({ audienceId: a.id, trigger: 'cli' });
    expect(store.connections.findByAdvertiser('adv1')?.id).toBe('c1');
    store.connections.remove('c1');
    expect(store.connections.list()).toEqual([]);
    expect(store.audiences.get(a.id)).toBeDefined();
    expect(store.runs.get(run.id)?.status).toBe('running');
    store.close();
  });

  it('the database file holds no secret-looking column', () => {
    const store = Store.open(dir);
    const cols = store.db.prepare("SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'").all() as { t: string; c: string }[];
    expect(cols.filter((x) => /token|secret|password/i.test(x.c))).toEqual([]);
    store.close();
    expect(fs.existsSync(path.join(dir, DB_FILE))).toBe(true);
  });
});
