/**
 * The read loop of the block reader (block-reader.ts) both cohort readers share: it walks a verified CsvFile
 * once, from the byte-order mark to the size seen at open, and hands the reader either
 * - blocks of whole records (quote-free UTF-8: the fast path, split and hashed by the workers), or
 * - records parsed by CsvParser (quoted or UTF-16 text, or from the first block holding a quote).
 * Records end at CRLF, LF or a lone CR on both paths, as in Python's csv module. A parse problem that
 * would lose rows is a CSV_INVALID naming the row. The reader merges results in file order.
 *
 * A file that ends in the middle of a row is refused (CSV_INVALID, cutOffMessage): a last row with no line end and
 * fewer cells than every whole row of the file (the header included), a quoted cell left open on the last line, or a
 * last row with no line end whose last cell is an unquoted key cell rejected as invalid and shaped like a key cut short
 * (ScanTarget.cutKey: a single column of emails ending "c@exa"; "n/a" or "not-an-email" is just a rejected row). That is an export cut short (a crash, a full disk, a copy stopped half way): the people after it
 * are missing and a sync would remove them. A last row with no final line end is read as usual when it is as wide as
 * some whole row (ragged files: exporters that leave out empty trailing cells) and its key is not invalid; a key cut
 * short that is still valid ("c@example.co") cannot be told from a whole one, and only the volume-drop and removal
 * limits catch that cut. A DOS end-of-file mark (Ctrl-Z, 0x1A) as the last byte of a UTF-8 file is left out.
 */
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { countText } from '../../../shared/count-text';
import { AppError } from '../../../shared/errors';
import type { CsvFile } from './csv-file';
import { CsvParser, CsvSyntaxError, cutOffMessage, syntaxErrorMessage } from './csv-parser';
import { decodeWindows1252, endsWithDosEof, isBlank, type CsvSample } from './sniff';

/** Bytes per read: large enough to amortize a worker round trip, small enough to keep workers even. */
export const BLOCK_BYTES = 2 * 1024 * 1024;
/** A record longer than this is not a CSV record (an unclosed quote, or not a CSV at all). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** What a reader does with what the scan finds. */
export interface ScanTarget {
  /** A block of whole quote-free records, buf[start, end), ending at file offset `bytesEnd`; buf's memory is the target's now. */
  block(buf: Buffer, start: number, end: number, bytesEnd: number): Promise<void>;
  /** Merges everything in flight: called before records outside blocks are counted or parsing starts. */
  drain(): Promise<void>;
  /** `n` records passed over outside blocks (leading blank lines, the header): they keep their row numbers. */
  skipRecords(n: number): void;
  /** Records merged so far (blank ones and the header included): the parser's row numbers start after them. */
  recordsMerged(): number;
  /** A blank record after the header, on the parser path. */
  blankRecord(): void;
  /** A record (not blank, not the header) on the parser path, with its 1-based row number. True when a batch is full. */
  record(cells: string[], row: number): boolean;
  /** Sends the batch collected so far (nothing when empty); `bytesEnd` is how far the file has been read. */
  flush(bytesEnd: number): Promise<void>;
  /**
   * The last record, with no line end: null when it is read as usual, else what shows it was cut short (its last cell
   * is a key cell the reader rejects as invalid, shaped like a key cut short: block-reader looksCutShort; in words for
   * cutOffMessage).
   */
  cutKey(cells: readonly string[]): string | null;
}

/** Block buffers handed back by finished tasks, for the next blocks (no per-block garbage). */
export class BlockBuffers {
  private readonly free: ArrayBuffer[] = [];

  /** A buffer of exactly `bytes`: a returned one when big enough, else a new one. */
  take(bytes: number): Buffer {
    const free = this.free.pop();
    if (free && free.byteLength >= bytes) return Buffer.from(free, 0, bytes);
    // Room for a typical carried partial record too, so the buffer stays reusable.
    return Buffer.from(Buffer.allocUnsafeSlow(Math.max(bytes, BLOCK_BYTES + 64 * 1024)).buffer, 0, bytes);
  }

  give(block: ArrayBuffer): void {
    this.free.push(block);
  }
}

/** Throws AppError CANCELLED when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Reading the cohort file was cancelled.');
}

/** Reads the whole of `src` (sampled as `sample`) into `target`. The caller drains and verifies after. */
export async function scanCsv(src: CsvFile, sample: CsvSample, target: ScanTarget, blocks: BlockBuffers, signal?: AbortSignal): Promise<void> {
  let pos = sample.bomBytes;
  let carry: Buffer = Buffer.alloc(0);
  let headerPending = sample.hasHeader;
  let cp1252 = sample.encoding === 'windows-1252';
  if (sample.encoding === 'utf-8' && !sample.hasQuotes) {
    const handover = await scanBlocks(src, sample, target, blocks, pos, signal);
    if (!handover) return;
    ({ pos, carry, headerPending } = handover);
    cp1252 = handover.cp1252;
  }
  await scanRecords(src, sample, target, pos, carry, headerPending, signal, cp1252);
}

