/**
 * The offline sandbox's model of TikTok (tiktok-api.md §9): apps, tokens, auth codes, advertisers, uploaded
 * files, audiences with membership, processing, the 1,000 floor, the per-audience daily cap, partner
 * audiences. Pure in-memory logic; server.ts turns HTTP into calls here and answers with the envelope.
 *
 * Membership keys (what `membership()` returns):
 * - single-type file audiences: the lowercase hash, as uploaded;
 * - MULTIPLE_TYPES file audiences: one key per row, its non-empty cells as "header=value" (header lowercased),
 *   sorted and joined by ","; e.g. "email_sha256=ab…,phone_sha256=cd…";
 * - partner (segment) audiences: one key per identifier, "<ID_SCHEMA>:<hash>", e.g. "EMAIL_SHA256:ab…".
 */
import { createHash } from 'node:crypto';
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import { DEFAULT_REDIRECT_URI } from '../tiktok/oauth-redirect';
import { randomHex } from './prng';
import { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, SANDBOX_BUSINESS_CENTER, SANDBOX_CAMPAIGNS, SANDBOX_FOREIGN_ADVERTISER, SANDBOX_SCOPES } from './seed';

/** A TikTok answer: the envelope's code, message and data. */
export interface SimResult {
  code: number;
  message: string;
  data: unknown;
}

/** Thrown inside handlers: becomes an error envelope (HTTP 200). */
export class SimApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** TikTok answers most refusals with HTTP 200; a few with 4xx and the envelope (a partner audience not ready yet). */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

/** TikTok's words for 40002 on an audience it will not edit now: still processing, or unavailable for good (S7). */
export const NOT_EDITABLE_MESSAGE = 'Audience is not editable, please check audience status';
/** TikTok's refusal of a REPLACE while an earlier one is unfinished, as Census quotes it. */
export const REPLACE_UNFINISHED_MESSAGE =
  'This replace operation is rejected as there is an existing unfinished replace operation for this audience. Please wait until the current operation completes on this audience before re trying. Recommend no more than one replace operation per day.';

export interface SimRequest {
  endpoint: string;
  /** Lowercased header names. */
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  json: Record<string, unknown>;
  parts: { name: string; filename: string | null; data: Buffer }[];
  bodyTooLarge: boolean;
}

/** Settings that can change while the simulator runs (see SimulatorHandle.configure). */
export interface SimSettings {
  /** How long an audience stays "processing" after create/update (default 100 ms). */
  processingDelayMs: number;
  /** cover_num = floor(size × matchRate); 'exact' = size (default 0.8). */
  matchRate: number | 'exact';
  /** Audience-modifying calls per audience per UTC day (create + update with file_paths); null = no cap (default 24). */
  dailyAudienceCallCap: number | null;
  /** Count refused calls (40002, floor, ...) against the daily cap too (default false: only applied calls). */
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
  capCountsRefusedCalls: false,
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

interface App {
  appId: string;
  secret: string;
}
interface Advertiser {
  advertiserId: string;
  name: string;
  appId: string;
}
interface Token {
  token: string;
  appId: string;
  advertiserIds: string[];
  scope: number[];
  state: 'ok' | 'revoked' | 'expired';
  /** False: advertiser/get and advertiser/info refuse it. Absent (tokens saved by older versions): granted. */
  adAccountRead?: boolean;
}
interface AuthCode {
  code: string;
  appId: string;
  issuedAt: number;
  used: boolean;
}
interface UploadedFile {
  filePath: string;
  advertiserId: string;
  calculateType: string;
  rows: string[];
  uploadedAt: number;
}
interface HistoryEntry {
  at: number;
  action: string;
  detail: string;
  msg: string | null;
}
interface Audience {
  audienceId: string;
  advertiserId: string;
  name: string;
  kind: 'file' | 'partner' | 'lookalike';
  calculateType: string;
  members: Set<string>;
  createdAt: number;
  lastModifiedAt: number;
  processingUntil: number;
  /** cover_num shown while processing (the value before the change). */
  coverBefore: number;
  /** Until when the last REPLACE is unfinished (another REPLACE is refused); absent when none was sent. */
  replaceUntil?: number;
  retentionInDays: number | null;
  history: HistoryEntry[];
  /** create's audience_sub_type (SDK create yml: NORMAL by default). Absent in states saved by older versions: NORMAL. */
  subType?: AudienceSubType;
  /** create's audience_enhancement (SDK create yml: false by default). Absent in older saved states: false. */
  enhancement?: boolean;
  /** Lookalike audiences only: the spec as sent (snake_case, as get shows it) and the estimated reach. */
  lookalike?: { spec: Record<string, unknown>; seedId: string; size: number };
}

/** A seeded ad group: the audiences it targets (include) and keeps out (exclude). */
interface SimAdGroup {
  adgroupId: string;
  advertiserId: string;
  campaignId: string;
  name: string;
  reachFrequency: boolean;
  include: string[];
  exclude: string[];
}
interface SimCampaign {
  campaignId: string;
  advertiserId: string;
  name: string;
  reachFrequency: boolean;
}
/** The latest Apply of an audience to an ad group (apply/log lists these; a Disconnect removes it). */
interface ApplyEntry {
  audienceId: string;
  adgroupId: string;
  usageMode: 'Include' | 'Exclude';
  at: number;
}
/** An audience shared with another ad account of the Business Center. */
interface ShareEntry {
  audienceId: string;
  advertiserId: string;
  at: number;
}

/** lookalike_spec.audience_size → how many times the seed's matched size the lookalike reaches. */
const LOOKALIKE_REACH: Record<string, number> = { NARROW: 20, BALANCED: 50, BROAD: 100 };
/** A lookalike's seed must have at least this many people (lookalike create yml: "no less than 100"). */
export const LOOKALIKE_MIN_SEED = 100;
const LOOKALIKE_OS = ['ALL', 'ANDROID', 'IOS'];
const LOOKALIKE_PLACEMENTS = ['TIKTOK', 'PANGLE'];

/** The AudienceSubType enum of the SDK's create yml (strict: anything else is a parameter error). */
const AUDIENCE_SUB_TYPES = ['NORMAL', 'REACH_FREQUENCY'] as const;
type AudienceSubType = (typeof AUDIENCE_SUB_TYPES)[number];

/** A read-only view of an audience for tests and the CLI. */
export interface AudienceSnapshot {
  audienceId: string;
  advertiserId: string;
  name: string;
  kind: 'file' | 'partner' | 'lookalike';
  calculateType: string;
  size: number;
  coverNum: number;
  isValid: boolean;
  processing: boolean;
  createdAt: number;
  history: { at: number; action: string; detail: string }[];
}

/** One request as the simulator saw it (tests count calls with it). */
export interface SimRequestLogEntry {
  at: number;
  endpoint: string;
  method: string;
  code: number | null;
  httpStatus: number;
  fault: string | null;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MD5 = /^[0-9a-f]{32}$/;
const UPLOAD_TYPES = ['EMAIL_SHA256', 'PHONE_SHA256', 'IDFA_SHA256', 'IDFA_MD5', 'GAID_SHA256', 'GAID_MD5', 'FIRST_SHA256', 'FIRST_MD5', 'MAID_SHA256', 'MAID_MD5', 'MULTIPLE_TYPES'];
const CREATE_TYPES = UPLOAD_TYPES.filter((t) => !t.startsWith('MAID_'));
/** MAID_* are aliases of FIRST_* (same internal value, §3.1). */
const canonicalType = (t: string): string => (t === 'MAID_SHA256' ? 'FIRST_SHA256' : t === 'MAID_MD5' ? 'FIRST_MD5' : t);
const MULTI_HEADERS: Record<string, RegExp | null> = { maid: null, phone_sha256: SHA256, email_sha256: SHA256, maid_sha256: SHA256, maid_md5: MD5 };
const SEGMENT_SCHEMAS: Record<string, RegExp> = { EMAIL_SHA256: SHA256, PHONE_SHA256: SHA256, IDFA_SHA256: SHA256, IDFA_MD5: MD5, AAID_SHA256: SHA256, AAID_MD5: MD5 };
const DAY_MS = 86_400_000;

const fail = (code: number, message: string, httpStatus?: number): never => {
  throw new SimApiError(code, message, httpStatus);
};

/** Scope id of "Read Ad Account Information", which oauth2/advertiser/get and advertiser/info need. */
const AD_ACCOUNT_READ_SCOPE = 100;

function requireAdAccountRead(t: { adAccountRead?: boolean }): void {
  if (t.adAccountRead === false) fail(40001, 'No permission to perform this operation: the authorization does not include the "Read Ad Account Information" permission.');
}

/** "YYYY-MM-DD HH:MM:SS", TikTok's time format (no zone): UTC, or `offsetMinutes` ahead of it. */
export function tiktokTime(ms: number, offsetMinutes = 0): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** "YYYY-MM-DD" UTC day of `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class SimState {
  settings: SimSettings;
  private readonly apps = new Map<string, App>();
  private readonly advertisers = new Map<string, Advertiser>();
  private readonly tokens = new Map<string, Token>();
  private readonly authCodes = new Map<string, AuthCode>();
  private readonly files = new Map<string, UploadedFile>();
  private readonly audiences = new Map<string, Audience>();
  /** `${audienceId}|${utcDay}` → audience-modifying calls counted that day. */
  private readonly dailyCalls = new Map<string, number>();
  private readonly rateWindows = new Map<string, number[]>();
  private readonly campaigns = new Map<string, SimCampaign>();
  private readonly adGroups = new Map<string, SimAdGroup>();
  /** `${adgroupId}|${audienceId}` → the latest Apply still in force. */
  private readonly applied = new Map<string, ApplyEntry>();
  /** `${audienceId}|${advertiserId}` → the share. */
  private readonly shares = new Map<string, ShareEntry>();
  private audienceCounter = 0;
  private requestCounter = 0;
  readonly log: SimRequestLogEntry[] = [];

  constructor(
    readonly now: () => number,
    private readonly random: () => number,
    settings: Partial<SimSettings> = {},
  ) {
    this.settings = { ...DEFAULT_SIM_SETTINGS, ...settings };
    this.apps.set(SANDBOX_APP_ID, { appId: SANDBOX_APP_ID, secret: SANDBOX_APP_SECRET });
    for (const a of SANDBOX_ADVERTISERS) this.advertisers.set(a.advertiserId, { ...a, appId: SANDBOX_APP_ID });
    this.tokens.set(SANDBOX_ACCESS_TOKEN, { token: SANDBOX_ACCESS_TOKEN, appId: SANDBOX_APP_ID, advertiserIds: SANDBOX_ADVERTISERS.map((a) => a.advertiserId), scope: [...SANDBOX_SCOPES], state: 'ok' });
    this.seedAds();
  }

  /** Campaigns and ad groups of every seeded advertiser; ids derive from the advertiser id (stable across restarts). */
  private seedAds(): void {
    for (const adv of SANDBOX_ADVERTISERS) {
      const tail = adv.advertiserId.slice(-2);
      SANDBOX_CAMPAIGNS.forEach((c, ci) => {
        const campaignId = `18${tail}0000000000000${ci + 1}`;
        this.campaigns.set(campaignId, { campaignId, advertiserId: adv.advertiserId, name: c.name, reachFrequency: c.reachFrequency });
        c.adGroups.forEach((name, gi) => {
          const adgroupId = `19${tail}000000000000${ci + 1}${gi + 1}`;
          this.adGroups.set(adgroupId, { adgroupId, advertiserId: adv.advertiserId, campaignId, name, reachFrequency: c.reachFrequency, include: [], exclude: [] });
        });
      });
    }
  }

  // ------------------------------------------------------------------ helpers for the server and tests

  /** A TikTok-looking request id: UTC timestamp + random hex. */
  newRequestId(): string {
    this.requestCounter++;
    const d = new Date(this.now()).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return `${d}${randomHex(this.random, 10).toUpperCase()}`;
  }

  /** The app a request counts against (for the app-level limit), if it can be told. */
  appOf(req: SimRequest): string {
    const header = headerValue(req.headers, 'access-token');
    if (header) {
      const t = this.tokens.get(header);
      if (t) return t.appId;
    }
    const id = req.query.get('app_id') ?? (typeof req.json.app_id === 'string' ? req.json.app_id : null);
    return id ?? 'unknown';
  }

  /** The app-level QPS/QPM limit (§6). Counts accepted requests only; answers 40100 naming the limit. */
  checkRateLimit(appId: string): void {
    const rl = this.settings.rateLimit;
    if (!rl) return;
    const now = this.now();
    const w = (this.rateWindows.get(appId) ?? []).filter((t) => t > now - 60_000);
    this.rateWindows.set(appId, w);
    if (w.filter((t) => t > now - 1000).length >= rl.qps) fail(40100, `Too many requests: the app's QPS limit (${rl.qps} per second) is reached. Retry after the current second.`);
    if (w.length >= rl.qpm) fail(40100, `Too many requests: the app's QPM limit (${rl.qpm} per minute) is reached. Retry in 5 minutes.`);
    w.push(now);
  }

