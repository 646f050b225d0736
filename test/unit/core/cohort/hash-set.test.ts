import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDiff,
  countHashes,
  diffHashes,
  diffHashesChunked,
  HashAccumulator,
  hasHash,
  sortHashes,
  subtractHashes,
  unionHashes,
} from '../../../../electron/core/cohort';
import { HashPool } from '../../../../electron/core/cohort/worker-pool';
import { PARTITION_SLICE } from '../../../../electron/core/cohort/hash-set';
import { AppError } from '../../../../shared/errors';

/** Entries drawn from a small pool (so sets overlap and repeat), with shared prefixes to stress the radix levels. */
const entry = fc.integer({ min: 0, max: 300 }).map((i) => {
  const b = crypto.createHash('sha256').update(String(i)).digest();
  if (i % 3 === 0) b.fill(7, 0, 20);
  return b;
});
const entries = fc.array(entry, { maxLength: 200 }).map((list) => Buffer.concat(list));

/** Reference: hex strings, sorted and de-duplicated the obvious way. */
function ref(buf: Uint8Array): string[] {
  const out = new Set<string>();
  for (let i = 0; i < buf.length; i += 32) out.add(Buffer.from(buf.subarray(i, i + 32)).toString('hex'));
  return [...out].sort();
}
const hexList = (buf: Uint8Array) => {
  const out: string[] = [];
  for (let i = 0; i < buf.length; i += 32) out.push(Buffer.from(buf.subarray(i, i + 32)).toString('hex'));
  return out;
};

describe('hash sets', () => {
  it('sortHashes sorts byte-wise and removes duplicates', () => {
    fc.assert(fc.property(entries, (e) => {
      expect(hexList(sortHashes(e))).toEqual(ref(e));
    }));
  });

  it('sorts large sets with many duplicates and shared prefixes', () => {
    const base = crypto.randomBytes(32 * 20_000);
    for (let i = 0; i < 20_000; i += 2) base.fill(0, i * 32, i * 32 + 30);
    const withDups = Buffer.concat([base, base.subarray(0, 32 * 5000)]);
    const sorted = sortHashes(withDups);
    expect(hexList(sorted)).toEqual(ref(withDups));
  });

  it('diff, subtract, union and apply agree with set arithmetic; applying diff(a, b) to a gives b', () => {
    fc.assert(
      fc.property(entries, entries, (x, y) => {
        const a = sortHashes(x);
        const b = sortHashes(y);
        const A = new Set(hexList(a));
        const B = new Set(hexList(b));
        const { adds, removes } = diffHashes(a, b);
        expect(hexList(adds)).toEqual([...B].filter((h) => !A.has(h)).sort());
        expect(hexList(removes)).toEqual([...A].filter((h) => !B.has(h)).sort());
        expect(hexList(subtractHashes(a, b))).toEqual(hexList(removes));
        expect(hexList(unionHashes(a, b))).toEqual([...new Set([...A, ...B])].sort());
        expect(Buffer.compare(applyDiff(a, { adds, removes }), b)).toBe(0);
      }),
    );
  });

  it('diffHashesChunked over any split of the old set equals diffHashes', () => {
    fc.assert(
      fc.property(entries, entries, fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 8 }), (x, y, cuts) => {
        const a = sortHashes(x);
        const b = sortHashes(y);
        const n = a.length / 32;
        const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, n)), n])].sort((p, q) => p - q);
        const chunks = bounds.slice(1).map((end, i) => a.subarray(bounds[i]! * 32, end * 32));
        const streamed = diffHashesChunked(chunks, b);
        const whole = diffHashes(a, b);
        expect(Buffer.compare(streamed.adds, whole.adds)).toBe(0);
        expect(Buffer.compare(streamed.removes, whole.removes)).toBe(0);
      }),
    );
  });

  it('diffHashesChunked refuses an unsorted old set', () => {
    const a = sortHashes(crypto.randomBytes(32 * 4));
    expect(() => diffHashesChunked([a.subarray(64), a.subarray(0, 64)], a)).toThrow(AppError);
  });

  it('against an empty set, diff, union and subtract answer with the other set itself, not a copy (a first sync holds its digests once)', () => {
    const next = sortHashes(crypto.randomBytes(32 * 50));
    const none = Buffer.alloc(0);
    const shares = (out: Buffer) => out.buffer === next.buffer && out.byteOffset === next.byteOffset && out.length === next.length;
    expect(shares(diffHashes(none, next).adds)).toBe(true);
    expect(shares(diffHashes(next, none).removes)).toBe(true);
    expect(shares(diffHashesChunked([], next).adds)).toBe(true);
    expect(shares(diffHashesChunked([none, none], next).adds)).toBe(true);
    expect(shares(unionHashes(none, next))).toBe(true);
    expect(shares(unionHashes(next, none))).toBe(true);
    expect(shares(subtractHashes(next, none))).toBe(true);
    const wide = sortHashes(crypto.randomBytes(96 * 20), 96);
    expect(diffHashes(none, wide, 96).adds.buffer).toBe(wide.buffer);
  });

  it('diffHashesChunked writes its adds once, into a buffer no larger than the new set', () => {
    const next = sortHashes(crypto.randomBytes(32 * 100_000));
    const prev = next.subarray(0, 32 * 10);
    const { adds } = diffHashesChunked([prev], next);
    expect(adds.length).toBe(next.length - prev.length);
    // Not joined from pieces: the result is a view of one allocation bounded by `next` (3.2 MB here, not 1 MiB pieces).
    expect(adds.buffer.byteLength).toBe(next.length);
  });

  it('hasHash finds members by binary search, from bytes or hex', () => {
    fc.assert(
      fc.property(entries, entry, (x, probe) => {
        const s = sortHashes(x);
        expect(hasHash(s, probe)).toBe(ref(x).includes(probe.toString('hex')));
        expect(hasHash(s, probe.toString('hex'))).toBe(hasHash(s, probe));
      }),
    );
  });

  it('countHashes counts entries and refuses a partial one', () => {
    expect(countHashes(Buffer.alloc(96))).toBe(3);
    expect(() => countHashes(Buffer.alloc(33))).toThrow(AppError);
  });
});

