/**
 * Types of the TikTok Marketing API v1.3 calls this app makes (tiktok-api.md §2–§4), in camelCase.
 * The client maps TikTok's snake_case JSON to these; nothing here carries a token.
 */
import type { ErrorCode } from '../../../shared/errors';
import type { ErrorCategory } from './errors';

/** calculate_type values of /dmp/custom_audience/file/upload/ (§3.1). MAID_* are upload-only aliases. */
export const DMP_CALCULATE_TYPES = [
  'EMAIL_SHA256',
  'PHONE_SHA256',
  'IDFA_SHA256',
  'IDFA_MD5',
  'GAID_SHA256',
  'GAID_MD5',
  'FIRST_SHA256',
  'FIRST_MD5',
  'MAID_SHA256',
  'MAID_MD5',
  'MULTIPLE_TYPES',
] as const;
export type DmpCalculateType = (typeof DMP_CALCULATE_TYPES)[number];

/** calculate_type values /dmp/custom_audience/create/ accepts (§3.2: no MAID_* aliases). */
export const CREATE_CALCULATE_TYPES = DMP_CALCULATE_TYPES.filter((t) => !t.startsWith('MAID_')) as Exclude<DmpCalculateType, 'MAID_SHA256' | 'MAID_MD5'>[];
export type CreateCalculateType = Exclude<DmpCalculateType, 'MAID_SHA256' | 'MAID_MD5'>;

/** Data actions of /dmp/custom_audience/update/. TikTok's default when omitted is REPLACE; we always send one. */
export type UpdateAction = 'APPEND' | 'REMOVE' | 'REPLACE';

/** id_schema values of /segment/mapping/ (§4.2). AAID, not GAID. */
export const SEGMENT_ID_SCHEMAS = ['EMAIL_SHA256', 'PHONE_SHA256', 'IDFA_SHA256', 'IDFA_MD5', 'AAID_SHA256', 'AAID_MD5'] as const;
export type SegmentIdSchema = (typeof SEGMENT_ID_SCHEMAS)[number];

/** Every successful call result carries TikTok's request id (for the sync log and support tickets). */
export interface WithRequestId {
  requestId: string | null;
}

/** A call that spans several requests (pagination, chunks of 100 ids) keeps every request id. */
export interface WithRequestIds {
  requestIds: (string | null)[];
}

export interface OAuthTokenResult extends WithRequestId {
  accessToken: string;
  advertiserIds: string[];
  /** Numeric permission scopes granted (3 audience management, 30 read, 31 create/update, 32 share). */
  scope: number[];
}

export interface AuthorizedAdvertiser {
  advertiserId: string;
  advertiserName: string;
}

export interface AdvertiserInfo {
  advertiserId: string;
  name: string;
  status: string | null;
  currency: string | null;
  timezone: string | null;
  company: string | null;
}

/** /user/info/ fields are UNCONFIRMED (§2.6); the known ones, all optional. */
export interface UserInfo {
  coreUserId: string | null;
  displayName: string | null;
  email: string | null;
}

export interface RevokeResult extends WithRequestId {
  appId: string | null;
  advertiserIds: string[];
}

/** An audience as list and get return it (§3.4, §3.5). */
export interface Audience {
  audienceId: string;
  name: string;
  /** "Customer File Audience", "Partner", ... (list: audience_type; get: type). */
  audienceType: string | null;
  audienceSubType: string | null;
  calculateType: string | null;
  /** Matched users on TikTok. */
  coverNum: number;
  /** False while calculating, when too small, or once expired. */
  isValid: boolean;
  /** True within 60 days of expiry. */
  isExpiring: boolean;
  isCreator: boolean | null;
  shared: boolean | null;
  /** "YYYY-MM-DD HH:MM:SS" GMT. */
  createTime: string | null;
  expiredTime: string | null;
  msg: string | null;
  errorMsg: string | null;
}

export interface AudienceHistoryEntry {
  optTime: string | null;
  action: string | null;
  actionDetail: string | null;
  editor: string | null;
  msg: string | null;
}

export interface AudienceDetails extends Audience {
  history: AudienceHistoryEntry[];
  /** Custom Audience Enhancement as created (get only); null when TikTok leaves it out. */
  audienceEnhancement?: boolean | null;
  /** TikTok's word on the enhancement's progress (get only; values undocumented). */
  enhancementStatus?: string | null;
}

