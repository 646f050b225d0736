/**
 * What a reject shows of its cell (a kernel part, kernel.ts): never the whole value, and only letters and digits of
 * it, so a kept value can start neither a spreadsheet formula nor a terminal escape. It changes when what the
 * rejects report may show changes.
 *
 * Serialized into the hashing workers' source with the other parts (kernel.ts kernelSource): self-contained, it may
 * reference only its own declarations and JavaScript globals (imports are type-only).
 */
import type { KeyType } from '../../../shared/domain';

export interface Masker {
  /** A display-safe masked form of a raw cell: never the whole value. */
  mask(key: KeyType, raw: string): string;
}

export function createMasker(): Masker {
  // \s covers ASCII whitespace, NBSP, U+FEFF and the Unicode spaces; zero-width ones come from copy-paste (as the key rules strip them).
  const WS_ALL = /[\s\u200b-\u200d\u2060]/g;
  const HEX64 = /^[0-9a-f]{64}$/;
  const NON_DIGITS = /\D/g;

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

  return { mask };
}
