/** Reading and deleting audiences of every kind (tiktok-api.md §3.5): custom_audience list, get and delete. */
import { arrayParam, fail, idList, intParam, str, tiktokTime, type SimRequest } from './request';
import type { Audience, SimStore } from './store';

export function listAudiences(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, req.query.get('advertiser_id'));
  const page = intParam(req.query, 'page', 1);
  const pageSize = intParam(req.query, 'page_size', 10);
  if (page < 1) fail(40002, 'page must be at least 1.');
  if (pageSize < 1 || pageSize > 100) fail(40002, 'page_size must be from 1 to 100.');
  const asked = arrayParam(req.query, 'custom_audience_ids');
  const ids = asked && idList(asked);
  // Owned and shared audiences alike (the list yml); is_creator tells them apart.
  const all = [...store.audiences.values()].filter((a) => store.isVisibleTo(a, advertiserId) && (!ids || ids.includes(a.audienceId)));
  const slice = all.slice((page - 1) * pageSize, page * pageSize);
  return {
    page_info: { page, page_size: pageSize, total_number: all.length, total_page: Math.ceil(all.length / pageSize) },
    list: slice.map((a) => {
      const { type, ...rest } = store.render(a, advertiserId);
      return { ...rest, audience_type: type };
    }),
  };
}

export function getAudiences(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, req.query.get('advertiser_id'));
  const ids = idList(arrayParam(req.query, 'custom_audience_ids'));
  // The get yml: history_size 1–100, default 100.
  const historySize = intParam(req.query, 'history_size', 100);
  if (historySize < 1 || historySize > 100) fail(40002, 'history_size must be from 1 to 100.');
  // Unknown ids are left out of the answer (not an error): a caller compares what it asked with what came back.
  const found = ids.map((id) => store.audiences.get(id)).filter((a): a is Audience => !!a && a.advertiserId === advertiserId);
  return {
    list: found.map((a) => ({
      // Keys of the get yml's response_rule beyond the list item; pop_resp_nullvalue: false keeps them when null.
      audience_details: { ...store.render(a), audience_enhancement: a.enhancement ?? false, enhancement_status: null },
      audience_history: a.history
        .slice(-historySize)
        .reverse()
        .map((h) => ({ opt_time: tiktokTime(h.at, store.settings.timeZoneOffsetMinutes), action: h.action, action_detail: h.detail, editor: 'open_api', msg: h.msg })),
    })),
  };
}

export function deleteAudiences(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const audiences = idList(req.json.custom_audience_ids).map((id) => store.requireAudience(advertiserId, str(id), 'any'));
  // Documented choice: an audience still attached to an ad group is refused (detach it with apply's Disconnect first).
  for (const a of audiences) {
    const using = [...store.adGroups.values()].filter((g) => g.include.includes(a.audienceId) || g.exclude.includes(a.audienceId));
    if (using.length > 0) fail(40002, `Custom audience ${a.audienceId} is used by ad group(s) ${using.map((g) => g.adgroupId).join(', ')}. Disconnect it from them before deleting it.`);
  }
  for (const a of audiences) {
    store.audiences.delete(a.audienceId);
    for (const [k, sh] of store.shares) if (sh.audienceId === a.audienceId) store.shares.delete(k);
  }
  return {};
}