/**
 * Decodes the parser path's chunks. Windows-1252 from the start when the sample said so; UTF-8 otherwise, except
 * that a file whose sample was plain ASCII switches to Windows-1252 for good at the first bytes that are not valid
 * UTF-8 (everything before was ASCII, the same in both). A UTF-8 sequence cut at a chunk's end waits for the next.
 */
export class ChunkDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  private readonly other: InstanceType<typeof TextDecoder> | null;

  constructor(
    encoding: CsvSample['encoding'],
    private cp1252: boolean,
    private readonly mayFallBack: boolean,
  ) {
    this.other = encoding === 'utf-16le' || encoding === 'utf-16be' ? new TextDecoder(encoding, { fatal: false, ignoreBOM: true }) : null;
  }

  /** True once the read went over to Windows-1252. */
  get switched(): boolean {
    return this.cp1252;
  }

  decode(chunk: Buffer, stream: boolean): string {
    if (this.other) return this.other.decode(chunk, { stream });
    if (this.cp1252) return decodeWindows1252(chunk);
    if (!this.mayFallBack) return this.utf8.decode(chunk, { stream });
    const all = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = stream ? completeUtf8End(all) : all.length;
    const body = all.subarray(0, end);
    if (!isUtf8(body)) {
      this.cp1252 = true;
      this.pending = Buffer.alloc(0);
      return decodeWindows1252(all);
    }
    this.pending = Buffer.from(all.subarray(end));
    return body.toString('utf8');
  }
}

/** The end of the whole UTF-8 sequences in `b`: a lead byte in the last 3 bytes whose sequence is cut ends it early. */
function completeUtf8End(b: Buffer): number {
  for (let i = b.length - 1; i >= Math.max(0, b.length - 3); i--) {
    const c = b[i]!;
    if (c < 0x80) return b.length;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return b.length - i < need ? i : b.length;
    }
  }
  return b.length;
}

/**
 * Quote-free UTF-8: cut blocks at record ends and hand them over. Returns where the parser must take
 * over (a block holding a quote, from its first record), or null at the end of the file.
 */
async function scanBlocks(src: CsvFile, sample: CsvSample, t: ScanTarget, blocks: BlockBuffers, start: number, signal: AbortSignal | undefined): Promise<{ pos: number; carry: Buffer; headerPending: boolean; cp1252: boolean } | null> {
  const size = src.size;
  let pos = start;
  let carry: Buffer = Buffer.alloc(0);
  let headerPending = sample.hasHeader;
  for (;;) {
    throwIfAborted(signal);
    const want = Math.max(0, Math.min(BLOCK_BYTES, size - pos));
    const buf = blocks.take(carry.length + want);
    carry.copy(buf, 0);
    pos += await src.read(buf, carry.length, want, pos);
    const eof = pos >= size;
    // A DOS end-of-file mark is read (every byte is) but left out of the rows.
    const len = eof && endsWithDosEof(buf) ? buf.length - 1 : buf.length;
    if (len === 0) return null;
    let cut = len;
    if (!eof) {
      const last = lastRecordEnd(buf, len);
      if (last < 0) {
        if (len > MAX_RECORD_BYTES) throw tooLong(src.path);
        carry = buf;
        continue;
      }
      cut = last + 1;
    }
    if (buf.subarray(0, cut).indexOf(0x22) >= 0) {
      // A quote from here on: the parser takes over at this block's first record.
      await t.drain();
      return { pos, carry: Buffer.from(buf), headerPending, cp1252: false };
    }
    if (sample.asciiOnly && !isUtf8(buf.subarray(0, cut))) {
      // Not UTF-8 after an ASCII sample: a Windows-1252 export ("M\xfcller" past the sample). The parser reads the rest as that.
      await t.drain();
      return { pos, carry: Buffer.from(buf), headerPending, cp1252: true };
    }
    let begin = 0;
    if (headerPending) {
      await t.drain();
      const skipped = skipHeader(buf, cut, sample.delimiter);
      if (skipped === null) {
        // Only blank lines so far: they still count as rows of the spreadsheet.
        t.skipRecords(countRecords(buf, cut));
        carry = Buffer.from(buf.subarray(cut, len));
        if (eof) return carry.length > 0 ? { pos, carry, headerPending, cp1252: false } : null;
        continue;
      }
      begin = skipped.offset;
      t.skipRecords(skipped.records);
      headerPending = false;
    }
    if (eof && cut > begin) await refuseCutLastRow(src, sample, t, buf, begin, cut, pos - buf.length);
    carry = Buffer.from(buf.subarray(cut, len));
    if (cut > begin) await t.block(buf, begin, cut, pos - carry.length);
    else blocks.give(buf.buffer as ArrayBuffer);
    if (eof) return carry.length > 0 ? { pos, carry, headerPending, cp1252: false } : null;
  }
}

