/**
 * The TikTok error table (tiktok-api.md §7) and every retry decision, in one place.
 *
 * TikTok answers HTTP 200 with `code` in the body; only 0 (and 20001, partial success) is success. Every other
 * code, every HTTP 4xx/5xx, every network failure and every timeout becomes a `TikTokApiError` that carries:
 * - `category`: what the caller should do (retry | wait | reauth | fix-input | give-up | processing | split | reupload);
 * - `code`: the AppError code of shared/errors.ts, and a plain-language `message` naming the problem and the fix;
 * - `maybeApplied`: whether the request may have changed state at TikTok. The sync engine relies on it: after a
 *   lost response to an audience-modifying call it must verify (list/get) before sending the call again.
 *
 * Retries are decided only by `decideRetry`; no other module loops on its own.
 */
import { AppError, type ErrorCode } from '../../../shared/errors';

/** What to do about a failure. */
export type ErrorCategory =
  /** Transient: retry with bounded exponential backoff and jitter. */
  | 'retry'
  /** Rate limited: wait the time of §6 (next second, 5 minutes, or next 00:00 UTC), then retry. */
  | 'wait'
  /** The token no longer works (or lacks a scope): mark the connection "needs re-connect", stop, tell the user. */
  | 'reauth'
  /** The request is wrong: fix the input (or the client), do not retry as is. */
  | 'fix-input'
  /** Nothing the app can do automatically. */
  | 'give-up'
  /** 40002 while the audience is processing: not a failure; retry later (minutes to hours) and re-check with get. */
  | 'processing'
  /** Too many ids / files / rows in one request (40011, 40061, 40907): split it and retry. */
  | 'split'
  /** The uploaded file is unusable as is (40900 signature, 40905 missing, 40910 expired): upload it again. */
  | 'reupload';

export const ERROR_CATEGORIES: readonly ErrorCategory[] = ['retry', 'wait', 'reauth', 'fix-input', 'give-up', 'processing', 'split', 'reupload'];

