/**
 * The safety net: a sync that would remove more than a set share of an audience's people (default 20 %, per
 * audience, switchable off) is held before anything is sent — no call spent, nothing changed at TikTok or in the
 * snapshot — until the user confirms exactly that change once, or keeps the audience as it is. A broken upstream
 * export (an empty or cut-short file, a renamed key column) so never empties a live audience.
 *
 * What is measured: the people the sync would remove, against the audience's local size (what TikTok was last
 * told it holds). A file that merely has fewer rows (duplicates dropped) removes nobody and is not held; a file
 * whose row count collapsed removes people and is, and the words then compare its rows with the last synced file.
 * Not checked: the first sync (a create), an adoption of an existing TikTok audience (its members are unknown
 * here), and an undo (the user asked for exactly that change).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import type { HoldRecord } from '../store/holds-repo';
import type { RunTrigger } from '../store/runs-repo';
import type { Strategy } from './planner';

/** A sync over its audience's removal limit, as a run or a dry run reports it. */
export interface HoldInfo {
  /** The audience's local size before the sync. */
  currentSize: number;
  adds: number;
  removes: number;
  /** The audience's limit (%). */
  limitPct: number;
  /** removes as a share of currentSize (%). */
  percent: number;
  rowsRead: number;
  /** Rows of the file last synced, when known. */
  lastRowsRead: number | null;
  /** The run that first held this very change; null in a dry run (nothing is held). */
  runId: number | null;
  /** When this very change was first held (null in a dry run). */
  heldAt: string | null;
  /** This same change was held before: the user was told then, so no new notification. */
  repeated: boolean;
  /** The user confirmed exactly this change ("Sync anyway (once)"): the sync goes ahead. */
  confirmed: boolean;
  /** The user chose "Keep audience as is" for this change: it stays held without asking again. */
  kept: boolean;
  /** Plain words with the numbers. */
  message: string;
}

/** Thrown by a run over the limit: nothing was sent; the run ends as held. */
export class RemovalsHeld extends AppError {
  constructor(readonly hold: HoldInfo) {
    super('REMOVALS_HELD', hold.message);
  }
}

const f = (n: number) => n.toLocaleString('en-US');

/** "65 %"; more digits when rounding would hide that the share is over the limit (20.4 % of a 20 % limit). */
export function percentText(percent: number, limitPct: number): string {
  if (Math.round(percent) > limitPct || percent === 0) return `${Math.round(percent)} %`;
  let digits = 1;
  while (digits < 4 && Number(percent.toFixed(digits)) <= limitPct) digits++;
  return `${percent.toFixed(digits)} %`;
}

/** Whether removing `removes` of `current` people is over `limitPct` (strictly more than the share). */
export function overLimit(current: number, removes: number, limitPct: number | null): boolean {
  return limitPct !== null && current > 0 && removes * 100 > limitPct * current;
}

/** The words for a held (or, in a dry run, would-be-held or confirmed) sync. */
export function holdMessage(h: Omit<HoldInfo, 'message'>, mode: 'held' | 'preview'): string {
  const share = `${f(h.removes)} of ${f(h.currentSize)} people (${percentText(h.percent, h.limitPct)})`;
  const rows =
    h.lastRowsRead !== null && h.rowsRead < h.lastRowsRead
      ? ` The file has ${f(h.rowsRead)} rows; the one last synced had ${f(h.lastRowsRead)}: check that the export is complete.`
      : '';
  if (h.confirmed) return `This sync removes ${share}, more than this audience's ${h.limitPct} % limit, as you confirmed once.${rows}`;
  const head = `This sync would remove ${share}, more than this audience's ${h.limitPct} % limit`;
  if (mode === 'preview') return `${head}, so it will be held until you confirm it: nothing is sent until then.${rows}`;
  const kept = h.kept ? ' You chose to keep the audience as is for this file; a changed file is checked again.' : '';
  return `${head}, so it was held: nothing was sent and no call was spent.${rows}${kept}`;
}

/** SHA-256 of the sorted cohort a sync would leave the audience holding: what a confirmation is for. */
export function targetDigest(target: Buffer): string {
  return createHash('sha256').update(target).digest('hex');
}

function lastRowsRead(store: Store, audienceId: number): number | null {
  const last = store.runs.list({ audienceId, limit: 50 }).find((r) => r.status === 'done' && r.trigger !== 'undo' && r.rowsRead > 0);
  return last?.rowsRead ?? null;
}

