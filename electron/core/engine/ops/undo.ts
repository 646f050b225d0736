/** Undo an audience's last sync that changed TikTok (the inverse change, of every run of it), and its dry run. */
import { AppError } from '../../../../shared/errors';
import type { UndoPreviewView } from '../../../../shared/ipc/dto';
import type { SyncOutcome } from '../../sync/sync-runner';
import type { App } from './app';
import { sentOf, type RunSent } from './sync';

/**
 * What undoing the audience's last sync would re-add, remove and cost; nothing is sent and the schedule is left as
 * it is. A refusal (nothing to undo, a sync running) throws; an undo that would break TikTok's 1,000 floor is returned
 * `refused`, with the numbers in `warning`, so the dry run can show them.
 */
export async function undoPreview(app: App, audienceId: number, signal?: AbortSignal): Promise<UndoPreviewView> {
  const a = app.store.audiences.require(audienceId);
  const { run, runs, outcome: o } = await app.sync.undoPreview(audienceId, signal);
  if (o.error && o.error.code !== 'AUDIENCE_TOO_SMALL') throw new AppError(o.error.code, o.error.message, { retryable: o.error.retryable });
  // The undo itself fails on the floor (nothing sent); its dry run plans no call then.
  const refused = o.error?.code === 'AUDIENCE_TOO_SMALL';
  return {
    audienceId,
    runId: run.id,
    runStartedAt: runs[0]!.startedAt,
    runIds: runs.map((r) => r.id),
    adds: o.adds,
    removes: o.removes,
    calls: o.callsPlanned,
    quotaLeft: o.callsLeft,
    dailyBudget: app.sync.dailyBudget,
    fitsToday: a.api === 'segment' || o.callsPlanned <= o.callsLeft,
    deferredUntil: o.deferredUntil,
    // A refused undo sends nothing and leaves the schedule as it is (SyncService.undo), as its words say.
    pausesSchedule: !refused,
    warning: o.error?.message ?? o.deferredReason ?? null,
    refused,
  };
}

/**
 * Sends the inverse of the audience's last sync and pauses its schedule (unless nothing was sent). `sent`: what its
 * acknowledged calls sent, from the run log (the quota ledger): an undo cut short sent only part of its plan.
 */
export async function undoLastSync(app: App, audienceId: number, signal?: AbortSignal): Promise<SyncOutcome & { schedulePaused: boolean; sent: RunSent | null }> {
  const o = await app.sync.undo(audienceId, signal);
  return { ...o, sent: sentOf(app, o.runId) };
}
