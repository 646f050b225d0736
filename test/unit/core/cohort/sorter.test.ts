import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSorter } from '../../../../electron/core/cohort/sorter';

/** Entries from a small alphabet per byte, so buckets repeat, cycles are long and duplicates occur. */
function entries(bytes: number[][]): { u8: Uint8Array; w: Int32Array } {
  const u8 = new Uint8Array(bytes.length * 32);
  bytes.forEach((e, i) => u8.set(e, i * 32));
  return { u8, w: new Int32Array(u8.buffer) };
}

function runSteps(gen: Generator<void, Int32Array, void>): { ends: Int32Array; pauses: number } {
  let pauses = 0;
  let step = gen.next();
  while (!step.done) {
    pauses++;
    step = gen.next();
  }
  return { ends: step.value, pauses };
}

const entry = (alphabet: number) => fc.array(fc.integer({ min: 0, max: alphabet - 1 }), { minLength: 32, maxLength: 32 });

describe('sorter: the top-level split in steps', () => {
  const sorter = createSorter();

  it('leaves the entries and bucket ends exactly as partitionTop does, whatever the step size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 256 }).chain((alphabet) => fc.array(entry(alphabet), { maxLength: 400 })),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 20 }),
        (list, budget, cut) => {
          const a = entries(list);
          const b = entries(list);
          // Also a sub-range, as the sort is called on [lo, hi).
          const lo = Math.min(cut, list.length);
          const syncEnds = sorter.partitionTop(a.u8, a.w, lo, list.length);
          const { ends } = runSteps(sorter.partitionTopSteps(b.u8, b.w, lo, list.length, budget));
          expect(Buffer.from(b.u8).equals(Buffer.from(a.u8))).toBe(true);
          expect([...ends]).toEqual([...syncEnds]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('then sorted bucket by bucket, gives what the one-go sort gives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }).chain((alphabet) => fc.array(entry(alphabet), { maxLength: 300 })), fc.integer({ min: 1, max: 40 }), (list, budget) => {
        const a = entries(list);
        const b = entries(list);
        if (list.length > 1) sorter.sortRange(a.u8, a.w, 0, list.length, 0);
        const { ends } = runSteps(sorter.partitionTopSteps(b.u8, b.w, 0, list.length, budget));
        for (let k = 0, start = 0; k < 256; start = ends[k]!, k++) if (ends[k]! - start > 1) sorter.sortRange(b.u8, b.w, start, ends[k]!, 1);
        expect(Buffer.from(b.u8).equals(Buffer.from(a.u8))).toBe(true);
        expect(sorter.dedupe(b.u8, b.w, list.length)).toBe(sorter.dedupe(a.u8, a.w, list.length));
      }),
      { numRuns: 200 },
    );
  });

  it('pauses about once per budget of work', () => {
    const list = Array.from({ length: 5000 }, (_, i) => Array.from({ length: 32 }, (_, k) => (i * 7919 + k * 31) % 256));
    const { u8, w } = entries(list);
    const { pauses } = runSteps(sorter.partitionTopSteps(u8, w, 0, list.length, 100));
    // Counting 5000 entries pauses 49 times; moving them pauses too, though a cycle is never cut.
    expect(pauses).toBeGreaterThanOrEqual(55);
    expect(pauses).toBeLessThanOrEqual(110);
  });
});
