/**
 * readCohortMulti: streams a cohort CSV with up to three key columns (email, phone, mobile ad id) into
 * a sorted, de-duplicated set of 96-byte tuples for a MULTIPLE_TYPES audience (multi-key.ts), with
 * counts per key and one reject record per rejected cell.
 *
 * Each cell is normalized and checked exactly as readCohort does for its key (the same kernel); a row
 * is kept when at least one of its keys is valid. Like readCohort, quote-free UTF-8 is cut into blocks
 * of whole records that the hashing workers split and hash (kernel.processMultiBytes); quoted or UTF-16
 * text, from the first block holding a quote, is split by papaparse here and sent as batches of cells.
 * Results are merged in file order, so row numbers and the kept rejects are those of the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { DEFAULT_PROFILE, KEY_LABELS, REJECT_REASONS, REJECT_REASON_TEXT, type KeyType, type NormalizationProfile, type RejectReason } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { sortUniqueInPlace } from './hash-set';
import type { MultiChunkResult, MultiTask, MultiTextTask } from './kernel';
import { MULTI_ENTRY_BYTES, MULTI_SLOTS, slotOfKey, type MultiSlot } from './multi-key';
import { checkProfile, countRecords, resolveColumn, skipHeader, throwIfAborted, type CohortProgress, type RejectRecord } from './read-cohort';
import { isBlank, openCsv, sniffCsv, type CsvDelimiter, type CsvSample } from './sniff';
import { defaultWorkerCount, HashPool, type MultiRequest } from './worker-pool';

/** One key of a multi-key cohort: which key, read from which column (header name or 0-based index). */
export interface MultiKeyMapping {
  key: KeyType;
  column: string | number;
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
const BLOCK_BYTES = 2 * 1024 * 1024;
/** A record longer than this is not a CSV record (an unclosed quote, or not a CSV at all). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
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
 * key), INVALID_ARGUMENT (bad mappings, unknown column, one column mapped twice, bad default country),
 * CANCELLED (signal).
 */
export async function readCohortMulti(opts: ReadCohortMultiOptions): Promise<MultiCohortResult> {
  checkMappings(opts.keys);
  const profile = opts.profile ?? DEFAULT_PROFILE;
  for (const k of opts.keys) checkProfile(k.key, profile);
  throwIfAborted(opts.signal);
  const size = await fs.promises.stat(opts.path).then((st) => st.size, () => 0);
  const wanted = opts.workers ?? (size < SMALL_FILE_BYTES ? 0 : defaultWorkerCount());
  const starting = HashPool.open(wanted, { phone: opts.keys.some((k) => k.key === 'phone') });
  let sample: CsvSample;
  let columns: MultiCohortResult['columns'];
  try {
    sample = await sniffCsv(opts.path, { hasHeader: opts.hasHeader, delimiter: opts.delimiter });
    columns = opts.keys.map((k) => ({ key: k.key, slot: slotOfKey(k.key), ...resolveColumn(sample, k.key, k.column) }));
    for (let i = 1; i < columns.length; i++) {
      const twin = columns.slice(0, i).find((c) => c.index === columns[i]!.index);
      if (twin) throw new AppError('INVALID_ARGUMENT', `Column "${twin.name}" is mapped to both ${KEY_LABELS[twin.key]} and ${KEY_LABELS[columns[i]!.key]}: map each key to its own column.`);
    }
  } catch (err) {
    await (await starting).close();
    throw err;
  }
  const pool = await starting;
  const run = new MultiRun(opts, sample, columns, profile, Math.max(0, opts.maxRejects ?? 100_000), pool);
  try {
    await run.read();
    return run.finish();
  } finally {
    await pool.close();
  }
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
  private readonly freeBlocks: ArrayBuffer[] = [];
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
  ) {
    const normProfile = { ...profile, defaultCountry: profile.defaultCountry?.toUpperCase() ?? null };
    this.task = { keys: columns.map((c) => c.key), slots: columns.map((c) => MULTI_SLOTS.indexOf(c.slot)), profile: normProfile, maxRejects };
    this.textTask = { ...this.task, columns: columns.map((c) => c.index), delimiter: sample.delimiter, newline: sample.newline };
    this.perKey = new Array<number>(columns.length * 3).fill(0);
    this.maxInFlight = Math.max(2, pool.size * 2);
    const expected = sample.complete ? sample.records.length : Math.ceil(sample.fileSize / Math.max(1, sample.bytesPerRecord));
    this.entries = Buffer.allocUnsafe(Math.max(1024, Math.ceil(expected * 1.2)) * MULTI_ENTRY_BYTES);
  }