export interface RemovalCheckInput {
  trigger: RunTrigger;
  dryRun: boolean;
  /** The run being made (null in a dry run). */
  runId: number | null;
  strategy: Strategy;
  currentSize: number;
  adds: number;
  removes: number;
  /** The cohort the sync would leave the audience holding (sorted entries). */
  target: Buffer;
  rowsRead: number;
  now: Date;
}

/**
 * Checks a planned sync against the audience's removal limit, before anything is sent. Returns null when the
 * check does not apply or the sync is within the limit; otherwise the hold, `confirmed` when the user confirmed
 * exactly this change (the sync goes ahead). Outside a dry run it records the hold, and forgets one the file no
 * longer warrants (the export was fixed); a dry run records nothing.
 */
export function checkRemovals(store: Store, audience: Pick<AudienceRecord, 'id' | 'removalLimitPct'>, input: RemovalCheckInput): HoldInfo | null {
  if (input.trigger === 'undo' || input.strategy === 'create' || input.strategy === 'adopt') return null;
  const existing = store.holds.get(audience.id);
  if (!overLimit(input.currentSize, input.removes, audience.removalLimitPct)) {
    // Within the limit: a hold of another change is void now (a confirmed one stays until its sync completes).
    if (!input.dryRun && existing && !(existing.state === 'confirmed' && existing.targetDigest === targetDigest(input.target))) store.holds.clear(audience.id);
    return null;
  }
  const limitPct = audience.removalLimitPct!;
  const digest = targetDigest(input.target);
  const same = existing !== null && existing.targetDigest === digest;
  const base = {
    currentSize: input.currentSize,
    adds: input.adds,
    removes: input.removes,
    limitPct,
    percent: (input.removes * 100) / input.currentSize,
    rowsRead: input.rowsRead,
    lastRowsRead: lastRowsRead(store, audience.id),
    runId: same ? existing.runId : input.runId,
    heldAt: same ? existing.heldAt : input.dryRun ? null : input.now.toISOString(),
    repeated: same,
    confirmed: same && existing.state === 'confirmed',
    kept: same && existing.state === 'kept',
  };
  const info: HoldInfo = { ...base, message: holdMessage(base, input.dryRun ? 'preview' : 'held') };
  if (!input.dryRun && !info.confirmed) {
    const rec: HoldRecord = {
      audienceId: audience.id,
      runId: info.runId,
      targetDigest: digest,
      currentSize: info.currentSize,
      adds: info.adds,
      removes: info.removes,
      limitPct,
      rowsRead: info.rowsRead,
      lastRowsRead: info.lastRowsRead,
      heldAt: info.heldAt!,
      state: info.kept ? 'kept' : 'held',
      decidedAt: same ? existing.decidedAt : null,
    };
    store.holds.put(rec);
  }
  return info;
}

/** The words for a hold as stored (the audience view and the CLI's status). */
export function storedHoldMessage(h: HoldRecord): string {
  const info = { ...h, percent: h.currentSize > 0 ? (h.removes * 100) / h.currentSize : 0, repeated: true, confirmed: h.state === 'confirmed', kept: h.state === 'kept' };
  return holdMessage(info, 'held');
}

/**
 * "Sync anyway (once)": confirms the audience's held change. `runId` names the hold the user saw (the run that
 * first held it); a hold of another change is refused, so a confirmation never covers a file nobody looked at.
 */
export function confirmHold(store: Store, audienceId: number, runId: number | null | undefined, now: Date): HoldRecord {
  const h = requireHold(store, audienceId, runId);
  if (h.state !== 'confirmed') store.holds.decide(audienceId, 'confirmed', now);
  return store.holds.get(audienceId)!;
}

/** "Keep audience as is": the held change is not sent; the same file stays held without asking again. */
export function keepHold(store: Store, audienceId: number, runId: number | null | undefined, now: Date): HoldRecord {
  const h = requireHold(store, audienceId, runId);
  if (h.state !== 'kept') store.holds.decide(audienceId, 'kept', now);
  return store.holds.get(audienceId)!;
}

function requireHold(store: Store, audienceId: number, runId: number | null | undefined): HoldRecord {
  const h = store.holds.get(audienceId);
  if (!h) {
    throw new AppError('INVALID_ARGUMENT', 'No sync of this audience is held: a later sync went through, or the file no longer removes more than the limit. Nothing to confirm.');
  }
  if (runId !== undefined && runId !== null && h.runId !== runId) {
    throw new AppError('INVALID_ARGUMENT', 'The held sync of this audience changed since (a newer file was checked): nothing was confirmed. Look at the new numbers, then choose again.');
  }
  return h;
}
