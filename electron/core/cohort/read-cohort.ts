/**
 * readCohort: streams a whole cohort CSV into a sorted, de-duplicated set of SHA-256 digests, with
 * exact counts and the rejected rows (masked). Memory stays near 32 bytes per distinct value.
 *
 * Two readers feed the same kernel (scan.ts walks the file for both):
 * - the fast path, for UTF-8 files without any quote character: the main thread cuts the file into
 *   blocks of whole records and the workers split, normalize and hash them (split as CsvParser
 *   splits, property-tested);
 * - CsvParser (Python csv's rules), for quoted or UTF-16 files, or from the first block holding a
 *   quote: the main thread parses and sends batches of key cells to the workers.
 * Results are merged in file order, so row numbers and the kept rejects are those of the file.
 *
 * The read is verified (csv-file.ts): every byte up to the size seen at open is read, and the file is
 * the same one, unchanged, at the end. A file that changed is read again once it settles, or refused.
 */
import path from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { DEFAULT_PROFILE, KEY_LABELS, REJECT_REASONS, REJECT_REASON_TEXT, type KeyType, type NormalizationProfile, type RejectReason } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { readVerified, type CsvFile, type VerifyOptions } from './csv-file';
import type { ChunkResult, KernelTask, TextTask } from './kernel';
import { HashAccumulator } from './hash-set';
import { phoneWithCountry } from './normalize';
import { BlockBuffers, scanCsv, throwIfAborted, type ScanTarget } from './scan';
import { bestColumnFor, sniffFile, type CsvDelimiter, type CsvEncoding, type CsvSample } from './sniff';
import { defaultWorkerCount, HashPool, type TaskOutcome, type WorkerRequest } from './worker-pool';

export { throwIfAborted } from './scan';

export interface CohortProgress {
  bytesRead: number;
  totalBytes: number;
  /** Data rows read so far (blank rows and the header left out). */
  rows: number;
}

export interface ReadCohortOptions {
  path: string;
  key: KeyType;
  /** Header name or 0-based index (a string of digits, or "Column N", also works). Default: the best detected column for `key`. */
  column?: string | number;
  /** Phones only: the column of ISO country codes that national-format numbers of the same row are read with (phoneWithCountry). */
  countryColumn?: string | number;
  profile?: NormalizationProfile;
  /** Aborting rejects with AppError CANCELLED. */
  signal?: AbortSignal;
  /** Called as blocks complete (a few times a second at most) and once at the end. */
  onProgress?: (p: CohortProgress) => void;
  /** Rejected rows kept with row number and masked value (default 100,000); counts are always exact. */
  maxRejects?: number;
  /** Overrides header detection. */
  hasHeader?: boolean;
  /** Overrides delimiter detection. */
  delimiter?: CsvDelimiter;
  /** Hashing worker threads (default: one per core, at most 4; 0 = the calling thread only). */
  workers?: number;
  /** A file with a header but no data rows gives an empty set instead of CSV_INVALID (suppression lists). */
  allowEmpty?: boolean;
  /** How to wait for a file that changes while it is read (defaults: 2 s quiet, 3 reads, 60 s at most). */
  verify?: VerifyOptions;
}

/** One rejected row. Never the raw value: `masked` shows just enough to find it. */
export interface RejectRecord {
  /** 1-based row number as a spreadsheet shows it (the header is row 1). */
  row: number;
  /** The column's name (header text or "Column N"). */
  column: string;
  reason: RejectReason;
  masked: string;
}

export interface CohortResult {
  /** Data rows read: header and blank rows left out. rowsRead = valid + rejected. */
  rowsRead: number;
  /** Rows with a usable key, duplicates included. */
  valid: number;
  rejected: number;
  /** Valid rows whose normalized value repeats an earlier one (counted, then dropped). */
  duplicates: number;
  /** Distinct values: valid − duplicates = hashes.length / 32. */
  unique: number;
  blankRows: number;
  rejectReasons: Partial<Record<RejectReason, number>>;
  /** The first `maxRejects` rejects, in row order. */
  rejects: RejectRecord[];
  rejectsTruncated: boolean;
  /** Sorted unique 32-byte SHA-256 digests (possibly backed by a SharedArrayBuffer). */
  hashes: Buffer;
  column: { index: number; name: string };
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  hasHeader: boolean;
  /** Hashing worker threads used (0: the calling thread did the work, e.g. a small file). */
  workers: number;
}

/** Cells per batch on the parser path. */
const BATCH_CELLS = 16_384;
const PROGRESS_EVERY_MS = 100;
/** Below this size workers cost more to start than they save. */
const SMALL_FILE_BYTES = 2 * 1024 * 1024;