  issueToken(appId = SANDBOX_APP_ID, advertiserIds?: string[], grants: { adAccountRead?: boolean; audience?: boolean } = {}): string {
    const token = `sbx${randomHex(this.random, 37)}`;
    const ids = advertiserIds ?? [...this.advertisers.values()].filter((a) => a.appId === appId).map((a) => a.advertiserId);
    const adAccountRead = grants.adAccountRead ?? true;
    const scope = [...((grants.audience ?? true) ? SANDBOX_SCOPES : []), ...(adAccountRead ? [AD_ACCOUNT_READ_SCOPE] : [])];
    this.tokens.set(token, { token, appId, advertiserIds: ids, scope, state: 'ok', adAccountRead });
    return token;
  }

  /** True when `uri` is registered on the sandbox app exactly (TikTok compares the whole string). */
  isRegisteredRedirect(uri: string): boolean {
    return this.settings.redirectUris.includes(uri);
  }

  setTokenState(token: string, state: Token['state']): boolean {
    const t = this.tokens.get(token);
    if (!t) return false;
    t.state = state;
    return true;
  }

  /** The consent page: approves at once and issues a one-time code. Throws for an unknown app. */
  authorize(appId: string): string {
    if (!this.apps.has(appId)) fail(40101, `Unknown app_id "${appId}".`);
    const code = `code${randomHex(this.random, 28)}`;
    this.authCodes.set(code, { code, appId, issuedAt: this.now(), used: false });
    return code;
  }

  snapshot(audienceId: string): AudienceSnapshot | undefined {
    const a = this.audiences.get(audienceId);
    if (!a) return undefined;
    const v = this.view(a);
    return {
      audienceId: a.audienceId,
      advertiserId: a.advertiserId,
      name: a.name,
      kind: a.kind,
      calculateType: a.calculateType,
      size: a.members.size,
      coverNum: v.coverNum,
      isValid: v.isValid,
      processing: v.processing,
      createdAt: a.createdAt,
      history: a.history.map((h) => ({ at: h.at, action: h.action, detail: h.detail })),
    };
  }

  listSnapshots(advertiserId?: string): AudienceSnapshot[] {
    return [...this.audiences.values()].filter((a) => !advertiserId || a.advertiserId === advertiserId).map((a) => this.snapshot(a.audienceId) as AudienceSnapshot);
  }

  /** A copy of an audience's membership (see the module comment for key formats). */
  membership(audienceId: string): Set<string> | undefined {
    const a = this.audiences.get(audienceId);
    return a ? new Set(a.members) : undefined;
  }

  /** Audience-modifying calls counted for an audience on a UTC day (default: today). */
  callsOn(audienceId: string, day = utcDay(this.now())): number {
    return this.dailyCalls.get(`${audienceId}|${day}`) ?? 0;
  }

  /** Ends processing now (one audience, or all). */
  settle(audienceId?: string): void {
    for (const a of this.audiences.values()) if (!audienceId || a.audienceId === audienceId) a.processingUntil = Math.min(a.processingUntil, this.now());
  }

  /** The rows an uploaded file contributed (tests inspect uploads). */
  fileRows(filePath: string): string[] | undefined {
    return this.files.get(filePath)?.rows.slice();
  }

  // ------------------------------------------------------------------ OAuth and accounts (§2)

  oauthAccessToken(req: SimRequest): unknown {
    const appId = str(req.json.app_id);
    const secret = str(req.json.secret);
    const authCode = str(req.json.auth_code);
    if (!appId || !secret || !authCode) fail(40000, 'app_id, secret and auth_code are required.');
    this.checkApp(appId as string, secret as string);
    const c = this.authCodes.get(authCode as string);
    if (!c || c.appId !== appId) fail(40110, 'Auth code is invalid.');
    const code = c as AuthCode;
    if (code.used) fail(40110, 'Auth code has been used.');
    if (this.now() - code.issuedAt > this.settings.authCodeTtlMs) fail(40110, 'Auth code has expired.');
    code.used = true;
    // What the user approved on the consent page: the permissions the sandbox app is set to grant.
    const token = this.issueToken(code.appId, undefined, { adAccountRead: this.settings.adAccountPermission, audience: this.settings.audiencePermission });
    const t = this.tokens.get(token) as Token;
    return { access_token: token, advertiser_ids: req.json.return_advertiser_ids === false ? [] : t.advertiserIds, scope: t.scope };
  }

