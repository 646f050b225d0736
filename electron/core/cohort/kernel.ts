/**
 * The per-row engine of the cohort pipeline, put together from self-contained parts, one reason to change each:
 * - kernel-rules.ts: normalization, syntax checks and hashing of one key cell (TikTok's rules);
 * - kernel-mask.ts: what a reject shows of its cell;
 * - kernel-email-bytes.ts: the byte path for emails (the tuned hot loop);
 * - kernel-sinks.ts: what a block or batch yields (digests or tuples, counts, kept rejects);
 * - kernel-batch.ts: hashing the values by the batch (WebAssembly SIMD, sha256-wasm.ts);
 * - here: splitting CSV blocks into records and cells and running the parts over them (composeKernel).
 *
 * The parts and composeKernel are serialized with `Function.prototype.toString` into the source of the hashing
 * workers (kernelSource, used by worker-pool.ts), so the main thread and every worker run the very same code. That is
 * why each must stay self-contained: it may reference only its parameters, its own inner declarations and
 * JavaScript/Node globals (Buffer) — never an import or a module-level binding (their imports are type-only and
 * erased). Bundlers' `__name(...)` helper is shimmed in the worker source.
 *
 * Multi-key audiences (email + phone + MAID → one tuple per row) use processMulti: a batch of rows,
 * each with one cell per mapped key, becomes 96-byte tuples (multi-key.ts) with per-cell rejects.
 */
import type { KeyType, NormalizationProfile } from '../../../shared/domain';
import { createBatchHasher } from './kernel-batch';
import { createEmailBytes } from './kernel-email-bytes';
import { createMasker } from './kernel-mask';
import { createKeyRules } from './kernel-rules';
import { createSinks } from './kernel-sinks';

/** The subset of libphonenumber-js the kernel uses. */
export interface PhoneLib {
  parsePhoneNumberFromString(text: string, options?: { defaultCountry?: string; extract?: boolean }): { number: string; isValid(): boolean } | undefined;
}

export interface KernelDeps {
  /** REJECT_REASONS, so a reject travels between threads as its index. */
  reasons: readonly string[];
  /** SHA-256 of the UTF-8 bytes of `s`, as a 32-character latin1 string (one char per digest byte). */
  sha256Latin1(s: string): string;
  /** SHA-256 of `bytes`, likewise. */
  sha256BytesLatin1(bytes: Uint8Array): string;
  /** libphonenumber-js (max metadata); required only for the phone key. */
  phone: PhoneLib | null;
  /** The SIMD SHA-256 module (sha256-wasm.ts) that hashes values by the batch; without it every value takes a `sha256*` call. */
  sha256Wasm?: WebAssembly.Module | null;
}

/** What a block or batch needs to know: which key, how to normalize, which cell. */
export interface KernelTask {
  key: KeyType;
  profile: NormalizationProfile;
  /** Rejects kept with row and masked value (all are counted regardless). */
  maxRejects: number;
}

/** A block of whole CSV records without quote characters (the fast path). Records end at CRLF, LF or CR. */
export interface TextTask extends KernelTask {
  column: number;
  delimiter: string;
  /** Average record size in the file's sample: sizes the digest buffer. */
  bytesPerRecord: number;
}

/**
 * The outcome of one block or batch. Row references in `rejRows` are record indexes within the block
 * (text) or the row numbers the caller passed (values).
 */
export interface ChunkResult {
  /** Records seen, blank ones included (text blocks only; for value batches the number of cells). */
  records: number;
  /** Records whose cells are all empty: skipped, not counted as read. */
  blank: number;
  valid: number;
  /** Rejects per reason index. */
  counts: number[];
  rejRows: number[];
  rejReasons: number[];
  rejMasked: string[];
  /** `hashCount` 32-byte digests from offset 0, in row order, duplicates included (the buffer may be larger). */
  hashes: ArrayBuffer;
  hashCount: number;
}

/**
 * A batch of multi-key rows: `keys[k]` fills the 32-byte position `slots[k]` of a `width`-byte tuple (default 96:
 * 0 email, 1 phone, 2 maid; wider tuples hold several values of a key, multi-key.ts TupleLayout).
 */
export interface MultiTask {
  keys: KeyType[];
  slots: number[];
  width?: number;
  profile: NormalizationProfile;
  /** Rejected cells kept with row and masked value (all are counted regardless). */
  maxRejects: number;
}

/** A block of whole quote-free CSV records (UTF-8) for a multi-key cohort: `columns[k]` holds key k. Records end at CRLF, LF or CR. */
export interface MultiTextTask extends MultiTask {
  columns: number[];
  delimiter: string;
}

