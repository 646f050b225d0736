/**
 * The TikTok Marketing API v1.3 client (tiktok-api.md §1–§4): typed calls, the `{code, message, request_id,
 * data}` envelope (HTTP 200 errors; 0 and 20001 are success), the Access-Token header, trailing slashes, GET
 * arrays as JSON strings, multipart uploads with the MD5 file_signature.
 *
 * Retries: every failure becomes a `TikTokApiError` (errors.ts) and `decideRetry` alone decides. Reads and
 * uploads retry any transient failure; audience-modifying calls (create, update, delete, segment/*) retry only
 * failures that prove the request did not apply (`retry: 'safe-only'` by default), because a lost response
 * may hide an applied change: the sync engine verifies before resending.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { DEFAULT_RETRY_POLICY, TikTokApiError, decideRetry, isSuccessCode, type RetryMode, type RetryPolicy } from './errors';
import { defaultSleep, processLimiter, type RateLimiter } from './limiter';
import type {
  AdGroup,
  AdvertiserInfo,
  ApplyActionMode,
  ApplyLogEntry,
  ApplyUsageMode,
  AudienceSubType,
  Campaign,
  LookalikeSpec,
  ShareLogEntry,
  OverlapAudience,
  Audience,
  AudienceDetails,
  AudienceHistoryEntry,
  AuthorizedAdvertiser,
  CallEvent,
  CreateCalculateType,
  DmpCalculateType,
  OAuthTokenResult,
  RevokeResult,
  SegmentIdSchema,
  SegmentMappingRow,
  UpdateAction,
  UserInfo,
  WithRequestId,
  WithRequestIds,
} from './types';

/** Known API bases: scheme + host. The client appends /open_api/v1.3/...; the consent page is <base>/portal/auth. */
export const TIKTOK_API_BASES = {
  production: 'https://business-api.tiktok.com',
  /** TikTok's own sandbox host. It serves no audience endpoints (§1), so use the offline sandbox for those. */
  tiktokSandbox: 'https://sandbox-ads.tiktok.com',
} as const;

export const API_PREFIX = '/open_api/v1.3/';

/**
 * The API base to use: env TIKTOK_API_BASE wins (headless runs, tests), then the saved setting, then
 * production. Accepts a URL or a preset name ("production", "tiktok-sandbox"). Throws INVALID_ARGUMENT for a
 * malformed URL.
 */
export function resolveApiBase(env: Record<string, string | undefined> = process.env, setting?: string | null): string {
  const raw = env.TIKTOK_API_BASE?.trim() || setting?.trim() || TIKTOK_API_BASES.production;
  return normalizeApiBase(raw);
}

