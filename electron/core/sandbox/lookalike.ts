/** Lookalike audiences (tiktok-api.md §3.4): lookalike/create from a seed audience, and lookalike/update (refresh). */
import { checkName, fail, idList, str, type SimRequest } from './request';
import { NOT_EDITABLE_MESSAGE, type Audience, type SimStore } from './store';

/** lookalike_spec.audience_size → how many times the seed's matched size the lookalike reaches. */
const LOOKALIKE_REACH: Record<string, number> = { NARROW: 20, BALANCED: 50, BROAD: 100 };
/** A lookalike's seed must have at least this many people (lookalike create yml: "no less than 100"). */
export const LOOKALIKE_MIN_SEED = 100;
const LOOKALIKE_OS = ['ALL', 'ANDROID', 'IOS'];
const LOOKALIKE_PLACEMENTS = ['TIKTOK', 'PANGLE'];

export function lookalikeCreate(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  checkName(req.json.custom_audience_name);
  const spec = req.json.lookalike_spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) fail(40002, 'lookalike_spec is required.');
  const sp = spec as Record<string, unknown>;
  for (const k of ['source_audience_id', 'include_source', 'mobile_os', 'placements', 'location_ids', 'audience_size']) if (sp[k] === undefined || sp[k] === null) fail(40002, `lookalike_spec.${k} is required.`);
  if (typeof sp.include_source !== 'boolean') fail(40002, 'lookalike_spec.include_source must be true or false.');
  if (!LOOKALIKE_OS.includes(String(sp.mobile_os))) fail(40002, `lookalike_spec.mobile_os "${String(sp.mobile_os)}" is not valid: use ${LOOKALIKE_OS.join(', ')}.`);
  if (!(String(sp.audience_size) in LOOKALIKE_REACH)) fail(40002, `lookalike_spec.audience_size "${String(sp.audience_size)}" is not valid: use NARROW, BALANCED or BROAD.`);
  if (!Array.isArray(sp.location_ids) || sp.location_ids.length === 0 || !(sp.location_ids as unknown[]).every((x) => typeof x === 'string' && x.length > 0)) fail(40002, 'lookalike_spec.location_ids must have at least 1 location ID.');
  if (!Array.isArray(sp.placements) || sp.placements.length === 0 || !(sp.placements as unknown[]).every((x) => LOOKALIKE_PLACEMENTS.includes(String(x)))) fail(40002, `lookalike_spec.placements must list ${LOOKALIKE_PLACEMENTS.join(' and/or ')}.`);
  const seed = store.requireAudience(advertiserId, str(sp.source_audience_id), 'any');
  if (seed.kind === 'lookalike') fail(40002, 'The source audience cannot be an existing lookalike audience.');
  const v = store.view(seed);
  if (v.processing) fail(40002, `The source audience ${seed.audienceId} is still being processed; try again once it is ready.`);
  if (v.coverNum < LOOKALIKE_MIN_SEED) fail(40002, `The size of the source audience should be no less than ${LOOKALIKE_MIN_SEED} (it has ${v.coverNum} matched users).`);
  const size = v.coverNum * (LOOKALIKE_REACH[String(sp.audience_size)] as number) + (sp.include_source ? v.coverNum : 0);
  const { audienceId } = store.addAudience({
    advertiserId,
    name: req.json.custom_audience_name as string,
    kind: 'lookalike',
    calculateType: seed.calculateType,
    subType: seed.subType ?? 'NORMAL',
    lookalike: { spec: { ...sp, source_audience_id: seed.audienceId }, seedId: seed.audienceId, size },
  });
  return { custom_audience_id: audienceId };
}

export function lookalikeUpdate(store: SimStore, req: SimRequest): unknown {
  const t = store.requireToken(req);
  const advertiserId = store.requireAdvertiser(t, str(req.json.advertiser_id));
  const now2 = store.now();
  const list = idList(req.json.custom_audience_ids).map((id) => {
    const a = store.requireAudience(advertiserId, str(id), 'any');
    if (a.kind !== 'lookalike' || !a.lookalike) fail(40002, `Custom audience ${a.audienceId} is not a lookalike audience; only lookalike audiences can be refreshed.`);
    const seed = store.audiences.get((a.lookalike as NonNullable<Audience['lookalike']>).seedId);
    if (!seed) fail(40002, `The source audience of lookalike ${a.audienceId} was deleted, so it can no longer be refreshed.`);
    if (now2 < a.processingUntil) fail(40002, NOT_EDITABLE_MESSAGE);
    return { a, seed: seed as Audience };
  });
  for (const { a, seed } of list) {
    const v = store.view(seed);
    const la = a.lookalike as NonNullable<Audience['lookalike']>;
    la.size = v.coverNum * (LOOKALIKE_REACH[String(la.spec.audience_size)] as number) + (la.spec.include_source ? v.coverNum : 0);
    a.coverBefore = store.view(a).coverNum;
    a.lastModifiedAt = now2;
    a.processingUntil = now2 + store.settings.processingDelayMs;
    a.history.push({ at: now2, action: 'refresh', detail: '', msg: null });
  }
  return {};
}
