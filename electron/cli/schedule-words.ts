/**
 * The words the CLI's lists use for an audience's schedule and for an audience not created at TikTok yet: written once,
 * so `status`, `schedule list` and `removals list` say the same thing (review s7 3).
 */
import type { Cadence } from '../core/engine/ops';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "daily at 06:00", "weekly on Monday at 09:00", "once at 2026-12-01T09:00:00.000Z", "manual". */
export function cadenceWords(c: Cadence): string {
  switch (c.kind) {
    case 'hourly':
      return 'hourly';
    case 'daily':
      return `daily at ${c.at}`;
    case 'weekly':
      return `weekly on ${DAYS[c.weekday] ?? c.weekday} at ${c.at}`;
    case 'once':
      return `once at ${c.at}`;
    default:
      return 'manual';
  }
}

/**
 * "daily at 06:00, next 2026-12-02T06:00:00.000Z"; "once at …, next none (it already ran)"; "manual, next none (only
 * when you run sync)"; "…, next paused". The next run is the scheduler's (nextRun), the one both lists are given.
 */
export function scheduleWords(s: { cadence: Cadence; paused: boolean; nextRun: string | null }, pausedAll = false): string {
  const next =
    s.cadence.kind === 'manual' && !s.nextRun
      ? 'none (only when you run sync)'
      : s.paused
        ? 'paused'
        : pausedAll
          ? 'paused (all scheduled syncs are)'
          : (s.nextRun ?? (s.cadence.kind === 'once' ? 'none (it already ran)' : 'none'));
  return `${cadenceWords(s.cadence)}, next ${next}`;
}

/** The line for an audience a sync never created at TikTok (it stopped before the create): what happens and the way out. */
export function notCreatedText(id: number): string {
  return `Not created at TikTok yet: the next sync creates it, or remove it with "cohort-relay delete --audience-id ${id}".`;
}
