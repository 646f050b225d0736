/** Audience insight: audience/insight/overlap (how many matched users a benchmark audience shares with others). */
import { arrayParam, fail, type SimRequest } from './request';
import type { Audience, SimStore } from './store';

/**
 * audience/insight/overlap/ (SDK audience_insight_overlap.yml; field meanings from bububa's Go SDK): the benchmark
 * audience and up to 4 comparison audiences, each with its matched size, and for each comparison the share of the
 * benchmark's matched users it also holds (benchmark_overlap_rate, 0..1 here; TikTok's exact scale is not public) with
 * rounded ranges. Matched users only: an audience still processing or under the floor shows 0.
 */
export function overlap(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, req.query.get('advertiser_id'));
  const benchmark = store.requireAudience(advertiserId, req.query.get('benchmark_custom_audience_id'), 'any');
  const ids = arrayParam(req.query, 'comparison_custom_audience_ids') ?? [];
  if (ids.length > 4) fail(40002, 'comparison_custom_audience_ids: at most 4 audiences can be compared with the benchmark.');
  const others = ids.map((id) => store.requireAudience(advertiserId, id, 'any'));
  const matched = (a: Audience) => (store.view(a).isValid ? store.view(a).coverNum : 0);
  const range = (n: number) => {
    if (n <= 0) return '0';
    const mag = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
    return `${Math.floor(n / mag) * mag}-${Math.ceil((n + 1) / mag) * mag}`;
  };
  const audience = (a: Audience) => ({ audience_id: a.audienceId, audience_name: a.name, audience_size: matched(a), targetable_users_count_range: range(matched(a)) });
  const base = matched(benchmark);
  const rate = store.settings.matchRate === 'exact' ? 1 : store.settings.matchRate;
  return {
    benchmark_audience: audience(benchmark),
    comparison_audiences: others.map((o) => {
      let both = 0;
      for (const m of o.members) if (benchmark.members.has(m)) both++;
      // Matched users in both: as many of the shared people as TikTok matches, never more than either audience matched.
      const count = base === 0 || matched(o) === 0 ? 0 : Math.min(base, matched(o), Math.floor(both * rate));
      const share = base === 0 ? 0 : count / base;
      return { ...audience(o), benchmark_overlap_rate: Math.round(share * 10_000) / 10_000, benchmark_overlap_rate_range: `${Math.floor(share * 10) * 10}%-${Math.min(100, Math.floor(share * 10) * 10 + 10)}%`, benchmark_overlap_count_range: range(count) };
    }),
  };
}
