/**
 * readCohort: streams a whole cohort CSV into a sorted, de-duplicated set of SHA-256 digests, with
 * exact counts and the rejected rows (masked). Memory: 32 bytes per valid row, held once (repeats are dropped in
 * place at the end), beside the hashing workers (about 25 MB each); 5 M rows of email, a 286 MB export, peak at
 * 279–287 MB in `cohort-relay plan` (README, Benchmarks).
 *
 * The file is read by the block reader both cohort readers share (block-reader.ts, over scan.ts); this
 * module adds only the per-row key handling (one key cell, with its country cell for phones). Two paths
 * feed the same kernel:
 * - the fast path, for UTF-8 files without any quote character: the main thread cuts the file into
 *   blocks of whole records and the workers split, normalize and hash them (split as CsvParser
 *   splits, property-tested);
 * - CsvParser (Python csv's rules), for quoted or UTF-16 files, or from the first block holding a
 *   quote: the main thread parses and sends batches of key cells to the workers.
 * Results are merged in file order, so row numbers and the kept rejects are those of the file.
 *
 * The read is verified (csv-file.ts, by the block reader): every byte up to the size seen at open is
 * read, and the file is the same one, unchanged, at the end. A file that changed is read again once it
 * settles, or refused.
 */
import path from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { countText } from '../../../shared/count-text';
import { DEFAULT_PROFILE, KEY_LABELS, REJECT_REASONS, REJECT_REASON_TEXT, type KeyType, type NormalizationProfile, type RejectReason } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { BlockRun, expectedRows, readCohortFile, type BlockReadOptions, type RejectRecord } from './block-reader';
import type { ChunkResult, KernelTask, TextTask } from './kernel';
import { DigestCollector, type SpillOptions } from './spill';
import type { SortedParts } from './sorted-parts';
import { phoneWithCountry } from './normalize';
import { throwIfAborted } from './scan';
import { bestColumnFor, type CsvDelimiter, type CsvEncoding, type CsvSample } from './sniff';
import type { HashPool, TaskOutcome } from './worker-pool';

export { throwIfAborted } from './scan';
export type { CohortProgress, RejectRecord } from './block-reader';

export interface ReadCohortOptions extends BlockReadOptions, SpillOptions {
  key: KeyType;
  /** Header name or 0-based index (a string of digits, or "Column N", also works). Default: the best detected column for `key`. */
  column?: string | number;
  /** Phones only: the column of ISO country codes that national-format numbers of the same row are read with (phoneWithCountry). */
  countryColumn?: string | number;
  profile?: NormalizationProfile;
  /** A file with a header but no data rows gives an empty set instead of CSV_INVALID (suppression lists). */
  allowEmpty?: boolean;
  /** A file whose every row is rejected gives its counts and rejects instead of CSV_INVALID (the rejects report). */
  allowAllRejected?: boolean;
  /**
   * Hand over the set as `parts` (the caller disposes them) instead of one buffer: a cohort too large for memory stays
   * in part files (spill.ts) and is read a part at a time. `hashes` is then empty.
   */
  keepParts?: boolean;
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
  /** Sorted unique 32-byte SHA-256 digests (possibly backed by a SharedArrayBuffer); empty with `keepParts`. */
  hashes: Buffer;
  /** The further columns of the key that were read too (readCohortColumns: `Email 2`, `Email 3`), in mapping order. */
  extraColumns?: { index: number; name: string }[];
  /** With `keepParts`: the same set in parts, in memory or on disk; the caller disposes it. */
  parts?: SortedParts;
  column: { index: number; name: string };
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  hasHeader: boolean;
  /** Hashing worker threads used (0: the calling thread did the work, e.g. a small file). */
  workers: number;
}

/** Cells (one a record) per batch on the parser path. */
const BATCH_CELLS = 16_384;

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
export function allInvalidMessage(file: string, key: KeyType, column: string, rows: number, counts: Partial<Record<RejectReason, number>>): string {
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
  return `None of the ${countText(rows)} rows of ${file} has a usable ${label} in column "${column}": the most common problem is "${REJECT_REASON_TEXT[top].label}" (${countText(topCount)} rows). ${fix[top]}`;
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
  // A file that changed while it was read is read again: every attempt's run but the last (whose result is returned)
  // lets its part files go, and on failure all of them do.
  const runs: CohortRun[] = [];
  try {
    const result = await readCohortFile(
      opts,
      opts.key === 'phone',
      (sample) => {
        const column = resolveColumn(sample, opts.key, opts.column);
        const country = countryColumnOf(sample, opts.key, opts.countryColumn, column.index);
        // With a country column each row needs two cells: the parser path (records), not the one-cell block path.
        return { column, country, recordsOnly: country !== null };
      },
      (sample, { column, country }, pool) => {
        const run = new CohortRun(opts, sample, column, profile, pool, country);
        runs.push(run);
        return run;
      },
    );
    await Promise.all(runs.slice(0, -1).map((r) => r.dispose()));
    return result;
  } catch (err) {
    // A failed or cancelled read leaves no part files behind.
    await Promise.all(runs.map((r) => r.dispose().catch(() => undefined)));
    throw err;
  }
}

