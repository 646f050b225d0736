/**
 * The customer-file format (tiktok-api.md §3.1): which calculate_types upload and create take, and the member keys
 * an uploaded file holds (see store.ts for the key formats).
 */
import { fail, MD5, SHA256 } from './request';

export const UPLOAD_TYPES = ['EMAIL_SHA256', 'PHONE_SHA256', 'IDFA_SHA256', 'IDFA_MD5', 'GAID_SHA256', 'GAID_MD5', 'FIRST_SHA256', 'FIRST_MD5', 'MAID_SHA256', 'MAID_MD5', 'MULTIPLE_TYPES'];
export const CREATE_TYPES = UPLOAD_TYPES.filter((t) => !t.startsWith('MAID_'));
/** MAID_* are aliases of FIRST_* (same internal value, §3.1). */
export const canonicalType = (t: string): string => (t === 'MAID_SHA256' ? 'FIRST_SHA256' : t === 'MAID_MD5' ? 'FIRST_MD5' : t);
const MULTI_HEADERS: Record<string, RegExp | null> = { maid: null, phone_sha256: SHA256, email_sha256: SHA256, maid_sha256: SHA256, maid_md5: MD5 };

/**
 * The member keys of an uploaded file. Single type: one lowercase hash per line, no header, "\n" line ends
 * (one final newline allowed). MULTIPLE_TYPES: a header row of known columns, then rows of as many cells.
 * Anything else answers a parameter error (40002) naming the line.
 */
export function parseFileRows(data: Buffer, calculateType: string): string[] {
  if (calculateType === 'MULTIPLE_TYPES') {
    const lines = data.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines.some((l) => l.endsWith('\r'))) fail(40002, 'The file uses CRLF line endings; use one row per line separated by "\\n".');
    return parseMultiTypeRows(lines);
  }
  // Single type: a byte scan (files reach 50 MB; a split + regex per line is several times slower).
  const md5 = calculateType.endsWith('_MD5');
  const width = md5 ? 32 : 64;
  const rows: string[] = [];
  let pos = 0;
  while (pos < data.length) {
    const end = pos + width;
    let ok = end <= data.length && (end === data.length || data[end] === 0x0a);
    for (let i = pos; ok && i < end; i++) {
      const b = data[i] as number;
      ok = (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66);
    }
    if (!ok) badLine(data, pos, rows.length + 1, calculateType, md5 ? 'MD5' : 'SHA-256');
    rows.push(data.toString('latin1', pos, end));
    pos = end + 1;
  }
  if (rows.length === 0) fail(40906, 'The file has no ids.');
  return rows;
}

/** Fails with the reason a single-type line is not a lowercase hash. Never echoes the line: it may be a raw identifier. */
function badLine(data: Buffer, pos: number, lineNo: number, calculateType: string, kind: string): never {
  const nl = data.indexOf(0x0a, pos);
  const line = data.toString('utf8', pos, nl < 0 ? data.length : nl);
  if (line.endsWith('\r')) fail(40002, 'The file uses CRLF line endings; use one id per line separated by "\\n".');
  if (line === '') fail(40002, `Line ${lineNo} is empty; ${calculateType} files have one hash per line and no blank lines.`);
  if (lineNo === 1 && /[g-z_]/i.test(line)) fail(40002, `Line 1 looks like a header; ${calculateType} files have no header, one hash per line.`);
  return fail(40002, `Line ${lineNo} is not a lowercase ${kind} hash; ${calculateType} files have one hash per line.`);
}

function parseMultiTypeRows(lines: string[]): string[] {
  if (lines.length === 0) fail(40906, 'The file has no ids.');
  const headers = (lines[0] as string).split(',').map((h) => h.trim().toLowerCase());
  const counts = new Map<string, number>();
  for (const h of headers) {
    if (!(h in MULTI_HEADERS)) fail(40002, `Header "${h}" is not supported for MULTIPLE_TYPES (use MAID, phone_SHA256, email_SHA256, MAID_SHA256, MAID_MD5).`);
    counts.set(h, (counts.get(h) ?? 0) + 1);
    if ((counts.get(h) as number) > 3) fail(40002, `Header "${h}" appears more than 3 times.`);
  }
  const rows: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = (lines[i] as string).split(',');
    if (cells.length !== headers.length) fail(40002, `Line ${i + 1} has ${cells.length} fields but the header has ${headers.length}.`);
    const pairs: string[] = [];
    cells.forEach((c, j) => {
      if (c === '') return;
      const h = headers[j] as string;
      const re = MULTI_HEADERS[h];
      if (re && !re.test(c)) fail(40002, `Line ${i + 1}, column ${h}: not a lowercase hash.`);
      pairs.push(`${h}=${c}`);
    });
    if (pairs.length === 0) fail(40002, `Line ${i + 1} has no id.`);
    rows.push(pairs.sort().join(','));
  }
  if (rows.length === 0) fail(40906, 'The file has no ids.');
  return rows;
}
