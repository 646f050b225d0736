/**
 * Sign-in and ad accounts (tiktok-api.md §2): tokens, the consent page's one-time codes, oauth2/access_token,
 * oauth2/advertiser/get, advertiser/info, user/info and oauth2/revoke_token.
 */
import { randomHex } from './prng';
import { arrayParam, fail, str, type SimRequest } from './request';
import { SANDBOX_APP_ID, SANDBOX_SCOPES } from './seed';
import type { AuthCode, SimStore, Token } from './store';

/** Scope id of "Read Ad Account Information", which oauth2/advertiser/get and advertiser/info need. */
const AD_ACCOUNT_READ_SCOPE = 100;

function requireAdAccountRead(t: { adAccountRead?: boolean }): void {
  if (t.adAccountRead === false) fail(40001, 'No permission to perform this operation: the authorization does not include the "Read Ad Account Information" permission.');
}

export function issueToken(store: SimStore, appId = SANDBOX_APP_ID, advertiserIds?: string[], grants: { adAccountRead?: boolean; audience?: boolean } = {}): string {
  const token = `sbx${randomHex(store.random, 37)}`;
  const ids = advertiserIds ?? [...store.advertisers.values()].filter((a) => a.appId === appId).map((a) => a.advertiserId);
  const adAccountRead = grants.adAccountRead ?? true;
  const scope = [...((grants.audience ?? true) ? SANDBOX_SCOPES : []), ...(adAccountRead ? [AD_ACCOUNT_READ_SCOPE] : [])];
  store.tokens.set(token, { token, appId, advertiserIds: ids, scope, state: 'ok', adAccountRead });
  return token;
}

/** True when `uri` is registered on the sandbox app exactly (TikTok compares the whole string). */
export function isRegisteredRedirect(store: SimStore, uri: string): boolean {
  return store.settings.redirectUris.includes(uri);
}

export function setTokenState(store: SimStore, token: string, state: Token['state']): boolean {
  const t = store.tokens.get(token);
  if (!t) return false;
  t.state = state;
  return true;
}

/** The consent page: approves at once and issues a one-time code. Throws for an unknown app. */
export function authorize(store: SimStore, appId: string): string {
  if (!store.apps.has(appId)) fail(40101, `Unknown app_id "${appId}".`);
  const code = `code${randomHex(store.random, 28)}`;
  store.authCodes.set(code, { code, appId, issuedAt: store.now(), used: false });
  return code;
}

export function oauthAccessToken(store: SimStore, req: SimRequest): unknown {
  const appId = str(req.json.app_id);
  const secret = str(req.json.secret);
  const authCode = str(req.json.auth_code);
  if (!appId || !secret || !authCode) fail(40000, 'app_id, secret and auth_code are required.');
  store.checkApp(appId as string, secret as string);
  const c = store.authCodes.get(authCode as string);
  if (!c || c.appId !== appId) fail(40110, 'Auth code is invalid.');
  const code = c as AuthCode;
  if (code.used) fail(40110, 'Auth code has been used.');
  if (store.now() - code.issuedAt > store.settings.authCodeTtlMs) fail(40110, 'Auth code has expired.');
  code.used = true;
  // What the user approved on the consent page: the permissions the sandbox app is set to grant.
  const token = issueToken(store, code.appId, undefined, { adAccountRead: store.settings.adAccountPermission, audience: store.settings.audiencePermission });
  const t = store.tokens.get(token) as Token;
  return { access_token: token, advertiser_ids: req.json.return_advertiser_ids === false ? [] : t.advertiserIds, scope: t.scope };
}

export function advertiserGet(store: SimStore, req: SimRequest): unknown {
  const appId = req.query.get('app_id');
  const secret = req.query.get('secret');
  if (!appId || !secret) fail(40000, 'app_id and secret are required.');
  store.checkApp(appId as string, secret as string);
  const t = store.requireToken(req);
  if (t.appId !== appId) fail(40105, 'The access token does not belong to this app.');
  requireAdAccountRead(t);
  return { list: t.advertiserIds.map((id) => ({ advertiser_id: id, advertiser_name: store.advertisers.get(id)?.name ?? id })) };
}

export function advertiserInfo(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  requireAdAccountRead(t);
  const ids = arrayParam(req.query, 'advertiser_ids');
  if (!ids || ids.length === 0) fail(40000, 'advertiser_ids is required.');
  for (const id of ids as string[]) store.requireAdvertiser(t, id);
  return {
    list: (ids as string[]).map((id) => ({ advertiser_id: id, name: store.advertisers.get(id)?.name ?? id, status: 'STATUS_ENABLE', currency: 'USD', timezone: 'Etc/GMT', company: 'Cohort Relay Sandbox' })),
  };
}

export function userInfo(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  return { core_user_id: `core-${t.appId}`, display_name: 'Sandbox User', email: null };
}

export function revokeToken(store: SimStore, req: SimRequest): unknown {
  const appId = str(req.json.app_id);
  const secret = str(req.json.secret);
  const token = str(req.json.access_token);
  if (!appId || !secret || !token) fail(40000, 'app_id, secret and access_token are required.');
  store.checkApp(appId as string, secret as string);
  const t = store.tokens.get(token as string);
  if (!t || t.appId !== appId || t.state === 'revoked') fail(40105, 'Access token is invalid.');
  (t as Token).state = 'revoked';
  return { app_id: appId, advertiser_ids: (t as Token).advertiserIds };
}
