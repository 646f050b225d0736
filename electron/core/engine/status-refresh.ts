/**
 * Background status refresh, for the long-lived hosts: asks TikTok for an audience's size and state and
 * pushes audience:statusChanged when either changed. The scheduler re-checks every audience hourly (10 min
 * while processing); sandbox audiences still processing are re-checked here every few seconds.
 */
import { statusHistory } from '../sync/status';
import type { EngineContext } from './context';

export const DEFAULT_STATUS_REFRESH_MS = 3_000;

export class StatusRefresh {
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly ctx: Pick<EngineContext, 'app' | 'hub' | 'closed' | 'environment' | 'connectionStatus' | 'isRunning' | 'now'>) {}

  /** Re-checks sandbox audiences still processing every `every` ms (0 = never). */
  start(every: number): void {
    if (every <= 0) return;
    this.timer = setInterval(() => void this.refreshSandbox(every), every);
    this.timer.unref?.();
  }

  /** Stops the timer (a refresh under way goes on: see settled). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Resolves once a refresh under way has ended. */
  async settled(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
  }

  /** Asks TikTok for one audience's size and state; emits audience:statusChanged when either changed. */
  async refreshOne(audienceId: number): Promise<void> {
    const { app, hub, environment, connectionStatus } = this.ctx;
    const a = app.store.audiences.require(audienceId);
    const last = statusHistory(app.store, audienceId, 1)[0];
    await environment.prepare(a);
    try {
      const rec = await connectionStatus.remote(a.connectionId, () => app.sync.refreshStatus(audienceId));
      if (rec.state !== last?.state || rec.coverNum !== last?.coverNum) hub.emit('audience:statusChanged', { audienceId });
    } finally {
      connectionStatus.check();
    }
  }

  /** Re-checks sandbox audiences still processing, every `every` ms; emits changes. */
  private refreshSandbox(every: number): Promise<void> {
    const { app } = this.ctx;
    this.refreshing ??= (async () => {
      const now = this.ctx.now().getTime();
      for (const a of app.store.audiences.list()) {
        if (this.ctx.closed) return;
        if (!a.tiktokAudienceId || this.ctx.isRunning(a.id)) continue;
        const conn = a.connectionId ? app.store.connections.get(a.connectionId) : undefined;
        // The scheduler re-checks real TikTok audiences (10 min while processing); the sandbox's
        // processing lasts seconds, so its audiences are re-checked here to show the end promptly.
        if (conn?.kind !== 'sandbox' || conn.status === 'needs_reconnect') continue;
        const last = statusHistory(app.store, a.id, 1)[0];
        if (last?.state !== 'processing' || now - Date.parse(last.checkedAt) < every) continue;
        await this.refreshOne(a.id).catch(() => undefined);
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }
}
