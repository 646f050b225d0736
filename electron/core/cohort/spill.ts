/**
 * The digests of a cohort read, collected for sorting: in memory (HashAccumulator, one flat buffer sorted at the end),
 * or, for a cohort too large for the memory target (issue #13 §4: a 10 M-row cohort plans and syncs within the memory
 * of a 5 M one), spilled to part files by their first six bits, 64 parts, each then sorted and de-duplicated on its
 * own. Digests are uniform, so the parts are of even size, and since a part holds every copy of its digests, the
 * per-part de-duplication is exact. The parts in order are the whole sorted set (sorted-parts.ts).
 *
 * Part files hold digests only (never an identifier), in a private folder (0700) of the temp directory named for
 * this process; dispose() removes it, and each new spill first removes the folders of processes that are gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makePrivateTempDir, removeStaleTempDirs } from '../temp-dirs';
import { HASH_BYTES, HashAccumulator, type ParallelSort } from './hash-set';
import { createSorter, type Sorter } from './sorter';
import { partsOfBuffer, partsOnDisk, readFileInto, type SortedParts } from './sorted-parts';

/** Above this many digests (160 MB for 5 M) a read spills: the in-memory sort holds them all at once. */
export const SPILL_ABOVE_ENTRIES = 5_500_000;
/** The spill folders' name prefix (in the temp directory). */
export const SPILL_DIR_PREFIX = 'cohort-relay-spill-';
const PART_BITS = 6;
const PARTS = 1 << PART_BITS;
/** Digests buffered per part before they are appended to its file: 64 × 512 KiB = 32 MiB in all. */
const PART_BUFFER_ENTRIES = 16_384;
/** Full buffers being written at once (off the event loop); beyond this a write waits on the loop (8 MiB more at most). */
const MAX_WRITES_IN_FLIGHT = 16;

const writeFd = (fd: number, buf: Uint8Array, off: number, len: number, pos: number) =>
  new Promise<number>((resolve, reject) => fs.write(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n))));

/** Writes `bytes` of `buf` at `pos` of `fd` (the file `file`), off the event loop. */
async function writeAll(fd: number, file: string, buf: Uint8Array, bytes: number, pos: number): Promise<void> {
  try {
    for (let off = 0; off < bytes; ) off += await writeFd(fd, buf, off, bytes - off, pos + off);
  } catch (err) {
    throw withPath(err, file);
  }
}

/** A write error names its file (a full disk is then reported with the folder it happened in). */
function withPath(err: unknown, file: string): unknown {
  if (err && typeof err === 'object' && !('path' in err)) Object.assign(err, { path: file });
  return err;
}

/**
 * The limit: COHORT_RELAY_SPILL_ABOVE (a number of digests) lowers or raises it, for a machine with less or more memory
 * to spare (and for tests); else SPILL_ABOVE_ENTRIES.
 */
export function spillLimit(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.COHORT_RELAY_SPILL_ABOVE);
  return Number.isSafeInteger(v) && v > 0 ? v : SPILL_ABOVE_ENTRIES;
}

export interface SpillOptions {
  /** Spill once more than this many digests are collected (tests pass a small number). */
  spillAbove?: number;
  /** Where the spill folder goes (default: the OS temp directory). */
  tmpRoot?: string;
}

let sorter: Sorter | undefined;

/** Collects digests; spills to part files once there are more than `spillAbove` (or from the start when that many are expected). */
export class DigestCollector {
  private mem: HashAccumulator | null;
  private spill: PartSpill | null = null;
  private readonly spillAbove: number;

  constructor(
    expected: number,
    private readonly opts: SpillOptions = {},
  ) {
    this.spillAbove = opts.spillAbove ?? spillLimit();
    if (expected > this.spillAbove) {
      this.mem = null;
      this.spill = new PartSpill(opts.tmpRoot);
    } else {
      this.mem = new HashAccumulator(expected);
    }
  }

