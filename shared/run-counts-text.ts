/**
 * A run's +/− counts in words that claim only what it did. A run's adds and removes are what it planned; a run that
 * sent nothing (held, cancelled or failed before its first call, a dry run) or stopped part-way did not make them, so
 * its counts say "planned" and how far it got: what it sent is counted from the quota ledger (`sent`), where every
 * call is written before it goes out, so a call whose answer never came (the app was stopped) is counted too. A run
 * still going says so; a full replace says so rather than "+N −0". Written once for the CLI's and the app's run lists.
 */
import type { RunSent, RunStatus } from './ipc/dto';

export interface RunCounts {
  status: RunStatus;
  adds: number;
  removes: number;
  callsUsed: number;
  dryRun?: boolean;
  /** What the run sent, from the quota ledger; absent for an outcome not read back from the log. */
  sent?: RunSent;
}

/** True when the counts are what the run did (it finished), not only what it planned. */
export function countsApplied(r: RunCounts): boolean {
  return r.status === 'done' && !r.dryRun;
}

/** The calls TikTok counts for the run: the ledger's count (answered or not), never fewer than the acknowledged ones. */
export function runCalls(r: RunCounts): number {
  return r.dryRun ? 0 : Math.max(r.callsUsed, r.sent?.calls ?? 0);
}

/** "1 call" / "3 calls". */
export function callsText(n: number, fmt: (n: number) => string = String): string {
  return `${fmt(n)} ${n === 1 ? 'call' : 'calls'}`;
}

/** True when the run replaced the whole membership of an existing audience (a REPLACE), not +/− changes. */
export function runReplaced(r: RunCounts): boolean {
  return Boolean(r.sent?.replace) && !r.dryRun;
}

/** What the run's acknowledged calls sent: "replaced: 1,800 people", "+80 −0 sent"; null when nothing was acknowledged. */
function sentSoFar(r: RunCounts, fmt: (n: number) => string): string | null {
  const s = r.sent;
  if (!s) return null;
  if (s.replace && s.replaced !== null) return `replaced: ${fmt(s.replaced)} ${s.replaced === 1 ? 'person' : 'people'} sent`;
  if (s.appended === 0 && s.removed === 0 && s.replaced === null) return null;
  return `+${fmt((s.replaced ?? 0) + s.appended)} −${fmt(s.removed)} sent`;
}

/** A note on calls whose answer was not recorded: they may have changed the audience. */
function unansweredText(r: RunCounts, fmt: (n: number) => string): string {
  const n = r.sent?.unanswered ?? 0;
  if (n === 0) return '';
  return `, ${callsText(n, fmt)} without a recorded answer (${n === 1 ? 'it' : 'they'} may have changed the audience)`;
}

/**
 * "+1,200 −30" for a finished run ("replaced: 1,800 people" for a full replace); "+1,200 −30 planned, nothing sent",
 * "+80 −0 sent of +200 −120 planned, 1 call" for one that stopped part-way, "running, nothing sent yet" for one going on.
 */
export function runCountsText(r: RunCounts, fmt: (n: number) => string): string {
  const planned = `+${fmt(r.adds)} −${fmt(r.removes)}`;
  const calls = runCalls(r);
  const sent = sentSoFar(r, fmt);
  if (r.status === 'running' && !r.dryRun) {
    if (calls === 0) return 'running, nothing sent yet';
    return `running: ${sent ? `${sent} so far` : 'nothing acknowledged yet'}, ${callsText(calls, fmt)}${unansweredText(r, fmt)}`;
  }
  if (countsApplied(r)) {
    if (runReplaced(r) && r.sent?.replaced !== null && r.sent?.replaced !== undefined) return `replaced: ${fmt(r.sent.replaced)} ${r.sent.replaced === 1 ? 'person' : 'people'}`;
    return planned;
  }
  if (r.dryRun || calls === 0) return `${planned} planned, nothing sent`;
  if (sent) return `${sent} of ${planned} planned, ${callsText(calls, fmt)}${unansweredText(r, fmt)}`;
  return `${planned} planned, ${callsText(calls, fmt)} sent${unansweredText(r, fmt)}`;
}

/**
 * What the run did to the audience, as far as its acknowledged calls show: a finished run's counts, a cut-short run's
 * sent so far, a full replace as such. Null when it changed nothing that was acknowledged (or is a dry run).
 */
export function runDid(r: RunCounts): { added: number; removed: number; replaced: number | null } | null {
  if (r.dryRun) return null;
  const s = r.sent;
  if (s && runReplaced(r) && s.replaced !== null) return { added: 0, removed: 0, replaced: s.replaced };
  if (countsApplied(r)) return { added: r.adds, removed: r.removes, replaced: null };
  if (!s) return null;
  const added = (s.replaced ?? 0) + s.appended;
  return added === 0 && s.removed === 0 ? null : { added, removed: s.removed, replaced: null };
}
