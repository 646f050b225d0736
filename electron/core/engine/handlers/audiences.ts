/**
 * The contract's `audiences:*` channels: the audience list and detail, create (new, or mapped onto an existing
 * TikTok audience), edit, delete (here, or at TikTok too), TikTok's own list, and the overlap of two audiences.
 */
import { KEY_LABELS } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { Handlers, RequestOf } from '../../../../shared/ipc/contract';
import type { AudienceDetailView, AudienceView, TiktokAudienceView } from '../../../../shared/ipc/dto';
import type { CohortRelayApp } from '../../app';
import { MULTI_SLOTS, slotPeople } from '../../cohort';
import type { AudienceRecord } from '../../store/audiences-repo';
import { cadenceProblem } from '../../sync/cadence';
import { changeColumns, columnsChangeEffect } from '../../sync/mapping-change';
import { layoutOf } from '../../sync/entry-layout';
import { setWaitForFloor } from '../../sync/floor-wait';
import { checkCreate, createSpec, pinnedCreate } from '../audience-draft';
import type { EngineContext } from '../context';
import { cancellableAsk } from '../cancel-asks';
import { findOrCreateAudience, localNamesake, localNamesakeMessage } from '../ops/create';
import { deleteAudience } from '../ops/delete';
import { overlapHandlers } from '../overlap';
import { requireFile, requireKeyColumns } from '../source-checks';
import { keyOfCalculateType, runView, sizeHistory, tiktokTimeToIso } from '../views';

/** Runs shown on an audience's detail screen. */
const RECENT_RUNS = 20;

type AudienceChannel = Extract<keyof Handlers, `audiences:${string}`>;

