/**
 * Held syncs (#12 removal limit, #14 unknown membership): the audiences with their limit and hold, an audience's
 * limit, keeping an audience as it is, and confirming a held change once.
 */
import type { HoldView } from '../../../../shared/ipc/dto';
import type { AudienceRecord } from '../../store/audiences-repo';
import type { HoldRecord } from '../../store/holds-repo';
import type { SyncOutcome } from '../../sync/sync-runner';
import type { RunTrigger } from '../../store/runs-repo';
import { reshapedMembership } from '../../sync/mapping-change';
import { holdView } from '../views';
import type { App } from './app';

export type { HoldInfo } from '../../sync/removal-guard';

/** Every audience with its removal limit and its hold (held, kept or confirmed), if any. */
export function removalHolds(app: App): { id: number; name: string; created: boolean; removalLimitPct: number | null; hold: HoldView | null }[] {
  // created: TikTok has the audience (a sync stopped before the create leaves one only here).
  return app.store.audiences.list().map((a) => ({ id: a.id, name: a.name, created: a.tiktokAudienceId !== null, removalLimitPct: a.removalLimitPct, hold: holdView(app.store.holds.get(a.id), reshapedMembership(app.store, a) !== null) }));
}

/** Sets the largest share of the audience one sync may remove without asking (null: no limit). */
export function setRemovalLimit(app: App, audienceId: number, pct: number | null): AudienceRecord {
  return app.sync.setRemovalLimit(audienceId, pct);
}

/** The audience's hold, if any. */
export function holdOf(app: App, audienceId: number): HoldRecord | null {
  return app.sync.hold(audienceId);
}

/** Confirms the held change (the one `runId` held, when given) for the next sync, once. */
export function confirmRemovals(app: App, audienceId: number, runId?: number | null): HoldRecord {
  return app.sync.confirmRemovals(audienceId, runId);
}

/** Keeps the audience as it is (removal limit), or keeps syncing changes only (unknown membership). */
export function keepAudience(app: App, audienceId: number, runId?: number | null): HoldRecord {
  return app.sync.keepAudience(audienceId, runId);
}

/** Confirms the held change once and syncs now; the run checks the file again (a changed file may be held again). */
export async function confirmAndSync(app: App, audienceId: number, trigger: RunTrigger, signal?: AbortSignal): Promise<SyncOutcome> {
  confirmRemovals(app, audienceId);
  return app.sync.sync(audienceId, trigger, signal);
}