  advertiserGet(req: SimRequest): unknown {
    const appId = req.query.get('app_id');
    const secret = req.query.get('secret');
    if (!appId || !secret) fail(40000, 'app_id and secret are required.');
    this.checkApp(appId as string, secret as string);
    const t = this.requireToken(req);
    if (t.appId !== appId) fail(40105, 'The access token does not belong to this app.');
    requireAdAccountRead(t);
    return { list: t.advertiserIds.map((id) => ({ advertiser_id: id, advertiser_name: this.advertisers.get(id)?.name ?? id })) };
  }

  advertiserInfo(req: SimRequest): unknown {
    const t = this.requireToken(req);
    requireAdAccountRead(t);
    const ids = arrayParam(req.query, 'advertiser_ids');
    if (!ids || ids.length === 0) fail(40000, 'advertiser_ids is required.');
    for (const id of ids as string[]) this.requireAdvertiser(t, id);
    return {
      list: (ids as string[]).map((id) => ({ advertiser_id: id, name: this.advertisers.get(id)?.name ?? id, status: 'STATUS_ENABLE', currency: 'USD', timezone: 'Etc/GMT', company: 'Cohort Relay Sandbox' })),
    };
  }

  userInfo(req: SimRequest): unknown {
    const t = this.requireToken(req);
    return { core_user_id: `core-${t.appId}`, display_name: 'Sandbox User', email: null };
  }

  revokeToken(req: SimRequest): unknown {
    const appId = str(req.json.app_id);
    const secret = str(req.json.secret);
    const token = str(req.json.access_token);
    if (!appId || !secret || !token) fail(40000, 'app_id, secret and access_token are required.');
    this.checkApp(appId as string, secret as string);
    const t = this.tokens.get(token as string);
    if (!t || t.appId !== appId || t.state === 'revoked') fail(40105, 'Access token is invalid.');
    (t as Token).state = 'revoked';
    return { app_id: appId, advertiser_ids: (t as Token).advertiserIds };
  }

  // ------------------------------------------------------------------ customer-file API (§3)

  fileUpload(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const field = (name: string): string | null => {
      const p = req.parts.find((x) => x.name === name && x.filename === null);
      return p ? p.data.toString('utf8') : null;
    };
    const advertiserId = field('advertiser_id');
    this.requireAdvertiser(t, advertiserId);
    const calculateType = field('calculate_type');
    if (!calculateType) fail(40000, 'calculate_type is required.');
    if (!UPLOAD_TYPES.includes(calculateType as string)) fail(40909, `calculate_type "${calculateType}" is not supported.`);
    if (req.bodyTooLarge) fail(40907, `The file is larger than ${this.settings.maxFileBytes} bytes.`);
    const file = req.parts.find((x) => x.name === 'file' && x.filename !== null);
    if (!file) fail(40000, 'file is required.');
    const f = file as SimRequest['parts'][number];
    if (!/\.(csv|txt)$/.test(f.filename ?? '')) fail(40908, 'Only supports CSV and TXT files. The file suffixes should exactly be .csv or .txt.');
    if (f.data.length === 0) fail(40906, 'The file is empty.');
    if (f.data.length > this.settings.maxFileBytes) fail(40907, `The file is larger than ${this.settings.maxFileBytes} bytes.`);
    const signature = field('file_signature');
    if (!signature) fail(40000, 'file_signature is required.');
    if (createHash('md5').update(f.data).digest('hex') !== signature) fail(40900, 'file_signature does not match the MD5 of the file.');
    const rows = parseFileRows(f.data, calculateType as string);
    // Expired files keep their entry (so later use answers 40910, as TikTok) but release their rows.
    for (const old of this.files.values()) if (old.rows.length > 0 && this.now() - old.uploadedAt > this.settings.fileTtlMs) old.rows = [];
    const filePath = randomHex(this.random, 16);
    this.files.set(filePath, { filePath, advertiserId: advertiserId as string, calculateType: calculateType as string, rows, uploadedAt: this.now() });
    return { file_path: filePath };
  }

  create(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const name = req.json.custom_audience_name;
    checkName(name);
    const calculateType = str(req.json.calculate_type);
    if (!calculateType || !CREATE_TYPES.includes(calculateType)) fail(40002, `calculate_type "${calculateType ?? ''}" is not valid for create.`);
    const retention = req.json.retention_in_days;
    if (retention !== undefined && (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 1 || retention > 365)) fail(40002, 'retention_in_days must be an integer from 1 to 365.');
    // The create yml marks both nullable: false, the sub type's enum strict and audience_enhancement a boolean.
    const subType = req.json.audience_sub_type;
    if (subType !== undefined && !(AUDIENCE_SUB_TYPES as readonly unknown[]).includes(subType)) fail(40002, `audience_sub_type "${String(subType)}" is not valid: use ${AUDIENCE_SUB_TYPES.join(' or ')}.`);
    const enhancement = req.json.audience_enhancement;
    if (enhancement !== undefined && typeof enhancement !== 'boolean') fail(40002, 'audience_enhancement must be true or false.');
    const files = this.useFiles(req.json.file_paths, advertiserId, calculateType as string, true);
    const now = this.now();
    this.audienceCounter++;
    const audienceId = String(7_300_000_000_000_000_000n + BigInt(this.audienceCounter) * 7919n);
    const members = new Set<string>();
    for (const f of files) for (const r of f.rows) members.add(r);
    const a: Audience = {
      audienceId,
      advertiserId,
      name: name as string,
      kind: 'file',
      calculateType: calculateType as string,
      members,
      createdAt: now,
      lastModifiedAt: now,
      processingUntil: now + this.settings.processingDelayMs,
      coverBefore: 0,
      retentionInDays: (retention as number | undefined) ?? null,
      history: [{ at: now, action: 'create', detail: String(members.size), msg: null }],
      subType: (subType as AudienceSubType | undefined) ?? 'NORMAL',
      enhancement: (enhancement as boolean | undefined) ?? false,
    };
    this.audiences.set(audienceId, a);
    this.countCall(audienceId);
    const key = this.settings.createIdKey;
    return key === 'both' ? { custom_audience_id: audienceId, audience_id: audienceId } : { [key]: audienceId };
  }

  update(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const a = this.requireAudience(advertiserId, str(req.json.custom_audience_id), 'file');
    const hasName = req.json.custom_audience_name !== undefined;
    const hasFiles = req.json.file_paths !== undefined;
    if (!hasName && !hasFiles) fail(40000, 'custom_audience_name or file_paths is required.');
    if (hasName) checkName(req.json.custom_audience_name);
    // §3.3: the default action is REPLACE (the trap the client avoids by always sending one).
    const action = req.json.action === undefined ? 'REPLACE' : str(req.json.action);
    if (!action || !['APPEND', 'REMOVE', 'REPLACE'].includes(action)) fail(40002, `action "${String(req.json.action)}" is not valid: use APPEND, REMOVE or REPLACE.`);
    if (this.isExpired(a)) fail(40002, 'The audience has expired and can only be deleted.');
    if (!hasFiles) {
      a.name = req.json.custom_audience_name as string;
      a.history.push({ at: this.now(), action: 'rename', detail: '', msg: null });
      return {};
    }
    try {
      const files = this.useFiles(req.json.file_paths, advertiserId, a.calculateType, false);
      const now = this.now();
      if (action === 'REPLACE' && a.replaceUntil !== undefined && now < a.replaceUntil) fail(40002, REPLACE_UNFINISHED_MESSAGE);
      // TikTok gives the same words while processing and once the audience is unavailable (under 1,000 matched).
      if (now < a.processingUntil) fail(40002, NOT_EDITABLE_MESSAGE);
      if (this.settings.unavailableBelowFloor && this.view(a).coverNum < AUDIENCE_FLOOR) fail(40002, NOT_EDITABLE_MESSAGE);
      this.checkDailyCap(a.audienceId);
      // Compute the resulting size first (the floor), then change the set in place: audiences reach millions.
      const rowCount = files.reduce((n, f) => n + f.rows.length, 0);
      let delta: Set<string>;
      let nextSize: number;
      if (action === 'APPEND') {
        delta = new Set();
        for (const f of files) for (const r of f.rows) if (!a.members.has(r)) delta.add(r);
        nextSize = a.members.size + delta.size;
      } else if (action === 'REMOVE') {
        delta = new Set();
        for (const f of files) for (const r of f.rows) if (a.members.has(r)) delta.add(r);
        nextSize = a.members.size - delta.size;
      } else {
        delta = new Set();
        for (const f of files) for (const r of f.rows) delta.add(r);
        nextSize = delta.size;
      }
      if (nextSize < AUDIENCE_FLOOR) fail(40002, `The audience size would be less than ${AUDIENCE_FLOOR} after this operation (${nextSize}).`);
      a.coverBefore = this.view(a).coverNum;
      if (action === 'APPEND') for (const r of delta) a.members.add(r);
      else if (action === 'REMOVE') for (const r of delta) a.members.delete(r);
      else a.members = delta;
      a.lastModifiedAt = now;
      a.processingUntil = now + this.settings.processingDelayMs;
      if (action === 'REPLACE') a.replaceUntil = now + (this.settings.replaceUnfinishedMs ?? this.settings.processingDelayMs);
      if (hasName) a.name = req.json.custom_audience_name as string;
      a.history.push({ at: now, action: (action as string).toLowerCase(), detail: String(rowCount), msg: null });
      this.countCall(a.audienceId);
      return {};
    } catch (err) {
      if (err instanceof SimApiError && this.settings.capCountsRefusedCalls && err.code !== 40100) this.countCall(a.audienceId);
      throw err;
    }
  }

