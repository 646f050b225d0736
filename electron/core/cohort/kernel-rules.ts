/**
 * The rules for one key cell (a kernel part, kernel.ts): TikTok's normalization of emails, phones and ad ids, the
 * syntax checks that reject a value, and its SHA-256. It changes when those rules change.
 *
 * Serialized into the hashing workers' source with the other parts (kernel.ts kernelSource): self-contained, it may
 * reference only its parameters, its own declarations and JavaScript/Node globals (imports are type-only).
 */
import type { KeyType, NormalizationProfile } from '../../../shared/domain';
import type { KernelDeps, NormOutcome, PrehashFlag } from './kernel';

/** The reject reasons' indexes in `deps.reasons` (a reject travels between threads as its index). */
export interface RejectCodes {
  EMPTY: number;
  INVALID_EMAIL: number;
  INVALID_PHONE: number;
  PHONE_NO_COUNTRY: number;
  INVALID_MAID: number;
  MAID_ZERO: number;
  INVALID_HASH: number;
  MISSING_COLUMN: number;
}

export interface KeyRules {
  codes: RejectCodes;
  /** Normalizes one raw cell: the value to hash, or a reject reason's index. Sets `flag.prehashed`. */
  norm(key: KeyType, raw: string, profile: NormalizationProfile): NormOutcome;
  isEmail(s: string): boolean;
  /** Writes the 32-byte digest of a normalized value (or the bytes of a passed-through hash) at `off`. */
  writeDigest(normalized: string, prehashed: boolean, out: Buffer, off: number): void;
  /** Copies a 32-character latin1 digest (deps.sha256Latin1's form) into `out` at `off`. */
  putLatin1(digest: string, out: Uint8Array, off: number): void;
}

/** The key rules over the kernel's dependencies; `flag.prehashed` says whether the last value normalized was a SHA-256 already. */
export function createKeyRules(deps: KernelDeps, flag: PrehashFlag): KeyRules {
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
      flag.prehashed = true;
      return s;
    }
    flag.prehashed = false;
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
      flag.prehashed = true;
      return compact;
    }
    flag.prehashed = false;
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
      flag.prehashed = true;
      return s;
    }
    flag.prehashed = false;
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

  function writeDigest(normalized: string, isPrehashed: boolean, out: Buffer, off: number): void {
    if (isPrehashed) out.write(normalized, off, 32, 'hex');
    else putLatin1(deps.sha256Latin1(normalized), out, off);
  }

  /** Copies a 32-char latin1 digest into `out` (a JIT-compiled loop beats a call into Buffer.write here). */
  function putLatin1(digest: string, out: Uint8Array, off: number): void {
    for (let i = 0; i < 32; i++) out[off + i] = digest.charCodeAt(i);
  }

  return {
    codes: { EMPTY, INVALID_EMAIL, INVALID_PHONE, PHONE_NO_COUNTRY, INVALID_MAID, MAID_ZERO, INVALID_HASH, MISSING_COLUMN },
    norm,
    isEmail,
    writeDigest,
    putLatin1,
  };
}
