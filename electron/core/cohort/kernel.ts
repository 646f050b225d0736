/**
 * The per-row engine of the cohort pipeline: normalization, syntax checks, masking and hashing of one
 * key cell, and the loops that run them over a block of CSV text or a batch of cells.
 *
 * `createKernel` is serialized with `Function.prototype.toString` into the source of the hashing
 * workers (worker-pool.ts), so the main thread and every worker run the very same code. That is why it
 * must stay self-contained: it may reference only its parameters, its own inner declarations and
 * JavaScript/Node globals (Buffer) — never an import or a module-level binding (imports below are
 * type-only and erased). Bundlers' `__name(...)` helper is shimmed in the worker source.
 *
 * Multi-key audiences (email + phone + MAID → one tuple per row) use processMulti: a batch of rows,
 * each with one cell per mapped key, becomes 96-byte tuples (multi-key.ts) with per-cell rejects.
 */
import type { KeyType, NormalizationProfile } from '../../../shared/domain';

/** The subset of libphonenumber-js the kernel uses. */
export interface PhoneLib {
  parsePhoneNumberFromString(text: string, options?: { defaultCountry?: string; extract?: boolean }): { number: string; isValid(): boolean } | undefined;
}

export interface KernelDeps {
  /** REJECT_REASONS, so a reject travels between threads as its index. */
  reasons: readonly string[];
  /** SHA-256 of the UTF-8 bytes of `s`, as a 32-character latin1 string (one char per digest byte). */
  sha256Latin1(s: string): string;
  /** SHA-256 of `bytes`, likewise. */
  sha256BytesLatin1(bytes: Uint8Array): string;
  /** libphonenumber-js (max metadata); required only for the phone key. */
  phone: PhoneLib | null;
}

/** What a block or batch needs to know: which key, how to normalize, which cell. */
export interface KernelTask {
  key: KeyType;
  profile: NormalizationProfile;
  /** Rejects kept with row and masked value (all are counted regardless). */
  maxRejects: number;
}

/** A block of whole CSV records without quote characters (the fast path). Records end at CRLF, LF or CR. */
export interface TextTask extends KernelTask {
  column: number;
  delimiter: string;
  /** Average record size in the file's sample: sizes the digest buffer. */
  bytesPerRecord: number;
}

/**
 * The outcome of one block or batch. Row references in `rejRows` are record indexes within the block
 * (text) or the row numbers the caller passed (values).
 */
export interface ChunkResult {
  /** Records seen, blank ones included (text blocks only; for value batches the number of cells). */
  records: number;
  /** Records whose cells are all empty: skipped, not counted as read. */
  blank: number;
  valid: number;
  /** Rejects per reason index. */
  counts: number[];
  rejRows: number[];
  rejReasons: number[];
  rejMasked: string[];
  /** `hashCount` 32-byte digests from offset 0, in row order, duplicates included (the buffer may be larger). */
  hashes: ArrayBuffer;
  hashCount: number;
}

/**
 * A batch of multi-key rows: `keys[k]` fills the 32-byte position `slots[k]` of a `width`-byte tuple (default 96:
 * 0 email, 1 phone, 2 maid; wider tuples hold several values of a key, multi-key.ts TupleLayout).
 */
export interface MultiTask {
  keys: KeyType[];
  slots: number[];
  width?: number;
  profile: NormalizationProfile;
  /** Rejected cells kept with row and masked value (all are counted regardless). */
  maxRejects: number;
}

/** A block of whole quote-free CSV records (UTF-8) for a multi-key cohort: `columns[k]` holds key k. Records end at CRLF, LF or CR. */
export interface MultiTextTask extends MultiTask {
  columns: number[];
  delimiter: string;
}

/** The outcome of a multi-key batch. */
export interface MultiChunkResult {
  /** Records seen, blank ones included (text blocks; for cell batches the number of rows). */
  records: number;
  /** Blank records (every cell empty): skipped, not counted as read. */
  blank: number;
  /** Rows read (not blank). */
  rows: number;
  /** Rows kept: at least one valid key. */
  valid: number;
  /** Rows without a valid key. */
  rejected: number;
  /** Per reason index: rejected cells, plus one EMPTY per rejected row whose keys were all empty. */
  counts: number[];
  /** Per key k: [3k] valid, [3k+1] rejected, [3k+2] empty cells. */
  perKey: number[];
  /** The kept rejects: row number (as passed; a text block's record index), key index, reason index, masked cell. */
  rejRows: number[];
  rejKeys: number[];
  rejReasons: number[];
  rejMasked: string[];
  /** `entryCount` 96-byte tuples from offset 0, in row order, duplicates included. */
  entries: ArrayBuffer;
  entryCount: number;
}