export function audienceHandlers(ctx: EngineContext): Pick<Handlers, AudienceChannel> {
  const { app, environment, connectionStatus } = ctx;
  const { store } = app;
  return {
    'audiences:list': async () => {
      ctx.forgetVanishedUploads();
      return store.audiences.list().map((a) => ctx.audience(a));
    },
    'audiences:get': async ({ id }) => {
      ctx.forgetVanishedUploads();
      const a = store.audiences.require(id);
      const names = new Map(store.audiences.list().map((x) => [x.id, x.name]));
      const detail: AudienceDetailView = {
        ...ctx.audience(a),
        perKeySize: perKeySize(store, a),
        history: sizeHistory(store, id),
        recentRuns: store.runs.list({ audienceId: id, limit: RECENT_RUNS }).map((r) => runView(r, names.get(id) ?? null)),
      };
      return detail;
    },
    'audiences:create': async (req) => createAudience(ctx, req),
    'audiences:setColumns': async (req) => {
      const cur = store.audiences.require(req.id);
      const saved = cur.keys.map((k) => k.key).sort().join();
      if (req.keys.map((k) => k.key).sort().join() !== saved) {
        throw new AppError('KEY_TYPE_LOCKED', `Audience "${cur.name}" matches on ${cur.keys.map((k) => KEY_LABELS[k.key]).join(' + ')}; an audience's keys cannot change, only the columns they are read from. Map the file to a new audience instead.`);
      }
      const effect = columnsChangeEffect(store, cur, req.keys);
      if (!req.save || !effect.changes) return { ...effect, audience: ctx.audience(cur) };
      const next = changeColumns(store, cur, req.keys);
      ctx.changed(req.id);
      return { ...effect, audience: ctx.audience(next) };
    },
    'audiences:update': async (req) => {
      const cur = store.audiences.require(req.id);
      const kind = req.sourceKind ?? cur.sourceKind;
      if (req.sourcePath !== undefined) requireFile(req.sourcePath, kind === 'folder' ? 'folder' : 'cohort file');
      // A new file must have the columns the keys are read from, or the next sync fails on it.
      if (req.sourcePath !== undefined && kind === 'file' && req.sourcePath !== cur.sourcePath) await requireKeyColumns(req.sourcePath, cur, req.hasHeader !== undefined ? req.hasHeader : (cur.hasHeader ?? null));
      if (typeof req.suppressPath === 'string') requireFile(req.suppressPath, 'suppression list');
      // A cadence sent back unchanged (a once that already ran, with another field edited) is not judged again.
      if (req.cadence && JSON.stringify(req.cadence) !== JSON.stringify(cur.cadence)) {
        const problem = cadenceProblem(req.cadence, ctx.now());
        if (problem) throw new AppError('INVALID_ARGUMENT', problem);
      }
      if (req.name !== undefined && req.name !== cur.name) {
        const clash = localNamesake(store, cur.advertiserId, req.name, cur.id);
        if (clash) throw new AppError('INVALID_ARGUMENT', localNamesakeMessage(req.name, clash, 'Choose another name.'));
      }
      if (req.startAtFloor && cur.tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', `"${cur.name}" already exists at TikTok: there is nothing left to start.`);
      // First, so the update below returns the record with it.
      if (req.removalMode !== undefined) app.sync.setRemovalMode(req.id, req.removalMode);
      const next = store.audiences.update(req.id, {
        ...(req.name !== undefined && { name: req.name }),
        ...(req.cadence !== undefined && { cadence: req.cadence }),
        ...(req.paused !== undefined && { paused: req.paused }),
        ...(req.sourcePath !== undefined && { sourcePath: req.sourcePath }),
        ...(req.sourceKind !== undefined && { sourceKind: req.sourceKind }),
        ...(req.sourcePattern !== undefined && { sourcePattern: req.sourcePattern }),
        ...(req.suppressPath !== undefined && { suppressPath: req.suppressPath }),
        ...(req.removalLimitPct !== undefined && { removalLimitPct: req.removalLimitPct }),
        ...(req.hasHeader !== undefined && { hasHeader: req.hasHeader }),
      });
      if (req.startAtFloor !== undefined) setWaitForFloor(store, cur, req.startAtFloor);
      ctx.changed(req.id);
      return ctx.audience(next);
    },
    'audiences:deleteLocal': async ({ id }) => {
      await removeAudience(ctx, id, false);
      return null;
    },
    'audiences:delete': async ({ id, atTiktok }) => removeAudience(ctx, id, atTiktok),
    ...overlapHandlers(app, ctx.hooks),
    'audiences:tiktokList': async ({ advertiserId, key }) => {
      const conn = store.connections.findByAdvertiser(advertiserId);
      await environment.prepare({ connectionId: conn?.id ?? null, advertiserId });
      const client = await app.clientFor({ connectionId: conn?.id ?? null, advertiserId });
      const res = await connectionStatus.remote(conn?.id ?? null, () => client.listAudiences(advertiserId));
      const out: TiktokAudienceView[] = res.audiences.map((a) => ({
        audienceId: a.audienceId,
        name: a.name,
        calculateType: a.calculateType ?? 'UNKNOWN',
        key: keyOfCalculateType(a.calculateType),
        coverNum: a.coverNum,
        isValid: a.isValid,
        isExpiring: a.isExpiring,
        expiresAt: tiktokTimeToIso(a.expiredTime),
        mapped: store.audiences.findByTiktokId(advertiserId, a.audienceId) !== undefined,
      }));
      return key ? out.filter((a) => a.key === key) : out;
    },
  };
}

async function createAudience(ctx: EngineContext, asked: RequestOf<'audiences:create'>): Promise<AudienceView> {
  const { app } = ctx;
  const { connectionId, kind } = checkCreate(app.store, asked, ctx.now());
  const req = await pinnedCreate(asked, kind);
  // The one creation rule (ops/create), as `cohort-relay sync` follows it: a same-named TikTok audience is refused, synced
  // into only when picked as existing. Nothing is sent for a new one: its first sync creates it at TikTok, so it can be
  // dry-run first.
  const record = await cancellableAsk(ctx, req.cancelId, (signal) => findOrCreateAudience(app, createSpec(req, connectionId, kind), ctx.hooks, signal));
  if (req.startAtFloor && !record.tiktokAudienceId) setWaitForFloor(app.store, record, true);
  ctx.changed(record.id);
  return ctx.audience(record);
}

/**
 * Deletes an audience: at TikTok first when asked (a partner audience through the segment API's delete action, a
 * customer-file one through dmp/custom_audience/delete/), then here with every hash kept for it. Refused while a
 * sync of it runs, in this process or another; if TikTok refuses, nothing is deleted here.
 */
function removeAudience(ctx: EngineContext, id: number, atTiktok: boolean): Promise<{ deletedAtTiktok: boolean }> {
  return deleteAudience(ctx.app, id, atTiktok, ctx.hooks, ctx.use);
}

/** People per key in a multi-key audience's snapshot (the detail screen); null for single-key audiences. */
function perKeySize(store: CohortRelayApp['store'], a: AudienceRecord): AudienceDetailView['perKeySize'] {
  const { slots, tuple } = layoutOf(a);
  if (!slots || !tuple) return null;
  const snapshot = store.snapshots.load(a.id);
  const out: NonNullable<AudienceDetailView['perKeySize']> = {};
  for (const slot of MULTI_SLOTS) if (slots.includes(slot)) {
    const people = slotPeople(snapshot, slot, tuple);
    out[slot] = people.sets.length / people.width;
  }
  return out;
}
