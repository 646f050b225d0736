/**
 * Using audiences in ads (#14 §1): the seeded campaigns and ad groups (campaign/get, adgroup/get), Apply /
 * Disconnect of an audience (custom_audience/apply) and its log (apply/log).
 */
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import { arrayParam, fail, idList, jsonParam, paged, str, tiktokTime, type SimRequest } from './request';
import type { Audience, SimAdGroup, SimStore } from './store';

export function campaignGet(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, req.query.get('advertiser_id'));
  const filter = jsonParam(req.query, 'filtering');
  const ids = filter && Array.isArray(filter.campaign_ids) ? (filter.campaign_ids as unknown[]).map(String) : null;
  const all = [...store.campaigns.values()].filter((c) => c.advertiserId === advertiserId && (!ids || ids.includes(c.campaignId)));
  return paged(req.query, all, (c) => ({ campaign_id: c.campaignId, campaign_name: c.name, advertiser_id: c.advertiserId, operation_status: 'ENABLE', objective_type: c.reachFrequency ? 'REACH' : 'CONVERSIONS' }));
}

export function adgroupGet(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, req.query.get('advertiser_id'));
  const filter = jsonParam(req.query, 'filtering');
  const campaignIds = filter && Array.isArray(filter.campaign_ids) ? (filter.campaign_ids as unknown[]).map(String) : null;
  const adgroupIds = filter && Array.isArray(filter.adgroup_ids) ? (filter.adgroup_ids as unknown[]).map(String) : null;
  const all = [...store.adGroups.values()].filter((g) => g.advertiserId === advertiserId && (!campaignIds || campaignIds.includes(g.campaignId)) && (!adgroupIds || adgroupIds.includes(g.adgroupId)));
  return paged(req.query, all, (g) => ({
    adgroup_id: g.adgroupId,
    adgroup_name: g.name,
    campaign_id: g.campaignId,
    advertiser_id: g.advertiserId,
    operation_status: 'ENABLE',
    buying_type: g.reachFrequency ? 'RESERVATION_RF' : 'AUCTION',
    audience_ids: [...g.include],
    excluded_audience_ids: [...g.exclude],
  }));
}

/** Apply / Disconnect one audience to / from ad groups of the same advertiser (apply yml). */
export function apply(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const action = req.json.action_mode;
  if (action !== 'Apply' && action !== 'Disconnect') fail(40002, `action_mode "${String(action ?? '')}" is not valid: use Apply or Disconnect.`);
  const usage = req.json.usage_mode;
  if (action === 'Apply' && usage !== 'Include' && usage !== 'Exclude') fail(40002, usage === undefined ? 'usage_mode is required when action_mode is Apply: use Include or Exclude.' : `usage_mode "${String(usage)}" is not valid: use Include or Exclude.`);
  const raw = req.json.custom_audience_id;
  if (Array.isArray(raw)) fail(40002, 'custom_audience_id takes one custom audience ID.');
  const a = store.visibleAudience(advertiserId, str(raw));
  const groupIds = req.json.adgroup_ids;
  if (!Array.isArray(groupIds) || groupIds.length === 0) fail(40002, 'adgroup_ids must have at least 1 item.');
  // Documented choice: 100 ad groups per call (the yml gives no limit; 100 is the limit of its sibling id lists).
  if ((groupIds as unknown[]).length > 100) fail(40011, `adgroup_ids has ${(groupIds as unknown[]).length} items; at most 100 are allowed.`);
  const groups = (groupIds as unknown[]).map((gid) => {
    const g = store.adGroups.get(str(gid) ?? '');
    if (!g || g.advertiserId !== advertiserId) fail(40002, `Ad group ${String(gid)} does not exist under advertiser ${advertiserId}: adgroup_ids and custom_audience_id must be under the same advertiser account.`);
    return g as SimAdGroup;
  });
  if (action === 'Apply') {
    if (a.kind === 'lookalike' && a.subType === 'REACH_FREQUENCY') fail(40002, 'A Lookalike Audience with the REACH_FREQUENCY sub type cannot be applied to ad groups.');
    for (const g of groups) if (a.kind === 'lookalike' && g.reachFrequency) fail(40002, `Lookalike Audience cannot be used in Reach & Frequency ads: ad group ${g.adgroupId} is a Reach & Frequency ad group.`);
    const v = store.view(a);
    if (!v.isValid) fail(40002, v.processing ? `Custom audience ${a.audienceId} is still being processed and cannot be applied yet.` : `Custom audience ${a.audienceId} is unavailable (fewer than ${AUDIENCE_FLOOR} matched users, or expired) and cannot be applied to ad groups.`);
  }
  const now = store.now();
  for (const g of groups) {
    g.include = g.include.filter((x) => x !== a.audienceId);
    g.exclude = g.exclude.filter((x) => x !== a.audienceId);
    const key = `${g.adgroupId}|${a.audienceId}`;
    if (action === 'Apply') {
      (usage === 'Include' ? g.include : g.exclude).push(a.audienceId);
      store.applied.set(key, { audienceId: a.audienceId, adgroupId: g.adgroupId, usageMode: usage as 'Include' | 'Exclude', at: now });
    } else {
      store.applied.delete(key);
    }
  }
  // Applying to an active ad group resets the expiry clock of an audience without retention_in_days (§6).
  if (action === 'Apply') a.lastModifiedAt = Math.max(a.lastModifiedAt, now);
  a.history.push({ at: now, action: action === 'Apply' ? 'apply' : 'disconnect', detail: groups.map((g) => g.adgroupId).join(','), msg: null });
  return {};
}

export function applyLog(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, req.query.get('advertiser_id'));
  const ids = idList(arrayParam(req.query, 'custom_audience_ids'));
  for (const id of ids) {
    const a = store.audiences.get(id);
    if (!a || !store.isVisibleTo(a, advertiserId)) fail(40007, `Custom audience ${id} does not exist.`);
    if ((a as Audience).advertiserId !== advertiserId) fail(40002, `Advertiser ${advertiserId} is not the owner of custom audience ${id}; only the owner can read its application log.`);
  }
  const entries = [...store.applied.values()].filter((e) => ids.includes(e.audienceId)).sort((x, y) => y.at - x.at);
  const out = paged(req.query, entries, (e) => ({
    audience_id: e.audienceId,
    adgroup_id: e.adgroupId,
    adgroup_name: store.adGroups.get(e.adgroupId)?.name ?? null,
    usage_mode: e.usageMode,
    action_timestamp: tiktokTime(e.at, store.settings.timeZoneOffsetMinutes),
    editor: 'open_api',
  }));
  return { ...out, advertiser_id: advertiserId };
}

/** Ad groups using an audience (tests). */
export function adGroupsUsing(store: SimStore, audienceId: string): { adgroupId: string; usage: 'Include' | 'Exclude' }[] {
  const out: { adgroupId: string; usage: 'Include' | 'Exclude' }[] = [];
  for (const g of store.adGroups.values()) {
    if (g.include.includes(audienceId)) out.push({ adgroupId: g.adgroupId, usage: 'Include' });
    if (g.exclude.includes(audienceId)) out.push({ adgroupId: g.adgroupId, usage: 'Exclude' });
  }
  return out;
}
