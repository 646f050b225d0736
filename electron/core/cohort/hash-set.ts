/**
 * Hash sets: sorted, de-duplicated Buffers of 32-byte SHA-256 digests (byte-wise order, as
 * `Buffer.compare` orders them). Millions of entries stay one flat buffer: no hex strings, no JS Sets,
 * no per-entry objects. Set operations are linear merges.
 *
 * The same operations work on wider fixed-size entries (multi-key audiences: 96-byte tuples of three
 * digests) through an optional last `width` parameter. Width 32 keeps its tuned code; other widths
 * (any multiple of 4) take the generic twins at the end of this file.
 */
import { AppError } from '../../../shared/errors';
import { createSorter, type Sorter } from './sorter';

/** Bytes per entry: one binary SHA-256 digest. */
export const HASH_BYTES = 32;

/** Number of entries in a hash set (throws if the buffer is not a whole number of `width`-byte entries). */
export function countHashes(set: Uint8Array, width = HASH_BYTES): number {
  if (width !== HASH_BYTES) checkWidth(width);
  if (set.length % width !== 0) throw new AppError('INTERNAL', `A hash set of ${set.length} bytes is not a whole number of ${width}-byte entries.`);
  return set.length / width;
}

/** Entry widths other than 32 must be positive multiples of 4 (the merges compare 32-bit words). */
function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width <= 0 || width % 4 !== 0) throw new AppError('INTERNAL', `A hash-set entry width of ${width} bytes is not a positive multiple of 4.`);
}

