/**
 * readCohortMulti: streams a cohort CSV with up to three key columns (email, phone, mobile ad id) into
 * a sorted, de-duplicated set of 96-byte tuples for a MULTIPLE_TYPES audience (multi-key.ts), with
 * counts per key and one reject record per rejected cell.
 *
 * Each cell is normalized and checked exactly as readCohort does for its key (the same kernel); a row
 * is kept when at least one of its keys is valid. Like readCohort (and with the same read loop,
 * scan.ts), quote-free UTF-8 is cut into blocks of whole records that the hashing workers split and
 * hash (kernel.processMultiBytes); quoted or UTF-16 text, from the first block holding a quote, is
 * split by CsvParser here and sent as batches of cells. Results are merged in file order, so row
 * numbers and the kept rejects are those of the file. The read is verified as readCohort's is.
 */
import path from 'node:path';
import { DEFAULT_PROFILE, KEY_LABELS, REJECT_REASONS, REJECT_REASON_TEXT, type KeyType, type NormalizationProfile, type RejectReason } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { sortUniqueInPlace } from './hash-set';
import type { MultiChunkResult, MultiTask, MultiTextTask } from './kernel';
import { MULTI_ENTRY_BYTES, MULTI_SLOTS, slotOfKey, type MultiSlot } from './multi-key';
import { readVerified, type CsvFile, type VerifyOptions } from './csv-file';
import { phoneWithCountry } from './normalize';
import { checkProfile, countryColumnOf, resolveColumn, type CohortProgress, type RejectRecord } from './read-cohort';
import { BlockBuffers, scanCsv, throwIfAborted, type ScanTarget } from './scan';
import { sniffFile, type CsvDelimiter, type CsvSample } from './sniff';
import { defaultWorkerCount, HashPool, type MultiRequest } from './worker-pool';

/** One key of a multi-key cohort: which key, read from which column (header name or 0-based index). */
export interface MultiKeyMapping {
  key: KeyType;
  column: string | number;
  /** Phone only: the column of ISO country codes for national-format numbers (see readCohort). */
  countryColumn?: string | number;
}

export interface ReadCohortMultiOptions {
  path: string;
  /** 1 to 3 mappings to distinct slots (IDFA and GAID share the MAID slot: map one of them). */
  keys: MultiKeyMapping[];
  profile: NormalizationProfile;
  /** Aborting rejects with AppError CANCELLED. */
  signal?: AbortSignal;
  /** Called as batches complete (a few times a second at most) and once at the end. */
  onProgress?: (p: CohortProgress) => void;
  /** Rejected cells kept with row number and masked value (default 100,000); counts are always exact. */
  maxRejects?: number;
  /** Hashing worker threads (default: none below 2 MB, else one per core, at most 4; 0 = this thread only). */
  workers?: number;
  /** Overrides header detection. */
  hasHeader?: boolean;
  /** Overrides delimiter detection. */
  delimiter?: CsvDelimiter;
  /** How to wait for a file that changes while it is read (as readCohort's `verify`). */
  verify?: VerifyOptions;
}

export interface MultiCohortResult {
  /** Data rows read (header and blank rows left out): rowsRead = valid + rejected. */
  rowsRead: number;
  /** Rows kept: at least one key valid (duplicates included). */
  valid: number;
  /** Rows with no valid key (empty keys count as missing, not as a reason to keep). */
  rejected: number;
  /** Kept rows whose tuple equals an earlier row's: valid − duplicates = entries.length / 96. */
  duplicates: number;
  /** Per rejected cell (a row kept with one bad key still counts that cell); a row whose keys are all empty counts one EMPTY. */
  rejectReasons: Record<string, number>;
  /** Cells per mapped slot: valid, rejected (invalid or missing column), empty. */
  perKey: Partial<Record<MultiSlot, { valid: number; rejected: number; empty: number }>>;
  /** One record per rejected cell, in row order, the first `maxRejects`. */
  rejects: RejectRecord[];
  rejectsTruncated: boolean;
  /** Sorted (byte-wise over all 96 bytes), unique tuples; an absent key is 32 zero bytes. */
  entries: Buffer;
  /** The mapped columns, in the order of `keys`. */
  columns: { key: KeyType; slot: MultiSlot; index: number; name: string }[];
  encoding: string;
  delimiter: string;
  hasHeader: boolean;
}

/** Rows per batch sent to a worker. */
const BATCH_ROWS = 8192;
const PROGRESS_EVERY_MS = 100;
/** Below this size workers cost more to start than they save. */
const SMALL_FILE_BYTES = 2 * 1024 * 1024;

