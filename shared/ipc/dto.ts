/**
 * The plain data that crosses IPC: what the renderer is shown. JSON-safe (strings, numbers, booleans,
 * arrays, plain objects; dates as ISO-8601 strings), so the same values travel over Electron's IPC and the
 * web host's WebSocket. Never a token, never an app secret, never SQL, never hashes.
 */
import type { CalculateType, KeySlot, KeyType, NormalizationProfile, RejectReason } from '../domain';
import type { AppErrorShape } from '../errors';

/** ISO-8601 timestamp (UTC, with `Z`). */
export type IsoTime = string;

// ── Connections ──────────────────────────────────────────────────────────────

/** Which TikTok the engine talks to. `offline-sandbox` is the built-in simulator (no network). */
export const API_ENVIRONMENTS = ['production', 'tiktok-sandbox', 'offline-sandbox'] as const;
export type ApiEnvironment = (typeof API_ENVIRONMENTS)[number];

export interface AdvertiserView {
  advertiserId: string;
  name: string;
}

/** A TikTok connection as the renderer sees it: metadata only. The token stays in the keychain. */
export interface ConnectionView {
  id: string;
  label: string;
  kind: 'oauth' | 'token' | 'sandbox';
  /** The user's TikTok developer app id (public); null for a pasted token without one, and for the sandbox. */
  appId: string | null;
  environment: ApiEnvironment;
  status: 'ok' | 'needs_reconnect';
  /** Plain words when status is needs_reconnect. */
  statusMessage: string | null;
  createdAt: IsoTime;
  lastCheckedAt: IsoTime | null;
  advertisers: AdvertiserView[];
  /** A plain note about the connection, e.g. that TikTok did not name its ad accounts and which permission would; null when none. */
  notice: string | null;
}

/**
 * The OAuth redirect URL: TikTok sends the browser back only to a URL registered on the developer app, so
 * the user registers this exact one there.
 */
export interface RedirectUriView {
  /** The URL sign-in uses now. */
  redirectUri: string;
  /** Cohort Relay's documented default (http://127.0.0.1:28561/oauth/callback). */
  defaultRedirectUri: string;
  /** Where `redirectUri` comes from; 'env' means TIKTOK_REDIRECT_URI is set and wins over the setting. */
  source: 'default' | 'setting' | 'env';
}

/** A browser sign-in waiting for TikTok's redirect: the link to open (or copy) and when the wait ends. */
export interface SignInWaiting {
  /** TikTok's consent page for this sign-in (carries the app id and a one-time state, never a secret). */
  url: string;
  redirectUri: string;
  expiresAt: IsoTime;
}

// ── Import (preview, hash lab, validation) ──────────────────────────────────

/** What a column looks like: a key type, an existing SHA-256 hash, or nothing recognizable. */
export type DetectedKind = KeyType | 'sha256' | null;

export interface ColumnView {
  index: number;
  /** Header text, or `Column N` when the file has no header row. */
  name: string;
  detected: DetectedKind;
  /** Share of sampled non-empty cells that matched `detected`, 0..1. */
  confidence: number;
  /**
   * Share of the sampled rows (blank cells included) whose cell normalizes to a usable `detected` key, 0..1:
   * "Email — 96 % usable". Absent when nothing was detected or the column holds hashes.
   */
  usable?: number;
  /** Numeric ids (an `amplitude_id`, a `user_id`): never proposed as phones, and flagged when mapped as one. */
  numericId?: boolean;
  /** Ad ids of both platforms (uppercase IDFAs and lowercase GAIDs) in one column. */
  mixedPlatforms?: { idfa: number; gaid: number };
  /** The column holds platform names (ios / android): what tells IDFAs from GAIDs in a mixed column. */
  platform?: boolean;
  /** The column holds ISO country codes (DE, US…): phones in national format can be read with them. */
  country?: boolean;
}