/** Resolves the `column` option against the sampled columns, or throws INVALID_ARGUMENT listing them. */
export function resolveColumn(sample: CsvSample, key: KeyType, column: string | number | undefined): { index: number; name: string } {
  const cols = sample.columns;
  const file = path.basename(sample.path);
  const list = () => {
    if (cols.length === 0) return '(none: no row of the file could be read)';
    const shown = cols.slice(0, 20).map((c) => `"${c.name}" (${c.index})`).join(', ');
    return cols.length > 20 ? `${shown}, … (${cols.length} columns)` : shown;
  };
  if (column === undefined) {
    const best = bestColumnFor(cols, key);
    if (!best) throw new AppError('INVALID_ARGUMENT', `No column of ${file} looks like ${KEY_LABELS[key]} values. Choose the column to use; available: ${list()}.`);
    return { index: best.index, name: best.name };
  }
  if (typeof column === 'number') {
    if (Number.isInteger(column) && column >= 0 && column < cols.length) return { index: column, name: cols[column]!.name };
    throw new AppError('INVALID_ARGUMENT', `${file} has no column ${column} (indexes start at 0). Available: ${list()}.`);
  }
  const wanted = column.trim();
  const exact = cols.find((c) => c.name === column) ?? cols.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (exact) return { index: exact.index, name: exact.name };
  const m = /^(?:column\s*)?(\d+)$/i.exec(wanted);
  if (m) {
    // "3" is an index (0-based); "Column 3" is the display name of index 2.
    const index = /^column/i.test(wanted) ? Number(m[1]) - 1 : Number(m[1]);
    if (index >= 0 && index < cols.length) return { index, name: cols[index]!.name };
  }
  throw new AppError('INVALID_ARGUMENT', `There is no column "${column}" in ${file}. Available: ${list()}. Use one of these names or 0-based indexes.`);
}

/**
 * The country column of a phone mapping, resolved against the sample; null when none is named. Refuses it for
 * another key, and when it is the phone column itself.
 */
export function countryColumnOf(sample: CsvSample, key: KeyType, countryColumn: string | number | undefined | null, keyColumn: number): number | null {
  if (countryColumn === undefined || countryColumn === null) return null;
  if (key !== 'phone') throw new AppError('INVALID_ARGUMENT', `A country column only applies to phone numbers, not to ${KEY_LABELS[key]}. Leave it out for this key.`);
  const c = resolveColumn(sample, key, countryColumn);
  if (c.index === keyColumn) throw new AppError('INVALID_ARGUMENT', `Column "${c.name}" cannot hold both the phone numbers and their countries. Choose the column of country codes (such as DE or US).`);
  return c.index;
}

/** Refuses a default country libphonenumber does not know (only the phone key uses it). */
export function checkProfile(key: KeyType, profile: NormalizationProfile): void {
  if (key === 'phone' && profile.defaultCountry !== null && !isSupportedCountry(profile.defaultCountry.toUpperCase())) {
    throw new AppError('INVALID_ARGUMENT', `"${profile.defaultCountry}" is not a country code libphonenumber knows. Use a two-letter ISO code such as US, GB or DE.`);
  }
}

/** Plain words for "every row was rejected", naming the top reason and its fix. */
function allInvalidMessage(file: string, key: KeyType, column: string, rows: number, counts: Partial<Record<RejectReason, number>>): string {
  let top: RejectReason = 'EMPTY';
  let topCount = -1;
  for (const r of REJECT_REASONS) if ((counts[r] ?? 0) > topCount) [top, topCount] = [r, counts[r] ?? 0];
  const label = KEY_LABELS[key];
  const fix: Record<RejectReason, string> = {
    EMPTY: `Column "${column}" is empty in every row: map the column that holds the ${label} values.`,
    INVALID_EMAIL: `Check that column "${column}" holds email addresses, or map another column.`,
    INVALID_PHONE: `Check that column "${column}" holds phone numbers, or map another column.`,
    PHONE_NO_COUNTRY: 'Set a default country (for example US), or write the numbers as +<country code><number>.',
    INVALID_MAID: `Check that column "${column}" holds IDFA/GAID ad ids, or map another column.`,
    MAID_ZERO: 'Every ad id is all zeros (ad tracking disabled): this cohort cannot be matched by ad id; use another key.',
    INVALID_HASH: 'TikTok matches only SHA-256 hashes: export the raw values or their SHA-256 instead.',
    MISSING_COLUMN: `No row reaches column "${column}": check the delimiter and the column choice.`,
  };
  return `None of the ${rows.toLocaleString('en-US')} rows of ${file} has a usable ${label} in column "${column}": the most common problem is "${REJECT_REASON_TEXT[top].label}" (${topCount.toLocaleString('en-US')} rows). ${fix[top]}`;
}

