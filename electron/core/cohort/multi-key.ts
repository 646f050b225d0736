/**
 * Multi-key audiences (TikTok calculate_type MULTIPLE_TYPES, tiktok-api.md §3.1): one entry per person,
 * a fixed-width tuple of up to three SHA-256 digests (email, phone, mobile ad id) in MULTI_SLOTS order.
 * A missing key is 32 zero bytes (SHA-256 of anything is never all zeros in practice). Entries are
 * compared byte-wise over the whole tuple, so the hash-set operations (width = the layout's width) diff them.
 * Several values of one key per person (`Email 1`, `Email 2`) use a wider layout: see TupleLayout.
 */
import { KEY_SLOTS, type KeySlot } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { countHashes, hasHash, HASH_BYTES, sortHashes } from './hash-set';

/** Slot order inside a multi-key entry (shared/domain.ts KEY_SLOTS: IDFA and GAID both fill 'maid'). */
export const MULTI_SLOTS = KEY_SLOTS;
export type MultiSlot = KeySlot;
export { slotOfKey } from '../../../shared/domain';
/** 3 × 32-byte SHA-256; an absent key is 32 zero bytes. */
export const MULTI_ENTRY_BYTES = 96;

/** Byte offset of a slot inside an entry. */
export function slotOffset(slot: MultiSlot): number {
  const i = MULTI_SLOTS.indexOf(slot);
  if (i < 0) throw new AppError('INTERNAL', `"${String(slot)}" is not a multi-key slot (${MULTI_SLOTS.join(', ')}).`);
  return i * HASH_BYTES;
}

