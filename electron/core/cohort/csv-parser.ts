/**
 * The CSV record parser of the cohort pipeline. It splits text exactly as Python's `csv` module does
 * (excel dialect, `strict=False`, file opened with `newline=''`), so a file Python reads fully, we read
 * fully, with the same rows and cells:
 * - a record ends at CRLF, LF or a lone CR outside quotes, whatever line end the file mostly uses;
 * - a quote opens a quoted cell only as the first character of a cell; elsewhere it is a character;
 * - inside quotes, `""` is one quote; after the closing quote, anything but a delimiter or a line end
 *   is kept as text (`"abc"def` → `abcdef`), like Python, rather than swallowing the following lines;
 * - a blank line is a record with no cells.
 *
 * Where Python would silently merge the rest of a file into one cell, this parser stops with a
 * CsvSyntaxError naming the row instead: a quoted cell still open at the end of the input, a quoted
 * cell that runs over a line end and then closes with a stray quote (an unclosed quote that "closed"
 * on a later row's quote), and a quoted cell longer than Python's own default field limit.
 *
 * It is incremental: feed() text in chunks of any size (split anywhere, even between CR and LF), take
 * records with next() until it returns null, feed again. State is kept between chunks; nothing is
 * re-scanned.
 */
import { countText } from '../../../shared/count-text';

/** Python's default `csv.field_size_limit()`: a quoted cell longer than this is an unclosed quote. */
export const MAX_QUOTED_CELL_CHARS = 131_072;
/** A record longer than this (in characters) is not a CSV record. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

/** `cut-off`: the input ends inside a quoted cell of its last line (no line end in the cell): an export cut short. */
export type CsvSyntaxProblem = 'unclosed-quote' | 'stray-quote' | 'cell-too-long' | 'record-too-long' | 'cut-off';

/** The input cannot be split into records without losing some. `row` is the 1-based record where the problem starts. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly problem: CsvSyntaxProblem,
    readonly row: number,
  ) {
    super(`${problem} at row ${row}`);
    this.name = 'CsvSyntaxError';
  }
}

/** Plain words for a syntax error of `file`, naming the row and the fix. */
export function syntaxErrorMessage(file: string, err: CsvSyntaxError): string {
  const row = countText(err.row);
  switch (err.problem) {
    case 'unclosed-quote':
      return `${file}: the quoted cell that starts on row ${row} is never closed, so every row after it would be lost. Add the missing closing quote (") on row ${row}, or export the file again.`;
    case 'stray-quote':
      return `${file}: a quoted cell on row ${row} runs over a line end and stops at a stray quote, so the rows after it would be merged into it. Check the quotes (") on row ${row} and the rows below it, or export the file again.`;
    case 'cell-too-long':
      return `${file}: the quoted cell that starts on row ${row} is longer than ${MAX_QUOTED_CELL_CHARS / 1024} KB, so its quote is most likely never closed. Check the quotes (") on row ${row}, or export the file again.`;
    case 'cut-off':
      return cutOffMessage(file, err.row, 'a quoted cell is never closed', false);
    case 'record-too-long':
      return `${file}: row ${row} is longer than ${MAX_RECORD_CHARS / 1024 / 1024} MB: it is not a CSV row (a line end may be missing). Export the file again as CSV.`;
    default:
      return `${file} cannot be split into rows at row ${row}. Export the file again as CSV.`;
  }
}

/**
 * Plain words for a file that ends in the middle of its last row (`what` says how that shows): an export cut short,
 * or still being written. Read as it is, the people after that row would be missing, and a sync would remove them.
 * `lineEnd`: a line end after the row would make it read as it is (the way out when the row is whole after all).
 */
export function cutOffMessage(file: string, row: number, what: string, lineEnd = true): string {
  const n = countText(row);
  const wayOut = lineEnd ? ` If row ${n} is complete, end the file with a line end after it.` : '';
  return `${file} ends in the middle of row ${n} (${what}, and no line end follows): the export was cut off, so the people after that row are missing and a sync would remove them from the audience. Nothing from the file was used or sent. Wait until the export has finished, or export the file again, then try again.${wayOut}`;
}

