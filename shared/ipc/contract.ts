/**
 * The one IPC contract between the renderer and the engine (STYLE.md "IPC").
 *
 * Every channel is `domain:verb` → { request: zod schema, response: TS type }. Requests are parsed from
 * `unknown` by the dispatcher (shared/ipc/dispatcher.ts) for Electron's registrar and the web host before a handler sees them;
 * handlers are plain async functions (`Handlers`) that the engine implements. Results cross the boundary
 * as an envelope (`Result`), never as a thrown error, so Electron's IPC and the web host's WebSocket carry
 * the same plain data. Push events are a second typed map (`EventPayloads`).
 */
import { z } from 'zod';
import { KEY_TYPES } from '../domain';
import type { AppErrorShape } from '../errors';
import type { Channel, Domain, EventName } from './channels';
import type {
  AdvertiserView,
  AudienceDetailView,
  AudienceView,
  ColumnsChangeView,
  ConnectionView,
  ExportView,
  HashLabView,
  PlanView,
  PreviewView,
  QuotaView,
  RedirectUriView,
  RunDetailView,
  RunPhase,
  RunStarted,
  RunStatus,
  RunTrigger,
  RunView,
  SettingsView,
  SignInWaiting,
  TryValueView,
  TiktokAudienceView,
  UndoPreviewView,
  ValidationView,
} from './dto';
import { API_ENVIRONMENTS, DAILY_BUDGET_TOO_HIGH, MAX_DAILY_CALL_BUDGET, THEMES } from './dto';

import type { AdGroupsView, ApplyResultView, AudienceUsageEntry, CreateOptionsView, DeleteAtTiktokView, LookalikeView, ShareResultView, ShareView } from './audience-use-dto';
import { APPLY_MODES, AUDIENCE_SUB_TYPES, LOOKALIKE_OS, LOOKALIKE_SIZES } from './audience-use-dto';
import type { OverlapView } from './overlap-dto';
import type { WorkspaceView, WorkspacesView } from './workspace-dto';
import { WORKSPACE_NAME_MAX } from './workspace-dto';
import type { ErasePreviewView, EraseResultView } from './erase-dto';

export type { Channel, Domain, EventName } from './channels';
export { CHANNELS, EVENTS, isChannel, isEventName } from './channels';

// ── Building blocks ──────────────────────────────────────────────────────────

/** A marker that carries a response type in the contract value; it holds nothing at run time. */
declare const responseType: unique symbol;
export interface Returns<T> {
  readonly [responseType]?: T;
}
const returns = <T>(): Returns<T> => ({});

/** Channels without arguments take nothing (undefined over IPC, an absent `arg` over the WebSocket). */
const none = z.undefined();

const id = z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive');
const workspaceId = z.string({ error: 'must be a workspace id' }).regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a workspace id');
const workspaceName = z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(WORKSPACE_NAME_MAX, `must be at most ${WORKSPACE_NAME_MAX} characters`);
const text = (max: number) => z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** A host file path. The engine checks it exists; here it must be non-empty and free of NUL bytes. */
const filePath = text(4096).refine((p) => !p.includes('\0'), 'must be a file path');
const country = z.string({ error: 'must be text' }).regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (24-hour)');
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date and time' });

export const keyTypeSchema = z.enum(KEY_TYPES, { error: `must be one of ${KEY_TYPES.join(', ')}` });
export const columnSchema = z.union([text(1024), z.number().int().nonnegative()], { error: 'must be a column name or a 0-based column index' });

export const profileSchema = z.strictObject({
  emailStripPlusAndDots: z.boolean(),
  phoneKeepPlus: z.boolean(),
  defaultCountry: country.nullable(),
});

export const cadenceSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('manual') }),
    z.strictObject({ kind: z.literal('once'), at: isoTime }),
    z.strictObject({ kind: z.literal('hourly') }),
    z.strictObject({ kind: z.literal('daily'), at: hhmm }),
    z.strictObject({ kind: z.literal('weekly'), weekday: z.number().int().min(0).max(6), at: hhmm }),
  ],
  { error: 'must be a cadence: manual, once, hourly, daily or weekly' },
);

