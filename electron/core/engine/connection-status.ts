/**
 * The connections' status as the engine last saw it: a connection that newly needs re-connecting (after a
 * run, a health check or any TikTok call) is pushed once as connection:needsReconnect, with its audiences'
 * audience:statusChanged.
 */
import { toErrorShape } from '../../../shared/errors';
import type { ConnectionView } from '../../../shared/ipc/dto';
import type { EventHub } from '../../../shared/ipc/events';
import type { CohortRelayApp } from '../app';
import type { SandboxHost } from './sandbox';
import { connectionView } from './views';

export class ConnectionStatus {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly app: CohortRelayApp,
    private readonly hub: EventHub,
    private readonly sandbox: SandboxHost,
  ) {}

  /** Takes the stored statuses as seen (at start: nothing is pushed for what was already so). */
  seed(): void {
    for (const c of this.app.store.connections.list()) this.known.set(c.id, c.status);
  }

  /** Emits connection:needsReconnect for every connection that newly needs it (a run, a check, a call). */
  check(): void {
    for (const c of this.app.store.connections.list()) {
      const before = this.known.get(c.id);
      this.known.set(c.id, c.status);
      if (c.status === 'needs_reconnect' && before !== 'needs_reconnect') {
        this.hub.emit('connection:needsReconnect', { connectionId: c.id, message: c.statusMessage ?? 'TikTok no longer accepts this connection. Sign in again to re-connect it.' });
        for (const a of this.app.store.audiences.list()) if (a.connectionId === c.id) this.hub.emit('audience:statusChanged', { audienceId: a.id });
      }
    }
  }

  /** A TikTok call made outside a run: a token TikTok refuses marks its connection for re-connect. */
  async remote<T>(connectionId: string | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = toErrorShape(err).code;
      if (connectionId && code === 'AUTH_EXPIRED') {
        this.app.store.connections.setStatus(connectionId, 'needs_reconnect', toErrorShape(err).message);
        this.check();
      }
      throw err;
    }
  }

  /** The scheduler's health check of a connection (one made against the engine's sandbox needs its simulator running). */
  async healthCheck(connectionId: string): Promise<{ ok: boolean; message?: string }> {
    await this.sandbox.ensureFor(this.app.store.connections.get(connectionId));
    try {
      return await this.app.healthCheck(connectionId);
    } finally {
      this.check();
    }
  }

  /** A connection just made or re-made: seen as ok, its audiences re-read. */
  connected(id: string): ConnectionView {
    this.known.set(id, 'ok');
    for (const a of this.app.store.audiences.list()) if (a.connectionId === id) this.hub.emit('audience:statusChanged', { audienceId: a.id });
    return connectionView(this.app.store.connections.get(id)!);
  }

  /** A connection removed: forgotten here too. */
  forget(id: string): void {
    this.known.delete(id);
  }
}