/** Checks the mappings: 1..3, one per slot. */
function checkMappings(keys: readonly MultiKeyMapping[]): void {
  if (keys.length < 1 || keys.length > MULTI_SLOTS.length) {
    throw new AppError('INVALID_ARGUMENT', `A multi-key cohort maps 1 to 3 key columns (email, phone, mobile ad id); ${keys.length} were given.`);
  }
  const keyTypes = keys.map((k) => k.key);
  if (keyTypes.includes('idfa') && keyTypes.includes('gaid')) {
    throw new AppError('INVALID_ARGUMENT', 'IDFA and GAID both go to TikTok\'s one mobile ad id key (MAID_SHA256): map a single ad id column. If the ids are in two columns, combine them into one column first, or make a separate audience for each.');
  }
  const seen = new Set<MultiSlot>();
  for (const k of keys) {
    const slot = slotOfKey(k.key);
    if (seen.has(slot)) throw new AppError('INVALID_ARGUMENT', `${KEY_LABELS[k.key]} is mapped twice: map each key (email, phone, mobile ad id) to one column only.`);
    seen.add(slot);
  }
}

/**
 * Streams the whole file and returns its distinct tuples with counts per key and per-cell rejects.
 * Throws AppError: FILE_NOT_FOUND, CSV_INVALID (empty, header only, binary, every row without a valid
 * key, a quote that would swallow rows, a file that kept changing while read), INVALID_ARGUMENT (not
 * a regular file, bad mappings, unknown column, one column mapped twice, bad default country),
 * CANCELLED (signal).
 */
export async function readCohortMulti(opts: ReadCohortMultiOptions): Promise<MultiCohortResult> {
  checkMappings(opts.keys);
  const profile = opts.profile ?? DEFAULT_PROFILE;
  for (const k of opts.keys) checkProfile(k.key, profile);
  throwIfAborted(opts.signal);
  return readVerified(opts.path, { ...opts.verify, signal: opts.signal }, async (src) => {
    const wanted = opts.workers ?? (src.size < SMALL_FILE_BYTES ? 0 : defaultWorkerCount());
    const starting = HashPool.open(wanted, { phone: opts.keys.some((k) => k.key === 'phone') });
    let sample: CsvSample;
    let columns: MultiCohortResult['columns'];
    let countries: (number | null)[] = [];
    try {
      sample = await sniffFile(src, { hasHeader: opts.hasHeader, delimiter: opts.delimiter });
      columns = opts.keys.map((k) => ({ key: k.key, slot: slotOfKey(k.key), ...resolveColumn(sample, k.key, k.column) }));
      countries = opts.keys.map((k, i) => countryColumnOf(sample, k.key, k.countryColumn, columns[i]!.index));
      for (let i = 1; i < columns.length; i++) {
        const twin = columns.slice(0, i).find((c) => c.index === columns[i]!.index);
        if (twin) throw new AppError('INVALID_ARGUMENT', `Column "${twin.name}" is mapped to both ${KEY_LABELS[twin.key]} and ${KEY_LABELS[columns[i]!.key]}: map each key to its own column.`);
      }
    } catch (err) {
      await (await starting).close();
      throw err;
    }
    const pool = await starting;
    // A country column needs two cells per phone: the parser path (records), not the block path.
    const withCountry = countries.some((c) => c !== null);
    const run = new MultiRun(opts, withCountry ? { ...sample, hasQuotes: true } : sample, columns, profile, Math.max(0, opts.maxRejects ?? 100_000), pool, countries);
    try {
      await run.read(src);
      // Before the sort: a read that cannot be vouched for is not worth finishing.
      await src.verify();
      return run.finish();
    } finally {
      await pool.close();
    }
  });
}

/** One readCohortMulti call: parsing, dispatch, in-order merging. */
class MultiRun {
  private entries: Buffer;
  private entryBytes = 0;
  private readonly counts: number[] = new Array<number>(REJECT_REASONS.length).fill(0);
  private readonly perKey: number[];
  private readonly rejects: RejectRecord[] = [];
  private rejectedCells = 0;
  private rowsRead = 0;
  private valid = 0;
  private rejected = 0;
  private bytesRead = 0;
  private lastProgress = 0;
  /** Records (all kinds, header included) before the next block to merge: row numbers of text blocks. */
  private recordsMerged = 0;
  private readonly inFlight: { promise: Promise<{ result: MultiChunkResult; block: ArrayBuffer | null }>; textBlock: boolean; bytesEnd: number }[] = [];
  private readonly freeOut: ArrayBuffer[] = [];
  private readonly blocks = new BlockBuffers();
  private readonly task: MultiTask;
  private readonly textTask: MultiTextTask;
  private readonly maxInFlight: number;
  private abortWait: (() => void) | null = null;

