/**
 * Worker threads that run the kernel (normalize + SHA-256) on blocks of CSV text or batches of cells.
 * The worker code is an inline string built from the kernel's own source (kernel.ts kernelSource; `new Worker(code, { eval:
 * true })`), so it runs the same under vitest, tsx and bundled builds, with no worker file to ship.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { REJECT_REASONS } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { kernelSource, type createKernel, type ChunkResult, type KernelTask, type MultiChunkResult, type MultiTask, type MultiTextTask, type PhoneLib, type TextTask } from './kernel';
import { mainKernel, TEST_VECTORS } from './normalize';
import { sha256WasmModule } from './sha256-wasm';
import { createSorter } from './sorter';

/**
 * A task. `out` is a digest buffer from an earlier result, handed back for reuse; the text block's
 * `buffer` comes back too (TaskOutcome.block), so steady-state reading allocates nothing per block.
 */
export type WorkerRequest =
  | { id: number; kind: 'text'; buffer: ArrayBuffer; start: number; end: number; task: TextTask; out: ArrayBuffer | null }
  | { id: number; kind: 'values'; values: (string | null)[]; rows: Float64Array; task: KernelTask; out: ArrayBuffer | null };

/** A batch of multi-key rows (kernel.processMulti); `out` is an entries buffer handed back for reuse. */
export type MultiRequest =
  | { id: number; kind: 'multi'; cells: (string | null)[]; rows: Float64Array; task: MultiTask; out: ArrayBuffer | null }
  | { id: number; kind: 'multiText'; buffer: ArrayBuffer; start: number; end: number; task: MultiTextTask; out: ArrayBuffer | null };

/** Sort entry ranges [lo, hi) (pairs) of a shared digest buffer, from byte 1 (byte 0 is shared per range). */
interface SortRequest {
  id: number;
  kind: 'sort';
  buffer: SharedArrayBuffer;
  ranges: Int32Array;
}

export interface TaskOutcome {
  result: ChunkResult;
  /** The text block's buffer, returned for reuse. */
  block: ArrayBuffer | null;
}

/** A worker's answer before the caller knows which kind of result it is. */
interface RawOutcome {
  result: ChunkResult | MultiChunkResult | null;
  block: ArrayBuffer | null;
}

type WorkerReply =
  | { id: number; ok: true; result: ChunkResult | MultiChunkResult | null; block: ArrayBuffer | null }
  | { id: number; ok: false; message: string }
  | { ready: true; probe: string | null; error?: string };

interface WorkerInit {
  reasons: readonly string[];
  phoneModulePath: string | null;
  probe: { input: string };
  /** The SIMD SHA-256 module, compiled once here (null: hash with node:crypto). */
  sha256Wasm: WebAssembly.Module | null;
}