/** countryColumn (phones only): the column of ISO country codes national-format numbers are read with. */
export const keyMappingSchema = z.strictObject({ key: keyTypeSchema, column: columnSchema, countryColumn: columnSchema.optional(), extraColumns: z.array(columnSchema).max(2, 'at most 3 columns per key').optional() });

/** One person's identifiers for an erasure: up to one of each kind; `key` null lets the engine tell from the shape. */
const eraseRequest = z.strictObject({
  identifiers: z
    .array(z.strictObject({ key: keyTypeSchema.nullable(), value: text(320) }))
    .min(1, 'must give at least one identifier')
    .max(KEY_TYPES.length),
});

/** The file + mapping the import screens work on (preview → hash lab → validation). */
const mappedFile = { path: filePath, key: keyTypeSchema, column: columnSchema, countryColumn: columnSchema.optional(), profile: profileSchema, hasHeader: z.boolean().optional() };
/** More columns of the key (#14 §2: `Email 2`, `Email 3`): validation and the rejects report read them too. */
const extraColumns = keyMappingSchema.shape.extraColumns;
/** The column whose value each reject carries (a record id or name), so a person can find the row; null: none. */
const recordColumn = columnSchema.nullable().optional();

/** A new audience's mapping, as `audiences:create` saves it and `sync:plan` dry-runs it unsaved. */
const createAudienceRequest = z.strictObject({
  advertiserId: text(64),
  connectionId: text(128).optional(),
  name: text(128),
  keys: z
    .array(keyMappingSchema)
    .min(1, 'must map at least one column')
    .max(KEY_TYPES.length)
    .refine((ks) => new Set(ks.map((k) => k.key)).size === ks.length, 'must not map the same key type twice'),
  sourcePath: filePath,
  sourceKind: z.enum(['file', 'folder']).optional(),
  sourcePattern: text(256).optional(),
  /** The user's answer to "is the first row a header?", kept with the audience so every sync reads the file alike; absent: judged. */
  hasHeader: z.boolean().optional(),
  profile: profileSchema,
  cadence: cadenceSchema,
  suppressPath: filePath.optional(),
  existingTiktokAudienceId: text(64).optional(),
  /**
   * 'file' (default): a customer-file audience. 'segment': a partner audience through TikTok's segment API,
   * for allowlisted developer apps; if TikTok refuses (40118) the first sync falls back to 'file'.
   */
  api: z.enum(['file', 'segment'], { error: 'must be file or segment' }).optional(),
  /** "Start when the cohort reaches 1,000": no sync creates the audience at TikTok while its file holds fewer people. */
  startAtFloor: z.boolean().optional(),
  /** Who syncs may remove (see AudienceView.removalMode); default: 'added-only' for an existing TikTok audience, else 'mirror'. */
  removalMode: z.enum(['mirror', 'added-only'], { error: 'must be mirror or added-only' }).optional(),
  /** Names this request so `sync:cancel { cancelId }` can end its question to TikTok (the same-name check) at once. */
  cancelId: text(64).optional(),
});

/** Unsaved changes to a saved audience's source and schedule that `sync:plan` dry-runs (saved by `audiences:update`). */
const planDraft = z.strictObject({
  sourcePath: filePath,
  sourceKind: z.enum(['file', 'folder']).optional(),
  sourcePattern: text(256).nullable().optional(),
  suppressPath: filePath.nullable().optional(),
  cadence: cadenceSchema.optional(),
});

// ── The contract ─────────────────────────────────────────────────────────────

interface Entry {
  request: z.ZodType;
  response: Returns<unknown>;
}

