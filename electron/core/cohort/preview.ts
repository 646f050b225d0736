import path from 'node:path';
import type { KeyType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { sniffCsv, type CsvColumn, type CsvDelimiter, type CsvEncoding, type CsvNewline, type DetectedKind, type SniffOptions } from './sniff';

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
  /** The likeliest key column, or null. An untold ad id (IDFA or GAID) is suggested as IDFA. */
  suggested: { column: number; key: KeyType } | null;
}

export const PREVIEW_ROWS = 50;

const KEY_OF: Record<DetectedKind, KeyType | null> = { email: 'email', phone: 'phone', idfa: 'idfa', gaid: 'gaid', maid: 'idfa', sha256: null };

/**
 * Reads only the first 256 KiB of `file` (fast whatever its size) and returns encoding, delimiter,
 * header, detected columns and the first 50 rows. Throws AppError FILE_NOT_FOUND / CSV_INVALID for a
 * missing, empty, binary or header-only file.
 */
export async function previewCsv(file: string, opts: SniffOptions = {}): Promise<CsvPreview> {
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
  };
}

function suggest(columns: readonly CsvColumn[]): { column: number; key: KeyType } | null {
  let best: { column: number; key: KeyType; score: number } | null = null;
  for (const c of columns) {
    const key = c.detected === 'sha256' ? hintKey(c.headerHint) : c.detected ? KEY_OF[c.detected] : null;
    if (!key) continue;
    // A raw key beats a hashed one of equal confidence: its mapping can be checked in the hash lab.
    const score = c.confidence - (c.detected === 'sha256' ? 0.01 : 0);
    if (!best || score > best.score) best = { column: c.index, key, score };
  }
  return best && { column: best.column, key: best.key };
}

function hintKey(hint: CsvColumn['headerHint']): KeyType | null {
  if (hint === 'maid') return 'idfa';
  return hint;
}
