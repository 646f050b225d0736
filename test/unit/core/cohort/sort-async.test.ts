import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortUniqueInPlace } from '../../../../electron/core/cohort/hash-set';
import { sortUniqueInPlaceAsync } from '../../../../electron/core/cohort/sort-async';

/** Entries of `width` bytes over a small alphabet: shared prefixes, long runs of one byte, duplicates. */
const entryList = (width: number) =>
  fc.integer({ min: 1, max: 256 }).chain((alphabet) => fc.array(fc.array(fc.integer({ min: 0, max: alphabet - 1 }), { minLength: width, maxLength: width }), { maxLength: 300 }));

function bufferOf(list: number[][], width: number, offset = 0): Uint8Array {
  const u8 = new Uint8Array(offset + list.length * width).subarray(offset);
  list.forEach((e, i) => u8.set(e, i * width));
  return u8;
}

describe('sortUniqueInPlaceAsync', () => {
  it.each([32, 96, 8])('sorts and de-duplicates exactly as sortUniqueInPlace does (width %i)', async (width) => {
    await fc.assert(
      fc.asyncProperty(entryList(width), fc.integer({ min: 1, max: 50 }), fc.boolean(), async (list, slice, unaligned) => {
        const a = bufferOf(list, width, unaligned ? 1 : 0);
        const b = bufferOf(list, width, unaligned ? 1 : 0);
        const uniqueSync = sortUniqueInPlace(a, list.length, width);
        const uniqueAsync = await sortUniqueInPlaceAsync(b, list.length, width, slice);
        expect(uniqueAsync).toBe(uniqueSync);
        expect(Buffer.from(b.subarray(0, uniqueAsync * width)).equals(Buffer.from(a.subarray(0, uniqueSync * width)))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it.each([32, 96])('yields to the event loop while it sorts many entries (width %i)', async (width) => {
    const n = 300_000;
    const data = crypto.randomBytes(n * width);
    data.copy(data, 0, width * 1000, width * 2000); // 1,000 duplicates
    const expected = Buffer.from(data);
    const unique = sortUniqueInPlace(expected, n, width);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let got: number;
    try {
      got = await sortUniqueInPlaceAsync(data, n, width);
    } finally {
      clearInterval(timer);
    }
    expect(got).toBe(unique);
    expect(unique).toBe(n - 1000);
    expect(data.subarray(0, got * width).equals(expected.subarray(0, unique * width))).toBe(true);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });
});