/** The first rows of a file, read without loading the whole file. */
export interface PreviewView {
  path: string;
  fileName: string;
  sizeBytes: number;
  delimiter: string;
  encoding: string;
  /** The first row was taken as the header (the wizard says "first row used as header"). */
  hasHeader: boolean;
  /**
   * True when that header is only a guess (no column's cells told it from the data below): a mapping
   * saved from this preview should name columns by 0-based index, not by the first row's text.
   */
  headerDoubtful?: boolean;
  columns: ColumnView[];
  /** The first rows (cells as text), for display only. */
  rows: string[][];
  /** Estimated data rows from the file size and the sampled row length; null when unknown. */
  estimatedRows: number | null;
  /** The best guess for the key column, or null when no column looks like a key. */
  suggested: { column: number; key: KeyType } | null;
  /** One detected column per key slot (email, phone, mobile ad id), when more than one: "match on several keys". */
  proposedKeys?: { column: number; key: KeyType }[];
  /** A record id or name column (id, user_id, record_id, name…) that rejects carry by default, or null. */
  recordColumn?: number | null;
}

/** One typed value through normalization and hashing: the value never leaves the engine's memory. */
export interface TryValueView {
  normalized: string | null;
  hash: string | null;
  passthrough: boolean;
  reject: RejectReason | null;
}

/** One sample row in the hash lab: raw → normalized → hash, or the reason it is rejected. */
export interface HashLabRow {
  /** 1-based line number in the file (the header is line 1 when present). */
  line: number;
  raw: string;
  normalized: string | null;
  hash: string | null;
  /** True when the value already was a SHA-256 hash and passed through (lowercased), not hashed again. */
  passthrough: boolean;
  reject: RejectReason | null;
  /**
   * A key read from several columns (Email, Email 2): each column's value in this row, in mapping order (the fields
   * above are the first one's). Absent for a key read from one column.
   */
  values?: HashLabValue[];
}

/** One column's value in a hash-lab row of a key read from several columns. */
export interface HashLabValue {
  /** The column's name (header, or "Column N"). */
  column: string;
  raw: string;
  normalized: string | null;
  hash: string | null;
  passthrough: boolean;
  reject: RejectReason | null;
}

/** TikTok's published example hashes (tiktok-api.md §12), recomputed with the chosen profile. */
export interface SelfTestVector {
  label: string;
  key: KeyType;
  input: string;
  expected: string;
  actual: string | null;
  ok: boolean;
}

export interface HashLabView {
  rows: HashLabRow[];
  /** Sampled rows whose value normalization changes (" Alice@Example.COM " → "alice@example.com"), at most 10. */
  changed?: HashLabRow[];
  selfTest: SelfTestVector[];
}

export interface RejectSample {
  line: number;
  reason: RejectReason;
  /** The offending cell, shortened for display. */
  value: string;
  /** The row's record id or name (the column the user chose to carry), when one was chosen. */
  record?: string;
}

/** Validation summary of a whole file with one key mapping and profile. */
export interface ValidationView {
  rowsRead: number;
  valid: number;
  rejected: number;
  duplicates: number;
  byReason: Partial<Record<RejectReason, number>>;
  /** The first rejects, for display; "Export rejects" writes all of them. */
  rejectsSample: RejectSample[];
  /** The column whose value the rejects carry (`record`), when one was carried. */
  recordColumn?: string;
}

export interface ExportView {
  outPath: string;
  written: number;
  /** The web host: the report's download address on the host (the page adds its token and downloads it). */
  download?: string;
}

// ── Audiences ────────────────────────────────────────────────────────────────

export type Cadence =
  | { kind: 'manual' }
  | { kind: 'once'; at: IsoTime }
  | { kind: 'hourly' }
  /** `at` is local wall-clock time "HH:MM". */
  | { kind: 'daily'; at: string }
  /** weekday 0 = Sunday … 6 = Saturday; `at` is local "HH:MM". */
  | { kind: 'weekly'; weekday: number; at: string };

