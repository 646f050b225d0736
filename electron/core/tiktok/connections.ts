/**
 * TikTok connections: sign in (browser OAuth, a pasted long-term token, or the offline sandbox), list,
 * health-check and disconnect. Metadata (label, app id, API base, ad accounts, status) goes to SQLite
 * through ConnectionsRepo; the access token and the app secret go only to the SecretStore (the OS keychain,
 * or memory when there is none). No token ever reaches SQLite, a log line, or a return value — at most a
 * masked hint such as "…a1b2".
 *
 * Env TIKTOK_ACCESS_TOKEN, when set, is used instead of the stored token for every connection (cron, CI) but
 * the offline sandbox; it is never sent to a plain-http base unless it is one of the sandbox's own tokens.
 */
import { createHash } from 'node:crypto';
import { AppError, describeError, toErrorShape } from '../../../shared/errors';
import type { AdvertiserRecord, ConnectionKind, ConnectionRecord, ConnectionStatus, ConnectionsRepo } from '../store/connections-repo';
import { openSecretStore, type OpenedSecretStore, type SecretStore } from '../secrets';
import { normalizeApiBase, resolveApiBase, TikTokClient, type TikTokClientOptions } from './client';
import { TikTokApiError } from './errors';
import { listAuthorizedAdvertisers, NO_ADVERTISERS, revokeUnusableToken, runOAuthLogin, type AuthClientOptions, type OAuthLoginOptions } from './oauth';
import { SANDBOX_ACCESS_TOKEN, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../sandbox/seed';

/** The id of the offline-sandbox connection (there is one sandbox). */
export const SANDBOX_CONNECTION_ID = 'tt-sandbox';

export interface ConnectionServiceOptions {
  repo: ConnectionsRepo;
  secrets: SecretStore;
  /** Read for TIKTOK_ACCESS_TOKEN (and TIKTOK_API_BASE when no connection is stored). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Extra settings for every client this service creates (limiter, timeouts, onCall). */
  clientOptions?: AuthClientOptions;
}

/** Where a connection's token lives after connecting. */
export type TokenStorage = 'keychain' | 'memory' | 'env';

export interface ConnectResult {
  connection: ConnectionRecord;
  /** The last 4 characters at most ("…a1b2"): enough to tell tokens apart, useless to an attacker. */
  tokenHint: string;
  tokenStorage: TokenStorage;
  /** Plain sentences the user should see (missing scopes, no ad accounts, memory-only storage). */
  warnings: string[];
}

export interface DisconnectResult {
  id: string;
  /** True when TikTok confirmed the token is revoked. */
  revoked: boolean;
  /** What happened at TikTok, in plain words (revoked, not revoked and why, revoke failed and what to do). */
  message: string;
}

export interface HealthResult {
  ok: boolean;
  status: ConnectionStatus;
  message: string;
}

/** What TIKTOK_ACCESS_TOKEN (cron / CI mode) can do, as `accounts` shows it. */
export interface EnvTokenReport {
  /** The TikTok it was checked against (TIKTOK_API_BASE, else production). */
  apiBase: string;
  /** "…a1b2". */
  tokenHint: string;
  /** False when TikTok refused the token (revoked, wrong, other environment) or could not be asked. */
  ok: boolean;
  /** Plain words: what the token reaches, or why it does not work and what to do. */
  message: string;
  /** The ad accounts the token reaches (empty when unknown). */
  advertisers: AdvertiserRecord[];
  warnings: string[];
}

export interface TokenConnectOptions {
  apiBase: string;
  token: string;
  /** With the secret, the ad accounts are listed with oauth2/advertiser/get and the token can be revoked later. */
  appId?: string;
  appSecret?: string;
  /** Ad accounts to check with advertiser/info when there is no app secret to list them. */
  advertiserIds?: readonly string[];
  /**
   * False: neither the token nor the app secret is stored — they come from the environment on every run
   * (TIKTOK_ACCESS_TOKEN, TIKTOK_APP_SECRET). Only the metadata is saved. Default true.
   */
  storeSecrets?: boolean;
  signal?: AbortSignal;
}

export type OAuthConnectOptions = Omit<OAuthLoginOptions, 'clientOptions'>;

/** `tt-<app id>` for a developer app; ids are stable so a re-login updates the same connection. */
export function connectionIdForApp(appId: string): string {
  const id = appId.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new AppError('INVALID_ARGUMENT', `"${id.slice(0, 70)}" is not a TikTok app id. Copy the App ID from My Apps > Basic Information in TikTok for Business.`);
  }
  return `tt-${id}`;
}

