/**
 * What "Undo last sync" inverts: the whole change the user made, back to the membership of the sync before it. One
 * logical sync can be several runs: a run the day's calls (or TikTok's processing, a rate limit) cut short ends
 * `deferred`, and the run that finishes it is its continuation. Undo inverts every one of them, newest first, so the
 * audience is back where it was before the first of them — not half-way, holding neither file.
 *
 * A full replace of a membership not known here (the audience's columns changed, or this computer had lost its record
 * of it) cannot be undone exactly: who was in the audience before it is not known. Undo refuses it and says what it
 * can offer instead (syncing the file of the sync before), rather than working out "remove everyone".
 */
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { subtractHashes, unionHashes } from '../cohort';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import type { RunRecord } from '../store/runs-repo';
import { deltaCounts, loadDelta } from './deltas';
import { membershipLayout } from './entry-layout';
import type { TargetSet } from './sync-runner';

export interface UndoTarget {
  /** The newest run of the sync it undoes. */
  run: RunRecord;
  /** Every run it undoes, oldest first (one, or a deferred run and the runs that continued it). */
  runs: RunRecord[];
  target: TargetSet;
}

/**
 * Whether a run changed TikTok, or may have: an acknowledged call, or one sent without an answer (a crash, a lost
 * answer), as the quota ledger has them. A call TikTok refused changed nothing, though it counts against the day.
 */
export function runChangedTikTok(store: Store, r: RunRecord): boolean {
  return store.quota.runReachedTikTok(r.id) || r.sent.unanswered > 0;
}

/**
 * The runs of the audience's last sync that changed TikTok and was not undone yet (newest first: the run that ended it,
 * then the deferred runs it continued), or null when there is none.
 */
export function undoableRuns(store: Store, audienceId: number): RunRecord[] | null {
  const changed = store.runs.list({ audienceId, limit: 1000 }).filter((r) => !r.dryRun && r.status !== 'running' && runChangedTikTok(store, r));
  // An erasure is never undone (its person stays removed); the sync before it is what undo inverts.
  const at = changed.findIndex((r) => r.trigger !== 'undo' && r.trigger !== 'erase');
  const lastUndo = changed.find((r) => r.trigger === 'undo' && r.status === 'done');
  if (at < 0 || (lastUndo && lastUndo.id > changed[at]!.id)) return null;
  const runs = [changed[at]!];
  // A run cut short (deferred) before it is part of the same change: the run after it carried on with the rest.
  for (const r of changed.slice(at + 1)) {
    if (r.trigger === 'erase') continue;
    if (r.trigger === 'undo' || r.status !== 'deferred') break;
    runs.push(r);
  }
  return runs;
}

/** The audience's last sync that changed TikTok, every run of it, and the membership its undo restores. */
export function undoTarget(store: Store, audience: AudienceRecord): UndoTarget {
  const audienceId = audience.id;
  const newestFirst = undoableRuns(store, audienceId);
  if (!newestFirst) throw new AppError('UNDO_REFUSED', 'There is no sync to undo for this audience: its last change was already undone, or it was never synced.');
  if (audience.tiktokAudienceId && !store.snapshots.meta(audienceId)) {
    throw new AppError('UNDO_REFUSED', 'Who is in this audience is not known here (its record was reset to be rebuilt from TikTok), so its last sync cannot be undone. Sync the file you want the audience to hold instead.');
  }
  // The membership's own width: the old one while a change of columns waits for its replace (undone in that shape).
  const w = membershipLayout(store, audience).width;
  const replaced = newestFirst.find((r) => replacedUnknownMembership(store, r, w));
  if (replaced) throw new AppError('UNDO_REFUSED', fullReplaceMessage(store, audience, replaced));
  // Each run's change inverted in turn, newest first: what it added is taken out, what it removed is put back.
  let entries = store.snapshots.load(audienceId);
  for (const r of newestFirst) entries = unionHashes(subtractHashes(entries, loadDelta(store, r.id, 'add'), w), loadDelta(store, r.id, 'remove'), w);
  const runs = [...newestFirst].reverse();
  return { run: newestFirst[0]!, runs, target: { entries, rowsRead: 0, valid: entries.length / w, rejected: 0, duplicates: 0, rejectReasons: {} } };
}

/**
 * Whether the run replaced the whole membership of an audience whose members were not known here (a REPLACE against
 * no stored membership: a mapping change set it aside, or the local record was lost). Its delta is then "everyone it
 * sent was added, nobody removed": everything it acknowledged shows as added, and nothing as removed. A REPLACE
 * against a known membership (chosen as the cheaper way) has an exact delta: some of those it sent were there already,
 * or those it dropped show as removed.
 */
function replacedUnknownMembership(store: Store, r: RunRecord, width: number): boolean {
  if (!r.sent.replace || r.sent.replaced === null) return false;
  const d = deltaCounts(store, r.id, width);
  return d.removed === 0 && d.added >= r.sent.replaced;
}

/** The plain words of a refused undo of a full replace, with what can be done instead. */
function fullReplaceMessage(store: Store, audience: AudienceRecord, replaced: RunRecord): string {
  const before = store.runs
    .list({ audienceId: audience.id, limit: 1000 })
    .find((r) => r.id < replaced.id && !r.dryRun && r.sourcePath && r.trigger !== 'undo' && r.trigger !== 'erase' && r.status === 'done');
  const offer = before?.sourcePath
    ? `To go back, sync the file of the sync before it again: ${path.basename(before.sourcePath)} (${before.sourcePath}, synced ${before.startedAt}). Syncing it makes the audience match that file again.`
    : 'To go back, sync the file you want the audience to hold.';
  return (
    `The sync of ${replaced.startedAt} (run ${replaced.id}) replaced the whole membership of "${audience.name}" at TikTok (a full replace: ` +
    `its columns had changed, or this computer had lost its record of who was in it), and who was in it before is not known here, so it cannot be undone exactly. ` +
    `Undo would only remove everyone, so it sends nothing. ${offer}`
  );
}