export interface KeyMapping {
  key: KeyType;
  /** Header name or 0-based index. */
  column: string | number;
  /** Phone only: the column of ISO country codes ("country from column X") for numbers in national format. */
  countryColumn?: string | number;
  /** Further columns of the same key (a person with two or three emails), in single-key and multi-key audiences alike. */
  extraColumns?: (string | number)[];
}

/** The state badge of an audience, from TikTok's status and our own (tiktok-api.md §3.5, §6). */
export const AUDIENCE_STATES = ['processing', 'available', 'unavailable', 'expiring', 'expired', 'needs_reconnect', 'error', 'never_synced'] as const;
export type AudienceState = (typeof AUDIENCE_STATES)[number];

/** Words for each state, shared by the table, the tray and notifications. */
export const AUDIENCE_STATE_LABELS: Record<AudienceState, string> = {
  processing: 'Processing at TikTok',
  available: 'Available',
  unavailable: 'Unavailable (under 1,000)',
  expiring: 'Expiring soon',
  expired: 'Expired',
  needs_reconnect: 'Re-connect needed',
  error: 'Error',
  never_synced: 'Never synced',
};

/**
 * Where the audience's last sync left it, when that was not simply "done": what TikTok acknowledged, what is still to
 * send, and when the rest goes. `partly_synced`: the run failed after some calls went through. `retrying`: TikTok was
 * still processing (or asked to slow down); the next try is at `until`. `cancelled`: stopped by the user. `waiting_quota`:
 * today's calls are used; the rest goes at `until` (UTC midnight). `waiting_replace`: TikTok's one full replace a day.
 * `waiting_cohort`: saved as "start when the cohort reaches 1,000"; `size` is the file's count. `up_to_date`: the file
 * matched what TikTok has, nothing was sent (not an error).
 */
export interface SyncNoteView {
  /** `floor_blocked`: the last sync would have left fewer than 1,000 people, so nothing was sent; `size` is what it would have left. */
  kind: 'partly_synced' | 'retrying' | 'cancelled' | 'waiting_quota' | 'waiting_replace' | 'waiting_cohort' | 'floor_blocked' | 'up_to_date';
  runId: number | null;
  /** People TikTok acknowledged in that run. */
  added: number;
  removed: number;
  /** People that run still had to send (a later run sends them). */
  addsLeft: number;
  removesLeft: number;
  /** Audience-modifying calls that run spent. */
  callsUsed: number;
  /** When the rest is sent (next try, next UTC day, the replace window); null when it waits on the user or the file. */
  until: IsoTime | null;
  /** waiting_cohort: people in the file at the last check (null before a sync read it); floor_blocked: the size the sync would have left. */
  size: number | null;
}

/** One row of the audiences table. */
/** What changing a saved audience's columns does (`audiences:setColumns`), asked before saving and answered after. */
export interface ColumnsChangeView {
  /** The columns differ from the saved ones. */
  changes: boolean;
  /** The next sync replaces the whole audience at TikTok (a full REPLACE, one a day): the stored membership is set aside. */
  fullReplace: boolean;
  /** Why the change is refused, in plain words; null when it can be saved. */
  refusal: string | null;
  /** The audience, as saved (save: true) or as it stands. */
  audience: AudienceView;
}

