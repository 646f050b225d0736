/**
 * The byte path for emails (a kernel part, kernel.ts): the hot loop of a large email cohort. It changes when that
 * loop is tuned; what it decides must stay what the key rules decide (kernel.test.ts checks the two against each
 * other).
 *
 * Serialized into the hashing workers' source with the other parts (kernel.ts kernelSource): self-contained, it may
 * reference only its parameters, its own declarations and JavaScript/Node globals (imports are type-only).
 */
import type { KernelDeps, PrehashFlag } from './kernel';
import type { KeyRules } from './kernel-rules';

export interface EmailBytes {
  /** Where emailBytes leaves a normalized address. */
  scratch: Uint8Array;
  /** emailBytes' answer for a cell that is not plain ASCII: use the string path. */
  FALLBACK: number;
  isEmailBytes(b: Uint8Array, n: number): boolean;
  /** The normalized length in scratch, -1 - reason, or FALLBACK. Sets `flag.prehashed`. */
  emailBytes(b: Uint8Array, s: number, e: number, strip: boolean): number;
  /**
   * emailBytes on the cell that starts at `s` and ends at the first `delim`, LF or CR (or at `e`): one pass finds the
   * cell's end (left in `cell.end`) and normalizes it. The same answers as emailBytes(b, s, cell.end, strip).
   */
  emailCell(b: Uint8Array, s: number, e: number, strip: boolean, delim: number): number;
  /** Where the last emailCell stopped: the offset of the delimiter or line end after the cell, or `e`. */
  cell: { end: number };
  /** Writes the digest of scratch[0, n) (or the bytes of the SHA-256 written there) at `off`. */
  writeScratchDigest(n: number, isPrehashed: boolean, out: Uint8Array, off: number): void;
}

