/**
 * The block reader both cohort readers are built on (readCohort: one key, readCohortMulti: up to three):
 * - readCohortFile opens the file verified (csv-file.ts: stat before and after, read again once a changed
 *   file settles), starts the hashing workers while it is sampled (sniff.ts, with the hasHeader and
 *   delimiter overrides), resolves the reader's columns, reads, verifies, and lets the reader finish;
 * - BlockRun walks the file once (scan.ts: blocks of quote-free UTF-8 for the workers, CsvParser records
 *   otherwise, Windows-1252 from the first bytes that are not UTF-8 after an ASCII sample), dispatches the
 *   work, merges the results in file order (row numbers, kept rejects with their column), reports
 *   progress and stops on abort.
 * A reader adds only its per-row key handling: the tasks it sends and what it keeps of each result.
 */
import path from 'node:path';
import { validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max';
import { AppError } from '../../../shared/errors';
import { REJECT_REASONS, REJECT_REASON_TEXT, type KeyType, type NormalizationProfile, type RejectReason } from '../../../shared/domain';
import { readVerified, type CsvFile, type VerifyOptions } from './csv-file';
import { normalize } from './normalize';
import { BlockBuffers, scanCsv, throwIfAborted, type ScanTarget } from './scan';
import { sniffFile, type CsvDelimiter, type CsvSample } from './sniff';
import { defaultWorkerCount, HashPool } from './worker-pool';

export interface CohortProgress {
  bytesRead: number;
  totalBytes: number;
  /** Data rows read so far (blank rows and the header left out). */
  rows: number;
}

/** One rejected row (multi-key: one rejected cell). Never the raw value: `masked` shows just enough to find it. */
export interface RejectRecord {
  /** 1-based row number as a spreadsheet shows it (the header is row 1). */
  row: number;
  /** The column's name (header text or "Column N"). */
  column: string;
  reason: RejectReason;
  masked: string;
  /**
   * Multi-key only: whether the row itself was kept (another key of it is usable, so the person is sent) or dropped
   * (no usable key at all). Undefined for a single-key read, where every rejected row is dropped.
   */
  rowKept?: boolean;
}

/** The options every cohort read takes. */
export interface BlockReadOptions {
  path: string;
  /** Aborting rejects with AppError CANCELLED. */
  signal?: AbortSignal;
  /** Called as blocks complete (a few times a second at most) and once at the end. */
  onProgress?: (p: CohortProgress) => void;
  /** Rejects kept with row number and masked value (default 100,000; rows, or cells for multi-key); counts are always exact. */
  maxRejects?: number;
  /** Hashing worker threads (default: none below 2 MB, else one per core, at most 4; 0 = the calling thread only). */
  workers?: number;
  /** Overrides header detection. */
  hasHeader?: boolean;
  /** Overrides delimiter detection. */
  delimiter?: CsvDelimiter;
  /** How to wait for a file that changes while it is read (defaults: 2 s quiet, 3 reads, 60 s at most). */
  verify?: VerifyOptions;
}

/** What every task result carries for the shared merge. */
export interface BlockResult {
  /** Records seen, blank ones included (text blocks; for batches see the kernel). */
  records: number;
  /** Rejects per reason index. */
  counts: number[];
  /** The kept rejects: row number (a text block's record index, else the row as passed), reason index, masked value. */
  rejRows: number[];
  rejReasons: number[];
  rejMasked: string[];
}

/**
 * Where a task's rows came from, kept until its result is merged, so a reader can look at a rejected row again
 * (markRejects): a text block (its bytes come back with the result) or a batch of key cells.
 */
export type ChunkSource = { kind: 'text'; buffer: ArrayBufferLike; offset: number; length: number } | { kind: 'cells'; cells: readonly (string | null)[]; rows: Float64Array };

/** A finished task: its result and the block buffer it was given back (for the next block). */
export interface BlockOutcome<R> {
  result: R;
  block: ArrayBuffer | null;
}

const PROGRESS_EVERY_MS = 100;
/**
 * The rejects that show a key cut short, in a last row with no line end: what a cut leaves of an email, phone, ad id
 * or hash. Not an empty cell (nothing was cut from it), and not a phone without its country code (cut or whole, it
 * has none), nor an all-zero ad id.
 */
const CUT_REASONS: readonly RejectReason[] = ['INVALID_EMAIL', 'INVALID_PHONE', 'INVALID_MAID', 'INVALID_HASH'];
const HEX = /^[0-9a-f]+$/;
/** What a cut leaves of an ad id written as a UUID: its first characters, 8-4-4-4-12. */
const UUID_PREFIX = /^[0-9a-f]{1,8}(?:-(?:[0-9a-f]{0,4}(?:-(?:[0-9a-f]{0,4}(?:-(?:[0-9a-f]{0,4}(?:-[0-9a-f]{0,11})?)?)?)?)?)?)?$/;
/** Only what a phone number is written with, and a digit. */
const PHONE_CHARS = /^[0-9+\s().-]*[0-9][0-9+\s().-]*$/;

/**
 * `raw`, a key cell rejected as invalid, has the shape of a valid key cut short (not of a value that was never a key,
 * such as "n/a", "unknown" or "not-an-email"):
 * - an email with a local part and "@" that a domain ending would make valid ("c@", "c@exa", "c@example.", "c@exa-");
 * - a phone of digits, "+", spaces, dashes and parentheses too short for its country (or, with none, under 6 digits);
 * - hex shorter than 64 characters (a SHA-256 cut; in an email or phone column with a digit and a letter), or for an
 *   ad id the start of a UUID.
 */
export function looksCutShort(key: KeyType, raw: string, profile: NormalizationProfile): boolean {
  const s = raw.replace(/\s+/g, '').toLowerCase();
  if (s.length === 0) return false;
  const hashCut = s.length < 64 && HEX.test(s) && /[0-9]/.test(s) && /[a-f]/.test(s);
  if (key === 'email') {
    const at = s.indexOf('@');
    if (at < 0) return hashCut;
    if (at === 0 || s.indexOf('@', at + 1) >= 0) return false;
    return ['x.com', '.com', 'com', 'm'].some((end) => normalize('email', s + end, profile).ok);
  }
  if (key === 'phone') {
    if (!PHONE_CHARS.test(raw.trim())) return hashCut;
    const text = raw.trim();
    const digits = text.replace(/[^0-9]/g, '');
    const lead = text.replace(/^[\s(]+/, '');
    const intl = lead.startsWith('+') ? `+${digits}` : lead.startsWith('00') ? `+${digits.slice(2)}` : null;
    if (intl === null && !profile.defaultCountry) return digits.length < 6;
    const length = intl !== null ? validatePhoneNumberLength(intl) : validatePhoneNumberLength(text, profile.defaultCountry as CountryCode);
    return length === 'TOO_SHORT' || length === 'INVALID_LENGTH';
  }
  const id = s.startsWith('{') ? s.slice(1) : s;
  return (id.length < 64 && HEX.test(id)) || (id.length < 36 && UUID_PREFIX.test(id));
}
/** Below this size workers cost more to start than they save. */
const SMALL_FILE_BYTES = 2 * 1024 * 1024;

/** Rough number of data rows, to size a result buffer once. */
export function expectedRows(sample: CsvSample): number {
  return sample.complete ? sample.records.length : Math.ceil(sample.fileSize / Math.max(1, sample.bytesPerRecord));
}

/**
 * Reads `opts.path` verified: `resolve` maps the reader's columns against the sample (its throw closes
 * the workers), `start` makes the run. A mapping that needs more than one cell per row (a country column)
 * is read on the parser path (records), not the one-cell block path.
 */
export async function readCohortFile<M extends { recordsOnly: boolean }, T>(
  opts: BlockReadOptions,
  phone: boolean,
  resolve: (sample: CsvSample) => M,
  start: (sample: CsvSample, mapping: M, pool: HashPool) => BlockRun<BlockResult, T>,
): Promise<T> {
  throwIfAborted(opts.signal);
  return readVerified(opts.path, { ...opts.verify, signal: opts.signal }, async (src) => {
    // Workers take ~0.1 s to start: start them while the file is sampled (the size decides how many).
    const wanted = opts.workers ?? (src.size < SMALL_FILE_BYTES ? 0 : defaultWorkerCount());
    const starting = HashPool.open(wanted, { phone });
    let sample: CsvSample;
    let mapping: M;
    try {
      sample = await sniffFile(src, { hasHeader: opts.hasHeader, delimiter: opts.delimiter });
      mapping = resolve(sample);
    } catch (err) {
      await (await starting).close();
      throw err;
    }
    const pool = await starting;
    const run = start(mapping.recordsOnly ? { ...sample, hasQuotes: true } : sample, mapping, pool);
    try {
      await run.read(src);
      // Before the sort: a read that cannot be vouched for is not worth finishing.
      await src.verify();
      return await run.finish();
    } finally {
      await pool.close();
    }
  });
}

/** One read: scanning, dispatch, in-order merging. A reader says what to send and what to keep. */
export abstract class BlockRun<R extends BlockResult, T> {
  /** Rejects per reason index, over the whole file. */
  protected readonly counts: number[] = new Array<number>(REJECT_REASONS.length).fill(0);
  protected readonly rejects: RejectRecord[] = [];
  /** Rejects counted (rows, or cells for multi-key), kept or not. */
  protected rejectedCount = 0;
  protected rowsRead = 0;
  private bytesRead = 0;
  private lastProgress = 0;
  /** Records (all kinds, header included) before the next block to merge: row numbers of text blocks. */
  private recordsMerged = 0;
  private readonly inFlight: { promise: Promise<BlockOutcome<R>>; bytesEnd: number; source: ChunkSource }[] = [];
  /** Block and result buffers back from finished tasks, for the next ones (no per-block garbage). */
  private readonly blocks = new BlockBuffers();
  protected readonly freeOut: ArrayBuffer[] = [];
  protected readonly maxRejects: number;
  /** The normalization profile as the kernel takes it (country code upper case). */
  protected readonly kernelProfile: NormalizationProfile;
  private readonly maxInFlight: number;
  private abortWait: (() => void) | null = null;
  /** The parser path's batch: the reader's key cells of each record, and the records' row numbers. */
  private cells: (string | null)[] = [];
  private rows: number[] = [];

  constructor(
    protected readonly opts: BlockReadOptions,
    protected readonly sample: CsvSample,
    protected readonly pool: HashPool,
    profile: NormalizationProfile,
    /** Records per batch on the parser path. */
    private readonly batchRows: number,
  ) {
    this.maxRejects = Math.max(0, opts.maxRejects ?? 100_000);
    this.kernelProfile = { ...profile, defaultCountry: profile.defaultCountry?.toUpperCase() ?? null };
    this.maxInFlight = Math.max(2, pool.size * 2);
  }

  /** Starts the task for a block of whole quote-free records, buf[start, end). */
  protected abstract runBlock(buf: Buffer, start: number, end: number): Promise<BlockOutcome<R>>;
  /** Appends the reader's key cells of a parsed record (null for a cell the record does not reach). */
  protected abstract keyCells(record: string[], into: (string | null)[]): void;
  /** The reader's key columns, in the order keyCells gives their cells. */
  protected abstract keyColumns(): readonly { index: number; key: KeyType; name: string }[];
  /** Starts the task for a batch of key cells of the records numbered `rows`. */
  protected abstract runBatch(cells: (string | null)[], rows: Float64Array): Promise<BlockOutcome<R>>;
  /** Keeps what is the reader's own of a result (valid counts, digests); returns the data rows it read. */
  protected abstract absorb(r: R): number;
  /** The result buffer of `r`, free again once absorbed. */
  protected abstract outBuffer(r: R): ArrayBuffer;
  /** The column name of reject `i` of `r`. */
  protected abstract rejectColumn(r: R, i: number): string;
  /** Sorts what was kept and returns the reader's result (or throws CSV_INVALID). */
  abstract finish(): T | Promise<T>;
  /** A blank record after the header, on the parser path. */
  protected blankRecord(): void {}
  /**
   * Called once a result's rejects are kept (this.rejects from `from` on, the first of them r's reject 0), with the
   * task's rows (`block`: a text block's bytes as they came back): a reader may add to those records.
   */
  protected markRejects(_r: R, _from: number, _source: ChunkSource, _block: ArrayBuffer | null): void {}

  /**
   * The last record of the file, with no line end: words for a last cell that is a key cell rejected as a value cut
   * short would be (CUT_REASONS) and shaped like one (looksCutShort), else null (ScanTarget.cutKey).
   */
  private cutKey(record: readonly string[]): string | null {
    const values: (string | null)[] = [];
    this.keyCells([...record], values);
    const cols = this.keyColumns();
    for (let k = 0; k < cols.length; k++) {
      const value = values[k];
      if (cols[k]!.index !== record.length - 1 || value === null || value === undefined) continue;
      const r = normalize(cols[k]!.key, value, this.kernelProfile);
      if (!r.ok && CUT_REASONS.includes(r.reason) && looksCutShort(cols[k]!.key, value, this.kernelProfile)) {
        const label = REJECT_REASON_TEXT[r.reason].label;
        return `its last cell, in column "${cols[k]!.name}", is ${label[0]!.toLowerCase()}${label.slice(1)}`;
      }
    }
    return null;
  }

  /** Reads the whole file into the kernel (scan.ts); merges every result before returning. */
  async read(src: CsvFile): Promise<void> {
    const onAbort = () => this.abortWait?.();
    this.opts.signal?.addEventListener('abort', onAbort);
    const target: ScanTarget = {
      // The block's place is taken now: once its buffer is sent to a worker, `buf` no longer shows it.
      block: (buf, start, end, bytesEnd) => this.dispatch(() => this.runBlock(buf, start, end), bytesEnd, { kind: 'text', buffer: buf.buffer, offset: buf.byteOffset + start, length: end - start }),
      drain: () => this.drain(0),
      skipRecords: (n) => {
        this.recordsMerged += n;
      },
      recordsMerged: () => this.recordsMerged,
      blankRecord: () => this.blankRecord(),
      record: (record, row) => {
        this.keyCells(record, this.cells);
        this.rows.push(row);
        return this.rows.length >= this.batchRows;
      },
      flush: async (bytesEnd) => {
        if (this.rows.length === 0) return;
        const cells = this.cells;
        const rows = Float64Array.from(this.rows);
        this.cells = [];
        this.rows = [];
        await this.dispatch(() => this.runBatch(cells, rows), bytesEnd, { kind: 'cells', cells, rows });
      },
      cutKey: (record) => this.cutKey(record),
    };
    try {
      await scanCsv(src, this.sample, target, this.blocks, this.opts.signal);
      await this.drain(0);
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** CSV_INVALID for a file without data rows. */
  protected noRows(): AppError {
    const file = path.basename(this.opts.path);
    return new AppError('CSV_INVALID', this.sample.hasHeader ? `${file} has a header row but no data rows. Export the cohort again with its rows.` : `${file} has no data rows. Export the cohort again with its rows.`);
  }

  /** Progress at the end: the whole file. */
  protected progressDone(): void {
    this.opts.onProgress?.({ bytesRead: this.sample.fileSize, totalBytes: this.sample.fileSize, rows: this.rowsRead });
  }

  /** Reject counts by reason name, the reasons seen only. */
  protected rejectReasons(): Partial<Record<RejectReason, number>> {
    const out: Partial<Record<RejectReason, number>> = {};
    REJECT_REASONS.forEach((r, i) => {
      if (this.counts[i]! > 0) out[r] = this.counts[i]!;
    });
    return out;
  }

  /** Starts a task once there is room (merging finished tasks in order meanwhile). */
  private async dispatch(start: () => Promise<BlockOutcome<R>>, bytesEnd: number, source: ChunkSource): Promise<void> {
    await this.drain(this.maxInFlight - 1);
    const promise = start();
    // Awaited in order by drain(); if the run is abandoned (cancel, error), its rejection is expected.
    promise.catch(() => undefined);
    this.inFlight.push({ promise, bytesEnd, source });
  }

  /** Merges finished tasks in order until at most `keep` are in flight. */
  private async drain(keep: number): Promise<void> {
    while (this.inFlight.length > keep) {
      const head = this.inFlight[0]!;
      const { result, block } = await this.awaitOrAbort(head.promise);
      this.inFlight.shift();
      this.merge(result, head.source, head.bytesEnd, block);
      if (block) this.blocks.give(block);
      this.freeOut.push(this.outBuffer(result));
    }
  }

  private awaitOrAbort<V>(p: Promise<V>): Promise<V> {
    const signal = this.opts.signal;
    if (!signal) return p;
    throwIfAborted(signal);
    return new Promise<V>((resolve, reject) => {
      this.abortWait = () => reject(new AppError('CANCELLED', 'Reading the cohort file was cancelled.'));
      p.then(resolve, reject).finally(() => {
        this.abortWait = null;
      });
    });
  }

  private merge(r: R, source: ChunkSource, bytesEnd: number, block: ArrayBuffer | null): void {
    const textBlock = source.kind === 'text';
    const base = this.recordsMerged;
    const from = this.rejects.length;
    this.rowsRead += this.absorb(r);
    for (let i = 0; i < r.counts.length; i++) {
      const c = r.counts[i]!;
      if (c > 0) {
        this.counts[i]! += c;
        this.rejectedCount += c;
      }
    }
    for (let i = 0; i < r.rejRows.length && this.rejects.length < this.maxRejects; i++) {
      this.rejects.push({
        row: textBlock ? base + r.rejRows[i]! + 1 : r.rejRows[i]!,
        column: this.rejectColumn(r, i),
        reason: REJECT_REASONS[r.rejReasons[i]!]!,
        masked: r.rejMasked[i]!,
      });
    }
    if (this.rejects.length > from) this.markRejects(r, from, source, block);
    if (textBlock) this.recordsMerged += r.records;
    this.bytesRead = Math.max(this.bytesRead, bytesEnd);
    const now = Date.now();
    if (this.opts.onProgress && now - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = now;
      this.opts.onProgress({ bytesRead: this.bytesRead, totalBytes: this.sample.fileSize, rows: this.rowsRead });
    }
  }
}
