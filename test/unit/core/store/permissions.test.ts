import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_DIR, Store } from '../../../../electron/core/store';
import { DB_FILE, openDb } from '../../../../electron/core/store/db';
import { startSimulator } from '../../../../electron/core/sandbox';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const posix = process.platform !== 'win32';

describe.runIf(posix)('data folder permissions', () => {
  it('a new data folder is 0700 and the database, its WAL and SHM are 0600', () => {
    const data = path.join(dir, 'data');
    const store = Store.open(data);
    try {
      store.settings.set('probe', 'x');
      expect(mode(data)).toBe(0o700);
      for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) expect(mode(path.join(data, f)), f).toBe(0o600);
    } finally {
      store.close();
    }
  });

  it('tightens a folder that already existed with wider permissions, and every private file in it', () => {
    const data = path.join(dir, 'data');
    Store.open(data).close();
    fs.mkdirSync(path.join(data, 'backups'));
    fs.writeFileSync(path.join(data, 'backups', 'cohort-relay-schema1-x.sqlite'), 'x');
    fs.mkdirSync(path.join(data, SANDBOX_DIR));
    fs.writeFileSync(path.join(data, SANDBOX_DIR, 'state.json'), '{}');
    fs.writeFileSync(path.join(data, 'quota-ledger.jsonl'), '');
    const wide = [DB_FILE, 'cohort-relay.installed', 'quota-ledger.jsonl', 'backups/cohort-relay-schema1-x.sqlite', `${SANDBOX_DIR}/state.json`];
    for (const f of wide) fs.chmodSync(path.join(data, f), 0o644);
    for (const d of ['', 'backups', SANDBOX_DIR]) fs.chmodSync(path.join(data, d), 0o755);
    const store = Store.open(data);
    try {
      store.settings.set('probe', 'y');
      for (const d of ['', 'backups', SANDBOX_DIR]) expect(mode(path.join(data, d)), d || 'data folder').toBe(0o700);
      for (const f of [...wide, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) expect(mode(path.join(data, f)), f).toBe(0o600);
    } finally {
      store.close();
    }
  });

  it('the offline sandbox keeps its state owner-only', async () => {
    const sandbox = path.join(dir, 'data', SANDBOX_DIR);
    fs.mkdirSync(sandbox, { recursive: true, mode: 0o755 });
    fs.chmodSync(sandbox, 0o755);
    const sim = await startSimulator({ dataDir: sandbox });
    try {
      sim.issueToken();
      sim.flush();
      expect(mode(sandbox)).toBe(0o700);
      const files = fs.readdirSync(sandbox);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(mode(path.join(sandbox, f)), f).toBe(0o600);
    } finally {
      await sim.close();
    }
  });
});

describe('deleted data', () => {
  it('is overwritten in the database file, not left in its free pages (secure_delete)', () => {
    const data = path.join(dir, 'data');
    const db = openDb(data);
    const marker = 'deleted-person-7f3a9c@example.com';
    try {
      db.exec('CREATE TABLE probe (v TEXT)');
      const insert = db.prepare('INSERT INTO probe (v) VALUES (?)');
      for (let i = 0; i < 50; i++) insert.run(`${marker}-${i}`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.exec('DELETE FROM probe');
      db.pragma('wal_checkpoint(TRUNCATE)');
      const bytes = Buffer.concat(fs.readdirSync(data).filter((f) => f.startsWith(DB_FILE)).map((f) => fs.readFileSync(path.join(data, f))));
      expect(bytes.includes(marker)).toBe(false);
    } finally {
      db.close();
    }
  });
});
