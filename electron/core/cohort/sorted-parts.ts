/**
 * A sorted, de-duplicated set of fixed-width entries held as consecutive parts: each part sorted and unique, every
 * entry of a part below every entry of the next. Either one buffer in memory, or part files of a private temp folder
 * (spill.ts: a cohort whose digests would not fit the memory target), read one part at a time, so `plan` and a diff
 * never hold the whole set (issue #13 §4: a 10 M-row cohort within the memory of a 5 M one).
 *
 * The part files hold digests only, never an identifier, and are removed by dispose() (or, after a crash, by the next
 * spill's sweep of folders whose process is gone).
 */
import fs from 'node:fs';
import { AppError } from '../../../shared/errors';
import { diffHashes, HASH_BYTES } from './hash-set';

export interface SortedParts {
  /** Bytes per entry (32: one digest). */
  readonly width: number;
  /** Entries in all parts. */
  readonly count: number;
  /** Held in part files (a cohort too large for memory), not in one buffer. */
  readonly onDisk: boolean;
  /** The parts in order (an empty set yields nothing). Each buffer is the caller's to keep. */
  parts(): AsyncGenerator<Buffer>;
  /** The whole set as one buffer (allocated once, at its final size). */
  toBuffer(): Promise<Buffer>;
  /** toBuffer() without yielding (inside a transaction). */
  toBufferSync(): Buffer;
  /** Replaces each part by `fn(part)` (a sorted subset of it, e.g. minus a suppression list), in order. */
  filter(fn: (part: Buffer) => Buffer): Promise<void>;
  /**
   * Frees what the set holds: removes its files, off the event loop (unlinking hundreds of megabytes held the engine's
   * loop for a quarter of a second). Idempotent; the set cannot be read once it is called.
   */
  dispose(): Promise<void>;
}

/** Reads the first `bytes` of `file` into `out` at `at`, off the event loop. */
export async function readFileInto(file: string, out: Uint8Array, at: number, bytes: number): Promise<void> {
  const h = await fs.promises.open(file, 'r');
  try {
    for (let off = 0; off < bytes; ) {
      const { bytesRead } = await h.read(out, at + off, bytes - off, off);
      if (bytesRead === 0) throw new AppError('INTERNAL', `A spilled hash part (${file}) is shorter than written.`);
      off += bytesRead;
    }
  } finally {
    await h.close();
  }
}

/** A call's entries: one buffer, or a set in parts (a first sync of a cohort too large for memory). */
export type Entries = Buffer | SortedParts;

/** Entries in `e`. */
export function entryCount(e: Entries, width: number): number {
  return Buffer.isBuffer(e) ? e.length / width : e.count;
}

/** `e` as parts (a buffer as one part, no copy). */
export function asParts(e: Entries, width: number): SortedParts {
  return Buffer.isBuffer(e) ? partsOfBuffer(e, width) : e;
}

/** Entries per part of a set held in one buffer: a few megabytes of work between two yields of a streamed diff. */
const MEMORY_PART_ENTRIES = 65_536;

