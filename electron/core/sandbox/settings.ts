/** The offline sandbox's settings: how its TikTok answers (processing, match rate, caps, limits, sign-in). */
import { DEFAULT_REDIRECT_URI } from '../../../shared/oauth-redirect';

/** Settings that can change while the simulator runs (see SimulatorHandle.configure). */
export interface SimSettings {
  /** How long an audience stays "processing" after create/update (default 100 ms). */
  processingDelayMs: number;
  /** cover_num = floor(size × matchRate); 'exact' = size (default 0.8). */
  matchRate: number | 'exact';
  /** Audience-modifying calls per audience per UTC day (create + update with file_paths); null = no cap (default 24). */
  dailyAudienceCallCap: number | null;
  /**
   * Count refused calls about the audience itself (40002 processing or not editable, an unfinished REPLACE, the floor)
   * against the daily cap too. TikTok does not document whether it counts them; default true, the rule the app's
   * ledger follows (errors.ts, refusalCountsAgainstAudience), so the two counters agree. Refusals of the request's
   * files and the cap's own 40100 never count.
   */
  capCountsRefusedCalls: boolean;
  /** How long an uploaded file_path stays usable (default 24 h); older ones give 40910. */
  fileTtlMs: number;
  /** Largest accepted file (default 50 MB); larger gives 40907. */
  maxFileBytes: number;
  /** App-level limit; false = off (default 10 QPS / 600 QPM). */
  rateLimit: { qps: number; qpm: number } | false;
  /** false = /segment/* answer 40118 (not allowlisted) (default true). */
  segmentAllowlisted: boolean;
  /** Max rows of /segment/mapping/ batch_data (default 1000); more gives 40061. */
  segmentMaxBatchSize: number;
  /** Auth codes live this long (default 1 h). */
  authCodeTtlMs: number;
  /** What the consent page does (default 'approve'). */
  consent: 'approve' | 'deny';
  /** Which query key carries the code on the redirect (default 'auth_code'; §2.2 says accept both). */
  authCodeParam: 'auth_code' | 'code' | 'both';
  /**
   * The redirect URLs registered on the sandbox's developer app (default: Cohort Relay's default redirect
   * URL). Like TikTok, the consent page redirects only to one of these, compared exactly; any other
   * redirect_uri gets an error page and no redirect.
   */
  redirectUris: string[];
  /**
   * Whether consent grants "Read Ad Account Information" (scope 100; default true). Without it, tokens issued
   * by the consent page are refused by oauth2/advertiser/get and advertiser/info (40001), while the token
   * response still carries advertiser_ids and scope.
   */
  adAccountPermission: boolean;
  /** Whether consent grants Audience Management (scopes 3, 30, 31, 32; default true). */
  audiencePermission: boolean;
  /** Which key create answers with (default 'custom_audience_id'; §3.2 CONFLICT). */
  createIdKey: 'custom_audience_id' | 'audience_id' | 'both';
  /**
   * A customer-file audience whose matched size (cover_num) is under 1,000 once processed is unavailable and
   * refuses every APPEND / REMOVE / REPLACE for good with 40002 "Audience is not editable, please check audience
   * status", the same words as while processing (default true, as TikTok).
   */
  unavailableBelowFloor: boolean;
  /**
   * A new partner audience is not ready for /segment/mapping/ for this long: mapping answers 40002 "Parameter
   * error: invalid audience ID" (TikTok: about 1–2 minutes; default 0).
   */
  partnerReadyDelayMs: number;
  /** The HTTP status of that not-ready answer: Segment saw 400, its tests also 200 (default 400). */
  partnerNotReadyHttpStatus: number;
  /**
   * How long a REPLACE stays unfinished: another REPLACE of the audience meanwhile is refused with TikTok's
   * "existing unfinished replace operation" words (code 40002). null = while the audience processes it (default).
   */
  replaceUnfinishedMs: number | null;
  /**
   * The offset from UTC, in minutes, of the times TikTok writes ("YYYY-MM-DD HH:MM:SS", no zone): history opt_time,
   * create_time, expired_time. Which zone TikTok uses is not documented (the advertiser's, or UTC+8 = 480); default 0.
   */
  timeZoneOffsetMinutes: number;
}

export const DEFAULT_SIM_SETTINGS: SimSettings = {
  processingDelayMs: 100,
  matchRate: 0.8,
  dailyAudienceCallCap: 24,
  capCountsRefusedCalls: true,
  fileTtlMs: 24 * 3600_000,
  maxFileBytes: 50 * 1024 * 1024,
  rateLimit: { qps: 10, qpm: 600 },
  segmentAllowlisted: true,
  segmentMaxBatchSize: 1000,
  authCodeTtlMs: 3600_000,
  consent: 'approve',
  authCodeParam: 'auth_code',
  redirectUris: [DEFAULT_REDIRECT_URI],
  adAccountPermission: true,
  audiencePermission: true,
  createIdKey: 'custom_audience_id',
  unavailableBelowFloor: true,
  partnerReadyDelayMs: 0,
  partnerNotReadyHttpStatus: 400,
  replaceUnfinishedMs: null,
  timeZoneOffsetMinutes: 0,
};