  constructor(
    private readonly opts: ReadCohortMultiOptions,
    private readonly sample: CsvSample,
    private readonly columns: MultiCohortResult['columns'],
    profile: NormalizationProfile,
    private readonly maxRejects: number,
    private readonly pool: HashPool,
    private readonly countries: readonly (number | null)[] = [],
  ) {
    const normProfile = { ...profile, defaultCountry: profile.defaultCountry?.toUpperCase() ?? null };
    this.task = { keys: columns.map((c) => c.key), slots: columns.map((c) => MULTI_SLOTS.indexOf(c.slot)), profile: normProfile, maxRejects };
    this.textTask = { ...this.task, columns: columns.map((c) => c.index), delimiter: sample.delimiter };
    this.perKey = new Array<number>(columns.length * 3).fill(0);
    this.maxInFlight = Math.max(2, pool.size * 2);
    const expected = sample.complete ? sample.records.length : Math.ceil(sample.fileSize / Math.max(1, sample.bytesPerRecord));
    this.entries = Buffer.allocUnsafe(Math.max(1024, Math.ceil(expected * 1.2)) * MULTI_ENTRY_BYTES);
  }

  /** Reads the whole file into the kernel (scan.ts); merges every result before returning. */
  async read(src: CsvFile): Promise<void> {
    const onAbort = () => this.abortWait?.();
    this.opts.signal?.addEventListener('abort', onAbort);
    const cols = this.columns.map((c) => c.index);
    const nk = cols.length;
    let cells: (string | null)[] = [];
    let rows: number[] = [];
    const target: ScanTarget = {
      block: (buf, start, end, bytesEnd) => {
        const req: MultiRequest = { id: this.pool.id(), kind: 'multiText', buffer: buf.buffer as ArrayBuffer, start: buf.byteOffset + start, end: buf.byteOffset + end, task: this.textTask, out: this.freeOut.pop() ?? null };
        return this.dispatch(this.pool.runMulti(req), true, bytesEnd);
      },
      drain: () => this.drain(0),
      skipRecords: (n) => {
        this.recordsMerged += n;
      },
      recordsMerged: () => this.recordsMerged,
      // Blank rows are not counted for a multi-key cohort.
      blankRecord: () => undefined,
      record: (rec, row) => {
        for (let k = 0; k < nk; k++) {
          const country = this.countries[k] ?? null;
          cells.push(cols[k]! >= rec.length ? null : country === null ? rec[cols[k]!]! : phoneWithCountry(rec[cols[k]!]!, rec[country]));
        }
        rows.push(row);
        return rows.length >= BATCH_ROWS;
      },
      flush: async (bytesEnd) => {
        if (rows.length === 0) return;
        const req: MultiRequest = { id: this.pool.id(), kind: 'multi', cells, rows: Float64Array.from(rows), task: this.task, out: this.freeOut.pop() ?? null };
        cells = [];
        rows = [];
        await this.dispatch(this.pool.runMulti(req), false, bytesEnd);
      },
    };
    try {
      await scanCsv(src, this.sample, target, this.blocks, this.opts.signal);
      await this.drain(0);
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async dispatch(promise: Promise<{ result: MultiChunkResult; block: ArrayBuffer | null }>, textBlock: boolean, bytesEnd: number): Promise<void> {
    // Awaited in order by drain(); if the run is abandoned (cancel, error), its rejection is expected.
    promise.catch(() => undefined);
    this.inFlight.push({ promise, textBlock, bytesEnd });
    await this.drain(this.maxInFlight - 1);
  }

  /** Merges finished batches in order until at most `keep` are in flight. */
  private async drain(keep: number): Promise<void> {
    while (this.inFlight.length > keep) {
      const head = this.inFlight[0]!;
      const { result, block } = await this.awaitOrAbort(head.promise);
      this.inFlight.shift();
      this.merge(result, head.textBlock, head.bytesEnd);
      if (block) this.blocks.give(block);
      this.freeOut.push(result.entries);
    }
  }

  private awaitOrAbort<T>(p: Promise<T>): Promise<T> {
    const signal = this.opts.signal;
    if (!signal) return p;
    throwIfAborted(signal);
    return new Promise<T>((resolve, reject) => {
      this.abortWait = () => reject(new AppError('CANCELLED', 'Reading the cohort file was cancelled.'));
      p.then(resolve, reject).finally(() => {
        this.abortWait = null;
      });
    });
  }

  private merge(r: MultiChunkResult, textBlock: boolean, bytesEnd: number): void {
    const base = this.recordsMerged;
    this.rowsRead += r.rows;
    this.valid += r.valid;
    this.rejected += r.rejected;
    for (let i = 0; i < r.counts.length; i++) {
      this.counts[i]! += r.counts[i]!;
      this.rejectedCells += r.counts[i]!;
    }
    for (let i = 0; i < r.perKey.length; i++) this.perKey[i]! += r.perKey[i]!;
    for (let i = 0; i < r.rejRows.length && this.rejects.length < this.maxRejects; i++) {
      this.rejects.push({ row: textBlock ? base + r.rejRows[i]! + 1 : r.rejRows[i]!, column: this.columns[r.rejKeys[i]!]!.name, reason: REJECT_REASONS[r.rejReasons[i]!]!, masked: r.rejMasked[i]! });
    }
    if (textBlock) this.recordsMerged += r.records;
    const bytes = r.entryCount * MULTI_ENTRY_BYTES;
    if (this.entryBytes + bytes > this.entries.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.entryBytes + bytes, this.entries.length * 2));
      this.entries.copy(bigger, 0, 0, this.entryBytes);
      this.entries = bigger;
    }
    this.entries.set(new Uint8Array(r.entries, 0, bytes), this.entryBytes);
    this.entryBytes += bytes;
    this.bytesRead = Math.max(this.bytesRead, bytesEnd);
    const now = Date.now();
    if (this.opts.onProgress && now - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = now;
      this.opts.onProgress({ bytesRead: this.bytesRead, totalBytes: this.sample.fileSize, rows: this.rowsRead });
    }
  }

