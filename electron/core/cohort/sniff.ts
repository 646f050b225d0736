/**
 * Reading the start of a CSV file to learn how to read the rest: encoding, delimiter, line ends,
 * header row, and what each column looks like. Reads a bounded sample, never the whole file.
 */
import path from 'node:path';
import { countText } from '../../../shared/count-text';
import type { KeyType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { CsvFile } from './csv-file';
import { CsvParser, CsvSyntaxError, parseCsvText, syntaxErrorMessage } from './csv-parser';

/** 'windows-1252': bytes that are not UTF-8 (German or French Excel's "CSV"), read as Windows-1252 / Latin-1. */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];
export type CsvNewline = '\n' | '\r\n' | '\r';

/** What a column's cells look like. IDFA and GAID share a shape: 'maid' unless the header says which. */
export type DetectedKind = 'email' | 'phone' | 'idfa' | 'gaid' | 'maid' | 'sha256';

export interface CsvColumn {
  /** 0-based index: how a column is addressed when the file has no header. */
  index: number;
  /** Header text, or "Column N" (N = index + 1) when the file has no header row. */
  name: string;
  detected: DetectedKind | null;
  /** Share of sampled non-empty cells that look like `detected`, 0..1 (0 when nothing was detected). */
  confidence: number;
  /**
   * Share of all sampled rows whose cell looks like `detected`, 0..1: what picks between two columns of one key (a
   * sparse `secondary_email` whose few cells are all addresses must not beat an `email` filled in 98 % of rows).
   */
  coverage: number;
  /** The key the header names, if any ("email_sha256" → email): tells what a hashed column holds. */
  headerHint: KeyType | 'maid' | null;
  /** The first few non-empty cells, for display. */
  samples: string[];
  /** Numeric ids (bare digits under a header naming an id, such as `amplitude_id`): not phone numbers. */
  numericId: boolean;
  /** UUID-shaped ad ids in both cases: uppercase ones (IDFAs, as iOS writes them) and lowercase ones (GAIDs). */
  mixedPlatforms: { idfa: number; gaid: number } | null;
  /** Most non-empty cells name a platform (ios, android…). */
  platform: boolean;
  /** Most non-empty cells are two-letter ISO country codes (DE, us…). */
  country: boolean;
}

/** A header that names an identifier of a record, not a phone: "id", "user_id", "amplitude_id", "customerId". */
export function idHeader(name: string): boolean {
  return /(^|[^a-z])id$|(^|[_\s-])id([_\s-]|$)|[a-z]Id$|^(amplitude|user|customer|record|account|member|client)[_\s-]?(id|no|number)$/i.test(name.trim());
}

const PLATFORM_WORDS = /^(ios|iphone|ipad|ipados|android|google|apple)$/i;
const COUNTRY_CODE = /^[A-Za-z]{2}$/;

/** Everything learnt from the sample. */
export interface CsvSample {
  path: string;
  fileSize: number;
  encoding: CsvEncoding;
  /** Bytes of byte-order mark at the start of the file (0, 2 or 3). */
  bomBytes: number;
  delimiter: CsvDelimiter;
  /** The line end the file mostly uses. Records end at any of CRLF, LF and CR, as in Python's csv module. */
  newline: CsvNewline;
  hasHeader: boolean;
  /** The header was detected, not told, and only guessed (judgeHeader): save mappings by column index. */
  headerDoubtful: boolean;
  columns: CsvColumn[];
  /** Data records of the sample (header and blank records left out), cells as parsed. */
  records: string[][];
  /** The whole file fit in the sample. */
  complete: boolean;
  /** The sample contains a quote character: the simple scanner cannot be used from the start. */
  hasQuotes: boolean;
  /**
   * UTF-8 read from a sample of plain ASCII: nothing yet tells it from Windows-1252 (the same bytes there). The
   * streaming reader switches to Windows-1252 at the first block that is not valid UTF-8 (scan.ts).
   */
  asciiOnly: boolean;
  /** Average bytes per record in the sample (for estimates). */
  bytesPerRecord: number;
  /** Data rows: exact when `complete`, else estimated from the file size. */
  estimatedRows: number;
  /**
   * The fewest cells a whole row of the sample has: the header and the data rows that are not blank (an exporter that
   * leaves out empty trailing cells writes rows of several widths). A last row with no line end and fewer cells than
   * every whole row of the file is a cut-off export (scan.ts). 0 when the sample has no whole row.
   */
  fields: number;
}

