/**
 * Domain types shared by the engine and the renderer. Pure TS: no Node, no DOM.
 */

/** The identifier a cohort column is matched on. */
export const KEY_TYPES = ['email', 'phone', 'idfa', 'gaid'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/**
 * The key slots of a multi-key (MULTIPLE_TYPES) audience, in TikTok's column order: one per kind of identifier.
 * IDFA and GAID share the mobile-ad-id slot ("maid", TikTok's MAID_SHA256): TikTok keeps one MAID per person, so an
 * audience maps at most one of them. The one place the key → slot rule is written (engine, CLI and screens).
 */
export const KEY_SLOTS = ['email', 'phone', 'maid'] as const;
export type KeySlot = (typeof KEY_SLOTS)[number];

/** The slot a key fills: email → email, phone → phone, idfa | gaid → maid. */
export function slotOfKey(key: KeyType): KeySlot {
  return key === 'idfa' || key === 'gaid' ? 'maid' : key;
}

/** TikTok's calculate_type for a single-key customer-file audience (tiktok-api.md §3.1). */
export const CALCULATE_TYPE_BY_KEY = {
  email: 'EMAIL_SHA256',
  phone: 'PHONE_SHA256',
  idfa: 'IDFA_SHA256',
  gaid: 'GAID_SHA256',
} as const satisfies Record<KeyType, string>;

export type SingleCalculateType = (typeof CALCULATE_TYPE_BY_KEY)[KeyType];
export type CalculateType = SingleCalculateType | 'MULTIPLE_TYPES';

/** Human label for each key, as the UI and CLI show it. */
export const KEY_LABELS: Record<KeyType, string> = {
  email: 'Email',
  phone: 'Phone',
  idfa: 'IDFA (Apple)',
  gaid: 'GAID (Google)',
};

/**
 * A named normalization profile. TikTok's own pages disagree (tiktok-api.md §5), so the choice is the
 * user's and is stored with each audience; changing it changes every hash.
 */
export interface NormalizationProfile {
  /** Strip "+tag" and dots from the local part of every email (TikTok's customer-file guidance). */
  emailStripPlusAndDots: boolean;
  /** Hash phones as "+<digits>" instead of "<digits>" (TikTok's own example hashes digits only). */
  phoneKeepPlus: boolean;
  /** ISO 3166-1 alpha-2 country for phones written without a country code; null = reject them. */
  defaultCountry: string | null;
}

export const DEFAULT_PROFILE: NormalizationProfile = {
  emailStripPlusAndDots: false,
  phoneKeepPlus: false,
  defaultCountry: null,
};

/**
 * Whether phones keep the leading '+' by default for an audience kept through this API: TikTok's streaming
 * (segment) API takes E.164 with '+' (its docs and id_schema: "+1231234567"); its newest customer-file guidance
 * and example hash use the digits only (tiktok-api.md §5.2).
 */
export function defaultPhoneKeepPlus(api: 'file' | 'segment'): boolean {
  return api === 'segment';
}

/** Why a row was rejected. Closed set: every reason has words in REJECT_REASON_TEXT below. */
export const REJECT_REASONS = [
  'EMPTY',
  'INVALID_EMAIL',
  'INVALID_PHONE',
  'PHONE_NO_COUNTRY',
  'INVALID_MAID',
  'MAID_ZERO',
  'INVALID_HASH',
  'MISSING_COLUMN',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Plain words for each reject reason (validation report, rejects CSV): a short label, and what to do. */
export const REJECT_REASON_TEXT: Record<RejectReason, { label: string; explanation: string }> = {
  EMPTY: { label: 'Empty cell', explanation: 'The key cell is empty. Fill it in, or leave the row out of the export.' },
  INVALID_EMAIL: { label: 'Not an email address', explanation: 'This is not a valid email address: it needs one "@" and a domain such as example.com. Correct it at the source.' },
  INVALID_PHONE: { label: 'Not a phone number', explanation: 'This is not a valid phone number for its country. Check the digits and the country code.' },
  PHONE_NO_COUNTRY: { label: 'Phone without country code', explanation: 'The number has no country code and no default country is set. Write it as +<country code><number>, or set a default country.' },
  INVALID_MAID: { label: 'Not a mobile ad id', explanation: 'An IDFA or GAID has 32 hexadecimal digits, usually written 8-4-4-4-12 (5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25). Check the column.' },
  MAID_ZERO: { label: 'Ad tracking disabled', explanation: 'The all-zero ad id means the person limited ad tracking: it matches no one, so it is left out. Nothing to fix.' },
  INVALID_HASH: { label: 'Not a SHA-256 hash', explanation: 'This looks like a hash of another kind (for example MD5): TikTok matches only SHA-256 (64 hexadecimal characters). Export the raw value or its SHA-256.' },
  MISSING_COLUMN: { label: 'Row too short', explanation: 'This row has fewer cells than the key column needs. Check the row for a missing delimiter.' },
};

/** The minimum audience size TikTok accepts after any APPEND / REMOVE / REPLACE (tiktok-api.md §3.3). */
export const AUDIENCE_FLOOR = 1000;

/** Default audience-modifying calls per audience per UTC day (tiktok-api.md §11). */
export const DEFAULT_DAILY_CALL_BUDGET = 24;

/**
 * A sync that would remove more than this share (%) of an audience's people is held until the user confirms
 * it (the safety net against a broken export emptying a live audience). Per audience; null switches it off.
 */
export const DEFAULT_REMOVAL_LIMIT_PCT = 20;
