/**
 * Views of "put the audience to work" (issue #14 §1): ad groups that include or exclude an audience, lookalikes,
 * shares with other ad accounts, deletion at TikTok, and the options TikTok takes only on create. Plain data that
 * crosses IPC; the engine fills them (electron/core/engine/audience-use.ts).
 */
import type { IsoTime } from './dto';

/** How an ad group uses an audience: target it, or keep its people out (a suppression list). */
export type UsageMode = 'Include' | 'Exclude';
export const USAGE_MODES = ['Include', 'Exclude'] as const;
/** What `use:apply` does: attach as Include / Exclude, or detach. */
export const APPLY_MODES = ['Include', 'Exclude', 'Disconnect'] as const;
export type ApplyMode = (typeof APPLY_MODES)[number];

export const LOOKALIKE_SIZES = ['NARROW', 'BALANCED', 'BROAD'] as const;
export type LookalikeSize = (typeof LOOKALIKE_SIZES)[number];
export const LOOKALIKE_OS = ['ALL', 'ANDROID', 'IOS'] as const;
export type LookalikeOs = (typeof LOOKALIKE_OS)[number];
export const AUDIENCE_SUB_TYPES = ['NORMAL', 'REACH_FREQUENCY'] as const;
export type AudienceSubType = (typeof AUDIENCE_SUB_TYPES)[number];

/** A lookalike's seed must have at least this many matched people (TikTok's lookalike create spec). */
export const LOOKALIKE_MIN_SEED = 100;
/** TikTok takes 10 audiences × 10 ad accounts per share request; more go as several requests. */
export const SHARE_BATCH = 10;
/** TikTok deletes at most 100 audiences per request. */
export const DELETE_BATCH = 100;

export interface AdGroupUseView {
  adgroupId: string;
  name: string;
  status: string | null;
  /** How this ad group uses the audience now; null: not at all. */
  usage: UsageMode | null;
}

export interface CampaignUseView {
  campaignId: string;
  name: string;
  status: string | null;
  adGroups: AdGroupUseView[];
}

/** The advertiser's campaigns and ad groups, seen from one audience. */
export interface AdGroupsView {
  audienceId: number;
  tiktokAudienceId: string;
  advertiserId: string;
  campaigns: CampaignUseView[];
}

/** One ad group an audience is applied to (TikTok's apply log: Applies only, newest first). */
export interface AudienceUsageEntry {
  adgroupId: string;
  adgroupName: string | null;
  usage: UsageMode | null;
  /** As TikTok writes it ("YYYY-MM-DD HH:MM:SS"). */
  appliedAt: string | null;
}

export interface ApplyResultView {
  audienceId: number;
  mode: ApplyMode;
  adgroupIds: string[];
  requestIds: (string | null)[];
}

export interface LookalikeView {
  tiktokAudienceId: string;
  name: string;
  audienceSize: LookalikeSize;
  mobileOs: LookalikeOs;
  locationIds: string[];
  includeSource: boolean;
  createdAt: IsoTime;
  refreshedAt: IsoTime | null;
  /** Matched reach at TikTok; null when TikTok was not asked or no longer has it. */
  coverNum: number | null;
  isValid: boolean | null;
  /** False once TikTok no longer has the lookalike. */
  existsAtTiktok: boolean;
  /** The seed is gone at TikTok (or here): the lookalike can no longer be refreshed. */
  seedDeleted: boolean;
}

export interface ShareView {
  advertiserId: string;
  advertiserName: string | null;
  status: string | null;
}

export interface ShareResultView {
  /** audience × account pairs sent. */
  pairs: number;
  /** Requests it took (10 × 10 per request). */
  requests: number;
}

export interface DeleteAtTiktokView {
  deleted: { id: number; name: string; detachedFrom: number }[];
  /** dmp/custom_audience/delete/ requests (100 audiences each). */
  deleteRequests: number;
}

/** The options TikTok takes only when it creates the audience, and what TikTok says back once it exists. */
export interface CreateOptionsView {
  audienceId: number;
  retentionInDays: number | null;
  audienceEnhancement: boolean;
  subType: AudienceSubType;
  /** False once the audience exists at TikTok: the options were sent and cannot change. */
  editable: boolean;
  /** Read back from TikTok's get (null before creation or when TikTok leaves it out). */
  atTiktok: { audienceEnhancement: boolean | null; enhancementStatus: string | null; subType: string | null; expiresAt: string | null } | null;
}