/** Runs inside each worker (serialized with toString: it may use only its parameters and globals). */
function workerMain(makeKernel: typeof createKernel, makeSorter: typeof createSorter, req: (id: string) => unknown): void {
  const wt = req('node:worker_threads') as typeof import('node:worker_threads');
  const nodeCrypto = req('node:crypto') as typeof import('node:crypto');
  const port = wt.parentPort!;
  const init = wt.workerData as WorkerInit;
  let kernel: ReturnType<typeof createKernel>;
  try {
    const oneShot = typeof nodeCrypto.hash === 'function';
    const sha256Latin1 = oneShot ? (s: string) => nodeCrypto.hash('sha256', s, 'binary') : (s: string) => nodeCrypto.createHash('sha256').update(s).digest('binary');
    const sha256BytesLatin1 = oneShot ? (b: Uint8Array) => nodeCrypto.hash('sha256', b, 'binary') : (b: Uint8Array) => nodeCrypto.createHash('sha256').update(b).digest('binary');
    const phone = init.phoneModulePath ? (req(init.phoneModulePath) as PhoneLib) : null;
    kernel = makeKernel({ reasons: init.reasons, sha256Latin1, sha256BytesLatin1, phone, sha256Wasm: init.sha256Wasm });
    // A probe the pool checks against the main thread, so a mis-serialized kernel is caught at once.
    const probeOut = Buffer.alloc(32);
    const profile = { emailStripPlusAndDots: false, phoneKeepPlus: false, defaultCountry: null };
    const n = kernel.norm('email', init.probe.input, profile);
    if (typeof n === 'string') kernel.writeDigest(n, kernel.wasPrehashed(), probeOut, 0);
    // The same value through a sink, which hashes by the batch: both ways must agree.
    const viaSink = kernel.processValues([init.probe.input], [0], { key: 'email', profile, maxRejects: 1 }, null);
    const sinkHex = viaSink.hashCount === 1 ? Buffer.from(viaSink.hashes, 0, 32).toString('hex') : null;
    const probe = typeof n === 'string' && sinkHex === probeOut.toString('hex') ? sinkHex : null;
    port.postMessage({ ready: true, probe });
    // One pass of the hot loop over a synthetic block right after the probe, so the byte path has its type feedback
    // before the first real block. More passes (there were 8) mostly ran before the optimized code existed and held
    // the first real blocks back: plan took about 0.15 s more CPU at 0.5 M rows, 0.2 s at 5 M.
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) lines.push(`${i % 5 === 0 ? ' User' : 'user'}.${i}@example${i % 7}.com,name ${i},2025-01-01`);
    const warm = Buffer.from(lines.join('\n'));
    const warmTask = { key: 'email' as const, profile: { emailStripPlusAndDots: false, phoneKeepPlus: false, defaultCountry: null }, maxRejects: 10, column: 0, delimiter: ',', bytesPerRecord: 40 };
    kernel.processBytes(warm, warmTask, null);
  } catch (err) {
    port.postMessage({ ready: true, probe: null, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  const sorter = makeSorter();
  port.on('message', (msg: WorkerRequest | SortRequest | MultiRequest) => {
    try {
      if (msg.kind === 'multi' || msg.kind === 'multiText') {
        const multi = msg.kind === 'multi' ? kernel.processMulti(msg.cells, msg.rows, msg.task, msg.out) : kernel.processMultiBytes(Buffer.from(msg.buffer, msg.start, msg.end - msg.start), msg.task, msg.out);
        const block = msg.kind === 'multiText' ? msg.buffer : null;
        port.postMessage({ id: msg.id, ok: true, result: multi, block }, block ? [multi.entries, block] : [multi.entries]);
        return;
      }
      if (msg.kind === 'sort') {
        const u8 = new Uint8Array(msg.buffer);
        const w = new Int32Array(msg.buffer);
        for (let i = 0; i < msg.ranges.length; i += 2) sorter.sortRange(u8, w, msg.ranges[i]!, msg.ranges[i + 1]!, 1);
        port.postMessage({ id: msg.id, ok: true, result: null, block: null });
        return;
      }
      let result: ChunkResult;
      let block: ArrayBuffer | null = null;
      if (msg.kind === 'text') {
        result = kernel.processBytes(Buffer.from(msg.buffer, msg.start, msg.end - msg.start), msg.task, msg.out);
        block = msg.buffer;
      } else result = kernel.processValues(msg.values, msg.rows, msg.task, msg.out);
      port.postMessage({ id: msg.id, ok: true, result, block }, block ? [result.hashes, block] : [result.hashes]);
    } catch (err) {
      port.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) });
    }
  });
}

let cachedSource: string | undefined;

/** The worker's JavaScript: the kernel and workerMain as they exist in this build. */
export function workerSource(): string {
  // `__name` is the helper esbuild (tsx, keepNames) inserts into function bodies; a no-op here.
  cachedSource ??= `'use strict';\nconst __name = (f) => f;\n${kernelSource()}const createSorter = ${createSorter.toString()};\n(${workerMain.toString()})(createKernel, createSorter, require);\n`;
  return cachedSource;
}