export interface SniffOptions {
  /** Sample size in bytes (default 256 KiB; grown up to 8 MiB while it holds less than two whole rows). */
  sampleBytes?: number;
  /** Overrides header detection. */
  hasHeader?: boolean;
  /** Overrides delimiter detection. */
  delimiter?: CsvDelimiter;
}

export const DEFAULT_SAMPLE_BYTES = 256 * 1024;
/** The sample grows up to this while it holds less than two whole rows; a longer first row is refused. */
export const MAX_SAMPLE_BYTES = 8 * 1024 * 1024;
/** More columns than a spreadsheet holds (Excel: 16,384) is not a cohort export: most likely a wrong delimiter. */
export const MAX_COLUMNS = 16_384;
/** Records analysed for delimiter, header and column detection. */
const ANALYSE_RECORDS = 200;

function invalid(file: string, problem: string, fix: string): AppError {
  return new AppError('CSV_INVALID', `${path.basename(file)} ${problem}. ${fix}`);
}

/** Recognizes files that are often mistaken for CSV, by their first bytes. */
function knownBinary(b: Uint8Array): string | null {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'is a ZIP archive or an Excel workbook (.xlsx), not a CSV file';
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return 'is an old Excel workbook (.xls), not a CSV file';
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'is a PDF, not a CSV file';
  if (starts(0x1f, 0x8b)) return 'is compressed (gzip), not a plain CSV file';
  return null;
}

/** Encoding from the byte-order mark, or from where the NUL bytes of ASCII-range UTF-16 fall. */
export function detectEncoding(b: Uint8Array): { encoding: CsvEncoding; bomBytes: number } | 'binary' {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  let evenNul = 0;
  let oddNul = 0;
  const n = Math.min(b.length, 64 * 1024) & ~1;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenNul++;
    if (b[i + 1] === 0) oddNul++;
  }
  if (evenNul + oddNul === 0) return { encoding: 'utf-8', bomBytes: 0 };
  const pairs = n / 2;
  // UTF-16 text without a BOM: one byte of nearly every ASCII character is NUL, always on the same side.
  if (oddNul > pairs * 0.6 && evenNul < pairs * 0.05) return { encoding: 'utf-16le', bomBytes: 0 };
  if (evenNul > pairs * 0.6 && oddNul < pairs * 0.05) return { encoding: 'utf-16be', bomBytes: 0 };
  return 'binary';
}

/** Windows-1252's characters for bytes 0x80–0x9F (the rest of the code page is Latin-1); 0xfffd where it has none. */
const CP1252_HIGH = '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178';

/**
 * Windows-1252 bytes as text. Node's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80 stays a C1
 * control instead of "€"), so the 32 bytes where the two differ are mapped here. One byte per character:
 * any block boundary is a character boundary, so a streaming read can decode block by block.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return /[\x80-\x9f]/.test(latin1) ? latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : latin1;
}

/** Line ends outside quoted fields: the most frequent of CRLF, LF and CR. */
export function detectNewline(text: string): CsvNewline {
  const unquoted = text.indexOf('"') >= 0 ? text.replace(/"[^"]*"/g, '') : text;
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < unquoted.length; i++) {
    const c = unquoted.charCodeAt(i);
    if (c === 13) {
      if (unquoted.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      } else cr++;
    } else if (c === 10) lf++;
  }
  if (crlf >= lf && crlf >= cr && crlf > 0) return '\r\n';
  if (cr > lf) return '\r';
  return '\n';
}

/** Parses the records of `text` as the full read does (the last, possibly cut, record is left out unless `complete`). */
export function parseRecords(text: string, delimiter: string, complete: boolean, limit = Infinity): string[][] {
  return parseCsvText(text, delimiter, complete, limit);
}

