import type { SortedParts } from '../../electron/core/cohort/sorted-parts';

/** A sorted set of 32-byte entries cut into parts at the given entry indexes (as a spilled cohort's part files would be). */
export function partsAt(set: Buffer, cuts: number[], onDisk = false): SortedParts {
  const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, set.length / 32)), set.length / 32])].sort((a, b) => a - b);
  const parts = bounds.slice(1).map((end, i) => set.subarray(bounds[i]! * 32, end * 32));
  return {
    width: 32,
    count: set.length / 32,
    onDisk,
    toBufferSync: () => set,
    async *parts() {
      for (const p of parts) yield p;
    },
    toBuffer: async () => set,
    filter: async () => undefined,
    dispose: async () => undefined,
  };
}
