/**
 * The sandbox's consent page, /portal/auth: approves at once (or denies, as set) and sends the browser back to the
 * redirect URL with a one-time code and the caller's state, only when that URL is registered on the app (§2.2).
 */
import type http from 'node:http';
import { authorize, isRegisteredRedirect } from './oauth';
import type { SimStore } from './store';

export function consentPage(store: SimStore, url: URL, res: http.ServerResponse): void {
  const appId = url.searchParams.get('app_id');
  const redirectUri = url.searchParams.get('redirect_uri');
  const stateParam = url.searchParams.get('state');
  let target: URL;
  try {
    target = new URL(redirectUri ?? '');
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('redirect_uri is missing or not a URL.');
    return;
  }
  if (!appId) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('app_id is missing.');
    return;
  }
  if (!isRegisteredRedirect(store, redirectUri as string)) {
    // TikTok redirects only to a URL registered on the developer app, compared exactly; anything else
    // stops on an error page in the browser and never reaches the app.
    res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title></head><body><h1>Something went wrong</h1>` +
        `<p>This authorization could not start because of the app's settings. If you're a developer, correct the following and try again: <b>redirect_uri</b>.</p>` +
        `<p>${escapeHtml(redirectUri as string)} is not a redirect URL registered on app ${escapeHtml(appId)}. Registered: ${store.settings.redirectUris.map(escapeHtml).join(', ') || 'none'}.</p></body></html>`,
    );
    return;
  }
  if (store.settings.consent === 'deny') {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'The user denied the authorization.');
  } else {
    let code: string;
    try {
      code = authorize(store, appId);
    } catch (err) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end((err as Error).message);
      return;
    }
    const key = store.settings.authCodeParam;
    if (key === 'auth_code' || key === 'both') target.searchParams.set('auth_code', code);
    if (key === 'code' || key === 'both') target.searchParams.set('code', code);
  }
  if (stateParam !== null) target.searchParams.set('state', stateParam);
  res.writeHead(302, { Location: target.toString(), 'Content-Type': 'text/plain' });
  res.end('Authorized by the Cohort Relay offline sandbox.');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
