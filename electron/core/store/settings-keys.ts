/**
 * The one registry of settings keys (issue #13 §3): every key the app stores in the settings table, with its value's
 * type and its default. Readers and writers go through SettingsRepo.read / write with an entry of this registry, so a
 * key, its type and its default are written once. Per-audience facts are keyed by the local audience id (an id reused
 * later must not inherit them: their values name what they are about where that matters).
 */
import { DEFAULT_DAILY_CALL_BUDGET } from '../../../shared/domain';

/** One setting: its key in the settings table, and the value read when none is stored. */
export interface Setting<T> {
  readonly key: string;
  readonly fallback: T;
}

function setting<T>(key: string, fallback: T): Setting<T> {
  return { key, fallback };
}

/** The app's own settings. */
export const SETTINGS = {
  /** The API base the user chose (an environment name or a URL); null: the environment's default. */
  apiBase: setting<string | null>('api.base', null),
  /** 'production' | 'sandbox' | 'offline-sandbox' (shared/ipc/dto ApiEnvironment); checked by its reader. */
  environment: setting<string>('api.environment', 'production'),
  /** The process-wide limiter's bounds the user set (unset: the limiter's defaults). */
  rateLimits: setting<{ qps?: number; qpm?: number }>('api.rateLimits', {}),
  /** Calls per audience per UTC day the planner counts on. */
  dailyBudget: setting<number>('quota.dailyBudget', DEFAULT_DAILY_CALL_BUDGET),
  /** The country a phone number without one is read in (ISO 3166 alpha-2), or none. */
  defaultCountry: setting<string | null>('profile.defaultCountry', null),
  notifications: setting<boolean>('ui.notifications', true),
  launchAtLogin: setting<boolean>('ui.launchAtLogin', false),
  /** 'system' | 'light' | 'dark'; checked by its reader. */
  theme: setting<string>('ui.theme', 'system'),
  /** The OAuth redirect URI registered on the developer app, or null (tiktok/oauth-redirect.ts). */
  redirectUri: setting<string | null>('oauth.redirectUri', null),
  /** The offline sandbox's last port, kept so saved sandbox connections still reach it. */
  sandboxPort: setting<number | null>('sandbox.port', null),
  /** Every schedule is paused. */
  schedulerPaused: setting<boolean>('scheduler.paused', false),
} as const;

/** Facts kept per local audience (or per ad account of a connection). Value types are structural: store/ sits below sync/. */
export const AUDIENCE_SETTINGS = {
  /** "Start when the cohort reaches 1,000": the audience's createdAt while it waits (sync/floor-wait.ts). */
  startAtFloor: (audienceId: number) => setting<string | null>(`audience.startAtFloor.${audienceId}`, null),
  /** The creation options saved for a customer-file audience (sync/create-options.ts). */
  createOptions: (audienceId: number) => setting<Record<string, unknown> | null>(`audience.createOptions.${audienceId}`, null),
  /** TikTok refused the audience for good (sync/marks.ts UnavailableMark). */
  unavailable: (audienceId: number) => setting<{ tiktokAudienceId: string; at: string; coverNum: number | null } | null>(`audience.unavailable.${audienceId}`, null),
  /** When TikTok refused a change as "not editable" (sync/marks.ts). */
  refusedEdit: (audienceId: number) => setting<string | null>(`audience.refusedEdit.${audienceId}`, null),
  /** The name of an uploaded source file the engine lost (engine/ops/audience-state.ts). */
  lostUpload: (audienceId: number) => setting<string | null>(`audience.lostUpload.${audienceId}`, null),
  /** Lookalikes made from the audience (engine/audience-use.ts). */
  lookalikes: (audienceId: number) => setting<unknown[]>(`audience.lookalikes.${audienceId}`, []),
  /** Hex entries of people to erase from the audience (sync/erasure.ts). */
  erasureQueue: (audienceId: number) => setting<string[]>(`erase.queue.${audienceId}`, []),
  /** "key:hex" digests of the identifiers of people erased from the audience: every later sync leaves them out (sync/erasure.ts). */
  erasedKept: (audienceId: number) => setting<string[]>(`erase.kept.${audienceId}`, []),
  /** When a partner create of unknown fate was sent (sync/lost-create.ts). */
  partnerCreateSent: (audienceId: number) => setting<string | null>(`partner.pendingCreate.${audienceId}`, null),
  /** The partner audience this app created and when (engine clock), while TikTok may still be setting it up (sync/partner-sync.ts). */
  partnerCreated: (audienceId: number) => setting<{ tiktokAudienceId: string; at: number } | null>(`partner.created.${audienceId}`, null),
  /** The ad account a connection cannot reach (40106), with TikTok's words (sync/marks.ts UnreachableMark). */
  advertiserUnreachable: (connectionId: string | null, advertiserId: string) => setting<{ at: string; message: string } | null>(`advertiser.unreachable.${connectionId ?? 'env'}.${advertiserId}`, null),
} as const;