// Parser states (Python's _csv.c names in comments).
const RECORD_START = 0; // START_RECORD
const FIELD_START = 1; // START_FIELD
const UNQUOTED = 2; // IN_FIELD
const QUOTED = 3; // IN_QUOTED_FIELD
const QUOTE_IN_QUOTED = 4; // QUOTE_IN_QUOTED_FIELD
const AFTER_CR = 5; // EAT_CRNL after a CR: a following LF belongs to the same line end
const DONE = 6;

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Incremental CSV parser (see the module comment). */
export class CsvParser {
  private readonly delim: number;
  private text = '';
  private pos = 0;
  private final = false;
  private state = RECORD_START;
  private cells: string[] = [];
  /** The current cell's characters from earlier chunks (and, in quotes, from before the last `""`). */
  private field = '';
  /** Where the current cell's characters start in `text`, while in UNQUOTED or QUOTED. */
  private fieldStart = 0;
  /** Characters of the current record in finished cells. */
  private recordChars = 0;
  private records = 0;
  private lastUnterminated = false;
  /** The current cell opened with a quote. */
  private cellQuoted = false;
  private lastCellQuoted = false;

  constructor(delimiter: string) {
    if (delimiter.length !== 1) throw new Error('The delimiter must be one character.');
    this.delim = delimiter.charCodeAt(0);
  }

  /** 1-based row number of the record next() returned last (a record over several lines counts once). */
  get row(): number {
    return this.records;
  }

  /** The record next() returned last ended at the end of the input, with no line end (see cutOffMessage). */
  get unterminated(): boolean {
    return this.lastUnterminated;
  }

  /**
   * With `unterminated`: the record's last cell was quoted, and its quote closed (a cut inside quotes is an open quote,
   * 'cut-off'), so that cell is whole.
   */
  get lastCellClosedQuote(): boolean {
    return this.lastCellQuoted;
  }

  /** The next piece of text; `final` when it ends the input. Call after next() returned null. */
  feed(text: string, final: boolean): void {
    if (this.state === DONE) throw new Error('The parser has reached the end of its input.');
    this.text = text;
    this.pos = 0;
    this.final = final;
    this.fieldStart = 0;
  }

  /**
   * The next whole record, or null when the text fed so far holds no more (feed more, unless it was
   * final). Throws CsvSyntaxError where reading on would lose or merge rows.
   */
  next(): string[] | null {
    const t = this.text;
    const n = t.length;
    const d = this.delim;
    let i = this.pos;
    for (;;) {
      if (i >= n) return this.endOfText();
      switch (this.state) {
        case AFTER_CR:
          if (t.charCodeAt(i) === LF) i++;
          this.state = RECORD_START;
          break;
        case RECORD_START: {
          const c = t.charCodeAt(i);
          if (c === LF || c === CR) {
            // A blank line: a record with no cells.
            this.pos = i + 1;
            this.state = c === CR ? AFTER_CR : RECORD_START;
            return this.emit();
          }
          this.state = FIELD_START;
          break;
        }
        case FIELD_START:
          this.cellQuoted = t.charCodeAt(i) === QUOTE;
          if (this.cellQuoted) {
            i++;
            this.state = QUOTED;
          } else this.state = UNQUOTED;
          this.fieldStart = i;
          break;
        case UNQUOTED: {
          let j = i;
          let c = 0;
          for (; j < n; j++) {
            c = t.charCodeAt(j);
            if (c === d || c === LF || c === CR) break;
          }
          if (j >= n) {
            i = n;
            break;
          }
          this.pushCell(this.field + t.slice(this.fieldStart, j));
          i = j + 1;
          if (c === d) {
            this.state = FIELD_START;
            break;
          }
          this.pos = i;
          this.state = c === CR ? AFTER_CR : RECORD_START;
          return this.emit();
        }
        case QUOTED: {
          const j = t.indexOf('"', i);
          if (j < 0) {
            i = n;
            break;
          }
          this.field += t.slice(this.fieldStart, j);
          if (this.field.length > MAX_QUOTED_CELL_CHARS) throw new CsvSyntaxError('cell-too-long', this.records + 1);
          i = j + 1;
          this.state = QUOTE_IN_QUOTED;
          break;
        }
        case QUOTE_IN_QUOTED: {
          const c = t.charCodeAt(i);
          if (c === QUOTE) {
            // "" inside quotes is one quote character.
            this.field += '"';
            i++;
            this.fieldStart = i;
            this.state = QUOTED;
          } else if (c === d) {
            this.pushCell(this.field);
            i++;
            this.state = FIELD_START;
          } else if (c === LF || c === CR) {
            this.pushCell(this.field);
            this.pos = i + 1;
            this.state = c === CR ? AFTER_CR : RECORD_START;
            return this.emit();
          } else {
            // Text after a closing quote. Python keeps it; but a cell that ran over a line end and
            // then closed at a stray quote is an unclosed quote that swallowed rows.
            if (this.field.indexOf('\n') >= 0 || this.field.indexOf('\r') >= 0) throw new CsvSyntaxError('stray-quote', this.records + 1);
            this.fieldStart = i;
            this.state = UNQUOTED;
          }
          break;
        }
        default:
          return null;
      }
    }
  }

