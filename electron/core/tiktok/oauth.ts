/**
 * TikTok sign-in (tiktok-api.md §2): the system browser opens TikTok's consent page, TikTok redirects to a
 * one-shot loopback listener on the registered redirect URL (oauth-loopback.ts, oauth-redirect.ts), the
 * auth_code is exchanged for the long-term advertiser token, its scopes are checked and the ad accounts it
 * reaches are listed. Nothing here stores anything: the connection layer (connections.ts) decides where the
 * token goes. A token that turns out unusable after the exchange is revoked at TikTok, never just dropped.
 */
import { AppError, toErrorShape } from '../../../shared/errors';
import type { AdvertiserRecord } from '../store/connections-repo';
import { authorizationUrl, TikTokClient, type TikTokClientOptions } from './client';
import { TikTokApiError } from './errors';
import { DEFAULT_LOGIN_TIMEOUT_MS, startLoopback } from './oauth-loopback';

export { DEFAULT_CALLBACK_PATH, DEFAULT_LOGIN_TIMEOUT_MS, formatDuration, startLoopback, type Loopback, type LoopbackOptions, type LoopbackResult } from './oauth-loopback';
export { DEFAULT_REDIRECT_PORT, DEFAULT_REDIRECT_URI, parseRedirectUri, REDIRECT_URI_ENV, REDIRECT_URI_SETTING, resolveRedirectUri, type RedirectUriSource } from './oauth-redirect';

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
  /**
   * The redirect URL registered on the developer app (default DEFAULT_REDIRECT_URI). The listener binds its
   * port; a port in use is INVALID_ARGUMENT with the ways to change it.
   */
  redirectUri?: string;
  /**
   * Receives the consent URL once the listener waits and before the browser opens, so it can always be
   * shown (and copied) as a fallback; with the redirect URL in use and when the wait ends.
   */
  onUrl?: (url: string, waiting: { redirectUri: string; expiresAt: Date }) => void;
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
  /** Plain sentences for the user (e.g. the ad accounts' names could not be read, and which permission shows them). */
  warnings: string[];
}

/**
 * Runs the whole browser sign-in and resolves with the token and its ad accounts.
 * Throws AppError AUTH_FAILED on timeout (5 minutes by default), declined consent, or a rejected code
 * (40110 reused/expired, 40101/40113 wrong app id or secret), CANCELLED on abort, INVALID_ARGUMENT when the
 * redirect URL's port is taken, PERMISSION_DENIED when TikTok did not grant Audience Management. The
 * listener is always closed when this settles. Once TikTok has issued a token, any failure (missing
 * permission, a failed listing, an abort) revokes that token before the error is thrown.
 */
export async function runOAuthLogin(opts: OAuthLoginOptions): Promise<OAuthLoginResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  const loopback = await startLoopback({ timeoutMs, redirectUri: opts.redirectUri, signal: opts.signal });
  const app = { appId: opts.appId, secret: opts.appSecret };
  let accessToken: string;
  let advertiserIds: string[];
  let scope: number[];
  try {
    const url = buildConsentUrl(opts.apiBase, opts.appId, loopback.state, loopback.redirectUri);
    opts.onUrl?.(url, { redirectUri: loopback.redirectUri, expiresAt: new Date(Date.now() + timeoutMs) });
    if (opts.openBrowser) {
      // A browser that fails to open is not fatal: the URL was shown, and the listener keeps waiting.
      await opts.openBrowser(url).catch((err: unknown) => opts.onBrowserError?.(err));
    }
    const { code } = await loopback.result;
    const client = new TikTokClient({ ...opts.clientOptions, base: opts.apiBase });
    ({ accessToken, advertiserIds, scope } = await client.oauthAccessToken({ appId: opts.appId, secret: opts.appSecret, authCode: code }, { signal: opts.signal }));
  } finally {
    await loopback.close();
  }
  try {
    const missing = audiencePermissionProblem(scope);
    if (missing) throw new AppError('PERMISSION_DENIED', missing);
    const authed = new TikTokClient({ ...opts.clientOptions, base: opts.apiBase, accessToken });
    const listing = await listAuthorizedAdvertisers(authed, app, advertiserIds, opts.signal);
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Sign-in was cancelled. Start it again when ready.');
    const warning = listing.warning ?? (listing.advertisers.length ? null : NO_ADVERTISERS);
    return { accessToken, advertisers: listing.advertisers, scope, warnings: warning ? [warning] : [] };
  } catch (err) {
    throw await revokeUnusableToken({ apiBase: opts.apiBase, ...app, accessToken, clientOptions: opts.clientOptions }, err);
  }
}

/** Said when a sign-in reaches no ad account. */
export const NO_ADVERTISERS = 'This sign-in reaches no ad accounts. In TikTok for Business, authorize at least one ad account for your app, then sign in again.';

/** TikTok's name of the permission that oauth2/advertiser/get and advertiser/info need (tiktok-api.md "Corrections"). */
export const AD_ACCOUNT_PERMISSION = 'Read Ad Account Information';
/** Its scope id, as third-party TikTok apps document it (not an official source; used by the offline sandbox). */
export const AD_ACCOUNT_READ_SCOPE = 100;