  list(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, req.query.get('advertiser_id'));
    const page = intParam(req.query, 'page', 1);
    const pageSize = intParam(req.query, 'page_size', 10);
    if (page < 1) fail(40002, 'page must be at least 1.');
    if (pageSize < 1 || pageSize > 100) fail(40002, 'page_size must be from 1 to 100.');
    const ids = arrayParam(req.query, 'custom_audience_ids');
    if (ids && (ids.length < 1 || ids.length > 100)) fail(40002, 'custom_audience_ids must have 1 to 100 items.');
    // Owned and shared audiences alike (the list yml); is_creator tells them apart.
    const all = [...this.audiences.values()].filter((a) => this.isVisibleTo(a, advertiserId) && (!ids || ids.includes(a.audienceId)));
    const slice = all.slice((page - 1) * pageSize, page * pageSize);
    return {
      page_info: { page, page_size: pageSize, total_number: all.length, total_page: Math.ceil(all.length / pageSize) },
      list: slice.map((a) => {
        const { type, ...rest } = this.render(a, advertiserId);
        return { ...rest, audience_type: type };
      }),
    };
  }

  get(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, req.query.get('advertiser_id'));
    const ids = arrayParam(req.query, 'custom_audience_ids');
    if (!ids || ids.length < 1 || ids.length > 100) fail(40002, 'custom_audience_ids must have 1 to 100 items.');
    // The get yml: history_size 1–100, default 100.
    const historySize = intParam(req.query, 'history_size', 100);
    if (historySize < 1 || historySize > 100) fail(40002, 'history_size must be from 1 to 100.');
    // Unknown ids are left out of the answer (not an error): a caller compares what it asked with what came back.
    const found = (ids as string[]).map((id) => this.audiences.get(id)).filter((a): a is Audience => !!a && a.advertiserId === advertiserId);
    return {
      list: found.map((a) => ({
        // Keys of the get yml's response_rule beyond the list item; pop_resp_nullvalue: false keeps them when null.
        audience_details: { ...this.render(a), audience_enhancement: a.enhancement ?? false, enhancement_status: null },
        audience_history: a.history
          .slice(-historySize)
          .reverse()
          .map((h) => ({ opt_time: tiktokTime(h.at, this.settings.timeZoneOffsetMinutes), action: h.action, action_detail: h.detail, editor: 'open_api', msg: h.msg })),
      })),
    };
  }

  delete(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const ids = req.json.custom_audience_ids;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) fail(40002, 'custom_audience_ids must have 1 to 100 items.');
    const audiences = (ids as unknown[]).map((id) => this.requireAudience(advertiserId, str(id), 'any'));
    // Documented choice: an audience still attached to an ad group is refused (detach it with apply's Disconnect first).
    for (const a of audiences) {
      const using = [...this.adGroups.values()].filter((g) => g.include.includes(a.audienceId) || g.exclude.includes(a.audienceId));
      if (using.length > 0) fail(40002, `Custom audience ${a.audienceId} is used by ad group(s) ${using.map((g) => g.adgroupId).join(', ')}. Disconnect it from them before deleting it.`);
    }
    for (const a of audiences) {
      this.audiences.delete(a.audienceId);
      for (const [k, sh] of this.shares) if (sh.audienceId === a.audienceId) this.shares.delete(k);
    }
    return {};
  }

  // ------------------------------------------------------------------ segment API (§4)

  segmentAudience(req: SimRequest): unknown {
    if (!this.settings.segmentAllowlisted) fail(40118, 'The app is not in the whitelist of this feature (partner audiences).');
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const action = req.json.action === undefined ? 'create' : str(req.json.action);
    if (action === 'delete') {
      const a = this.requireAudience(advertiserId, str(req.json.delete_audience_id), 'partner');
      this.audiences.delete(a.audienceId);
      return {};
    }
    if (action !== 'create') fail(40002, `action "${String(req.json.action)}" is not valid: use create or delete.`);
    const raw = req.json.custom_audience_name;
    if (typeof raw !== 'string' || raw.length === 0) fail(40002, 'custom_audience_name is required.');
    const name = (raw as string).length > 70 ? `${(raw as string).slice(0, 67)}...` : (raw as string);
    const now = this.now();
    this.audienceCounter++;
    const audienceId = String(7_300_000_000_000_000_000n + BigInt(this.audienceCounter) * 7919n);
    this.audiences.set(audienceId, {
      audienceId,
      advertiserId,
      name,
      kind: 'partner',
      calculateType: 'MULTIPLE_TYPES',
      members: new Set(),
      createdAt: now,
      lastModifiedAt: now,
      processingUntil: now + this.settings.processingDelayMs,
      coverBefore: 0,
      retentionInDays: null,
      history: [{ at: now, action: 'create', detail: '0', msg: null }],
    });
    return { audience_id: audienceId };
  }

  segmentMapping(req: SimRequest): unknown {
    if (!this.settings.segmentAllowlisted) fail(40118, 'The app is not in the whitelist of this feature (partner audiences).');
    const t = this.requireToken(req);
    const advertiserIds = req.json.advertiser_ids;
    if (!Array.isArray(advertiserIds) || advertiserIds.length === 0) fail(40000, 'advertiser_ids is required.');
    for (const id of advertiserIds as unknown[]) this.requireAdvertiser(t, str(id));
    const action = req.json.action === undefined ? 'add' : str(req.json.action);
    if (action !== 'add' && action !== 'delete') fail(40002, `action "${String(req.json.action)}" is not valid: use add or delete.`);
    const schemaRaw = req.json.id_schema;
    if (!Array.isArray(schemaRaw) || schemaRaw.length === 0) fail(40002, 'id_schema is required.');
    const schema = (schemaRaw as unknown[]).map((s) => String(s).toUpperCase());
    for (const s of schema) {
      if (s.startsWith('GAID_')) fail(40002, `id_schema "${s}" is not valid: use ${s.replace('GAID_', 'AAID_')} for Android advertising ids.`);
      if (!SEGMENT_SCHEMAS[s]) fail(40002, `id_schema "${s}" is not valid.`);
    }
    if (new Set(schema).size !== schema.length) fail(40002, 'id_schema has duplicates.');
    const batch = req.json.batch_data;
    if (!Array.isArray(batch) || batch.length === 0) fail(40002, 'batch_data is required.');
    if ((batch as unknown[]).length > this.settings.segmentMaxBatchSize) fail(40061, `batch_data has ${(batch as unknown[]).length} rows; at most ${this.settings.segmentMaxBatchSize} are allowed.`);
    const ops: { key: string; audience: Audience }[] = [];
    (batch as unknown[]).forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== schema.length) fail(40002, `batch_data row ${r + 1} must have ${schema.length} elements (one per id_schema entry; {} when missing).`);
      (row as unknown[]).forEach((el, i) => {
        if (!el || typeof el !== 'object' || Array.isArray(el)) fail(40002, `batch_data row ${r + 1} element ${i + 1} must be an object.`);
        const item = el as { id?: unknown; audience_ids?: unknown };
        if (Object.keys(item).length === 0) return; // {} placeholder
        const s = schema[i] as string;
        if (typeof item.id !== 'string') fail(40002, `batch_data row ${r + 1} element ${i + 1} has no id.`);
        const id = item.id as string;
        if (!(SEGMENT_SCHEMAS[s] as RegExp).test(id)) {
          if (/^[0-9a-fA-F]+$/.test(id)) fail(40002, `batch_data row ${r + 1} element ${i + 1} is not a lowercase ${s} hash.`);
          fail(40062, `batch_data row ${r + 1} element ${i + 1} is not hashed (${s}).`);
        }
        const ids = item.audience_ids;
        if (!Array.isArray(ids) || ids.length === 0) fail(40002, `batch_data row ${r + 1} element ${i + 1} has no audience_ids.`);
        for (const aid of ids as unknown[]) {
          const a = this.audiences.get(str(aid) ?? '');
          if (!a || a.kind !== 'partner' || !(advertiserIds as unknown[]).includes(a.advertiserId)) fail(40002, `Parameter error: invalid audience ID ${String(aid)}.`);
          // A fresh partner audience is unknown to the mapping service for a while (Segment saw HTTP 400 + 40002).
          if (this.now() < (a as Audience).createdAt + this.settings.partnerReadyDelayMs) fail(40002, 'Parameter error: invalid audience ID', this.settings.partnerNotReadyHttpStatus);
          ops.push({ key: `${s}:${id}`, audience: a as Audience });
        }
      });
    });
    const now = this.now();
    const touched = new Set<Audience>();
    for (const op of ops) {
      if (action === 'add') op.audience.members.add(op.key);
      else op.audience.members.delete(op.key);
      touched.add(op.audience);
    }
    for (const a of touched) {
      a.lastModifiedAt = now;
      a.history.push({ at: now, action: action as string, detail: String(ops.filter((o) => o.audience === a).length), msg: null });
    }
    return {};
  }

  // ------------------------------------------------------------------ campaigns, ad groups, apply, lookalike, share (#14 §1)

  campaignGet(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, req.query.get('advertiser_id'));
    const filter = jsonParam(req.query, 'filtering');
    const ids = filter && Array.isArray(filter.campaign_ids) ? (filter.campaign_ids as unknown[]).map(String) : null;
    const all = [...this.campaigns.values()].filter((c) => c.advertiserId === advertiserId && (!ids || ids.includes(c.campaignId)));
    return paged(req.query, all, (c) => ({ campaign_id: c.campaignId, campaign_name: c.name, advertiser_id: c.advertiserId, operation_status: 'ENABLE', objective_type: c.reachFrequency ? 'REACH' : 'CONVERSIONS' }));
  }

  adgroupGet(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, req.query.get('advertiser_id'));
    const filter = jsonParam(req.query, 'filtering');
    const campaignIds = filter && Array.isArray(filter.campaign_ids) ? (filter.campaign_ids as unknown[]).map(String) : null;
    const adgroupIds = filter && Array.isArray(filter.adgroup_ids) ? (filter.adgroup_ids as unknown[]).map(String) : null;
    const all = [...this.adGroups.values()].filter((g) => g.advertiserId === advertiserId && (!campaignIds || campaignIds.includes(g.campaignId)) && (!adgroupIds || adgroupIds.includes(g.adgroupId)));
    return paged(req.query, all, (g) => ({
      adgroup_id: g.adgroupId,
      adgroup_name: g.name,
      campaign_id: g.campaignId,
      advertiser_id: g.advertiserId,
      operation_status: 'ENABLE',
      buying_type: g.reachFrequency ? 'RESERVATION_RF' : 'AUCTION',
      audience_ids: [...g.include],
      excluded_audience_ids: [...g.exclude],
    }));
  }

  /** Apply / Disconnect one audience to / from ad groups of the same advertiser (apply yml). */
  apply(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const action = req.json.action_mode;
    if (action !== 'Apply' && action !== 'Disconnect') fail(40002, `action_mode "${String(action ?? '')}" is not valid: use Apply or Disconnect.`);
    const usage = req.json.usage_mode;
    if (action === 'Apply' && usage !== 'Include' && usage !== 'Exclude') fail(40002, usage === undefined ? 'usage_mode is required when action_mode is Apply: use Include or Exclude.' : `usage_mode "${String(usage)}" is not valid: use Include or Exclude.`);
    const raw = req.json.custom_audience_id;
    if (Array.isArray(raw)) fail(40002, 'custom_audience_id takes one custom audience ID.');
    const a = this.visibleAudience(advertiserId, str(raw));
    const groupIds = req.json.adgroup_ids;
    if (!Array.isArray(groupIds) || groupIds.length === 0) fail(40002, 'adgroup_ids must have at least 1 item.');
    // Documented choice: 100 ad groups per call (the yml gives no limit; 100 is the limit of its sibling id lists).
    if ((groupIds as unknown[]).length > 100) fail(40011, `adgroup_ids has ${(groupIds as unknown[]).length} items; at most 100 are allowed.`);
    const groups = (groupIds as unknown[]).map((gid) => {
      const g = this.adGroups.get(str(gid) ?? '');
      if (!g || g.advertiserId !== advertiserId) fail(40002, `Ad group ${String(gid)} does not exist under advertiser ${advertiserId}: adgroup_ids and custom_audience_id must be under the same advertiser account.`);
      return g as SimAdGroup;
    });
    if (action === 'Apply') {
      if (a.kind === 'lookalike' && a.subType === 'REACH_FREQUENCY') fail(40002, 'A Lookalike Audience with the REACH_FREQUENCY sub type cannot be applied to ad groups.');
      for (const g of groups) if (a.kind === 'lookalike' && g.reachFrequency) fail(40002, `Lookalike Audience cannot be used in Reach & Frequency ads: ad group ${g.adgroupId} is a Reach & Frequency ad group.`);
      const v = this.view(a);
      if (!v.isValid) fail(40002, v.processing ? `Custom audience ${a.audienceId} is still being processed and cannot be applied yet.` : `Custom audience ${a.audienceId} is unavailable (fewer than ${AUDIENCE_FLOOR} matched users, or expired) and cannot be applied to ad groups.`);
    }
    const now = this.now();
    for (const g of groups) {
      g.include = g.include.filter((x) => x !== a.audienceId);
      g.exclude = g.exclude.filter((x) => x !== a.audienceId);
      const key = `${g.adgroupId}|${a.audienceId}`;
      if (action === 'Apply') {
        (usage === 'Include' ? g.include : g.exclude).push(a.audienceId);
        this.applied.set(key, { audienceId: a.audienceId, adgroupId: g.adgroupId, usageMode: usage as 'Include' | 'Exclude', at: now });
      } else {
        this.applied.delete(key);
      }
    }
    // Applying to an active ad group resets the expiry clock of an audience without retention_in_days (§6).
    if (action === 'Apply') a.lastModifiedAt = Math.max(a.lastModifiedAt, now);
    a.history.push({ at: now, action: action === 'Apply' ? 'apply' : 'disconnect', detail: groups.map((g) => g.adgroupId).join(','), msg: null });
    return {};
  }

  applyLog(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, req.query.get('advertiser_id'));
    const ids = arrayParam(req.query, 'custom_audience_ids');
    if (!ids || ids.length < 1 || ids.length > 100) fail(40002, 'custom_audience_ids must have 1 to 100 items.');
    for (const id of ids as string[]) {
      const a = this.audiences.get(id);
      if (!a || !this.isVisibleTo(a, advertiserId)) fail(40007, `Custom audience ${id} does not exist.`);
      if ((a as Audience).advertiserId !== advertiserId) fail(40002, `Advertiser ${advertiserId} is not the owner of custom audience ${id}; only the owner can read its application log.`);
    }
    const entries = [...this.applied.values()].filter((e) => (ids as string[]).includes(e.audienceId)).sort((x, y) => y.at - x.at);
    const out = paged(req.query, entries, (e) => ({
      audience_id: e.audienceId,
      adgroup_id: e.adgroupId,
      adgroup_name: this.adGroups.get(e.adgroupId)?.name ?? null,
      usage_mode: e.usageMode,
      action_timestamp: tiktokTime(e.at, this.settings.timeZoneOffsetMinutes),
      editor: 'open_api',
    }));
    return { ...out, advertiser_id: advertiserId };
  }

  lookalikeCreate(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    checkName(req.json.custom_audience_name);
    const spec = req.json.lookalike_spec;
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) fail(40002, 'lookalike_spec is required.');
    const sp = spec as Record<string, unknown>;
    for (const k of ['source_audience_id', 'include_source', 'mobile_os', 'placements', 'location_ids', 'audience_size']) if (sp[k] === undefined || sp[k] === null) fail(40002, `lookalike_spec.${k} is required.`);
    if (typeof sp.include_source !== 'boolean') fail(40002, 'lookalike_spec.include_source must be true or false.');
    if (!LOOKALIKE_OS.includes(String(sp.mobile_os))) fail(40002, `lookalike_spec.mobile_os "${String(sp.mobile_os)}" is not valid: use ${LOOKALIKE_OS.join(', ')}.`);
    if (!(String(sp.audience_size) in LOOKALIKE_REACH)) fail(40002, `lookalike_spec.audience_size "${String(sp.audience_size)}" is not valid: use NARROW, BALANCED or BROAD.`);
    if (!Array.isArray(sp.location_ids) || sp.location_ids.length === 0 || !(sp.location_ids as unknown[]).every((x) => typeof x === 'string' && x.length > 0)) fail(40002, 'lookalike_spec.location_ids must have at least 1 location ID.');
    if (!Array.isArray(sp.placements) || sp.placements.length === 0 || !(sp.placements as unknown[]).every((x) => LOOKALIKE_PLACEMENTS.includes(String(x)))) fail(40002, `lookalike_spec.placements must list ${LOOKALIKE_PLACEMENTS.join(' and/or ')}.`);
    const seed = this.requireAudience(advertiserId, str(sp.source_audience_id), 'any');
    if (seed.kind === 'lookalike') fail(40002, 'The source audience cannot be an existing lookalike audience.');
    const v = this.view(seed);
    if (v.processing) fail(40002, `The source audience ${seed.audienceId} is still being processed; try again once it is ready.`);
    if (v.coverNum < LOOKALIKE_MIN_SEED) fail(40002, `The size of the source audience should be no less than ${LOOKALIKE_MIN_SEED} (it has ${v.coverNum} matched users).`);
    const now = this.now();
    this.audienceCounter++;
    const audienceId = String(7_300_000_000_000_000_000n + BigInt(this.audienceCounter) * 7919n);
    const size = v.coverNum * (LOOKALIKE_REACH[String(sp.audience_size)] as number) + (sp.include_source ? v.coverNum : 0);
    this.audiences.set(audienceId, {
      audienceId,
      advertiserId,
      name: req.json.custom_audience_name as string,
      kind: 'lookalike',
      calculateType: seed.calculateType,
      members: new Set(),
      createdAt: now,
      lastModifiedAt: now,
      processingUntil: now + this.settings.processingDelayMs,
      coverBefore: 0,
      retentionInDays: null,
      history: [{ at: now, action: 'create', detail: '0', msg: null }],
      subType: seed.subType ?? 'NORMAL',
      lookalike: { spec: { ...sp, source_audience_id: seed.audienceId }, seedId: seed.audienceId, size },
    });
    return { custom_audience_id: audienceId };
  }

  lookalikeUpdate(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const ids = req.json.custom_audience_ids;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) fail(40002, 'custom_audience_ids must have 1 to 100 items.');
    const now2 = this.now();
    const list = (ids as unknown[]).map((id) => {
      const a = this.requireAudience(advertiserId, str(id), 'any');
      if (a.kind !== 'lookalike' || !a.lookalike) fail(40002, `Custom audience ${a.audienceId} is not a lookalike audience; only lookalike audiences can be refreshed.`);
      const seed = this.audiences.get((a.lookalike as NonNullable<Audience['lookalike']>).seedId);
      if (!seed) fail(40002, `The source audience of lookalike ${a.audienceId} was deleted, so it can no longer be refreshed.`);
      if (now2 < a.processingUntil) fail(40002, NOT_EDITABLE_MESSAGE);
      return { a, seed: seed as Audience };
    });
    for (const { a, seed } of list) {
      const v = this.view(seed);
      const la = a.lookalike as NonNullable<Audience['lookalike']>;
      la.size = v.coverNum * (LOOKALIKE_REACH[String(la.spec.audience_size)] as number) + (la.spec.include_source ? v.coverNum : 0);
      a.coverBefore = this.view(a).coverNum;
      a.lastModifiedAt = now2;
      a.processingUntil = now2 + this.settings.processingDelayMs;
      a.history.push({ at: now2, action: 'refresh', detail: '', msg: null });
    }
    return {};
  }

  share(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const ids = req.json.custom_audience_ids;
    if (!Array.isArray(ids) || ids.length < 1) fail(40002, 'custom_audience_ids must have 1 to 10 items.');
    if ((ids as unknown[]).length > 10) fail(40002, `custom_audience_ids has ${(ids as unknown[]).length} items; at most 10 audiences can be shared per request.`);
    const targets = req.json.shared_advertiser_ids;
    if (!Array.isArray(targets) || targets.length < 1) fail(40002, 'shared_advertiser_ids must have 1 to 10 items.');
    if ((targets as unknown[]).length > 10) fail(40002, `shared_advertiser_ids has ${(targets as unknown[]).length} items; at most 10 ad accounts can be shared with per request.`);
    const audiences = (ids as unknown[]).map((id) => this.requireAudience(advertiserId, str(id), 'any'));
    const bc = SANDBOX_BUSINESS_CENTER.advertisers.map((a) => a.advertiserId);
    const inBc = bc.includes(advertiserId);
    for (const x of targets as unknown[]) {
      const target = str(x) ?? '';
      if (target === advertiserId) fail(40002, `An audience cannot be shared with its own ad account ${advertiserId}.`);
      if (!inBc || !bc.includes(target)) fail(40002, `Ad account ${target} is not in the same Business Center as ${advertiserId}; audiences can only be shared within one Business Center.`);
    }
    const now = this.now();
    for (const a of audiences) {
      for (const x of targets as unknown[]) this.shares.set(`${a.audienceId}|${str(x)}`, { audienceId: a.audienceId, advertiserId: str(x) as string, at: now });
      a.history.push({ at: now, action: 'share', detail: (targets as unknown[]).map(String).join(','), msg: null });
    }
    return {};
  }

  shareCancel(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, str(req.json.advertiser_id));
    const a = this.requireAudience(advertiserId, str(req.json.custom_audience_id), 'any');
    const target = str(req.json.shared_advertiser_id);
    if (!target) fail(40002, 'shared_advertiser_id is required.');
    const key = `${a.audienceId}|${target}`;
    if (!this.shares.has(key)) fail(40002, `Custom audience ${a.audienceId} is not shared with ad account ${target}.`);
    this.shares.delete(key);
    // The ad account it was shared with loses it: its ad groups stop using it.
    for (const g of this.adGroups.values()) {
      if (g.advertiserId !== target) continue;
      g.include = g.include.filter((x) => x !== a.audienceId);
      g.exclude = g.exclude.filter((x) => x !== a.audienceId);
      this.applied.delete(`${g.adgroupId}|${a.audienceId}`);
    }
    a.history.push({ at: this.now(), action: 'share_cancel', detail: target as string, msg: null });
    return {};
  }

  shareLog(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, req.query.get('advertiser_id'));
    const a = this.requireAudience(advertiserId, req.query.get('custom_audience_id'), 'any');
    const names = new Map([...SANDBOX_BUSINESS_CENTER.advertisers, SANDBOX_FOREIGN_ADVERTISER].map((x) => [x.advertiserId, x.name]));
    const list = [...this.shares.values()]
      .filter((x) => x.audienceId === a.audienceId)
      .map((x) => ({ custom_audience_id: a.audienceId, shared_advertiser_id: x.advertiserId, shared_advertiser_name: names.get(x.advertiserId) ?? x.advertiserId, status: 'SHARED' }));
    return { list };
  }

  /**
   * audience/insight/overlap/ (SDK audience_insight_overlap.yml; field meanings from bububa's Go SDK): the benchmark
   * audience and up to 4 comparison audiences, each with its matched size, and for each comparison the share of the
   * benchmark's matched users it also holds (benchmark_overlap_rate, 0..1 here; TikTok's exact scale is not public) with
   * rounded ranges. Matched users only: an audience still processing or under the floor shows 0.
   */
  overlap(req: SimRequest): unknown {
    const t = this.requireToken(req);
    const advertiserId = this.requireAdvertiser(t, req.query.get('advertiser_id'));
    const benchmark = this.requireAudience(advertiserId, req.query.get('benchmark_custom_audience_id'), 'any');
    const ids = arrayParam(req.query, 'comparison_custom_audience_ids') ?? [];
    if (ids.length > 4) fail(40002, 'comparison_custom_audience_ids: at most 4 audiences can be compared with the benchmark.');
    const others = ids.map((id) => this.requireAudience(advertiserId, id, 'any'));
    const matched = (a: Audience) => (this.view(a).isValid ? this.view(a).coverNum : 0);
    const range = (n: number) => {
      if (n <= 0) return '0';
      const mag = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
      return `${Math.floor(n / mag) * mag}-${Math.ceil((n + 1) / mag) * mag}`;
    };
    const audience = (a: Audience) => ({ audience_id: a.audienceId, audience_name: a.name, audience_size: matched(a), targetable_users_count_range: range(matched(a)) });
    const base = matched(benchmark);
    const rate = this.settings.matchRate === 'exact' ? 1 : this.settings.matchRate;
    return {
      benchmark_audience: audience(benchmark),
      comparison_audiences: others.map((o) => {
        let both = 0;
        for (const m of o.members) if (benchmark.members.has(m)) both++;
        // Matched users in both: as many of the shared people as TikTok matches, never more than either audience matched.
        const count = base === 0 || matched(o) === 0 ? 0 : Math.min(base, matched(o), Math.floor(both * rate));
        const share = base === 0 ? 0 : count / base;
        return { ...audience(o), benchmark_overlap_rate: Math.round(share * 10_000) / 10_000, benchmark_overlap_rate_range: `${Math.floor(share * 10) * 10}%-${Math.min(100, Math.floor(share * 10) * 10 + 10)}%`, benchmark_overlap_count_range: range(count) };
      }),
    };
  }

  /** Ad groups using an audience (tests). */
  adGroupsUsing(audienceId: string): { adgroupId: string; usage: 'Include' | 'Exclude' }[] {
    const out: { adgroupId: string; usage: 'Include' | 'Exclude' }[] = [];
    for (const g of this.adGroups.values()) {
      if (g.include.includes(audienceId)) out.push({ adgroupId: g.adgroupId, usage: 'Include' });
      if (g.exclude.includes(audienceId)) out.push({ adgroupId: g.adgroupId, usage: 'Exclude' });
    }
    return out;
  }

  /** The ad accounts an audience is shared with (tests). */
  sharedWith(audienceId: string): string[] {
    return [...this.shares.values()].filter((x) => x.audienceId === audienceId).map((x) => x.advertiserId);
  }

  private isVisibleTo(a: Audience, advertiserId: string): boolean {
    return a.advertiserId === advertiserId || this.shares.has(`${a.audienceId}|${advertiserId}`);
  }

  /** An audience the advertiser owns or was shared with; otherwise 40007. */
  private visibleAudience(advertiserId: string, audienceId: string | null): Audience {
    const a = audienceId ? this.audiences.get(audienceId) : undefined;
    if (!a || !this.isVisibleTo(a, advertiserId)) fail(40007, `Custom audience ${audienceId ?? ''} does not exist.`);
    return a as Audience;
  }

  // ------------------------------------------------------------------ internals

  private checkApp(appId: string, secret: string): void {
    const app = this.apps.get(appId);
    if (!app || app.secret !== secret) fail(40101, 'app_id and secret do not match.');
  }

  private requireToken(req: SimRequest): Token {
    const value = headerValue(req.headers, 'access-token');
    if (!value) fail(40104, 'Access token is null, you should set it in http header with key Access-Token.');
    const t = this.tokens.get(value as string);
    if (!t || t.state === 'revoked') fail(40105, 'Access token is invalid or has been revoked.');
    if ((t as Token).state === 'expired') fail(40102, 'Access token has expired.');
    return t as Token;
  }

  private requireAdvertiser(t: Token, advertiserId: string | null | undefined): string {
    if (!advertiserId) fail(40000, 'advertiser_id is required.');
    if (!t.advertiserIds.includes(advertiserId as string)) fail(40001, `No permission to operate advertiser ${advertiserId}.`);
    return advertiserId as string;
  }

  private requireAudience(advertiserId: string, audienceId: string | null, kind: 'file' | 'partner' | 'any'): Audience {
    const a = audienceId ? this.audiences.get(audienceId) : undefined;
    if (!a || a.advertiserId !== advertiserId || (kind !== 'any' && a.kind !== kind)) fail(40007, `Custom audience ${audienceId ?? ''} does not exist.`);
    return a as Audience;
  }

  /** Validates file_paths for create/update: 1–500, known, same advertiser, not expired, same calculate_type. */
  private useFiles(raw: unknown, advertiserId: string, calculateType: string, creating: boolean): UploadedFile[] {
    if (!Array.isArray(raw) || raw.length === 0) fail(40002, 'file_paths must have 1 to 500 items.');
    // Documented choice: more than 500 answers 40011 (ID_LIMIT_EXCEED), which tells the client to split.
    if ((raw as unknown[]).length > 500) fail(40011, `file_paths has ${(raw as unknown[]).length} items; at most 500 are allowed.`);
    const now = this.now();
    return (raw as unknown[]).map((p) => {
      const f = this.files.get(str(p) ?? '');
      if (!f || f.advertiserId !== advertiserId) fail(40905, `file_path ${String(p)} does not exist for this advertiser.`);
      const file = f as UploadedFile;
      if (now - file.uploadedAt > this.settings.fileTtlMs) fail(40910, `file_path ${file.filePath} has expired; upload the file again.`);
      if (canonicalType(file.calculateType) !== canonicalType(calculateType)) {
        fail(40909, creating ? `The file ${file.filePath} was uploaded as ${file.calculateType}, not ${calculateType}.` : `The file ${file.filePath} is ${file.calculateType} but the audience is ${calculateType}.`);
      }
      return file;
    });
  }

  private checkDailyCap(audienceId: string): void {
    const cap = this.settings.dailyAudienceCallCap;
    // Documented choice for the cap's error: 40100 (REQUEST_TOO_FREQUENT) with a message naming the audience,
    // so clients classify it as "wait until the next UTC day" for this audience only (errors.ts).
    if (cap !== null && this.callsOn(audienceId) >= cap) fail(40100, `Audience update frequency limit reached: at most ${cap} calls per audience per day.`);
  }

  private countCall(audienceId: string): void {
    const key = `${audienceId}|${utcDay(this.now())}`;
    this.dailyCalls.set(key, (this.dailyCalls.get(key) ?? 0) + 1);
  }

  private expiresAt(a: Audience): number {
    return a.retentionInDays !== null ? a.createdAt + a.retentionInDays * DAY_MS : a.lastModifiedAt + 365 * DAY_MS;
  }

  private isExpired(a: Audience): boolean {
    return this.now() >= this.expiresAt(a);
  }

  private view(a: Audience): { coverNum: number; isValid: boolean; processing: boolean; isExpiring: boolean } {
    const now = this.now();
    if (this.isExpired(a)) return { coverNum: 0, isValid: false, processing: false, isExpiring: false };
    const isExpiring = this.expiresAt(a) - now <= 60 * DAY_MS;
    if (now < a.processingUntil) return { coverNum: a.coverBefore, isValid: false, processing: true, isExpiring };
    const rate = this.settings.matchRate;
    const coverNum = a.lookalike ? a.lookalike.size : rate === 'exact' ? a.members.size : Math.floor(a.members.size * rate);
    return { coverNum, isValid: coverNum >= AUDIENCE_FLOOR, processing: false, isExpiring };
  }

  private render(a: Audience, viewer = a.advertiserId): Record<string, unknown> & { type: string } {
    const v = this.view(a);
    const owner = viewer === a.advertiserId;
    return {
      audience_id: a.audienceId,
      name: a.name,
      type: a.kind === 'partner' ? 'Partner' : a.kind === 'lookalike' ? 'Lookalike Audience' : 'Customer File Audience',
      audience_sub_type: a.subType ?? 'NORMAL',
      calculate_type: a.calculateType,
      cover_num: v.coverNum,
      is_valid: v.isValid,
      is_expiring: v.isExpiring,
      shared: owner ? [...this.shares.values()].some((x) => x.audienceId === a.audienceId) : true,
      is_creator: owner,
      owner_id: a.advertiserId,
      is_auto_refresh: false,
      create_time: tiktokTime(a.createdAt, this.settings.timeZoneOffsetMinutes),
      expired_time: tiktokTime(this.expiresAt(a), this.settings.timeZoneOffsetMinutes),
      msg: null,
      error_msg: null,
      rule: null,
      // Set only for lookalike audiences (tiktok-api.md §3.4; the get yml's response_rule).
      lookalike_spec: a.lookalike?.spec ?? null,
    };
  }

  // ------------------------------------------------------------------ persistence (sandbox CLI)

  toJSON(): PersistedState {
    return {
      version: 1,
      audienceCounter: this.audienceCounter,
      tokens: [...this.tokens.values()].filter((t) => t.token !== SANDBOX_ACCESS_TOKEN),
      files: [...this.files.values()],
      audiences: [...this.audiences.values()].map((a) => ({ ...a, members: [...a.members] })),
      dailyCalls: [...this.dailyCalls.entries()],
      adGroups: [...this.adGroups.values()].map((g) => ({ adgroupId: g.adgroupId, include: g.include, exclude: g.exclude })),
      applied: [...this.applied.values()],
      shares: [...this.shares.values()],
    };
  }

  load(p: PersistedState): void {
    if (p.version !== 1) return;
    this.audienceCounter = p.audienceCounter;
    for (const t of p.tokens) this.tokens.set(t.token, t);
    for (const f of p.files) this.files.set(f.filePath, f);
    for (const a of p.audiences) this.audiences.set(a.audienceId, { ...a, members: new Set(a.members) });
    for (const [k, v] of p.dailyCalls) this.dailyCalls.set(k, v);
    for (const g of p.adGroups ?? []) {
      const cur = this.adGroups.get(g.adgroupId);
      if (cur) Object.assign(cur, { include: g.include, exclude: g.exclude });
    }
    for (const e of p.applied ?? []) this.applied.set(`${e.adgroupId}|${e.audienceId}`, e);
    for (const e of p.shares ?? []) this.shares.set(`${e.audienceId}|${e.advertiserId}`, e);
  }
}