/** The records before any syntax problem: enough to weigh a delimiter (the full parse reports the problem). */
function recordsBeforeProblem(text: string, delimiter: string, complete: boolean, limit: number): string[][] {
  const parser = new CsvParser(delimiter);
  parser.feed(text, complete);
  const out: string[][] = [];
  try {
    for (let r = parser.next(); r !== null && out.length < limit; r = parser.next()) out.push(r);
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
  }
  return out;
}

/** True when every cell is empty or whitespace: such records are skipped (spreadsheets show an empty row). */
export function isBlank(record: readonly string[]): boolean {
  for (const c of record) if (c.trim() !== '') return false;
  return true;
}

/**
 * Picks the delimiter that splits the sample into the most consistent number of cells (> 1); ties go
 * to the one giving more cells, then to the order , ; tab |. One column: ",".
 */
export function detectDelimiter(text: string, complete: boolean): CsvDelimiter {
  let best: CsvDelimiter = ',';
  let bestScore = 0;
  let bestCells = 1;
  for (const d of CSV_DELIMITERS) {
    const records = recordsBeforeProblem(text, d, complete, ANALYSE_RECORDS).filter((r) => !isBlank(r));
    if (records.length === 0) continue;
    const freq = new Map<number, number>();
    for (const r of records) freq.set(r.length, (freq.get(r.length) ?? 0) + 1);
    let mode = 1;
    let modeCount = 0;
    for (const [len, count] of freq) if (count > modeCount || (count === modeCount && len > mode)) [mode, modeCount] = [len, count];
    if (mode <= 1) continue;
    const score = modeCount / records.length;
    if (score > bestScore + 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && mode > bestCells)) {
      best = d;
      bestScore = score;
      bestCells = mode;
    }
  }
  return best;
}

// ── Cell shapes ──────────────────────────────────────────────────────────────

type CellKind = 'empty' | 'sha256' | 'uuid' | 'hex32' | 'email' | 'phone' | 'digits' | 'number' | 'date' | 'text';

const RE = {
  sha256: /^[0-9a-f]{64}$/i,
  uuid: /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i,
  hex32: /^[0-9a-f]{32}$/i,
  email: /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:.]{2,}$/,
  phoneChars: /^\+?[\d\s().\-/]+$/,
  number: /^[-+]?\d{1,15}([.,]\d+)?$/,
  date: /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?$/,
};

function cellKind(raw: string): CellKind {
  const v = raw.trim();
  if (v === '') return 'empty';
  if (v.length === 64 && RE.sha256.test(v)) return 'sha256';
  if (RE.uuid.test(v)) return 'uuid';
  if (v.length === 32 && RE.hex32.test(v)) return 'hex32';
  if (v.includes('@')) return RE.email.test(v.replace(/\s+/g, '')) ? 'email' : 'text';
  if (RE.date.test(v)) return 'date';
  if (RE.phoneChars.test(v)) {
    const digits = v.replace(/\D/g, '').length;
    const formatted = v.startsWith('+') || /[\s().\-/]/.test(v);
    if (digits >= 7 && digits <= 15) return formatted ? 'phone' : digits >= 10 ? 'digits' : 'number';
    if (!formatted || /^[-+]?\d+([.,]\d+)?$/.test(v)) return 'number';
  }
  if (RE.number.test(v)) return 'number';
  return 'text';
}

/** What a header cell says the column holds. Ad-id words are checked before "mobile" (a phone word). */
export function headerHint(name: string): KeyType | 'maid' | null {
  const n = name.toLowerCase();
  if (/idfa|\bios\b|apple/.test(n)) return 'idfa';
  if (/gaid|aaid|android|google/.test(n)) return 'gaid';
  if (/maid|device.?id|advertis\w*.?id|\bad.?id|mobile.?ad/.test(n)) return 'maid';
  if (/e-?mail/.test(n)) return 'email';
  if (/phone|mobile|msisdn|cell|\btel\b|telephone|whatsapp/.test(n)) return 'phone';
  return null;
}