const NAMES_HIDDEN = `TikTok did not let this app read the ad accounts' names, so they are shown by their ids. To see the names, add the "${AD_ACCOUNT_PERMISSION}" permission (Ad Account Management) to your TikTok developer app, then sign in again.`;
const LIST_REFUSED = `TikTok did not let this app list the ad accounts this sign-in reaches (the "${AD_ACCOUNT_PERMISSION}" permission is missing) and named none with the token. Add "${AD_ACCOUNT_PERMISSION}" (Ad Account Management) to your TikTok developer app, then sign in again.`;

/**
 * The sentence shown with a connection whose ad accounts all carry their ids as names: TikTok refused to
 * name them (no "Read Ad Account Information"); null otherwise.
 */
export function advertiserNamesNotice(advertisers: readonly AdvertiserRecord[]): string | null {
  return advertisers.length > 0 && advertisers.every((a) => a.name === a.advertiserId) ? NAMES_HIDDEN : null;
}

/** The ad accounts a token reaches, and a sentence when their names (or the list) could not be read. */
export interface AdvertiserListing {
  advertisers: AdvertiserRecord[];
  warning: string | null;
}

/** TikTok refused a call for a missing permission (40001, 40125, 40130), not for a bad token. */
function isPermissionRefusal(err: unknown): boolean {
  return err instanceof TikTokApiError && err.code === 'PERMISSION_DENIED';
}

/**
 * The ad accounts a token reaches, with names: oauth2/advertiser/get (needs the app secret). When that
 * list is empty but the token exchange named accounts, their names come from advertiser/info.
 * Neither call is required: both need "Read Ad Account Information", which an app may lack. When TikTok
 * refuses them for a missing permission, the ids `knownIds` (the token response's advertiser_ids) are used,
 * named by their ids, with a warning that says which permission would show the names.
 */
export async function listAuthorizedAdvertisers(client: TikTokClient, app: { appId: string; secret: string }, knownIds: readonly string[] = [], signal?: AbortSignal): Promise<AdvertiserListing> {
  let got: Awaited<ReturnType<TikTokClient['advertiserGet']>>;
  try {
    got = await client.advertiserGet(app, { signal });
  } catch (err) {
    if (!isPermissionRefusal(err)) throw err;
    if (knownIds.length === 0) return { advertisers: [], warning: LIST_REFUSED };
    return namesOf(client, knownIds, signal);
  }
  if (got.advertisers.length > 0) return { advertisers: got.advertisers.map((a) => ({ advertiserId: a.advertiserId, name: a.advertiserName })), warning: null };
  if (knownIds.length === 0) return { advertisers: [], warning: null };
  return namesOf(client, knownIds, signal);
}

/** Names of accounts TikTok itself named for the token (so reachable) via advertiser/info; ids when refused. */
async function namesOf(client: TikTokClient, ids: readonly string[], signal?: AbortSignal): Promise<AdvertiserListing> {
  try {
    const info = await client.advertiserInfo(ids, { signal });
    const names = new Map(info.advertisers.map((a) => [a.advertiserId, a.name]));
    return { advertisers: ids.map((id) => ({ advertiserId: id, name: names.get(id) ?? id })), warning: null };
  } catch (err) {
    if (!isPermissionRefusal(err)) throw err;
    return { advertisers: ids.map((id) => ({ advertiserId: id, name: id })), warning: NAMES_HIDDEN };
  }
}

/** TikTok's audience scopes (§2.3): 3 Audience Management (parent), 30 read custom audiences, 31 create and update them. */
export const AUDIENCE_SCOPES = { all: 3, read: 30, write: 31 } as const;

/**
 * Why a sign-in with these granted scopes cannot sync, in TikTok's words (the seed's setup step: "select
 * Audience Management, then click Confirm"); null when they suffice or are unknown (an empty list means
 * TikTok did not say).
 */
export function audiencePermissionProblem(scope: readonly number[]): string | null {
  if (scope.length === 0 || scope.includes(AUDIENCE_SCOPES.all)) return null;
  const missing: string[] = [];
  if (!scope.includes(AUDIENCE_SCOPES.read)) missing.push('Read Custom Audiences');
  if (!scope.includes(AUDIENCE_SCOPES.write)) missing.push('Create and Update Custom Audiences');
  if (missing.length === 0) return null;
  return (
    `TikTok did not grant the "Audience Management" permission to this sign-in (missing: ${missing.join(' and ')}), so Cohort Relay cannot sync audiences with it. ` +
    'Sign in again and, on TikTok\'s permission page, select Audience Management, then click Confirm. If it is not offered there, first add Audience Management to your developer app\'s permissions (TikTok for Business > My Apps > your app).'
  );
}

/**
 * Revokes a token that TikTok issued but that cannot be stored or used, and returns `err` with a sentence
 * saying so (or, if the revoke failed too, how the user cuts its access). Never throws.
 */
export async function revokeUnusableToken(
  t: { apiBase: string; appId: string; secret: string; accessToken: string; clientOptions?: AuthClientOptions },
  err: unknown,
): Promise<AppError> {
  const shape = toErrorShape(err);
  let note: string;
  try {
    await new TikTokClient({ ...t.clientOptions, base: t.apiBase }).revokeToken({ appId: t.appId, secret: t.secret, accessToken: t.accessToken });
    note = 'The token TikTok had just issued was revoked, so no working token is left behind.';
  } catch (revokeErr) {
    note = `Revoking the token TikTok had just issued failed too (${toErrorShape(revokeErr).message}); to cut its access, remove Cohort Relay's authorization in TikTok for Business.`;
  }
  return new AppError(shape.code, `${shape.message} ${note}`, { retryable: shape.retryable, cause: err });
}
