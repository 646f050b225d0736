/**
 * The per-row engine of the cohort pipeline: normalization, syntax checks, masking and hashing of one
 * key cell, and the loops that run them over a block of CSV text or a batch of cells.
 *
 * `createKernel` is serialized with `Function.prototype.toString` into the source of the hashing
 * workers (worker-pool.ts), so the main thread and every worker run the very same code. That is why it
 * must stay self-contained: it may reference only its parameters, its own inner declarations and
 * JavaScript/Node globals (Buffer) — never an import or a module-level binding (imports below are
 * type-only and erased). Bundlers' `__name(...)` helper is shimmed in the worker source.
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

/** A block of whole CSV records without quote characters (the fast path). */
export interface TextTask extends KernelTask {
  column: number;
  delimiter: string;
  newline: string;
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
  /** `hashCount` 32-byte digests, in row order, duplicates included. */
  hashes: ArrayBuffer;
  hashCount: number;
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
  processText(text: string, task: TextTask): ChunkResult;
  /** `values[i] === null` means the record had no such column. */
  processValues(values: (string | null)[], rows: ArrayLike<number>, task: KernelTask): ChunkResult;
}

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

  function mask(key: KeyType, raw: string): string {
    const s = raw.slice(0, 256).replace(WS_ALL, '');
    if (s.length === 0) return '';
    if (s.length === 64 && HEX64.test(s.toLowerCase())) return `${s.slice(0, 4).toLowerCase()}${stars(8)}`;
    if (key === 'email') {
      const at = s.lastIndexOf('@');
      if (at < 0) return `${s.charAt(0)}${stars(3)}`;
      const domain = s.slice(at + 1);
      const dot = domain.lastIndexOf('.');
      const tld = dot > 0 && domain.length - dot <= 12 ? domain.slice(dot) : '';
      return `${at > 0 ? s.charAt(0) : ''}${stars(3)}@${domain.length > 0 ? `${domain.charAt(0)}${stars(3)}` : ''}${tld}`;
    }
    if (key === 'phone') {
      if (s.length <= 6) return `${s.charAt(0)}${stars(3)}`;
      return `${s.slice(0, 3)}${stars(s.length - 6)}${s.slice(-3)}`;
    }
    if (s.length <= 4) return `${s.charAt(0)}${stars(3)}`;
    return `${s.slice(0, 4)}${stars(8)}`;
  }

  function writeDigest(normalized: string, isPrehashed: boolean, out: Buffer, off: number): void {
    if (isPrehashed) out.write(normalized, off, 32, 'hex');
    else out.write(deps.sha256Latin1(normalized), off, 32, 'latin1');
  }

  /** Collects one block's outcome; `cell` is the per-row step (a multi-key version would take a tuple). */
  function createSink(task: KernelTask, capacity: number) {
    const counts: number[] = new Array<number>(deps.reasons.length).fill(0);
    const rejRows: number[] = [];
    const rejReasons: number[] = [];
    const rejMasked: string[] = [];
    let out = Buffer.allocUnsafeSlow(Math.max(1, capacity) * 32);
    let hashCount = 0;
    let valid = 0;
    const key = task.key;
    const profile = task.profile;
    const maxRejects = task.maxRejects;

    function reject(row: number, reason: number, raw: string | null): void {
      counts[reason]!++;
      if (rejRows.length < maxRejects) {
        rejRows.push(row);
        rejReasons.push(reason);
        rejMasked.push(raw === null ? '' : mask(key, raw));
      }
    }

    function cell(row: number, raw: string | null): void {
      if (raw === null) {
        reject(row, MISSING_COLUMN, null);
        return;
      }
      const r = norm(key, raw, profile);
      if (typeof r === 'number') {
        reject(row, r, raw);
        return;
      }
      if ((hashCount + 1) * 32 > out.length) {
        const bigger = Buffer.allocUnsafeSlow(out.length * 2);
        out.copy(bigger, 0, 0, hashCount * 32);
        out = bigger;
      }
      writeDigest(r, prehashed, out, hashCount * 32);
      hashCount++;
      valid++;
    }

    function result(records: number, blank: number): ChunkResult {
      return { records, blank, valid, counts, rejRows, rejReasons, rejMasked, hashes: out.buffer as ArrayBuffer, hashCount };
    }
    return { cell, result };
  }

  /** True when a record (without its newline) holds nothing but delimiters and whitespace. */
  function isBlankRecord(text: string, start: number, end: number, delim: number): boolean {
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c !== delim && !isSpace(c)) return false;
    }
    return true;
  }

  /**
   * Splits quote-free text exactly as papaparse does (records on `newline`, cells on `delimiter`) and
   * feeds the key cell of each record to the sink. Tested against papaparse (fast-path.test.ts).
   */
  function processText(text: string, task: TextTask): ChunkResult {
    const n = text.length;
    const nl = task.newline;
    const nlLen = nl.length;
    const delim = task.delimiter.charCodeAt(0);
    const delimStr = task.delimiter;
    const col = task.column;
    // A row is rarely under 8 bytes; the sink grows if it is.
    const sink = createSink(task, (n >>> 4) + 16);
    let records = 0;
    let blank = 0;
    let pos = 0;
    let nextNl = n === 0 ? -1 : text.indexOf(nl, 0);
    let nextDelim = col > 0 ? text.indexOf(delimStr, 0) : -1;
    while (pos < n) {
      const end = nextNl === -1 ? n : nextNl;
      const row = records++;
      let fs = pos;
      let found = true;
      for (let k = 0; k < col; k++) {
        if (nextDelim !== -1 && nextDelim < fs) nextDelim = text.indexOf(delimStr, fs);
        if (nextDelim === -1 || nextDelim >= end) {
          found = false;
          break;
        }
        fs = nextDelim + 1;
      }
      let fe = end;
      if (found) {
        // The cell ends at the next delimiter of this record: scan it (cells are short, records may not be).
        for (let i = fs; i < end; i++) {
          if (text.charCodeAt(i) === delim) {
            fe = i;
            break;
          }
        }
      }
      if (!found || fe === fs || isSpaceOnly(text, fs, fe)) {
        if (isBlankRecord(text, pos, end, delim)) blank++;
        else sink.cell(row, found ? text.slice(fs, fe) : null);
      } else {
        sink.cell(row, text.slice(fs, fe));
      }
      if (nextNl === -1) break;
      pos = nextNl + nlLen;
      nextNl = text.indexOf(nl, pos);
    }
    return sink.result(records, blank);
  }

  function isSpaceOnly(text: string, start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (!isSpace(text.charCodeAt(i))) return false;
    return true;
  }

  function processValues(values: (string | null)[], rows: ArrayLike<number>, task: KernelTask): ChunkResult {
    const sink = createSink(task, values.length);
    for (let i = 0; i < values.length; i++) sink.cell(rows[i]!, values[i]!);
    return sink.result(values.length, 0);
  }

  return { norm, wasPrehashed: () => prehashed, mask, isEmail, writeDigest, processText, processValues };
}
