import path from 'node:path';
import { countText } from '../../shared/count-text';
import { DEFAULT_PROFILE, KEY_TYPES, defaultPhoneKeepPlus, type KeyType } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { PlanCohortRequest } from '../core/engine/ops';
import { flag, str, type CliCommand, type CliContext } from './command';

/** The options that describe a cohort file and how to read it (plan and sync share them). */
export const COHORT_OPTIONS = {
  csv: { type: 'string' },
  key: { type: 'string' },
  keys: { type: 'string' },
  column: { type: 'string' },
  country: { type: 'string' },
  'country-column': { type: 'string' },
  suppress: { type: 'string' },
  rejects: { type: 'string' },
  'strip-email-tags': { type: 'boolean' },
  'phone-plus': { type: 'boolean' },
  'phone-digits': { type: 'boolean' },
  advertiser: { type: 'string' },
  audience: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies CliCommand['options'];

export const COHORT_USAGE = '--csv FILE (--key email|phone|idfa|gaid [--column NAME|INDEX] | --keys email=COL,phone=COL,idfa=COL) [--country CC] [--country-column COL] [--suppress FILE] [--rejects OUT.csv] [--strip-email-tags] [--phone-plus | --phone-digits] [--json]';

/**
 * The cohort options as read: the file part is the engine's plan request (`csv` and `suppress` absolute: the audience
 * stores them, and a daemon started in another folder must read the same files), plus what only the CLI does with it.
 */
export interface CohortArgs extends Pick<PlanCohortRequest, 'csv' | 'key' | 'column' | 'keys' | 'profile' | 'suppress' | 'countryColumn'> {
  rejects: string | null;
  json: boolean;
}

/**
 * Reads and checks the cohort options; a missing or bad one is an INVALID_ARGUMENT naming the fix.
 * File paths are resolved against the current folder here, once: never stored as typed.
 * `api`: the API the audience is kept through; it sets whether phones keep their '+' unless --phone-plus or
 * --phone-digits says (partner audiences: '+', as TikTok's streaming API wants).
 */
export function parseCohortArgs(ctx: CliContext, api: 'file' | 'segment' = 'file'): CohortArgs {
  if (flag(ctx, 'phone-plus') && flag(ctx, 'phone-digits')) throw new AppError('INVALID_ARGUMENT', 'Give --phone-plus or --phone-digits, not both.');
  const csv = str(ctx, 'csv');
  if (!csv) throw new AppError('INVALID_ARGUMENT', 'Missing --csv FILE: the cohort CSV to read.');
  const keys = parseKeys(str(ctx, 'keys'));
  const key = keys ? keys[0]!.key : str(ctx, 'key')?.toLowerCase();
  if (!key || !(KEY_TYPES as readonly string[]).includes(key)) {
    throw new AppError('INVALID_ARGUMENT', `${key ? `Unknown --key "${key}"` : 'Missing --key'}: use one of ${KEY_TYPES.join(', ')}.`);
  }
  const col = str(ctx, 'column');
  const country = str(ctx, 'country')?.toUpperCase() ?? null;
  if (country !== null && !/^[A-Z]{2}$/.test(country)) throw new AppError('INVALID_ARGUMENT', `--country "${country}" is not a two-letter country code (ISO 3166), e.g. US, GB, DE.`);
  // "Country from column X": a phone written in national format is read with its row's country code (030 1234567 + DE).
  const countryColumnText = str(ctx, 'country-column');
  const phoneMapped = keys ? keys.some((k) => k.key === 'phone') : key === 'phone';
  if (countryColumnText !== undefined && !phoneMapped) throw new AppError('INVALID_ARGUMENT', '--country-column applies to phone numbers: map a phone column (--key phone, or phone=COL in --keys), or leave it out.');
  const suppress = str(ctx, 'suppress');
  const rejects = str(ctx, 'rejects');
  return {
    csv: path.resolve(csv),
    key: key as KeyType,
    column: keys ? keys[0]!.column : col === undefined ? null : columnRef(col),
    keys: keys && keys.length > 1 ? keys : null,
    profile: { ...DEFAULT_PROFILE, emailStripPlusAndDots: flag(ctx, 'strip-email-tags'), phoneKeepPlus: flag(ctx, 'phone-plus') || (!flag(ctx, 'phone-digits') && defaultPhoneKeepPlus(api)), defaultCountry: country },
    suppress: suppress ? path.resolve(suppress) : null,
    countryColumn: countryColumnText === undefined ? null : columnRef(countryColumnText),
    rejects: rejects ? path.resolve(rejects) : null,
    json: flag(ctx, 'json'),
  };
}

const columnRef = (c: string): string | number => (/^\d+$/.test(c) ? Number(c) : c);

/** "email=Email,phone=Phone number,idfa=3" → mappings; null when absent. */
function parseKeys(text: string | undefined): { key: KeyType; column: string | number }[] | null {
  if (text === undefined) return null;
  const out = text.split(',').map((part) => {
    const i = part.indexOf('=');
    const key = (i > 0 ? part.slice(0, i) : part).trim().toLowerCase();
    const column = i > 0 ? part.slice(i + 1).trim() : '';
    if (!(KEY_TYPES as readonly string[]).includes(key) || !column) {
      throw new AppError('INVALID_ARGUMENT', `--keys "${part}" is not KEY=COLUMN: use e.g. --keys email=Email,phone=Phone,idfa=IDFA (keys: ${KEY_TYPES.join(', ')}).`);
    }
    return { key: key as KeyType, column: columnRef(column) };
  });
  // Up to 3 columns of each key (a person with two emails: email=Email 1,email=Email 2), as TikTok takes a key up to 3 times.
  for (const key of new Set(out.map((k) => k.key))) {
    if (out.filter((k) => k.key === key).length > 3) throw new AppError('INVALID_ARGUMENT', `--keys maps at most 3 columns to one key (${key}): TikTok takes up to 3 values of a kind per person.`);
  }
  return out;
}

/** A count as the product writes it ("1,234,567"). */
export const fmt = countText;
