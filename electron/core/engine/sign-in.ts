/**
 * Browser sign-in to TikTok (one at a time: it holds the redirect port) and the redirect URL it uses.
 */
import { AppError } from '../../../shared/errors';
import type { ConnectionView, RedirectUriView } from '../../../shared/ipc/dto';
import { DEFAULT_REDIRECT_URI, REDIRECT_URI_SETTING, resolveRedirectUri } from '../tiktok/oauth';
import type { EngineContext } from './context';

export class SignIn {
  /** The browser sign-in waiting for TikTok's redirect. */
  private waiting: { controller: AbortController; done: Promise<unknown> } | null = null;

  constructor(private readonly ctx: Pick<EngineContext, 'app' | 'hub' | 'opts' | 'closed' | 'environment' | 'connectionStatus'>) {}

  /** The redirect URL sign-in uses: TIKTOK_REDIRECT_URI, else the saved setting, else the default. */
  redirectUri(): RedirectUriView {
    const { app } = this.ctx;
    const r = resolveRedirectUri({ env: app.env, stored: app.store.settings.get<string | null>(REDIRECT_URI_SETTING, null) });
    return { redirectUri: r.uri, defaultRedirectUri: DEFAULT_REDIRECT_URI, source: r.source === 'env' ? 'env' : r.source === 'default' ? 'default' : 'setting' };
  }

  /**
   * Browser sign-in. A sign-in already waiting is cancelled first (the user started again; it holds the
   * redirect port). The sign-in link is pushed as connection:signInWaiting before the browser opens, so the
   * renderer can offer "copy sign-in link" — also when this host cannot open a browser at all.
   */
  async login(appId: string, appSecret: string): Promise<ConnectionView> {
    await this.cancel();
    if (this.ctx.closed) throw new AppError('CANCELLED', 'Cohort Relay is shutting down. Sign in again after the restart.');
    const { app, hub, opts, environment } = this.ctx;
    const redirectUri = this.redirectUri().redirectUri;
    const controller = new AbortController();
    const done = (async () =>
      app.connections.loginWithOAuth({
        apiBase: await environment.apiBase(),
        appId,
        appSecret,
        redirectUri,
        openBrowser: opts.openExternal ?? null,
        signal: controller.signal,
        onUrl: (url, w) => hub.emit('connection:signInWaiting', { url, redirectUri: w.redirectUri, expiresAt: w.expiresAt.toISOString() }),
      }))();
    const entry = { controller, done };
    this.waiting = entry;
    try {
      const r = await done;
      return this.ctx.connectionStatus.connected(r.connection.id);
    } finally {
      if (this.waiting === entry) this.waiting = null;
    }
  }

  /** Cancels the waiting browser sign-in, if any, and waits until its listener is closed. */
  async cancel(): Promise<boolean> {
    const s = this.waiting;
    if (!s) return false;
    s.controller.abort();
    await s.done.catch(() => undefined);
    return true;
  }
}