/** "https://host:port/" or a preset name → "https://host:port" (no path, no trailing slash). */
export function normalizeApiBase(input: string): string {
  const presets: Record<string, string> = { production: TIKTOK_API_BASES.production, 'tiktok-sandbox': TIKTOK_API_BASES.tiktokSandbox, sandbox: TIKTOK_API_BASES.tiktokSandbox };
  const raw = presets[input.trim().toLowerCase()] ?? input.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `The TikTok API base "${raw}" is not a URL. Use e.g. ${TIKTOK_API_BASES.production} or http://127.0.0.1:8123 for the offline sandbox.`);
  }
  // The token (and, for some calls, the app secret) travels with every request: clear text only on loopback.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AppError('INVALID_ARGUMENT', `The TikTok API base "${raw}" must start with https:// (http:// only for the offline sandbox on 127.0.0.1).`);
  }
  const pathPart = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${pathPart}`;
}

/** The browser consent URL of §2.1: <base>/portal/auth?app_id&state&redirect_uri. */
export function authorizationUrl(base: string, p: { appId: string; state: string; redirectUri: string }): string {
  const u = new URL(`${normalizeApiBase(base)}/portal/auth`);
  u.searchParams.set('app_id', p.appId);
  u.searchParams.set('state', p.state);
  u.searchParams.set('redirect_uri', p.redirectUri);
  return u.toString();
}

/** Lowercase hex MD5 of bytes: TikTok's file_signature (§3.1). */
export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Lowercase hex MD5 of a file, streamed (files can be 50 MB). */
export async function md5OfFile(filePath: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(filePath, { signal })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Names longer than 70 chars are truncated by /segment/audience/ to 67 + "..." (§4.1); we do it first, predictably. */
export function segmentAudienceName(name: string): string {
  return name.length > 70 ? `${name.slice(0, 67)}...` : name;
}

export type AccessTokenProvider = string | (() => string | null | undefined | Promise<string | null | undefined>);

export interface TikTokClientOptions {
  /** Scheme + host (+ port), e.g. https://business-api.tiktok.com or http://127.0.0.1:8123. */
  base: string;
  /** The long-term access token, or a function reading it (e.g. from the keychain) per call. */
  accessToken?: AccessTokenProvider;
  /** App-level limiter; default the process-wide one. `null` disables client-side limiting (tests). */
  limiter?: RateLimiter | null;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Per-request timeout of file uploads (default 5 min: up to 50 MB). */
  uploadTimeoutMs?: number;
  /** Retry policy (mode is chosen per call; these are the bounds). */
  retry?: Partial<Omit<RetryPolicy, 'mode' | 'now' | 'random'>>;
  /** Epoch ms (default Date.now). */
  now?: () => number;
  /** Sleep used between retries (default setTimeout; rejects on abort). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0,1) (default Math.random). */
  random?: () => number;
  /** Called after every HTTP request (each retry too). Never receives the token or hashes. */
  onCall?: (event: CallEvent) => void;
  /** fetch implementation (default global fetch). */
  fetch?: typeof fetch;
}

/** Options of one call. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the method's default retry mode (reads: 'all'; audience changes: 'safe-only'). */
  retry?: RetryMode;
  timeoutMs?: number;
}

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

interface RequestSpec<T> {
  method: 'GET' | 'POST';
  endpoint: string;
  query?: Query;
  json?: Record<string, unknown>;
  form?: () => FormData;
  /** 'token': the configured token as Access-Token; 'none': no header; a string: that token. */
  auth: 'token' | 'none' | { token: string };
  schema: z.ZodType<T>;
  retry: RetryMode;
  timeoutMs: number;
}

// ---- response schemas (lenient: unknown fields are ignored; ids may arrive as numbers) ----
const idSchema = z.union([z.string(), z.number()]).transform(String);
const optStr = z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? null : String(v)));
const optBool = z.boolean().nullish().transform((v) => v ?? null);
const envelopeSchema = z.object({
  code: z.number(),
  message: z.string().nullish(),
  request_id: z.string().nullish(),
  data: z.unknown().optional(),
});
const audienceRaw = z.object({
  audience_id: idSchema,
  name: z.string().nullish(),
  audience_type: z.string().nullish(),
  type: z.string().nullish(),
  audience_sub_type: z.string().nullish(),
  calculate_type: z.string().nullish(),
  cover_num: z.number().nullish(),
  is_valid: z.boolean().nullish(),
  is_expiring: z.boolean().nullish(),
  is_creator: optBool,
  shared: optBool,
  create_time: optStr,
  expired_time: optStr,
  msg: optStr,
  error_msg: optStr,
  audience_enhancement: optBool,
  enhancement_status: optStr,
});
const historyRaw = z.object({ opt_time: optStr, action: optStr, action_detail: optStr, editor: optStr, msg: optStr });
const pageInfoRaw = z.object({ page: z.number(), page_size: z.number().nullish(), total_number: z.number().nullish(), total_page: z.number() });

function toAudience(a: z.infer<typeof audienceRaw>): Audience {
  return {
    audienceId: a.audience_id,
    name: a.name ?? '',
    audienceType: a.audience_type ?? a.type ?? null,
    audienceSubType: a.audience_sub_type ?? null,
    calculateType: a.calculate_type ?? null,
    coverNum: a.cover_num ?? 0,
    isValid: a.is_valid ?? false,
    isExpiring: a.is_expiring ?? false,
    isCreator: a.is_creator,
    shared: a.shared,
    createTime: a.create_time,
    expiredTime: a.expired_time,
    msg: a.msg,
    errorMsg: a.error_msg,
  };
}

function toHistory(h: z.infer<typeof historyRaw>): AudienceHistoryEntry {
  return { optTime: h.opt_time, action: h.action, actionDetail: h.action_detail, editor: h.editor, msg: h.msg };
}

const anyData = z.unknown();
const idList = z.array(idSchema).nullish().transform((v) => v ?? null);
const campaignRaw = z.object({ campaign_id: idSchema, campaign_name: z.string().nullish(), operation_status: optStr });
const adGroupRaw = z.object({ adgroup_id: idSchema, adgroup_name: z.string().nullish(), campaign_id: idSchema, operation_status: optStr, audience_ids: idList, excluded_audience_ids: idList });
const applyLogRaw = z.object({ audience_id: idSchema, adgroup_id: idSchema, adgroup_name: optStr, usage_mode: optStr, action_timestamp: optStr, editor: optStr });
const overlapAudienceRaw = z.object({
  audience_id: idSchema,
  audience_name: optStr,
  audience_size: z.coerce.number().nullish(),
  targetable_users_count_range: optStr,
  benchmark_overlap_rate: z.union([z.number(), z.string()]).nullish(),
  benchmark_overlap_rate_range: optStr,
  benchmark_overlap_count_range: optStr,
});
const shareLogRaw = z.object({ custom_audience_id: idSchema, shared_advertiser_id: idSchema, shared_advertiser_name: optStr, status: optStr });

/** Chunks of at most `n` (TikTok takes 1–100 ids per list/get/delete request). */
function chunks<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/**
 * One TikTok connection: a base URL and an access token. Cheap to create; share the limiter, not the client.
 * Every method resolves with TikTok's request id(s) and throws `TikTokApiError` (an AppError) on failure.
 */
export class TikTokClient {
  readonly base: string;
  private readonly token: AccessTokenProvider | undefined;
  private readonly limiter: RateLimiter | null;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;
  private readonly retryBounds: Partial<RetryPolicy>;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly onCall: ((e: CallEvent) => void) | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: TikTokClientOptions) {
    this.base = normalizeApiBase(opts.base);
    this.token = opts.accessToken;
    this.limiter = opts.limiter === undefined ? processLimiter() : opts.limiter;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.uploadTimeoutMs = opts.uploadTimeoutMs ?? 300_000;
    this.retryBounds = { ...opts.retry };
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
    this.onCall = opts.onCall;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /** The consent page URL for this base (§2.1). */
  authorizationUrl(p: { appId: string; state: string; redirectUri: string }): string {
    return authorizationUrl(this.base, p);
  }

  // ---------------------------------------------------------------- OAuth and accounts (§2)

  /**
   * Exchanges a one-time auth_code for the long-term token (§2.3). No Access-Token header. Not retried once the
   * request may have arrived: the code is single use, so a blind resend would fail with 40110 anyway.
   */
  async oauthAccessToken(p: { appId: string; secret: string; authCode: string; returnAdvertiserIds?: boolean }, o: CallOptions = {}): Promise<OAuthTokenResult> {
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'oauth2/access_token/',
        json: { app_id: p.appId, secret: p.secret, auth_code: p.authCode, ...(p.returnAdvertiserIds === undefined ? {} : { return_advertiser_ids: p.returnAdvertiserIds }) },
        auth: 'none',
        schema: z.object({ access_token: z.string().min(1), advertiser_ids: z.array(idSchema).nullish(), scope: z.array(z.number()).nullish() }),
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { accessToken: r.data.access_token, advertiserIds: r.data.advertiser_ids ?? [], scope: r.data.scope ?? [], requestId: r.requestId };
  }

  /** Ad accounts the token reaches (§2.4): GET oauth2/advertiser/get/ with app_id, secret and the token header. */
  async advertiserGet(p: { appId: string; secret: string }, o: CallOptions = {}): Promise<{ advertisers: AuthorizedAdvertiser[] } & WithRequestId> {
    const r = await this.request(
      {
        method: 'GET',
        endpoint: 'oauth2/advertiser/get/',
        query: { app_id: p.appId, secret: p.secret },
        auth: 'token',
        schema: z.object({ list: z.array(z.object({ advertiser_id: idSchema, advertiser_name: z.string().nullish() })).nullish() }),
        retry: 'all',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { advertisers: (r.data.list ?? []).map((a) => ({ advertiserId: a.advertiser_id, advertiserName: a.advertiser_name ?? a.advertiser_id })), requestId: r.requestId };
  }

  /** Names and details of ad accounts (§2.5), e.g. for the account picker. */
  async advertiserInfo(advertiserIds: readonly string[], o: CallOptions = {}): Promise<{ advertisers: AdvertiserInfo[] } & WithRequestIds> {
    const advertisers: AdvertiserInfo[] = [];
    const requestIds: (string | null)[] = [];
    for (const ids of chunks(advertiserIds, 100)) {
      const r = await this.request(
        {
          method: 'GET',
          endpoint: 'advertiser/info/',
          query: { advertiser_ids: ids },
          auth: 'token',
          schema: z.object({ list: z.array(z.object({ advertiser_id: idSchema, name: z.string().nullish(), status: optStr, currency: optStr, timezone: optStr, company: optStr })).nullish() }),
          retry: 'all',
          timeoutMs: this.timeoutMs,
        },
        o,
      );
      requestIds.push(r.requestId);
      for (const a of r.data.list ?? []) advertisers.push({ advertiserId: a.advertiser_id, name: a.name ?? a.advertiser_id, status: a.status, currency: a.currency, timezone: a.timezone, company: a.company });
    }
    return { advertisers, requestIds };
  }

  /** The cheap token check (§2.6): resolves when the token works. */
  async userInfo(o: CallOptions = {}): Promise<{ user: UserInfo } & WithRequestId> {
    const r = await this.request(
      {
        method: 'GET',
        endpoint: 'user/info/',
        auth: 'token',
        schema: z.object({ core_user_id: optStr, display_name: optStr, email: optStr }).nullish(),
        retry: 'all',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { user: { coreUserId: r.data?.core_user_id ?? null, displayName: r.data?.display_name ?? null, email: r.data?.email ?? null }, requestId: r.requestId };
  }

  /** Revokes a token (§2.7). The token being revoked is also sent as Access-Token (harmless if not required). */
  async revokeToken(p: { appId: string; secret: string; accessToken: string }, o: CallOptions = {}): Promise<RevokeResult> {
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'oauth2/revoke_token/',
        json: { app_id: p.appId, secret: p.secret, access_token: p.accessToken },
        auth: { token: p.accessToken },
        schema: z.object({ app_id: optStr, advertiser_ids: z.array(idSchema).nullish() }).nullish(),
        retry: 'all',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { appId: r.data?.app_id ?? null, advertiserIds: r.data?.advertiser_ids ?? [], requestId: r.requestId };
  }

  // ---------------------------------------------------------------- customer-file API (§3)

  /**
   * Uploads one file of hashes (§3.1) and returns its file_path, usable by this advertiser only. `file` is the
   * bytes or a path (streamed from disk). The filename must end in .csv or .txt. Retried on any transient
   * failure: a repeated upload only yields another file_path and changes no audience.
   */
  async fileUpload(p: { advertiserId: string; calculateType: DmpCalculateType; file: Uint8Array | string; filename?: string }, o: CallOptions = {}): Promise<{ filePath: string; signature: string; bytes: number } & WithRequestId> {
    let blob: Blob;
    let signature: string;
    let filename: string;
    if (typeof p.file === 'string') {
      signature = await md5OfFile(p.file, o.signal);
      blob = (await openAsBlob(p.file, { type: 'text/csv' })) as Blob;
      filename = p.filename ?? path.basename(p.file);
    } else {
      signature = md5Hex(p.file);
      blob = new Blob([p.file as Uint8Array<ArrayBuffer>], { type: 'text/csv' });
      filename = p.filename ?? 'audience.csv';
    }
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'dmp/custom_audience/file/upload/',
        form: () => {
          const f = new FormData();
          f.append('advertiser_id', p.advertiserId);
          f.append('calculate_type', p.calculateType);
          f.append('file_signature', signature);
          f.append('file', blob, filename);
          return f;
        },
        auth: 'token',
        schema: z.object({ file_path: z.string().min(1) }),
        retry: 'all',
        timeoutMs: this.uploadTimeoutMs,
      },
      o,
    );
    return { filePath: r.data.file_path, signature, bytes: blob.size, requestId: r.requestId };
  }

  /**
   * Creates a customer-file audience from uploaded files (§3.2). Accepts `custom_audience_id` or `audience_id`
   * in the answer (sources conflict). Not blindly retried after the request may have arrived (a second create
   * makes a duplicate audience): on `maybeApplied`, look the audience up by name first.
   */
  async createAudience(
    p: { advertiserId: string; name: string; calculateType: CreateCalculateType; filePaths: readonly string[]; retentionInDays?: number; audienceSubType?: AudienceSubType; audienceEnhancement?: boolean },
    o: CallOptions = {},
  ): Promise<{ audienceId: string } & WithRequestId> {
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'dmp/custom_audience/create/',
        json: {
          advertiser_id: p.advertiserId,
          custom_audience_name: p.name,
          calculate_type: p.calculateType,
          file_paths: [...p.filePaths],
          ...(p.retentionInDays === undefined ? {} : { retention_in_days: p.retentionInDays }),
          ...(p.audienceSubType === undefined ? {} : { audience_sub_type: p.audienceSubType }),
          ...(p.audienceEnhancement === undefined ? {} : { audience_enhancement: p.audienceEnhancement }),
        },
        auth: 'token',
        schema: z.object({ custom_audience_id: idSchema.optional(), audience_id: idSchema.optional() }).refine((d) => d.custom_audience_id !== undefined || d.audience_id !== undefined, 'no audience id in the answer'),
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { audienceId: (r.data.custom_audience_id ?? r.data.audience_id) as string, requestId: r.requestId };
  }

  /**
   * Changes an audience's data and/or name (§3.3). `action` is required and always sent: TikTok's default when
   * omitted is REPLACE. Fails at TikTok if the result would be under 1,000, or while the audience is processing
   * (40002, category 'processing').
   */
  async updateAudience(p: { advertiserId: string; audienceId: string; action: UpdateAction; filePaths?: readonly string[]; name?: string }, o: CallOptions = {}): Promise<WithRequestId> {
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'dmp/custom_audience/update/',
        json: {
          advertiser_id: p.advertiserId,
          custom_audience_id: p.audienceId,
          action: p.action,
          ...(p.filePaths === undefined ? {} : { file_paths: [...p.filePaths] }),
          ...(p.name === undefined ? {} : { custom_audience_name: p.name }),
        },
        auth: 'token',
        schema: anyData,
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { requestId: r.requestId };
  }

  /** Every audience of an advertiser (owned and shared), all pages at page_size 100 (§3.4); optionally only `ids`. */
  async listAudiences(advertiserId: string, p: { ids?: readonly string[]; pageSize?: number } = {}, o: CallOptions = {}): Promise<{ audiences: Audience[]; totalNumber: number } & WithRequestIds> {
    const audiences: Audience[] = [];
    const requestIds: (string | null)[] = [];
    let totalNumber = 0;
    const idGroups: (readonly string[] | undefined)[] = p.ids === undefined ? [undefined] : chunks(p.ids, 100);
    for (const ids of idGroups) {
      if (ids !== undefined && ids.length === 0) continue;
      for (let page = 1, totalPage = 1; page <= totalPage; page++) {
        const r = await this.request(
          {
            method: 'GET',
            endpoint: 'dmp/custom_audience/list/',
            query: { advertiser_id: advertiserId, page, page_size: p.pageSize ?? 100, custom_audience_ids: ids },
            auth: 'token',
            schema: z.object({ page_info: pageInfoRaw.nullish(), list: z.array(audienceRaw).nullish() }),
            retry: 'all',
            timeoutMs: this.timeoutMs,
          },
          o,
        );
        requestIds.push(r.requestId);
        for (const a of r.data.list ?? []) audiences.push(toAudience(a));
        // Guard against a server that keeps announcing pages: never more than 10,000 pages (1 M audiences).
        totalPage = Math.min(r.data.page_info?.total_page ?? 1, 10_000);
        if (page === 1) totalNumber += r.data.page_info?.total_number ?? r.data.list?.length ?? 0;
      }
    }
    return { audiences, totalNumber, requestIds };
  }

  /** Details, size, state and history of audiences (§3.5), 100 ids per request. */
  async getAudiences(advertiserId: string, ids: readonly string[], p: { historySize?: number } = {}, o: CallOptions = {}): Promise<{ audiences: AudienceDetails[] } & WithRequestIds> {
    const audiences: AudienceDetails[] = [];
    const requestIds: (string | null)[] = [];
    for (const group of chunks(ids, 100)) {
      const r = await this.request(
        {
          method: 'GET',
          endpoint: 'dmp/custom_audience/get/',
          query: { advertiser_id: advertiserId, custom_audience_ids: group, history_size: p.historySize },
          auth: 'token',
          schema: z.object({ list: z.array(z.object({ audience_details: audienceRaw, audience_history: z.array(historyRaw).nullish() })).nullish() }),
          retry: 'all',
          timeoutMs: this.timeoutMs,
        },
        o,
      );
      requestIds.push(r.requestId);
      for (const item of r.data.list ?? []) {
        const d = item.audience_details;
        audiences.push({ ...toAudience(d), history: (item.audience_history ?? []).map(toHistory), audienceEnhancement: d.audience_enhancement, enhancementStatus: d.enhancement_status });
      }
    }
    return { audiences, requestIds };
  }

  /** Deletes audiences (§3.6), 100 ids per request. */
  async deleteAudiences(advertiserId: string, ids: readonly string[], o: CallOptions = {}): Promise<WithRequestIds> {
    return this.postIds('dmp/custom_audience/delete/', advertiserId, ids, o);
  }

  /** POSTs `{ advertiser_id, custom_audience_ids }` to `endpoint`, 100 ids per request (delete, lookalike refresh). */
  private async postIds(endpoint: string, advertiserId: string, ids: readonly string[], o: CallOptions): Promise<WithRequestIds> {
    const requestIds: (string | null)[] = [];
    for (const group of chunks(ids, 100)) {
      const r = await this.request({ method: 'POST', endpoint, json: { advertiser_id: advertiserId, custom_audience_ids: group }, auth: 'token', schema: anyData, retry: 'safe-only', timeoutMs: this.timeoutMs }, o);
      requestIds.push(r.requestId);
    }
    return { requestIds };
  }

  // ---------------------------------------------------------------- ad groups, apply, lookalike, share (#14 §1)

  /** Campaigns of an advertiser (campaign/get), every page at page_size 1000. */
  async listCampaigns(advertiserId: string, o: CallOptions = {}): Promise<{ campaigns: Campaign[] } & WithRequestIds> {
    const out: Campaign[] = [];
    const requestIds = await this.pages('campaign/get/', advertiserId, ['campaign_id', 'campaign_name', 'operation_status'], campaignRaw, (c) => out.push({ campaignId: c.campaign_id, name: c.campaign_name ?? c.campaign_id, status: c.operation_status }), o);
    return { campaigns: out, requestIds };
  }

  /** Ad groups of an advertiser (adgroup/get) with the audiences each targets and excludes; optionally of some campaigns. */
  async listAdGroups(advertiserId: string, p: { campaignIds?: readonly string[] } = {}, o: CallOptions = {}): Promise<{ adGroups: AdGroup[] } & WithRequestIds> {
    const out: AdGroup[] = [];
    const fields = ['adgroup_id', 'adgroup_name', 'campaign_id', 'operation_status', 'audience_ids', 'excluded_audience_ids'];
    const filtering = p.campaignIds?.length ? { campaign_ids: [...p.campaignIds] } : undefined;
    const requestIds = await this.pages(
      'adgroup/get/',
      advertiserId,
      fields,
      adGroupRaw,
      (g) => out.push({ adgroupId: g.adgroup_id, name: g.adgroup_name ?? g.adgroup_id, campaignId: g.campaign_id, status: g.operation_status, audienceIds: g.audience_ids ?? [], excludedAudienceIds: g.excluded_audience_ids ?? [] }),
      o,
      filtering,
    );
    return { adGroups: out, requestIds };
  }

  /**
   * Attaches one audience to ad groups as Include or Exclude, or detaches it (dmp/custom_audience/apply/).
   * `usageMode` is required for Apply and not sent for Disconnect.
   */
  async applyAudience(p: { advertiserId: string; audienceId: string; adgroupIds: readonly string[]; action: ApplyActionMode; usageMode?: ApplyUsageMode }, o: CallOptions = {}): Promise<WithRequestId> {
    if (p.action === 'Apply' && !p.usageMode) throw new AppError('INVALID_ARGUMENT', 'Choose Include or Exclude to attach an audience to ad groups.');
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'dmp/custom_audience/apply/',
        json: { advertiser_id: p.advertiserId, custom_audience_id: p.audienceId, adgroup_ids: [...p.adgroupIds], action_mode: p.action, ...(p.action === 'Apply' ? { usage_mode: p.usageMode } : {}) },
        auth: 'token',
        schema: anyData,
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { requestId: r.requestId };
  }

  /** The ad groups audiences are applied to (dmp/custom_audience/apply/log/), every page; 100 audience ids per request. */
  async applyLog(advertiserId: string, audienceIds: readonly string[], o: CallOptions = {}): Promise<{ entries: ApplyLogEntry[] } & WithRequestIds> {
    const entries: ApplyLogEntry[] = [];
    const requestIds: (string | null)[] = [];
    for (const ids of chunks(audienceIds, 100)) {
      for (let page = 1, totalPage = 1; page <= totalPage; page++) {
        const r = await this.request(
          {
            method: 'GET',
            endpoint: 'dmp/custom_audience/apply/log/',
            query: { advertiser_id: advertiserId, custom_audience_ids: ids, page, page_size: 100 },
            auth: 'token',
            schema: z.object({ page_info: pageInfoRaw.nullish(), list: z.array(z.union([applyLogRaw, z.array(applyLogRaw)])).nullish() }),
            retry: 'all',
            timeoutMs: this.timeoutMs,
          },
          o,
        );
        requestIds.push(r.requestId);
        for (const e of (r.data.list ?? []).flat()) {
          const mode = e.usage_mode === 'Include' || e.usage_mode === 'Exclude' ? e.usage_mode : null;
          entries.push({ audienceId: e.audience_id, adgroupId: e.adgroup_id, adgroupName: e.adgroup_name, usageMode: mode, actionTimestamp: e.action_timestamp, editor: e.editor });
        }
        totalPage = Math.min(r.data.page_info?.total_page ?? 1, 1000);
      }
    }
    return { entries, requestIds };
  }

  /** Creates a lookalike audience from a seed of at least 100 people (dmp/custom_audience/lookalike/create/). */
  async lookalikeCreate(p: { advertiserId: string; name: string; spec: LookalikeSpec }, o: CallOptions = {}): Promise<{ audienceId: string } & WithRequestId> {
    const s = p.spec;
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'dmp/custom_audience/lookalike/create/',
        json: {
          advertiser_id: p.advertiserId,
          custom_audience_name: p.name,
          lookalike_spec: { source_audience_id: s.sourceAudienceId, include_source: s.includeSource, mobile_os: s.mobileOs, placements: [...s.placements], location_ids: [...s.locationIds], audience_size: s.audienceSize },
        },
        auth: 'token',
        schema: z.object({ custom_audience_id: idSchema }),
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { audienceId: r.data.custom_audience_id, requestId: r.requestId };
  }

  /** Refreshes lookalike audiences from their seeds now (dmp/custom_audience/lookalike/update/). */
  async lookalikeRefresh(advertiserId: string, audienceIds: readonly string[], o: CallOptions = {}): Promise<WithRequestIds> {
    return this.postIds('dmp/custom_audience/lookalike/update/', advertiserId, audienceIds, o);
  }

  /**
   * Shares audiences with other ad accounts of the same Business Center (dmp/custom_audience/share/). TikTok takes
   * 10 audiences × 10 accounts per request; more are sent as several requests (every pair once).
   */
  async shareAudiences(p: { advertiserId: string; audienceIds: readonly string[]; sharedAdvertiserIds: readonly string[] }, o: CallOptions = {}): Promise<WithRequestIds> {
    const requestIds: (string | null)[] = [];
    for (const audiences of chunks(p.audienceIds, 10)) {
      for (const targets of chunks(p.sharedAdvertiserIds, 10)) {
        const r = await this.request(
          { method: 'POST', endpoint: 'dmp/custom_audience/share/', json: { advertiser_id: p.advertiserId, custom_audience_ids: audiences, shared_advertiser_ids: targets }, auth: 'token', schema: anyData, retry: 'safe-only', timeoutMs: this.timeoutMs },
          o,
        );
        requestIds.push(r.requestId);
      }
    }
    return { requestIds };
  }

  /** Stops sharing one audience with one ad account (dmp/custom_audience/share/cancel/). */
  async shareCancel(p: { advertiserId: string; audienceId: string; sharedAdvertiserId: string }, o: CallOptions = {}): Promise<WithRequestId> {
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'dmp/custom_audience/share/cancel/',
        json: { advertiser_id: p.advertiserId, custom_audience_id: p.audienceId, shared_advertiser_id: p.sharedAdvertiserId },
        auth: 'token',
        schema: anyData,
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { requestId: r.requestId };
  }

  /** The ad accounts an audience is shared with (dmp/custom_audience/share/log/). */
  async shareLog(advertiserId: string, audienceId: string, o: CallOptions = {}): Promise<{ entries: ShareLogEntry[] } & WithRequestId> {
    const r = await this.request(
      {
        method: 'GET',
        endpoint: 'dmp/custom_audience/share/log/',
        query: { advertiser_id: advertiserId, custom_audience_id: audienceId },
        auth: 'token',
        schema: z.object({ list: z.array(z.union([shareLogRaw, z.array(shareLogRaw)])).nullish() }),
        retry: 'all',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    const entries = (r.data.list ?? []).flat().map((e) => ({ audienceId: e.custom_audience_id, sharedAdvertiserId: e.shared_advertiser_id, sharedAdvertiserName: e.shared_advertiser_name, status: e.status }));
    return { entries, requestId: r.requestId };
  }

  /**
   * TikTok's overlap of matched users between a benchmark audience and up to 4 others (audience/insight/overlap/, a
   * read). `overlapRate`: the share of the benchmark's matched users the other audience also holds, as TikTok gives it.
   */
  async audienceOverlap(p: { advertiserId: string; benchmarkId: string; comparisonIds: readonly string[] }, o: CallOptions = {}): Promise<{ benchmark: OverlapAudience; comparisons: OverlapAudience[] } & WithRequestId> {
    const r = await this.request(
      {
        method: 'GET',
        endpoint: 'audience/insight/overlap/',
        query: { advertiser_id: p.advertiserId, benchmark_custom_audience_id: p.benchmarkId, comparison_custom_audience_ids: p.comparisonIds.length > 0 ? JSON.stringify(p.comparisonIds) : undefined },
        auth: 'token',
        schema: z.object({ benchmark_audience: overlapAudienceRaw.nullish(), comparison_audiences: z.array(overlapAudienceRaw).nullish() }),
        retry: 'all',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    const view = (a: z.infer<typeof overlapAudienceRaw>): OverlapAudience => {
      const rate = a.benchmark_overlap_rate === null || a.benchmark_overlap_rate === undefined ? null : Number(a.benchmark_overlap_rate);
      return {
        audienceId: a.audience_id,
        name: a.audience_name ?? null,
        size: a.audience_size ?? null,
        targetableRange: a.targetable_users_count_range ?? null,
        overlapRate: rate === null || Number.isNaN(rate) ? null : rate,
        overlapRateRange: a.benchmark_overlap_rate_range ?? null,
        overlapCountRange: a.benchmark_overlap_count_range ?? null,
      };
    };
    if (!r.data.benchmark_audience) throw new AppError('INTERNAL', 'TikTok answered the overlap request without the benchmark audience.');
    return { benchmark: view(r.data.benchmark_audience), comparisons: (r.data.comparison_audiences ?? []).map(view), requestId: r.requestId };
  }

  /** Reads every page of a campaign/get-style endpoint (fields and filtering as JSON strings, page_size 1000). */
  private async pages<T>(endpoint: string, advertiserId: string, fields: string[], item: z.ZodType<T>, each: (t: T) => void, o: CallOptions, filtering?: Record<string, unknown>): Promise<(string | null)[]> {
    const requestIds: (string | null)[] = [];
    for (let page = 1, totalPage = 1; page <= totalPage; page++) {
      const r = await this.request(
        {
          method: 'GET',
          endpoint,
          query: { advertiser_id: advertiserId, fields, page, page_size: 1000, filtering: filtering ? JSON.stringify(filtering) : undefined },
          auth: 'token',
          schema: z.object({ page_info: pageInfoRaw.nullish(), list: z.array(item).nullish() }),
          retry: 'all',
          timeoutMs: this.timeoutMs,
        },
        o,
      );
      requestIds.push(r.requestId);
      for (const t of r.data.list ?? []) each(t);
      totalPage = Math.min(r.data.page_info?.total_page ?? 1, 1000);
    }
    return requestIds;
  }

  // ---------------------------------------------------------------- segment ("streaming") API (§4)

  /** Creates a partner audience (§4.1). The name is cut to 70 chars as TikTok would (see segmentAudienceName). */
  async segmentAudienceCreate(p: { advertiserId: string; name: string }, o: CallOptions = {}): Promise<{ audienceId: string; name: string } & WithRequestId> {
    const name = segmentAudienceName(p.name);
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'segment/audience/',
        json: { advertiser_id: p.advertiserId, action: 'create', custom_audience_name: name },
        auth: 'token',
        schema: z.object({ audience_id: idSchema }),
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { audienceId: r.data.audience_id, name, requestId: r.requestId };
  }

  /** Deletes a partner audience (§4.1). */
  async segmentAudienceDelete(p: { advertiserId: string; audienceId: string }, o: CallOptions = {}): Promise<WithRequestId> {
    const r = await this.request(
      { method: 'POST', endpoint: 'segment/audience/', json: { advertiser_id: p.advertiserId, action: 'delete', delete_audience_id: p.audienceId }, auth: 'token', schema: anyData, retry: 'safe-only', timeoutMs: this.timeoutMs },
      o,
    );
    return { requestId: r.requestId };
  }

  /**
   * Adds or removes people of partner audiences (§4.2). Row element i is for idSchema[i]; null becomes the `{}`
   * placeholder. The batch succeeds or fails as a whole; on 40061 (category 'split') halve it and resend.
   */
  async segmentMapping(p: { advertiserIds: readonly string[]; action: 'add' | 'delete'; idSchema: readonly SegmentIdSchema[]; batchData: readonly SegmentMappingRow[] }, o: CallOptions = {}): Promise<WithRequestId> {
    for (const [i, row] of p.batchData.entries()) {
      if (row.length !== p.idSchema.length) {
        throw new AppError('INVALID_ARGUMENT', `Row ${i + 1} of the partner-audience batch has ${row.length} ids but the id schema has ${p.idSchema.length}. Every row needs one element per schema entry (null for a missing id).`);
      }
    }
    const r = await this.request(
      {
        method: 'POST',
        endpoint: 'segment/mapping/',
        json: {
          advertiser_ids: [...p.advertiserIds],
          action: p.action,
          id_schema: [...p.idSchema],
          batch_data: p.batchData.map((row) => row.map((item) => (item === null ? {} : { id: item.id, audience_ids: [...item.audienceIds] }))),
        },
        auth: 'token',
        schema: anyData,
        retry: 'safe-only',
        timeoutMs: this.timeoutMs,
      },
      o,
    );
    return { requestId: r.requestId };
  }

  // ---------------------------------------------------------------- transport

  private async resolveToken(): Promise<string> {
    const t = typeof this.token === 'function' ? await this.token() : this.token;
    if (!t) throw new AppError('AUTH_MISSING');
    return t;
  }

  private buildUrl(endpoint: string, query?: Query): string {
    const u = new URL(`${this.base}${API_PREFIX}${endpoint}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      // §1: GET arrays travel as JSON strings, e.g. custom_audience_ids=["1","2"].
      u.searchParams.set(k, Array.isArray(v) ? JSON.stringify(v) : String(v));
    }
    return u.toString();
  }

  /** Sends one API call with limiter, timeout and retries; resolves with the data of a success envelope. */
  private async request<T>(spec: RequestSpec<T>, o: CallOptions): Promise<{ data: T; requestId: string | null }> {
    const token = spec.auth === 'token' ? await this.resolveToken() : spec.auth === 'none' ? null : spec.auth.token;
    const mode = o.retry ?? spec.retry;
    const policy: Partial<RetryPolicy> = { ...DEFAULT_RETRY_POLICY, ...this.retryBounds, mode, now: this.now, random: this.random };
    const url = this.buildUrl(spec.endpoint, spec.query);
    for (let attempt = 1; ; attempt++) {
      if (this.limiter) {
        try {
          await this.limiter.acquire(o.signal);
        } catch (cause) {
          throw new TikTokApiError({ kind: 'aborted', endpoint: spec.endpoint, cause });
        }
      }
      const started = this.now();
      let outcome: { data: T; requestId: string | null; code: number; httpStatus: number } | undefined;
      let error: TikTokApiError | undefined;
      try {
        outcome = await this.once(spec, url, token, o);
      } catch (err) {
        error = err instanceof TikTokApiError ? err : new TikTokApiError({ kind: 'invalid-response', endpoint: spec.endpoint, cause: err });
      }
      this.report({
        endpoint: spec.endpoint,
        method: spec.method,
        requestId: outcome?.requestId ?? error?.requestId ?? null,
        code: outcome?.code ?? error?.tiktokCode ?? null,
        httpStatus: outcome?.httpStatus ?? error?.httpStatus ?? null,
        durationMs: Math.max(0, this.now() - started),
        startedAt: new Date(started).toISOString(),
        attempt,
        ...(error ? { error: { appCode: error.code, category: error.category, message: error.message, maybeApplied: error.maybeApplied } } : {}),
      });
      if (outcome) return { data: outcome.data, requestId: outcome.requestId };
      const failure = error as TikTokApiError;
      const decision = decideRetry(failure, attempt, policy);
      if (failure.category === 'wait' && failure.rateLimitScope === 'qps' && this.limiter) {
        // The app-level limit is shared: hold every call of this process until the wait is over.
        this.limiter.pauseUntil(decision.retryAt);
      }
      if (!decision.retry) throw failure;
      try {
        await this.sleep(decision.delayMs, o.signal);
      } catch {
        throw failure;
      }
    }
  }

  private report(e: CallEvent): void {
    if (!this.onCall) return;
    try {
      this.onCall(e);
    } catch {
      // A failing log hook must not fail the call it logs.
    }
  }

  /** One HTTP request → parsed success, or a TikTokApiError describing exactly how it failed. */
  private async once<T>(spec: RequestSpec<T>, url: string, token: string | null, o: CallOptions): Promise<{ data: T; requestId: string | null; code: number; httpStatus: number }> {
    const timeout = AbortSignal.timeout(o.timeoutMs ?? spec.timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers['Access-Token'] = token;
    let body: string | FormData | undefined;
    if (spec.json) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.form) {
      body = spec.form(); // fetch sets multipart/form-data with its boundary
    }
    const fail = (cause: unknown): TikTokApiError => {
      if (o.signal?.aborted) return new TikTokApiError({ kind: 'aborted', endpoint: spec.endpoint, cause });
      if (timeout.aborted) return new TikTokApiError({ kind: 'timeout', endpoint: spec.endpoint, cause });
      return new TikTokApiError({ kind: 'network', endpoint: spec.endpoint, networkCode: networkCodeOf(cause), cause });
    };
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method: spec.method, headers, body, signal });
      text = await res.text();
    } catch (err) {
      throw fail(err);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const env = envelopeSchema.safeParse(json);
    const requestId = env.success ? (env.data.request_id ?? null) : null;
    if (!res.ok) {
      throw new TikTokApiError({ kind: 'http', endpoint: spec.endpoint, httpStatus: res.status, requestId, tiktokCode: env.success ? env.data.code : null, tiktokMessage: env.success ? (env.data.message ?? null) : null });
    }
    if (!env.success) throw new TikTokApiError({ kind: 'invalid-response', endpoint: spec.endpoint, httpStatus: res.status });
    if (!isSuccessCode(env.data.code)) {
      throw new TikTokApiError({ kind: 'api', endpoint: spec.endpoint, httpStatus: res.status, tiktokCode: env.data.code, tiktokMessage: env.data.message ?? null, requestId });
    }
    const data = spec.schema.safeParse(env.data.data ?? {});
    if (!data.success) {
      throw new TikTokApiError({ kind: 'invalid-response', endpoint: spec.endpoint, httpStatus: res.status, requestId, tiktokMessage: `unexpected data: ${data.error.issues[0]?.message ?? 'invalid'}` });
    }
    return { data: data.data, requestId, code: env.data.code, httpStatus: res.status };
  }
}

/** The Node / undici error code inside a fetch failure (TypeError "fetch failed" → cause.code). */
function networkCodeOf(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const rec = e as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof rec.code === 'string') return rec.code;
    if (Array.isArray(rec.errors) && rec.errors.length > 0) {
      const first = rec.errors[0] as { code?: unknown };
      if (typeof first?.code === 'string') return first.code;
    }
    e = rec.cause;
  }
  return null;
}
