/**
 * readCohortMulti: streams a cohort CSV with key columns (email, phone, mobile ad id; up to three columns of each,
 * a person with two emails) into a sorted, de-duplicated set of tuples for a MULTIPLE_TYPES audience
 * (multi-key.ts: 96 bytes with one column per key, wider with several), with counts per key and one reject
 * record per rejected cell. An empty cell is no reject (most people have one email): a row is rejected only
 * when all its keys are empty or unusable.
 *
 * Each cell is normalized and checked exactly as readCohort does for its key (the same kernel); a row
 * is kept when at least one of its keys is valid. The file is read by the block reader readCohort
 * uses too (block-reader.ts: verified open, scan, in-order merge, rejects, progress, abort); this module
 * adds only the per-row key handling: quote-free UTF-8 blocks go to kernel.processMultiBytes, and
 * records CsvParser split (quoted or UTF-16 text, from the first block holding a quote) are sent as
 * batches of key cells.
 */
import path from 'node:path';
import { countText } from '../../../shared/count-text';
import { DEFAULT_PROFILE, KEY_LABELS, REJECT_REASONS, REJECT_REASON_TEXT, type KeyType, type NormalizationProfile, type RejectReason } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { sortUniqueInPlaceAsync } from './sort-async';
import type { MultiChunkResult, MultiTask, MultiTextTask } from './kernel';
import { canonicalTuples, MAX_VALUES_PER_SLOT, slotOfKey, tupleLayout, type MultiSlot, type TupleLayout } from './multi-key';
import { BlockRun, expectedRows, readCohortFile, type BlockReadOptions, type ChunkSource, type RejectRecord } from './block-reader';
import { normalize, phoneWithCountry } from './normalize';
import { checkProfile, countryColumnOf, resolveColumn } from './read-cohort';
import { afterLineEnd, recordEnd, throwIfAborted } from './scan';
import type { CsvSample } from './sniff';
import type { HashPool } from './worker-pool';

/** One key of a multi-key cohort: which key, read from which column (header name or 0-based index). */
export interface MultiKeyMapping {
  key: KeyType;
  column: string | number;
  /** Phone only: the column of ISO country codes for national-format numbers (see readCohort). */
  countryColumn?: string | number;
}

export interface ReadCohortMultiOptions extends BlockReadOptions {
  /**
   * The mapped columns, 1 to 3 per slot (a key given twice: two columns of it, `Email 1` and `Email 2`). IDFA and
   * GAID share the MAID slot: map one of them.
   */
  keys: MultiKeyMapping[];
  profile: NormalizationProfile;
  /** A file where no row has a usable key gives its counts and rejects instead of CSV_INVALID (the rejects report). */
  allowAllRejected?: boolean;
}

export interface MultiCohortResult {
  /** Data rows read (header and blank rows left out): rowsRead = valid + rejected. */
  rowsRead: number;
  /** Rows kept: at least one key valid (duplicates included). */
  valid: number;
  /** Rows with no valid key (empty keys count as missing, not as a reason to keep). */
  rejected: number;
  /** Kept rows whose tuple equals an earlier row's: valid − duplicates = entries.length / layout.width. */
  duplicates: number;
  /** Per rejected cell (a row kept with one bad key still counts that cell); a row whose keys are all empty counts one EMPTY. */
  rejectReasons: Record<string, number>;
  /** Cells per mapped slot (all its columns): valid, rejected (invalid or missing column), empty. */
  perKey: Partial<Record<MultiSlot, { valid: number; rejected: number; empty: number }>>;
  /** One record per rejected cell, in row order, the first `maxRejects`; each says whether its row was kept (rowKept). */
  rejects: RejectRecord[];
  rejectsTruncated: boolean;
  /** Sorted (byte-wise over the whole tuple), unique tuples of `layout`; an absent key is 32 zero bytes. */
  entries: Buffer;
  /** Where each key's values sit in a tuple (its width is the entries' width). */
  layout: TupleLayout;
  /** The mapped columns, in the order of `keys`. */
  columns: { key: KeyType; slot: MultiSlot; index: number; name: string }[];
  encoding: string;
  delimiter: string;
  hasHeader: boolean;
}

/** A cell with nothing but spaces (zero-width ones too): a key cell that was not rejected and looks so is empty. */
const BLANK_CELL = /^[\s\u0085\u200b-\u200d\u2060]*$/;