/** One readCohort call: one key column (and its country column) per row, digests into a DigestCollector. */
class CohortRun extends BlockRun<ChunkResult, CohortResult> {
  private readonly acc: DigestCollector;
  private blankRows = 0;
  private valid = 0;
  private readonly textTask: TextTask;
  private readonly valueTask: KernelTask;

  constructor(
    protected override readonly opts: ReadCohortOptions,
    sample: CsvSample,
    private readonly column: { index: number; name: string },
    profile: NormalizationProfile,
    pool: HashPool,
    private readonly country: number | null = null,
  ) {
    super(opts, sample, pool, profile, BATCH_CELLS);
    this.acc = new DigestCollector(expectedRows(sample), { spillAbove: opts.spillAbove, tmpRoot: opts.tmpRoot });
    this.valueTask = { key: opts.key, profile: this.kernelProfile, maxRejects: this.maxRejects };
    this.textTask = { ...this.valueTask, column: column.index, delimiter: sample.delimiter, bytesPerRecord: sample.bytesPerRecord };
  }

  protected runBlock(buf: Buffer, start: number, end: number): Promise<TaskOutcome> {
    return this.pool.run({ id: this.pool.id(), kind: 'text', buffer: buf.buffer as ArrayBuffer, start: buf.byteOffset + start, end: buf.byteOffset + end, task: this.textTask, out: this.freeOut.pop() ?? null });
  }

  protected override blankRecord(): void {
    this.blankRows++;
  }

  protected keyCells(cells: string[], into: (string | null)[]): void {
    const col = this.column.index;
    const country = this.country;
    into.push(col >= cells.length ? null : country === null ? cells[col]! : phoneWithCountry(cells[col]!, cells[country], this.kernelProfile.defaultCountry));
  }

  protected keyColumns(): readonly { index: number; key: KeyType; name: string }[] {
    return [{ ...this.column, key: this.opts.key }];
  }

  protected runBatch(values: (string | null)[], rows: Float64Array): Promise<TaskOutcome> {
    return this.pool.run({ id: this.pool.id(), kind: 'values', values, rows, task: this.valueTask, out: this.freeOut.pop() ?? null });
  }

  protected absorb(r: ChunkResult): number {
    this.blankRows += r.blank;
    this.valid += r.valid;
    this.acc.append(new Uint8Array(r.hashes, 0, r.hashCount * 32), r.hashCount);
    return r.records - r.blank;
  }

  protected outBuffer(r: ChunkResult): ArrayBuffer {
    return r.hashes;
  }

  protected rejectColumn(): string {
    return this.column.name;
  }

  dispose(): Promise<void> {
    return this.acc.dispose();
  }

  async finish(): Promise<CohortResult> {
    const file = path.basename(this.opts.path);
    const rejectReasons = this.rejectReasons();
    if (this.rowsRead === 0 && !this.opts.allowEmpty) throw this.noRows();
    if (this.valid === 0 && this.rowsRead > 0 && !this.opts.allowAllRejected) throw new AppError('CSV_INVALID', allInvalidMessage(file, this.opts.key, this.column.name, this.rowsRead, rejectReasons));
    throwIfAborted(this.opts.signal);
    const { set, duplicates } = await this.acc.finish((buffer, ranges) => this.pool.sortRanges(buffer, ranges));
    let hashes: Buffer = Buffer.alloc(0);
    if (!this.opts.keepParts) {
      try {
        hashes = await set.toBuffer();
      } finally {
        await set.dispose();
      }
    }
    this.progressDone();
    return {
      rowsRead: this.rowsRead,
      valid: this.valid,
      rejected: this.rejectedCount,
      duplicates,
      unique: this.valid - duplicates,
      blankRows: this.blankRows,
      rejectReasons,
      rejects: this.rejects,
      rejectsTruncated: this.rejectedCount > this.rejects.length,
      hashes,
      ...(this.opts.keepParts ? { parts: set } : {}),
      column: this.column,
      encoding: this.sample.encoding,
      delimiter: this.sample.delimiter,
      hasHeader: this.sample.hasHeader,
      workers: this.pool.size,
    };
  }
}
