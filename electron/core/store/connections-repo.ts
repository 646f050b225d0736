import type { Db } from './db';

export type ConnectionKind = 'oauth' | 'token' | 'sandbox';
/** A keychain binding's name, as secret_locations stores it (see core/secrets). */
export type SecretAdapterName = 'keytar' | 'napi-keyring';
export type ConnectionStatus = 'ok' | 'needs_reconnect';

export interface AdvertiserRecord {
  advertiserId: string;
  name: string;
}

/** A TikTok connection's metadata. The token and app secret live only in the keychain. */
export interface ConnectionRecord {
  id: string;
  label: string;
  kind: ConnectionKind;
  appId: string | null;
  apiBase: string;
  status: ConnectionStatus;
  statusMessage: string | null;
  createdAt: string;
  updatedAt: string;
  lastCheckedAt: string | null;
  advertisers: AdvertiserRecord[];
}

interface Row {
  id: string;
  label: string;
  kind: ConnectionKind;
  app_id: string | null;
  api_base: string;
  status: ConnectionStatus;
  status_message: string | null;
  created_at: string;
  updated_at: string;
  last_checked_at: string | null;
}

export class ConnectionsRepo {
  private readonly q;
  constructor(private readonly db: Db) {
    this.q = {
      upsert: db.prepare(`INSERT INTO connections (id, label, kind, app_id, api_base, status, created_at, updated_at)
        VALUES (@id, @label, @kind, @appId, @apiBase, 'ok', @now, @now)
        ON CONFLICT(id) DO UPDATE SET label = @label, kind = @kind, app_id = @appId, api_base = @apiBase,
          status = 'ok', status_message = NULL, updated_at = @now`),
      get: db.prepare('SELECT * FROM connections WHERE id = ?'),
      list: db.prepare('SELECT * FROM connections ORDER BY created_at, id'),
      remove: db.prepare('DELETE FROM connections WHERE id = ?'),
      setStatus: db.prepare('UPDATE connections SET status = ?, status_message = ?, updated_at = ? WHERE id = ?'),
      checked: db.prepare('UPDATE connections SET last_checked_at = ? WHERE id = ?'),
      advertisers: db.prepare('SELECT advertiser_id AS advertiserId, name FROM advertisers WHERE connection_id = ? ORDER BY name, advertiser_id'),
      clearAdvertisers: db.prepare('DELETE FROM advertisers WHERE connection_id = ?'),
      addAdvertiser: db.prepare('INSERT INTO advertisers (connection_id, advertiser_id, name) VALUES (?, ?, ?)'),
      secretAdapter: db.prepare('SELECT adapter FROM secret_locations WHERE connection_id = ?').pluck(),
      setSecretAdapter: db.prepare(`INSERT INTO secret_locations (connection_id, adapter, updated_at) VALUES (?, ?, ?)
        ON CONFLICT(connection_id) DO UPDATE SET adapter = excluded.adapter, updated_at = excluded.updated_at`),
      forgetSecretAdapter: db.prepare('DELETE FROM secret_locations WHERE connection_id = ?'),
      followSandbox: db.prepare('UPDATE connections SET api_base = ? WHERE api_base = ?'),
      byAdvertiser: db.prepare('SELECT c.* FROM connections c JOIN advertisers a ON a.connection_id = c.id WHERE a.advertiser_id = ? ORDER BY c.updated_at DESC LIMIT 1'),
    };
  }

  /** Creates or updates a connection; a re-connect resets its status to ok. */
  upsert(c: { id: string; label: string; kind: ConnectionKind; appId: string | null; apiBase: string }): ConnectionRecord {
    this.q.upsert.run({ ...c, now: new Date().toISOString() });
    return this.get(c.id)!;
  }

  /** Replaces the advertiser accounts the connection reaches, in one transaction. */
  setAdvertisers(id: string, list: readonly AdvertiserRecord[]): void {
    this.db.transaction(() => {
      this.q.clearAdvertisers.run(id);
      for (const a of list) this.q.addAdvertiser.run(id, a.advertiserId, a.name);
    })();
  }

  get(id: string): ConnectionRecord | undefined {
    const row = this.q.get.get(id) as Row | undefined;
    return row && this.toRecord(row);
  }

  list(): ConnectionRecord[] {
    return (this.q.list.all() as Row[]).map((r) => this.toRecord(r));
  }

  /** The most recently updated connection that reaches this advertiser. */
  findByAdvertiser(advertiserId: string): ConnectionRecord | undefined {
    const row = this.q.byAdvertiser.get(advertiserId) as Row | undefined;
    return row && this.toRecord(row);
  }

  /** Removes the connection and its advertiser list; audiences and sync history stay. */
  remove(id: string): void {
    this.q.remove.run(id);
  }

  setStatus(id: string, status: ConnectionStatus, message: string | null = null): void {
    this.q.setStatus.run(status, message, new Date().toISOString(), id);
  }

  /** Which keychain binding holds this connection's secrets (its name only), or null. */
  secretAdapter(id: string): SecretAdapterName | null {
    return (this.q.secretAdapter.get(id) as SecretAdapterName | undefined) ?? null;
  }

  setSecretAdapter(id: string, adapter: SecretAdapterName): void {
    this.q.setSecretAdapter.run(id, adapter, new Date().toISOString());
  }

  forgetSecretAdapter(id: string): void {
    this.q.forgetSecretAdapter.run(id);
  }

  /**
   * The engine's offline sandbox now listens at `url`: the connections made against its earlier address `before`
   * (its sandbox connection, a pasted sandbox token, an OAuth sign-in to it) follow it. Any other connection, a
   * sandbox one made against another address (`login --sandbox --api-base URL`) included, keeps its URL.
   */
  followSandbox(url: string, before: string): void {
    if (before !== url) this.q.followSandbox.run(url, before);
  }

  markChecked(id: string, at: Date = new Date()): void {
    this.q.checked.run(at.toISOString(), id);
  }

  private toRecord(r: Row): ConnectionRecord {
    return {
      id: r.id,
      label: r.label,
      kind: r.kind,
      appId: r.app_id,
      apiBase: r.api_base,
      status: r.status,
      statusMessage: r.status_message,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastCheckedAt: r.last_checked_at,
      advertisers: this.q.advertisers.all(r.id) as AdvertiserRecord[],
    };
  }
}