/** The outcome of a multi-key batch. */
export interface MultiChunkResult {
  /** Records seen, blank ones included (text blocks; for cell batches the number of rows). */
  records: number;
  /** Blank records (every cell empty): skipped, not counted as read. */
  blank: number;
  /** Rows read (not blank). */
  rows: number;
  /** Rows kept: at least one valid key. */
  valid: number;
  /** Rows without a valid key. */
  rejected: number;
  /** Per reason index: rejected cells, plus one EMPTY per rejected row whose keys were all empty. */
  counts: number[];
  /** Per key k: [3k] valid, [3k+1] rejected, [3k+2] empty cells. */
  perKey: number[];
  /** The kept rejects: row number (as passed; a text block's record index), key index, reason index, masked cell. */
  rejRows: number[];
  rejKeys: number[];
  rejReasons: number[];
  rejMasked: string[];
  /** `entryCount` 96-byte tuples from offset 0, in row order, duplicates included. */
  entries: ArrayBuffer;
  entryCount: number;
}

/** A normalized value, or the index of the reject reason. */
export type NormOutcome = string | number;

export interface Kernel {
  /** Normalizes one raw cell. After a string result, `wasPrehashed()` tells whether it was a SHA-256 already. */
  norm(key: KeyType, raw: string, profile: NormalizationProfile): NormOutcome;
  wasPrehashed(): boolean;
  /** A display-safe masked form of a raw cell: never the whole value. */
  mask(key: KeyType, raw: string): string;
  isEmail(s: string): boolean;
  /** Writes the 32-byte digest of a normalized value (or the bytes of a passed-through hash) at `off`. */
  writeDigest(normalized: string, prehashed: boolean, out: Buffer, off: number): void;
  /** Test hooks for the byte path: isEmailBytes on a buffer, emailBytes into `scratch`. */
  isEmailBytes(b: Uint8Array, n: number): boolean;
  emailBytes(b: Uint8Array, s: number, e: number, strip: boolean): number;
  scratch: Uint8Array;
  /** A block of whole quote-free CSV records (UTF-8). */
  processBytes(bytes: Buffer, task: TextTask, out?: ArrayBuffer | null): ChunkResult;
  /** `values[i] === null` means the record had no such column. */
  processValues(values: (string | null)[], rows: ArrayLike<number>, task: KernelTask, out?: ArrayBuffer | null): ChunkResult;
  /** Multi-key rows: `cells[r * keys.length + k]` is row r's cell for key k (null: no such column). */
  processMulti(cells: (string | null)[], rows: ArrayLike<number>, task: MultiTask, out?: ArrayBuffer | null): MultiChunkResult;
  /** Multi-key rows from a block of whole quote-free CSV records (split as CsvParser splits them). */
  processMultiBytes(bytes: Buffer, task: MultiTextTask, out?: ArrayBuffer | null): MultiChunkResult;
}

/** Builds a kernel over its dependencies (hash function, phone library), in any thread. */

/** Set by the key rules and the byte path: whether the value just normalized was a SHA-256 already. */
export interface PrehashFlag {
  prehashed: boolean;
}

/** The parts a kernel is made of, passed in so that composeKernel stays self-contained. */
export interface KernelParts {
  createKeyRules: typeof createKeyRules;
  createMasker: typeof createMasker;
  createEmailBytes: typeof createEmailBytes;
  createSinks: typeof createSinks;
  createBatchHasher: typeof createBatchHasher;
}

const KERNEL_PARTS: KernelParts = { createKeyRules, createMasker, createEmailBytes, createSinks, createBatchHasher };

/** Builds a kernel over its dependencies (hash function, phone library), on this thread. */
export function createKernel(deps: KernelDeps): Kernel {
  return composeKernel(deps, KERNEL_PARTS);
}

/**
 * The kernel's JavaScript for a worker: defines `createKernel(deps)` from the very functions this build runs here.
 * `__name` (the helper esbuild's keepNames inserts) must be defined before it.
 */
export function kernelSource(): string {
  const parts = (Object.keys(KERNEL_PARTS) as (keyof KernelParts)[]).map((k) => `${k}: ${KERNEL_PARTS[k].toString()}`).join(',\n');
  return `const kernelParts = {\n${parts}\n};\nconst createKernel = (deps) => (${composeKernel.toString()})(deps, kernelParts);\n`;
}