/** True when the 32 bytes at `off` are all zero (the slot is empty). */
export function isZeroDigest(b: Uint8Array, off: number): boolean {
  for (let i = off, end = off + HASH_BYTES; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/** Most values of one key per person: TikTok takes a MULTIPLE_TYPES header up to 3 times in one file (tiktok-api.md §3.1). */
export const MAX_VALUES_PER_SLOT = 3;

/**
 * Where each key's values sit in a multi-key tuple. Two layouts, told apart by their width:
 * - one value per key (every audience saved before several values per key existed): 96 bytes, email at 0, phone
 *   at 32, MAID at 64, whatever is mapped (MULTI_ENTRY_BYTES);
 * - several values of a key (`Email 1`, `Email 2` beside `Phone`): each mapped slot holds MAX_VALUES_PER_SLOT
 *   values, in MULTI_SLOTS order, so 192 bytes for two keys and 288 for three — never 96, so a stored snapshot's
 *   width says which layout it was written in. Two or three columns of a key give the same layout: changing
 *   between them changes no stored tuple's shape. A slot's values are sorted, unique, non-zero first
 *   (canonicalTuples), so the order of a person's columns never makes two tuples differ.
 */
export interface TupleLayout {
  width: number;
  /** Per slot: byte offset of its first value, and how many values it holds (0: not in the tuple). */
  at: Record<MultiSlot, number>;
  size: Record<MultiSlot, number>;
}

/** The one-value-per-key layout (96 bytes). */
export const SINGLE_VALUE_LAYOUT: TupleLayout = { width: MULTI_ENTRY_BYTES, at: { email: 0, phone: 32, maid: 64 }, size: { email: 1, phone: 1, maid: 1 } };

/**
 * The layout for `columns` mapped columns per slot (0 or absent: not mapped; at most MAX_VALUES_PER_SLOT each).
 * One column per key keeps the 96-byte layout.
 */
export function tupleLayout(columns: Partial<Record<MultiSlot, number>>): TupleLayout {
  const counts = MULTI_SLOTS.map((s) => columns[s] ?? 0);
  for (const [i, n] of counts.entries()) {
    if (n > MAX_VALUES_PER_SLOT) throw new AppError('INVALID_ARGUMENT', `Map at most ${MAX_VALUES_PER_SLOT} columns to one key (${MULTI_SLOTS[i]} has ${n}): TikTok takes up to ${MAX_VALUES_PER_SLOT} values of a kind per person.`);
  }
  if (counts.every((n) => n <= 1)) return SINGLE_VALUE_LAYOUT;
  const at = { email: 0, phone: 0, maid: 0 };
  const size = { email: 0, phone: 0, maid: 0 };
  let off = 0;
  MULTI_SLOTS.forEach((s, i) => {
    if (counts[i] === 0) return;
    at[s] = off;
    size[s] = MAX_VALUES_PER_SLOT;
    off += MAX_VALUES_PER_SLOT * HASH_BYTES;
  });
  return { width: off, at, size };
}

/** The byte offsets of a slot's values inside a tuple of `layout`. */
export function slotPositions(layout: TupleLayout, slot: MultiSlot): number[] {
  return Array.from({ length: layout.size[slot] }, (_, j) => layout.at[slot] + j * HASH_BYTES);
}

/**
 * Puts `count` tuples of `layout` in canonical form, in place: within each slot, its values sorted byte-wise and
 * unique, then zeros. A person's `Email 1` and `Email 2` swapped (or the same email twice) give the same tuple.
 */
export function canonicalTuples(entries: Uint8Array, count: number, layout: TupleLayout): void {
  const groups = MULTI_SLOTS.filter((s) => layout.size[s] > 1);
  if (groups.length === 0) return;
  const scratch = new Uint8Array(MAX_VALUES_PER_SLOT * HASH_BYTES);
  const offs: number[] = [];
  for (let i = 0; i < count; i++) {
    const base = i * layout.width;
    for (const s of groups) {
      const at = base + layout.at[s];
      const end = at + layout.size[s] * HASH_BYTES;
      // Most people have one value, in the first place: already canonical, nothing allocated or moved.
      offs.length = 0;
      for (let off = at; off < end; off += HASH_BYTES) if (!isZeroDigest(entries, off)) offs.push(off);
      let canonical = true;
      for (let j = 0; j < offs.length && canonical; j++) canonical = offs[j] === at + j * HASH_BYTES && (j === 0 || compareAt(entries, offs[j - 1]!, offs[j]!) < 0);
      if (canonical) continue;
      // At most MAX_VALUES_PER_SLOT values: an insertion sort, no comparator closure.
      for (let j = 1; j < offs.length; j++) {
        const v = offs[j]!;
        let k = j - 1;
        for (; k >= 0 && compareAt(entries, offs[k]!, v) > 0; k--) offs[k + 1] = offs[k]!;
        offs[k + 1] = v;
      }
      let o = 0;
      for (let j = 0; j < offs.length; j++) {
        if (j > 0 && compareAt(entries, offs[j - 1]!, offs[j]!) === 0) continue;
        scratch.set(entries.subarray(offs[j]!, offs[j]! + HASH_BYTES), o);
        o += HASH_BYTES;
      }
      entries.set(scratch.subarray(0, o), at);
      entries.fill(0, at + o, end);
    }
  }
}

/** Byte-wise order of the 32-byte digests at `a` and `b`. */
function compareAt(b: Uint8Array, x: number, y: number): number {
  for (let k = 0; k < HASH_BYTES; k++) {
    const d = b[x + k]! - b[y + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** True when one of the tuple's `slot` values (at `base`) is in `sorted` (sorted, unique 32-byte digests). */
function slotHits(entries: Uint8Array, base: number, layout: TupleLayout, slot: MultiSlot, sorted: Uint8Array): boolean {
  for (const off of slotPositions(layout, slot)) {
    const p = base + off;
    if (!isZeroDigest(entries, p) && hasHash(sorted, entries.subarray(p, p + HASH_BYTES))) return true;
  }
  return false;
}

/**
 * The entries (sorted, unique tuples of `layout`) with none of their `slot` values in `suppression` (sorted, unique
 * 32-byte digests); sorted order is kept. A person with two emails is left out when either is listed. A tuple
 * without that key is kept: nothing suppresses it.
 */
export function suppressEntries(entries: Buffer, suppression: Buffer, slot: MultiSlot, layout: TupleLayout = SINGLE_VALUE_LAYOUT): Buffer {
  const w = layout.width;
  const n = countHashes(entries, w);
  countHashes(suppression);
  if (suppression.length === 0) return Buffer.from(entries);
  const out = Buffer.allocUnsafe(entries.length);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const p = i * w;
    if (slotHits(entries, p, layout, slot, suppression)) continue;
    out.set(entries.subarray(p, p + w), o);
    o += w;
  }
  return out.subarray(0, o);
}

/** The entries (sorted, unique tuples of `layout`) holding one of `digests` (sorted, unique) in `slot`; sorted. */
export function entriesHolding(entries: Buffer, digests: Buffer, slot: MultiSlot, layout: TupleLayout = SINGLE_VALUE_LAYOUT): Buffer {
  const w = layout.width;
  const n = countHashes(entries, w);
  if (digests.length === 0 || n === 0) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(entries.length);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const p = i * w;
    if (!slotHits(entries, p, layout, slot, digests)) continue;
    out.set(entries.subarray(p, p + w), o);
    o += w;
  }
  return Buffer.from(out.subarray(0, o));
}

/**
 * One slot of each entry that has a value in it, as that slot's values side by side (`width` bytes: 32 per place of the
 * slot), sorted and unique: one entry per person with that key, however many values of it they have (per-key counts
 * count people, not values: a person with two emails is one person with an email). The slot's values are canonical
 * (sorted, see canonicalTuples), so the same emails give the same entry in any order.
 */
export function slotPeople(entries: Buffer, slot: MultiSlot, layout: TupleLayout = SINGLE_VALUE_LAYOUT): { sets: Buffer; width: number } {
  const w = layout.width;
  const n = countHashes(entries, w);
  const positions = slotPositions(layout, slot);
  const width = positions.length * HASH_BYTES;
  const out = Buffer.allocUnsafe(n * width);
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (positions.every((off) => isZeroDigest(entries, i * w + off))) continue;
    for (const off of positions) {
      const p = i * w + off;
      out.set(entries.subarray(p, p + HASH_BYTES), o);
      o += HASH_BYTES;
    }
  }
  return { sets: sortHashes(out.subarray(0, o), width), width };
}

/** The sorted, unique, non-zero 32-byte digests of one slot of `entries`, every value of it (per-key counts, overlap). */
export function slotHashes(entries: Buffer, slot: MultiSlot, layout: TupleLayout = SINGLE_VALUE_LAYOUT): Buffer {
  const w = layout.width;
  const n = countHashes(entries, w);
  const positions = slotPositions(layout, slot);
  const out = Buffer.allocUnsafe(n * positions.length * HASH_BYTES);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (const off of positions) {
      const p = i * w + off;
      if (isZeroDigest(entries, p)) continue;
      out.set(entries.subarray(p, p + HASH_BYTES), o);
      o += HASH_BYTES;
    }
  }
  return sortHashes(out.subarray(0, o));
}