/**
 * True for a cell that is, or nearly is, a person's identifier: anything with text on both sides of an "@"
 * ("Alice Smith <alice@x.com>", "alice@examplecorp"), a phone-like run of 7+ digits, a UUID-like or long
 * hex value. Such a cell is never a column name: taken as one it would be stored, logged and printed raw,
 * and that person dropped from the audience.
 */
export function looksLikeIdentifier(raw: string): boolean {
  const v = raw.trim();
  if (v === '') return false;
  if (/[^\s@]@[^\s@]/.test(v)) return true;
  const digits = v.replace(/\D/g, '').length;
  if (digits >= 7 && digits * 2 >= v.replace(/\s/g, '').length) return true;
  if (/[0-9a-f]{8}-[0-9a-f]{4}-/i.test(v)) return true;
  const hex = /[0-9a-f]{16,}/i.exec(v);
  return hex !== null && /\d/.test(hex[0]) && /[a-f]/i.test(hex[0]);
}

/**
 * Decides whether the first record is a header: its cells do not look like the cells below them. A
 * record with a cell that looks (even nearly) like an identifier is always data (looksLikeIdentifier).
 */
export function detectHeader(records: readonly string[][]): boolean {
  return judgeHeader(records).header;
}

/**
 * detectHeader with how sure it is: `doubtful` when a header was taken though no column's cells told it
 * from the data below (only distinct text labels, or a one-row sample). A mapping saved against a doubtful
 * header should name columns by index, not by that text.
 */