describe('HashAccumulator', () => {
  let pool: HashPool;
  beforeAll(async () => {
    pool = await HashPool.open(2, { phone: false });
  });
  afterAll(() => pool.close());

  it('grows past its estimate and sorts what it collected', async () => {
    const acc = new HashAccumulator(10);
    const data = crypto.randomBytes(32 * 70_000);
    for (let i = 0; i < 70_000; i += 7_000) acc.append(data.subarray(i * 32), 7_000);
    acc.append(data, 10);
    const { hashes, duplicates } = await acc.finish();
    expect(duplicates).toBe(10);
    expect(Buffer.compare(hashes, sortHashes(data))).toBe(0);
  });

  it('sorts in the workers, in parallel, with the same result', async () => {
    expect(pool.size).toBe(2);
    const data = crypto.randomBytes(32 * 300_000);
    const acc = new HashAccumulator(300_000);
    acc.append(data, 300_000);
    acc.append(data, 1000);
    let parallelCalls = 0;
    const { hashes, duplicates } = await acc.finish(async (buffer, ranges) => {
      parallelCalls++;
      await pool.sortRanges(buffer, ranges);
    });
    expect(parallelCalls).toBe(1);
    expect(duplicates).toBe(1000);
    expect(Buffer.compare(hashes, sortHashes(data))).toBe(0);
  });

  it('splits the digests for the workers in slices, yielding to the event loop between them', async () => {
    const n = PARTITION_SLICE * 4;
    const data = crypto.randomBytes(32 * n);
    const acc = new HashAccumulator(n);
    acc.append(data, n);
    let ticks = 0;
    let ticksAtHandOver = -1;
    const timer = setInterval(() => ticks++, 0);
    try {
      const { hashes } = await acc.finish(async (buffer, ranges) => {
        ticksAtHandOver = ticks;
        await pool.sortRanges(buffer, ranges);
      });
      expect(Buffer.compare(hashes, sortHashes(data))).toBe(0);
    } finally {
      clearInterval(timer);
    }
    // Counting (4 slices) and moving (about 4 more) each leave the loop free to run the timer.
    expect(ticksAtHandOver).toBeGreaterThanOrEqual(3);
  });

  it('without workers, sorts the buckets on the calling thread with the same result, yielding between them', async () => {
    const none = await HashPool.open(0, { phone: false });
    expect(none.size).toBe(0);
    const n = PARTITION_SLICE * 4;
    const data = crypto.randomBytes(32 * n);
    const acc = new HashAccumulator(n);
    acc.append(data, n);
    let ticks = 0;
    let ticksAtHandOver = -1;
    let ticksWhileSorting = -1;
    const timer = setInterval(() => ticks++, 0);
    try {
      const { hashes } = await acc.finish(async (buffer, ranges) => {
        ticksAtHandOver = ticks;
        await none.sortRanges(buffer, ranges);
        ticksWhileSorting = ticks - ticksAtHandOver;
      });
      expect(Buffer.compare(hashes, sortHashes(data))).toBe(0);
    } finally {
      clearInterval(timer);
      await none.close();
    }
    expect(ticksWhileSorting).toBeGreaterThanOrEqual(2);
  });
});