/** Rows per batch sent to a worker. */
const BATCH_ROWS = 8192;

/** Checks the mappings (1 to 3 columns per slot, IDFA and GAID not both) and returns their tuple layout. */
function checkMappings(keys: readonly MultiKeyMapping[]): TupleLayout {
  if (keys.length < 1) throw new AppError('INVALID_ARGUMENT', 'A multi-key cohort maps at least one key column (email, phone, mobile ad id); none was given.');
  const keyTypes = keys.map((k) => k.key);
  if (keyTypes.includes('idfa') && keyTypes.includes('gaid')) {
    throw new AppError('INVALID_ARGUMENT', 'IDFA and GAID both go to TikTok\'s one mobile ad id key (MAID_SHA256): map a single ad id column. If the ids are in two columns, combine them into one column first, or make a separate audience for each.');
  }
  const columns: Partial<Record<MultiSlot, number>> = {};
  for (const k of keys) {
    const slot = slotOfKey(k.key);
    columns[slot] = (columns[slot] ?? 0) + 1;
    if (columns[slot]! > MAX_VALUES_PER_SLOT) throw new AppError('INVALID_ARGUMENT', `${KEY_LABELS[k.key]} is mapped to ${columns[slot]} columns: map at most ${MAX_VALUES_PER_SLOT} columns to one key (TikTok takes up to ${MAX_VALUES_PER_SLOT} values of a kind per person).`);
  }
  return tupleLayout(columns);
}

/**
 * Streams the whole file and returns its distinct tuples with counts per key and per-cell rejects.
 * Throws AppError: FILE_NOT_FOUND, CSV_INVALID (empty, header only, binary, every row without a valid
 * key, a quote that would swallow rows, a file that kept changing while read), INVALID_ARGUMENT (not
 * a regular file, bad mappings, unknown column, one column mapped twice, bad default country),
 * CANCELLED (signal).
 */
export async function readCohortMulti(opts: ReadCohortMultiOptions): Promise<MultiCohortResult> {
  const layout = checkMappings(opts.keys);
  const profile = opts.profile ?? DEFAULT_PROFILE;
  for (const k of opts.keys) checkProfile(k.key, profile);
  return readCohortFile(
    opts,
    opts.keys.some((k) => k.key === 'phone'),
    (sample) => {
      const columns: MultiCohortResult['columns'] = opts.keys.map((k) => ({ key: k.key, slot: slotOfKey(k.key), ...resolveColumn(sample, k.key, k.column) }));
      const countries = opts.keys.map((k, i) => countryColumnOf(sample, k.key, k.countryColumn, columns[i]!.index));
      for (let i = 1; i < columns.length; i++) {
        const twin = columns.slice(0, i).find((c) => c.index === columns[i]!.index);
        if (twin && twin.key === columns[i]!.key) throw new AppError('INVALID_ARGUMENT', `Column "${twin.name}" is mapped twice to ${KEY_LABELS[twin.key]}. Map each column once.`);
        if (twin) throw new AppError('INVALID_ARGUMENT', `Column "${twin.name}" is mapped to both ${KEY_LABELS[twin.key]} and ${KEY_LABELS[columns[i]!.key]}: map each key to its own column.`);
      }
      // A country column needs two cells per phone: the parser path (records), not the block path.
      return { columns, countries, recordsOnly: countries.some((c) => c !== null) };
    },
    (sample, { columns, countries }, pool) => new MultiRun(opts, sample, columns, profile, pool, layout, countries),
  );
}

/** One readCohortMulti call: the mapped key cells of each row, tuples of `layout` collected in one buffer. */
class MultiRun extends BlockRun<MultiChunkResult, MultiCohortResult> {
  private entries: Buffer;
  private entryBytes = 0;
  private readonly perKey: number[];
  private valid = 0;
  private rejected = 0;
  private readonly task: MultiTask;
  private readonly textTask: MultiTextTask;
  private readonly cols: number[];

