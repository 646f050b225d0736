/**
 * Hashing by the batch (a kernel part, kernel.ts): a sink hands each normalized value with the place its digest
 * belongs, and the values are hashed 512 at a time by the WebAssembly SIMD module (sha256-wasm.ts), four per pass.
 * That costs about a third of one `crypto.hash` call per value. A value longer than one block holds (55 bytes), one
 * with a character beyond ASCII, or a kernel without the module is left to the caller (push answers false).
 *
 * A digest is written only when the batch is flushed: a sink flushes before it grows or reads its buffer and before
 * it hands its result over (kernel-sinks.ts).
 *
 * Serialized into the hashing workers' source with the other parts (kernel.ts kernelSource): self-contained, it may
 * reference only its parameters, its own declarations and JavaScript/Node globals (imports are type-only).
 */
import type { KernelDeps } from './kernel';
import type { WasmApi } from './sha256-wasm';

export interface BatchHasher {
  /** Whether values are hashed by the batch at all (the module is there and runs). */
  on: boolean;
  /** Queues src[0, n) to have its digest written at out[off]. False: not taken (hash it now yourself). */
  pushBytes(src: Uint8Array, n: number, out: Uint8Array, off: number): boolean;
  /** Queues the UTF-8 bytes of `s` likewise; false for a value with a character beyond ASCII or too long. */
  pushString(s: string, out: Uint8Array, off: number): boolean;
  /** Hashes what is queued and writes the digests where they belong. */
  flush(): void;
  /** Drops what is queued, unhashed: a new block or batch starts clean even when the last one threw mid-way. */
  reset(): void;
}

export function createBatchHasher(deps: KernelDeps): BatchHasher {
  const CAP = 512;
  const MAX = 55;
  const BLOCKS = 0;
  const LENS = CAP * 64;
  const DIGESTS = LENS + CAP * 4;
  const offs = new Int32Array(CAP);
  let count = 0;
  let target: Uint8Array | null = null;
  let mem = new Uint8Array(0);
  let lens = new Int32Array(0);
  let hash: ((blocks: number, lens: number, out: number, count: number) => void) | null = null;
  if (deps.sha256Wasm) {
    try {
      const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      const exp = new api.Instance(deps.sha256Wasm, {}).exports as { memory: { buffer: ArrayBuffer }; hash: (blocks: number, lens: number, out: number, count: number) => void };
      if (exp.memory.buffer.byteLength >= DIGESTS + CAP * 32) {
        mem = new Uint8Array(exp.memory.buffer);
        lens = new Int32Array(exp.memory.buffer, LENS, CAP);
        hash = exp.hash;
      }
    } catch {
      hash = null;
    }
  }

  function take(out: Uint8Array): number {
    if (target !== out) {
      if (count > 0) flush();
      target = out;
    }
    return count * 64;
  }

  function queued(n: number, off: number): void {
    lens[count] = n;
    offs[count] = off;
    if (++count === CAP) flush();
  }

  function pushBytes(src: Uint8Array, n: number, out: Uint8Array, off: number): boolean {
    if (hash === null || n > MAX) return false;
    const base = take(out);
    for (let i = 0; i < n; i++) mem[base + i] = src[i]!;
    queued(n, off);
    return true;
  }

  function pushString(s: string, out: Uint8Array, off: number): boolean {
    const n = s.length;
    if (hash === null || n > MAX) return false;
    const base = take(out);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) return false;
      mem[base + i] = c;
    }
    queued(n, off);
    return true;
  }

  function flush(): void {
    if (count === 0 || hash === null || target === null) return;
    hash(BLOCKS, LENS, DIGESTS, count);
    const t = target;
    // Digests of consecutive places go over in one copy; others 32 bytes at a time.
    let i = 0;
    while (i < count) {
      let j = i + 1;
      while (j < count && offs[j] === offs[j - 1]! + 32) j++;
      if (j - i >= 4) t.set(mem.subarray(DIGESTS + i * 32, DIGESTS + j * 32), offs[i]!);
      else {
        for (let k = i; k < j; k++) {
          const from = DIGESTS + k * 32;
          const to = offs[k]!;
          for (let b = 0; b < 32; b++) t[to + b] = mem[from + b]!;
        }
      }
      i = j;
    }
    count = 0;
  }

  function reset(): void {
    count = 0;
    target = null;
  }

  return { on: hash !== null, pushBytes, pushString, flush, reset };
}
