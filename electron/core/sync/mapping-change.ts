/**
 * Changing the columns an existing audience's keys are read from (`--keys email=Email 1,email=Email 2,phone=Phone`
 * on an audience saved with one email column). Which keys it matches on never changes (KEY_TYPE_LOCKED, checked by
 * the caller); the columns may.
 *
 * A multi-key audience's tuple width follows its columns (multi-key.ts TupleLayout: 96 bytes with one column per
 * key, 192/288 with several). When a change moves it from one width to the other, the stored membership (snapshot,
 * changes that may have reached TikTok) stays as it is, in the old width: it is still what TikTok holds, so it still
 * says how many people the audience had, erasure still finds people in it, and mapping the old columns back needs no
 * replace. The next sync sees the snapshot's width differ from the columns' (reshapedMembership) and plans a full
 * REPLACE (one call per 50 MB file; TikTok allows one a day) from the old size to the new one: the removal limit is
 * judged on the shrink and the floor on the new size, as for any sync. Nothing local changes unless the replace is
 * sent; the snapshot in the new width is written only once TikTok acknowledged it. Re-laying the old tuples instead
 * would also have to re-lay every undo record and queued change; a REPLACE is exact whatever was there, so it is the
 * one way. Undo of syncs before the change is refused until that REPLACE ran.
 * Between two and three columns the width does not change: nothing is set aside, the next diff removes and re-adds
 * the people whose tuples changed.
 */
import { KEY_LABELS } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { Store } from '../store';
import type { AudienceRecord, KeyMapping } from '../store/audiences-repo';
import { layoutOf } from './entry-layout';
import { hasQueuedErasure } from './erasure';
import { acquireAudienceLock, audienceLockHeld } from './locks';

const columnsOf = (keys: readonly KeyMapping[]) =>
  JSON.stringify(
    [...keys]
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((k) => [k.key, k.column, ...(k.extraColumns ?? [])]),
  );

/** What saving `asked` as an audience's columns would do, before anything is saved (the mapping screen asks first). */
export interface ColumnsChangeEffect {
  /** The columns differ from the saved ones. */
  changes: boolean;
  /** The stored membership would be set aside: the next sync sends a full REPLACE (TikTok allows one a day). */
  fullReplace: boolean;
  /** Why the change would be refused, in plain words; null when it would be saved. */
  refusal: string | null;
}

/** The keys as they would be saved (a phone's country column kept) and what saving them does; reads only. */
function effectOf(store: Store, audience: AudienceRecord, asked: readonly KeyMapping[]): { keys: KeyMapping[]; effect: ColumnsChangeEffect; running?: boolean } {
  // A phone's country column is not part of the columns asked here (the CLI has no flag for it): it is kept.
  const keys = asked.map((k) => {
    const was = audience.keys.find((x) => x.key === k.key);
    return k.countryColumn === undefined && was?.countryColumn !== undefined ? { ...k, countryColumn: was.countryColumn } : { ...k };
  });
  if (columnsOf(audience.keys) === columnsOf(asked)) return { keys, effect: { changes: false, fullReplace: false, refusal: null } };
  // Against the width the stored membership was written in: mapping the old columns back before the replace went out
  // needs no replace at all.
  const stored = store.snapshots.meta(audience.id);
  const fullReplace = stored !== undefined && stored.entryCount > 0 && stored.entryWidth !== layoutOf({ ...audience, keys }).width;
  if (!fullReplace) return { keys, effect: { changes: true, fullReplace, refusal: null } };
  const words = keys.map((k) => `${KEY_LABELS[k.key]} × ${1 + (k.extraColumns?.length ?? 0)}`).join(' + ');
  const refusal =
    audience.removalMode === 'added-only'
      ? `Audience "${audience.name}" only loses people Cohort Relay added, and mapping ${words} columns changes how each person is sent: who it added would be forgotten and stay in the audience. Choose "Mirror the file" for it first, or sync this mapping to a new audience.`
      : hasQueuedErasure(store, audience.id)
        ? `Audience "${audience.name}" has an erasure request waiting to be sent. Sync it once with its current columns (the erasure goes first), then change its columns.`
        : audienceLockHeld(store, audience.id)
          ? `A sync of "${audience.name}" is running, and this change sets its membership aside. Wait for the sync to finish (or cancel it), then save the columns.`
          : null;
  return { keys, effect: { changes: true, fullReplace, refusal }, running: refusal !== null && audienceLockHeld(store, audience.id) && audience.removalMode !== 'added-only' && !hasQueuedErasure(store, audience.id) };
}

/** What saving `asked` as the audience's columns would do (changeColumns' checks, without saving or locking). */
export function columnsChangeEffect(store: Store, audience: AudienceRecord, asked: readonly KeyMapping[]): ColumnsChangeEffect {
  return effectOf(store, audience, asked).effect;
}

/**
 * The audience's stored membership when it is in another width than its columns make (its columns changed since the
 * last sync, and the replace that re-lays it has not been acknowledged yet): its size, and the width it is in. Null
 * when the snapshot is in the columns' width (or there is none).
 */
export function reshapedMembership(store: Store, audience: Pick<AudienceRecord, 'id' | 'calculateType' | 'keys'>): { count: number; width: number } | null {
  const stored = store.snapshots.meta(audience.id);
  if (!stored || stored.entryCount === 0 || stored.entryWidth === layoutOf(audience).width) return null;
  return { count: stored.entryCount, width: stored.entryWidth };
}

/**
 * Saves `asked` (the same keys as the audience's, grouped one mapping per key) as its columns when they differ. When
 * that changes the tuple width, the stored membership stays in the old width until the next sync's replace is
 * acknowledged (nothing local changes before something is sent). Refused while a sync of it runs, while an
 * erasure is queued for it (queued in the old shape: sync first), and for an audience that only removes the people
 * this app added (setting aside who that is would leave them in it for good). Returns the audience as saved.
 */
export function changeColumns(store: Store, audience: AudienceRecord, asked: readonly KeyMapping[]): AudienceRecord {
  const { keys, effect, running } = effectOf(store, audience, asked);
  if (!effect.changes) return audience;
  if (!effect.fullReplace) return store.audiences.setKeys(audience.id, keys);
  if (effect.refusal) throw new AppError(running ? 'SYNC_RUNNING' : 'INVALID_ARGUMENT', effect.refusal);
  const release = acquireAudienceLock(store, audience.id, `columns-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    return store.audiences.setKeys(audience.id, keys);
  } finally {
    release();
  }
}