/** Quoted or UTF-16 text (or the rest of the file after a quote): CsvParser, a block at a time. */
async function scanRecords(src: CsvFile, sample: CsvSample, t: ScanTarget, start: number, first: Buffer, skipHeaderRecord: boolean, signal: AbortSignal | undefined, cp1252: boolean): Promise<void> {
  const size = src.size;
  const decoder = new ChunkDecoder(sample.encoding, cp1252, sample.asciiOnly);
  const parser = new CsvParser(sample.delimiter);
  const base = t.recordsMerged();
  let headerPending = skipHeaderRecord;
  let pos = start;
  let pending: Buffer | null = first.length > 0 ? first : null;
  // The cut-off check: the fewest cells of a whole record that is not blank (header included), from the parser's first
  // record on; the quote-free bytes before it (the fast path's) are looked at again only for a suspect last row.
  const parsedFrom = start - first.length;
  let fewest = Infinity;
  const byteEncoding = sample.encoding === 'utf-8' || sample.encoding === 'windows-1252';
  for (;;) {
    throwIfAborted(signal);
    let chunk: Buffer;
    if (pending) {
      chunk = pending;
      pending = null;
    } else {
      chunk = Buffer.allocUnsafe(Math.max(0, Math.min(BLOCK_BYTES, size - pos)));
      pos += await src.read(chunk, 0, chunk.length, pos);
    }
    const eof = pos >= size;
    if (eof && byteEncoding && endsWithDosEof(chunk)) chunk = chunk.subarray(0, chunk.length - 1);
    parser.feed(decoder.decode(chunk, !eof), eof);
    try {
      for (let rec = parser.next(); rec !== null; rec = parser.next()) {
        if (isBlank(rec)) {
          if (!headerPending) t.blankRecord();
          continue;
        }
        if (parser.unterminated && !headerPending) await refuseCutRecord(src, sample, t, rec, base + parser.row, fewest, parsedFrom, parser.lastCellClosedQuote);
        fewest = Math.min(fewest, rec.length);
        if (headerPending) {
          headerPending = false;
          continue;
        }
        if (t.record(rec, base + parser.row)) await t.flush(pos);
      }
    } catch (err) {
      // A cut-off file may yet be finished by its exporter: retryable, as a file still being written is (csv-file.ts).
      if (err instanceof CsvSyntaxError) throw new AppError('CSV_INVALID', syntaxErrorMessage(path.basename(src.path), new CsvSyntaxError(err.problem, base + err.row)), { cause: err, ...(err.problem === 'cut-off' ? { retryable: true } : {}) });
      throw err;
    }
    if (eof) break;
  }
  await t.flush(pos);
}

/**
 * The fast path's last block, buf[begin, end) up to the end of the file (buf[0] at file offset `at`): refused when its
 * last record has no line end and is cut short (refuseCutRecord). Quote-free, so its cells are its delimiters + 1.
 */
async function refuseCutLastRow(src: CsvFile, sample: CsvSample, t: ScanTarget, buf: Buffer, begin: number, end: number, at: number): Promise<void> {
  const lastByte = buf[end - 1];
  if (lastByte === 10 || lastByte === 13) return;
  const start = Math.max(begin, lastRecordEnd(buf, end) + 1);
  const cells = buf.toString('utf8', start, end).split(sample.delimiter);
  if (isBlank(cells)) return;
  // Whole records before it in this block (header and leading blank lines included) are looked at before the file.
  // (fewest 0: one as narrow as it was found there.)
  const fewest = new NarrowRecordFinder(sample.delimiter, cells.length).feed(buf, 0, start) ? 0 : Infinity;
  // Its row number: the records merged before this block, then this block's records before it.
  const row = async () => {
    await t.drain();
    return t.recordsMerged() + countRecords(buf.subarray(begin), start - begin) + 1;
  };
  await refuseCutRecord(src, sample, t, cells, row, fewest, at, false);
}

/**
 * Refuses `cells`, the last record of the file with no line end (numbered `row`), when it is cut short: it has fewer
 * cells than every whole record that is not blank (the sample's, `fewest` of those read since file offset `from`, and
 * the quote-free bytes before `from`, read again only when the others do not settle it), or its last cell is a key
 * cell the reader rejects as a key cut short (ScanTarget.cutKey; not when that cell was quoted and its quote closed:
 * `lastQuoted`, a whole cell).
 */