export function createEmailBytes(deps: KernelDeps, rules: KeyRules, flag: PrehashFlag): EmailBytes {
  const { EMPTY, INVALID_EMAIL, INVALID_HASH } = rules.codes;
  const putLatin1 = rules.putLatin1;

  // ── Byte path for emails ──────────────────────────────────────────────────
  // The hot loop of a large email cohort: an ASCII cell is lowercased and stripped of whitespace
  // straight from the file's bytes into `scratch` and hashed from there, with no string per row.
  // Cells with other bytes take the string path (normEmail); both give the same result
  // (kernel.test.ts checks them against each other).

  // A plain Uint8Array over its own ArrayBuffer: a view of it per row is cheap (a Buffer's getters are not).
  const scratchBuffer = new ArrayBuffer(320);
  const scratch = new Uint8Array(scratchBuffer);
  const SCRATCH_MAX = 300;
  /** Not decided on bytes: use the string path. */
  const FALLBACK = -1000;

  /** ASCII-only twin of isEmail, on scratch[0, n). */
  function isEmailBytes(b: Uint8Array, n: number): boolean {
    if (n < 3 || n > 254) return false;
    let at = -1;
    for (let i = 0; i < n; i++) {
      if (b[i] === 64) {
        if (at >= 0) return false;
        at = i;
      }
    }
    if (at < 1 || at > 64) return false;
    let prev = 46;
    for (let i = 0; i < at; i++) {
      const c = b[i]!;
      if (c === 46) {
        if (prev === 46) return false;
      } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 43 || c === 33 || (c >= 35 && c <= 39) || c === 42 || c === 47 || c === 61 || c === 63 || (c >= 94 && c <= 96) || (c >= 123 && c <= 126))) {
        return false;
      }
      prev = c;
    }
    if (prev === 46) return false;
    let labels = 0;
    let labelLen = 0;
    let labelDigits = 0;
    let lastC = 46;
    for (let i = at + 1; i < n; i++) {
      const c = b[i]!;
      if (c === 46) {
        if (labelLen === 0 || lastC === 45 || labelLen > 63) return false;
        labels++;
        labelLen = 0;
        labelDigits = 0;
      } else if (c >= 97 && c <= 122) {
        labelLen++;
      } else if (c >= 48 && c <= 57) {
        labelLen++;
        labelDigits++;
      } else if (c === 45) {
        if (labelLen === 0) return false;
        labelLen++;
      } else {
        return false;
      }
      lastC = c;
    }
    return labels >= 1 && labelLen >= 2 && labelLen <= 63 && labelDigits < labelLen && lastC !== 45;
  }

  // Byte classes for the one-pass email scan: what each ASCII byte may be in an address.
  const C_BAD = 0;
  const C_SPACE = 1;
  const C_UPPER = 2;
  const C_LOWER = 3;
  const C_DIGIT = 4;
  const C_DOT = 5;
  const C_HYPHEN = 6;
  const C_AT = 7;
  /** Allowed in the local part only: ! # $ % & ' * + / = ? ^ _ ` { | } ~ */
  const C_LOCAL = 8;
  const CLS = new Uint8Array(128);
  const HEXC = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    let k = C_BAD;
    if (c === 32 || (c >= 9 && c <= 13)) k = C_SPACE;
    else if (c >= 65 && c <= 90) k = C_UPPER;
    else if (c >= 97 && c <= 122) k = C_LOWER;
    else if (c >= 48 && c <= 57) k = C_DIGIT;
    else if (c === 46) k = C_DOT;
    else if (c === 45) k = C_HYPHEN;
    else if (c === 64) k = C_AT;
    else if ("!#$%&'*+/=?^_`{|}~".indexOf(String.fromCharCode(c)) >= 0) k = C_LOCAL;
    CLS[c] = k;
    HEXC[c] = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) ? 1 : 0;
  }

  // The one-pass scan is table-driven: F[c] packs the byte's class (low 4 bits, C_* above) with flags, and DFA
  // steps through the address's syntax one class at a time, so the loop over a cell has no data-dependent branch
  // but its end. States: local part after its start or a dot, local part after another byte, domain at a label's
  // start, in a label after a letter or digit, in a label after a hyphen, and bad (for good).
  const C_HIGH = 9;
  const C_END = 10;
  /** Not a hex digit once lowercased: the cell cannot be a SHA-256 already. */
  const F_NONHEX = 16;
  /** Whitespace: dropped, not copied. */
  const F_SKIP = 32;
  /** Ends the scan: a byte of 128 or more (the string path's), or the cell's delimiter or line end. */
  const F_STOP = 64;
  const S_LOCAL_START = 0;
  const S_LOCAL = 1;
  const S_LABEL_START = 2;
  const S_LABEL = 3;
  const S_LABEL_HYPHEN = 4;
  const S_BAD = 5;
  const DFA = new Uint8Array(6 * 16).fill(S_BAD);
  for (let st = 0; st < 6; st++) {
    const row = st * 16;
    DFA[row + C_SPACE] = st;
    if (st === S_BAD) continue;
    const local = st === S_LOCAL_START || st === S_LOCAL;
    for (const k of [C_UPPER, C_LOWER, C_DIGIT]) DFA[row + k] = local ? S_LOCAL : S_LABEL;
    if (local) {
      DFA[row + C_HYPHEN] = S_LOCAL;
      DFA[row + C_LOCAL] = S_LOCAL;
      if (st === S_LOCAL) {
        DFA[row + C_DOT] = S_LOCAL_START;
        DFA[row + C_AT] = S_LABEL_START;
      }
    } else {
      if (st !== S_LABEL_START) DFA[row + C_HYPHEN] = S_LABEL_HYPHEN;
      if (st === S_LABEL) DFA[row + C_DOT] = S_LABEL_START;
    }
  }
  const LOWER = new Uint8Array(256);
  /** F for a scan that stops only at the range's end (emailBytes); per delimiter, F with it and CR, LF as C_END. */
  const F_RANGE = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
    if (c >= 128) {
      F_RANGE[c] = C_HIGH | F_STOP;
      continue;
    }
    const k = CLS[c]!;
    F_RANGE[c] = k | (k === C_SPACE ? F_SKIP : HEXC[LOWER[c]!] === 1 ? 0 : F_NONHEX);
  }
  const cellTables: (Uint8Array | undefined)[] = [];
  function cellTable(delim: number): Uint8Array {
    let t = cellTables[delim];
    if (!t) {
      t = F_RANGE.slice();
      for (const c of [delim, 10, 13]) t[c] = C_END | F_STOP;
      cellTables[delim] = t;
    }
    return t;
  }
  const cell = { end: 0 };

  /**
   * normEmail on the bytes b[s, e), in one pass that lowercases, drops whitespace, copies into
   * scratch and checks the syntax (the rules of isEmail). Returns the normalized length, or
   * -1 - reason, or FALLBACK for a cell that is not plain ASCII.
   */
  function emailBytes(b: Uint8Array, s: number, e: number, strip: boolean): number {
    return scan(b, s, e, strip, F_RANGE);
  }

  function emailCell(b: Uint8Array, s: number, e: number, strip: boolean, delim: number): number {
    return scan(b, s, e, strip, cellTables[delim] ?? cellTable(delim));
  }

  function scan(b: Uint8Array, s: number, e: number, strip: boolean, F: Uint8Array): number {
    // A cell longer than scratch takes the string path: scan at most SCRATCH_MAX + 1 bytes here.
    const lim = e - s > SCRATCH_MAX ? s + SCRATCH_MAX + 1 : e;
    let n = 0;
    let st = S_LOCAL_START;
    let acc = 0;
    let i = s;
    for (; i < lim; i++) {
      const c = b[i]!;
      const f = F[c]!;
      if (f >= F_STOP) break;
      scratch[n] = LOWER[c]!;
      n += (f >> 5) ^ 1;
      st = DFA[(st << 4) | (f & 15)]!;
      acc |= f;
    }
    if (i < lim ? (F[b[i]!]! & 15) === C_HIGH : i < e) {
      // Not plain ASCII, or too long: the string path decides; find the cell's end for it.
      while (i < e && (F[b[i]!]! & 15) !== C_END) i++;
      cell.end = i;
      return FALLBACK;
    }
    cell.end = i;
    if (n === 0) return -1 - EMPTY;
    if ((acc & F_NONHEX) === 0) {
      if (n === 64) {
        flag.prehashed = true;
        return 64;
      }
      return -1 - (n >= 32 ? INVALID_HASH : INVALID_EMAIL);
    }
    flag.prehashed = false;
    if (strip) {
      let at = -1;
      for (let j = 0; j < n; j++) {
        if (scratch[j] === 64) {
          at = j;
          break;
        }
      }
      if (at < 0) return -1 - INVALID_EMAIL;
      let plus = -1;
      for (let j = 0; j < at; j++) {
        if (scratch[j] === 43) {
          plus = j;
          break;
        }
      }
      const lim = plus >= 0 ? plus : at;
      let w = 0;
      for (let j = 0; j < lim; j++) {
        const c = scratch[j]!;
        if (c !== 46) scratch[w++] = c;
      }
      for (let j = at; j < n; j++) scratch[w++] = scratch[j]!;
      return isEmailBytes(scratch, w) ? w : -1 - INVALID_EMAIL;
    }
    if (st !== S_LABEL) return -1 - INVALID_EMAIL;
    // Past the syntax the DFA checks: a dot in the domain, a last label of 2+ bytes not all digits, and (only
    // reachable beyond 64 bytes) the length limits, which isEmailBytes checks in full.
    if (n > 64) return isEmailBytes(scratch, n) ? n : -1 - INVALID_EMAIL;
    let len = 0;
    let digits = 0;
    for (let j = n - 1; j >= 0; j--) {
      const c = scratch[j]!;
      if (c === 46) return len >= 2 && digits < len ? n : -1 - INVALID_EMAIL;
      if (c === 64) break;
      len++;
      if (c >= 48 && c <= 57) digits++;
    }
    return -1 - INVALID_EMAIL;
  }

  function hexNibble(c: number): number {
    return c <= 57 ? c - 48 : c - 87;
  }

  /** scratch[0, n) for each n, made once: a view per row would cost more than the rest of the row's copy. */
  const views: (Uint8Array | undefined)[] = [];
  function view(n: number): Uint8Array {
    views[n] = new Uint8Array(scratchBuffer, 0, n);
    return views[n]!;
  }

  function writeScratchDigest(n: number, isPrehashed: boolean, out: Uint8Array, off: number): void {
    if (isPrehashed) {
      for (let i = 0; i < 32; i++) out[off + i] = (hexNibble(scratch[2 * i]!) << 4) | hexNibble(scratch[2 * i + 1]!);
    } else {
      putLatin1(deps.sha256BytesLatin1(views[n] ?? view(n)), out, off);
    }
  }

  return { scratch, FALLBACK, isEmailBytes, emailBytes, emailCell, cell, writeScratchDigest };
}
