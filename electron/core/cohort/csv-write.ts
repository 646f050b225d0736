/**
 * Writing CSV that is safe to open: every CSV this app writes (the rejects report from the import screen,
 * the sync log and `--rejects`) goes through csvSafeCell.
 */
import fs from 'node:fs';

/**
 * One cell as written into a CSV we produce, following OWASP's CSV-injection guidance: a cell beginning
 * with = + - @ tab or CR (which a spreadsheet would run as a formula) gets a leading apostrophe, and every
 * cell is quoted with its quotes doubled, so no delimiter or line end in it can start another cell.
 */
export function csvSafeCell(s: string): string {
  const neutral = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${neutral.replace(/"/g, '""')}"`;
}

/** One CSV line of safe cells (no line end). */
export function csvSafeLine(cells: readonly string[]): string {
  return cells.map(csvSafeCell).join(',');
}

/** The first line of every rejects report: how a report left in a watched folder is told from a cohort export. */
export const REJECTS_HEADER = 'row,column,reason,masked_value,explanation';

/**
 * True when `file` starts with REJECTS_HEADER: a rejects report this app wrote, which is never the newest
 * cohort export of a watched folder, whatever its name. False for anything unreadable.
 */
export function isRejectsReport(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(REJECTS_HEADER.length + 1);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const text = head.toString('utf8', 0, n);
    // A report carrying a record column has one more header cell after REJECTS_HEADER.
    return text === `${REJECTS_HEADER}\n` || text === `${REJECTS_HEADER}\r` || text === `${REJECTS_HEADER},`;
  } finally {
    fs.closeSync(fd);
  }
}
