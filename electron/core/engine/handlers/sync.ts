/**
 * The contract's `sync:*` channels and `quota:get`: dry runs (of a saved audience, a draft of it, or an unsaved
 * one), runs and undos (tracked: they resolve once the run is in the sync log), cancel, held removals, pause.
 */
import { AUDIENCE_FLOOR } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { Handlers, RequestOf } from '../../../../shared/ipc/contract';
import type { PlanView, UndoPreviewView } from '../../../../shared/ipc/dto';
import type { AudienceRecord } from '../../store/audiences-repo';
import { nextUtcDay, utcDay } from '../../store/quota-repo';
import { cadenceProblem } from '../../sync/cadence';
import { checkCreate, createSpec, pinnedCreate } from '../audience-draft';
import { cancelAsk, cancellableAsk } from '../cancel-asks';
import { draftAudience } from '../ops/create';
import type { EngineContext } from '../context';
import { confirmRemovals, keepAudience } from '../ops/removals';
import { undoPreview } from '../ops/undo';
import { requireFile, requireSource } from '../source-checks';
import { rejectSamples } from '../views';

type SyncChannel = Extract<keyof Handlers, `sync:${string}`> | 'quota:get';

export function syncHandlers(ctx: EngineContext): Pick<Handlers, SyncChannel> {
  const { app, runs, scheduler } = ctx;
  const { store, sync } = app;
  return {
    'sync:plan': async (req) => plan(ctx, req),
    'sync:run': async ({ audienceId, sourceOnce }) => {
      // A one-off sync's upload copy is removed once that sync ends (issue #12.8): a later "Sync now" says so.
      ctx.forgetVanishedUploads();
      const a = store.audiences.require(audienceId);
      if (sourceOnce !== undefined) requireFile(sourceOnce, 'cohort file');
      else requireSource(store, a);
      return { runId: await runs.track(audienceId, 'manual', () => sync.sync(audienceId, 'manual', undefined, sourceOnce !== undefined ? { sourceOnce } : {})).started };
    },
    'sync:cancel': async (req) => {
      if ('cancelId' in req) return { cancelled: cancelAsk(ctx, req.cancelId) };
      let audienceId: number | null;
      if ('runId' in req) {
        const run = store.runs.get(req.runId);
        audienceId = run?.status === 'running' ? run.audienceId : null;
      } else {
        audienceId = req.audienceId;
      }
      return { cancelled: audienceId !== null && sync.cancel(audienceId) };
    },
    'sync:confirmRemovals': async ({ audienceId, runId }) => {
      // Exactly the change the user saw (named by the run that held it), once; the run re-checks the file.
      if (ctx.isRunning(audienceId)) throw new AppError('SYNC_RUNNING', 'This audience is syncing right now. Wait for that run to finish, then decide about the held sync.');
      confirmRemovals(app, audienceId, runId);
      ctx.changed(audienceId);
      return { runId: await runs.track(audienceId, 'manual', () => sync.sync(audienceId, 'manual')).started };
    },
    'sync:keepAudience': async ({ audienceId, runId }) => {
      keepAudience(app, audienceId, runId);
      ctx.changed(audienceId);
      return ctx.audience(store.audiences.require(audienceId));
    },
    'sync:undo': async ({ audienceId }) => {
      store.audiences.require(audienceId);
      return { runId: await runs.track(audienceId, 'undo', () => sync.undo(audienceId)).started };
    },
    'sync:undoPreview': async ({ audienceId }) => previewUndo(ctx, audienceId),
    'sync:pauseAll': async ({ paused }) => {
      scheduler.setPaused(paused);
      for (const a of store.audiences.list()) ctx.changed(a.id);
      return { paused: scheduler.paused };
    },

    'quota:get': async ({ audienceId }) => {
      store.audiences.require(audienceId);
      const q = sync.quota(audienceId);
      return { audienceId, day: utcDay(ctx.now()), used: q.used, budget: q.budget, left: q.left, resetsAt: nextUtcDay(ctx.now()).toISOString() };
    },
  };
}

