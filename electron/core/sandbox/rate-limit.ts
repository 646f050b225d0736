/** The app-level request limit (tiktok-api.md §6): QPS and QPM per developer app, counted on accepted requests. */
import { fail, headerValue, type SimRequest } from './request';
import type { SimStore } from './store';

/** The app a request counts against (for the app-level limit), if it can be told. */
export function appOf(store: SimStore, req: SimRequest): string {
  const header = headerValue(req.headers, 'access-token');
  if (header) {
    const t = store.tokens.get(header);
    if (t) return t.appId;
  }
  const id = req.query.get('app_id') ?? (typeof req.json.app_id === 'string' ? req.json.app_id : null);
  return id ?? 'unknown';
}

/** The app-level QPS/QPM limit (§6). Counts accepted requests only; answers 40100 naming the limit. */
export function checkRateLimit(store: SimStore, appId: string): void {
  const rl = store.settings.rateLimit;
  if (!rl) return;
  const now = store.now();
  const w = (store.rateWindows.get(appId) ?? []).filter((t) => t > now - 60_000);
  store.rateWindows.set(appId, w);
  if (w.filter((t) => t > now - 1000).length >= rl.qps) fail(40100, `Too many requests: the app's QPS limit (${rl.qps} per second) is reached. Retry after the current second.`);
  if (w.length >= rl.qpm) fail(40100, `Too many requests: the app's QPM limit (${rl.qpm} per minute) is reached. Retry in 5 minutes.`);
  w.push(now);
}