/** One element of a /segment/mapping/ row: the hashed id and the audiences it joins or leaves. */
export interface SegmentMappingItem {
  id: string;
  audienceIds: string[];
}

/**
 * One person/device of /segment/mapping/: element i is for idSchema[i]; null where that id is missing
 * (sent as the `{}` placeholder).
 */
export type SegmentMappingRow = (SegmentMappingItem | null)[];

/** What the client reports for every HTTP request it makes (for the sync log). Never a token or a hash. */
export interface CallEvent {
  /** API path below /open_api/v1.3/, e.g. "dmp/custom_audience/update/". */
  endpoint: string;
  method: 'GET' | 'POST';
  requestId: string | null;
  /** TikTok's code (0 on success); null when no envelope arrived. */
  code: number | null;
  httpStatus: number | null;
  durationMs: number;
  /** ISO time the request started. */
  startedAt: string;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  error?: {
    appCode: ErrorCode;
    category: ErrorCategory;
    message: string;
    maybeApplied: boolean;
  };
}

// ---- putting audiences to work (issue #14 §1): ad groups, apply, lookalike, share ----

/** audience_sub_type of create (create yml, strict enum). REACH_FREQUENCY audiences serve Reach & Frequency ads. */
export const AUDIENCE_SUB_TYPES = ['NORMAL', 'REACH_FREQUENCY'] as const;
export type AudienceSubType = (typeof AUDIENCE_SUB_TYPES)[number];

/** A campaign as campaign/get returns it (the fields this app asks for). */
export interface Campaign {
  campaignId: string;
  name: string;
  /** operation_status: ENABLE / DISABLE. */
  status: string | null;
}

/** An ad group as adgroup/get returns it, with the custom audiences it targets and excludes. */
export interface AdGroup {
  adgroupId: string;
  name: string;
  campaignId: string;
  status: string | null;
  audienceIds: string[];
  excludedAudienceIds: string[];
}

/** usage_mode of dmp/custom_audience/apply/: target the audience, or keep it out (a suppression list). */
export type ApplyUsageMode = 'Include' | 'Exclude';
/** action_mode of dmp/custom_audience/apply/. */
export type ApplyActionMode = 'Apply' | 'Disconnect';

/** One line of dmp/custom_audience/apply/log/: an ad group an audience was applied to (Apply only, not Disconnect). */
export interface ApplyLogEntry {
  audienceId: string;
  adgroupId: string;
  adgroupName: string | null;
  usageMode: ApplyUsageMode | null;
  actionTimestamp: string | null;
  editor: string | null;
}

/** lookalike_spec.audience_size (DmpLookalikeAudienceSizeType). */
export const LOOKALIKE_SIZES = ['NARROW', 'BALANCED', 'BROAD'] as const;
export type LookalikeSize = (typeof LOOKALIKE_SIZES)[number];
/** lookalike_spec.mobile_os (DmpLookalikePlatform). */
export const LOOKALIKE_OS = ['ALL', 'ANDROID', 'IOS'] as const;
export type LookalikeOs = (typeof LOOKALIKE_OS)[number];
/** lookalike_spec.placements: the apps ads run in (lookalike create yml: TikTok, Pangle). */
export const LOOKALIKE_PLACEMENTS = ['TIKTOK', 'PANGLE'] as const;
export type LookalikePlacement = (typeof LOOKALIKE_PLACEMENTS)[number];

/** lookalike_spec of dmp/custom_audience/lookalike/create/ (every field required). */
export interface LookalikeSpec {
  sourceAudienceId: string;
  includeSource: boolean;
  mobileOs: LookalikeOs;
  placements: LookalikePlacement[];
  locationIds: string[];
  audienceSize: LookalikeSize;
}

/** One line of dmp/custom_audience/share/log/. */
export interface ShareLogEntry {
  audienceId: string;
  sharedAdvertiserId: string;
  sharedAdvertiserName: string | null;
  status: string | null;
}

/** One audience of audience/insight/overlap/ (matched users only). */
export interface OverlapAudience {
  audienceId: string;
  name: string | null;
  /** Matched users. */
  size: number | null;
  /** Users active in the last 30 days and targetable, as a range ("1000-1100"). */
  targetableRange: string | null;
  /** Comparison audiences: the share of the benchmark's matched users this audience also holds, as TikTok gives it. */
  overlapRate: number | null;
  overlapRateRange: string | null;
  overlapCountRange: string | null;
}
