import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diffHashes, sortHashes, subtractHashes, unionHashes } from '../../../../electron/core/cohort/hash-set';
import { diffHashesAsync, digestAsync, SLICE_ENTRIES, subtractHashesAsync, unionHashesAsync } from '../../../../electron/core/cohort/hash-set-async';
import { digestOf } from '../../../../electron/core/store/snapshot-repo';
import { withLoopTurns } from '../../../helpers/loop-turns';

/** n random sorted unique entries of `width` bytes, plus `shared` of them also in a second set. */
function sets(n: number, width: number, shared: number): [Buffer, Buffer] {
  const common = randomBytes(shared * width);
  const a = sortHashes(Buffer.concat([common, randomBytes((n - shared) * width)]), width);
  const b = sortHashes(Buffer.concat([common, randomBytes((n - shared) * width)]), width);
  return [a, b];
}

describe('sorted-set operations in slices (hash-set-async)', () => {
  // Large enough for several slices, so the key ranges and their seams are exercised.
  const n = SLICE_ENTRIES * 2 + 777;

  it.each([32, 96])('gives exactly what the one-go operations give (width %i)', async (width) => {
    const [a, b] = sets(n, width, Math.floor(n / 2));
    expect((await subtractHashesAsync(a, b, width)).equals(subtractHashes(a, b, width))).toBe(true);
    expect((await unionHashesAsync(a, b, width)).equals(unionHashes(a, b, width))).toBe(true);
    const d = await diffHashesAsync(a, b, width);
    const e = diffHashes(a, b, width);
    expect(d.adds.equals(e.adds)).toBe(true);
    expect(d.removes.equals(e.removes)).toBe(true);
  });

  it('handles empty and one-sided inputs', async () => {
    const [a] = sets(n, 32, 0);
    const none = Buffer.alloc(0);
    expect((await subtractHashesAsync(a, none)).equals(a)).toBe(true);
    expect((await subtractHashesAsync(none, a)).length).toBe(0);
    expect((await unionHashesAsync(none, a)).equals(a)).toBe(true);
    const d = await diffHashesAsync(none, a);
    expect(d.adds.equals(a)).toBe(true);
    expect(d.removes.length).toBe(0);
  });

  it('against an empty set, answers with the other set itself: no slices joined into a copy', async () => {
    const [a] = sets(n, 32, 0);
    const none = Buffer.alloc(0);
    expect((await diffHashesAsync(none, a)).adds.buffer).toBe(a.buffer);
    expect((await diffHashesAsync(a, none)).removes.buffer).toBe(a.buffer);
    expect((await unionHashesAsync(a, none)).buffer).toBe(a.buffer);
    expect((await subtractHashesAsync(a, none)).buffer).toBe(a.buffer);
  });

  it('digests exactly as the snapshot store does', async () => {
    const buf = randomBytes(20 << 20);
    expect(await digestAsync(buf)).toBe(digestOf(buf));
    expect(await digestAsync(Buffer.alloc(0))).toBe(digestOf(Buffer.alloc(0)));
  });

  it('lets the event loop run between slices', async () => {
    const [a, b] = sets(n * 2, 32, n);
    const { turns } = await withLoopTurns(() => diffHashesAsync(a, b));
    // Several slices, with the loop's turn after each.
    expect(turns).toBeGreaterThanOrEqual(3);
  });
});
