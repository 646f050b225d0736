/**
 * Multi-key audiences (TikTok calculate_type MULTIPLE_TYPES, tiktok-api.md §3.1): one entry per person,
 * a fixed-width tuple of up to three SHA-256 digests (email, phone, mobile ad id) in MULTI_SLOTS order.
 * A missing key is 32 zero bytes (SHA-256 of anything is never all zeros in practice). Entries are
 * compared byte-wise over all 96 bytes, so the hash-set operations (width MULTI_ENTRY_BYTES) diff them.
 */
import type { KeyType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { countHashes, hasHash, HASH_BYTES, sortHashes } from './hash-set';

/** Slot order inside a multi-key entry. IDFA and GAID both go to the 'maid' slot (TikTok's MAID_SHA256). */
export const MULTI_SLOTS = ['email', 'phone', 'maid'] as const;
export type MultiSlot = (typeof MULTI_SLOTS)[number];
/** 3 × 32-byte SHA-256; an absent key is 32 zero bytes. */
export const MULTI_ENTRY_BYTES = 96;

/** The slot a key fills: email → email, phone → phone, idfa | gaid → maid. */
export function slotOfKey(key: KeyType): MultiSlot {
  return key === 'idfa' || key === 'gaid' ? 'maid' : key;
}

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

/**
 * The entries (sorted, unique tuples) whose `slot` digest is not in `suppression` (sorted, unique
 * 32-byte digests); sorted order is kept. A tuple without that key is kept: nothing suppresses it.
 */
export function suppressEntries(entries: Buffer, suppression: Buffer, slot: MultiSlot): Buffer {
  const n = countHashes(entries, MULTI_ENTRY_BYTES);
  countHashes(suppression);
  const off = slotOffset(slot);
  if (suppression.length === 0) return Buffer.from(entries);
  const out = Buffer.allocUnsafe(entries.length);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const p = i * MULTI_ENTRY_BYTES;
    if (!isZeroDigest(entries, p + off) && hasHash(suppression, entries.subarray(p + off, p + off + HASH_BYTES))) continue;
    out.set(entries.subarray(p, p + MULTI_ENTRY_BYTES), o);
    o += MULTI_ENTRY_BYTES;
  }
  return out.subarray(0, o);
}

/** The sorted, unique, non-zero 32-byte digests of one slot of `entries` (per-key counts for the UI). */
export function slotHashes(entries: Buffer, slot: MultiSlot): Buffer {
  const n = countHashes(entries, MULTI_ENTRY_BYTES);
  const off = slotOffset(slot);
  const out = Buffer.allocUnsafe(n * HASH_BYTES);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const p = i * MULTI_ENTRY_BYTES + off;
    if (isZeroDigest(entries, p)) continue;
    out.set(entries.subarray(p, p + HASH_BYTES), o);
    o += HASH_BYTES;
  }
  return sortHashes(out.subarray(0, o));
}
