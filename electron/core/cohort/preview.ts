import path from 'node:path';
import { DEFAULT_PROFILE, slotOfKey, type KeyType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { normalize, phoneWithCountry } from './normalize';
import { idHeader, sniffCsv, type CsvColumn, type CsvDelimiter, type CsvEncoding, type CsvNewline, type DetectedKind, type SniffOptions } from './sniff';

/** The first rows of a CSV file and what its columns look like, read without loading the whole file. */
export interface CsvPreview {
  path: string;
  fileName: string;
  fileSize: number;
  encoding: CsvEncoding;
  /** The file starts with a byte-order mark. */
  bom: boolean;
  delimiter: CsvDelimiter;
  newline: CsvNewline;
  hasHeader: boolean;
  /** The first row was taken as a header only by a guess: a saved mapping should use column indexes. */
  headerDoubtful: boolean;
  columns: CsvColumn[];
  /** The first data rows (at most 50), cells as text; rows may be ragged. */
  rows: string[][];
  /** Data rows in the file: exact when `exactRows`, else estimated from the size and the sampled rows. */
  estimatedRows: number;
  exactRows: boolean;
  /**
   * The likeliest key column, or null: email before phone before a mobile ad id when several are found (email
   * matches best and needs no country), a raw key before a hash of it. An untold ad id is suggested as IDFA.
   */
  suggested: { column: number; key: KeyType } | null;
  /** The best column per key slot (email, phone, mobile ad id) when more than one slot has one; else empty. */
  proposedKeys: { column: number; key: KeyType }[];
  /** Per column index: share of sampled rows (blank cells included) whose cell is a usable key of the detected kind. */
  usable: Map<number, number>;
  /** A record id or name column, carried by the rejects so a person can find the row; null when none is named so. */
  recordColumn: number | null;
}

/** How previewCsv reads phones when it counts usable cells. */
export interface PreviewOptions extends SniffOptions {
  /** Country for phones without a country code (none: such phones are not usable). */
  defaultCountry?: string | null;
  /**
   * The column holding each row's country (a phone read with it, as a sync reads it); null: none; undefined: the column
   * the sample shows holding country codes, if any (the one the import wizard then picks).
   */
  countryColumn?: number | null;
}

/** Rows of the sample whose cells are normalized to count the usable share. */
const USABLE_ROWS = 1000;

export const PREVIEW_ROWS = 50;

const KEY_OF: Record<DetectedKind, KeyType | null> = { email: 'email', phone: 'phone', idfa: 'idfa', gaid: 'gaid', maid: 'idfa', sha256: null };

/**
 * Reads only the first 256 KiB of `file` (fast whatever its size) and returns encoding, delimiter,
 * header, detected columns and the first 50 rows. Throws AppError FILE_NOT_FOUND / CSV_INVALID for a
 * missing, empty, binary or header-only file.
 */
export async function previewCsv(file: string, opts: PreviewOptions = {}): Promise<CsvPreview> {
  const s = await sniffCsv(file, opts);
  if (s.complete && s.records.length === 0) {
    throw new AppError('CSV_INVALID', `${path.basename(file)} has a header row but no data rows. Export the cohort again with its rows.`);
  }
  return {
    path: file,
    fileName: path.basename(file),
    fileSize: s.fileSize,
    encoding: s.encoding,
    bom: s.bomBytes > 0,
    delimiter: s.delimiter,
    newline: s.newline,
    hasHeader: s.hasHeader,
    headerDoubtful: s.headerDoubtful,
    columns: s.columns,
    rows: s.records.slice(0, PREVIEW_ROWS),
    estimatedRows: s.estimatedRows,
    exactRows: s.complete,
    suggested: suggest(s.columns),
    proposedKeys: proposeKeys(s.columns),
    usable: usableShares(s.columns, s.records.slice(0, USABLE_ROWS), opts.defaultCountry ?? null, opts.countryColumn === undefined ? (s.columns.find((c) => c.country)?.index ?? null) : opts.countryColumn),
    recordColumn: s.hasHeader ? recordColumnOf(s.columns) : null,
  };
}

/** The key a column would be read as: its detected kind, or for a hash column the key its header names. */
function keyOfColumn(c: CsvColumn): KeyType | null {
  return c.detected === 'sha256' ? hintKey(c.headerHint) : c.detected ? KEY_OF[c.detected] : null;
}

/** Email first: it matches best and, unlike a phone, needs no country to be read. */
const KEY_RANK: Record<KeyType, number> = { email: 3, phone: 2, idfa: 1, gaid: 1 };

function usableShares(columns: readonly CsvColumn[], records: readonly string[][], defaultCountry: string | null, countryColumn: number | null): Map<number, number> {
  const out = new Map<number, number>();
  if (records.length === 0) return out;
  const profile = { ...DEFAULT_PROFILE, defaultCountry };
  for (const c of columns) {
    const key = c.detected && c.detected !== 'sha256' ? KEY_OF[c.detected] : null;
    if (!key) continue;
    let ok = 0;
    // A national-format phone is usable with its row's country ("030 1234567" + DE), as the sync reads it.
    const cell = (r: readonly string[]) => (key === 'phone' && countryColumn !== null && countryColumn !== c.index ? phoneWithCountry(r[c.index] ?? '', r[countryColumn], defaultCountry) : (r[c.index] ?? ''));
    for (const r of records) if (normalize(key, cell(r), profile).ok) ok++;
    out.set(c.index, Math.round((ok / records.length) * 1000) / 1000);
  }
  return out;
}

function proposeKeys(columns: readonly CsvColumn[]): { column: number; key: KeyType }[] {
  const bySlot = new Map<string, { column: number; key: KeyType; confidence: number }>();
  for (const c of columns) {
    const key = keyOfColumn(c);
    if (!key) continue;
    const slot = slotOfKey(key);
    // The column filled with the key in most rows (not the surest few cells of a sparse second column).
    const score = c.coverage - (c.detected === 'sha256' ? 0.01 : 0);
    const cur = bySlot.get(slot);
    if (!cur || score > cur.confidence) bySlot.set(slot, { column: c.index, key, confidence: score });
  }
  if (bySlot.size < 2) return [];
  return [...bySlot.values()].sort((a, b) => KEY_RANK[b.key] - KEY_RANK[a.key]).map(({ column, key }) => ({ column, key }));
}

/** The column a reject carries: a record id (record_id, user_id, id…) before a name; never a key column. */
function recordColumnOf(columns: readonly CsvColumn[]): number | null {
  let best: { index: number; score: number } | null = null;
  for (const c of columns) {
    if (keyOfColumn(c) !== null || /^Column \d+$/.test(c.name)) continue;
    const n = c.name.trim();
    const score = /^(record|user|customer|contact|member|account|crm)[_\s-]?id$|^id$/i.test(n) ? 3 : idHeader(n) ? 2 : /(^|[_\s-])(full[_\s-]?)?name$|^name/i.test(n) ? 1 : 0;
    if (score > 0 && (!best || score > best.score)) best = { index: c.index, score };
  }
  return best?.index ?? null;
}

function suggest(columns: readonly CsvColumn[]): { column: number; key: KeyType } | null {
  let best: { column: number; key: KeyType; score: number } | null = null;
  for (const c of columns) {
    const key = keyOfColumn(c);
    if (!key) continue;
    // Email before phone before an ad id; a raw key beats a hashed one of equal confidence (the hash lab can check it).
    const score = KEY_RANK[key] * 10 + c.coverage - (c.detected === 'sha256' ? 0.01 : 0);
    if (!best || score > best.score) best = { column: c.index, key, score };
  }
  return best && { column: best.column, key: best.key };
}

function hintKey(hint: CsvColumn['headerHint']): KeyType | null {
  if (hint === 'maid') return 'idfa';
  return hint;
}
