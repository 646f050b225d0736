/**
 * sortUniqueInPlace (hash-set.ts) in slices that yield to the event loop in between, for a reader that
 * runs on the engine's loop (issue #13 §1): the same in-place radix sorts, paused every few megabytes,
 * with exactly the same result.
 */
import { AppError } from '../../../shared/errors';
import { HASH_BYTES, sortIndexes } from './hash-set';
import { yieldToLoop } from './hash-set-async';
import { createSorter, type Sorter } from './sorter';

/** Entries of work between yields: a few milliseconds. */
export const SORT_SLICE = 131_072;

let sorter: Sorter | undefined;

/**
 * Sorts `count` entries of `width` bytes at the start of `u8` in place and removes duplicates; resolves
 * to the unique count. `slice` (entries of work between yields) is for tests.
 */
export async function sortUniqueInPlaceAsync(u8: Uint8Array, count: number, width = HASH_BYTES, slice = SORT_SLICE): Promise<number> {
  if (!Number.isInteger(width) || width <= 0 || width % 4 !== 0) throw new AppError('INTERNAL', `A hash-set entry width of ${width} bytes is not a positive multiple of 4.`);
  if (count <= 1) return count;
  const steps = width === HASH_BYTES ? sort32(u8, count, slice) : sortWide(u8, count, width, slice);
  let step = steps.next();
  while (!step.done) {
    await yieldToLoop();
    step = steps.next();
  }
  return step.value;
}

function* sort32(u8: Uint8Array, count: number, slice: number): Generator<void, number, void> {
  if (u8.byteOffset % 4 !== 0) {
    const aligned = new Uint8Array(count * HASH_BYTES);
    aligned.set(u8.subarray(0, count * HASH_BYTES));
    const unique = yield* sort32(aligned, count, slice);
    u8.set(aligned.subarray(0, unique * HASH_BYTES));
    return unique;
  }
  sorter ??= createSorter();
  const w = new Int32Array(u8.buffer, u8.byteOffset, count * 8);
  const ends = yield* sorter.partitionTopSteps(u8, w, 0, count, slice);
  yield;
  let work = 0;
  for (let b = 0, start = 0; b < 256; start = ends[b]!, b++) {
    const end = ends[b]!;
    if (end - start > 1) sorter.sortRange(u8, w, start, end, 1);
    work += end - start;
    if (work >= slice) {
      work = 0;
      yield;
    }
  }
  return sorter.dedupe(u8, w, count);
}

/** hash-set.ts's sortWideInPlace, paused: the top-level radix pass, bucket sorts, permutation and de-duplication in slices. */
function* sortWide(u8: Uint8Array, count: number, width: number, slice: number): Generator<void, number, void> {
  const idx = new Uint32Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  const tmp = new Uint32Array(count);
  const levels: Int32Array[] = [];
  // The top level of sortIndexes, on the first byte where the entries differ.
  const counts = new Int32Array(257);
  let byte = 0;
  for (; byte < width; byte++) {
    counts.fill(0);
    for (let i = 0; i < count; ) {
      const stop = Math.min(count, i + slice);
      for (; i < stop; i++) counts[u8[i * width + byte]! + 1]!++;
      yield;
    }
    let single = false;
    for (let b = 1; b <= 256; b++) if (counts[b] === count) single = true;
    if (!single) break;
  }
  if (byte < width) {
    for (let b = 0; b < 256; b++) counts[b + 1]! += counts[b]!;
    for (let i = 0; i < count; ) {
      const stop = Math.min(count, i + slice);
      for (; i < stop; i++) {
        const e = idx[i]!;
        tmp[counts[u8[e * width + byte]!]!++] = e;
      }
      yield;
    }
    idx.set(tmp);
    let work = 0;
    for (let b = 0, start = 0; b < 256; b++) {
      const end = counts[b]!;
      if (end - start > 1) sortIndexes(u8, width, idx, tmp, start, end, byte + 1, levels);
      work += end - start;
      start = end;
      if (work >= slice) {
        work = 0;
        yield;
      }
    }
  }
  // Apply the permutation (position j receives entry idx[j]; idx[j] = j marks j done), pausing inside
  // cycles too: one cycle of a random permutation can span most of the entries.
  const carry = new Uint8Array(width);
  let work = 0;
  for (let i = 0; i < count; i++) {
    if (++work >= slice) {
      work = 0;
      yield;
    }
    if (idx[i] === i) continue;
    carry.set(u8.subarray(i * width, (i + 1) * width));
    let j = i;
    for (;;) {
      const k = idx[j]!;
      idx[j] = j;
      if (k === i) {
        u8.set(carry, j * width);
        break;
      }
      u8.copyWithin(j * width, k * width, (k + 1) * width);
      j = k;
      if (++work >= slice) {
        work = 0;
        yield;
      }
    }
  }
  // Remove adjacent duplicates.
  let out = 1;
  for (let i = 1; i < count; i++) {
    if (++work >= slice) {
      work = 0;
      yield;
    }
    const p = i * width;
    const q = (out - 1) * width;
    let same = true;
    for (let k = 0; k < width; k++) {
      if (u8[p + k] !== u8[q + k]) {
        same = false;
        break;
      }
    }
    if (same) continue;
    if (out !== i) u8.copyWithin(out * width, p, p + width);
    out++;
  }
  return out;
}
