/**
 * Set algebra on sorted, de-duplicated buffers of fixed-width entries (32-byte digests for single-key
 * audiences). Linear merges: no per-entry allocation.
 */

function cmp(a: Buffer, ai: number, b: Buffer, bi: number, w: number): number {
  return a.compare(b, bi, bi + w, ai, ai + w);
}

/** Entries in `a` or `b`. */
export function unionEntries(a: Buffer, b: Buffer, w = 32): Buffer {
  if (a.length === 0) return Buffer.from(b);
  if (b.length === 0) return Buffer.from(a);
  const out = Buffer.allocUnsafe(a.length + b.length);
  let i = 0, j = 0, o = 0;
  while (i < a.length && j < b.length) {
    const c = cmp(a, i, b, j, w);
    if (c < 0) { a.copy(out, o, i, i + w); i += w; }
    else if (c > 0) { b.copy(out, o, j, j + w); j += w; }
    else { a.copy(out, o, i, i + w); i += w; j += w; }
    o += w;
  }
  if (i < a.length) { a.copy(out, o, i); o += a.length - i; }
  if (j < b.length) { b.copy(out, o, j); o += b.length - j; }
  return out.subarray(0, o);
}

/** Entries in `a` and not in `b`. */
export function subtractEntries(a: Buffer, b: Buffer, w = 32): Buffer {
  if (a.length === 0 || b.length === 0) return Buffer.from(a);
  const out = Buffer.allocUnsafe(a.length);
  let i = 0, j = 0, o = 0;
  while (i < a.length) {
    if (j >= b.length) { a.copy(out, o, i); o += a.length - i; break; }
    const c = cmp(a, i, b, j, w);
    if (c < 0) { a.copy(out, o, i, i + w); o += w; i += w; }
    else if (c > 0) j += w;
    else { i += w; j += w; }
  }
  return out.subarray(0, o);
}