/** One row of the TikTok code table. */
export interface TikTokCodeRule {
  /** TikTok's numeric code (the first code of a range for range rows). */
  code: number;
  /** The official name (tiktok-api.md §7, S3 `NumericErrorCodes`). */
  name: string;
  category: ErrorCategory;
  appCode: ErrorCode;
  /** Plain words: the problem and the fix. */
  message: string;
  /** True when the error itself says the change happened or may have happened (duplicate; server-side faults). */
  maybeApplied?: boolean;
  /** Lower bound for the retry delay (e.g. maintenance waits minutes). */
  minDelayMs?: number;
  /** Cap on automatic retries for this code (e.g. 40700: one retry). */
  maxRetries?: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const rule = (code: number, name: string, category: ErrorCategory, appCode: ErrorCode, message: string, extra: Partial<TikTokCodeRule> = {}): TikTokCodeRule => ({ code, name, category, appCode, message, ...extra });

const SERVER_FAULT = 'TikTok had an internal error. Nothing to do: Cohort Relay retries with back-off; if it repeats for hours, contact TikTok support with the request id.';

/**
 * Every code of tiktok-api.md §7, one row each. 40002 is refined by its message (see `classifyTikTokCode`);
 * 40100 by its message too (QPS / QPM / QPD / per-audience day). Ranges (51000–51099, 52xxx, 53xxx) are in
 * `TIKTOK_CODE_RANGES`.
 */
export const TIKTOK_ERROR_TABLE: Readonly<Record<number, TikTokCodeRule>> = Object.freeze(Object.fromEntries([
  rule(40000, 'INVALID_PARAMS', 'fix-input', 'INVALID_ARGUMENT', 'TikTok rejected the request parameters. This is a bug in the request; report it with the sync log.'),
  rule(40001, 'PERMISSION_ERROR', 'reauth', 'PERMISSION_DENIED', 'The TikTok connection has no permission for this operation on this ad account. Re-connect and approve Audience Management (read, create and update custom audiences).'),
  rule(40002, 'PARAM_ERROR', 'give-up', 'TIKTOK_REJECTED', 'TikTok rejected a parameter of the request. See the details in the sync log.'),
  rule(40006, 'VERSION_ERROR', 'give-up', 'TIKTOK_REJECTED', 'TikTok does not accept this API version. Update Cohort Relay.'),
  rule(40051, 'INVALID_API_VERSION', 'give-up', 'TIKTOK_REJECTED', 'TikTok does not accept this API version. Update Cohort Relay.'),
  rule(40007, 'NOT_EXIST', 'give-up', 'AUDIENCE_NOT_FOUND', 'The audience or file no longer exists at TikTok. Refresh the audience list; create a new audience for this cohort if it was deleted.'),
  rule(40008, 'NOT_IMPL', 'give-up', 'TIKTOK_REJECTED', 'TikTok does not offer this operation here. Check the API base (production vs sandbox) in Settings.'),
  rule(40009, 'UNSUPPORTED_IN_SANDBOX', 'give-up', 'TIKTOK_REJECTED', "TikTok's sandbox does not support audience operations. Use the production API or Cohort Relay's offline sandbox."),
  rule(40013, 'SANDBOX_ADV_NOT_EXIST', 'give-up', 'TIKTOK_REJECTED', "This ad account does not exist in TikTok's sandbox. Pick a sandbox ad account, or switch to production."),
  rule(40014, 'SANDBOX_UNAVAILABLE', 'give-up', 'TIKTOK_REJECTED', "TikTok's sandbox does not offer this operation. Use the production API or Cohort Relay's offline sandbox."),
  rule(40011, 'ID_LIMIT_EXCEED', 'split', 'INVALID_ARGUMENT', 'Too many ids in one request. Cohort Relay splits the request and retries.'),
  rule(40016, 'BIZ_FC_ERROR', 'wait', 'RATE_LIMITED', 'TikTok asked us to slow down (too many requests). Nothing to do: the sync waits and retries.'),
  rule(40050, 'DUPLICATED_REQUEST', 'give-up', 'TIKTOK_REJECTED', 'TikTok saw this request already. Cohort Relay checks the audience to confirm it was applied.', { maybeApplied: true }),
  rule(40061, 'INVALID_BATCH_SIZE', 'split', 'INVALID_ARGUMENT', 'The batch was too large for TikTok. Cohort Relay splits it and retries.'),
  rule(40062, 'PII_NOT_HASHED', 'fix-input', 'INVALID_ARGUMENT', 'TikTok found identifiers that are not hashed. Check the key mapping and the hash lab, then sync again.'),
  rule(40100, 'REQUEST_TOO_FREQUENT', 'wait', 'RATE_LIMITED', 'TikTok asked us to slow down (rate limit). Nothing to do: the sync waits and retries.'),
  rule(40101, 'INVALID_PARTNER', 'give-up', 'AUTH_FAILED', 'TikTok did not accept the app id and secret (or the sign-in code). Check the app id and secret of your TikTok developer app, then sign in again.'),
  rule(40102, 'ACCESS_TOKEN_EXPIRE', 'reauth', 'AUTH_EXPIRED', 'The TikTok access token has expired. Re-connect the TikTok account.'),
  rule(40104, 'EMPTY_ACCESS_TOKEN', 'reauth', 'AUTH_MISSING', 'No TikTok access token was sent. Re-connect the TikTok account.'),
  rule(40105, 'INVALID_ACCESS_TOKEN', 'reauth', 'AUTH_EXPIRED', 'TikTok no longer accepts this access token (revoked, or for another environment). Re-connect the TikTok account.'),
  // The token works, but not for this advertiser: that ad account needs attention, not the whole connection.
  rule(40106, 'INVALID_CORE_USER', 'reauth', 'ADVERTISER_UNREACHABLE', 'This TikTok connection cannot reach this ad account. Re-connect with a TikTok user who has access to it, or sync to an ad account the connection can reach.'),
  rule(40107, 'INVALID_REFRESH_TOKEN', 'reauth', 'AUTH_EXPIRED', 'TikTok advertiser tokens cannot be refreshed. Re-connect the TikTok account.'),
  rule(40110, 'AUTH_CODE_ERROR', 'reauth', 'AUTH_FAILED', 'The TikTok sign-in code was already used or expired (codes last 1 hour, single use). Sign in again.'),
  rule(40113, 'APP_FORBIDDEN', 'give-up', 'AUTH_FAILED', 'TikTok blocked or does not know this developer app. Check the app id and secret, and the app status in TikTok for Business.'),
  rule(40118, 'NOT_IN_WHITELIST', 'give-up', 'NOT_ALLOWLISTED', 'This TikTok developer app is not allowlisted for partner audiences. Use a customer-file audience instead, or ask your TikTok representative for access.'),
  rule(40119, 'NOT_SAME_IDENTITY', 'give-up', 'PERMISSION_DENIED', 'The developer app and the ad account do not belong to the same company at TikTok. Use an ad account of your own company.'),
  rule(40125, 'DEVELOPER_NO_PERMISSION', 'give-up', 'PERMISSION_DENIED', 'The TikTok developer app lacks the permission for this operation. Add the Audience Management permission to the app in TikTok for Business.'),
  rule(40130, 'SCOPE_NOT_AUTHORIZED', 'reauth', 'PERMISSION_DENIED', 'The TikTok connection was not granted the audience permissions. Re-connect and approve Audience Management.'),
  rule(40132, 'REQUEST_FREQUENCY_LIMITED', 'wait', 'RATE_LIMITED', 'TikTok asked us to slow down. Nothing to do: the sync waits and retries.'),
  rule(40133, 'ADVERTISER_QPS_LIMITED', 'wait', 'RATE_LIMITED', 'TikTok asked us to slow down for this ad account. Nothing to do: the sync waits and retries.'),
  rule(40200, 'GENERAL_TASK_ERROR', 'give-up', 'TIKTOK_REJECTED', 'A TikTok background task failed. Try the sync again; if it repeats, contact TikTok support with the request id.'),
  rule(40201, 'TASK_NOT_READY', 'retry', 'TIKTOK_UNAVAILABLE', 'A TikTok background task is not ready yet. Nothing to do: Cohort Relay checks again later.', { minDelayMs: 5 * SECOND }),
  rule(40202, 'WRITE_CONFLICT', 'retry', 'TIKTOK_UNAVAILABLE', 'TikTok reported a write conflict. Nothing to do: Cohort Relay retries with back-off.'),
  rule(40300, 'ADVERTISER_NOT_EXIST', 'fix-input', 'INVALID_ARGUMENT', 'TikTok does not know this ad account id. Pick the ad account again from the connected accounts.'),
  rule(40301, 'ADVERTISER_ROLE_ERROR', 'give-up', 'PERMISSION_DENIED', 'Your role on this ad account does not allow audience changes. Ask the account admin for access, or pick another ad account.'),
  rule(40700, 'RPC_VALIDATION_ERROR', 'retry', 'TIKTOK_REJECTED', 'TikTok rejected the request in an internal check. If it repeats, report it with the sync log.', { maxRetries: 1 }),
  rule(40900, 'SIGNATURE_ERROR', 'reupload', 'TIKTOK_REJECTED', "The uploaded file did not match its checksum (MD5). Nothing to do: Cohort Relay uploads it again; if it repeats, check the network (a proxy may alter uploads)."),
  rule(40905, 'FILE_NOT_EXIST', 'reupload', 'TIKTOK_REJECTED', 'TikTok no longer has the uploaded file. Nothing to do: Cohort Relay uploads it again.'),
  rule(40906, 'FILE_EMPTY', 'fix-input', 'INVALID_ARGUMENT', 'The uploaded file was empty. Check that the cohort has valid rows for the mapped key.'),
  rule(40907, 'FILE_TOO_LARGE', 'split', 'INVALID_ARGUMENT', 'The uploaded file was too large for TikTok. Cohort Relay splits it into smaller files and retries.'),
  rule(40908, 'FILE_TYPE_ERROR', 'fix-input', 'INVALID_ARGUMENT', 'TikTok accepts only .csv or .txt files. This is a bug in the upload; report it with the sync log.'),
  rule(40909, 'FILE_CALCULATE_TYPE_ERROR', 'fix-input', 'KEY_TYPE_LOCKED', "The file's key type does not match the audience's key type (calculate_type). Use the audience's key, or create a new audience for this key."),
  rule(40910, 'FILE_EXPIRED', 'reupload', 'TIKTOK_REJECTED', 'The uploaded file expired at TikTok before it was used. Nothing to do: Cohort Relay uploads it again.'),
  rule(40915, 'FILE_UPLOAD_INVALID', 'fix-input', 'INVALID_ARGUMENT', 'TikTok could not read the uploaded file. Check the key mapping and the hash lab, then sync again.'),
  rule(41000, 'BLOCKED', 'give-up', 'TIKTOK_REJECTED', 'TikTok blocks requests from this network location. Connect from a supported country.'),
  rule(41001, 'INTERFACE_OFFLINE', 'give-up', 'TIKTOK_REJECTED', 'TikTok retired this operation. Update Cohort Relay.'),
  rule(41002, 'FIELDS_OFFLINE', 'give-up', 'TIKTOK_REJECTED', 'TikTok retired a field of this operation. Update Cohort Relay.'),
  rule(50000, 'SYS_ERROR', 'retry', 'TIKTOK_UNAVAILABLE', SERVER_FAULT, { maybeApplied: true }),
  rule(50002, 'SYS_TIMEOUT', 'retry', 'TIKTOK_UNAVAILABLE', 'TikTok timed out internally. Nothing to do: Cohort Relay retries with back-off.', { maybeApplied: true }),
  rule(51003, 'DMP_ERROR', 'retry', 'TIKTOK_UNAVAILABLE', SERVER_FAULT, { maybeApplied: true }),
  rule(51063, 'SEGMENT_GATEWAY_SERVICE_ERROR', 'retry', 'TIKTOK_UNAVAILABLE', SERVER_FAULT, { maybeApplied: true }),
  rule(60001, 'MAINTENANCE', 'retry', 'TIKTOK_UNAVAILABLE', 'TikTok is in maintenance. Nothing to do: Cohort Relay retries in a few minutes.', { minDelayMs: MINUTE }),
  rule(61000, 'TOO_MANY_REQUESTS_BL', 'wait', 'RATE_LIMITED', 'TikTok asked us to slow down (too many requests). Nothing to do: the sync waits and retries.'),
].map((r) => [r.code, r])));

/** Ranges of internal-error codes (§7: 51000–51099 RPC, 52xxx/53xxx DB/storage): retry, bounded. */
export const TIKTOK_CODE_RANGES: readonly { from: number; to: number; rule: TikTokCodeRule }[] = [
  { from: 51000, to: 51099, rule: rule(51000, 'RPC_ERROR', 'retry', 'TIKTOK_UNAVAILABLE', SERVER_FAULT, { maybeApplied: true }) },
  { from: 52000, to: 52999, rule: rule(52000, 'DB_ERROR', 'retry', 'TIKTOK_UNAVAILABLE', SERVER_FAULT, { maybeApplied: true }) },
  { from: 53000, to: 53999, rule: rule(53000, 'STORAGE_ERROR', 'retry', 'TIKTOK_UNAVAILABLE', SERVER_FAULT, { maybeApplied: true }) },
];

/** A code the table does not know: TikTok refused, and we cannot tell why beyond its message. */
const UNKNOWN_CODE_RULE = rule(-1, 'UNKNOWN', 'give-up', 'TIKTOK_REJECTED', 'TikTok rejected the request. See the details in the sync log.');

/** Which limit a 40100 (or family) names. 'audience-day' is the per-audience daily call cap (§11). */
export type RateLimitScope = 'qps' | 'qpm' | 'qpd' | 'audience-day';

/** Codes TikTok returns for success (§1: 0 OK, 20001 partial success). */
export function isSuccessCode(code: number): boolean {
  return code === 0 || code === 20001;
}

/** 40002 messages that mean "the audience is busy processing; try later" (S7 causes list). */
const PROCESSING_PATTERN = /process|status|being (updated|calculated)|calculating|not editable/i;
/** 40002 messages about the 1,000 floor. */
const TOO_SMALL_PATTERN = /(less|fewer|smaller) than 1,?000|below 1,?000|under 1,?000|audience size/i;
/** 40002 messages about an unknown audience. */
const INVALID_AUDIENCE_PATTERN = /invalid audience id|audience (id )?(does not|doesn't) exist|audience not (found|exist)/i;
/**
 * TikTok's refusal of a REPLACE while an earlier REPLACE of the audience is unfinished (Census quotes it: "This
 * replace operation is rejected as there is an existing unfinished replace operation for this audience …"). Its
 * code is not documented, so the words decide, whatever the code.
 */
const REPLACE_PENDING_PATTERN = /unfinished replace|existing .{0,40}replace operation|replace operation is rejected/i;

/**
 * The rule for a TikTok code, refined by TikTok's message where one code has several meanings
 * (40002: processing / too small / unknown audience / other; 40100: which limit).
 */
export function classifyTikTokCode(code: number, tiktokMessage = ''): TikTokCodeRule & { rateLimitScope?: RateLimitScope } {
  if (!isSuccessCode(code) && REPLACE_PENDING_PATTERN.test(tiktokMessage)) {
    // Not a failure: the earlier REPLACE finishes at TikTok; the sync defers and does not REPLACE again for 24 h.
    return rule(code, TIKTOK_ERROR_TABLE[code]?.name ?? 'UNKNOWN', 'processing', 'REPLACE_PENDING', 'TikTok is still applying an earlier full replace of this audience and refuses another until it finishes. Nothing to do: the sync tries again later.');
  }
  if (code === 40002) {
    if (TOO_SMALL_PATTERN.test(tiktokMessage)) {
      return rule(40002, 'PARAM_ERROR', 'fix-input', 'AUDIENCE_TOO_SMALL', 'TikTok refused the change because the audience would have fewer than 1,000 people. Add more people, remove fewer, or create a new audience.');
    }
    if (INVALID_AUDIENCE_PATTERN.test(tiktokMessage)) {
      return rule(40002, 'PARAM_ERROR', 'give-up', 'AUDIENCE_NOT_FOUND', 'TikTok does not know this audience id for this ad account. Refresh the audience list; create a new audience for this cohort if it was deleted.');
    }
    if (PROCESSING_PATTERN.test(tiktokMessage)) {
      return rule(40002, 'PARAM_ERROR', 'processing', 'AUDIENCE_PROCESSING', 'TikTok is still processing this audience, so it cannot change yet. Nothing to do: the sync retries later.');
    }
  }
  const base = TIKTOK_ERROR_TABLE[code] ?? TIKTOK_CODE_RANGES.find((r) => code >= r.from && code <= r.to)?.rule ?? UNKNOWN_CODE_RULE;
  if (base.category === 'wait') {
    const scope = rateLimitScopeOf(tiktokMessage);
    if (scope === 'audience-day') {
      return { ...base, appCode: 'QUOTA_EXHAUSTED', message: "This audience has used today's TikTok calls. The rest is sent automatically when the next UTC day starts.", rateLimitScope: scope };
    }
    if (scope === 'qpd') {
      return { ...base, message: "The TikTok developer app has used its daily request quota. Nothing to do: syncs resume at 00:00 UTC.", rateLimitScope: scope };
    }
    if (scope === 'qpm') {
      return { ...base, message: 'TikTok asked us to slow down (per-minute limit of the developer app). Nothing to do: the sync waits about 5 minutes and retries.', rateLimitScope: scope };
    }
    return { ...base, rateLimitScope: scope };
  }
  return base;
}

/** Reads which limit a rate-limit message names; the short (QPS) wait when it names none (§6). */
export function rateLimitScopeOf(message: string): RateLimitScope {
  // The offline sandbox (and, per §11, TikTok) words the per-audience cap as an "audience ... frequency/limit".
  if (/audience/i.test(message) && /(frequency|per day|daily|limit)/i.test(message)) return 'audience-day';
  if (/\bQPD\b|per day|daily/i.test(message)) return 'qpd';
  if (/\bQPM\b|per minute/i.test(message)) return 'qpm';
  return 'qps';
}

/** How a request failed. */
export type FailureKind =
  /** TikTok answered with an error `code` in the envelope. */
  | 'api'
  /** HTTP 4xx/5xx: the request did not reach API logic (or a gateway failed). */
  | 'http'
  /** The connection failed. See `networkCode`. */
  | 'network'
  /** No answer within the timeout. */
  | 'timeout'
  /** The caller cancelled. */
  | 'aborted'
  /** HTTP 200 but not a TikTok envelope (e.g. a proxy page). */
  | 'invalid-response';

/** Everything known about a failed TikTok call. Never holds the token or any hash. */
export interface TikTokErrorInit {
  kind: FailureKind;
  endpoint: string;
  tiktokCode?: number | null;
  tiktokMessage?: string | null;
  httpStatus?: number | null;
  requestId?: string | null;
  /** Node/undici error code for network failures (ECONNREFUSED, UND_ERR_SOCKET, ...). */
  networkCode?: string | null;
  cause?: unknown;
}

/** A failed TikTok call: an AppError (code + plain message with the fix) plus TikTok's own details. */
export class TikTokApiError extends AppError {
  readonly kind: FailureKind;
  /** API path below /open_api/v1.3/, e.g. "dmp/custom_audience/update/". */
  readonly endpoint: string;
  readonly tiktokCode: number | null;
  readonly tiktokMessage: string | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly networkCode: string | null;
  readonly category: ErrorCategory;
  /**
   * True when the request may have changed state at TikTok (the response was lost, timed out, or TikTok
   * reported an internal fault). Conservative: true whenever we cannot prove the request did not apply.
   * False when TikTok answered with a refusal, or the connection certainly never carried the request.
   */
  readonly maybeApplied: boolean;
  /** For 'wait' errors: which limit. */
  readonly rateLimitScope: RateLimitScope | null;
  /** Table hints for decideRetry. */
  readonly minDelayMs: number;
  readonly maxRetries: number | null;

  constructor(init: TikTokErrorInit) {
    const c = classifyFailure(init);
    super(c.appCode, composeMessage(c.message, init), { retryable: RETRYABLE_CATEGORIES.has(c.category), cause: init.cause });
    this.name = 'TikTokApiError';
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.tiktokCode = init.tiktokCode ?? null;
    this.tiktokMessage = init.tiktokMessage ?? null;
    this.httpStatus = init.httpStatus ?? null;
    this.requestId = init.requestId ?? null;
    this.networkCode = init.networkCode ?? null;
    this.category = c.category;
    this.maybeApplied = c.maybeApplied;
    this.rateLimitScope = c.rateLimitScope ?? null;
    this.minDelayMs = c.minDelayMs ?? 0;
    this.maxRetries = c.maxRetries ?? null;
  }
}

const RETRYABLE_CATEGORIES: ReadonlySet<ErrorCategory> = new Set(['retry', 'wait', 'processing', 'split', 'reupload']);

function composeMessage(message: string, init: TikTokErrorInit): string {
  const facts: string[] = [];
  if (init.tiktokCode != null) facts.push(`TikTok code ${init.tiktokCode}`);
  if (init.httpStatus != null && init.httpStatus !== 200) facts.push(`HTTP ${init.httpStatus}`);
  if (init.networkCode) facts.push(init.networkCode);
  if (init.requestId) facts.push(`request id ${init.requestId}`);
  const said = init.tiktokMessage ? ` TikTok said: "${truncate(init.tiktokMessage, 300)}".` : '';
  return `${message}${said}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Network error codes that prove the request never reached the server (safe to resend anything). */
const NOT_SENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface Classified {
  category: ErrorCategory;
  appCode: ErrorCode;
  message: string;
  maybeApplied: boolean;
  rateLimitScope?: RateLimitScope;
  minDelayMs?: number;
  maxRetries?: number;
}

/** The single classification of every failure kind (the table for codes, fixed rules for the rest). */
export function classifyFailure(init: Pick<TikTokErrorInit, 'kind' | 'tiktokCode' | 'tiktokMessage' | 'httpStatus' | 'networkCode'> & { endpoint?: string }): Classified {
  const c = classifyKind(init);
  // The segment API does not know a partner audience for its first minute or two (tiktok-api.md, corrections): each
  // such answer is logged while the sync waits for it, so it says so. An older one is named by partner-sync.ts.
  if (c.appCode === 'AUDIENCE_NOT_FOUND' && init.endpoint?.startsWith('segment/mapping')) return { ...c, message: PARTNER_NOT_READY_MESSAGE };
  return c;
}

/** TikTok's answer to a mapping call naming a partner audience it does not know (yet). */
export const PARTNER_NOT_READY_MESSAGE =
  'TikTok does not know this partner audience yet: a new partner audience takes a minute or two before it takes people. Nothing to do: the sync retries it then.';

function classifyKind(init: Pick<TikTokErrorInit, 'kind' | 'tiktokCode' | 'tiktokMessage' | 'httpStatus' | 'networkCode'>): Classified {
  switch (init.kind) {
    case 'api': {
      const r = classifyTikTokCode(init.tiktokCode ?? -1, init.tiktokMessage ?? '');
      return { category: r.category, appCode: r.appCode, message: r.message, maybeApplied: r.maybeApplied ?? false, rateLimitScope: r.rateLimitScope, minDelayMs: r.minDelayMs, maxRetries: r.maxRetries };
    }
    case 'http': {
      // TikTok sometimes answers a refusal with HTTP 4xx and its envelope (e.g. 400 + 40002 "invalid audience ID"
      // for a partner audience that is not ready yet): the envelope's code says what it means.
      const status = init.httpStatus ?? 0;
      if (status >= 400 && status < 500 && status !== 429 && init.tiktokCode != null && !isSuccessCode(init.tiktokCode)) {
        const r = classifyTikTokCode(init.tiktokCode, init.tiktokMessage ?? '');
        return { category: r.category, appCode: r.appCode, message: r.message, maybeApplied: false, rateLimitScope: r.rateLimitScope, minDelayMs: r.minDelayMs, maxRetries: r.maxRetries };
      }
      return classifyHttpStatus(status);
    }
    case 'network': {
      const notSent = init.networkCode != null && NOT_SENT_NETWORK_CODES.has(init.networkCode);
      return {
        category: 'retry',
        appCode: 'NETWORK',
        message: notSent ? 'TikTok could not be reached. Check the internet connection; Cohort Relay retries.' : 'The connection to TikTok broke before its answer arrived. Nothing to do: Cohort Relay checks whether the change was applied and retries.',
        maybeApplied: !notSent,
      };
    }
    case 'timeout':
      return { category: 'retry', appCode: 'NETWORK', message: 'TikTok did not answer in time. Nothing to do: Cohort Relay checks whether the change was applied and retries.', maybeApplied: true };
    case 'aborted':
      return { category: 'give-up', appCode: 'CANCELLED', message: 'The request to TikTok was cancelled.', maybeApplied: true };
    case 'invalid-response':
      return { category: 'retry', appCode: 'TIKTOK_UNAVAILABLE', message: 'TikTok sent an answer Cohort Relay could not read (a proxy or outage page?). Nothing to do: Cohort Relay retries.', maybeApplied: true };
  }
}

/**
 * HTTP status → action (§7 last row). 4xx means the request did not reach API logic, so nothing applied.
 * 5xx is treated as maybe-applied: a gateway can fail after the backend acted, and we cannot tell.
 */
export function classifyHttpStatus(status: number): Classified {
  if (status === 429) return { category: 'wait', appCode: 'RATE_LIMITED', message: 'TikTok asked us to slow down. Nothing to do: the sync waits and retries.', maybeApplied: false, rateLimitScope: 'qps' };
  if (status === 408) return { category: 'retry', appCode: 'NETWORK', message: 'TikTok did not receive the request in time. Nothing to do: Cohort Relay retries.', maybeApplied: false };
  if (status === 401 || status === 403) return { category: 'reauth', appCode: 'AUTH_EXPIRED', message: 'TikTok refused the connection. Re-connect the TikTok account.', maybeApplied: false };
  if (status === 404 || status === 405) return { category: 'give-up', appCode: 'INTERNAL', message: 'TikTok does not know this address (wrong path or API base). Check the API base in Settings; otherwise report it.', maybeApplied: false };
  if (status === 413) return { category: 'split', appCode: 'INVALID_ARGUMENT', message: 'The request was too large for TikTok. Cohort Relay splits it and retries.', maybeApplied: false };
  if (status >= 500) return { category: 'retry', appCode: 'TIKTOK_UNAVAILABLE', message: 'TikTok is temporarily unavailable. Nothing to do: the sync retries with back-off.', maybeApplied: true };
  return { category: 'give-up', appCode: 'TIKTOK_REJECTED', message: 'TikTok refused the request before reading it. Report it with the sync log.', maybeApplied: false };
}

/**
 * When a failed call may be retried automatically:
 * - 'all': any retryable failure (reads, uploads: repeating them changes nothing at TikTok);
 * - 'safe-only': only failures that prove the request did not apply (`maybeApplied === false`: connection
 *   refused, DNS, rate limited, ...). Default for audience-modifying calls: a lost response must be checked by
 *   the sync engine, not blindly resent (a second create makes a duplicate audience, a second call spends quota);
 * - 'none': never.
 */
export type RetryMode = 'all' | 'safe-only' | 'none';

export interface RetryPolicy {
  mode: RetryMode;
  /** Total attempts including the first (default 4). */
  maxAttempts: number;
  /** First backoff step (default 500 ms), doubled per attempt. */
  baseDelayMs: number;
  /** Cap of one backoff step (default 30 s). */
  maxDelayMs: number;
  /** The longest wait the client sleeps through itself; longer waits are returned to the caller (default 60 s). */
  maxWaitMs: number;
  /** [0,1) source for jitter; inject for deterministic tests. */
  random: () => number;
  /** Epoch ms; inject for tests (used for "next second" and "next 00:00 UTC"). */
  now: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  mode: 'all',
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30 * SECOND,
  maxWaitMs: MINUTE,
  random: Math.random,
  now: Date.now,
};

/** A retry decision. `delayMs` is meaningful even when `retry` is false: the caller may schedule a later try. */
export interface RetryDecision {
  retry: boolean;
  /** How long to wait before the next try (0 when nothing would help). */
  delayMs: number;
  /** Epoch ms of the next try (now + delayMs), for schedulers. */
  retryAt: number;
  /** Why, in a few words, for logs and tests. */
  reason: string;
}

/** The QPM wait of §6. */
export const QPM_WAIT_MS = 5 * MINUTE;
/** Suggested first re-check of an audience that is processing (TikTok takes minutes to hours). */
export const PROCESSING_RECHECK_MS = 10 * MINUTE;

/**
 * The only place that decides whether and when to retry. `attempt` is the number of the attempt that just
 * failed (1 = the first try).
 */
export function decideRetry(error: unknown, attempt: number, policy: Partial<RetryPolicy> = {}): RetryDecision {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...policy };
  const now = p.now();
  const no = (reason: string, delayMs = 0): RetryDecision => ({ retry: false, delayMs, retryAt: now + delayMs, reason });
  if (!(error instanceof TikTokApiError)) return no('not a TikTok call failure');

  const delay = suggestedDelay(error, attempt, p, now);
  if (delay === null) return no(`category ${error.category}: retrying as is cannot help`);
  if (error.category === 'processing') return no('audience processing: the caller re-checks later', delay);
  if (p.mode === 'none') return no('retries disabled for this call', delay);
  if (p.mode === 'safe-only' && error.maybeApplied) return no('the request may have been applied: verify before resending', delay);
  if (attempt >= p.maxAttempts) return no(`gave up after ${attempt} attempts`, delay);
  if (error.maxRetries != null && attempt > error.maxRetries) return no(`code ${error.tiktokCode} allows ${error.maxRetries} retry`, delay);
  if (delay > p.maxWaitMs) return no(`wait of ${Math.round(delay / 1000)} s is longer than the client waits`, delay);
  return { retry: true, delayMs: delay, retryAt: now + delay, reason: `${error.category} after attempt ${attempt}` };
}

/** The wait before the next try, or null when waiting cannot help (reauth, fix-input, give-up, split, reupload). */
function suggestedDelay(error: TikTokApiError, attempt: number, p: RetryPolicy, now: number): number | null {
  const growth = 2 ** Math.max(0, attempt - 1);
  switch (error.category) {
    case 'retry': {
      const step = Math.min(p.maxDelayMs, p.baseDelayMs * growth);
      // "Equal jitter": half fixed, half random, so retries of many clients spread out yet still back off.
      const jittered = Math.round(step / 2 + (step / 2) * p.random());
      return Math.max(jittered, error.minDelayMs);
    }
    case 'wait':
      switch (error.rateLimitScope ?? 'qps') {
        case 'qps': {
          // §6: retry after the current second; grows (1 s, 2 s, 4 s ...) if the limit keeps answering.
          const toNextSecond = 1000 - (now % 1000);
          return Math.min(p.maxDelayMs, toNextSecond + 1000 * (growth - 1)) + Math.round(100 * p.random());
        }
        case 'qpm':
          return QPM_WAIT_MS;
        case 'qpd':
        case 'audience-day':
          return msUntilNextUtcMidnight(now);
      }
      return null;
    case 'processing':
      return Math.min(6 * HOUR, PROCESSING_RECHECK_MS * growth);
    case 'reauth':
    case 'fix-input':
    case 'give-up':
    case 'split':
    case 'reupload':
      return null;
  }
}

/** Categories of refusals TikTok gives before the request reaches the audience (see refusalCountsAgainstAudience). */
const REFUSED_BEFORE_AUDIENCE: ReadonlySet<ErrorCategory> = new Set(['wait', 'reauth', 'fix-input', 'split', 'reupload']);

/**
 * Whether TikTok counts an audience change it refused against the audience's daily calls (tiktok-api.md §11). TikTok
 * documents neither the limit's counting nor its refusal (§11 and the corrections at the top), so the rule follows
 * where in TikTok's handling each refusal of the table above arises:
 * - not counted: refusals before the request reaches the audience. Rate limits are applied by the gateway to the
 *   developer app ('wait': 40016, 40100, 40132, 40133, 61000, HTTP 429) — and a per-audience-day 40100 is the
 *   counter itself saying no, not a call it counted; the token ('reauth'); the request's own parameters and file
 *   paths ('fix-input', 'split', 'reupload': 40000, 40011, 40062, 40300, 40900–40915 — an expired file_path, 40910,
 *   is refused when the paths are resolved, before any audience is looked at); and an HTTP 4xx without TikTok's
 *   envelope (it never reached API logic, §1). Counting these would let a throttled or re-uploaded day of calls
 *   run out without TikTok having counted one: under 50 % rate limiting a first sync took three days.
 * - counted (the safe side): refusals about the audience itself — 40002 processing or not editable (the corrections:
 *   retrying a not-editable audience "only spends the audience's daily calls"), under the 1,000 floor, a REPLACE
 *   while one is unfinished — and 40007, server faults, and codes the table does not know.
 */
export function refusalCountsAgainstAudience(e: TikTokApiError): boolean {
  if (e.code === 'AUDIENCE_TOO_SMALL' || e.code === 'REPLACE_PENDING') return true;
  if (e.kind === 'http' && e.tiktokCode == null) return false;
  return !REFUSED_BEFORE_AUDIENCE.has(e.category);
}

/** Milliseconds from `now` to the next 00:00:00.000 UTC (never 0: at midnight exactly, the next one). */
export function msUntilNextUtcMidnight(now: number): number {
  const d = new Date(now);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return next - now;
}
