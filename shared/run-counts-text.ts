/**
 * A run's +/− counts in words that claim only what it did. A run's adds and removes are what it planned; a run that
 * sent nothing (held, cancelled or failed before its first call, a dry run) or stopped part-way did not make them, so
 * its counts say "planned" and how far it got. Written once for the CLI's and the app's run lists.
 */
import type { RunStatus } from './ipc/dto';

export interface RunCounts {
  status: RunStatus;
  adds: number;
  removes: number;
  callsUsed: number;
  dryRun?: boolean;
}

/** True when the counts are what the run did (it finished), not only what it planned. */
export function countsApplied(r: RunCounts): boolean {
  return r.status === 'done' && !r.dryRun;
}

/** "+1,200 −30" for a finished run; "+1,200 −30 planned, nothing sent" or "… planned, 1 call sent" otherwise. */
export function runCountsText(r: RunCounts, fmt: (n: number) => string): string {
  const counts = `+${fmt(r.adds)} −${fmt(r.removes)}`;
  if (countsApplied(r)) return counts;
  if (r.dryRun || r.callsUsed === 0) return `${counts} planned, nothing sent`;
  return `${counts} planned, ${r.callsUsed} ${r.callsUsed === 1 ? 'call' : 'calls'} sent`;
}