  async read(): Promise<void> {
    const { handle, size } = await openCsv(this.opts.path);
    const onAbort = () => this.abortWait?.();
    this.opts.signal?.addEventListener('abort', onAbort);
    try {
      let pos = this.sample.bomBytes;
      let carry: Buffer = Buffer.alloc(0);
      let headerPending = this.sample.hasHeader;
      if (this.sample.encoding === 'utf-8' && !this.sample.hasQuotes) {
        const handover = await this.readFast(handle, size, pos);
        if (handover) ({ pos, carry, headerPending } = handover);
        else pos = size;
      }
      if (pos < size || carry.length > 0) await this.parse(handle, size, pos, carry, headerPending);
      await this.drain(0);
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
      await handle.close();
    }
  }

  /**
   * Quote-free UTF-8: cut blocks at record ends and let the workers split and hash them. Returns where
   * papaparse must take over (a block holding a quote), or null at the end of the file.
   */
  private async readFast(handle: import('node:fs/promises').FileHandle, size: number, start: number): Promise<{ pos: number; carry: Buffer; headerPending: boolean } | null> {
    const nl = Buffer.from(this.sample.newline, 'latin1');
    let pos = start;
    let carry: Buffer = Buffer.alloc(0);
    let headerPending = this.sample.hasHeader;
    for (;;) {
      throwIfAborted(this.opts.signal);
      const want = pos < size ? BLOCK_BYTES : 0;
      const buf = this.takeBlock(carry.length + want);
      carry.copy(buf, 0);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buf, carry.length + got, want - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      pos += got;
      const len = carry.length + got;
      const eof = pos >= size || got < want;
      if (len === 0) return null;
      let cut = len;
      if (!eof) {
        const last = buf.subarray(0, len).lastIndexOf(nl);
        if (last < 0) {
          if (len > MAX_RECORD_BYTES) throw this.tooLong();
          carry = buf.subarray(0, len);
          continue;
        }
        cut = last + nl.length;
      }
      if (buf.subarray(0, cut).indexOf(0x22) >= 0) {
        // A quote from here on: papaparse takes over at this block's first record.
        await this.drain(0);
        return { pos, carry: Buffer.from(buf.subarray(0, len)), headerPending };
      }
      let begin = 0;
      if (headerPending) {
        const skipped = skipHeader(buf, cut, nl, this.sample.delimiter);
        if (skipped === null) {
          // Only blank lines so far: they still count as rows of the spreadsheet.
          await this.drain(0);
          this.recordsMerged += countRecords(buf, cut, nl);
          carry = Buffer.from(buf.subarray(cut, len));
          if (eof) return carry.length > 0 ? { pos, carry, headerPending } : null;
          continue;
        }
        begin = skipped.offset;
        await this.drain(0);
        this.recordsMerged += skipped.records;
        headerPending = false;
      }
      carry = Buffer.from(buf.subarray(cut, len));
      if (cut > begin) {
        const req: MultiRequest = { id: this.pool.id(), kind: 'multiText', buffer: buf.buffer as ArrayBuffer, start: buf.byteOffset + begin, end: buf.byteOffset + cut, task: this.textTask, out: this.freeOut.pop() ?? null };
        await this.dispatch(this.pool.runMulti(req), true, pos - carry.length);
      } else this.freeBlocks.push(buf.buffer as ArrayBuffer);
      if (eof) return carry.length > 0 ? { pos, carry, headerPending } : null;
    }
  }