/** `tt-token-<12 hex of SHA-256(token)>` for a pasted token without an app: stable, and not reversible. */
export function connectionIdForToken(token: string): string {
  return `tt-token-${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/** "…a1b2": the only form in which a token is ever shown. */
export function maskToken(token: string): string {
  return token.length >= 16 ? `…${token.slice(-4)}` : '…';
}

/** The connection codes that mean "this token no longer works here": re-connect (tiktok-api.md §7). */
function needsReconnect(err: unknown): err is TikTokApiError {
  return err instanceof TikTokApiError && err.category === 'reauth';
}

export class ConnectionService {
  private readonly repo: ConnectionsRepo;
  private readonly secrets: SecretStore;
  private readonly env: NodeJS.ProcessEnv;
  private readonly clientOptions: AuthClientOptions;

  constructor(opts: ConnectionServiceOptions) {
    this.repo = opts.repo;
    this.secrets = opts.secrets;
    this.env = opts.env ?? process.env;
    this.clientOptions = opts.clientOptions ?? {};
  }

  /** TIKTOK_ACCESS_TOKEN, when set: it replaces the stored token of every connection but the offline sandbox's. */
  get envToken(): string | null {
    return this.env.TIKTOK_ACCESS_TOKEN?.trim() || null;
  }

  /**
   * TIKTOK_ACCESS_TOKEN for a client at `base` (null when unset). An http:// base is clear text to a local
   * port any program on the computer can listen on first: only the offline sandbox's own tokens go there,
   * so any other token (a production one) is refused before it is sent.
   */
  private envTokenFor(base: string): string | null {
    const token = this.envToken;
    if (token && isClearTextBase(base) && !isSandboxToken(token)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `TIKTOK_ACCESS_TOKEN (${maskToken(token)}) was not sent to ${base}: that address is plain http:// on this computer, where only the offline sandbox's own token may go. Set TIKTOK_API_BASE to TikTok's https:// address for this token, or unset TIKTOK_ACCESS_TOKEN to use the offline sandbox.`,
      );
    }
    return token;
  }

  /**
   * Browser sign-in with the user's developer app (see runOAuthLogin), then stores the token and the app
   * secret in the SecretStore and the connection with its ad accounts in SQLite. The id is `tt-<appId>`,
   * so signing in again with the same app replaces the old token. A token that cannot be stored (a locked
   * keychain, a failed database write) is revoked at TikTok before the error is thrown.
   */
  async loginWithOAuth(opts: OAuthConnectOptions): Promise<ConnectResult> {
    const id = connectionIdForApp(opts.appId);
    const appId = opts.appId.trim();
    const appSecret = opts.appSecret.trim();
    if (!appSecret) throw new AppError('INVALID_ARGUMENT', 'The app secret is empty. Copy the Secret from My Apps > Basic Information in TikTok for Business.');
    const apiBase = normalizeApiBase(opts.apiBase);
    const r = await runOAuthLogin({ ...opts, appId, appSecret, clientOptions: this.clientOptions });
    let connection: ConnectionRecord;
    try {
      connection = await this.save({ id, label: labelFor(r.advertisers, null, `TikTok app ${appId}`), kind: 'oauth', appId, apiBase }, r.advertisers, { accessToken: r.accessToken, appSecret });
    } catch (err) {
      throw await revokeUnusableToken({ apiBase, appId, secret: appSecret, accessToken: r.accessToken, clientOptions: this.clientOptions }, err);
    }
    return this.result(connection, r.accessToken, true, [...r.warnings]);
  }

  /**
   * Connects a pasted long-term token. It is checked before anything is saved: user/info must accept it,
   * then the ad accounts are listed (oauth2/advertiser/get with the app id and secret), or, without a secret,
   * the named `advertiserIds` are checked with advertiser/info. A token TikTok refuses is AUTH_FAILED and
   * nothing is stored. Without a secret and without ids the connection is saved with no ad accounts and a
   * warning: TikTok offers no token-only way to list them.
   */
  async connectWithToken(opts: TokenConnectOptions): Promise<ConnectResult> {
    return this.connectToken(opts, null);
  }

  /**
   * Connects the offline sandbox (the simulator at `simulatorUrl`) with its seeded app and ready token, so
   * the whole app works with no TikTok account. Id `tt-sandbox`. `token` replaces the seeded token (a
   * re-connect after the seeded one was revoked in the simulator uses a freshly issued one).
   */
  async connectSandbox(simulatorUrl: string, signal?: AbortSignal, token: string = SANDBOX_ACCESS_TOKEN): Promise<ConnectResult> {
    return this.connectToken(
      { apiBase: simulatorUrl, token, appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, signal },
      { id: SANDBOX_CONNECTION_ID, kind: 'sandbox', label: 'Offline sandbox' },
    );
  }

  /** Every stored connection with its ad accounts and status (no secrets; no network, no keychain). */
  listConnections(): ConnectionRecord[] {
    return this.repo.list();
  }

  getConnection(id: string): ConnectionRecord | undefined {
    return this.repo.get(id);
  }

  /**
   * A client for the connection, carrying TIKTOK_ACCESS_TOKEN when set, else the stored token (for the
   * sandbox connection, the seeded token when none is stored).
   * Throws INVALID_ARGUMENT for an unknown id and AUTH_MISSING when the token is not on this machine
   * (e.g. it was kept in memory by an earlier run with no keychain).
   */
  async clientFor(connectionId: string, extra: Partial<Pick<TikTokClientOptions, 'onCall' | 'limiter'>> = {}): Promise<TikTokClient> {
    const c = this.require(connectionId);
    // The sandbox token is public seed data: the sandbox keeps working on a machine with no keychain. The
    // sandbox never takes TIKTOK_ACCESS_TOKEN: that is a real TikTok token, and the sandbox is plain http.
    const envToken = c.kind === 'sandbox' ? null : this.envTokenFor(c.apiBase);
    const token = envToken ?? (await this.secrets.get(c.id, 'access-token')) ?? (c.kind === 'sandbox' ? SANDBOX_ACCESS_TOKEN : null);
    if (!token) {
      throw new AppError(
        'AUTH_MISSING',
        `The TikTok token of "${c.label}" is not on this machine${this.secrets.kind === 'memory' ? ' (there is no system keychain, so it was kept in memory only by an earlier run)' : ''}. Sign in again ("cohort-relay login"), or set TIKTOK_ACCESS_TOKEN.`,
      );
    }
    return new TikTokClient({ ...this.clientOptions, ...extra, base: c.apiBase, accessToken: token });
  }

  /**
   * A client for whichever connection reaches the ad account (the most recently updated one). With no
   * such connection, TIKTOK_ACCESS_TOKEN against TIKTOK_API_BASE (headless runs); else AUTH_MISSING.
   */
  async clientForAdvertiser(advertiserId: string, extra: Partial<Pick<TikTokClientOptions, 'onCall' | 'limiter'>> = {}): Promise<TikTokClient> {
    const c = this.repo.findByAdvertiser(advertiserId);
    if (c) return this.clientFor(c.id, extra);
    if (this.envToken) {
      const base = resolveApiBase(this.env);
      return new TikTokClient({ ...this.clientOptions, ...extra, base, accessToken: this.envTokenFor(base)! });
    }
    // Said for every host: the app's Connections screen, the command line's login (or its token variable).
    throw new AppError('AUTH_MISSING', `No TikTok connection reaches ad account ${advertiserId}. Connect an account that reaches it: Connections in the app, or "cohort-relay login" on the command line (or TIKTOK_ACCESS_TOKEN there).`);
  }

  /** Re-reads the ad accounts the connection reaches and stores them. */
  async refreshAdvertisers(connectionId: string, signal?: AbortSignal): Promise<AdvertiserRecord[]> {
    const c = this.require(connectionId);
    const client = await this.clientFor(c.id);
    const secret = c.appId ? await this.secrets.get(c.id, 'app-secret') : null;
    const known = c.advertisers.map((a) => a.advertiserId);
    const list = c.appId && secret ? (await listAuthorizedAdvertisers(client, { appId: c.appId, secret }, known, signal)).advertisers : known.length ? await this.checkAdvertisers(client, known, signal) : [];
    this.repo.setAdvertisers(c.id, list);
    return list;
  }

  /**
   * The cheap check before a scheduled run: one user/info call. When TikTok refuses the token (40102,
   * 40104, 40105, 40106, …) the connection is marked needs_reconnect with a plain message, and `ok` is false.
   * A network or server failure says so without changing the status (it proves nothing about the token).
   */
  async healthCheck(connectionId: string, signal?: AbortSignal): Promise<HealthResult> {
    const c = this.require(connectionId);
    let client: TikTokClient;
    try {
      client = await this.clientFor(c.id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'AUTH_MISSING') return this.markNeedsReconnect(c, err.message);
      throw err;
    }
    try {
      await client.userInfo({ signal });
    } catch (err) {
      if (needsReconnect(err)) {
        return this.markNeedsReconnect(c, `TikTok no longer accepts the connection "${c.label}" (${err.tiktokCode ?? err.httpStatus}: revoked, expired or not valid for this account). Sign in again to re-connect it.`);
      }
      const text = err instanceof Error ? err.message : String(err);
      return { ok: false, status: c.status, message: `Could not check the connection "${c.label}" right now: ${text}` };
    }
    this.repo.setStatus(c.id, 'ok', null);
    this.repo.markChecked(c.id);
    return { ok: true, status: 'ok', message: `The connection "${c.label}" works.` };
  }

  /**
   * Checks TIKTOK_ACCESS_TOKEN (null when it is not set) against TIKTOK_API_BASE (else production) and lists
   * the ad accounts it reaches: with TIKTOK_APP_ID and TIKTOK_APP_SECRET through oauth2/advertiser/get,
   * else the ad accounts of the stored connections (which the token replaces) through advertiser/info.
   * A token TikTok refuses gives `ok: false` with TikTok's code and the fix; nothing is stored or changed.
   */
  async checkEnvToken(signal?: AbortSignal): Promise<EnvTokenReport | null> {
    const token = this.envToken;
    if (!token) return null;
    const apiBase = normalizeApiBase(resolveApiBase(this.env));
    const tokenHint = maskToken(token);
    const report = (ok: boolean, message: string, advertisers: AdvertiserRecord[] = [], warnings: string[] = []): EnvTokenReport => ({ apiBase, tokenHint, ok, message, advertisers, warnings });
    try {
      this.envTokenFor(apiBase);
    } catch (err) {
      return report(false, (err as AppError).message);
    }
    const client = new TikTokClient({ ...this.clientOptions, base: apiBase, accessToken: token });
    try {
      await client.userInfo({ signal });
    } catch (err) {
      if (needsReconnect(err) || (err instanceof TikTokApiError && (err.code === 'AUTH_FAILED' || err.code === 'AUTH_MISSING'))) {
        return report(
          false,
          `TikTok refuses TIKTOK_ACCESS_TOKEN (${tokenHint}) at ${apiBase} (TikTok code ${err.tiktokCode ?? err.httpStatus ?? 'unknown'}: revoked, mistyped, or a token of another environment). Set TIKTOK_ACCESS_TOKEN to a working long-term token, and TIKTOK_API_BASE to the TikTok it belongs to.`,
        );
      }
      return report(false, `Could not check TIKTOK_ACCESS_TOKEN at ${apiBase} right now: ${toErrorShape(err).message}`);
    }
    const appId = this.env.TIKTOK_APP_ID?.trim();
    const secret = this.env.TIKTOK_APP_SECRET?.trim();
    const storedIds = [...new Set(this.repo.list().flatMap((c) => c.advertisers.map((a) => a.advertiserId)))];
    try {
      if (appId && secret) {
        const listing = await listAuthorizedAdvertisers(client, { appId, secret }, storedIds, signal);
        return report(true, reaches(tokenHint, apiBase, listing.advertisers), listing.advertisers, listing.warning ? [listing.warning] : []);
      }
      if (storedIds.length === 0) {
        return report(true, `TIKTOK_ACCESS_TOKEN (${tokenHint}) works at ${apiBase}.`, [], [
          'TikTok lists the ad accounts of a token only together with its app: set TIKTOK_APP_ID and TIKTOK_APP_SECRET to list them.',
        ]);
      }
      const names = await reachableNames(client, storedIds, signal);
      const advertisers = storedIds.filter((id) => names.has(id)).map((id) => ({ advertiserId: id, name: names.get(id) ?? id }));
      if (advertisers.length === 0) {
        return report(true, `TIKTOK_ACCESS_TOKEN (${tokenHint}) works at ${apiBase}.`, [], [
          `TikTok did not let it read the stored connections' ad accounts (${storedIds.join(', ')}): the token does not reach them, or its app lacks "Read Ad Account Information". Set TIKTOK_APP_ID and TIKTOK_APP_SECRET to list what it reaches.`,
        ]);
      }
      const unreachable = storedIds.filter((id) => !names.has(id));
      const warnings = unreachable.length ? [`TIKTOK_ACCESS_TOKEN does not reach ad account ${unreachable.join(', ')} of the stored connections; syncs to it will fail.`] : [];
      return report(true, reaches(tokenHint, apiBase, advertisers), advertisers, warnings);
    } catch (err) {
      return report(false, `TIKTOK_ACCESS_TOKEN (${tokenHint}) works at ${apiBase}, but listing its ad accounts failed: ${toErrorShape(err).message}`);
    }
  }

  /**
   * Disconnects: revokes the token at TikTok when the app secret is known (a failed revoke is reported,
   * and the local removal happens anyway), deletes the token and secret from the SecretStore, and removes
   * the connection and its ad-account list. Audiences and sync history stay.
   * The sandbox token is shared seed data and is never revoked; TIKTOK_ACCESS_TOKEN is never revoked.
   */
  async disconnect(connectionId: string, signal?: AbortSignal): Promise<DisconnectResult> {
    const c = this.require(connectionId);
    const token = await this.secrets.get(c.id, 'access-token');
    const secret = await this.secrets.get(c.id, 'app-secret');
    let revoked = false;
    let message: string;
    if (c.kind === 'sandbox') {
      message = 'The offline sandbox needs no revoke.';
    } else if (!token) {
      message = 'No stored token to revoke (it was not kept on this machine).';
    } else if (!c.appId || !secret) {
      message = 'The token was not revoked at TikTok (revoking needs the app id and secret). To cut its access, cancel the authorization in TikTok for Business.';
    } else {
      try {
        const client = new TikTokClient({ ...this.clientOptions, base: c.apiBase });
        await client.revokeToken({ appId: c.appId, secret, accessToken: token }, { signal });
        revoked = true;
        message = 'TikTok revoked the token.';
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        message = `Revoking the token at TikTok failed (${text}); it was removed from this machine anyway. To cut its access, cancel the authorization in TikTok for Business.`;
      }
    }
    // The keychain first: if it is locked this throws, and the connection stays listed so the user can retry.
    await this.secrets.delete(c.id, 'access-token');
    await this.secrets.delete(c.id, 'app-secret');
    this.repo.remove(c.id);
    return { id: c.id, revoked, message };
  }

  // ---------------------------------------------------------------- internals

  private async connectToken(opts: TokenConnectOptions, as: { id: string; kind: ConnectionKind; label: string } | null): Promise<ConnectResult> {
    const token = opts.token.trim();
    const appId = opts.appId?.trim() || null;
    const appSecret = opts.appSecret?.trim() || null;
    if (!token) throw new AppError('INVALID_ARGUMENT', 'The access token is empty. Paste the long-term token from TikTok for Business.');
    if (/\s/.test(token)) throw new AppError('INVALID_ARGUMENT', 'The access token contains spaces or line breaks. Paste exactly the token, on one line.');
    if (appSecret && !appId) throw new AppError('INVALID_ARGUMENT', 'An app secret was given without its app id. Give both (TIKTOK_APP_ID and TIKTOK_APP_SECRET), or neither.');
    const id = as?.id ?? (appId ? connectionIdForApp(appId) : connectionIdForToken(token));
    const apiBase = normalizeApiBase(opts.apiBase);
    // `login` with TIKTOK_ACCESS_TOKEN checks that token here: the same clear-text rule as every use of it.
    if (token === this.envToken) this.envTokenFor(apiBase);
    const client = new TikTokClient({ ...this.clientOptions, base: apiBase, accessToken: token });

    let displayName: string | null;
    try {
      displayName = (await client.userInfo({ signal: opts.signal })).user.displayName;
    } catch (err) {
      throw rejectedToken(err, apiBase);
    }
    let advertisers: AdvertiserRecord[];
    let listingWarning: string | null = null;
    try {
      if (appId && appSecret) ({ advertisers, warning: listingWarning } = await listAuthorizedAdvertisers(client, { appId, secret: appSecret }, opts.advertiserIds ?? [], opts.signal));
      else if (opts.advertiserIds?.length) advertisers = await this.checkAdvertisers(client, opts.advertiserIds, opts.signal);
      else advertisers = [];
    } catch (err) {
      if (err instanceof TikTokApiError && (err.tiktokCode === 40106 || err.tiktokCode === 40001)) {
        throw new AppError('PERMISSION_DENIED', `This token cannot reach the ad accounts asked for (TikTok code ${err.tiktokCode}). Check the ad account ids, or authorize them for your app in TikTok for Business. Nothing was saved.`, { cause: err });
      }
      throw rejectedToken(err, apiBase);
    }
    const warnings: string[] = listingWarning ? [listingWarning] : [];
    if (!appSecret && !opts.advertiserIds?.length) {
      warnings.push('No ad accounts were listed: TikTok lists them only with the app id and secret. Connect again with them (TIKTOK_APP_ID / TIKTOK_APP_SECRET), or name the ad accounts (--advertiser-id).');
    } else {
      const w = noAdvertisersWarning(advertisers);
      if (w && !listingWarning) warnings.push(w);
    }
    const storeSecrets = opts.storeSecrets ?? true;
    const label = as?.label ?? labelFor(advertisers, displayName, appId ? `TikTok app ${appId}` : `TikTok token ${maskToken(token)}`);
    const connection = await this.save({ id, label, kind: as?.kind ?? 'token', appId, apiBase }, advertisers, { accessToken: storeSecrets ? token : null, appSecret: storeSecrets ? appSecret : null });
    return this.result(connection, token, storeSecrets, warnings);
  }

  /** Names of the given ad accounts via advertiser/info; an id TikTok does not return is not reachable. */
  private async checkAdvertisers(client: TikTokClient, ids: readonly string[], signal?: AbortSignal): Promise<AdvertiserRecord[]> {
    const wanted = [...new Set(ids.map((i) => i.trim()).filter(Boolean))];
    const info = await client.advertiserInfo(wanted, { signal });
    const names = new Map(info.advertisers.map((a) => [a.advertiserId, a.name]));
    const missing = wanted.filter((i) => !names.has(i));
    if (missing.length) {
      throw new AppError('PERMISSION_DENIED', `This token cannot reach ad account ${missing.join(', ')}. Check the id in TikTok Ads Manager, or authorize that account for your app. Nothing was saved.`);
    }
    return wanted.map((i) => ({ advertiserId: i, name: names.get(i) ?? i }));
  }

  /**
   * Secrets first, then SQLite: a keychain failure leaves nothing behind in the database. If the database
   * write fails for a new connection, the secrets just written are removed again.
   */
  private async save(
    rec: { id: string; label: string; kind: ConnectionKind; appId: string | null; apiBase: string },
    advertisers: readonly AdvertiserRecord[],
    secrets: { accessToken: string | null; appSecret: string | null },
  ): Promise<ConnectionRecord> {
    const existed = this.repo.get(rec.id) !== undefined;
    const written: ('access-token' | 'app-secret')[] = [];
    try {
      if (secrets.accessToken) {
        await this.secrets.set(rec.id, 'access-token', secrets.accessToken);
        written.push('access-token');
      }
      if (secrets.appSecret) {
        await this.secrets.set(rec.id, 'app-secret', secrets.appSecret);
        written.push('app-secret');
      }
      this.repo.upsert(rec);
      this.repo.setAdvertisers(rec.id, advertisers);
      this.repo.markChecked(rec.id);
    } catch (err) {
      if (!existed) {
        for (const name of written) await this.secrets.delete(rec.id, name).catch(() => false);
        this.repo.remove(rec.id);
      }
      throw err;
    }
    return this.repo.get(rec.id)!;
  }

  private result(connection: ConnectionRecord, token: string, stored: boolean, warnings: string[]): ConnectResult {
    const tokenStorage: TokenStorage = !stored ? 'env' : this.secrets.kind === 'keychain' ? 'keychain' : 'memory';
    // The sandbox's token is public seed data (clientFor falls back to it), so memory-only storage loses nothing.
    if (tokenStorage === 'memory' && connection.kind !== 'sandbox') warnings.push(`${describeError('KEYCHAIN_UNAVAILABLE').message} ${describeError('KEYCHAIN_UNAVAILABLE').action}`);
    return { connection, tokenHint: maskToken(token), tokenStorage, warnings };
  }

  private markNeedsReconnect(c: ConnectionRecord, message: string): HealthResult {
    this.repo.setStatus(c.id, 'needs_reconnect', message);
    this.repo.markChecked(c.id);
    return { ok: false, status: 'needs_reconnect', message };
  }

  private require(id: string): ConnectionRecord {
    const c = this.repo.get(id);
    if (!c) throw new AppError('INVALID_ARGUMENT', `There is no TikTok connection "${id}". Run "cohort-relay accounts" to list connections.`);
    return c;
  }
}


