/**
 * The sorted-set operations of hash-set.ts, cut into slices that yield to the event loop in between, so a
 * 5 M-entry diff, union or digest never holds the engine's loop for long (issue #13 §1: progress events and
 * status calls are answered while a sync works).
 *
 * Sets are sorted byte-wise, so entries split into key ranges by their first four bytes (SHA-256 digests are
 * uniform): each range of every input is found by binary search and handed to the synchronous operation,
 * whose results, range after range, are the whole answer in order.
 */
import { createHash } from 'node:crypto';
import { diffHashes, subtractHashes, unionHashes } from './hash-set';

/** Entries per slice across the inputs: a few milliseconds of merging. */
export const SLICE_ENTRIES = 131_072;
/** Bytes hashed between yields by digestAsync. */
const DIGEST_SLICE_BYTES = 8 << 20;

/** Lets timers, I/O and messages run before the next slice. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function prefixAt(u8: Uint8Array, i: number, width: number): number {
  const p = i * width;
  return ((u8[p]! << 24) | (u8[p + 1]! << 16) | (u8[p + 2]! << 8) | u8[p + 3]!) >>> 0;
}

/** The first entry whose four-byte prefix is ≥ value. */
function lowerBound(u8: Uint8Array, width: number, value: number): number {
  let lo = 0;
  let hi = Math.floor(u8.length / width);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prefixAt(u8, mid, width) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Runs `step` on each key range of the inputs, yielding in between; null when the inputs are small enough for one go. */
async function bySlices<T>(inputs: readonly Uint8Array[], width: number, step: (parts: Uint8Array[]) => T): Promise<T[] | null> {
  const entries = inputs.reduce((n, u) => n + Math.floor(u.length / width), 0);
  const slices = Math.ceil(entries / SLICE_ENTRIES);
  if (slices <= 1 || width < 4) return null;
  const out: T[] = [];
  let from = inputs.map(() => 0);
  for (let k = 1; k <= slices; k++) {
    const to = inputs.map((u) => (k === slices ? Math.floor(u.length / width) : lowerBound(u, width, Math.floor((k * 2 ** 32) / slices))));
    out.push(step(inputs.map((u, i) => u.subarray(from[i]! * width, to[i]! * width))));
    from = to;
    if (k < slices) await yieldToLoop();
  }
  return out;
}

/** Bytes copied between yields when the slices' results are joined. */
const JOIN_SLICE_BYTES = 16 << 20;

/** Buffer.concat(parts), copying a few megabytes at a time with a yield in between. */
async function join(parts: Buffer[]): Promise<Buffer> {
  if (parts.length === 1) return parts[0]!;
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  let since = 0;
  for (const p of parts) {
    p.copy(out, off);
    off += p.length;
    since += p.length;
    if (since >= JOIN_SLICE_BYTES) {
      since = 0;
      await yieldToLoop();
    }
  }
  return out;
}

/** subtractHashes(a, b), yielding between slices. */
export async function subtractHashesAsync(a: Uint8Array, b: Uint8Array, width = 32): Promise<Buffer> {
  // Nothing to take away: the synchronous answer is `a` itself, at once (no slices, no copy).
  if (a.length === 0 || b.length === 0) return subtractHashes(a, b, width);
  const parts = await bySlices([a, b], width, ([x, y]) => subtractHashes(x!, y!, width));
  return parts ? join(parts) : subtractHashes(a, b, width);
}

/** unionHashes(a, b), yielding between slices. */
export async function unionHashesAsync(a: Uint8Array, b: Uint8Array, width = 32): Promise<Buffer> {
  if (a.length === 0 || b.length === 0) return unionHashes(a, b, width);
  const parts = await bySlices([a, b], width, ([x, y]) => unionHashes(x!, y!, width));
  return parts ? join(parts) : unionHashes(a, b, width);
}

/** diffHashes(prev, next), yielding between slices. */
export async function diffHashesAsync(prev: Uint8Array, next: Uint8Array, width = 32): Promise<{ adds: Buffer; removes: Buffer }> {
  // Against nothing (a first sync): the other side is the answer, shared without a copy.
  if (prev.length === 0 || next.length === 0) return diffHashes(prev, next, width);
  const parts = await bySlices([prev, next], width, ([p, n]) => diffHashes(p!, n!, width));
  if (!parts) return diffHashes(prev, next, width);
  return { adds: await join(parts.map((d) => d.adds)), removes: await join(parts.map((d) => d.removes)) };
}

/** sha256 hex of the buffer, or of a set's parts in order (snapshot-repo's digestOf), yielding every few megabytes. */
export async function digestAsync(entries: Uint8Array | { parts(): AsyncIterable<Buffer> }): Promise<string> {
  const h = createHash('sha256');
  for await (const part of entries instanceof Uint8Array ? [entries] : entries.parts()) {
    for (let off = 0; off < part.length; off += DIGEST_SLICE_BYTES) {
      h.update(part.subarray(off, Math.min(off + DIGEST_SLICE_BYTES, part.length)));
      if (off + DIGEST_SLICE_BYTES < part.length) await yieldToLoop();
    }
  }
  return h.digest('hex');
}
