/**
 * The record id or name a reject carries (issue #11 item 15): the value of one chosen column at the rows
 * that were rejected, so a person can find the row in their CRM. Only rejects need it, so it is a second,
 * separate pass that stops after the last row asked for, instead of a cell carried through the hashing workers.
 */
import { CsvFile } from './csv-file';
import { CsvParser } from './csv-parser';
import { sniffFile } from './sniff';
import { ChunkDecoder, throwIfAborted } from './scan';

/** Chars of a carried value kept: enough for an id or a name, never a whole pasted note. */
const MAX_LABEL_CHARS = 64;

/**
 * Value of column `column` (0-based) at each 1-based row number of `rows` (numbered as the rejects are: the header
 * and blank rows count). Rows past the end, or without that cell, are left out. Reads at most up to the last row asked for.
 */
export async function recordLabels(file: string, column: number, rows: Iterable<number>, signal?: AbortSignal): Promise<Map<number, string>> {
  const wanted = new Set(rows);
  const out = new Map<number, string>();
  if (wanted.size === 0) return out;
  const last = Math.max(...wanted);
  const src = await CsvFile.open(file);
  try {
    const sample = await sniffFile(src);
    // Decoded as the cohort read decodes it (scan.ts), also after a switch to Windows-1252 past the sample.
    const decoder = new ChunkDecoder(sample.encoding, sample.encoding === 'windows-1252', sample.asciiOnly);
    const parser = new CsvParser(sample.delimiter);
    const block = 1024 * 1024;
    let pos = sample.bomBytes;
    for (;;) {
      throwIfAborted(signal);
      const part = Buffer.allocUnsafe(Math.max(0, Math.min(block, src.size - pos)));
      pos += await src.read(part, 0, part.length, pos);
      const eof = pos >= src.size;
      parser.feed(decoder.decode(part, !eof), eof);
      for (let rec = parser.next(); rec !== null; rec = parser.next()) {
        const row = parser.row;
        if (row > last) return out;
        if (!wanted.has(row)) continue;
        const v = (rec[column] ?? '').trim();
        if (v !== '') out.set(row, v.length > MAX_LABEL_CHARS ? `${v.slice(0, MAX_LABEL_CHARS)}…` : v);
      }
      if (eof) return out;
    }
  } finally {
    await src.close();
  }
}