/** A label people recognise: the TikTok user, else the first ad account (+ how many more), else the fallback. */
function labelFor(advertisers: readonly AdvertiserRecord[], displayName: string | null, fallback: string): string {
  if (displayName?.trim()) return displayName.trim();
  if (advertisers.length === 0) return fallback;
  return advertisers.length === 1 ? advertisers[0]!.name : `${advertisers[0]!.name} + ${advertisers.length - 1} more`;
}

/**
 * Names of the ad accounts among `ids` that the token may read. TikTok refuses a whole advertiser/info call
 * when one id is out of reach (40001), so a refused batch is asked again one id at a time.
 */
async function reachableNames(client: TikTokClient, ids: readonly string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const refused = (err: unknown) => err instanceof TikTokApiError && err.code === 'PERMISSION_DENIED';
  try {
    return new Map((await client.advertiserInfo(ids, { signal })).advertisers.map((a) => [a.advertiserId, a.name]));
  } catch (err) {
    if (!refused(err) || ids.length === 1) {
      if (refused(err)) return new Map();
      throw err;
    }
  }
  const out = new Map<string, string>();
  for (const id of ids) for (const [k, v] of await reachableNames(client, [id], signal)) out.set(k, v);
  return out;
}

function reaches(tokenHint: string, apiBase: string, advertisers: readonly AdvertiserRecord[]): string {
  const n = advertisers.length;
  return `TIKTOK_ACCESS_TOKEN (${tokenHint}) works at ${apiBase} and reaches ${n} ad account${n === 1 ? '' : 's'}.`;
}