export interface AudienceView {
  id: number;
  name: string;
  connectionId: string | null;
  advertiserId: string;
  /** Null until the first sync creates it at TikTok. */
  tiktokAudienceId: string | null;
  keys: KeyMapping[];
  calculateType: CalculateType;
  /** 'file': a customer-file audience; 'segment': a partner audience (TikTok's segment API, no daily change cap). */
  api: 'file' | 'segment';
  profile: NormalizationProfile;
  sourceKind: 'file' | 'folder';
  sourcePath: string | null;
  /** For a folder source: which files count (glob); the newest match is used. */
  sourcePattern: string | null;
  suppressPath: string | null;
  cadence: Cadence;
  paused: boolean;
  state: AudienceState;
  /** Plain words for error / needs_reconnect / unavailable states, with the fix. */
  stateMessage: string | null;
  /** TikTok's matched size (cover_num); null before TikTok reports one. */
  coverNum: number | null;
  /** Distinct valid keys in our last synced snapshot. */
  localSize: number;
  lastSync: IsoTime | null;
  nextSync: IsoTime | null;
  /** Audience-modifying calls left in this UTC day's budget. */
  callsLeftToday: number;
  dailyBudget: number;
  /** When TikTok will expire the audience if untouched (12 months after the last modification). */
  expiresAt: IsoTime | null;
  /** True while a run for this audience is in progress. */
  running: boolean;
  /** The largest share (%) of the audience one sync may remove without asking; null: no limit. */
  removalLimitPct: number | null;
  /**
   * Who syncs may remove. 'mirror': the audience is made to hold exactly the file. 'added-only': only people Cohort
   * Relay added are removed; people uploaded by hand or by another tool stay (an adopted audience's default).
   */
  removalMode?: 'mirror' | 'added-only';
  /** An adopted audience: people TikTok matched when it was adopted (not added by Cohort Relay); null otherwise. */
  othersSize?: number | null;
  /** A sync held for removing more than that, with what the user decided; null when none is held. */
  hold: HoldView | null;
  /** Where the last sync left the audience when it did not simply finish (see SyncNoteView); null otherwise. */
  syncNote?: SyncNoteView | null;
  /** Saved as "start when the cohort reaches 1,000" and not created at TikTok yet. */
  startAtFloor?: boolean;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/**
 * A held sync. `reason` 'removals': held by the audience's removal limit; `held` needs the user: "Sync anyway (once)"
 * (sync:confirmRemovals) or "Keep audience as is" (sync:keepAudience), both naming `runId`. `confirmed`: the next
 * sync of this very file goes ahead once. `kept`: this file stays held without asking again; a changed file is
 * checked again.
 * `reason` 'membership': TikTok shows `foreignChanges` changes to who is in the audience that Cohort Relay did not
 * send; `held` needs the user: "Replace with the file" (sync:confirmRemovals: one full replace; adds/removes are
 * against what this computer last knew) or "Keep syncing changes only" (sync:keepAudience: TikTok's changes are
 * accepted and the hold ends). `confirmed`: the next sync replaces the whole membership.
 */
export interface HoldView {
  /** The run that first held this change: the id a decision names. */
  runId: number | null;
  reason: 'removals' | 'membership';
  state: 'held' | 'confirmed' | 'kept';
  heldAt: IsoTime;
  decidedAt: IsoTime | null;
  currentSize: number;
  adds: number;
  removes: number;
  /** removes as a share of currentSize (%). */
  percent: number;
  /** The audience's removal limit (%); null only for a membership hold of an audience without one. */
  limitPct: number | null;
  rowsRead: number;
  /** Rows of the file last synced, when known. */
  lastRowsRead: number | null;
  /** Membership holds: changes TikTok shows that Cohort Relay did not send; null for removal holds. */
  foreignChanges: number | null;
  /** Plain words with the numbers. */
  message: string;
}

/** One point of the sent-vs-matched chart. */
export interface SizePoint {
  at: IsoTime;
  /** Our local size after the run. */
  sent: number;
  /** TikTok's cover_num observed at that time, if any. */
  matched: number | null;
  /**
   * Every row of the file synced by then, invalid rows included (matched ÷ rows is the honest match rate); null when
   * no sync read a file.
   */
  rows?: number | null;
}

export interface AudienceDetailView extends AudienceView {
  /** Multi-key audiences: people in the last synced snapshot that have each key; null for single-key. */
  perKeySize: Partial<Record<KeySlot, number>> | null;
  history: SizePoint[];
  recentRuns: RunView[];
}

/** An audience that already exists at TikTok, for "sync into an existing audience". */
export interface TiktokAudienceView {
  audienceId: string;
  name: string;
  calculateType: CalculateType | string;
  /** The single key this audience matches on, when its calculate_type is single-key. */
  key: KeyType | null;
  coverNum: number;
  isValid: boolean;
  isExpiring: boolean;
  expiresAt: IsoTime | null;
  /** True when a local mapping already syncs into this audience. */
  mapped: boolean;
}

// ── Sync and runs ────────────────────────────────────────────────────────────

export type { KeySlot } from '../domain';

/** One key of a multi-key audience in a dry run: people with that key, and how many such keys change. */
export interface PerKeyCounts {
  target: number;
  adds: number;
  removes: number;
}

/** A dry run: what a sync would do, with nothing sent. */
/** What "Undo last sync" would do, from a dry run of the undo: nothing is sent to compute it. */
export interface UndoPreviewView {
  audienceId: number;
  /** The sync it undoes: its newest run and when the sync started (its first run). */
  runId: number;
  runStartedAt: string;
  /** Every run of that sync, oldest first: one, or runs cut short (deferred) and the run that finished them. */
  runIds: number[];
  /** People it adds back (the sync removed them) and removes (the sync added them). */
  adds: number;
  removes: number;
  /** Audience-modifying calls it would use (0 when refused: none would be sent), and the calls left today before it. */
  calls: number;
  quotaLeft: number;
  dailyBudget: number;
  /** Whether today's calls cover it; if not, the rest waits until `deferredUntil`. */
  fitsToday: boolean;
  deferredUntil: string | null;
  /** The undo pauses the audience's schedule (so the next scheduled run does not re-apply the file); false when it would be refused (nothing sent, the schedule left as it is). */
  pausesSchedule: boolean;
  /** A reason the undo would stop short (the audience floor, ...), in words; null when none. */
  warning: string | null;
  /** The undo would be refused and send nothing: it would leave the audience under TikTok's 1,000 floor (`warning` says so, with the numbers). */
  refused: boolean;
}

export interface PlanView {
  audienceId: number;
  rowsRead: number;
  valid: number;
  rejected: number;
  duplicates: number;
  suppressed: number;
  rejectsByReason: Partial<Record<RejectReason, number>>;
  rejectsSample: RejectSample[];
  adds: number;
  removes: number;
  unchanged: number;
  /** Audience-modifying calls the sync would use (today and later). */
  calls: number;
  /** Calls left in today's budget before this sync. */
  quotaLeft: number;
  dailyBudget: number;
  currentSize: number;
  projectedSize: number;
  /** Set when the sync would leave the audience under AUDIENCE_FLOOR: the words and the fix. */
  floorWarning: string | null;
  /**
   * Set when the sync replaces the audience's whole membership from a size known here (its columns changed, or this
   * computer lost records of calls it sent): the people it holds before and after; adds and removes are then the net change.
   */
  replace?: { before: number; after: number } | null;
  /**
   * Set before creating an audience TikTok will likely match fewer than 1,000 people of (it would be unavailable
   * and never editable): the words and the way out. A warning only: the sync is allowed.
   */
  matchWarning?: string | null;
  /** When part of the work must wait (the next UTC day's calls, or the one-REPLACE-a-day rule); null when everything fits today. */
  deferredUntil: IsoTime | null;
  /** Why it waits, in plain words (set with deferredUntil). */
  deferredReason?: string | null;
  /** Multi-key audiences: counts per key; null for single-key audiences. */
  perKey: Partial<Record<KeySlot, PerKeyCounts>> | null;
  /**
   * Set when the sync would be held: it would remove more than the audience's limit (`reason` 'removals'), or TikTok
   * shows changes Cohort Relay did not send (`reason` 'membership': the numbers are the full replace's). The words,
   * and whether the user already confirmed (then it goes ahead). Nothing is held by a dry run.
   */
  removalHold: { reason: 'removals' | 'membership'; removes: number; currentSize: number; percent: number; limitPct: number | null; confirmed: boolean; message: string } | null;
}

/** held: the sync would remove more of the audience than its limit allows; nothing was sent until the user decides. */
export type RunStatus = 'running' | 'done' | 'deferred' | 'failed' | 'cancelled' | 'planned' | 'held';
/** 'erase': an erasure request (one person removed from the audience on the user's request, #12.4). */
export type RunTrigger = 'manual' | 'schedule' | 'cli' | 'undo' | 'catch-up' | 'erase';
export type RunPhase = 'reading' | 'hashing' | 'diffing' | 'uploading' | 'updating' | 'verifying';

/** One run in the sync log. Counts only. */
export interface RunView {
  id: number;
  audienceId: number | null;
  audienceName: string | null;
  trigger: RunTrigger;
  status: RunStatus;
  dryRun: boolean;
  startedAt: IsoTime;
  finishedAt: IsoTime | null;
  durationMs: number | null;
  sourcePath: string | null;
  rowsRead: number;
  valid: number;
  rejected: number;
  duplicates: number;
  adds: number;
  removes: number;
  callsUsed: number;
  rejectReasons: Partial<Record<RejectReason, number>>;
  deferredUntil: IsoTime | null;
  /** Plain words with the fix, when the run failed. */
  error: AppErrorShape | null;
  sent: RunSent;
}

/**
 * What a run sent, counted from the quota ledger rather than the run's own counters (which an acknowledgement moves):
 * a call sent whose answer never came (the app was stopped, a lost answer) still counts, as TikTok counts it.
 */
export interface RunSent {
  /** Audience-changing calls TikTok counts (all but those it certainly never received). */
  calls: number;
  /** Of those, calls whose answer was not recorded: they may or may not have changed the audience. */
  unanswered: number;
  /** People in acknowledged APPEND and REMOVE calls. */
  appended: number;
  removed: number;
  /** The people acknowledged calls that set the whole membership (a create or a full REPLACE) and the run's APPENDs sent; null when no such call was acknowledged. */
  replaced: number | null;
  /** Whether the run sent a REPLACE of an existing audience (not its create), answered or not. */
  replace: boolean;
}

/** One TikTok API call of a run. */
export interface ApiCallView {
  id: number;
  endpoint: string;
  method: string;
  requestId: string | null;
  /** TikTok's `code` (0 = success). */
  code: number | null;
  httpStatus: number | null;
  durationMs: number;
  startedAt: IsoTime;
  /** TikTok's message or our note; never a token or raw identifier. */
  detail: string | null;
}

export interface RunDetailView extends RunView {
  calls: ApiCallView[];
}

export interface RunStarted {
  runId: number;
}

export interface QuotaView {
  audienceId: number;
  /** The UTC day the ledger counts, YYYY-MM-DD. */
  day: string;
  used: number;
  budget: number;
  left: number;
  /** The next UTC midnight. */
  resetsAt: IsoTime;
}

// ── Settings ─────────────────────────────────────────────────────────────────

/** TikTok takes at most this many audience-modifying calls per audience per UTC day (tiktok-api.md §11): the daily budget's ceiling. */
export const MAX_DAILY_CALL_BUDGET = 24;
/** The words when a daily budget above TikTok's cap is asked for: the engine's error and the settings field say the same. */
export const DAILY_BUDGET_TOO_HIGH = `TikTok allows at most ${MAX_DAILY_CALL_BUDGET} changes per audience per day, so the daily call budget can be 1 to ${MAX_DAILY_CALL_BUDGET}.`;

export const THEMES = ['light', 'dark', 'system'] as const;
export type Theme = (typeof THEMES)[number];

export interface SettingsView {
  environment: ApiEnvironment;
  /** ISO 3166-1 alpha-2 for phones without a country code; null = reject them. */
  defaultCountry: string | null;
  dailyCallBudget: number;
  rateLimits: { qps: number; qpm: number };
  notifications: boolean;
  launchAtLogin: boolean;
  theme: Theme;
  /** Where the database lives (read-only: set with COHORT_RELAY_HOME). */
  dataFolder: string;
  /** True while every scheduled sync is paused ("Pause all"). */
  pausedAll: boolean;
  /** Folders the user granted outside the page (the web host's --allow-folder); files under them may be synced. */
  grantedFolders?: string[];
}