/** One buffer as a set in parts (views of it, a few megabytes each, with a yield between them): no copy, nothing to remove. */
export function partsOfBuffer(entries: Buffer, width = HASH_BYTES): SortedParts {
  let buf = entries;
  return {
    width,
    onDisk: false,
    get count() {
      return buf.length / width;
    },
    async *parts() {
      const step = MEMORY_PART_ENTRIES * width;
      for (let off = 0; off < buf.length; off += step) {
        if (off > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        yield buf.subarray(off, Math.min(off + step, buf.length));
      }
    },
    toBuffer: async () => buf,
    toBufferSync: () => buf,
    async filter(fn) {
      if (buf.length > 0) buf = fn(buf);
    },
    async dispose() {
      buf = Buffer.alloc(0);
    },
  };
}

/** Part files (each sorted and unique, in order), removed with `dir` by dispose(). */
export function partsOnDisk(files: readonly string[], width: number, dir: string): SortedParts {
  const sizes = files.map((f) => fs.statSync(f).size);
  let disposed = false;
  const check = () => {
    if (disposed) throw new AppError('INTERNAL', 'A spilled hash set was read after it was removed.');
  };
  const readSync = (i: number): Buffer => {
    const out = Buffer.allocUnsafe(sizes[i]!);
    const fd = fs.openSync(files[i]!, 'r');
    try {
      for (let off = 0; off < out.length; ) {
        const n = fs.readSync(fd, out, off, out.length - off, off);
        if (n === 0) throw new AppError('INTERNAL', `A spilled hash part (${files[i]}) is shorter than written.`);
        off += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    return out;
  };
  const readInto = (i: number, out: Buffer, at: number) => readFileInto(files[i]!, out, at, sizes[i]!);
  const read = async (i: number): Promise<Buffer> => {
    const out = Buffer.allocUnsafe(sizes[i]!);
    await readInto(i, out, 0);
    return out;
  };
  return {
    width,
    onDisk: true,
    get count() {
      return sizes.reduce((n, s) => n + s, 0) / width;
    },
    async *parts() {
      check();
      for (let i = 0; i < files.length; i++) {
        if (sizes[i] === 0) continue;
        yield await read(i);
      }
    },
    async toBuffer() {
      check();
      const out = Buffer.allocUnsafe(sizes.reduce((n, s) => n + s, 0));
      for (let i = 0, off = 0; i < files.length; off += sizes[i]!, i++) if (sizes[i]! > 0) await readInto(i, out, off);
      return out;
    },
    toBufferSync() {
      check();
      return Buffer.concat(files.map((_, i) => (sizes[i] === 0 ? Buffer.alloc(0) : readSync(i))));
    },
    async filter(fn) {
      check();
      for (let i = 0; i < files.length; i++) {
        if (sizes[i] === 0) continue;
        const kept = fn(await read(i));
        await fs.promises.writeFile(files[i]!, kept, { mode: 0o600 });
        sizes[i] = kept.length;
      }
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}

/** The first entry of sorted `set` that is greater than `key` (entry index), by binary search. */
export function upperBound(set: Uint8Array, key: Uint8Array, width: number): number {
  let lo = 0;
  let hi = set.length / width;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(set.subarray(mid * width, (mid + 1) * width), key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The entries of sorted `set` in [first, last] of `part` (both ends included): what a part can meet in another set. */
export function sliceFor(set: Uint8Array, part: Uint8Array, width: number): Uint8Array {
  if (part.length === 0 || set.length === 0) return set.subarray(0, 0);
  const first = part.subarray(0, width);
  // The first entry ≥ first: one past the last entry < first.
  let lo = 0;
  let hi = set.length / width;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(set.subarray(mid * width, (mid + 1) * width), first) < 0) lo = mid + 1;
    else hi = mid;
  }
  const end = upperBound(set, part.subarray(part.length - width), width);
  return set.subarray(lo * width, Math.max(lo, end) * width);
}

/**
 * What `next` adds to and removes from `prev` (a stored snapshot's chunks, in order, read synchronously or not),
 * streaming both: each part of `next` is diffed against the entries of `prev` in its range, so neither set is ever held
 * whole. Counts always; with `collect`, the added and removed entries too (sorted). `onPart` sees each part of `next`
 * once, in order (e.g. to digest it).
 */
export async function diffParts(
  prev: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  next: SortedParts,
  width: number,
  opts: { collect?: boolean; onPart?: (part: Buffer) => void } = {},
): Promise<{ adds: number; removes: number; added: Buffer; removed: Buffer }> {
  const it = Symbol.asyncIterator in prev ? prev[Symbol.asyncIterator]() : (prev as Iterable<Uint8Array>)[Symbol.iterator]();
  let carry: Uint8Array | null = new Uint8Array(0);
  let lastSeen: Uint8Array | null = null;
  const pull = async (): Promise<Uint8Array | null> => {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const chunk = r.value;
      if (chunk.length % width !== 0) throw new AppError('INTERNAL', `A stored chunk of ${chunk.length} bytes is not a whole number of ${width}-byte entries.`);
      if (chunk.length === 0) continue;
      if (lastSeen && Buffer.compare(lastSeen, chunk.subarray(0, width)) >= 0) throw new AppError('INTERNAL', 'The stored snapshot is not sorted; it cannot be diffed.');
      lastSeen = chunk.subarray(chunk.length - width);
      return chunk;
    }
    return null;
  };
  let adds = 0;
  let removes = 0;
  const added: Uint8Array[] = [];
  const removed: Uint8Array[] = [];
  for await (const part of next.parts()) {
    opts.onPart?.(part);
    if (part.length === 0) continue;
    const last = part.subarray(part.length - width);
    // The entries of prev up to the part's last entry (those before its first are removes, found by diffHashes too).
    const pieces: Uint8Array[] = [];
    while (carry !== null) {
      if (carry.length === 0) {
        carry = await pull();
        continue;
      }
      const cut = upperBound(carry, last, width);
      if (cut * width < carry.length) {
        pieces.push(carry.subarray(0, cut * width));
        carry = carry.subarray(cut * width);
        break;
      }
      pieces.push(carry);
      carry = new Uint8Array(0);
    }
    const before = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    const d = diffHashes(before, part, width);
    adds += d.adds.length / width;
    removes += d.removes.length / width;
    if (opts.collect) {
      // Copies: a diff against nothing answers with the part's own memory.
      if (d.adds.length > 0) added.push(Buffer.from(d.adds));
      if (d.removes.length > 0) removed.push(Buffer.from(d.removes));
    }
  }
  // Whatever is left of prev lies beyond the last part: all removed.
  for (; carry !== null; carry = await pull()) {
    removes += carry.length / width;
    if (opts.collect && carry.length > 0) removed.push(Buffer.from(carry));
  }
  return { adds, removes, added: Buffer.concat(added), removed: Buffer.concat(removed) };
}

/** How many entries `next` adds to and removes from `prev`, streaming both (diffParts, counts only). */
export async function diffCounts(prev: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, next: SortedParts, width: number, onPart?: (part: Buffer) => void): Promise<{ adds: number; removes: number }> {
  const { adds, removes } = await diffParts(prev, next, width, { onPart });
  return { adds, removes };
}
