import type { CalculateType } from '../../../shared/domain';
import type { ErrorCode } from '../../../shared/errors';
import type { RateLimitScope } from '../tiktok/errors';

/** An audience as TikTok reports it (tiktok-api.md §3.4–3.5). */
export interface RemoteAudience {
  audienceId: string;
  name: string;
  calculateType: string | null;
  coverNum: number;
  isValid: boolean;
  isExpiring: boolean;
  expiredTime: string | null;
  createTime: string | null;
  errorMsg: string | null;
  isCreator: boolean | null;
  /** "Customer File Audience", "Partner", … when TikTok says. */
  audienceType?: string | null;
  /** TikTok's time of the audience's last change (newest history entry), when known. */
  modifiedTime?: string | null;
  /**
   * How many entries of TikTok's history, as returned, change who is in the audience (its create, APPEND, REMOVE,
   * REPLACE; not a rename or share), when known. Counted, never dated: TikTok's opt_time has no time zone.
   */
  membershipChanges?: number | null;
  /** The history came back as long as asked for: older entries may be left out, so the count cannot be trusted. */
  historyTruncated?: boolean;
}

/** What a failed remote call means for the sync engine. */
export interface RemoteFailure {
  code: ErrorCode;
  /** Plain words with the fix. */
  message: string;
  tiktokCode: number | null;
  requestId: string | null;
  /**
   * not-sent: TikTok certainly never received it (safe to resend, costs no quota).
   * maybe-applied: sent, no answer (dropped connection, timeout, 5xx): it may have been applied.
   * rejected: TikTok answered with an error code: not applied.
   */
  delivery: 'not-sent' | 'maybe-applied' | 'rejected';
  /** What to do: retry soon, wait (rate limit), re-auth, give up, processing (retry much later), reupload (file_path expired or bad signature). */
  action: 'retry' | 'wait' | 'reauth' | 'give-up' | 'processing' | 'reupload' | 'split';
  /** The wait before retry number `attempt + 1` at `now` (epoch ms, the engine's clock): the client's single retry-timing rule. */
  delayFor(attempt: number, now: number): number;
  /** For 'wait': which limit refused it (a day-long one waits for TikTok's next UTC day). */
  rateLimitScope?: RateLimitScope | null;
  /**
   * For 'rejected': whether TikTok counts the refusal against the audience's daily calls (errors.ts,
   * refusalCountsAgainstAudience). Absent: it counts.
   */
  countsAgainstAudience?: boolean;
}

export function isRemoteFailure(e: unknown): e is RemoteFailure & Error {
  return typeof e === 'object' && e !== null && 'delivery' in e && 'action' in e && 'code' in e;
}

/**
 * The customer-file API as the sync engine needs it, for one advertiser and one connection. The
 * implementation adapts TikTokClient; failures are thrown as Errors that satisfy RemoteFailure.
 * Calls here are never retried underneath: the engine decides, because a resend costs quota.
 */
export interface AudienceApi {
  uploadFile(file: { path: string; md5: string; calculateType: CalculateType }): Promise<{ filePath: string; requestId: string | null }>;
  create(a: { name: string; calculateType: CalculateType; filePaths: string[] }): Promise<{ audienceId: string; requestId: string | null }>;
  update(a: { audienceId: string; action: 'APPEND' | 'REMOVE' | 'REPLACE'; filePaths: string[] }): Promise<{ requestId: string | null }>;
  /**
   * Audiences at TikTok with exactly this name (used to find a create whose answer was lost); with `anyCase`, also those
   * whose name differs only in case (the namesake check before a create: see sameAudienceName).
   */
  findByName(name: string, opts?: { anyCase?: boolean }): Promise<RemoteAudience[]>;
  get(audienceId: string): Promise<RemoteAudience | null>;
}

/** TikTok's id_schema names for the segment API (AAID, not GAID: tiktok-api.md §4.2). */
export type PartnerIdSchema = 'EMAIL_SHA256' | 'PHONE_SHA256' | 'IDFA_SHA256' | 'AAID_SHA256';

/**
 * The segment ("streaming") API for partner audiences, for one advertiser. Same failure contract as
 * AudienceApi; never retried underneath.
 */
export interface PartnerApi {
  create(name: string): Promise<{ audienceId: string; requestId: string | null }>;
  /** One batch: each row is one person, element i for idSchema[i] (null = missing, sent as `{}`). */
  mapping(a: { audienceId: string; action: 'add' | 'delete'; idSchema: PartnerIdSchema[]; rows: (string | null)[][] }): Promise<{ requestId: string | null }>;
  findByName(name: string, opts?: { anyCase?: boolean }): Promise<RemoteAudience[]>;
  get(audienceId: string): Promise<RemoteAudience | null>;
}

/**
 * Two audience names that count as the same for the same-name warning and refusal: equal but for case ("Buyers",
 * "buyers"). tiktok-api.md does not say whether TikTok tells them apart; a user would not want both, so they are one.
 */
export function sameAudienceName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