async function refuseCutRecord(src: CsvFile, sample: CsvSample, t: ScanTarget, cells: readonly string[], row: number | (() => Promise<number>), fewest: number, from: number, lastQuoted: boolean): Promise<void> {
  const n = cells.length;
  const narrower = sample.fields > 0 && n < sample.fields && n < fewest && !(await narrowRecordBefore(src, sample, n, from));
  const what = narrower ? `it has ${countText(n)} of the ${countText(Math.min(sample.fields, fewest))} cells a row has` : lastQuoted ? null : t.cutKey(cells);
  if (what === null) return;
  throw new AppError('CSV_INVALID', cutOffMessage(path.basename(src.path), typeof row === 'number' ? row : await row(), what), { retryable: true });
}

/** Some whole record that is not blank, in the quote-free bytes of the file before offset `to`, has at most `cells` cells. */
async function narrowRecordBefore(src: CsvFile, sample: CsvSample, cells: number, to: number): Promise<boolean> {
  const narrow = new NarrowRecordFinder(sample.delimiter, cells);
  const buf = Buffer.allocUnsafe(Math.min(BLOCK_BYTES, Math.max(0, to - sample.bomBytes)));
  for (let pos = sample.bomBytes; pos < to; ) {
    const got = await src.peek(buf, 0, Math.min(buf.length, to - pos), pos);
    if (narrow.feed(buf, 0, got)) return true;
    pos += got;
  }
  return false;
}

/**
 * Looks for a record that is not blank with at most `most` cells in quote-free bytes fed in file order (split
 * anywhere); only records ended by a line end count. Spaces, tabs and delimiters alone make a blank record.
 */
class NarrowRecordFinder {
  private cells = 1;
  private text = false;
  private readonly delim: number;

  constructor(
    delimiter: string,
    private readonly most: number,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** True once such a record was seen in buf[from, to). */
  feed(buf: Buffer, from: number, to: number): boolean {
    const d = this.delim;
    let { cells, text } = this;
    for (let i = from; i < to; i++) {
      const c = buf[i]!;
      if (c === d) cells++;
      else if (c === 10 || c === 13) {
        if (text && cells <= this.most) return true;
        cells = 1;
        text = false;
      } else if (c !== 32 && c !== 9 && c !== 11 && c !== 12) text = true;
    }
    this.cells = cells;
    this.text = text;
    return false;
  }
}

function tooLong(file: string): AppError {
  return new AppError('CSV_INVALID', `${path.basename(file)} has a row longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB: it is not a CSV row (a line end may be missing). Export the file again as CSV.`);
}

/**
 * The last record end in buf[0, len): the offset of an LF, or of a CR not followed by LF. A CR in the
 * last byte does not count (its LF may be in the next block). -1 when there is none.
 */
export function lastRecordEnd(buf: Buffer, len: number): number {
  const lf = len > 0 ? buf.lastIndexOf(10, len - 1) : -1;
  // The part after the last LF is one partial record: short, so a JIT loop beats another native search.
  for (let i = len - 2; i > lf; i--) if (buf[i] === 13) return i;
  return lf;
}

/** The end of the record starting at `pos` in buf[0, end): the offset of its line end, or `end`. */
export function recordEnd(buf: Buffer, pos: number, end: number): number {
  let e = pos;
  while (e < end && buf[e] !== 10 && buf[e] !== 13) e++;
  return e;
}

/** The offset after the line end at `e` (CRLF is one line end). */
export function afterLineEnd(buf: Buffer, e: number, end: number): number {
  return buf[e] === 13 && e + 1 < end && buf[e + 1] === 10 ? e + 2 : e + 1;
}

/**
 * Skips leading blank records and the header record of a quote-free block. Returns the byte offset
 * after the header and how many records that was, or null when the block has no non-blank record.
 */
export function skipHeader(buf: Buffer, end: number, delimiter: string): { offset: number; records: number } | null {
  let pos = 0;
  let records = 0;
  while (pos < end) {
    const e = recordEnd(buf, pos, end);
    records++;
    const line = buf.toString('utf8', pos, e);
    pos = e < end ? afterLineEnd(buf, e, end) : end;
    if (!isBlank(line.split(delimiter))) return { offset: pos, records };
  }
  return null;
}

/** Records in buf[0, end) of a quote-free block cut at a record end. */
export function countRecords(buf: Buffer, end: number): number {
  let n = 0;
  for (let pos = 0; pos < end; n++) {
    const e = recordEnd(buf, pos, end);
    pos = e < end ? afterLineEnd(buf, e, end) : end;
  }
  return n;
}