/** A normalized value, or the index of the reject reason. */
export type NormOutcome = string | number;

export interface Kernel {
  /** Normalizes one raw cell. After a string result, `wasPrehashed()` tells whether it was a SHA-256 already. */
  norm(key: KeyType, raw: string, profile: NormalizationProfile): NormOutcome;
  wasPrehashed(): boolean;
  /** A display-safe masked form of a raw cell: never the whole value. */
  mask(key: KeyType, raw: string): string;
  isEmail(s: string): boolean;
  /** Writes the 32-byte digest of a normalized value (or the bytes of a passed-through hash) at `off`. */
  writeDigest(normalized: string, prehashed: boolean, out: Buffer, off: number): void;
  /** Test hooks for the byte path: isEmailBytes on a buffer, emailBytes into `scratch`. */
  isEmailBytes(b: Uint8Array, n: number): boolean;
  emailBytes(b: Uint8Array, s: number, e: number, strip: boolean): number;
  scratch: Uint8Array;
  /** A block of whole quote-free CSV records (UTF-8). */
  processBytes(bytes: Buffer, task: TextTask, out?: ArrayBuffer | null): ChunkResult;
  /** `values[i] === null` means the record had no such column. */
  processValues(values: (string | null)[], rows: ArrayLike<number>, task: KernelTask, out?: ArrayBuffer | null): ChunkResult;
  /** Multi-key rows: `cells[r * keys.length + k]` is row r's cell for key k (null: no such column). */
  processMulti(cells: (string | null)[], rows: ArrayLike<number>, task: MultiTask, out?: ArrayBuffer | null): MultiChunkResult;
  /** Multi-key rows from a block of whole quote-free CSV records (split as CsvParser splits them). */
  processMultiBytes(bytes: Buffer, task: MultiTextTask, out?: ArrayBuffer | null): MultiChunkResult;
}