/** The batch hasher's module for the workers; `COHORT_RELAY_BATCH_HASH=off` hashes every value with node:crypto instead (to compare). */
function batchHashModule(): WebAssembly.Module | null {
  return process.env.COHORT_RELAY_BATCH_HASH === 'off' ? null : sha256WasmModule();
}

let phonePath: string | null | undefined;

/** Where libphonenumber-js (max) lives, for workers to require; null when it cannot be resolved. */
function phoneModulePath(): string | null {
  if (phonePath === undefined) {
    try {
      phonePath = createRequire(import.meta.url).resolve('libphonenumber-js/max');
    } catch {
      phonePath = null;
    }
  }
  return phonePath;
}

/**
 * Each worker's young generation (V8's nursery), in MB. A worker's garbage is almost all short-lived (a digest string
 * per row): left to itself V8 grows the nursery to 16 MB semi-spaces, memory first touched for nothing; a small one
 * is collected often and cheaply. Peak RSS of a 5 M-row email plan 278 -> 262-268 MB at 2 MB (400 k phone rows: 151 ->
 * 140 MB). 4 MB halves the collections of that plan (`--trace-gc`: 369 -> 190 scavenges, 261 -> 160 ms of both
 * workers' time) for about 2 MB more; 8 MB saves no more time (103 scavenges, 163 ms).
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/** Default worker count: one per core, at most 4 (hashing stops scaling before the disk does). */
export function defaultWorkerCount(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cores));
}

interface Slot {
  worker: Worker;
  busy: number;
}