function noAdvertisersWarning(advertisers: readonly AdvertiserRecord[]): string | null {
  return advertisers.length ? null : NO_ADVERTISERS;
}

/** A token check that failed: TikTok's refusal becomes AUTH_FAILED ("nothing was saved"); other failures pass through. */
function rejectedToken(err: unknown, apiBase: string): unknown {
  if (err instanceof TikTokApiError && (err.category === 'reauth' || err.code === 'AUTH_FAILED' || err.code === 'AUTH_MISSING')) {
    return new AppError(
      'AUTH_FAILED',
      `TikTok did not accept this access token (TikTok code ${err.tiktokCode ?? err.httpStatus ?? 'unknown'}). Check that you copied the whole long-term token, and that it is for ${apiBase} (production, TikTok's sandbox and the offline sandbox each have their own tokens). Nothing was saved.`,
      { cause: err },
    );
  }
  return err;
}

export interface OpenConnectionServiceOptions {
  repo: ConnectionsRepo;
  env?: NodeJS.ProcessEnv;
  logger?: { warn(message: string): void };
  clientOptions?: AuthClientOptions;
  /** Keychain service name (tests). */
  keychainService?: string;
}

/**
 * The service with the OS keychain when it works, else memory (see openSecretStore). `keychain` says which,
 * and why not: a host that exits right after signing in (the CLI) must refuse a memory-only sign-in.
 */
export async function openConnectionService(opts: OpenConnectionServiceOptions): Promise<{ service: ConnectionService; keychain: OpenedSecretStore }> {
  const { repo } = opts;
  const keychain = await openSecretStore({
    env: opts.env,
    logger: opts.logger,
    service: opts.keychainService,
    locations: { get: (id) => repo.secretAdapter(id), set: (id, a) => repo.setSecretAdapter(id, a), remove: (id) => repo.forgetSecretAdapter(id) },
  });
  return { service: new ConnectionService({ repo: opts.repo, secrets: keychain.store, env: opts.env, clientOptions: opts.clientOptions }), keychain };
}

/** A plain-http base (only ever on loopback: normalizeApiBase refuses http elsewhere). */
function isClearTextBase(base: string): boolean {
  return base.trim().toLowerCase().startsWith('http:');
}

/** The offline sandbox's own tokens: its seeded token, or one it issued ("sbx" + 37 hex digits; TikTok's are hex only). */
export function isSandboxToken(token: string): boolean {
  return token === SANDBOX_ACCESS_TOKEN || /^sbx[0-9a-f]{37}$/.test(token);
}
