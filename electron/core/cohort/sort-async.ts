/**
 * sortUniqueInPlace (hash-set.ts) in slices that yield to the event loop in between, for a reader that
 * runs on the engine's loop (issue #13 §1): the same in-place radix sorts, paused every few megabytes,
 * with exactly the same result.
 */
import { AppError } from '../../../shared/errors';
import { HASH_BYTES, sortWideSteps } from './hash-set';
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
  const steps = width === HASH_BYTES ? sort32(u8, count, slice) : sortWideSteps(u8, count, width, slice);
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