export const contract = {
  // Connections. Responses never carry a token or an app secret.
  'connections:list': { request: none, response: returns<ConnectionView[]>() },
  /**
   * Runs TikTok's OAuth in the system browser, redirected to the registered loopback URL
   * (`connections:redirectUri`); resolves when the user has approved. Once it waits, `connection:signInWaiting`
   * carries the sign-in link (to copy when no browser opened). `connections:cancelLogin` ends the wait
   * (CANCELLED); a new loginOAuth replaces a waiting one.
   */
  'connections:loginOAuth': { request: z.strictObject({ appId: text(128), appSecret: text(256) }), response: returns<ConnectionView>() },
  /** Cancels the browser sign-in that is waiting, if any; `cancelled` says whether one was. */
  'connections:cancelLogin': { request: none, response: returns<{ cancelled: boolean }>() },
  /** The redirect URL sign-in uses, to register on the developer app. */
  'connections:redirectUri': { request: none, response: returns<RedirectUriView>() },
  /** Saves another redirect URL (http on 127.0.0.1, localhost or [::1], with a port); null goes back to the default. */
  'connections:setRedirectUri': { request: z.strictObject({ redirectUri: text(2048).nullable() }), response: returns<RedirectUriView>() },
  'connections:pasteToken': {
    request: z.strictObject({ token: text(4096), appId: text(128).optional(), appSecret: text(256).optional() }),
    response: returns<ConnectionView>(),
  },
  /** Connects the built-in offline TikTok simulator, so every screen works with no TikTok account. */
  'connections:connectSandbox': { request: none, response: returns<ConnectionView>() },
  'connections:disconnect': { request: z.strictObject({ connectionId: text(128) }), response: returns<null>() },
  /** Re-reads the advertiser accounts the connection is authorized for. */
  'connections:advertisers': { request: z.strictObject({ connectionId: text(128) }), response: returns<AdvertiserView[]>() },

  // Import: the engine reads the file; the renderer only names it.
  /** defaultCountry: how phones without a country code are read when the usable share of each column is counted. */
  /** hasHeader: the user's answer to "is the first row a header?" (the wizard's override); absent: the engine judges. */
  /** countryColumn: the column (index) of each row's country, for a phone column's usable share; null none; absent: the one detected. */
  'import:preview': { request: z.strictObject({ path: filePath, defaultCountry: country.nullable().optional(), hasHeader: z.boolean().optional(), countryColumn: z.number().int().min(0).max(100_000).nullable().optional() }), response: returns<PreviewView>() },
  'import:hashLab': {
    request: z.strictObject({ ...mappedFile, extraColumns, limit: z.number().int().min(1).max(100).optional() }),
    response: returns<HashLabView>(),
  },
  /** Reads the whole file (progress as `import:progress`); cancel with `import:cancel`. */
  'import:validate': { request: z.strictObject({ ...mappedFile, extraColumns, suppressPath: filePath.optional(), recordColumn }), response: returns<ValidationView>() },
  /** Writes every reject (line, reason, value) as CSV; without outPath the engine picks `<source>-rejects.csv` beside the source. */
  // `keys`: a multi-key mapping (every key the audience reads, as audiences:create takes it): the report then holds every
  // key's rejects, each saying whether its row was kept, as a sync's report does; `key` and `column` name the first key.
  'import:exportRejects': { request: z.strictObject({ ...mappedFile, extraColumns, outPath: filePath.optional(), recordColumn, keys: z.array(keyMappingSchema).min(2).max(KEY_TYPES.length).optional() }), response: returns<ExportView>() },
  /** One typed value through normalization and hashing (the hash lab's "try a value"): reads and writes nothing. */
  'import:tryValue': { request: z.strictObject({ key: keyTypeSchema, value: z.string().max(1024), profile: profileSchema }), response: returns<TryValueView>() },
  /** Cancels a running preview / validation / export of this path. */
  'import:cancel': { request: z.strictObject({ path: filePath }), response: returns<{ cancelled: boolean }>() },
  /**
   * The wizard is done with these files (closed, or another file chosen). The web host removes its uploaded copies of
   * them now, unless a sync still reads one (issue #12.8); other files are left alone.
   */
  'import:release': { request: z.strictObject({ paths: z.array(filePath).max(4) }), response: returns<null>() },

  // Audiences.
  'audiences:list': { request: none, response: returns<AudienceView[]>() },
  'audiences:get': { request: z.strictObject({ id }), response: returns<AudienceDetailView>() },
  /**
   * Saves a mapping locally. Nothing is sent: a new audience is created at TikTok by its first sync, so
   * `sync:plan` can dry-run it first. With existingTiktokAudienceId the mapping syncs into that audience
   * (its calculate_type must match the key).
   */
  'audiences:create': {
    request: createAudienceRequest,
    response: returns<AudienceView>(),
  },
  /** Key type and profile are locked once saved (TikTok fixes calculate_type): create a new audience instead. */
  'audiences:update': {
    request: z.strictObject({
      id,
      name: text(128).optional(),
      cadence: cadenceSchema.optional(),
      paused: z.boolean().optional(),
      sourcePath: filePath.optional(),
      /** A watched folder becomes a single file (or back) together with sourcePath. */
      sourceKind: z.enum(['file', 'folder']).optional(),
      sourcePattern: text(256).nullable().optional(),
      /** null removes the suppression list. */
      suppressPath: filePath.nullable().optional(),
      /** Whether the file's first row is a header; null: let the engine judge. */
      hasHeader: z.boolean().nullable().optional(),
      /** The largest share (%) of the audience one sync may remove without asking; null switches the check off. */
      removalLimitPct: z.number({ error: 'must be a percentage' }).int('must be a whole percentage').min(0, 'must be 0 % or more').max(100, 'must be at most 100 %').nullable().optional(),
      /** An audience not created at TikTok yet: wait for 1,000 people (true), or let the next sync create it now (false). */
      startAtFloor: z.boolean().optional(),
      /** Who syncs may remove: 'mirror' the file, or 'added-only' (only people this app added). */
      removalMode: z.enum(['mirror', 'added-only'], { error: 'must be mirror or added-only' }).optional(),
    }),
    response: returns<AudienceView>(),
  },
  /**
   * The columns a saved audience's keys are read from (#14 §2: up to 3 per key, `extraColumns`); its keys stay the same
   * (KEY_TYPE_LOCKED otherwise). save false only says what saving would do; save true saves, refused (INVALID_ARGUMENT,
   * in words) where the answer's `refusal` says, or while a sync of it runs.
   */
  'audiences:setColumns': {
    request: z.strictObject({ id, keys: z.array(keyMappingSchema).min(1, 'must map at least one column').max(KEY_TYPES.length), save: z.boolean({ error: 'must be true or false' }) }),
    response: returns<ColumnsChangeView>(),
  },
  /** Forgets the mapping and its local snapshot; the audience at TikTok is left as it is. */
  'audiences:deleteLocal': { request: z.strictObject({ id }), response: returns<null>() },
  /**
   * Deletes the audience from Cohort Relay: its schedule, sync history and every hash kept for it (snapshot, run
   * deltas, pending changes). With `atTiktok`, TikTok deletes it first (ad groups using it stop targeting it); if
   * TikTok refuses, nothing is deleted here. Refused while a sync of it runs.
   */
  'audiences:delete': { request: z.strictObject({ id, atTiktok: z.boolean({ error: 'must be true or false' }) }), response: returns<{ deletedAtTiktok: boolean }>() },
  /** Audiences that exist at TikTok for this advertiser, optionally only those matching one key type. */
  'audiences:tiktokList': { request: z.strictObject({ advertiserId: text(64), key: keyTypeSchema.optional() }), response: returns<TiktokAudienceView[]>() },

  // Put audiences to work at TikTok (issue #14 §1). Every call that changes something is confirmed by the user first.
  /** The advertiser's campaigns and ad groups, each with how it uses this (synced) audience now. */
  'use:adGroups': { request: z.strictObject({ id }), response: returns<AdGroupsView>() },
  /** Attaches the audience to ad groups as Include or Exclude, or detaches it (Disconnect); 100 ad groups per request. */
  'use:apply': {
    request: z.strictObject({ id, adgroupIds: z.array(text(64)).min(1, 'must name at least one ad group').max(1000), mode: z.enum(APPLY_MODES, { error: 'must be Include, Exclude or Disconnect' }) }),
    response: returns<ApplyResultView>(),
  },
  /** The ad groups the audience is applied to (TikTok's apply log). */
  'use:usage': { request: z.strictObject({ id }), response: returns<AudienceUsageEntry[]>() },
  /** Lookalikes made from this audience here, with their reach at TikTok. */
  'use:lookalikes': { request: z.strictObject({ id }), response: returns<LookalikeView[]>() },
  /** Creates a lookalike from the synced audience; refused (AUDIENCE_TOO_SMALL) while it has fewer than 100 matched people. */
  'use:createLookalike': {
    request: z.strictObject({
      id,
      name: text(128),
      audienceSize: z.enum(LOOKALIKE_SIZES, { error: 'must be NARROW, BALANCED or BROAD' }),
      mobileOs: z.enum(LOOKALIKE_OS, { error: 'must be ALL, ANDROID or IOS' }),
      locationIds: z.array(z.string().regex(/^\d{1,20}$/, 'must be a TikTok location id')).min(1, 'must name at least one location').max(50),
      includeSource: z.boolean().optional(),
    }),
    response: returns<LookalikeView>(),
  },
  /** Refreshes a lookalike of this audience from its seed now (lookalike/update). */
  'use:refreshLookalike': { request: z.strictObject({ id, lookalikeId: text(64) }), response: returns<LookalikeView>() },
  /** The ad accounts the audience is shared with. */
  'use:shares': { request: z.strictObject({ id }), response: returns<ShareView[]>() },
  /**
   * The exact overlap of two local audiences from the hashes kept here (nothing sent); with atTiktok, also TikTok's
   * overlap of their matched users (audience/insight/overlap/, the first audience as the benchmark).
   */
  'audiences:overlap': {
    request: z.strictObject({ ids: z.tuple([id, id], { error: 'must name two audiences' }), atTiktok: z.boolean().optional() }),
    response: returns<OverlapView>(),
  },
  /** Shares audiences with ad accounts of the same Business Center (10 × 10 per request, batched). */
  'use:share': {
    request: z.strictObject({ ids: z.array(id).min(1, 'must name at least one audience').max(100), advertiserIds: z.array(z.string().regex(/^\d{1,20}$/, 'must be an ad account id')).min(1, 'must name at least one ad account').max(100) }),
    response: returns<ShareResultView>(),
  },
  'use:unshare': { request: z.strictObject({ id, advertiserId: z.string().regex(/^\d{1,20}$/, 'must be an ad account id') }), response: returns<null>() },
  /** Detaches audiences from every ad group, deletes them at TikTok (100 per request), then here. */
  'use:deleteAtTiktok': { request: z.strictObject({ ids: z.array(id).min(1, 'must name at least one audience').max(1000) }), response: returns<DeleteAtTiktokView>() },
  'use:createOptions': { request: z.strictObject({ id }), response: returns<CreateOptionsView>() },
  /** Saves what the first sync sends on create; refused once the audience exists at TikTok. */
  'use:setCreateOptions': {
    request: z.strictObject({
      id,
      retentionInDays: z.number().int('must be a whole number of days').min(1, 'must be 1 to 365 days').max(365, 'must be 1 to 365 days').nullable(),
      audienceEnhancement: z.boolean(),
      subType: z.enum(AUDIENCE_SUB_TYPES, { error: 'must be NORMAL or REACH_FREQUENCY' }),
    }),
    response: returns<CreateOptionsView>(),
  },

  // Sync.
  /**
   * A dry run: reads, hashes and diffs, sends nothing and saves nothing. With `draft`, a saved audience is planned
   * with that unsaved source / schedule; with `create`, a new audience is planned without being saved (its plan's
   * audienceId is 0). "Sync now" saves them first (`audiences:create` / `audiences:update`).
   */
  'sync:plan': {
    request: z.union([z.strictObject({ audienceId: id, draft: planDraft.optional() }), z.strictObject({ create: createAudienceRequest })], {
      error: 'must name an audienceId (with an optional draft) or a new audience to create',
    }),
    response: returns<PlanView>(),
  },
  /** Starts a run and resolves at once with its id; progress and the end arrive as push events. */
  /**
   * With `sourceOnce` this one run reads that file instead of the audience's source (a file dropped on an audience that
   * reads a watched folder, "Use this file once"); the saved source stays as it is.
   */
  'sync:run': { request: z.strictObject({ audienceId: id, sourceOnce: filePath.optional() }), response: returns<RunStarted>() },
  'sync:cancel': {
    // { cancelId }: an `audiences:create` (or a dry run of one) still asking TikTok about the name, ended as CANCELLED.
    request: z.union([z.strictObject({ runId: id }), z.strictObject({ audienceId: id }), z.strictObject({ cancelId: text(64) })], { error: 'must name a runId, an audienceId or a cancelId' }),
    response: returns<{ cancelled: boolean }>(),
  },
  /**
   * "Sync anyway (once)" for a sync held by the audience's removal limit: confirms exactly the held change (named
   * by `runId`, the run that held it; another is refused) and starts a run. If the file changed since, the run
   * checks it again and may hold it again.
   */
  'sync:confirmRemovals': { request: z.strictObject({ audienceId: id, runId: id }), response: returns<RunStarted>() },
  /** "Keep audience as is": the held change is not sent; the same file stays held without asking again. */
  'sync:keepAudience': { request: z.strictObject({ audienceId: id, runId: id }), response: returns<AudienceView>() },
  /** Sends the inverse of the audience's last sync, as a new run. */
  'sync:undo': { request: z.strictObject({ audienceId: id }), response: returns<RunStarted>() },
  /** A dry run of `sync:undo`: what it would change and cost; sends nothing. */
  'sync:undoPreview': { request: z.strictObject({ audienceId: id }), response: returns<UndoPreviewView>() },
  /** Pauses (or resumes) every scheduled sync; manual "Sync now" still works. */
  'sync:pauseAll': { request: z.strictObject({ paused: z.boolean({ error: 'must be true or false' }) }), response: returns<{ paused: boolean }>() },

  // Runs (the sync log).
  'runs:list': {
    request: z.strictObject({ audienceId: id.optional(), limit: z.number().int().min(1).max(1000).optional() }).optional(),
    response: returns<RunView[]>(),
  },
  'runs:get': { request: z.strictObject({ runId: id }), response: returns<RunDetailView>() },
  /** Re-reads the run's source file and writes its rejects; without outPath the engine picks a path beside the source. */
  'runs:exportRejects': { request: z.strictObject({ runId: id, outPath: filePath.optional() }), response: returns<ExportView>() },

  'quota:get': { request: z.strictObject({ audienceId: id }), response: returns<QuotaView>() },

  'settings:get': { request: none, response: returns<SettingsView>() },
  /** Changes the given settings and returns all of them. dataFolder and pausedAll are not set here. */
  'settings:set': {
    request: z.strictObject({
      environment: z.enum(API_ENVIRONMENTS).optional(),
      defaultCountry: country.nullable().optional(),
      dailyCallBudget: z.number().int().min(1).max(MAX_DAILY_CALL_BUDGET, { error: DAILY_BUDGET_TOO_HIGH }).optional(),
      rateLimits: z.strictObject({ qps: z.number().int().min(1).max(50).optional(), qpm: z.number().int().min(1).max(3000).optional() }).optional(),
      notifications: z.boolean().optional(),
      launchAtLogin: z.boolean().optional(),
      theme: z.enum(THEMES).optional(),
    }),
    response: returns<SettingsView>(),
  },

  // Privacy: a right-to-erasure request (#12.4). The identifiers are hashed in the engine and never stored.
  /** What erasing this person would do (audiences holding them, calls, when): no side effect at all. */
  'privacy:erasePreview': { request: eraseRequest, response: returns<ErasePreviewView>() },
  /** Erases the person: removed here and sent as a REMOVE to every audience holding them (queued when today's calls are used). */
  'privacy:erase': { request: eraseRequest, response: returns<EraseResultView>() },

  // Workspaces (#14 §2): each client's connections, audiences, schedules, settings and log kept apart.
  'workspaces:list': { request: none, response: returns<WorkspacesView>() },
  /** Creates an empty workspace (names are unique, case-insensitively). It does not switch to it. */
  'workspaces:create': { request: z.strictObject({ name: workspaceName }), response: returns<WorkspaceView>() },
  /** Makes this workspace the one the window (and the tray's actions) work in; pushes workspace:switched. */
  'workspaces:switch': { request: z.strictObject({ id: workspaceId }), response: returns<WorkspacesView>() },
  'workspaces:rename': { request: z.strictObject({ id: workspaceId, name: workspaceName }), response: returns<WorkspaceView>() },
  /**
   * Deletes a workspace that is not the active one: revokes and forgets its connections' tokens, removes its data
   * folder. `confirmName` must repeat its name (a destructive action says what it does before it does it).
   */
  'workspaces:delete': { request: z.strictObject({ id: workspaceId, confirmName: workspaceName }), response: returns<WorkspacesView>() },
} as const satisfies { [C in Channel]: Entry };

