import type { Db } from './db';
import type { Setting } from './settings-keys';

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

  /** The stored value of a registered setting (settings-keys.ts), or its default. */
  read<T>(s: Setting<T>): T {
    return this.get(s.key, s.fallback);
  }

  /** Stores a registered setting's value (null clears a nullable one to its default). */
  write<T>(s: Setting<T>, value: T): void {
    this.set(s.key, value);
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