  get count(): number {
    return this.mem ? this.mem.count : this.spill!.count;
  }

  /** Appends `n` digests from the start of `src`. */
  append(src: Uint8Array, n: number): void {
    if (this.mem) {
      if (this.mem.count + n <= this.spillAbove) {
        this.mem.append(src, n);
        return;
      }
      // More digests than the file's size promised: what is held moves to part files once.
      this.spill = new PartSpill(this.opts.tmpRoot);
      this.spill.add(this.mem.contents(), this.mem.count);
      this.mem = null;
    }
    this.spill!.add(src, n);
  }

  /** Sorts and de-duplicates; the collector must not be used afterwards. The caller disposes the parts. */
  async finish(parallel?: ParallelSort): Promise<{ set: SortedParts; duplicates: number }> {
    if (this.mem) {
      const { hashes, duplicates } = await this.mem.finish(parallel);
      this.mem = null;
      return { set: partsOfBuffer(hashes), duplicates };
    }
    return this.spill!.finish(parallel);
  }

  /** Removes any part files (a read that failed or was cancelled). */
  async dispose(): Promise<void> {
    this.mem = null;
    await this.spill?.dispose();
  }
}

/** Digests routed by their first six bits into 64 part files. */
class PartSpill {
  private readonly dir: string;
  private readonly files: string[] = [];
  private readonly fds: number[] = [];
  private readonly bufs: Uint8Array[] = [];
  private readonly words: Int32Array[] = [];
  private readonly fill = new Int32Array(PARTS);
  /** Where each part file's next buffer goes (writes in flight land at their own offsets). */
  private readonly pos = new Float64Array(PARTS);
  private readonly spare: Uint8Array[] = [];
  private readonly writes = new Set<Promise<void>>();
  private writeError: unknown = null;
  private total = 0;
  private closed = false;

  constructor(tmpRoot?: string) {
    removeStaleTempDirs(SPILL_DIR_PREFIX, tmpRoot);
    this.dir = makePrivateTempDir(SPILL_DIR_PREFIX, tmpRoot, "this cohort's sorted hashes (32 bytes a row)");
    for (let g = 0; g < PARTS; g++) {
      const file = path.join(this.dir, `part-${String(g).padStart(2, '0')}.bin`);
      this.files.push(file);
      this.fds.push(fs.openSync(file, 'w', 0o600));
      const buf = new Uint8Array(PART_BUFFER_ENTRIES * HASH_BYTES);
      this.bufs.push(buf);
      this.words.push(new Int32Array(buf.buffer));
    }
  }

  get count(): number {
    return this.total;
  }

  add(src: Uint8Array, n: number): void {
    if (this.writeError) throw this.writeError;
    const shift = 8 - PART_BITS;
    // Eight 32-bit words per digest (the reader's buffers are 4-byte aligned; a copy makes any other one so).
    const from = src.byteOffset % 4 === 0 ? src : Uint8Array.from(src.subarray(0, n * HASH_BYTES));
    const sw = new Int32Array(from.buffer, from.byteOffset, n * 8);
    for (let i = 0, p = 0; i < n; i++, p += 8) {
      const g = from[p * 4]! >>> shift;
      const dw = this.words[g]!;
      const q = this.fill[g]! * 8;
      dw[q] = sw[p]!; dw[q + 1] = sw[p + 1]!; dw[q + 2] = sw[p + 2]!; dw[q + 3] = sw[p + 3]!;
      dw[q + 4] = sw[p + 4]!; dw[q + 5] = sw[p + 5]!; dw[q + 6] = sw[p + 6]!; dw[q + 7] = sw[p + 7]!;
      if (++this.fill[g]! === PART_BUFFER_ENTRIES) this.flush(g);
    }
    this.total += n;
  }