/** Rough number of data rows, to size the digest buffer once. */
function expectedRows(sample: CsvSample): number {
  return sample.complete ? sample.records.length : Math.ceil(sample.fileSize / Math.max(1, sample.bytesPerRecord));
}

/**
 * Streams the whole file and returns its distinct digests with counts and rejects. Throws AppError:
 * FILE_NOT_FOUND (missing), CSV_INVALID (empty, header only, binary, not UTF-8/16, every row invalid,
 * a quote that would swallow rows, a file that kept changing while read), INVALID_ARGUMENT (not a
 * regular file, unknown column, no column fits the key, bad default country), CANCELLED (signal).
 */
export async function readCohort(opts: ReadCohortOptions): Promise<CohortResult> {
  const profile = opts.profile ?? DEFAULT_PROFILE;
  checkProfile(opts.key, profile);
  throwIfAborted(opts.signal);
  const maxRejects = Math.max(0, opts.maxRejects ?? 100_000);
  return readVerified(opts.path, { ...opts.verify, signal: opts.signal }, async (src) => {
    // Workers take ~0.1 s to start: start them while the file is sampled (the size decides how many).
    const wanted = opts.workers ?? (src.size < SMALL_FILE_BYTES ? 0 : defaultWorkerCount());
    const starting = HashPool.open(wanted, { phone: opts.key === 'phone' });
    let sample: CsvSample;
    let column: { index: number; name: string };
    let country: number | null = null;
    try {
      sample = await sniffFile(src, { hasHeader: opts.hasHeader, delimiter: opts.delimiter });
      column = resolveColumn(sample, opts.key, opts.column);
      country = countryColumnOf(sample, opts.key, opts.countryColumn, column.index);
    } catch (err) {
      await (await starting).close();
      throw err;
    }
    const pool = await starting;
    // With a country column each row needs two cells: the parser path (records), not the one-cell block path.
    const run = new CohortRun(opts, country === null ? sample : { ...sample, hasQuotes: true }, column, profile, maxRejects, pool, country);
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

/** One readCohort call: reading, dispatch, in-order merging. */
class CohortRun {
  private readonly acc: HashAccumulator;
  private readonly counts: number[] = new Array<number>(REJECT_REASONS.length).fill(0);
  private readonly rejects: RejectRecord[] = [];
  private rowsRead = 0;
  private blankRows = 0;
  private valid = 0;
  private rejected = 0;
  private bytesRead = 0;
  private lastProgress = 0;
  /** Records (all kinds, header included) before the next block to merge: row numbers of text blocks. */
  private recordsMerged = 0;
  private readonly inFlight: { seq: number; promise: Promise<TaskOutcome>; recordBase: boolean; bytesEnd: number }[] = [];
  /** Block and digest buffers back from finished tasks, for the next ones (no per-block garbage). */
  private readonly blocks = new BlockBuffers();
  private readonly freeOut: ArrayBuffer[] = [];
  private seq = 0;
  private readonly textTask: TextTask;
  private readonly valueTask: KernelTask;
  private readonly maxInFlight: number;
  private abortWait: (() => void) | null = null;

  constructor(
    private readonly opts: ReadCohortOptions,
    private readonly sample: CsvSample,
    private readonly column: { index: number; name: string },
    profile: NormalizationProfile,
    maxRejects: number,
    private readonly pool: HashPool,
    private readonly country: number | null = null,
  ) {
    this.acc = new HashAccumulator(expectedRows(sample));
    const normProfile = { ...profile, defaultCountry: profile.defaultCountry?.toUpperCase() ?? null };
    this.valueTask = { key: opts.key, profile: normProfile, maxRejects };
    this.textTask = { ...this.valueTask, column: column.index, delimiter: sample.delimiter, bytesPerRecord: sample.bytesPerRecord };
    this.maxInFlight = Math.max(2, pool.size * 2);
  }

  /** Reads the whole file into the kernel (scan.ts); merges every result before returning. */
  async read(src: CsvFile): Promise<void> {
    const onAbort = () => this.abortWait?.();
    this.opts.signal?.addEventListener('abort', onAbort);
    const col = this.column.index;
    let values: (string | null)[] = [];
    let rows: number[] = [];
    const target: ScanTarget = {
      block: (buf, start, end, bytesEnd) => this.dispatch({ id: this.pool.id(), kind: 'text', buffer: buf.buffer as ArrayBuffer, start: buf.byteOffset + start, end: buf.byteOffset + end, task: this.textTask, out: this.freeOut.pop() ?? null }, true, bytesEnd),
      drain: () => this.drain(0),
      skipRecords: (n) => {
        this.recordsMerged += n;
      },
      recordsMerged: () => this.recordsMerged,
      blankRecord: () => {
        this.blankRows++;
      },
      record: (cells, row) => {
        const country = this.country;
        values.push(col >= cells.length ? null : country === null ? cells[col]! : phoneWithCountry(cells[col]!, cells[country]));
        rows.push(row);
        return values.length >= BATCH_CELLS;
      },
      flush: async (bytesEnd) => {
        if (values.length === 0) return;
        const req: WorkerRequest = { id: this.pool.id(), kind: 'values', values, rows: Float64Array.from(rows), task: this.valueTask, out: this.freeOut.pop() ?? null };
        values = [];
        rows = [];
        await this.dispatch(req, false, bytesEnd);
      },
    };
    try {
      await scanCsv(src, this.sample, target, this.blocks, this.opts.signal);
      await this.drain(0);
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Sends a task, after waiting for room; merges finished tasks in order meanwhile. */
  private async dispatch(req: WorkerRequest, recordBase: boolean, bytesEnd: number): Promise<void> {
    await this.drain(this.maxInFlight - 1);
    const promise = this.pool.run(req);
    // Awaited in order by drain(); if the run is abandoned (cancel, error), its rejection is expected.
    promise.catch(() => undefined);
    this.inFlight.push({ seq: this.seq++, promise, recordBase, bytesEnd });
  }

  /** Merges finished tasks in order until at most `keep` are in flight. */
  private async drain(keep: number): Promise<void> {
    while (this.inFlight.length > keep) {
      const head = this.inFlight[0]!;
      const { result, block } = await this.awaitOrAbort(head.promise);
      this.inFlight.shift();
      this.merge(result, head.recordBase, head.bytesEnd);
      if (block) this.blocks.give(block);
      this.freeOut.push(result.hashes);
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

  private merge(r: ChunkResult, textBlock: boolean, bytesEnd: number): void {
    const base = this.recordsMerged;
    this.rowsRead += r.records - r.blank;
    this.blankRows += r.blank;
    this.valid += r.valid;
    for (let i = 0; i < r.counts.length; i++) {
      const c = r.counts[i]!;
      if (c > 0) {
        this.counts[i]! += c;
        this.rejected += c;
      }
    }
    const max = this.textTask.maxRejects;
    for (let i = 0; i < r.rejRows.length && this.rejects.length < max; i++) {
      this.rejects.push({
        row: textBlock ? base + r.rejRows[i]! + 1 : r.rejRows[i]!,
        column: this.column.name,
        reason: REJECT_REASONS[r.rejReasons[i]!]!,
        masked: r.rejMasked[i]!,
      });
    }
    if (textBlock) this.recordsMerged += r.records;
    this.acc.append(new Uint8Array(r.hashes, 0, r.hashCount * 32), r.hashCount);
    this.bytesRead = Math.max(this.bytesRead, bytesEnd);
    const now = Date.now();
    if (this.opts.onProgress && now - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = now;
      this.opts.onProgress({ bytesRead: this.bytesRead, totalBytes: this.sample.fileSize, rows: this.rowsRead });
    }
  }

  async finish(): Promise<CohortResult> {
    const file = path.basename(this.opts.path);
    const rejectReasons: Partial<Record<RejectReason, number>> = {};
    REJECT_REASONS.forEach((r, i) => {
      if (this.counts[i]! > 0) rejectReasons[r] = this.counts[i]!;
    });
    if (this.rowsRead === 0 && !this.opts.allowEmpty) {
      throw new AppError('CSV_INVALID', this.sample.hasHeader ? `${file} has a header row but no data rows. Export the cohort again with its rows.` : `${file} has no data rows. Export the cohort again with its rows.`);
    }
    if (this.valid === 0 && this.rowsRead > 0) throw new AppError('CSV_INVALID', allInvalidMessage(file, this.opts.key, this.column.name, this.rowsRead, rejectReasons));
    throwIfAborted(this.opts.signal);
    const { hashes, duplicates } = await this.acc.finish((buffer, ranges) => this.pool.sortRanges(buffer, ranges));
    this.opts.onProgress?.({ bytesRead: this.sample.fileSize, totalBytes: this.sample.fileSize, rows: this.rowsRead });
    return {
      rowsRead: this.rowsRead,
      valid: this.valid,
      rejected: this.rejected,
      duplicates,
      unique: this.valid - duplicates,
      blankRows: this.blankRows,
      rejectReasons,
      rejects: this.rejects,
      rejectsTruncated: this.rejected > this.rejects.length,
      hashes,
      column: this.column,
      encoding: this.sample.encoding,
      delimiter: this.sample.delimiter,
      hasHeader: this.sample.hasHeader,
      workers: this.pool.size,
    };
  }
}
