import type { Db } from './db';

/** Typed key/value settings stored as JSON. Never a secret: secrets go to the keychain. */
export class SettingsRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      get: db.prepare('SELECT value_json FROM settings WHERE key = ?'),
      set: db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json'),
      all: db.prepare('SELECT key, value_json FROM settings'),
    };
  }

  get<T>(key: string, fallback: T): T {
    const row = this.q.get.get(key) as { value_json: string } | undefined;
    return row ? (JSON.parse(row.value_json) as T) : fallback;
  }

  set(key: string, value: unknown): void {
    this.q.set.run(key, JSON.stringify(value));
  }

  all(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const r of this.q.all.all() as { key: string; value_json: string }[]) out[r.key] = JSON.parse(r.value_json);
    return out;
  }
}