/** Byte-wise comparison of entry `ai` of `a` with entry `bi` of `b` (entry indexes, not offsets). */
function compareAt(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  let p = ai * HASH_BYTES;
  let q = bi * HASH_BYTES;
  const end = p + HASH_BYTES;
  for (; p < end; p++, q++) {
    const d = a[p]! - b[q]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Big-endian 32-bit reads compare four bytes at a time in the same order as byte-wise comparison. */
function view(u8: Uint8Array): DataView {
  return new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
}

function compareView(a: DataView, p: number, b: DataView, q: number): number {
  for (let k = 0; k < HASH_BYTES; k += 4) {
    const x = a.getUint32(p + k);
    const y = b.getUint32(q + k);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Int32 words of a 4-byte-aligned buffer (null otherwise): equal entries are found without byte swaps. */
function words(u8: Uint8Array): Int32Array | null {
  return u8.byteOffset % 4 === 0 ? new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2) : null;
}

/** compareView, first checking equality word by word (most entries of a diff are equal). */
function compareFast(a: DataView, wa: Int32Array | null, p: number, b: DataView, wb: Int32Array | null, q: number): number {
  if (wa !== null && wb !== null) {
    const i = p >>> 2;
    const j = q >>> 2;
    if (wa[i] === wb[j] && wa[i + 1] === wb[j + 1] && wa[i + 2] === wb[j + 2] && wa[i + 3] === wb[j + 3] && wa[i + 4] === wb[j + 4] && wa[i + 5] === wb[j + 5] && wa[i + 6] === wb[j + 6] && wa[i + 7] === wb[j + 7]) return 0;
  }
  return compareView(a, p, b, q);
}

/** True when `set` (sorted, unique) contains `hash` (`width` bytes, or twice as many hex characters). Binary search. */
export function hasHash(set: Uint8Array, hash: Uint8Array | string, width = HASH_BYTES): boolean {
  const h = typeof hash === 'string' ? Buffer.from(hash, 'hex') : hash;
  if (width !== HASH_BYTES) {
    if (h.length !== width) throw new AppError('INVALID_ARGUMENT', `An entry of this set has ${width} bytes (${width * 2} hexadecimal characters).`);
    return hasWide(set, h, width);
  }
  if (h.length !== HASH_BYTES) throw new AppError('INVALID_ARGUMENT', 'A SHA-256 digest has 32 bytes (64 hexadecimal characters).');
  let lo = 0;
  let hi = countHashes(set) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(set, mid, h, 0);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * `bytes` of `u` as a Buffer over the same memory (no copy). The set operations answer with such a view when one
 * side is empty (a first sync diffs its whole cohort against nothing): results may share memory with their inputs,
 * which, like every hash set here, are never changed once built.
 */
function sameMemory(u: Uint8Array, bytes: number): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, bytes);
}

/** Entries of `a` (sorted, unique) that are not in `b` (sorted, unique): suppression, and each half of a diff. May share memory with `a`. */
export function subtractHashes(a: Uint8Array, b: Uint8Array, width = HASH_BYTES): Buffer {
  if (countHashes(b, width) === 0) return sameMemory(a, countHashes(a, width) * width);
  return width === HASH_BYTES ? subtract32(a, b) : subtractWide(a, b, width);
}

function subtract32(a: Uint8Array, b: Uint8Array): Buffer {
  const la = countHashes(a) * HASH_BYTES;
  const lb = countHashes(b) * HASH_BYTES;
  const va = view(a);
  const vb = view(b);
  // Two passes (count, then copy) so the result is allocated once, at its final size.
  let keep = 0;
  for (let p = 0, q = 0; p < la; ) {
    if (q >= lb) {
      keep += (la - p) / HASH_BYTES;
      break;
    }
    const c = compareView(va, p, vb, q);
    if (c < 0) {
      keep++;
      p += HASH_BYTES;
    } else if (c > 0) q += HASH_BYTES;
    else {
      p += HASH_BYTES;
      q += HASH_BYTES;
    }
  }
  const out = Buffer.allocUnsafe(keep * HASH_BYTES);
  let o = 0;
  let runStart = -1;
  // Kept entries come in runs (most of `a` survives a typical diff): copy each run in one call.
  for (let p = 0, q = 0; p < la; ) {
    if (q >= lb) {
      if (runStart < 0) runStart = p;
      p = la;
      break;
    }
    const c = compareView(va, p, vb, q);
    if (c < 0) {
      if (runStart < 0) runStart = p;
      p += HASH_BYTES;
    } else {
      if (runStart >= 0) {
        out.set(a.subarray(runStart, p), o);
        o += p - runStart;
        runStart = -1;
      }
      if (c > 0) q += HASH_BYTES;
      else {
        p += HASH_BYTES;
        q += HASH_BYTES;
      }
    }
  }
  if (runStart >= 0) out.set(a.subarray(runStart, la), o);
  return out;
}

/**
 * What to send to turn `prev` into `next` (both sorted, unique): `adds` = next − prev and
 * `removes` = prev − next, both sorted. One merge counts, a second copies, so each result is
 * allocated once at its final size. With one side empty, the other is returned without a copy.
 */
export function diffHashes(prev: Uint8Array, next: Uint8Array, width = HASH_BYTES): { adds: Buffer; removes: Buffer } {
  const np = countHashes(prev, width);
  const nn = countHashes(next, width);
  // One side empty: the other is the whole answer, shared rather than copied (a first sync's 5 M digests).
  if (np === 0 || nn === 0) return { adds: sameMemory(next, nn * width), removes: sameMemory(prev, np * width) };
  if (width !== HASH_BYTES) return { adds: subtractWide(next, prev, width), removes: subtractWide(prev, next, width) };
  return diff32(prev, next);
}

function diff32(prev: Uint8Array, next: Uint8Array): { adds: Buffer; removes: Buffer } {
  const lp = countHashes(prev) * HASH_BYTES;
  const ln = countHashes(next) * HASH_BYTES;
  const vp = view(prev);
  const vn = view(next);
  const wp = words(prev);
  const wn = words(next);
  let nAdds = 0;
  let nRemoves = 0;
  let p = 0;
  let q = 0;
  while (p < lp && q < ln) {
    const c = compareFast(vp, wp, p, vn, wn, q);
    if (c === 0) {
      p += HASH_BYTES;
      q += HASH_BYTES;
    } else if (c < 0) {
      nRemoves++;
      p += HASH_BYTES;
    } else {
      nAdds++;
      q += HASH_BYTES;
    }
  }
  nRemoves += (lp - p) / HASH_BYTES;
  nAdds += (ln - q) / HASH_BYTES;
  const adds = Buffer.allocUnsafe(nAdds * HASH_BYTES);
  const removes = Buffer.allocUnsafe(nRemoves * HASH_BYTES);
  let oa = 0;
  let or = 0;
  p = 0;
  q = 0;
  while (p < lp && q < ln) {
    const c = compareFast(vp, wp, p, vn, wn, q);
    if (c === 0) {
      p += HASH_BYTES;
      q += HASH_BYTES;
    } else if (c < 0) {
      removes.set(prev.subarray(p, p + HASH_BYTES), or);
      or += HASH_BYTES;
      p += HASH_BYTES;
    } else {
      adds.set(next.subarray(q, q + HASH_BYTES), oa);
      oa += HASH_BYTES;
      q += HASH_BYTES;
    }
  }
  if (p < lp) removes.set(prev.subarray(p, lp), or);
  if (q < ln) adds.set(next.subarray(q, ln), oa);
  return { adds, removes };
}

/**
 * Collects entries in 1 MiB pieces, joined into one buffer at the end; or, given a `bound` on the total, straight
 * into one buffer of that size, handed out as is: the OS commits a page only when it is written, so the unused
 * rest costs address space, not memory, and no second copy is made at the end.
 */
class EntryCollector {
  private readonly pieces: Buffer[] = [];
  private cur: Buffer;
  private off = 0;
  private total = 0;

  constructor(private readonly bound?: number) {
    this.cur = bound === undefined ? Buffer.allocUnsafe(1 << 20) : Buffer.allocUnsafeSlow(Math.max(1, bound));
  }

  add(src: Uint8Array, start: number, end: number): void {
    let p = start;
    while (p < end) {
      if (this.off === this.cur.length) {
        this.pieces.push(this.cur);
        this.cur = Buffer.allocUnsafe(1 << 20);
        this.off = 0;
      }
      const n = Math.min(end - p, this.cur.length - this.off);
      if (n <= 128) {
        // Short runs (single entries, mostly) copy faster by hand than through subarray + set.
        const cur = this.cur;
        for (let k = 0, o = this.off; k < n; k++, o++) cur[o] = src[p + k]!;
      } else this.cur.set(src.subarray(p, p + n), this.off);
      this.off += n;
      p += n;
    }
    this.total += end - start;
  }

  finish(): Buffer {
    if (this.bound !== undefined) return this.cur.subarray(0, this.off);
    if (this.pieces.length === 0) return Buffer.from(this.cur.subarray(0, this.off));
    return Buffer.concat([...this.pieces, this.cur.subarray(0, this.off)], this.total);
  }
}

/**
 * diffHashes against a set read piece by piece (e.g. a stored snapshot's chunks, in order, each a
 * whole number of entries): the old set is never held whole, so planning a sync needs memory for the
 * new set and the changes only. The adds are written once, into a buffer bounded by `next` (no joining copy);
 * against no entries at all they are `next` itself.
 */
export function diffHashesChunked(prevChunks: Iterable<Uint8Array>, next: Uint8Array, width = HASH_BYTES): { adds: Buffer; removes: Buffer } {
  const it = prevChunks[Symbol.iterator]();
  let first = it.next();
  while (!first.done && first.value.length === 0) first = it.next();
  if (first.done) return { adds: sameMemory(next, countHashes(next, width) * width), removes: Buffer.alloc(0) };
  const chunks = withFirst(first.value, it);
  return width === HASH_BYTES ? diffChunked32(chunks, next) : diffChunkedWide(chunks, next, width);
}

function* withFirst(first: Uint8Array, rest: Iterator<Uint8Array>): Generator<Uint8Array> {
  yield first;
  for (let r = rest.next(); !r.done; r = rest.next()) yield r.value;
}

function diffChunked32(prevChunks: Iterable<Uint8Array>, next: Uint8Array): { adds: Buffer; removes: Buffer } {
  const ln = countHashes(next) * HASH_BYTES;
  const vn = view(next);
  const wn = words(next);
  const adds = new EntryCollector(ln);
  const removes = new EntryCollector();
  let q = 0;
  let last: Uint8Array | null = null;
  for (const chunk of prevChunks) {
    const lp = countHashes(chunk) * HASH_BYTES;
    if (lp === 0) continue;
    if (last && compareAt(last, last.length / HASH_BYTES - 1, chunk, 0) >= 0) throw new AppError('INTERNAL', 'The stored snapshot is not sorted; it cannot be diffed.');
    const vp = view(chunk);
    const wp = words(chunk);
    let p = 0;
    let runStart = -1;
    let addStart = -1;
    while (p < lp) {
      if (q >= ln) {
        if (runStart < 0) runStart = p;
        p = lp;
        break;
      }
      const c = compareFast(vp, wp, p, vn, wn, q);
      if (c > 0) {
        // next[q] is not in prev: an add (runs of adds are copied at once).
        if (addStart < 0) addStart = q;
        q += HASH_BYTES;
        continue;
      }
      if (addStart >= 0) {
        adds.add(next, addStart, q);
        addStart = -1;
      }
      if (c === 0) {
        if (runStart >= 0) {
          removes.add(chunk, runStart, p);
          runStart = -1;
        }
        p += HASH_BYTES;
        q += HASH_BYTES;
      } else {
        if (runStart < 0) runStart = p;
        p += HASH_BYTES;
      }
    }
    if (addStart >= 0) adds.add(next, addStart, q);
    if (runStart >= 0) removes.add(chunk, runStart, lp);
    last = chunk;
  }
  if (q < ln) adds.add(next, q, ln);
  return { adds: adds.finish(), removes: removes.finish() };
}

/** Entries in `a` or `b` (both sorted, unique). May share memory with an input. */
export function unionHashes(a: Uint8Array, b: Uint8Array, width = HASH_BYTES): Buffer {
  const na = countHashes(a, width);
  const nb = countHashes(b, width);
  // One side empty: the other, shared rather than copied (a first sync's acknowledged snapshot).
  if (na === 0 || nb === 0) return na === 0 ? sameMemory(b, nb * width) : sameMemory(a, na * width);
  return width === HASH_BYTES ? union32(a, b) : unionWide(a, b, width);
}

function union32(a: Uint8Array, b: Uint8Array): Buffer {
  const na = countHashes(a);
  const nb = countHashes(b);
  const out = Buffer.allocUnsafe((na + nb) * HASH_BYTES);
  let i = 0;
  let j = 0;
  let o = 0;
  const va = view(a);
  const vb = view(b);
  while (i < na && j < nb) {
    const c = compareView(va, i * HASH_BYTES, vb, j * HASH_BYTES);
    if (c <= 0) {
      out.set(a.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES), o);
      i++;
      if (c === 0) j++;
    } else {
      out.set(b.subarray(j * HASH_BYTES, (j + 1) * HASH_BYTES), o);
      j++;
    }
    o += HASH_BYTES;
  }
  if (i < na) {
    out.set(a.subarray(i * HASH_BYTES), o);
    o += (na - i) * HASH_BYTES;
  }
  if (j < nb) {
    out.set(b.subarray(j * HASH_BYTES), o);
    o += (nb - j) * HASH_BYTES;
  }
  return out.subarray(0, o);
}

/** `base` with a diff applied: (base ∪ adds) − removes. applyDiff(a, diffHashes(a, b)) equals b. */
export function applyDiff(base: Uint8Array, diff: { adds: Uint8Array; removes: Uint8Array }, width = HASH_BYTES): Buffer {
  return subtractHashes(unionHashes(base, diff.adds, width), diff.removes, width);
}

/** A sorted, de-duplicated copy of any buffer of `width`-byte entries (32-byte digests by default). */
export function sortHashes(entries: Uint8Array, width = HASH_BYTES): Buffer {
  if (width !== HASH_BYTES) return sortWide(entries, width);
  const n = countHashes(entries);
  const copy = Buffer.alloc(entries.length);
  copy.set(entries);
  const unique = sortUniqueInPlace(copy, n);
  return copy.subarray(0, unique * HASH_BYTES);
}

/** Equal membership, byte for byte (both sorted, unique; `width` checks they are whole entries). */
export function hashSetsEqual(a: Uint8Array, b: Uint8Array, width = HASH_BYTES): boolean {
  if (width !== HASH_BYTES) {
    countHashes(a, width);
    countHashes(b, width);
  }
  return Buffer.compare(a, b) === 0;
}

// ── In-place sort ────────────────────────────────────────────────────────────

let sorter: Sorter | undefined;

/**
 * Sorts `count` entries at the start of `u8` in place and removes duplicates, returning the number of
 * unique entries now at the start (radix sort, sorter.ts: about 0.4 s for 5 M random digests).
 */
export function sortUniqueInPlace(u8: Uint8Array, count: number, width = HASH_BYTES): number {
  if (width !== HASH_BYTES) {
    checkWidth(width);
    return sortWideInPlace(u8, count, width);
  }
  if (count <= 1) return count;
  if (u8.byteOffset % 4 !== 0) {
    const aligned = new Uint8Array(count * HASH_BYTES);
    aligned.set(u8.subarray(0, count * HASH_BYTES));
    const unique = sortUniqueInPlace(aligned, count);
    u8.set(aligned.subarray(0, unique * HASH_BYTES));
    return unique;
  }
  sorter ??= createSorter();
  const w = new Int32Array(u8.buffer, u8.byteOffset, count * 8);
  sorter.sortRange(u8, w, 0, count, 0);
  return sorter.dedupe(u8, w, count);
}

// ── Growing accumulator ──────────────────────────────────────────────────────

/** ArrayBuffers stop at 4 GiB here: 134 M digests. */
const MAX_BYTES = 2 ** 32;
/** Below this many digests one thread sorts faster than it can hand out the work. */
const PARALLEL_MIN = 200_000;

/** Entries of work (4 MiB of digests) between yields while `finish` splits the digests on their first byte. */
export const PARTITION_SLICE = 131_072;

/** Sorts ranges [lo, hi) of entries (all sharing byte 0) of a shared buffer from byte 1, elsewhere. */
export type ParallelSort = (buffer: SharedArrayBuffer, ranges: Int32Array) => Promise<void>;

/**
 * Collects digests as they arrive, then sorts and de-duplicates them in place, so the sorted result
 * needs no second buffer (peak ≈ 32 bytes per digest). The buffer is sized from the caller's estimate
 * with headroom: the OS commits pages only when written, so unused headroom costs address space, not
 * memory; an estimate that proves short is handled by growing (one copy). It is a SharedArrayBuffer
 * when the runtime has them, so hashing workers can sort it in parallel.
 */
export class HashAccumulator {
  private u8: Uint8Array;
  private bytes = 0;

  /** `expected`: the number of digests the caller expects (e.g. from the file size); headroom is added. */
  constructor(expected = 0) {
    this.u8 = new Uint8Array(allocate(Math.max(1 << 15, Math.ceil(expected * 1.5)) * HASH_BYTES));
  }

  get count(): number {
    return this.bytes / HASH_BYTES;
  }

  /** The digests appended so far, in order (a view: valid until the next append or finish). */
  contents(): Uint8Array {
    return this.u8.subarray(0, this.bytes);
  }

  /** Appends `n` digests from the start of `src`. */
  append(src: Uint8Array, n: number): void {
    const need = this.bytes + n * HASH_BYTES;
    if (need > this.u8.length) this.grow(need);
    this.u8.set(src.subarray(0, n * HASH_BYTES), this.bytes);
    this.bytes = need;
  }

  private grow(need: number): void {
    if (need > MAX_BYTES) throw new AppError('CSV_INVALID', `The file holds more than ${MAX_BYTES / HASH_BYTES} values; split it into smaller files.`);
    // Plain (not resizable) buffers: V8 runs typed-array loops over resizable ones markedly slower.
    const bigger = new Uint8Array(allocate(Math.min(MAX_BYTES, Math.max(need, this.u8.length * 2))));
    bigger.set(this.u8.subarray(0, this.bytes));
    this.u8 = bigger;
  }

  /**
   * Sorts, removes duplicates, and hands over the result (possibly backed by a SharedArrayBuffer);
   * the accumulator must not be used afterwards. With `parallel`, the calling thread splits the
   * digests on their first byte and the 256 buckets are sorted elsewhere meanwhile.
   */
  async finish(parallel?: ParallelSort): Promise<{ hashes: Buffer; duplicates: number }> {
    const count = this.count;
    const u8 = this.u8;
    this.u8 = new Uint8Array(0);
    sorter ??= createSorter();
    const w = new Int32Array(u8.buffer, u8.byteOffset, count * 8);
    if (parallel && count >= PARALLEL_MIN && u8.buffer instanceof SharedArrayBuffer) {
      // The split runs on the calling thread (the engine's loop): in slices, so it keeps answering.
      const steps = sorter.partitionTopSteps(u8, w, 0, count, PARTITION_SLICE);
      let step = steps.next();
      while (!step.done) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        step = steps.next();
      }
      const ends = step.value;
      const ranges: number[] = [];
      for (let b = 0, start = 0; b < 256; start = ends[b]!, b++) if (ends[b]! - start > 1) ranges.push(start, ends[b]!);
      await parallel(u8.buffer, Int32Array.from(ranges));
    } else if (count > 1) {
      sorter.sortRange(u8, w, 0, count, 0);
    }
    const unique = sorter.dedupe(u8, w, count);
    return { hashes: Buffer.from(u8.buffer, 0, unique * HASH_BYTES), duplicates: count - unique };
  }
}