  /** The fed text is used up: keep the cell in progress, or finish the input. */
  private endOfText(): string[] | null {
    const s = this.state;
    if (s === UNQUOTED || s === QUOTED) {
      this.field += this.text.slice(this.fieldStart);
      this.fieldStart = this.text.length;
      if (s === QUOTED && this.field.length > MAX_QUOTED_CELL_CHARS) throw new CsvSyntaxError('cell-too-long', this.records + 1);
      if (this.recordChars + this.field.length > MAX_RECORD_CHARS) throw new CsvSyntaxError('record-too-long', this.records + 1);
    }
    this.pos = this.text.length;
    if (!this.final || s === DONE) return null;
    this.state = DONE;
    if (s === QUOTED) {
      // Open at the end: on its own line, the last line was cut short; over line ends, it swallowed the rows after it.
      const cut = this.field.indexOf('\n') < 0 && this.field.indexOf('\r') < 0;
      throw new CsvSyntaxError(cut ? 'cut-off' : 'unclosed-quote', this.records + 1);
    }
    if (s === UNQUOTED || s === QUOTE_IN_QUOTED || s === FIELD_START) {
      // The last record has no line end (FIELD_START: it ends with a delimiter, so an empty last cell).
      this.pushCell(this.field);
      this.lastUnterminated = true;
      this.lastCellQuoted = s !== FIELD_START && this.cellQuoted;
      return this.emit();
    }
    return null;
  }

  private pushCell(cell: string): void {
    this.cells.push(cell);
    this.field = '';
    this.recordChars += cell.length + 1;
    if (this.recordChars > MAX_RECORD_CHARS) throw new CsvSyntaxError('record-too-long', this.records + 1);
  }

  private emit(): string[] {
    const rec = this.cells;
    this.cells = [];
    this.recordChars = 0;
    this.records++;
    return rec;
  }
}

/**
 * All records of `text` (at most `limit`). When `complete` is false the text is the start of a longer
 * input: its last record, possibly cut, is left out, and so is an open quoted cell.
 */
export function parseCsvText(text: string, delimiter: string, complete: boolean, limit = Infinity): string[][] {
  const p = new CsvParser(delimiter);
  p.feed(text, complete);
  const out: string[][] = [];
  try {
    for (let r = p.next(); r !== null && out.length < limit; r = p.next()) out.push(r);
  } catch (err) {
    // The start of a file may end inside a long quoted cell: what came before it still counts.
    if (complete || !(err instanceof CsvSyntaxError)) throw err;
  }
  return out;
}
