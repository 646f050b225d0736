/**
 * The creation settings of a customer-file audience that TikTok takes only on create (issue #14 §1):
 * retention_in_days (1–365: a fixed expiry counted from creation), Custom Audience Enhancement, and the
 * Reach & Frequency sub type. Kept per audience in the settings table (key `audience.createOptions.<id>`) and
 * sent by the first sync's create.
 */
import { AppError } from '../../../shared/errors';
import type { SettingsRepo } from '../store/settings-repo';
import { AUDIENCE_SETTINGS } from '../store/settings-keys';

export interface CreateOptions {
  /** null: TikTok's default expiry (12 months after the last use or change). */
  retentionInDays: number | null;
  audienceEnhancement: boolean;
  subType: 'NORMAL' | 'REACH_FREQUENCY';
}

export const DEFAULT_CREATE_OPTIONS: CreateOptions = { retentionInDays: null, audienceEnhancement: false, subType: 'NORMAL' };

/** The options saved for an audience, or the defaults (nothing extra is sent on create). */
export function readCreateOptions(settings: SettingsRepo, audienceId: number): CreateOptions {
  const v = settings.read(AUDIENCE_SETTINGS.createOptions(audienceId)) as Partial<CreateOptions> | null;
  return { ...DEFAULT_CREATE_OPTIONS, ...(v ?? {}) };
}

/** Saves an audience's options; refuses a retention outside 1–365 days. */
export function writeCreateOptions(settings: SettingsRepo, audienceId: number, o: CreateOptions): CreateOptions {
  if (o.retentionInDays !== null && (!Number.isInteger(o.retentionInDays) || o.retentionInDays < 1 || o.retentionInDays > 365)) {
    throw new AppError('INVALID_ARGUMENT', `Retention must be a whole number of days from 1 to 365 (got ${o.retentionInDays}). Leave it empty for TikTok's default expiry.`);
  }
  settings.write(AUDIENCE_SETTINGS.createOptions(audienceId), { ...o });
  return o;
}

/** The fields of dmp/custom_audience/create/ these options add: only those that differ from TikTok's defaults. */
export function createFields(o: CreateOptions): { retentionInDays?: number; audienceEnhancement?: boolean; audienceSubType?: 'REACH_FREQUENCY' } {
  return {
    ...(o.retentionInDays !== null && { retentionInDays: o.retentionInDays }),
    ...(o.audienceEnhancement && { audienceEnhancement: true }),
    ...(o.subType === 'REACH_FREQUENCY' && { audienceSubType: 'REACH_FREQUENCY' as const }),
  };
}