function allocate(bytes: number): ArrayBufferLike {
  return typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

// ── Other entry widths (multi-key tuples) ────────────────────────────────────
// Plain merges over big-endian 32-bit words, which order entries as byte-wise comparison does.

function compareWide(a: DataView, p: number, b: DataView, q: number, width: number): number {
  for (let k = 0; k < width; k += 4) {
    const x = a.getUint32(p + k);
    const y = b.getUint32(q + k);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function hasWide(set: Uint8Array, h: Uint8Array, width: number): boolean {
  const vs = view(set);
  const vh = view(h);
  let lo = 0;
  let hi = countHashes(set, width) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareWide(vs, mid * width, vh, 0, width);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function subtractWide(a: Uint8Array, b: Uint8Array, width: number): Buffer {
  const la = countHashes(a, width) * width;
  const lb = countHashes(b, width) * width;
  const va = view(a);
  const vb = view(b);
  const out = new EntryCollector();
  let runStart = -1;
  let p = 0;
  for (let q = 0; p < la && q < lb; ) {
    const c = compareWide(va, p, vb, q, width);
    if (c < 0) {
      if (runStart < 0) runStart = p;
      p += width;
      continue;
    }
    if (runStart >= 0) {
      out.add(a, runStart, p);
      runStart = -1;
    }
    if (c > 0) q += width;
    else {
      p += width;
      q += width;
    }
  }
  if (runStart < 0) runStart = p;
  if (runStart < la) out.add(a, runStart, la);
  return out.finish();
}

function unionWide(a: Uint8Array, b: Uint8Array, width: number): Buffer {
  const la = countHashes(a, width) * width;
  const lb = countHashes(b, width) * width;
  const va = view(a);
  const vb = view(b);
  const out = Buffer.allocUnsafe(la + lb);
  let p = 0;
  let q = 0;
  let o = 0;
  while (p < la && q < lb) {
    const c = compareWide(va, p, vb, q, width);
    if (c <= 0) {
      out.set(a.subarray(p, p + width), o);
      p += width;
      if (c === 0) q += width;
    } else {
      out.set(b.subarray(q, q + width), o);
      q += width;
    }
    o += width;
  }
  if (p < la) {
    out.set(a.subarray(p, la), o);
    o += la - p;
  }
  if (q < lb) {
    out.set(b.subarray(q, lb), o);
    o += lb - q;
  }
  return out.subarray(0, o);
}

function diffChunkedWide(prevChunks: Iterable<Uint8Array>, next: Uint8Array, width: number): { adds: Buffer; removes: Buffer } {
  const ln = countHashes(next, width) * width;
  const vn = view(next);
  const adds = new EntryCollector(ln);
  const removes = new EntryCollector();
  let q = 0;
  let last: DataView | null = null;
  let lastOff = 0;
  for (const chunk of prevChunks) {
    const lp = countHashes(chunk, width) * width;
    if (lp === 0) continue;
    const vp = view(chunk);
    if (last && compareWide(last, lastOff, vp, 0, width) >= 0) throw new AppError('INTERNAL', 'The stored snapshot is not sorted; it cannot be diffed.');
    let p = 0;
    while (p < lp) {
      const c = q < ln ? compareWide(vp, p, vn, q, width) : -1;
      if (c > 0) {
        adds.add(next, q, q + width);
        q += width;
      } else {
        if (c < 0) removes.add(chunk, p, p + width);
        else q += width;
        p += width;
      }
    }
    last = vp;
    lastOff = lp - width;
  }
  if (q < ln) adds.add(next, q, ln);
  return { adds: adds.finish(), removes: removes.finish() };
}

/** Sorted unique copy of `width`-byte entries. */
function sortWide(entries: Uint8Array, width: number): Buffer {
  const n = countHashes(entries, width);
  const copy = Buffer.alloc(entries.length);
  copy.set(entries);
  return copy.subarray(0, sortWideInPlace(copy, n, width) * width);
}

/** Below this many entries a range is insertion-sorted. */
const WIDE_SMALL = 16;

/**
 * Sorts `count` entries of `width` bytes at the start of `u8` in place and removes duplicates; returns
 * the unique count. An MSD radix sort of entry indexes (two Uint32Arrays: 8 bytes per entry on top of
 * the entries), then the permutation is applied in place by following its cycles, so wide cohorts
 * need no second copy of their entries.
 */
function sortWideInPlace(u8: Uint8Array, count: number, width: number): number {
  if (count <= 1) return count;
  const steps = sortWideSteps(u8, count, width, Infinity);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * sortWideInPlace as steps: the top-level radix pass, bucket sorts, permutation and de-duplication, pausing
 * (a `yield`) about every `slice` entries of work. Driven to the end at once it is the synchronous sort; the
 * engine's reader drives it with a yield to the event loop at each pause (sort-async.ts).
 */
export function* sortWideSteps(u8: Uint8Array, count: number, width: number, slice: number): Generator<void, number, void> {
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

/** MSD radix sort of the indexes [lo, hi), whose entries agree on bytes [0, byte) (`levels`: one counts array per byte, shared). */
export function sortIndexes(u8: Uint8Array, width: number, idx: Uint32Array, tmp: Uint32Array, lo: number, hi: number, byte: number, levels: Int32Array[]): void {
  for (;;) {
    const n = hi - lo;
    if (n <= WIDE_SMALL) {
      insertionIndexes(u8, width, idx, lo, hi, byte);
      return;
    }
    if (byte >= width) return;
    // Frames on the stack have strictly increasing `byte`, so one counts array per byte suffices.
    const counts = (levels[byte] ??= new Int32Array(257));
    counts.fill(0);
    for (let i = lo; i < hi; i++) counts[u8[idx[i]! * width + byte]! + 1]!++;
    let single = false;
    for (let b = 1; b <= 256; b++) {
      if (counts[b] === n) {
        single = true;
        break;
      }
    }
    if (single) {
      // Every entry has the same byte here (an empty slot's zeros, or duplicates): look at the next.
      byte++;
      continue;
    }
    for (let b = 0; b < 256; b++) counts[b + 1]! += counts[b]!;
    for (let i = lo; i < hi; i++) {
      const e = idx[i]!;
      tmp[lo + counts[u8[e * width + byte]!]!++] = e;
    }
    idx.set(tmp.subarray(lo, hi), lo);
    // counts[b] is now the end of bucket b (relative to lo).
    let start = lo;
    for (let b = 0; b < 256; b++) {
      const end = lo + counts[b]!;
      if (end - start > 1) sortIndexes(u8, width, idx, tmp, start, end, byte + 1, levels);
      start = end;
    }
    return;
  }
}

function insertionIndexes(u8: Uint8Array, width: number, idx: Uint32Array, lo: number, hi: number, byte: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const e = idx[i]!;
    let j = i;
    while (j > lo && compareEntriesFrom(u8, width, idx[j - 1]!, e, byte) > 0) {
      idx[j] = idx[j - 1]!;
      j--;
    }
    idx[j] = e;
  }
}

function compareEntriesFrom(u8: Uint8Array, width: number, a: number, b: number, byte: number): number {
  const p = a * width;
  const q = b * width;
  for (let k = byte; k < width; k++) {
    const d = u8[p + k]! - u8[q + k]!;
    if (d !== 0) return d;
  }
  return 0;
}