/** Puts the parts together and runs them over blocks of CSV text and batches of cells. */
export function composeKernel(deps: KernelDeps, parts: KernelParts): Kernel {
  const flag: PrehashFlag = { prehashed: false };
  const rules = parts.createKeyRules(deps, flag);
  const masker = parts.createMasker();
  const bytes = parts.createEmailBytes(deps, rules, flag);
  const batch = parts.createBatchHasher(deps);
  const { createSink, createMultiSink } = parts.createSinks(deps, rules, masker, bytes, flag, batch);
  const { EMPTY, MISSING_COLUMN } = rules.codes;
  const norm = rules.norm;
  const { emailBytes, emailCell, cell, FALLBACK } = bytes;
  const EMPTY_CODE = -1 - EMPTY;
  type Sink = ReturnType<typeof createSink>;

  /** The string path for one cell. */
  function cellString(sink: Sink, row: number, raw: string | null, key: KeyType, profile: NormalizationProfile): void {
    if (raw === null) {
      sink.reject(row, MISSING_COLUMN, null);
      return;
    }
    const r = norm(key, raw, profile);
    if (typeof r === 'number') sink.reject(row, r, raw);
    else sink.accept(r, flag.prehashed);
  }

  function isSpaceByte(c: number): boolean {
    return c === 32 || (c >= 9 && c <= 13);
  }

  /**
   * Splits quote-free CSV bytes exactly as CsvParser (and Python's csv module) splits text: records
   * end at CRLF, LF or a lone CR, cells at `delimiter` (kernel.test.ts checks this against CsvParser)
   * and runs the key cell of each record. A record of only delimiters and whitespace is blank:
   * skipped, but it keeps its row number.
   */
  function processBytes(b: Buffer, task: TextTask, reuse?: ArrayBuffer | null): ChunkResult {
    if (task.key === 'email') return processEmailBytes(b, task, reuse);
    const n = b.length;
    const delim = task.delimiter.charCodeAt(0);
    const col = task.column;
    const key = task.key;
    const profile = task.profile;
    const sink = blockSink(task, n, reuse);
    let records = 0;
    let blank = 0;
    let pos = 0;
    while (pos < n) {
      const row = records++;
      // Walk to the key cell: count delimiters, stop at the record's end.
      let i = pos;
      let k = 0;
      let fs = pos;
      let fe = -1;
      let recEnd = -1;
      for (; i < n; i++) {
        const c = b[i]!;
        if (c === delim) {
          if (k === col) {
            fe = i;
            break;
          }
          k++;
          fs = i + 1;
        } else if (c === 10 || c === 13) {
          recEnd = i;
          if (k === col) fe = i;
          break;
        }
      }
      if (i >= n) {
        recEnd = n;
        if (k === col) fe = n;
      }
      // The key cell ended at a delimiter: the record ends at the next line end.
      if (recEnd < 0) recEnd = lineEnd(b, fe + 1, n);
      if (fe < 0 || isSpaceOnlyBytes(b, fs, fe)) {
        // No such cell, or an empty one: a blank record is skipped; otherwise it is a reject.
        if (isBlankBytes(b, pos, recEnd, delim)) blank++;
        else if (fe < 0) sink.reject(row, MISSING_COLUMN, null);
        else sink.reject(row, EMPTY, '');
      } else {
        cellString(sink, row, b.toString('utf8', fs, fe), key, profile);
      }
      pos = afterLineEnd(b, recEnd);
    }
    return sink.result(records, blank);
  }

  /**
   * processBytes for the email key, the hot loop of a large cohort: the key cell is found, lowercased, checked and
   * copied for hashing in one pass over its bytes (emailCell), which stops at the cell's delimiter or line end.
   */
  function processEmailBytes(b: Buffer, task: TextTask, reuse?: ArrayBuffer | null): ChunkResult {
    const n = b.length;
    const delim = task.delimiter.charCodeAt(0);
    const col = task.column;
    const profile = task.profile;
    const strip = profile.emailStripPlusAndDots;
    const sink = blockSink(task, n, reuse);
    let records = 0;
    let blank = 0;
    let pos = 0;
    while (pos < n) {
      const row = records++;
      // Walk to the key cell: count delimiters, stop at the record's end.
      let fs = pos;
      let recEnd = -1;
      for (let k = 0; k < col; k++) {
        let i = fs;
        while (i < n) {
          const c = b[i]!;
          if (c === delim || c === 10 || c === 13) break;
          i++;
        }
        if (i >= n || b[i] !== delim) {
          recEnd = i;
          break;
        }
        fs = i + 1;
      }
      if (recEnd >= 0) {
        // The record ends before its key cell.
        if (isBlankBytes(b, pos, recEnd, delim)) blank++;
        else sink.reject(row, MISSING_COLUMN, null);
      } else {
        const r = emailCell(b, fs, n, strip, delim);
        const fe = cell.end;
        recEnd = fe;
        // The key cell ended at a delimiter: the record ends at the next line end.
        if (fe < n && b[fe] === delim) recEnd = lineEnd(b, fe + 1, n);
        if (r >= 0) sink.acceptScratch(r, flag.prehashed);
        else if (r === EMPTY_CODE || (r === FALLBACK && isSpaceOnlyBytes(b, fs, fe))) {
          // An empty cell: a blank record is skipped; otherwise it is a reject.
          if (isBlankBytes(b, pos, recEnd, delim)) blank++;
          else sink.reject(row, EMPTY, '');
        } else if (r === FALLBACK) cellString(sink, row, b.toString('utf8', fs, fe), 'email', profile);
        else sink.reject(row, -1 - r, b.toString('utf8', fs, fe));
      }
      pos = afterLineEnd(b, recEnd);
    }
    return sink.result(records, blank);
  }

  /** A block's sink, sized from the sample's average record (it grows if the block holds more). */
  function blockSink(task: TextTask, bytes: number, reuse: ArrayBuffer | null | undefined) {
    return createSink(task, Math.ceil(bytes / Math.max(8, task.bytesPerRecord * 0.8)) + 64, reuse);
  }

  /** The first CR or LF from `from` on, else `n` (a JIT loop beats Buffer#indexOf's call cost on short rows). */
  function lineEnd(b: Uint8Array, from: number, n: number): number {
    for (let j = from; j < n; j++) {
      const c = b[j]!;
      if (c === 10 || c === 13) return j;
    }
    return n;
  }

  /** Where the record after one that ends at `end` starts (CRLF is one line end). */
  function afterLineEnd(b: Uint8Array, end: number): number {
    return end + (b[end] === 13 && b[end + 1] === 10 ? 2 : 1);
  }

  function isSpaceOnlyBytes(b: Uint8Array, start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (!isSpaceByte(b[i]!)) return false;
    return true;
  }

  /** Only delimiters and whitespace (ASCII, or the non-breaking space as UTF-8 C2 A0). */
  function isBlankBytes(b: Uint8Array, start: number, end: number, delim: number): boolean {
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c === delim || isSpaceByte(c)) continue;
      if (c === 0xc2 && b[i + 1] === 0xa0) {
        i++;
        continue;
      }
      return false;
    }
    return true;
  }

  function processValues(values: (string | null)[], rows: ArrayLike<number>, task: KernelTask, reuse?: ArrayBuffer | null): ChunkResult {
    const sink = createSink(task, values.length, reuse);
    for (let i = 0; i < values.length; i++) {
      const raw = values[i]!;
      if (raw !== null && raw.trim() === '') sink.reject(rows[i]!, EMPTY, '');
      else cellString(sink, rows[i]!, raw, task.key, task.profile);
    }
    return sink.result(values.length, 0);
  }

  function processMulti(cells: (string | null)[], rows: ArrayLike<number>, task: MultiTask, reuse?: ArrayBuffer | null): MultiChunkResult {
    const nk = task.keys.length;
    const nRows = nk === 0 ? 0 : Math.floor(cells.length / nk);
    const sink = createMultiSink(task, nRows, reuse);
    for (let r = 0; r < nRows; r++) sink.add(rows[r]!, cells, r * nk);
    return sink.result(nRows, 0);
  }

  function processMultiBytes(b: Buffer, task: MultiTextTask, reuse?: ArrayBuffer | null): MultiChunkResult {
    const n = b.length;
    const delim = task.delimiter.charCodeAt(0);
    const nk = task.columns.length;
    // keyOf[column] = key index, or -1 for a column no key reads.
    let lastCol = 0;
    for (const c of task.columns) lastCol = Math.max(lastCol, c);
    const keyOf = new Int32Array(lastCol + 1).fill(-1);
    task.columns.forEach((c, k) => {
      keyOf[c] = k;
    });
    const cells: (string | null)[] = new Array<string | null>(nk).fill(null);
    const sink = createMultiSink(task, Math.ceil(n / 32) + 64, reuse);
    let records = 0;
    let blank = 0;
    let pos = 0;
    while (pos < n) {
      const row = records++;
      const recEnd = lineEnd(b, pos, n);
      if (isBlankBytes(b, pos, recEnd, delim)) {
        blank++;
      } else {
        for (let k = 0; k < nk; k++) cells[k] = null;
        let col = 0;
        let fs = pos;
        for (let i = pos; i <= recEnd && col <= lastCol; i++) {
          if (i === recEnd || b[i] === delim) {
            const k = keyOf[col]!;
            if (k >= 0) cells[k] = b.toString('utf8', fs, i);
            col++;
            fs = i + 1;
          }
        }
        sink.add(row, cells, 0);
      }
      pos = afterLineEnd(b, recEnd);
    }
    return sink.result(records, blank);
  }


  return {
    norm,
    wasPrehashed: () => flag.prehashed,
    mask: masker.mask,
    isEmail: rules.isEmail,
    isEmailBytes: bytes.isEmailBytes,
    emailBytes,
    scratch: bytes.scratch,
    writeDigest: rules.writeDigest,
    processBytes,
    processValues,
    processMulti,
    processMultiBytes,
  };
}
