/**
 * In-place MSD radix sort of 32-byte entries ("American flag sort"): per byte, count the entries of
 * each bucket, then move every entry to its bucket by following permutation cycles, carrying one
 * entry in eight int32 registers. No second buffer: 5 M digests sort inside their own 160 MB.
 *
 * Like the kernel, `createSorter` is serialized into the worker source (worker-pool.ts), so the
 * workers can sort buckets of a shared buffer in parallel: it must stay self-contained.
 */

export interface Sorter {
  /**
   * Sorts entries [lo, hi) of `u8`/`w` (two views of the same 4-byte-aligned memory), which already
   * agree on bytes [0, byte). Byte-wise (memcmp) order.
   */
  sortRange(u8: Uint8Array, w: Int32Array, lo: number, hi: number, byte: number): void;
  /** Partitions [lo, hi) on byte 0 only; returns the 256 bucket ends (absolute entry indexes). */
  partitionTop(u8: Uint8Array, w: Int32Array, lo: number, hi: number): Int32Array;
  /**
   * partitionTop in steps: the generator pauses after about `budget` entries of work (counted, or
   * looked at and moved; a pause falls between two cycles) and returns the bucket ends when done. The entries end
   * exactly as partitionTop leaves them. The caller yields to its event loop between steps.
   */
  partitionTopSteps(u8: Uint8Array, w: Int32Array, lo: number, hi: number, budget: number): Generator<void, Int32Array, void>;
  /** Removes adjacent duplicates from sorted entries [0, count); returns the unique count. */
  dedupe(u8: Uint8Array, w: Int32Array, count: number): number;
}