  constructor(
    protected override readonly opts: ReadCohortMultiOptions,
    sample: CsvSample,
    private readonly columns: MultiCohortResult['columns'],
    profile: NormalizationProfile,
    pool: HashPool,
    private readonly layout: TupleLayout,
    private readonly countries: readonly (number | null)[] = [],
  ) {
    super(opts, sample, pool, profile, BATCH_ROWS);
    // A slot's columns fill its positions in mapping order (canonicalTuples sorts them once the rows are in).
    const used: Record<MultiSlot, number> = { email: 0, phone: 0, maid: 0 };
    const slots = columns.map((c) => layout.at[c.slot] / 32 + used[c.slot]++);
    this.task = { keys: columns.map((c) => c.key), slots, width: layout.width, profile: this.kernelProfile, maxRejects: this.maxRejects };
    this.cols = columns.map((c) => c.index);
    this.textTask = { ...this.task, columns: this.cols, delimiter: sample.delimiter };
    this.perKey = new Array<number>(columns.length * 3).fill(0);
    this.entries = Buffer.allocUnsafe(Math.max(1024, Math.ceil(expectedRows(sample) * 1.2)) * layout.width);
  }

  protected runBlock(buf: Buffer, start: number, end: number): Promise<{ result: MultiChunkResult; block: ArrayBuffer | null }> {
    return this.pool.runMulti({ id: this.pool.id(), kind: 'multiText', buffer: buf.buffer as ArrayBuffer, start: buf.byteOffset + start, end: buf.byteOffset + end, task: this.textTask, out: this.freeOut.pop() ?? null });
  }

  // Blank rows are not counted for a multi-key cohort (blankRecord: the default, nothing).

  protected keyCells(rec: string[], into: (string | null)[]): void {
    const cols = this.cols;
    for (let k = 0; k < cols.length; k++) {
      const country = this.countries[k] ?? null;
      into.push(cols[k]! >= rec.length ? null : country === null ? rec[cols[k]!]! : phoneWithCountry(rec[cols[k]!]!, rec[country], this.kernelProfile.defaultCountry));
    }
  }

  protected keyColumns(): readonly { index: number; key: KeyType; name: string }[] {
    return this.columns;
  }

  protected runBatch(cells: (string | null)[], rows: Float64Array): Promise<{ result: MultiChunkResult; block: ArrayBuffer | null }> {
    return this.pool.runMulti({ id: this.pool.id(), kind: 'multi', cells, rows, task: this.task, out: this.freeOut.pop() ?? null });
  }