/** A dry run of the audience's undo: the sync it undoes, the people it adds back and removes, its calls. */
async function previewUndo(ctx: EngineContext, audienceId: number): Promise<UndoPreviewView> {
  await ctx.environment.prepare(ctx.app.store.audiences.require(audienceId));
  try {
    return await undoPreview(ctx.app, audienceId);
  } finally {
    ctx.connectionStatus.check();
  }
}

/** A dry run of a saved audience, of a saved one with an unsaved draft, or of a new one: nothing is saved. */
async function plan(ctx: EngineContext, req: RequestOf<'sync:plan'>): Promise<PlanView> {
  const { app } = ctx;
  let a: AudienceRecord;
  let draft: AudienceRecord | undefined;
  if ('create' in req) {
    // Refused as `audiences:create` would refuse it (a same-named TikTok audience too), planned as it would be saved.
    const { connectionId, kind } = checkCreate(app.store, req.create, ctx.now());
    const spec = createSpec(await pinnedCreate(req.create, kind), connectionId, kind);
    a = draft = (await cancellableAsk(ctx, req.create.cancelId, (signal) => draftAudience(app, spec, undefined, ctx.hooks, signal))).audience;
  } else {
    a = app.store.audiences.require(req.audienceId);
    if (!req.draft) requireSource(app.store, a);
    if (req.draft) {
      const d = req.draft;
      const kind = d.sourceKind ?? a.sourceKind;
      requireFile(d.sourcePath, kind === 'folder' ? 'folder' : 'cohort file');
      if (typeof d.suppressPath === 'string') requireFile(d.suppressPath, 'suppression list');
      // As audiences:update: a cadence sent back unchanged (a once that already ran) is not judged again.
      if (d.cadence && JSON.stringify(d.cadence) !== JSON.stringify(a.cadence)) {
        const problem = cadenceProblem(d.cadence, ctx.now());
        if (problem) throw new AppError('INVALID_ARGUMENT', problem);
      }
      a = draft = {
        ...a,
        sourcePath: d.sourcePath,
        sourceKind: kind,
        ...(d.sourcePattern !== undefined && { sourcePattern: d.sourcePattern }),
        ...(d.suppressPath !== undefined && { suppressPath: d.suppressPath }),
        ...(d.cadence !== undefined && { cadence: d.cadence }),
      };
    }
  }
  const audienceId = a.id;
  await ctx.environment.prepare(a);
  const o = await app.sync.plan(audienceId, undefined, draft);
  ctx.connectionStatus.check();
  const floorError = o.error?.code === 'AUDIENCE_TOO_SMALL' ? o.error.message : null;
  if (o.error && !floorError) throw new AppError(o.error.code, o.error.message, { retryable: o.error.retryable });
  const target = o.currentSize + o.adds - o.removes;
  const unique = o.counts.valid - o.counts.duplicates;
  // A create may leave the audience under the floor (TikTok shows it as unavailable): the runner warns.
  const underFloor = !floorError && target < AUDIENCE_FLOOR && target > 0 ? (o.warnings.find((w) => /under/.test(w)) ?? null) : null;
  return {
    audienceId,
    rowsRead: o.counts.rowsRead,
    valid: o.counts.valid,
    rejected: o.counts.rejected,
    duplicates: o.counts.duplicates,
    suppressed: Math.max(0, unique - target),
    rejectsByReason: o.counts.rejectReasons,
    rejectsSample: rejectSamples(o.rejects),
    adds: o.adds,
    removes: o.removes,
    unchanged: Math.max(0, o.currentSize - o.removes),
    calls: o.callsPlanned,
    quotaLeft: o.callsLeft,
    dailyBudget: app.sync.dailyBudget,
    currentSize: o.currentSize,
    projectedSize: o.projectedSize,
    floorWarning: floorError ?? underFloor,
    replace: o.replace ?? null,
    matchWarning: o.matchWarning,
    deferredUntil: o.deferredUntil,
    deferredReason: o.deferredReason ?? null,
    perKey: o.perKey,
    removalHold: o.hold && { reason: o.hold.reason, removes: o.hold.removes, currentSize: o.hold.currentSize, percent: o.hold.percent, limitPct: o.hold.limitPct, confirmed: o.hold.confirmed, message: o.hold.message },
  };
}
