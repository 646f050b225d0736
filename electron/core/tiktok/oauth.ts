/**
 * TikTok sign-in (tiktok-api.md §2): the system browser opens TikTok's consent page, TikTok redirects to a
 * one-shot loopback listener on 127.0.0.1 (oauth-loopback.ts), the auth_code is exchanged for the long-term
 * advertiser token, and the ad accounts it reaches are listed. Nothing here stores anything: the connection
 * layer (connections.ts) decides where the token goes.
 */
import type { AdvertiserRecord } from '../store/connections-repo';
import { authorizationUrl, TikTokClient, type TikTokClientOptions } from './client';
import { DEFAULT_CALLBACK_PATH, DEFAULT_LOGIN_TIMEOUT_MS, startLoopback } from './oauth-loopback';

export { DEFAULT_CALLBACK_PATH, DEFAULT_LOGIN_TIMEOUT_MS, formatDuration, startLoopback, type Loopback, type LoopbackOptions, type LoopbackResult } from './oauth-loopback';

/** Extra client settings for the sign-in calls (tests pass `limiter: null`); never the base or a token. */
export type AuthClientOptions = Omit<Partial<TikTokClientOptions>, 'base' | 'accessToken'>;

/** `<base>/portal/auth?app_id=…&state=…&redirect_uri=…` (§2.1). */
export function buildConsentUrl(base: string, appId: string, state: string, redirectUri: string): string {
  return authorizationUrl(base, { appId, state, redirectUri });
}

/** Opens a URL in the user's browser. The Electron host passes shell.openExternal; the CLI spawns xdg-open/open/start. */
export type BrowserOpener = (url: string) => Promise<void>;

export interface OAuthLoginOptions {
  /** Scheme + host (+ port): production, TikTok's sandbox host, or the offline simulator. */
  apiBase: string;
  /** The user's TikTok developer app. */
  appId: string;
  appSecret: string;
  /** null: do not open anything (headless, --no-browser): the caller shows the URL from `onUrl`. */
  openBrowser: BrowserOpener | null;
  /** Receives the consent URL before the browser opens, so it can always be shown as a fallback. */
  onUrl?: (url: string) => void;
  /** Called when the browser could not be opened; the flow keeps waiting for the user to open the URL. */
  onBrowserError?: (err: unknown) => void;
  /** Default 5 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  clientOptions?: AuthClientOptions;
}

export interface OAuthLoginResult {
  /** The long-term advertiser token. The caller must put it in the SecretStore and nowhere else. */
  accessToken: string;
  advertisers: AdvertiserRecord[];
  /** Numeric scopes granted (empty when TikTok did not say). */
  scope: number[];
}

/**
 * Runs the whole browser sign-in and resolves with the token and its ad accounts.
 * Throws AppError AUTH_FAILED on timeout (5 minutes by default), declined consent, or a rejected code
 * (40110 reused/expired, 40101/40113 wrong app id or secret), CANCELLED on abort. The listener is always
 * closed when this settles.
 */
export async function runOAuthLogin(opts: OAuthLoginOptions): Promise<OAuthLoginResult> {
  const loopback = await startLoopback({ timeoutMs: opts.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS, path: DEFAULT_CALLBACK_PATH, signal: opts.signal });
  try {
    const url = buildConsentUrl(opts.apiBase, opts.appId, loopback.state, loopback.redirectUri);
    opts.onUrl?.(url);
    if (opts.openBrowser) {
      // A browser that fails to open is not fatal: the URL was shown, and the listener keeps waiting.
      await opts.openBrowser(url).catch((err: unknown) => opts.onBrowserError?.(err));
    }
    const { code } = await loopback.result;
    const client = new TikTokClient({ ...opts.clientOptions, base: opts.apiBase });
    const token = await client.oauthAccessToken({ appId: opts.appId, secret: opts.appSecret, authCode: code }, { signal: opts.signal });
    const authed = new TikTokClient({ ...opts.clientOptions, base: opts.apiBase, accessToken: token.accessToken });
    const advertisers = await listAuthorizedAdvertisers(authed, { appId: opts.appId, secret: opts.appSecret }, token.advertiserIds, opts.signal);
    return { accessToken: token.accessToken, advertisers, scope: token.scope };
  } finally {
    await loopback.close();
  }
}

/**
 * The ad accounts a token reaches, with names: oauth2/advertiser/get (needs the app secret). When that
 * list is empty but the token exchange named accounts, their names come from advertiser/info.
 */
export async function listAuthorizedAdvertisers(client: TikTokClient, app: { appId: string; secret: string }, knownIds: readonly string[] = [], signal?: AbortSignal): Promise<AdvertiserRecord[]> {
  const got = await client.advertiserGet(app, { signal });
  if (got.advertisers.length > 0) return got.advertisers.map((a) => ({ advertiserId: a.advertiserId, name: a.advertiserName }));
  if (knownIds.length === 0) return [];
  const info = await client.advertiserInfo(knownIds, { signal });
  const names = new Map(info.advertisers.map((a) => [a.advertiserId, a.name]));
  return knownIds.map((id) => ({ advertiserId: id, name: names.get(id) ?? id }));
}

/** TikTok's audience scopes (§2.3): 3 Audience Management (parent), 30 read custom audiences, 31 create and update them. */
export const AUDIENCE_SCOPES = { all: 3, read: 30, write: 31 } as const;

/**
 * A plain warning when TikTok reported the granted scopes and they lack what syncing needs; null when
 * they are sufficient or unknown (an empty list means TikTok did not say).
 */
export function scopeWarning(scope: readonly number[]): string | null {
  if (scope.length === 0 || scope.includes(AUDIENCE_SCOPES.all)) return null;
  const missing: string[] = [];
  if (!scope.includes(AUDIENCE_SCOPES.read)) missing.push('Read Custom Audiences');
  if (!scope.includes(AUDIENCE_SCOPES.write)) missing.push('Create and Update Custom Audiences');
  if (missing.length === 0) return null;
  return `TikTok did not grant ${missing.join(' and ')}, so syncing will fail. Add Audience Management to your developer app's permissions, then sign in again and approve it.`;
}
