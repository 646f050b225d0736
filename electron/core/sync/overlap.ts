/**
 * Exact overlap of two local cohorts (#14 §2), from the hashes this computer keeps of what each audience was last
 * synced with: nothing is read from a file and nothing is sent. People are compared key by key (an email hash with an
 * email hash): two audiences that match on different keys have nothing that can be compared.
 */
import { AppError } from '../../../shared/errors';
import { KEY_LABELS } from '../../../shared/domain';
import { slotHashes, slotOfKey, subtractHashes, type MultiSlot } from '../cohort';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import { isMultiKey, layoutOf } from './entry-layout';

export interface OverlapSide {
  id: number;
  name: string;
  /** People (entries) in the last synced snapshot. */
  size: number;
}

export interface KeyOverlap {
  /** The key slot compared: email, phone or maid (IDFA / GAID). */
  key: MultiSlot;
  /** Distinct hashes of this key in each audience, and in both. */
  a: number;
  b: number;
  both: number;
}

export interface LocalOverlap {
  a: OverlapSide;
  b: OverlapSide;
  /** Per shared key. */
  byKey: KeyOverlap[];
  /**
   * People in both, exactly: when both audiences match on one and the same key. null for multi-key audiences (a person
   * may share one key and not another): see byKey.
   */
  both: number | null;
  onlyA: number | null;
  onlyB: number | null;
  /** both ÷ a.size, both ÷ b.size (0..1); null when `both` is. */
  shareOfA: number | null;
  shareOfB: number | null;
  /** Plain words: what was compared, and what is not known. */
  note: string | null;
}

/** The distinct hashes of one key slot in an audience's snapshot. */
function hashesOf(store: Store, a: AudienceRecord, slot: MultiSlot): Buffer {
  const snap = store.snapshots.load(a.id);
  const tuple = layoutOf(a).tuple;
  return isMultiKey(a) && tuple ? slotHashes(snap, slot, tuple) : snap;
}

function slotsOf(a: AudienceRecord): MultiSlot[] {
  return a.keys.map((k) => slotOfKey(k.key));
}

/** The exact overlap of two local audiences' last synced cohorts. */
export function localOverlap(store: Store, idA: number, idB: number): LocalOverlap {
  if (idA === idB) throw new AppError('INVALID_ARGUMENT', 'Give two different audiences to compare.');
  const a = store.audiences.require(idA);
  const b = store.audiences.require(idB);
  for (const x of [a, b]) {
    if (!store.snapshots.meta(x.id)) {
      throw new AppError('INVALID_ARGUMENT', `Audience "${x.name}" has not been synced yet (or its record is being rebuilt from TikTok), so this computer holds none of its hashes. Sync it first, then compare.`);
    }
  }
  const shared = slotsOf(a).filter((s) => slotsOf(b).includes(s));
  if (shared.length === 0) {
    const words = (x: AudienceRecord) => x.keys.map((k) => KEY_LABELS[k.key]).join(' + ');
    throw new AppError('INVALID_ARGUMENT', `"${a.name}" matches on ${words(a)} and "${b.name}" on ${words(b)}: they share no key, so their people cannot be compared. Compare audiences that match on the same key.`);
  }
  const byKey = shared.map((key) => {
    const ha = hashesOf(store, a, key);
    const hb = hashesOf(store, b, key);
    const onlyA = subtractHashes(ha, hb).length / 32;
    return { key, a: ha.length / 32, b: hb.length / 32, both: ha.length / 32 - onlyA };
  });
  const side = (x: AudienceRecord): OverlapSide => ({ id: x.id, name: x.name, size: store.snapshots.meta(x.id)!.entryCount });
  const exact = !isMultiKey(a) && !isMultiKey(b) && byKey.length === 1 ? byKey[0]! : null;
  const sa = side(a);
  const sb = side(b);
  const addedOnly = [a, b].filter((x) => x.removalMode === 'added-only' && x.othersSize !== null).map((x) => `"${x.name}"`);
  const notes = [
    exact ? null : 'Several keys per person: counted key by key (a person may share one key and not another).',
    addedOnly.length > 0 ? `${addedOnly.join(' and ')} also hold${addedOnly.length === 1 ? 's' : ''} people Cohort Relay did not add; only the people it added are compared here.` : null,
  ].filter((x): x is string => x !== null);
  return {
    a: sa,
    b: sb,
    byKey,
    both: exact ? exact.both : null,
    onlyA: exact ? sa.size - exact.both : null,
    onlyB: exact ? sb.size - exact.both : null,
    shareOfA: exact && sa.size > 0 ? exact.both / sa.size : null,
    shareOfB: exact && sb.size > 0 ? exact.both / sb.size : null,
    note: notes.length > 0 ? notes.join(' ') : null,
  };
}
