/**
 * What a block or batch of rows yields (a kernel part, kernel.ts): digests (or multi-key tuples) in row order, counts
 * per reject reason, and the first rejects with their masked cells. It changes when a result's shape changes.
 *
 * Serialized into the hashing workers' source with the other parts (kernel.ts kernelSource): self-contained, it may
 * reference only its parameters, its own declarations and JavaScript/Node globals (imports are type-only).
 */
import type { ChunkResult, KernelDeps, KernelTask, MultiChunkResult, MultiTask, PrehashFlag } from './kernel';
import type { BatchHasher } from './kernel-batch';
import type { EmailBytes } from './kernel-email-bytes';
import type { KeyRules } from './kernel-rules';
import type { Masker } from './kernel-mask';

export interface Sink {
  reject(row: number, reason: number, raw: string | null): void;
  /** A normalized value (string path). */
  accept(normalized: string, isPrehashed: boolean): void;
  /** A normalized value in the byte path's scratch[0, n). */
  acceptScratch(n: number, isPrehashed: boolean): void;
  result(records: number, blank: number): ChunkResult;
}

export interface MultiSink {
  /** One row: `cells[base + k]` is its cell for key k (null: no such column). */
  add(row: number, cells: (string | null)[], base: number): void;
  result(records: number, blank: number): MultiChunkResult;
}

export interface Sinks {
  createSink(task: KernelTask, capacity: number, reuse: ArrayBuffer | null | undefined): Sink;
  createMultiSink(task: MultiTask, capacity: number, reuse: ArrayBuffer | null | undefined): MultiSink;
}

/** Digests are written by `batch` when it is flushed: before `out` grows and before a result is handed over. */
export function createSinks(deps: KernelDeps, rules: KeyRules, masker: Masker, bytes: EmailBytes, flag: PrehashFlag, batch: BatchHasher): Sinks {
  const { EMPTY, MISSING_COLUMN } = rules.codes;
  const { norm, writeDigest } = rules;
  const mask = masker.mask;

  /** Collects one block's outcome: digests, counts, and the first rejects with masked values. */
  /** `reuse`: a digest buffer handed back by the caller, so steady-state blocks allocate nothing. */
  function createSink(task: KernelTask, capacity: number, reuse: ArrayBuffer | null | undefined) {
    const counts: number[] = new Array<number>(deps.reasons.length).fill(0);
    const rejRows: number[] = [];
    const rejReasons: number[] = [];
    const rejMasked: string[] = [];
    // A block that threw mid-way left its queue behind: its places are not this buffer's.
    batch.reset();
    let out = reuse && reuse.byteLength >= 32 ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(Math.max(1, capacity) * 32);
    let hashCount = 0;
    let valid = 0;
    const key = task.key;
    const maxRejects = task.maxRejects;

    function reject(row: number, reason: number, raw: string | null): void {
      counts[reason]!++;
      if (rejRows.length < maxRejects) {
        rejRows.push(row);
        rejReasons.push(reason);
        rejMasked.push(raw === null ? '' : mask(key, raw));
      }
    }

    /** The next digest's offset in `out`, growing it when full. */
    function slot(): number {
      if ((hashCount + 1) * 32 > out.length) {
        batch.flush();
        const bigger = Buffer.allocUnsafeSlow(out.length * 2);
        out.copy(bigger, 0, 0, hashCount * 32);
        out = bigger;
      }
      valid++;
      return hashCount++ * 32;
    }

    /** A normalized value (string path). */
    function accept(normalized: string, isPrehashed: boolean): void {
      // slot() may grow `out`: take the slot first, then the buffer (an argument list reads `out` before calling slot()).
      const at = slot();
      if (isPrehashed || !batch.pushString(normalized, out, at)) writeDigest(normalized, isPrehashed, out, at);
    }

    /** A normalized value in scratch[0, n) (byte path). */
    function acceptScratch(n: number, isPrehashed: boolean): void {
      const at = slot();
      if (isPrehashed || !batch.pushBytes(bytes.scratch, n, out, at)) bytes.writeScratchDigest(n, isPrehashed, out, at);
    }

    function result(records: number, blank: number): ChunkResult {
      batch.flush();
      return { records, blank, valid, counts, rejRows, rejReasons, rejMasked, hashes: out.buffer as ArrayBuffer, hashCount };
    }
    return { reject, accept, acceptScratch, result };
  }

  /** Collects multi-key rows: one tuple per kept row, per-key counts, per-cell rejects. */
  function createMultiSink(task: MultiTask, capacity: number, reuse: ArrayBuffer | null | undefined) {
    const W = task.width ?? 96;
    const keys = task.keys;
    const nk = keys.length;
    const counts: number[] = new Array<number>(deps.reasons.length).fill(0);
    const perKey: number[] = new Array<number>(nk * 3).fill(0);
    const rejRows: number[] = [];
    const rejKeys: number[] = [];
    const rejReasons: number[] = [];
    const rejMasked: string[] = [];
    batch.reset();
    let out = reuse && reuse.byteLength >= W ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(Math.max(1, capacity) * W);
    let entryCount = 0;
    let valid = 0;
    let rejected = 0;
    let rows = 0;
    function reject(row: number, k: number, reason: number, raw: string | null): void {
      counts[reason]!++;
      if (rejRows.length < task.maxRejects) {
        rejRows.push(row);
        rejKeys.push(k);
        rejReasons.push(reason);
        rejMasked.push(raw === null ? '' : mask(keys[k]!, raw));
      }
    }
    /** One row: `cells[base + k]` is its cell for key k (null: no such column). */
    function add(row: number, cells: (string | null)[], base: number): void {
      rows++;
      if ((entryCount + 1) * W > out.length) {
        batch.flush();
        const bigger = Buffer.allocUnsafeSlow(out.length * 2);
        out.copy(bigger, 0, 0, entryCount * W);
        out = bigger;
      }
      const off = entryCount * W;
      out.fill(0, off, off + W);
      let good = 0;
      let bad = 0;
      for (let k = 0; k < nk; k++) {
        const raw = cells[base + k]!;
        if (raw === null) {
          perKey[3 * k + 1]!++;
          bad++;
          reject(row, k, MISSING_COLUMN, null);
          continue;
        }
        const n = norm(keys[k]!, raw, task.profile);
        if (n === EMPTY) perKey[3 * k + 2]!++;
        else if (typeof n === 'number') {
          perKey[3 * k + 1]!++;
          bad++;
          reject(row, k, n, raw);
        } else {
          perKey[3 * k]!++;
          good++;
          const at = off + task.slots[k]! * 32;
          if (flag.prehashed || !batch.pushString(n, out, at)) writeDigest(n, flag.prehashed, out, at);
        }
      }
      if (good > 0) {
        valid++;
        entryCount++;
      } else {
        rejected++;
        // Every key empty: the row is rejected as EMPTY (no cell of it was rejected on its own).
        if (bad === 0) reject(row, 0, EMPTY, '');
      }
    }
    function result(records: number, blank: number): MultiChunkResult {
      batch.flush();
      return { records, blank, rows, valid, rejected, counts, perKey, rejRows, rejKeys, rejReasons, rejMasked, entries: out.buffer as ArrayBuffer, entryCount };
    }
    return { add, result };
  }

  return { createSink, createMultiSink };
}