  finish(): MultiCohortResult {
    const file = path.basename(this.opts.path);
    const rejectReasons: Record<string, number> = {};
    REJECT_REASONS.forEach((r, i) => {
      if (this.counts[i]! > 0) rejectReasons[r] = this.counts[i]!;
    });
    if (this.rowsRead === 0) {
      throw new AppError('CSV_INVALID', this.sample.hasHeader ? `${file} has a header row but no data rows. Export the cohort again with its rows.` : `${file} has no data rows. Export the cohort again with its rows.`);
    }
    if (this.valid === 0) throw new AppError('CSV_INVALID', this.allInvalidMessage(file));
    throwIfAborted(this.opts.signal);
    // Sorted where they were collected (no second copy of the tuples); trimmed when the estimate was far off.
    const unique = sortUniqueInPlace(this.entries, this.entryBytes / MULTI_ENTRY_BYTES, MULTI_ENTRY_BYTES);
    const sorted = this.entries.subarray(0, unique * MULTI_ENTRY_BYTES);
    const entries = sorted.length < this.entries.length * 0.75 ? Buffer.from(sorted) : sorted;
    this.entries = Buffer.alloc(0);
    const perKey: MultiCohortResult['perKey'] = {};
    this.columns.forEach((c, k) => {
      perKey[c.slot] = { valid: this.perKey[3 * k]!, rejected: this.perKey[3 * k + 1]!, empty: this.perKey[3 * k + 2]! };
    });
    this.opts.onProgress?.({ bytesRead: this.sample.fileSize, totalBytes: this.sample.fileSize, rows: this.rowsRead });
    return {
      rowsRead: this.rowsRead,
      valid: this.valid,
      rejected: this.rejected,
      duplicates: this.valid - entries.length / MULTI_ENTRY_BYTES,
      rejectReasons,
      perKey,
      rejects: this.rejects,
      rejectsTruncated: this.rejectedCells > this.rejects.length,
      entries,
      columns: this.columns,
      encoding: this.sample.encoding,
      delimiter: this.sample.delimiter,
      hasHeader: this.sample.hasHeader,
    };
  }

  /** Plain words for "no row has a usable key", naming the most common problem and its fix. */
  private allInvalidMessage(file: string): string {
    let top: RejectReason = 'EMPTY';
    let topCount = -1;
    REJECT_REASONS.forEach((r, i) => {
      if (this.counts[i]! > topCount) [top, topCount] = [r, this.counts[i]!];
    });
    const names = this.columns.map((c) => `"${c.name}" (${KEY_LABELS[c.key]})`).join(', ');
    const fix: Record<RejectReason, string> = {
      EMPTY: 'The mapped columns are empty: map the columns that hold the email, phone or ad id values.',
      INVALID_EMAIL: 'Check that the email column holds email addresses, or map another column.',
      INVALID_PHONE: 'Check that the phone column holds phone numbers, or map another column.',
      PHONE_NO_COUNTRY: 'Set a default country (for example US), or write the numbers as +<country code><number>.',
      INVALID_MAID: 'Check that the ad id column holds IDFA/GAID ad ids, or map another column.',
      MAID_ZERO: 'The ad ids are all zeros (ad tracking disabled): they cannot be matched; use another key.',
      INVALID_HASH: 'TikTok matches only SHA-256 hashes: export the raw values or their SHA-256 instead.',
      MISSING_COLUMN: 'Rows do not reach the mapped columns: check the delimiter and the column choice.',
    };
    return `None of the ${this.rowsRead.toLocaleString('en-US')} rows of ${file} has a usable key in ${names}: the most common problem is "${REJECT_REASON_TEXT[top].label}" (${topCount.toLocaleString('en-US')} cells). ${fix[top]}`;
  }
}
