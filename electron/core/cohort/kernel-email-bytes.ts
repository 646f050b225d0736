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

  /**
   * normEmail on the bytes b[s, e), in one pass that lowercases, drops whitespace, copies into
   * scratch and checks the syntax (the rules of isEmail). Returns the normalized length, or
   * -1 - reason, or FALLBACK for a cell that is not plain ASCII.
   */
  function emailBytes(b: Uint8Array, s: number, e: number, strip: boolean): number {
    if (e - s > SCRATCH_MAX) return FALLBACK;
    let n = 0;
    let at = -1;
    let bad = false;
    let hexOnly = true;
    let prevDot = true;
    let labels = 0;
    let labelLen = 0;
    let labelDigits = 0;
    let lastC = 46;
    for (let i = s; i < e; i++) {
      let c = b[i]!;
      if (c >= 128) return FALLBACK;
      const k = CLS[c]!;
      if (k === C_SPACE) continue;
      if (k === C_UPPER) c += 32;
      scratch[n++] = c;
      if (HEXC[c] === 0) hexOnly = false;
      if (at < 0) {
        if (k === C_AT) {
          at = n - 1;
          if (prevDot) bad = true;
        } else if (k === C_DOT) {
          if (prevDot) bad = true;
          prevDot = true;
        } else {
          if (k === C_BAD) bad = true;
          prevDot = false;
        }
      } else if (k === C_DOT) {
        if (labelLen === 0 || lastC === 45 || labelLen > 63) bad = true;
        labels++;
        labelLen = 0;
        labelDigits = 0;
        lastC = c;
      } else {
        if (k === C_HYPHEN) {
          if (labelLen === 0) bad = true;
        } else if (k === C_DIGIT) labelDigits++;
        else if (k !== C_LOWER && k !== C_UPPER) bad = true;
        labelLen++;
        lastC = c;
      }
    }
    if (n === 0) return -1 - EMPTY;
    if (hexOnly) {
      if (n === 64) {
        flag.prehashed = true;
        return 64;
      }
      return -1 - (n >= 32 ? INVALID_HASH : INVALID_EMAIL);
    }
    flag.prehashed = false;
    if (at < 0) return -1 - INVALID_EMAIL;
    if (strip) {
      let plus = -1;
      for (let i = 0; i < at; i++) {
        if (scratch[i] === 43) {
          plus = i;
          break;
        }
      }
      const lim = plus >= 0 ? plus : at;
      let w = 0;
      for (let i = 0; i < lim; i++) {
        const c = scratch[i]!;
        if (c !== 46) scratch[w++] = c;
      }
      for (let i = at; i < n; i++) scratch[w++] = scratch[i]!;
      return isEmailBytes(scratch, w) ? w : -1 - INVALID_EMAIL;
    }
    const ok = !bad && n >= 3 && n <= 254 && at >= 1 && at <= 64 && labels >= 1 && labelLen >= 2 && labelLen <= 63 && labelDigits < labelLen && lastC !== 45;
    return ok ? n : -1 - INVALID_EMAIL;
  }

  function hexNibble(c: number): number {
    return c <= 57 ? c - 48 : c - 87;
  }

  function writeScratchDigest(n: number, isPrehashed: boolean, out: Uint8Array, off: number): void {
    if (isPrehashed) {
      for (let i = 0; i < 32; i++) out[off + i] = (hexNibble(scratch[2 * i]!) << 4) | hexNibble(scratch[2 * i + 1]!);
    } else {
      putLatin1(deps.sha256BytesLatin1(new Uint8Array(scratchBuffer, 0, n)), out, off);
    }
  }

  return { scratch, FALLBACK, isEmailBytes, emailBytes, writeScratchDigest };
}