  protected absorb(r: MultiChunkResult): number {
    this.valid += r.valid;
    this.rejected += r.rejected;
    for (let i = 0; i < r.perKey.length; i++) this.perKey[i]! += r.perKey[i]!;
    const bytes = r.entryCount * this.layout.width;
    if (this.entryBytes + bytes > this.entries.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.entryBytes + bytes, this.entries.length * 2));
      this.entries.copy(bigger, 0, 0, this.entryBytes);
      this.entries = bigger;
    }
    this.entries.set(new Uint8Array(r.entries, 0, bytes), this.entryBytes);
    canonicalTuples(this.entries.subarray(this.entryBytes, this.entryBytes + bytes), r.entryCount, this.layout);
    this.entryBytes += bytes;
    return r.rows;
  }

  protected outBuffer(r: MultiChunkResult): ArrayBuffer {
    return r.entries;
  }

  protected rejectColumn(r: MultiChunkResult, i: number): string {
    return this.columns[r.rejKeys[i]!]!.name;
  }

  /**
   * Says of each kept reject whether its row was kept (another of its keys is usable, so the person is sent) or
   * dropped (no usable key). The kernel counts a task's dropped rows without naming them, so: a row with an EMPTY
   * reject (every key empty) or a reject in every mapped column is dropped; for the others the task's count settles
   * it when it can (none or all of them dropped), else their other cells are looked at again, from the task's rows. A
   * cell that was not rejected is empty or usable, so a glance tells which; only a row whose rejects were cut off by
   * `maxRejects` is normalized again.
   */
  protected override markRejects(r: MultiChunkResult, from: number, source: ChunkSource, block: ArrayBuffer | null): void {
    const rejects = this.rejects;
    const end = rejects.length;
    const rows: { at: number; to: number; rejected: number; empty: boolean; local: number }[] = [];
    for (let i = from; i < end; i++) {
      const local = r.rejRows[i - from]!;
      let row = rows[rows.length - 1];
      if (!row || row.local !== local) rows.push((row = { at: i, to: i, rejected: 0, empty: false, local }));
      row.to = i + 1;
      row.rejected |= 1 << r.rejKeys[i - from]!;
      if (rejects[i]!.reason === 'EMPTY') row.empty = true;
    }
    const mark = (row: (typeof rows)[number], kept: boolean) => {
      for (let i = row.at; i < row.to; i++) rejects[i]!.rowKept = kept;
    };
    const every = (1 << this.cols.length) - 1;
    const open: typeof rows = [];
    let sure = 0;
    for (const row of rows) {
      if (row.empty || row.rejected === every) {
        mark(row, false);
        sure++;
      } else open.push(row);
    }
    if (open.length === 0) return;
    let all = 0;
    for (const c of r.counts) all += c;
    // Every reject of the task was kept: its dropped rows are the sure ones and some of the open ones.
    const complete = end - from === all;
    if (complete && r.rejected - sure === 0) return open.forEach((row) => mark(row, true));
    if (complete && r.rejected - sure === open.length) return open.forEach((row) => mark(row, false));
    const cellsOf = this.rowCells(source, block);
    for (const row of open) {
      const cells = cellsOf(row.local);
      // The last row kept may have lost rejects to maxRejects: its cells are normalized again rather than glanced at.
      const partial = !complete && row.to === end;
      let kept = false;
      for (let k = 0; k < this.cols.length && !kept; k++) {
        if (row.rejected & (1 << k)) continue;
        const cell = cells[k] ?? null;
        kept = cell !== null && (partial ? normalize(this.columns[k]!.key, cell, this.kernelProfile).ok : !BLANK_CELL.test(cell));
      }
      mark(row, kept);
    }
  }

  /** The key cells of a task's rows, asked for in row order (text block: record index; batch: the row as passed). */
  private rowCells(source: ChunkSource, block: ArrayBuffer | null): (local: number) => readonly (string | null)[] {
    const nk = this.cols.length;
    if (source.kind === 'cells') {
      let j = 0;
      return (row) => {
        while (j < source.rows.length && source.rows[j]! < row) j++;
        return source.cells.slice(j * nk, j * nk + nk);
      };
    }
    const b = Buffer.from(block ?? source.buffer, source.offset, source.length);
    const delimiter = this.sample.delimiter;
    let pos = 0;
    let record = 0;
    return (local) => {
      for (; record < local && pos < b.length; record++) pos = afterLineEnd(b, recordEnd(b, pos, b.length), b.length);
      const cells = b.toString('utf8', pos, recordEnd(b, pos, b.length)).split(delimiter);
      return this.cols.map((c) => (c < cells.length ? cells[c]! : null));
    };
  }

  async finish(): Promise<MultiCohortResult> {
    const file = path.basename(this.opts.path);
    const rejectReasons: Record<string, number> = this.rejectReasons();
    if (this.rowsRead === 0) throw this.noRows();
    if (this.valid === 0 && !this.opts.allowAllRejected) throw new AppError('CSV_INVALID', this.allInvalidMessage(file));
    throwIfAborted(this.opts.signal);
    // Sorted where they were collected (no second copy of the tuples); trimmed when the estimate was far off.
    const w = this.layout.width;
    const unique = await sortUniqueInPlaceAsync(this.entries, this.entryBytes / w, w);
    const sorted = this.entries.subarray(0, unique * w);
    const entries = sorted.length < this.entries.length * 0.75 ? Buffer.from(sorted) : sorted;
    this.entries = Buffer.alloc(0);
    const perKey: MultiCohortResult['perKey'] = {};
    this.columns.forEach((c, k) => {
      const was = perKey[c.slot] ?? { valid: 0, rejected: 0, empty: 0 };
      perKey[c.slot] = { valid: was.valid + this.perKey[3 * k]!, rejected: was.rejected + this.perKey[3 * k + 1]!, empty: was.empty + this.perKey[3 * k + 2]! };
    });
    this.progressDone();
    return {
      rowsRead: this.rowsRead,
      valid: this.valid,
      rejected: this.rejected,
      duplicates: this.valid - entries.length / w,
      rejectReasons,
      perKey,
      rejects: this.rejects,
      rejectsTruncated: this.rejectedCount > this.rejects.length,
      entries,
      layout: this.layout,
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
    return `None of the ${countText(this.rowsRead)} rows of ${file} has a usable key in ${names}: the most common problem is "${REJECT_REASON_TEXT[top].label}" (${countText(topCount)} cells). ${fix[top]}`;
  }
}
