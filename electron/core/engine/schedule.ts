/**
 * The schedule operations every host calls (#13 §2 "one front door"): set or clear an audience's cadence,
 * pause or resume one audience or every scheduled sync, and list the schedules with their next run. The CLI's
 * `schedule` command calls these instead of writing the store itself; the writes go through the store's
 * repositories (audiences-repo; the scheduler's paused flag in settings-repo). An unknown audience is
 * AUDIENCE_NOT_FOUND (from the repository).
 */
import { AppError } from '../../../shared/errors';
import type { Store } from '../store';
import type { AudienceRecord, Cadence } from '../store/audiences-repo';
import { cadenceProblem } from '../sync/cadence';
import type { Scheduler } from '../sync/scheduler';

export type { Cadence } from '../store/audiences-repo';
export { cadenceProblem, localMinute } from '../sync/cadence';

/** What the schedule operations need: CohortRelayApp and the engine both have it. */
export interface ScheduleDeps {
  readonly store: Store;
  readonly scheduler: Scheduler;
}

export interface ScheduleEntry {
  id: number;
  name: string;
  cadence: Cadence;
  paused: boolean;
  /** ISO time of the next scheduled run, or null (manual, paused, or all paused). */
  nextRun: string | null;
  /** TikTok has the audience (a sync stopped before the create leaves one only here). */
  created: boolean;
}

export interface ScheduleList {
  pausedAll: boolean;
  schedules: ScheduleEntry[];
}

/** The next scheduled run of `a` as an ISO string, or null. */
export function nextRunOf(deps: ScheduleDeps, a: AudienceRecord): string | null {
  return deps.scheduler.nextRun(a)?.toISOString() ?? null;
}

/** Gives an audience a cadence and un-pauses it. An unknown audience or a cadence that cannot run is refused. */
export function setSchedule(deps: ScheduleDeps, audienceId: number, cadence: Cadence): AudienceRecord {
  const problem = cadenceProblem(cadence);
  if (problem) throw new AppError('INVALID_ARGUMENT', problem);
  return deps.store.audiences.update(audienceId, { cadence, paused: false });
}

/** Takes an audience off the schedule: it syncs only when asked. */
export function clearSchedule(deps: ScheduleDeps, audienceId: number): AudienceRecord {
  return deps.store.audiences.update(audienceId, { cadence: { kind: 'manual' } });
}

/** Pauses or resumes one audience's scheduled syncs, or with `audienceId` null every scheduled sync. */
export function pauseSchedule(deps: ScheduleDeps, audienceId: number | null, paused: boolean): void {
  if (audienceId === null) {
    deps.scheduler.setPaused(paused);
    return;
  }
  deps.store.audiences.update(audienceId, { paused });
}

/** Every audience's schedule, and whether all scheduled syncs are paused. */
export function listSchedules(deps: ScheduleDeps): ScheduleList {
  return {
    pausedAll: deps.scheduler.paused,
    schedules: deps.store.audiences.list().map((a) => ({ id: a.id, name: a.name, cadence: a.cadence, paused: a.paused, nextRun: nextRunOf(deps, a), created: a.tiktokAudienceId !== null })),
  };
}