export function createSorter(): Sorter {
  const E = 32;
  const SMALL = 12;
  const levels: { counts: Int32Array; heads: Int32Array; ends: Int32Array }[] = [];
  for (let i = 0; i < E; i++) levels.push({ counts: new Int32Array(256), heads: new Int32Array(256), ends: new Int32Array(256) });

  /** One pass on `byte`; returns false when every entry has the same byte there (nothing moved). */
  function partition(u8: Uint8Array, w: Int32Array, lo: number, hi: number, byte: number, counts: Int32Array, heads: Int32Array, ends: Int32Array): boolean {
    const n = hi - lo;
    counts.fill(0);
    for (let i = lo, p = lo * E + byte; i < hi; i++, p += E) counts[u8[p]!]!++;
    let s = lo;
    let single = false;
    for (let b = 0; b < 256; b++) {
      const c = counts[b]!;
      if (c === n) single = true;
      heads[b] = s;
      s += c;
      ends[b] = s;
    }
    if (single) return false;
    for (let b = 0; b < 256; b++) {
      let hb = heads[b]!;
      const eb = ends[b]!;
      while (hb < eb) {
        let v = u8[hb * E + byte]!;
        if (v === b) {
          hb++;
          continue;
        }
        // Carry the misplaced entry along its cycle until an entry of bucket b comes back to hb.
        const p = hb * 8;
        let t0 = w[p]!, t1 = w[p + 1]!, t2 = w[p + 2]!, t3 = w[p + 3]!, t4 = w[p + 4]!, t5 = w[p + 5]!, t6 = w[p + 6]!, t7 = w[p + 7]!;
        do {
          const dst = heads[v]!;
          heads[v] = dst + 1;
          const nv = u8[dst * E + byte]!;
          const q = dst * 8;
          const n0 = w[q]!, n1 = w[q + 1]!, n2 = w[q + 2]!, n3 = w[q + 3]!, n4 = w[q + 4]!, n5 = w[q + 5]!, n6 = w[q + 6]!, n7 = w[q + 7]!;
          w[q] = t0; w[q + 1] = t1; w[q + 2] = t2; w[q + 3] = t3; w[q + 4] = t4; w[q + 5] = t5; w[q + 6] = t6; w[q + 7] = t7;
          t0 = n0; t1 = n1; t2 = n2; t3 = n3; t4 = n4; t5 = n5; t6 = n6; t7 = n7;
          v = nv;
        } while (v !== b);
        w[p] = t0; w[p + 1] = t1; w[p + 2] = t2; w[p + 3] = t3; w[p + 4] = t4; w[p + 5] = t5; w[p + 6] = t6; w[p + 7] = t7;
        hb++;
      }
      heads[b] = hb;
    }
    return true;
  }

  function sortRange(u8: Uint8Array, w: Int32Array, lo: number, hi: number, byte: number): void {
    for (;;) {
      if (hi - lo <= SMALL) {
        insertionSort(u8, w, lo, hi, byte);
        return;
      }
      const level = levels[byte]!;
      if (!partition(u8, w, lo, hi, byte, level.counts, level.heads, level.ends)) {
        // Same byte everywhere (duplicates, or a tiny range): look at the next one.
        if (byte === E - 1) return;
        byte++;
        continue;
      }
      if (byte === E - 1) return;
      const ends = level.ends;
      let start = lo;
      for (let b = 0; b < 256; b++) {
        const end = ends[b]!;
        if (end - start > 1) sortRange(u8, w, start, end, byte + 1);
        start = end;
      }
      return;
    }
  }

  function partitionTop(u8: Uint8Array, w: Int32Array, lo: number, hi: number): Int32Array {
    const counts = new Int32Array(256);
    const heads = new Int32Array(256);
    const ends = new Int32Array(256);
    // When every entry shares byte 0, partition() moves nothing but still fills `ends`.
    partition(u8, w, lo, hi, 0, counts, heads, ends);
    return ends;
  }

  function* partitionTopSteps(u8: Uint8Array, w: Int32Array, lo: number, hi: number, budget: number): Generator<void, Int32Array, void> {
    // partition() on byte 0 with pauses; keep the two in step.
    const counts = new Int32Array(256);
    const heads = new Int32Array(256);
    const ends = new Int32Array(256);
    const n = hi - lo;
    const step = Math.max(1, Math.floor(budget));
    for (let i = lo; i < hi; ) {
      const stop = Math.min(hi, i + step);
      for (let p = i * E; i < stop; i++, p += E) counts[u8[p]!]!++;
      if (i < hi) yield;
    }
    let s = lo;
    let single = false;
    for (let b = 0; b < 256; b++) {
      const c = counts[b]!;
      if (c === n) single = true;
      heads[b] = s;
      s += c;
      ends[b] = s;
    }
    if (single) return ends;
    let work = 0;
    for (let b = 0; b < 256; b++) {
      const eb = ends[b]!;
      while (heads[b]! < eb) {
        work += placeCycles(u8, w, b, eb, heads, step - work);
        if (work >= step) {
          work = 0;
          yield;
        }
      }
    }
    return ends;
  }

  /**
   * The moving half of partition() on byte 0 for bucket b, from heads[b]: whole cycles until about
   * `budget` entries were looked at or moved, or the bucket is in place. Returns that number (≥ 1).
   * A cycle is never cut: with digests (uniform bytes) it is about 256 moves long.
   */
  function placeCycles(u8: Uint8Array, w: Int32Array, b: number, eb: number, heads: Int32Array, budget: number): number {
    let hb = heads[b]!;
    let moves = 0;
    while (hb < eb && moves < budget) {
      let v = u8[hb * E]!;
      moves++;
      if (v === b) {
        hb++;
        continue;
      }
      const p = hb * 8;
      let t0 = w[p]!, t1 = w[p + 1]!, t2 = w[p + 2]!, t3 = w[p + 3]!, t4 = w[p + 4]!, t5 = w[p + 5]!, t6 = w[p + 6]!, t7 = w[p + 7]!;
      do {
        const dst = heads[v]!;
        heads[v] = dst + 1;
        const nv = u8[dst * E]!;
        const q = dst * 8;
        const n0 = w[q]!, n1 = w[q + 1]!, n2 = w[q + 2]!, n3 = w[q + 3]!, n4 = w[q + 4]!, n5 = w[q + 5]!, n6 = w[q + 6]!, n7 = w[q + 7]!;
        w[q] = t0; w[q + 1] = t1; w[q + 2] = t2; w[q + 3] = t3; w[q + 4] = t4; w[q + 5] = t5; w[q + 6] = t6; w[q + 7] = t7;
        t0 = n0; t1 = n1; t2 = n2; t3 = n3; t4 = n4; t5 = n5; t6 = n6; t7 = n7;
        v = nv;
        moves++;
      } while (v !== b);
      w[p] = t0; w[p + 1] = t1; w[p + 2] = t2; w[p + 3] = t3; w[p + 4] = t4; w[p + 5] = t5; w[p + 6] = t6; w[p + 7] = t7;
      hb++;
    }
    heads[b] = hb;
    return moves;
  }

  function insertionSort(u8: Uint8Array, w: Int32Array, lo: number, hi: number, byte: number): void {
    for (let i = lo + 1; i < hi; i++) {
      let j = i;
      while (j > lo && compareFrom(u8, j - 1, j, byte) > 0) {
        const p = (j - 1) * 8;
        for (let k = 0; k < 8; k++) {
          const t = w[p + k]!;
          w[p + k] = w[p + 8 + k]!;
          w[p + 8 + k] = t;
        }
        j--;
      }
    }
  }

  function compareFrom(u8: Uint8Array, a: number, b: number, byte: number): number {
    for (let k = byte; k < E; k++) {
      const d = u8[a * E + k]! - u8[b * E + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  function dedupe(u8: Uint8Array, w: Int32Array, count: number): number {
    if (count <= 1) return count;
    let out = 1;
    for (let i = 1; i < count; i++) {
      const p = i * 8;
      const q = (out - 1) * 8;
      if (w[p] === w[q] && w[p + 1] === w[q + 1] && w[p + 2] === w[q + 2] && w[p + 3] === w[q + 3] && w[p + 4] === w[q + 4] && w[p + 5] === w[q + 5] && w[p + 6] === w[q + 6] && w[p + 7] === w[q + 7]) continue;
      if (out !== i) {
        const o = out * 8;
        w[o] = w[p]!; w[o + 1] = w[p + 1]!; w[o + 2] = w[p + 2]!; w[o + 3] = w[p + 3]!;
        w[o + 4] = w[p + 4]!; w[o + 5] = w[p + 5]!; w[o + 6] = w[p + 6]!; w[o + 7] = w[p + 7]!;
      }
      out++;
    }
    return out;
  }

  return { sortRange, partitionTop, partitionTopSteps, dedupe };
}