/** What `--data DIR` keeps across restarts of `cohort-relay sandbox`. */
export interface PersistedState {
  version: 1;
  audienceCounter: number;
  tokens: Token[];
  files: UploadedFile[];
  audiences: (Omit<Audience, 'members'> & { members: string[] })[];
  dailyCalls: [string, number][];
  /** Audiences attached to the seeded ad groups, the latest Applies and shares (absent in states of older versions). */
  adGroups?: { adgroupId: string; include: string[]; exclude: string[] }[];
  applied?: ApplyEntry[];
  shares?: ShareEntry[];
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function headerValue(headers: SimRequest['headers'], name: string): string | null {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : null;
}

function checkName(name: unknown): void {
  if (typeof name !== 'string' || name.length < 1 || name.length > 128) fail(40002, 'custom_audience_name must be 1 to 128 characters.');
}

/** A GET parameter holding a JSON object (filtering), or null when absent. */
function jsonParam(q: URLSearchParams, name: string): Record<string, unknown> | null {
  const v = q.get(name);
  if (v === null || v === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return fail(40002, `${name} is not valid JSON.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) fail(40002, `${name} must be a JSON object.`);
  return parsed as Record<string, unknown>;
}

/** page / page_size (1–1000, default 10) of campaign/get, adgroup/get and apply/log, with TikTok's page_info. */
function paged<T>(q: URLSearchParams, all: T[], render: (t: T) => unknown): { list: unknown[]; page_info: { page: number; page_size: number; total_number: number; total_page: number } } {
  const page = intParam(q, 'page', 1);
  const pageSize = intParam(q, 'page_size', 10);
  if (page < 1) fail(40002, 'page must be at least 1.');
  if (pageSize < 1 || pageSize > 1000) fail(40002, 'page_size must be from 1 to 1000.');
  return { list: all.slice((page - 1) * pageSize, page * pageSize).map(render), page_info: { page, page_size: pageSize, total_number: all.length, total_page: Math.ceil(all.length / pageSize) } };
}

function intParam(q: URLSearchParams, name: string, dflt: number): number {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^-?\d+$/.test(v)) fail(40002, `${name} must be an integer.`);
  return Number(v);
}

/**
 * A GET array parameter in either form (§1 CONFLICT): a JSON string `ids=["1","2"]`, or repeated keys
 * `ids=1&ids=2`. Null when absent.
 */
export function arrayParam(q: URLSearchParams, name: string): string[] | null {
  const values = q.getAll(name);
  if (values.length === 0) return null;
  if (values.length === 1 && (values[0] as string).trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values[0] as string);
    } catch {
      return fail(40002, `${name} is not a valid JSON array.`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string' || typeof x === 'number')) fail(40002, `${name} must be an array of ids.`);
    return (parsed as (string | number)[]).map(String);
  }
  return values;
}

/**
 * The member keys of an uploaded file. Single type: one lowercase hash per line, no header, "\n" line ends
 * (one final newline allowed). MULTIPLE_TYPES: a header row of known columns, then rows of as many cells.
 * Anything else answers a parameter error (40002) naming the line.
 */
export function parseFileRows(data: Buffer, calculateType: string): string[] {
  if (calculateType === 'MULTIPLE_TYPES') {
    const lines = data.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines.some((l) => l.endsWith('\r'))) fail(40002, 'The file uses CRLF line endings; use one row per line separated by "\\n".');
    return parseMultiTypeRows(lines);
  }
  // Single type: a byte scan (files reach 50 MB; a split + regex per line is several times slower).
  const md5 = calculateType.endsWith('_MD5');
  const width = md5 ? 32 : 64;
  const rows: string[] = [];
  let pos = 0;
  while (pos < data.length) {
    const end = pos + width;
    let ok = end <= data.length && (end === data.length || data[end] === 0x0a);
    for (let i = pos; ok && i < end; i++) {
      const b = data[i] as number;
      ok = (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66);
    }
    if (!ok) badLine(data, pos, rows.length + 1, calculateType, md5 ? 'MD5' : 'SHA-256');
    rows.push(data.toString('latin1', pos, end));
    pos = end + 1;
  }
  if (rows.length === 0) fail(40906, 'The file has no ids.');
  return rows;
}

/** Fails with the reason a single-type line is not a lowercase hash. Never echoes the line: it may be a raw identifier. */
function badLine(data: Buffer, pos: number, lineNo: number, calculateType: string, kind: string): never {
  const nl = data.indexOf(0x0a, pos);
  const line = data.toString('utf8', pos, nl < 0 ? data.length : nl);
  if (line.endsWith('\r')) fail(40002, 'The file uses CRLF line endings; use one id per line separated by "\\n".');
  if (line === '') fail(40002, `Line ${lineNo} is empty; ${calculateType} files have one hash per line and no blank lines.`);
  if (lineNo === 1 && /[g-z_]/i.test(line)) fail(40002, `Line 1 looks like a header; ${calculateType} files have no header, one hash per line.`);
  return fail(40002, `Line ${lineNo} is not a lowercase ${kind} hash; ${calculateType} files have one hash per line.`);
}

function parseMultiTypeRows(lines: string[]): string[] {
  if (lines.length === 0) fail(40906, 'The file has no ids.');
  const headers = (lines[0] as string).split(',').map((h) => h.trim().toLowerCase());
  const counts = new Map<string, number>();
  for (const h of headers) {
    if (!(h in MULTI_HEADERS)) fail(40002, `Header "${h}" is not supported for MULTIPLE_TYPES (use MAID, phone_SHA256, email_SHA256, MAID_SHA256, MAID_MD5).`);
    counts.set(h, (counts.get(h) ?? 0) + 1);
    if ((counts.get(h) as number) > 3) fail(40002, `Header "${h}" appears more than 3 times.`);
  }
  const rows: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = (lines[i] as string).split(',');
    if (cells.length !== headers.length) fail(40002, `Line ${i + 1} has ${cells.length} fields but the header has ${headers.length}.`);
    const pairs: string[] = [];
    cells.forEach((c, j) => {
      if (c === '') return;
      const h = headers[j] as string;
      const re = MULTI_HEADERS[h];
      if (re && !re.test(c)) fail(40002, `Line ${i + 1}, column ${h}: not a lowercase hash.`);
      pairs.push(`${h}=${c}`);
    });
    if (pairs.length === 0) fail(40002, `Line ${i + 1} has no id.`);
    rows.push(pairs.sort().join(','));
  }
  if (rows.length === 0) fail(40906, 'The file has no ids.');
  return rows;
}