  /** A buffer of at least `bytes` for a text block: a returned one when big enough, else a new one. */
  private takeBlock(bytes: number): Buffer {
    const free = this.freeBlocks.pop();
    if (free && free.byteLength >= bytes) return Buffer.from(free, 0, bytes);
    return Buffer.from(Buffer.allocUnsafeSlow(Math.max(bytes, BLOCK_BYTES + 64 * 1024)).buffer, 0, bytes);
  }

  private tooLong(row?: number): AppError {
    const where = row ? ` (from row ${row})` : '';
    return new AppError('CSV_INVALID', `${path.basename(this.opts.path)} has a record longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB${where}: a quoted cell is probably never closed. Fix the quote, or export the file again.`);
  }

  /** papaparse from `start` (after `first`, bytes already read), a block at a time; each batch of rows goes to a worker. */
  private async parse(handle: import('node:fs/promises').FileHandle, size: number, start: number, first: Buffer, skipHeaderRecord: boolean): Promise<void> {
    const decoder = new TextDecoder(this.sample.encoding, { fatal: false, ignoreBOM: true });
    const parser = new Papa.Parser({ delimiter: this.sample.delimiter, newline: this.sample.newline, quoteChar: '"' });
    const cols = this.columns.map((c) => c.index);
    const nk = cols.length;
    let headerPending = skipHeaderRecord;
    let record = this.recordsMerged;
    let partial = '';
    let cells: (string | null)[] = [];
    let rows: number[] = [];
    let pos = start;
    let pending: Buffer | null = first.length > 0 ? first : null;
    const flush = async (bytesEnd: number) => {
      if (rows.length === 0) return;
      const req: MultiRequest = { id: this.pool.id(), kind: 'multi', cells, rows: Float64Array.from(rows), task: this.task, out: this.freeOut.pop() ?? null };
      cells = [];
      rows = [];
      await this.dispatch(this.pool.runMulti(req), false, bytesEnd);
    };
    for (;;) {
      throwIfAborted(this.opts.signal);
      let chunk: Buffer;
      if (pending) {
        chunk = pending;
        pending = null;
      } else {
        chunk = Buffer.allocUnsafe(Math.min(BLOCK_BYTES, Math.max(0, size - pos)));
        let got = 0;
        while (got < chunk.length) {
          const { bytesRead } = await handle.read(chunk, got, chunk.length - got, pos + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        pos += got;
        chunk = chunk.subarray(0, got);
      }
      const eof = pos >= size;
      const text = decoder.decode(chunk, { stream: !eof });
      const agg = partial + text;
      const res = parser.parse(agg, 0, !eof) as { data: string[][]; meta: { cursor: number } };
      partial = eof ? '' : agg.substring(res.meta.cursor);
      // A final line end makes papaparse report one empty record more; a spreadsheet shows none.
      if (eof && agg.endsWith(this.sample.newline)) {
        const last = res.data[res.data.length - 1];
        if (last && last.length === 1 && last[0] === '') res.data.pop();
      }
      if (partial.length > MAX_RECORD_BYTES) throw this.tooLong(record + 1);
      for (const rec of res.data) {
        const idx = record++;
        if (isBlank(rec)) continue;
        if (headerPending) {
          headerPending = false;
          continue;
        }
        for (let k = 0; k < nk; k++) cells.push(cols[k]! < rec.length ? rec[cols[k]!]! : null);
        rows.push(idx + 1);
        if (rows.length >= BATCH_ROWS) await flush(pos);
      }
      if (eof) break;
    }
    await flush(pos);
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
      if (block) this.freeBlocks.push(block);
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
