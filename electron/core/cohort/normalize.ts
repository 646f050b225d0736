/**
 * Normalization and hashing of single values (tiktok-api.md §5), for the hash lab, the self-test and
 * callers that need one value at a time. The bulk pipeline runs the same kernel in worker threads.
 */
import crypto from 'node:crypto';
import * as phoneLib from 'libphonenumber-js/max';
import { DEFAULT_PROFILE, REJECT_REASONS, type KeyType, type NormalizationProfile, type RejectReason } from '../../../shared/domain';
import { createKernel, type Kernel, type PhoneLib } from './kernel';
import { sha256WasmModule } from './sha256-wasm';

/** SHA-256 of the UTF-8 bytes of `s` as a latin1 string; `crypto.hash` (Node ≥ 20.12) skips a Hash object. */
export const sha256Latin1: (s: string) => string =
  typeof crypto.hash === 'function'
    ? (s) => crypto.hash('sha256', s, 'binary')
    : (s) => crypto.createHash('sha256').update(s).digest('binary');

/**
 * "Country from column X" (issue #11 item 6): a phone written in national format ("030 1234567") gets its
 * country from that row's country cell ("DE"), as "+4930…", before the usual normalization. A number already
 * written with "+" or "00", or a country cell that is not a known ISO code, is returned unchanged. A number the row's
 * country does not make valid is returned unchanged when there is a `defaultCountry` to try instead; without one it is
 * returned in that country's international form, so it is rejected as an invalid number (not as a number without a
 * country, which its row has).
 */
export function phoneWithCountry(raw: string, country: string | null | undefined, defaultCountry: string | null = null): string {
  const cc = country?.trim().toUpperCase() ?? '';
  if (!/^[A-Z]{2}$/.test(cc) || !phoneLib.isSupportedCountry(cc)) return raw;
  const v = raw.trim();
  if (v === '' || v.startsWith('+') || v.startsWith('00') || /^[0-9a-f]{64}$/i.test(v)) return raw;
  const parsed = phoneLib.parsePhoneNumberFromString(v, { defaultCountry: cc as phoneLib.CountryCode });
  if (parsed && parsed.isValid()) return parsed.number;
  return defaultCountry || !parsed ? raw : parsed.number;
}

/** SHA-256 of bytes as a latin1 string. */
export const sha256BytesLatin1: (b: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (b) => crypto.hash('sha256', b, 'binary')
    : (b) => crypto.createHash('sha256').update(b).digest('binary');

let kernel: Kernel | undefined;

/** The main thread's kernel instance (the workers build their own from the same source). */
export function mainKernel(): Kernel {
  kernel ??= createKernel({ reasons: REJECT_REASONS, sha256Latin1, sha256BytesLatin1, phone: phoneLib as unknown as PhoneLib, sha256Wasm: process.env.COHORT_RELAY_BATCH_HASH === 'off' ? null : sha256WasmModule() });
  return kernel;
}

export type NormalizeResult =
  | { ok: true; normalized: string; prehashed: boolean }
  | { ok: false; reason: RejectReason };

/**
 * Normalizes one raw cell for `key` under `profile`.
 * - email: trim, remove all whitespace, lowercase, syntax check; profile.emailStripPlusAndDots strips
 *   "+tag" and dots from the local part.
 * - phone: libphonenumber-js with profile.defaultCountry (none → PHONE_NO_COUNTRY, never a silent +1);
 *   E.164 digits without "+" unless profile.phoneKeepPlus.
 * - idfa/gaid: trim, lowercase, UUID form (32 hex digits get their hyphens); the all-zero id → MAID_ZERO.
 * - any key: a 64-hex SHA-256 passes through lowercased (`prehashed`), never hashed twice; a 32+ hex
 *   digest of another length for email/phone → INVALID_HASH. An empty cell → EMPTY.
 */
export function normalize(key: KeyType, raw: string, profile: NormalizationProfile = DEFAULT_PROFILE): NormalizeResult {
  const k = mainKernel();
  const r = k.norm(key, raw, profile);
  if (typeof r === 'number') return { ok: false, reason: REJECT_REASONS[r]! };
  return { ok: true, normalized: r, prehashed: k.wasPrehashed() };
}

export type HashResult =
  | { ok: true; normalized: string; prehashed: boolean; hash: string }
  | { ok: false; reason: RejectReason };

/** Normalizes and hashes one raw cell: `hash` is lowercase hex SHA-256 (the value itself when prehashed). */
export function hashValue(key: KeyType, raw: string, profile: NormalizationProfile = DEFAULT_PROFILE): HashResult {
  const n = normalize(key, raw, profile);
  if (!n.ok) return n;
  return { ...n, hash: n.prehashed ? n.normalized : sha256Hex(n.normalized) };
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of `s`. */
export function sha256Hex(s: string): string {
  return crypto.createHash('sha256').update(s, 'utf8').digest('hex');
}

/** A display-safe form of a raw cell ("j***@g***.com", "+37******222", "5f3a********"). */
export function maskValue(key: KeyType, raw: string): string {
  return mainKernel().mask(key, raw);
}

/** TikTok's own published examples (tiktok-api.md §12), each with the profile it assumes. */
export const TEST_VECTORS: readonly { name: string; key: KeyType; input: string; profile: NormalizationProfile; normalized: string; expected: string }[] = [
  { name: 'Email', key: 'email', input: 'janedoe@gmail.com', profile: DEFAULT_PROFILE, normalized: 'janedoe@gmail.com', expected: 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69' },
  { name: 'Phone (digits, no +)', key: 'phone', input: '+374 93 828222', profile: DEFAULT_PROFILE, normalized: '37493828222', expected: '65b7e6dcf6f4310f8d7cbfbd78289a753062fb054d6664fb9aaac5df66a422d4' },
  { name: 'Phone (+ kept)', key: 'phone', input: '+374 93 828222', profile: { ...DEFAULT_PROFILE, phoneKeepPlus: true }, normalized: '+37493828222', expected: '241371e614f8650dfae0f111361c69de1bb4829a72b71bb8044daae8b2e7791d' },
  { name: 'Mobile ad id', key: 'idfa', input: '5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25', profile: DEFAULT_PROFILE, normalized: '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25', expected: '83dc3f5f32b9472613b0f038d36f22585a609d018af6f6067f50da318bf354bd' },
];

export interface SelfTestRow {
  name: string;
  key: KeyType;
  input: string;
  expected: string;
  /** The hash this build computes, or null when it rejects the input. */
  actual: string | null;
  pass: boolean;
}

/** Runs TikTok's example vectors through this build's normalization and hashing (the hash lab shows it). */
export function selfTest(): SelfTestRow[] {
  return TEST_VECTORS.map((v) => {
    const r = hashValue(v.key, v.input, v.profile);
    const actual = r.ok ? r.hash : null;
    return { name: v.name, key: v.key, input: v.input, expected: v.expected, actual, pass: actual === v.expected };
  });
}

export interface HashLabRow {
  raw: string;
  normalized: string | null;
  hash: string | null;
  prehashed: boolean;
  error?: RejectReason;
}

/** raw → normalized → hash for sample cells, as the hash lab shows them. */
export function hashLab(key: KeyType, rawValues: readonly string[], profile: NormalizationProfile = DEFAULT_PROFILE): HashLabRow[] {
  return rawValues.map((raw) => {
    const r = hashValue(key, raw, profile);
    return r.ok ? { raw, normalized: r.normalized, hash: r.hash, prehashed: r.prehashed } : { raw, normalized: null, hash: null, prehashed: false, error: r.reason };
  });
}