/**
 * A fixed set of kernel workers. With size 0 (or when workers cannot start) every task runs on the
 * calling thread, with identical results.
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { resolve: (r: RawOutcome) => void; reject: (e: unknown) => void; slot: Slot | null }>();
  private nextId = 1;
  private failure: AppError | null = null;
  private closed = false;

  private constructor() {}

  /** Starts `size` workers and waits until each has passed its probe. `phone`: load libphonenumber in them. */
  static async open(size: number, opts: { phone: boolean }): Promise<HashPool> {
    const pool = new HashPool();
    const modulePath = opts.phone ? phoneModulePath() : null;
    if (size <= 0 || (opts.phone && !modulePath)) return pool;
    const vector = TEST_VECTORS[0]!;
    const init: WorkerInit = { reasons: REJECT_REASONS, phoneModulePath: modulePath, probe: { input: vector.input }, sha256Wasm: batchHashModule() };
    const started = await Promise.allSettled(
      Array.from({ length: size }, () => new Promise<Worker>((resolve, reject) => {
        const worker = new Worker(workerSource(), { eval: true, workerData: init, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
        const onError = (err: unknown) => reject(err);
        worker.once('error', onError);
        worker.once('message', (m: WorkerReply) => {
          worker.off('error', onError);
          if ('ready' in m && m.probe === vector.expected) resolve(worker);
          else {
            void worker.terminate();
            reject(new Error('error' in m && m.error ? m.error : 'the worker kernel failed its probe'));
          }
        });
      })),
    );
    for (const s of started) if (s.status === 'fulfilled') pool.attach(s.value);
    if (pool.slots.length < size) {
      // Workers are an optimization: if they cannot start here, the calling thread does the work.
      await pool.close();
      return new HashPool();
    }
    return pool;
  }

  /** Workers running (0 = tasks run on the calling thread). */
  get size(): number {
    return this.slots.length;
  }

  /** Tasks sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  private attach(worker: Worker): void {
    const slot: Slot = { worker, busy: 0 };
    this.slots.push(slot);
    worker.on('message', (m: WorkerReply) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      slot.busy--;
      if (m.ok) p.resolve({ result: m.result, block: m.block });
      else p.reject(new AppError('INTERNAL', `Hashing failed in a worker: ${m.message}`));
    });
    worker.on('error', (err) => this.fail(new AppError('INTERNAL', `A hashing worker stopped: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new AppError('INTERNAL', `A hashing worker exited unexpectedly (code ${code}).`));
    });
  }

  private fail(err: AppError): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Runs a task; its buffers (text block, `out`) are transferred, not copied. */
  run(req: WorkerRequest): Promise<TaskOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.slots.length === 0) {
      try {
        const k = mainKernel();
        if (req.kind === 'text') return Promise.resolve({ result: k.processBytes(Buffer.from(req.buffer, req.start, req.end - req.start), req.task, req.out), block: req.buffer });
        return Promise.resolve({ result: k.processValues(req.values, req.rows, req.task, req.out), block: null });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const transfer: ArrayBuffer[] = req.kind === 'text' ? [req.buffer] : [];
    if (req.out) transfer.push(req.out);
    return this.send<TaskOutcome>(slot, req, transfer);
  }

  /**
   * Runs a multi-key batch (kernel.processMulti / processMultiBytes) on the least busy worker, or here
   * without workers. A text block's buffer comes back as `block`, like run()'s.
   */
  runMulti(req: MultiRequest): Promise<{ result: MultiChunkResult; block: ArrayBuffer | null }> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.slots.length === 0) {
      try {
        const k = mainKernel();
        if (req.kind === 'multi') return Promise.resolve({ result: k.processMulti(req.cells, req.rows, req.task, req.out), block: null });
        return Promise.resolve({ result: k.processMultiBytes(Buffer.from(req.buffer, req.start, req.end - req.start), req.task, req.out), block: req.buffer });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const transfer: ArrayBuffer[] = req.kind === 'multiText' ? [req.buffer] : [];
    if (req.out) transfer.push(req.out);
    return this.send<RawOutcome>(slot, req, transfer).then((o) => ({ result: o.result as MultiChunkResult, block: o.block }));
  }

  /**
   * Sorts entry ranges of a shared buffer (pairs lo, hi; each range shares byte 0) in the workers,
   * split into contiguous groups of about equal size. Without workers, sorts here, yielding between buckets.
   */
  async sortRanges(buffer: SharedArrayBuffer, ranges: Int32Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.slots.length === 0) {
      const s = createSorter();
      const u8 = new Uint8Array(buffer);
      const w = new Int32Array(buffer);
      // On the calling thread (the engine's loop): a yield after every few megabytes of buckets.
      for (let i = 0, work = 0; i < ranges.length; i += 2) {
        s.sortRange(u8, w, ranges[i]!, ranges[i + 1]!, 1);
        work += ranges[i + 1]! - ranges[i]!;
        if (work >= 131_072 && i + 2 < ranges.length) {
          work = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      return;
    }
    let total = 0;
    for (let i = 0; i < ranges.length; i += 2) total += ranges[i + 1]! - ranges[i]!;
    const per = total / this.slots.length;
    const jobs: Promise<RawOutcome>[] = [];
    let from = 0;
    let acc = 0;
    for (let s = 0; s < this.slots.length; s++) {
      let to = from;
      const target = per * (s + 1);
      while (to < ranges.length && (acc < target || s === this.slots.length - 1)) {
        acc += ranges[to + 1]! - ranges[to]!;
        to += 2;
      }
      if (to > from) jobs.push(this.send(this.slots[s]!, { id: this.id(), kind: 'sort', buffer, ranges: ranges.slice(from, to) }, []));
      from = to;
    }
    await Promise.all(jobs);
  }

  /** Posts a request; `T` is the outcome shape its kind answers with (the reply's result is not checked). */
  private send<T extends RawOutcome>(slot: Slot, req: WorkerRequest | SortRequest | MultiRequest, transfer: ArrayBuffer[]): Promise<T> {
    slot.busy++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req.id, { resolve: resolve as (r: RawOutcome) => void, reject, slot });
      slot.worker.postMessage(req, transfer);
    });
  }

  /** A fresh task id. */
  id(): number {
    return this.nextId++;
  }

  /** Stops the workers; pending tasks are rejected with CANCELLED. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new AppError('CANCELLED', 'The file read was stopped.');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