/** Builds a kernel over its dependencies (hash function, phone library), in any thread. */
export function createKernel(deps: KernelDeps): Kernel {
  function reasonIndex(name: string): number {
    const i = deps.reasons.indexOf(name);
    if (i < 0) throw new Error(`Unknown reject reason ${name}`);
    return i;
  }
  const EMPTY = reasonIndex('EMPTY');
  const INVALID_EMAIL = reasonIndex('INVALID_EMAIL');
  const INVALID_PHONE = reasonIndex('INVALID_PHONE');
  const PHONE_NO_COUNTRY = reasonIndex('PHONE_NO_COUNTRY');
  const INVALID_MAID = reasonIndex('INVALID_MAID');
  const MAID_ZERO = reasonIndex('MAID_ZERO');
  const INVALID_HASH = reasonIndex('INVALID_HASH');
  const MISSING_COLUMN = reasonIndex('MISSING_COLUMN');

  const HEX64 = /^[0-9a-f]{64}$/;
  const HEX_LONG = /^[0-9a-f]{32,}$/;
  const HEX_LETTER = /[a-f]/;
  const HEX32 = /^[0-9a-f]{32}$/;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
  // \s covers ASCII whitespace, NBSP, U+FEFF and the Unicode spaces; zero-width ones come from copy-paste.
  const WS_ALL = /[\s\u200b-\u200d\u2060]/g;
  const DOTS = /\./g;
  const NON_DIGITS = /\D/g;
  const LETTERS = /[a-z]/i;
  const LEADING_PUNCT = /^[\s(]+/;
  const EXT = /^(.*?)(?:\s*(?:ext\.?|x|#)\s*\d+)$/i;

  let prehashed = false;

  /** Unicode whitespace TikTok's rule "remove spaces" must catch (tab, NBSP, ideographic space, BOM...). */
  function isSpace(c: number): boolean {
    if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
    if (c < 0x85) return false;
    return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200d) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x2060 || c === 0x3000 || c === 0xfeff;
  }

  /**
   * A practical address check, like validator.isEmail with UTF-8 allowed: one "@", a dot-atom local
   * part of at most 64 characters, and a domain of at least two labels whose last one is not numeric.
   * Quoted local parts and IP-literal domains are refused: TikTok cannot match them anyway.
   */
  function isEmail(s: string): boolean {
    const n = s.length;
    if (n < 3 || n > 254) return false;
    const at = s.indexOf('@');
    if (at < 1 || at > 64 || s.indexOf('@', at + 1) !== -1) return false;
    let prev = 46;
    for (let i = 0; i < at; i++) {
      const c = s.charCodeAt(i);
      if (c === 46) {
        if (prev === 46) return false;
      } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 43 || c === 33 || (c >= 35 && c <= 39) || c === 42 || c === 47 || c === 61 || c === 63 || (c >= 94 && c <= 96) || (c >= 123 && c <= 126) || (c >= 0xa0 && c !== 0xfffd))) {
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
      const c = s.charCodeAt(i);
      if (c === 46) {
        if (labelLen === 0 || lastC === 45 || labelLen > 63) return false;
        labels++;
        labelLen = 0;
        labelDigits = 0;
      } else if ((c >= 97 && c <= 122) || (c >= 0xa0 && c !== 0xfffd)) {
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
    // The last label (TLD): at least two characters, not all digits, not ending with a hyphen.
    return labels >= 1 && labelLen >= 2 && labelLen <= 63 && labelDigits < labelLen && lastC !== 45;
  }

  function normEmail(raw: string, stripPlusAndDots: boolean): NormOutcome {
    let s = raw;
    let hasSpace = false;
    let needLower = false;
    for (let i = 0, n = s.length; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 65 && c <= 90) needLower = true;
      else if (c <= 32 || c >= 0x80) {
        if (isSpace(c)) hasSpace = true;
        else if (c >= 0x80) needLower = true;
      }
    }
    if (hasSpace) s = s.replace(WS_ALL, '');
    if (s.length === 0) return EMPTY;
    if (needLower) s = s.toLowerCase();
    if (s.length === 64 && HEX64.test(s)) {
      prehashed = true;
      return s;
    }
    prehashed = false;
    const at = s.indexOf('@');
    // Pure hex of hash length without an "@": an MD5/SHA-1/SHA-512 digest, which TikTok cannot match.
    if (at < 0) return s.length >= 32 && HEX_LONG.test(s) ? INVALID_HASH : INVALID_EMAIL;
    if (stripPlusAndDots) {
      let local = s.slice(0, at);
      const plus = local.indexOf('+');
      if (plus >= 0) local = local.slice(0, plus);
      if (local.indexOf('.') >= 0) local = local.replace(DOTS, '');
      s = local + s.slice(at);
    }
    return isEmail(s) ? s : INVALID_EMAIL;
  }

  function normPhone(raw: string, profile: NormalizationProfile): NormOutcome {
    const s = raw.trim();
    if (s.length === 0) return EMPTY;
    const compact = s.replace(WS_ALL, '').toLowerCase();
    if (compact.length === 0) return EMPTY;
    if (compact.length === 64 && HEX64.test(compact)) {
      prehashed = true;
      return compact;
    }
    prehashed = false;
    if (compact.length >= 32 && HEX_LONG.test(compact) && HEX_LETTER.test(compact)) return INVALID_HASH;
    const lib = deps.phone;
    if (!lib) throw new Error('The phone library is not loaded in this thread.');
    // An extension is not part of E.164: drop it so "+1 657 777 0000 ext 12" still matches.
    const extMatch = EXT.exec(s);
    const text = extMatch ? extMatch[1]! : s;
    const digits = text.replace(NON_DIGITS, '');
    if (digits.length === 0) return INVALID_PHONE;
    const lead = text.replace(LEADING_PUNCT, '');
    let parsed: { number: string; isValid(): boolean } | undefined;
    if (lead.charCodeAt(0) === 43) {
      // Written with its country code: only the digits matter ("(+44) 20 ..." trips the library otherwise).
      parsed = lib.parsePhoneNumberFromString(`+${digits}`, { extract: false });
    } else if (lead.charCodeAt(0) === 48 && lead.charCodeAt(1) === 48 && digits.length > 8) {
      // "00" is the international prefix almost everywhere: "0044 20 ..." names its country.
      parsed = lib.parsePhoneNumberFromString(`+${digits.slice(2)}`, { extract: false });
    } else if (!profile.defaultCountry) {
      // Never guess a country (no silent +1): the user sets a default country or writes "+<code>".
      return LETTERS.test(text) || digits.length < 6 ? INVALID_PHONE : PHONE_NO_COUNTRY;
    } else {
      parsed = lib.parsePhoneNumberFromString(text, { defaultCountry: profile.defaultCountry, extract: false });
      if (!(parsed && parsed.isValid()) && digits.length >= 8) {
        // TikTok also accepts "country code and number without +": try that reading before giving up.
        const intl = lib.parsePhoneNumberFromString(`+${digits}`, { extract: false });
        if (intl && intl.isValid()) parsed = intl;
      }
    }
    if (!parsed || !parsed.isValid()) return INVALID_PHONE;
    return profile.phoneKeepPlus ? parsed.number : parsed.number.slice(1);
  }

  function normMaid(raw: string): NormOutcome {
    let s = raw.trim();
    if (s.length === 0) return EMPTY;
    s = s.toLowerCase();
    if (s.charCodeAt(0) === 123 && s.charCodeAt(s.length - 1) === 125) s = s.slice(1, -1).trim();
    if (s.length === 64 && HEX64.test(s)) {
      prehashed = true;
      return s;
    }
    prehashed = false;
    // 32 hex digits is a UUID written without hyphens (for an ad id it cannot be an MD5 we could use).
    if (s.length === 32 && HEX32.test(s)) s = `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    if (s.length !== 36 || !UUID.test(s)) return INVALID_MAID;
    // The all-zero id is what iOS/Android report when the user limits ad tracking: it matches no one.
    if (s === ZERO_UUID) return MAID_ZERO;
    return s;
  }

  function norm(key: KeyType, raw: string, profile: NormalizationProfile): NormOutcome {
    switch (key) {
      case 'email':
        return normEmail(raw, profile.emailStripPlusAndDots);
      case 'phone':
        return normPhone(raw, profile);
      default:
        return normMaid(raw);
    }
  }

  function stars(n: number): string {
    return '*'.repeat(Math.max(1, Math.min(n, 12)));
  }

  /** Only letters and digits are shown: a kept "=", "+", "@" or control character could start a formula or a terminal escape. */
  function shown(s: string): string {
    return s.replace(/[^A-Za-z0-9]/g, '*');
  }

  /**
   * Length of the ITU country calling code at the start of `d` (digits after "+"): the codes are
   * prefix-free, 1 and 7 alone, these two-digit ones, every other code three digits.
   */
  function callingCodeLength(d: string): number {
    const c = d.charCodeAt(0) - 48;
    if (c === 1 || c === 7) return 1;
    const two = Number(d.slice(0, 2));
    const TWO = [20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98];
    return TWO.includes(two) ? 2 : 3;
  }

  function mask(key: KeyType, raw: string): string {
    const s = raw.slice(0, 256).replace(WS_ALL, '');
    if (s.length === 0) return '';
    if (s.length === 64 && HEX64.test(s.toLowerCase())) return `${s.slice(0, 4).toLowerCase()}${stars(8)}`;
    if (key === 'email') {
      const at = s.lastIndexOf('@');
      if (at < 0) return `${shown(s.charAt(0))}${stars(3)}`;
      // The domain is shown (it says little about the person, and it is where most faults are: "example..com",
      // "gmial.com"); only letters, digits, dots and hyphens of it, at most 64. The local part stays masked.
      const domain = s.slice(at + 1, at + 65).replace(/[^A-Za-z0-9.-]/g, '*');
      return `${at > 0 ? shown(s.charAt(0)) : ''}${stars(3)}@${domain}`;
    }
    if (key === 'phone') {
      // At most the country code (when the number is written with one) and the last two digits.
      const digits = s.replace(NON_DIGITS, '');
      if (digits.length < 7) return stars(3);
      const intl = s.charCodeAt(0) === 43 ? digits : s.startsWith('00') ? digits.slice(2) : null;
      const cc = intl === null ? '' : `+${intl.slice(0, callingCodeLength(intl))}`;
      const hidden = (intl ?? digits).length - (cc.length > 0 ? cc.length - 1 : 0) - 2;
      return `${cc}${stars(hidden)}${digits.slice(-2)}`;
    }
    // An ad id shows its first 4 hex digits; anything else in an ad-id column (a name, an email) shows none.
    const head = s.slice(0, 4);
    if (s.length <= 4 || !/^[0-9a-f]{4}$/i.test(head)) return stars(4);
    return `${head}${stars(8)}`;
  }

  function writeDigest(normalized: string, isPrehashed: boolean, out: Buffer, off: number): void {
    if (isPrehashed) out.write(normalized, off, 32, 'hex');
    else putLatin1(deps.sha256Latin1(normalized), out, off);
  }

  /** Copies a 32-char latin1 digest into `out` (a JIT-compiled loop beats a call into Buffer.write here). */
  function putLatin1(digest: string, out: Uint8Array, off: number): void {
    for (let i = 0; i < 32; i++) out[off + i] = digest.charCodeAt(i);
  }

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
        prehashed = true;
        return 64;
      }
      return -1 - (n >= 32 ? INVALID_HASH : INVALID_EMAIL);
    }
    prehashed = false;
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

  /** Collects one block's outcome: digests, counts, and the first rejects with masked values. */
  /** `reuse`: a digest buffer handed back by the caller, so steady-state blocks allocate nothing. */
  function createSink(task: KernelTask, capacity: number, reuse: ArrayBuffer | null | undefined) {
    const counts: number[] = new Array<number>(deps.reasons.length).fill(0);
    const rejRows: number[] = [];
    const rejReasons: number[] = [];
    const rejMasked: string[] = [];
    let out = reuse && reuse.byteLength >= 32 ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(Math.max(1, capacity) * 32);
    let hashCount = 0;
    let valid = 0;
    const key = task.key;
    const maxRejects = task.maxRejects;

    function reject(row: number, reason: number, raw: string | null): void {
      counts[reason]!++;
      if (rejRows.length < maxRejects) {
        rejRows.push(row);
        rejReasons.push(reason);
        rejMasked.push(raw === null ? '' : mask(key, raw));
      }
    }

    /** The next digest's offset in `out`, growing it when full. */
    function slot(): number {
      if ((hashCount + 1) * 32 > out.length) {
        const bigger = Buffer.allocUnsafeSlow(out.length * 2);
        out.copy(bigger, 0, 0, hashCount * 32);
        out = bigger;
      }
      valid++;
      return hashCount++ * 32;
    }

    /** A normalized value (string path). */
    function accept(normalized: string, isPrehashed: boolean): void {
      writeDigest(normalized, isPrehashed, out, slot());
    }

    /** A normalized value in scratch[0, n) (byte path). */
    function acceptScratch(n: number, isPrehashed: boolean): void {
      const off = slot();
      if (isPrehashed) {
        for (let i = 0; i < 32; i++) out[off + i] = (hexNibble(scratch[2 * i]!) << 4) | hexNibble(scratch[2 * i + 1]!);
      } else {
        putLatin1(deps.sha256BytesLatin1(new Uint8Array(scratchBuffer, 0, n)), out, off);
      }
    }

    function result(records: number, blank: number): ChunkResult {
      return { records, blank, valid, counts, rejRows, rejReasons, rejMasked, hashes: out.buffer as ArrayBuffer, hashCount };
    }
    return { reject, accept, acceptScratch, result };
  }

  /** The string path for one cell. */
  function cellString(sink: ReturnType<typeof createSink>, row: number, raw: string | null, key: KeyType, profile: NormalizationProfile): void {
    if (raw === null) {
      sink.reject(row, MISSING_COLUMN, null);
      return;
    }
    const r = norm(key, raw, profile);
    if (typeof r === 'number') sink.reject(row, r, raw);
    else sink.accept(r, prehashed);
  }

  function isSpaceByte(c: number): boolean {
    return c === 32 || (c >= 9 && c <= 13);
  }

  /**
   * Splits quote-free CSV bytes exactly as CsvParser (and Python's csv module) splits text: records
   * end at CRLF, LF or a lone CR, cells at `delimiter` (kernel.test.ts checks this against CsvParser)
   * and runs the key cell of each record. A record of only delimiters and whitespace is blank:
   * skipped, but it keeps its row number.
   */
  function processBytes(b: Buffer, task: TextTask, reuse?: ArrayBuffer | null): ChunkResult {
    const n = b.length;
    const delim = task.delimiter.charCodeAt(0);
    const col = task.column;
    const key = task.key;
    const profile = task.profile;
    const strip = profile.emailStripPlusAndDots;
    const emailKey = key === 'email';
    const sink = createSink(task, Math.ceil(n / Math.max(8, task.bytesPerRecord * 0.8)) + 64, reuse);
    let records = 0;
    let blank = 0;
    let pos = 0;
    while (pos < n) {
      const row = records++;
      // Walk to the key cell: count delimiters, stop at the record's end.
      let i = pos;
      let k = 0;
      let fs = pos;
      let fe = -1;
      let recEnd = -1;
      let high = 0;
      for (; i < n; i++) {
        const c = b[i]!;
        if (c === delim) {
          if (k === col) {
            fe = i;
            break;
          }
          k++;
          fs = i + 1;
        } else if (c === 10 || c === 13) {
          recEnd = i;
          if (k === col) fe = i;
          break;
        } else if (k === col) {
          high |= c;
        }
      }
      if (i >= n) {
        recEnd = n;
        if (k === col) fe = n;
      }
      if (recEnd < 0) {
        // The key cell ended at a delimiter: find the record's end (a JIT loop beats Buffer#indexOf's call cost on short rows).
        recEnd = n;
        for (let j = fe + 1; j < n; j++) {
          const c = b[j]!;
          if (c === 10 || c === 13) {
            recEnd = j;
            break;
          }
        }
      }
      if (fe < 0 || isSpaceOnlyBytes(b, fs, fe)) {
        // No such cell, or an empty one: a blank record is skipped; otherwise it is a reject.
        if (isBlankBytes(b, pos, recEnd, delim)) blank++;
        else if (fe < 0) sink.reject(row, MISSING_COLUMN, null);
        else sink.reject(row, EMPTY, '');
      } else if (emailKey && high < 128) {
        const r = emailBytes(b, fs, fe, strip);
        if (r >= 0) sink.acceptScratch(r, prehashed);
        else if (r === FALLBACK) cellString(sink, row, b.toString('utf8', fs, fe), key, profile);
        else sink.reject(row, -1 - r, b.toString('utf8', fs, fe));
      } else {
        cellString(sink, row, b.toString('utf8', fs, fe), key, profile);
      }
      pos = recEnd + (b[recEnd] === 13 && b[recEnd + 1] === 10 ? 2 : 1);
    }
    return sink.result(records, blank);
  }

  function isSpaceOnlyBytes(b: Uint8Array, start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (!isSpaceByte(b[i]!)) return false;
    return true;
  }

  /** Only delimiters and whitespace (ASCII, or the non-breaking space as UTF-8 C2 A0). */
  function isBlankBytes(b: Uint8Array, start: number, end: number, delim: number): boolean {
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c === delim || isSpaceByte(c)) continue;
      if (c === 0xc2 && b[i + 1] === 0xa0) {
        i++;
        continue;
      }
      return false;
    }
    return true;
  }

  function processValues(values: (string | null)[], rows: ArrayLike<number>, task: KernelTask, reuse?: ArrayBuffer | null): ChunkResult {
    const sink = createSink(task, values.length, reuse);
    for (let i = 0; i < values.length; i++) {
      const raw = values[i]!;
      if (raw !== null && raw.trim() === '') sink.reject(rows[i]!, EMPTY, '');
      else cellString(sink, rows[i]!, raw, task.key, task.profile);
    }
    return sink.result(values.length, 0);
  }

  /** Collects multi-key rows: one tuple per kept row, per-key counts, per-cell rejects. */
  function createMultiSink(task: MultiTask, capacity: number, reuse: ArrayBuffer | null | undefined) {
    const W = task.width ?? 96;
    const keys = task.keys;
    const nk = keys.length;
    const counts: number[] = new Array<number>(deps.reasons.length).fill(0);
    const perKey: number[] = new Array<number>(nk * 3).fill(0);
    const rejRows: number[] = [];
    const rejKeys: number[] = [];
    const rejReasons: number[] = [];
    const rejMasked: string[] = [];
    let out = reuse && reuse.byteLength >= W ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(Math.max(1, capacity) * W);
    let entryCount = 0;
    let valid = 0;
    let rejected = 0;
    let rows = 0;
    function reject(row: number, k: number, reason: number, raw: string | null): void {
      counts[reason]!++;
      if (rejRows.length < task.maxRejects) {
        rejRows.push(row);
        rejKeys.push(k);
        rejReasons.push(reason);
        rejMasked.push(raw === null ? '' : mask(keys[k]!, raw));
      }
    }
    /** One row: `cells[base + k]` is its cell for key k (null: no such column). */
    function add(row: number, cells: (string | null)[], base: number): void {
      rows++;
      if ((entryCount + 1) * W > out.length) {
        const bigger = Buffer.allocUnsafeSlow(out.length * 2);
        out.copy(bigger, 0, 0, entryCount * W);
        out = bigger;
      }
      const off = entryCount * W;
      out.fill(0, off, off + W);
      let good = 0;
      let bad = 0;
      for (let k = 0; k < nk; k++) {
        const raw = cells[base + k]!;
        if (raw === null) {
          perKey[3 * k + 1]!++;
          bad++;
          reject(row, k, MISSING_COLUMN, null);
          continue;
        }
        const n = norm(keys[k]!, raw, task.profile);
        if (n === EMPTY) perKey[3 * k + 2]!++;
        else if (typeof n === 'number') {
          perKey[3 * k + 1]!++;
          bad++;
          reject(row, k, n, raw);
        } else {
          perKey[3 * k]!++;
          good++;
          writeDigest(n, prehashed, out, off + task.slots[k]! * 32);
        }
      }
      if (good > 0) {
        valid++;
        entryCount++;
      } else {
        rejected++;
        // Every key empty: the row is rejected as EMPTY (no cell of it was rejected on its own).
        if (bad === 0) reject(row, 0, EMPTY, '');
      }
    }
    function result(records: number, blank: number): MultiChunkResult {
      return { records, blank, rows, valid, rejected, counts, perKey, rejRows, rejKeys, rejReasons, rejMasked, entries: out.buffer as ArrayBuffer, entryCount };
    }
    return { add, result };
  }

  function processMulti(cells: (string | null)[], rows: ArrayLike<number>, task: MultiTask, reuse?: ArrayBuffer | null): MultiChunkResult {
    const nk = task.keys.length;
    const nRows = nk === 0 ? 0 : Math.floor(cells.length / nk);
    const sink = createMultiSink(task, nRows, reuse);
    for (let r = 0; r < nRows; r++) sink.add(rows[r]!, cells, r * nk);
    return sink.result(nRows, 0);
  }

  function processMultiBytes(b: Buffer, task: MultiTextTask, reuse?: ArrayBuffer | null): MultiChunkResult {
    const n = b.length;
    const delim = task.delimiter.charCodeAt(0);
    const nk = task.columns.length;
    // keyOf[column] = key index, or -1 for a column no key reads.
    let lastCol = 0;
    for (const c of task.columns) lastCol = Math.max(lastCol, c);
    const keyOf = new Int32Array(lastCol + 1).fill(-1);
    task.columns.forEach((c, k) => {
      keyOf[c] = k;
    });
    const cells: (string | null)[] = new Array<string | null>(nk).fill(null);
    const sink = createMultiSink(task, Math.ceil(n / 32) + 64, reuse);
    let records = 0;
    let blank = 0;
    let pos = 0;
    while (pos < n) {
      const row = records++;
      let recEnd = n;
      for (let j = pos; j < n; j++) {
        const c = b[j]!;
        if (c === 10 || c === 13) {
          recEnd = j;
          break;
        }
      }
      if (isBlankBytes(b, pos, recEnd, delim)) {
        blank++;
      } else {
        for (let k = 0; k < nk; k++) cells[k] = null;
        let col = 0;
        let fs = pos;
        for (let i = pos; i <= recEnd && col <= lastCol; i++) {
          if (i === recEnd || b[i] === delim) {
            const k = keyOf[col]!;
            if (k >= 0) cells[k] = b.toString('utf8', fs, i);
            col++;
            fs = i + 1;
          }
        }
        sink.add(row, cells, 0);
      }
      pos = recEnd + (b[recEnd] === 13 && b[recEnd + 1] === 10 ? 2 : 1);
    }
    return sink.result(records, blank);
  }

  return { norm, wasPrehashed: () => prehashed, mask, isEmail, isEmailBytes, emailBytes, scratch, writeDigest, processBytes, processValues, processMulti, processMultiBytes };
}
