/** Sharing audiences with other ad accounts of the same Business Center: share, share/cancel and share/log. */
import { fail, str, type SimRequest } from './request';
import { SANDBOX_BUSINESS_CENTER, SANDBOX_FOREIGN_ADVERTISER } from './seed';
import type { SimStore } from './store';

export function share(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const ids = req.json.custom_audience_ids;
  if (!Array.isArray(ids) || ids.length < 1) fail(40002, 'custom_audience_ids must have 1 to 10 items.');
  if ((ids as unknown[]).length > 10) fail(40002, `custom_audience_ids has ${(ids as unknown[]).length} items; at most 10 audiences can be shared per request.`);
  const targets = req.json.shared_advertiser_ids;
  if (!Array.isArray(targets) || targets.length < 1) fail(40002, 'shared_advertiser_ids must have 1 to 10 items.');
  if ((targets as unknown[]).length > 10) fail(40002, `shared_advertiser_ids has ${(targets as unknown[]).length} items; at most 10 ad accounts can be shared with per request.`);
  const audiences = (ids as unknown[]).map((id) => store.requireAudience(advertiserId, str(id), 'any'));
  const bc = SANDBOX_BUSINESS_CENTER.advertisers.map((a) => a.advertiserId);
  const inBc = bc.includes(advertiserId);
  for (const x of targets as unknown[]) {
    const target = str(x) ?? '';
    if (target === advertiserId) fail(40002, `An audience cannot be shared with its own ad account ${advertiserId}.`);
    if (!inBc || !bc.includes(target)) fail(40002, `Ad account ${target} is not in the same Business Center as ${advertiserId}; audiences can only be shared within one Business Center.`);
  }
  const now = store.now();
  for (const a of audiences) {
    for (const x of targets as unknown[]) store.shares.set(`${a.audienceId}|${str(x)}`, { audienceId: a.audienceId, advertiserId: str(x) as string, at: now });
    a.history.push({ at: now, action: 'share', detail: (targets as unknown[]).map(String).join(','), msg: null });
  }
  return {};
}

export function shareCancel(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const a = store.requireAudience(advertiserId, str(req.json.custom_audience_id), 'any');
  const target = str(req.json.shared_advertiser_id);
  if (!target) fail(40002, 'shared_advertiser_id is required.');
  const key = `${a.audienceId}|${target}`;
  if (!store.shares.has(key)) fail(40002, `Custom audience ${a.audienceId} is not shared with ad account ${target}.`);
  store.shares.delete(key);
  // The ad account it was shared with loses it: its ad groups stop using it.
  for (const g of store.adGroups.values()) {
    if (g.advertiserId !== target) continue;
    g.include = g.include.filter((x) => x !== a.audienceId);
    g.exclude = g.exclude.filter((x) => x !== a.audienceId);
    store.applied.delete(`${g.adgroupId}|${a.audienceId}`);
  }
  a.history.push({ at: store.now(), action: 'share_cancel', detail: target as string, msg: null });
  return {};
}

export function shareLog(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, req.query.get('advertiser_id'));
  const a = store.requireAudience(advertiserId, req.query.get('custom_audience_id'), 'any');
  const names = new Map([...SANDBOX_BUSINESS_CENTER.advertisers, SANDBOX_FOREIGN_ADVERTISER].map((x) => [x.advertiserId, x.name]));
  const list = [...store.shares.values()]
    .filter((x) => x.audienceId === a.audienceId)
    .map((x) => ({ custom_audience_id: a.audienceId, shared_advertiser_id: x.advertiserId, shared_advertiser_name: names.get(x.advertiserId) ?? x.advertiserId, status: 'SHARED' }));
  return { list };
}

/** The ad accounts an audience is shared with (tests). */
export function sharedWith(store: SimStore, audienceId: string): string[] {
  return [...store.shares.values()].filter((x) => x.audienceId === audienceId).map((x) => x.advertiserId);
}