  /**
   * Appends part g's buffer to its file. The write runs off the event loop (a synchronous one waited for the disk on
   * the engine's loop, up to 0.2 s when the page cache was full of a large cohort's files) while the part fills a spare
   * buffer; with MAX_WRITES_IN_FLIGHT already going, it is written here and now.
   */
  private flush(g: number): void {
    const bytes = this.fill[g]! * HASH_BYTES;
    if (bytes === 0) return;
    const buf = this.bufs[g]!;
    const fd = this.fds[g]!;
    const at = this.pos[g]!;
    this.pos[g] = at + bytes;
    this.fill[g] = 0;
    const next = this.spare.pop() ?? (this.writes.size < MAX_WRITES_IN_FLIGHT ? new Uint8Array(PART_BUFFER_ENTRIES * HASH_BYTES) : null);
    if (!next) {
      try {
        for (let off = 0; off < bytes; ) off += fs.writeSync(fd, buf, off, bytes - off, at + off);
      } catch (err) {
        throw withPath(err, this.files[g]!);
      }
      return;
    }
    this.bufs[g] = next;
    this.words[g] = new Int32Array(next.buffer);
    const write: Promise<void> = writeAll(fd, this.files[g]!, buf, bytes, at).then(
      () => {
        this.writes.delete(write);
        this.spare.push(buf);
      },
      (err: unknown) => {
        this.writes.delete(write);
        this.writeError ??= err;
      },
    );
    this.writes.add(write);
  }

  /** Waits for the writes in flight; throws the first that failed (e.g. a full disk). */
  private async settle(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
    if (this.writeError) throw this.writeError;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.fds) fs.closeSync(fd);
  }

  /** Sorts each part file in place (sorted, unique), one at a time, yielding between them. */
  async finish(parallel?: ParallelSort): Promise<{ set: SortedParts; duplicates: number }> {
    try {
      for (let g = 0; g < PARTS; g++) this.flush(g);
      await this.settle();
      this.close();
      this.bufs.length = 0;
      this.words.length = 0;
      this.spare.length = 0;
      let unique = 0;
      let shared: SharedArrayBuffer | null = null;
      for (const file of this.files) {
        const size = (await fs.promises.stat(file)).size;
        if (size === 0) continue;
        const count = size / HASH_BYTES;
        // A SharedArrayBuffer (reused) lets the pool's workers sort the part's buckets in parallel.
        if (parallel && typeof SharedArrayBuffer === 'function' && (!shared || shared.byteLength < size)) shared = new SharedArrayBuffer(size);
        const u8 = shared ? new Uint8Array(shared, 0, size) : new Uint8Array(size);
        await readFileInto(file, u8, 0, size);
        const w = new Int32Array(u8.buffer, 0, count * 8);
        sorter ??= createSorter();
        if (parallel && shared) {
          const ends = sorter.partitionTop(u8, w, 0, count);
          const ranges: number[] = [];
          for (let b = 0, start = 0; b < 256; start = ends[b]!, b++) if (ends[b]! - start > 1) ranges.push(start, ends[b]!);
          await parallel(shared, Int32Array.from(ranges));
        } else {
          sorter.sortRange(u8, w, 0, count, 0);
        }
        const kept = sorter.dedupe(u8, w, count);
        await writeFile(file, u8.subarray(0, kept * HASH_BYTES));
        unique += kept;
      }
      return { set: partsOnDisk(this.files, HASH_BYTES, this.dir), duplicates: this.total - unique };
    } catch (err) {
      await this.dispose();
      throw err;
    }
  }

  /** Waits for the writes in flight (an fd closed under one could be reused by another file), then removes the folder. */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.writes]);
    this.close();
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

/** Replaces `file` with `data` (which may be a view of shared memory), off the event loop. */
async function writeFile(file: string, data: Uint8Array): Promise<void> {
  const h = await fs.promises.open(file, 'w', 0o600);
  try {
    for (let off = 0; off < data.length; ) off += (await h.write(data, off, data.length - off, off)).bytesWritten;
  } catch (err) {
    throw withPath(err, file);
  } finally {
    await h.close();
  }
}
