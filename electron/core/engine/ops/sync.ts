/** Syncing a saved audience: its dry run, a sync, an erasure's REMOVE, and the rejects report of a read. */
import { writeRejectsCsv, type RejectRecord } from '../../cohort';
import type { RunSent, RunTrigger } from '../../store/runs-repo';

export type { RunSent } from '../../store/runs-repo';
import type { SyncOutcome } from '../../sync/sync-runner';
import type { ErasedDigests, EraseOutcome } from '../../sync/sync-service';
import type { App, AudienceRecord } from './app';

export type { SyncOutcome } from '../../sync/sync-runner';

/**
 * What a sync of the audience would send and cost now; nothing is sent, nothing saved. With `draft` (draftAudience:
 * the audience as the sync's options would save it, a new one with id 0) that draft is planned instead.
 */
export function planAudience(app: App, audienceId: number, signal?: AbortSignal, draft?: { audience: AudienceRecord; setAside: boolean }): Promise<SyncOutcome> {
  return app.sync.plan(audienceId, signal, draft?.audience, draft?.setAside);
}

/**
 * Syncs the audience now, inside its calls for the day (the rest is deferred to the next window). `sent`: what its
 * acknowledged calls sent, from the run log (the quota ledger); null when the run has no row.
 */
export async function syncAudience(app: App, audienceId: number, trigger: RunTrigger, signal?: AbortSignal): Promise<SyncOutcome & { sent: RunSent | null }> {
  const o = await app.sync.sync(audienceId, trigger, signal);
  return { ...o, sent: sentOf(app, o.runId) };
}

/** What the run's acknowledged calls sent, from the quota ledger; null without a run. */
export function sentOf(app: App, runId: number | null): RunSent | null {
  return runId === null ? null : (app.store.runs.get(runId)?.sent ?? null);
}

/** Sends the audience's queued erasure (one REMOVE), as a run of the sync log. */
export function eraseFromAudience(app: App, audienceId: number, signal?: AbortSignal, opts: { erasedBefore?: ErasedDigests } = {}): Promise<EraseOutcome> {
  return app.sync.erase(audienceId, { signal, ...opts });
}

/** Writes the rejected rows of a read (masked values) as a rejects report: row, reason, value. */
export function writeRejects(rejects: readonly RejectRecord[], outPath: string): Promise<void> {
  return writeRejectsCsv(rejects, outPath);
}
