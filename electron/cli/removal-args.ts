/** The CLI's side of held syncs: parsing `--max-removals`, and the words for a held sync (removal limit or unknown membership). */
import { AppError } from '../../shared/errors';
import type { HoldInfo, RemovalMode } from '../core/engine/ops';

/** Exit code of a held sync: the audience's removal limit, or TikTok's changes it did not send (0 done or deferred, 1 failed, 2 bad arguments). */
export const EXIT_HELD = 3;

/** "35", "35%" → 35; "off" or "none" → null (no limit). */
export function parseRemovalLimit(text: string, option = '--max-removals'): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === 'none') return null;
  const m = /^(\d{1,3})\s*%?$/.exec(t);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n > 100) {
    throw new AppError('INVALID_ARGUMENT', `${option} "${text}" is not a percentage: give a whole number from 0 to 100 (e.g. ${option} 30), or "off" to never hold a sync for its removals.`);
  }
  return n;
}

/** `--removal-mode added-only|mirror`: who syncs may remove (unset: the audience keeps its own). */
export function parseRemovalMode(text: string | undefined): RemovalMode | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'added-only' || t === 'mirror') return t;
  throw new AppError('INVALID_ARGUMENT', `--removal-mode "${text}" is not a mode: give added-only (only people Cohort Relay added are ever removed) or mirror (the audience holds exactly the file).`);
}

/** "20 %" or "off". */
export function limitText(pct: number | null): string {
  return pct === null ? 'off' : `${pct} %`;
}

/**
 * What to run next about a held sync, for a person at a terminal. `dryRun`: the hold was only shown by a dry run, and
 * `recorded` says whether a sync was held for that same change (then it can be confirmed; else a sync holds it first).
 */
export function holdNextSteps(localId: number, opts: { sameCommand: boolean; reason?: 'removals' | 'membership'; dryRun?: boolean; recorded?: boolean }): string[] {
  // --confirm-removals with --dry-run is refused, and confirms only a change a sync held: the advice is a command that works.
  const confirmDry = opts.recorded
    ? `run the same command without --dry-run, with --confirm-removals (or: cohort-relay removals confirm --audience-id ${localId}, then the same command without --dry-run).`
    : 'run the same command without --dry-run (the sync is held and shown; nothing is sent), then once more with --confirm-removals.';
  if (opts.reason === 'membership') {
    return [
      opts.sameCommand && opts.dryRun
        ? `To replace its whole membership with the file: ${confirmDry}`
        : opts.sameCommand
        ? `To replace its whole membership with the file: run the same command again with --confirm-removals (or: cohort-relay removals confirm --audience-id ${localId}).`
        : `To replace its whole membership with the file: cohort-relay removals confirm --audience-id ${localId}`,
      `To keep syncing changes only (TikTok's changes stay as they are, and are not asked about again): cohort-relay removals keep --audience-id ${localId}`,
    ];
  }
  return [
    opts.sameCommand && opts.dryRun
      ? `If these removals are right: ${confirmDry}`
      : opts.sameCommand
      ? `If these removals are right: run the same command again with --confirm-removals (or: cohort-relay removals confirm --audience-id ${localId}).`
      : `If these removals are right: cohort-relay removals confirm --audience-id ${localId}`,
    `To keep the audience as it is: cohort-relay removals keep --audience-id ${localId}`,
    `To change this audience's limit: cohort-relay removals limit --audience-id ${localId} --max PCT (or off)`,
  ];
}

/**
 * The hold as `--json` prints it (no digest: a confirmation is made through the CLI, never by hand). The run is the
 * object's one `runId` (this command's run); the hold says when this same change was first held (`heldAt`) and whether
 * an earlier run held it already (`repeated`), not that earlier run's id, so a repeated hold never prints two run ids.
 */
export function holdJson(h: HoldInfo | null) {
  return h && { reason: h.reason, foreignChanges: h.foreignChanges, removes: h.removes, currentSize: h.currentSize, percent: Math.round(h.percent * 100) / 100, limitPct: h.limitPct, rowsRead: h.rowsRead, lastRowsRead: h.lastRowsRead, heldAt: h.heldAt, repeated: h.repeated, confirmed: h.confirmed, kept: h.kept, message: h.message };
}