export type Contract = typeof contract;

/** The workspace a background event comes from, and the audience's name there (the window cannot look it up). */
export interface BackgroundWorkspace {
  id: string;
  name: string;
  audienceName: string | null;
}

/** What the renderer passes (before defaults / trimming). */
export type RequestIn<C extends Channel> = z.input<Contract[C]['request']>;
/** What a handler receives (after parsing). */
export type RequestOf<C extends Channel> = z.output<Contract[C]['request']>;
export type ResponseOf<C extends Channel> = Contract[C]['response'] extends Returns<infer T> ? T : never;

// ── Envelope ─────────────────────────────────────────────────────────────────

/** Every result that crosses IPC or the WebSocket. Errors are values: code, plain words, retryable. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };

// ── Handlers (the engine's side) ─────────────────────────────────────────────

export type Handler<C extends Channel> = (req: RequestOf<C>) => Promise<ResponseOf<C>>;
/** One plain async function per channel. Throw an AppError for a user-facing failure. */
export type Handlers = { [C in Channel]: Handler<C> };

// ── Push events ──────────────────────────────────────────────────────────────

export interface EventPayloads {
  'run:progress': { runId: number; audienceId: number; phase: RunPhase; rows: number; percent: number | null; rowsPerSec?: number; etaSec?: number };
  /** heldAgain: a held run whose change was held before (the user was told then; no new notification). */
  /**
   * `workspace` is set only for a run of a workspace other than the window's (scheduled syncs of every workspace keep
   * running): its ids are that workspace's, so the window ignores it; the host uses it for notifications.
   */
  'run:finished': { runId: number; audienceId: number; status: RunStatus; trigger: RunTrigger; error: AppErrorShape | null; heldAgain?: boolean; workspace?: BackgroundWorkspace };
  'audience:statusChanged': { audienceId: number };
  /** `workspace` is set only for a connection of a workspace other than the window's (its scheduled sync found it refused). */
  'connection:needsReconnect': { connectionId: string; message: string; workspace?: { id: string; name: string } };
  /** A browser sign-in (connections:loginOAuth) now waits for TikTok: the link to open or copy. */
  'connection:signInWaiting': SignInWaiting;
  /** Progress of import:validate / import:exportRejects on a file (not tied to a run). */
  'import:progress': { path: string; phase: 'reading' | 'hashing'; rows: number; percent: number | null; rowsPerSec?: number; etaSec?: number };
  /** The engine's process stopped unexpectedly and was started again (sync jobs are persisted: none is lost). */
  'engine:restarted': { message: string };
  /** The window now works in another workspace (this window or the tray switched): reload everything shown. */
  'workspace:switched': WorkspacesView;
}
export type EventPayload<E extends EventName> = EventPayloads[E];
/** One push event as it travels: the name and its payload. */
export type PushEvent = { [E in EventName]: { event: E; payload: EventPayloads[E] } }[EventName];
export type Unsubscribe = () => void;
export type EventListener<E extends EventName> = (payload: EventPayloads[E]) => void;

/** Where a host gets the engine's events from. */
export interface EventSource {
  subscribe(listener: (event: PushEvent) => void): Unsubscribe;
}

// ── Api (the renderer's side: what window.api looks like) ────────────────────

export type ApiFunction<C extends Channel> = undefined extends RequestIn<C>
  ? (req?: RequestIn<C>) => Promise<Result<ResponseOf<C>>>
  : (req: RequestIn<C>) => Promise<Result<ResponseOf<C>>>;

/** `api.audiences.get({ id })`: one namespace per domain, one function per channel, each resolving to a Result. */
export type ApiDomains = {
  [D in Domain]: { [C in Channel as C extends `${D}:${infer V}` ? V : never]: ApiFunction<C> };
};

export type ApiOn = <E extends EventName>(event: E, listener: EventListener<E>) => Unsubscribe;

/** What window.api looks like in Electron (plus the preload's pathForFile) and what the web host's client implements. */
export type Api = ApiDomains & { on: ApiOn };

// Compile-time checks that the event map covers exactly EVENTS.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _eventsExact: Exactly<keyof EventPayloads, EventName> = true;
void _eventsExact;