export function judgeHeader(records: readonly string[][]): { header: boolean; doubtful: boolean } {
  const first = records[0];
  if (!first) return { header: false, doubtful: false };
  if (first.some(looksLikeIdentifier)) return { header: false, doubtful: false };
  const firstKinds = first.map(cellKind);
  const looksLikeHeader = firstKinds.every((k) => k === 'text' || k === 'empty') && firstKinds.some((k) => k === 'text');
  if (records.length === 1) return { header: looksLikeHeader, doubtful: looksLikeHeader };
  let headerVotes = 0;
  let dataVotes = 0;
  const rest = records.slice(1, ANALYSE_RECORDS);
  for (let c = 0; c < first.length; c++) {
    const counts = new Map<CellKind, number>();
    let nonEmpty = 0;
    for (const r of rest) {
      const k = cellKind(r[c] ?? '');
      if (k === 'empty') continue;
      nonEmpty++;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    if (nonEmpty === 0) continue;
    let dominant: CellKind = 'text';
    let dominantCount = 0;
    for (const [k, n] of counts) if (n > dominantCount) [dominant, dominantCount] = [k, n];
    if (dominantCount / nonEmpty < 0.6 || firstKinds[c] === 'empty') continue;
    if (dominant === 'text') {
      if (headerHint(first[c]!) !== null && firstKinds[c] === 'text') headerVotes += 0.5;
      continue;
    }
    if (firstKinds[c] === dominant || (dominant === 'digits' && firstKinds[c] === 'phone') || (dominant === 'phone' && firstKinds[c] === 'digits')) dataVotes++;
    else headerVotes++;
  }
  if (headerVotes !== dataVotes) return { header: headerVotes > dataVotes, doubtful: false };
  // No column tells: a first record of distinct, non-numeric labels is a header, but only a guess.
  const header = looksLikeHeader && new Set(first.map((s) => s.trim())).size === first.length;
  return { header, doubtful: header };
}

/** Per column: which key it looks like, how sure, and a few samples. */
export function detectColumns(header: readonly string[] | null, records: readonly string[][]): CsvColumn[] {
  let width = header?.length ?? 0;
  for (const r of records) if (r.length > width) width = r.length;
  const columns: CsvColumn[] = [];
  for (let c = 0; c < width; c++) {
    // A header cell that looks like an identifier (a first row the user told us is a header) is not shown,
    // stored or printed: the column goes by its number, which resolveColumn also accepts.
    const label = header ? (header[c] ?? '').trim() : '';
    const name = label !== '' && !looksLikeIdentifier(label) ? label : `Column ${c + 1}`;
    const hint = name === label ? headerHint(label) : null;
    const counts: Record<CellKind, number> = { empty: 0, sha256: 0, uuid: 0, hex32: 0, email: 0, phone: 0, digits: 0, number: 0, date: 0, text: 0 };
    const samples: string[] = [];
    let nonEmpty = 0;
    for (const r of records.slice(0, ANALYSE_RECORDS)) {
      const v = r[c] ?? '';
      const k = cellKind(v);
      counts[k]++;
      if (k === 'empty') continue;
      nonEmpty++;
      if (samples.length < 5) samples.push(v.length > 80 ? `${v.slice(0, 80)}…` : v);
    }
    let detected: DetectedKind | null = null;
    let confidence = 0;
    // Bare digit strings under an id header (amplitude_id, user_id, "Amplitude ID") are ids, not phones. Without such
    // a header they may still be phones written without "+" (4915123456789), so they keep their half weight below.
    const numericId = nonEmpty > 0 && hint !== 'phone' && name === label && idHeader(name) && (counts.digits + counts.number) / nonEmpty >= 0.8;
    let upper = 0;
    let lower = 0;
    let platform = 0;
    let country = 0;
    for (const r of records.slice(0, ANALYSE_RECORDS)) {
      const v = (r[c] ?? '').trim();
      if (v === '') continue;
      if (PLATFORM_WORDS.test(v)) platform++;
      if (COUNTRY_CODE.test(v)) country++;
      if (RE.uuid.test(v) && /[a-f]/i.test(v)) {
        if (v === v.toUpperCase()) upper++;
        else if (v === v.toLowerCase()) lower++;
      }
    }
    if (nonEmpty > 0) {
      const share = (n: number) => n / nonEmpty;
      const maidLike = hint === 'idfa' || hint === 'gaid' || hint === 'maid';
      const uuidShare = share(counts.uuid + (maidLike ? counts.hex32 : 0));
      // Bare digit strings could be customer ids: they count fully for phones only under a phone header, and not
      // at all for a column of numeric ids (an amplitude_id is never a phone).
      const phoneShare = share(counts.phone) + share(counts.digits) * (hint === 'phone' ? 1 : numericId ? 0 : 0.5);
      const candidates: [DetectedKind, number][] = [
        ['sha256', share(counts.sha256)],
        [maidLike ? (hint as 'idfa' | 'gaid' | 'maid') : 'maid', uuidShare],
        ['email', share(counts.email)],
        ['phone', phoneShare],
      ];
      for (const [kind, s] of candidates) {
        if (s > confidence) {
          detected = kind;
          confidence = s;
        }
      }
      if (confidence < 0.5) {
        detected = null;
        confidence = 0;
      }
    }
    const mixed = (detected === 'maid' || detected === 'idfa' || detected === 'gaid') && upper > 0 && lower > 0 ? { idfa: upper, gaid: lower } : null;
    const sampled = Math.min(records.length, ANALYSE_RECORDS);
    columns.push({
      index: c,
      name,
      detected,
      confidence: Math.round(confidence * 1000) / 1000,
      coverage: sampled > 0 ? Math.round(((confidence * nonEmpty) / sampled) * 1000) / 1000 : 0,
      headerHint: hint,
      samples,
      numericId,
      mixedPlatforms: mixed,
      platform: nonEmpty > 0 && platform / nonEmpty >= 0.8,
      country: nonEmpty > 0 && country / nonEmpty >= 0.8 && /country|land|nation|region|\bcc\b|iso/i.test(name),
    });
  }
  return columns;
}

/** Whether a detected kind is usable for `key` (an untold ad id fits both IDFA and GAID). */
export function kindFitsKey(kind: DetectedKind | null, key: KeyType): boolean {
  if (kind === key) return true;
  return kind === 'maid' && (key === 'idfa' || key === 'gaid');
}

/**
 * The column to read for `key` when the user named none: the column whose cells look like the key in most rows;
 * else a SHA-256 column whose header names the key (or the only SHA-256 column); else the only column.
 */
export function bestColumnFor(columns: readonly CsvColumn[], key: KeyType): CsvColumn | null {
  const fits = columns.filter((c) => kindFitsKey(c.detected, key));
  if (fits.length > 0) return fits.reduce((a, b) => (b.coverage > a.coverage ? b : a));
  const hashed = columns.filter((c) => c.detected === 'sha256');
  const named = hashed.filter((c) => c.headerHint === key || (c.headerHint === 'maid' && (key === 'idfa' || key === 'gaid')));
  if (named.length > 0) return named[0]!;
  if (hashed.length === 1 && hashed[0]!.headerHint === null) return hashed[0]!;
  if (columns.length === 1) return columns[0]!;
  return null;
}

/**
 * Reads the first `sampleBytes` of `file` and works out how to read it. Rejects, with words and a fix,
 * a missing, empty or binary file, one that is not UTF-8 or UTF-16, anything but a regular file, a
 * first row longer than 8 MiB and more columns than a spreadsheet holds.
 */
export async function sniffCsv(file: string, opts: SniffOptions = {}): Promise<CsvSample> {
  const src = await CsvFile.open(file);
  try {
    return await sniffFile(src, opts);
  } finally {
    await src.close();
  }
}

/** sniffCsv on a file already open (the full read samples the very file it then reads). */
export async function sniffFile(src: CsvFile, opts: SniffOptions = {}): Promise<CsvSample> {
  let want = opts.sampleBytes ?? DEFAULT_SAMPLE_BYTES;
  for (;;) {
    const sample = analyseSample(src.path, src.size, await src.readStart(want), opts);
    // Two whole rows (a header and a data row, or two data rows) tell how to read the rest.
    if (sample.complete || sample.records.length + (sample.hasHeader ? 1 : 0) >= 2) return sample;
    if (want >= MAX_SAMPLE_BYTES) {
      throw invalid(src.path, `has no line end in its first ${MAX_SAMPLE_BYTES / 1024 / 1024} MB, so its first row is not a CSV row`, 'Check that this is the cohort CSV (one person per line), or export it again as CSV.');
    }
    want = Math.min(MAX_SAMPLE_BYTES, want * 4);
  }
}

/** The analysis of sniffCsv on bytes already read (`bytes` = the first bytes of a file of `fileSize`). */
export function analyseSample(file: string, fileSize: number, bytes: Uint8Array, opts: SniffOptions = {}): CsvSample {
  if (fileSize === 0 || bytes.length === 0) throw invalid(file, 'is empty (0 bytes)', 'Export the cohort again: the file needs a header or at least one data row.');
  const complete = bytes.length >= fileSize;
  const magic = knownBinary(bytes);
  if (magic) throw invalid(file, magic, 'Open it in its program and export or save it as "CSV UTF-8".');
  const enc = detectEncoding(bytes);
  if (enc === 'binary') throw invalid(file, 'is a binary file (it contains NUL bytes), not CSV text', 'Export the cohort as CSV (UTF-8) and pick that file.');
  // A DOS end-of-file mark (Ctrl-Z) ending the file is no part of its rows (scan.ts leaves it out too).
  if (complete && enc.encoding === 'utf-8' && endsWithDosEof(bytes)) bytes = bytes.subarray(0, bytes.length - 1);
  const decoder = new TextDecoder(enc.encoding, { fatal: false });
  let text = decoder.decode(bytes.subarray(enc.bomBytes), { stream: !complete });
  let encoding: CsvEncoding = enc.encoding;
  if (enc.encoding === 'utf-8') {
    const bad = countReplacement(text) - countLiteralReplacement(bytes);
    const multibyte = countNonAscii(text) - countReplacement(text);
    if (bad > 0 && enc.bomBytes === 0 && multibyte <= bad) {
      // Invalid UTF-8 and (almost) no valid UTF-8 beyond ASCII: an Excel "CSV" in the Windows code page
      // ("M\xfcller"). Every byte is a character there, so it is read as Windows-1252, not refused.
      encoding = 'windows-1252';
      text = decodeWindows1252(bytes);
    } else if (bad > 3 && bad > bytes.length / 200) {
      // Valid UTF-8 mixed with many invalid bytes: neither reading is right for every row.
      throw invalid(file, `is not UTF-8 text (${bad} invalid byte sequences in the first ${Math.round(bytes.length / 1024)} KB, mixed with valid UTF-8)`, 'In Excel use "Save as → CSV UTF-8", or re-export the cohort as UTF-8.');
    }
    // A few stray bytes among valid UTF-8 are tolerated: they only spoil their own cells.
  }
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0) controls++;
  }
  if (controls > 3 && controls > text.length / 100) throw invalid(file, 'is a binary file (it contains control characters), not CSV text', 'Export the cohort as CSV (UTF-8) and pick that file.');
  if (text.trim() === '') throw invalid(file, 'has no rows (only blank lines)', 'Export the cohort again: the file needs a header or at least one data row.');
  if (!complete) {
    // Leave out the last record, which the sample most likely cut.
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    if (cut > 0) text = text.slice(0, cut + 1);
  }
  const newline = detectNewline(text);
  const delimiter = opts.delimiter ?? detectDelimiter(text, complete);
  let all: string[][];
  try {
    all = parseRecords(text, delimiter, complete);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new AppError('CSV_INVALID', syntaxErrorMessage(path.basename(file), err), { cause: err, ...(err.problem === 'cut-off' ? { retryable: true } : {}) });
    throw err;
  }
  const nonBlank = all.filter((r) => !isBlank(r));
  const widest = nonBlank.reduce((w, r) => Math.max(w, r.length), 0);
  if (widest > MAX_COLUMNS) {
    throw invalid(file, `has ${countText(widest)} columns in a row, more than a spreadsheet holds (${countText(MAX_COLUMNS)})`, `Check the delimiter (this read it as ${JSON.stringify(delimiter)}), or export only the columns you need.`);
  }
  const judged = opts.hasHeader === undefined ? judgeHeader(nonBlank) : { header: opts.hasHeader, doubtful: false };
  const hasHeader = judged.header;
  const header = hasHeader ? (nonBlank[0] ?? null) : null;
  const records = hasHeader ? nonBlank.slice(1) : nonBlank;
  const columns = detectColumns(header, records);
  const sampleBytes = complete ? bytes.length : Buffer.byteLength(text, encoding === 'utf-8' ? 'utf8' : encoding === 'windows-1252' ? 'latin1' : 'utf16le');
  const bytesPerRecord = all.length > 0 ? sampleBytes / all.length : sampleBytes;
  const estimatedRows = complete ? records.length : Math.max(records.length, Math.round(((fileSize - enc.bomBytes) / sampleBytes) * records.length));
  // The last record of a whole-file sample without a final line end may be the cut one: it is not a whole row.
  const whole = complete && !/[\r\n]$/.test(text) ? records.slice(0, -1) : records;
  const fields = narrowest(header ? [header, ...whole] : whole);
  return {
    path: file,
    fileSize,
    encoding,
    bomBytes: enc.bomBytes,
    delimiter,
    newline,
    hasHeader,
    headerDoubtful: judged.doubtful,
    columns,
    records,
    complete,
    hasQuotes: text.indexOf('"') >= 0,
    asciiOnly: encoding === 'utf-8' && countNonAscii(text) === 0,
    bytesPerRecord,
    estimatedRows,
    fields,
  };
}

/** The fewest cells of the first ANALYSE_RECORDS records, 0 for none. */
function narrowest(records: readonly string[][]): number {
  let least = 0;
  for (const r of records.slice(0, ANALYSE_RECORDS)) if (least === 0 || r.length < least) least = r.length;
  return least;
}

/** The DOS end-of-file mark (Ctrl-Z) some Windows tools still write as a file's last byte. */
export const DOS_EOF = 0x1a;

/** `bytes` (a whole file, or its last block) ends in a DOS end-of-file mark: that byte is left out, as a blank. */
export function endsWithDosEof(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[bytes.length - 1] === DOS_EOF;
}

function countReplacement(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

function countNonAscii(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) n++;
  return n;
}

function countLiteralReplacement(bytes: Uint8Array): number {
  let n = 0;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = b.indexOf('\ufffd', 0, 'utf8'); i >= 0; i = b.indexOf('\ufffd', i + 3, 'utf8')) n++;
  return n;
}
