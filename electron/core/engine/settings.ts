/**
 * The app's settings as stored key/values (SettingsRepo) and as the renderer sees them (SettingsView).
 * The daily budget is the key the sync service reads; rate limits go to the process-wide limiter.
 */
import { DEFAULT_DAILY_CALL_BUDGET } from '../../../shared/domain';
import { API_ENVIRONMENTS, DAILY_BUDGET_TOO_HIGH, MAX_DAILY_CALL_BUDGET, THEMES, type ApiEnvironment, type SettingsView, type Theme } from '../../../shared/ipc/dto';
import { AppError } from '../../../shared/errors';
import type { RequestOf } from '../../../shared/ipc/contract';
import type { Store } from '../store';
import { DAILY_BUDGET_KEY } from '../sync/sync-service';
import { configureProcessLimiter, DEFAULT_QPM, DEFAULT_QPS } from '../tiktok/limiter';

export const SETTING_KEYS = {
  environment: 'api.environment',
  defaultCountry: 'profile.defaultCountry',
  dailyBudget: DAILY_BUDGET_KEY,
  rateLimits: 'api.rateLimits',
  notifications: 'ui.notifications',
  launchAtLogin: 'ui.launchAtLogin',
  theme: 'ui.theme',
} as const;

/** A fresh install talks to production; the web host and tests override this per process. */
export const DEFAULT_ENVIRONMENT: ApiEnvironment = 'production';

export function storedEnvironment(store: Store): ApiEnvironment {
  const v = store.settings.get<string>(SETTING_KEYS.environment, DEFAULT_ENVIRONMENT);
  return (API_ENVIRONMENTS as readonly string[]).includes(v) ? (v as ApiEnvironment) : DEFAULT_ENVIRONMENT;
}

export function storedRateLimits(store: Store): { qps: number; qpm: number } {
  const v = store.settings.get<{ qps?: number; qpm?: number }>(SETTING_KEYS.rateLimits, {});
  return { qps: v.qps ?? DEFAULT_QPS, qpm: v.qpm ?? DEFAULT_QPM };
}

/** Applies the stored rate limits to every TikTok client of this process. */
export function applyRateLimits(store: Store): void {
  configureProcessLimiter(storedRateLimits(store));
}

export function readSettings(store: Store, ctx: { environment: ApiEnvironment; dataFolder: string; pausedAll: boolean }): SettingsView {
  const theme = store.settings.get<string>(SETTING_KEYS.theme, 'system');
  return {
    environment: ctx.environment,
    defaultCountry: store.settings.get<string | null>(SETTING_KEYS.defaultCountry, null),
    dailyCallBudget: Math.min(MAX_DAILY_CALL_BUDGET, store.settings.get<number>(SETTING_KEYS.dailyBudget, DEFAULT_DAILY_CALL_BUDGET)),
    rateLimits: storedRateLimits(store),
    notifications: store.settings.get<boolean>(SETTING_KEYS.notifications, true),
    launchAtLogin: store.settings.get<boolean>(SETTING_KEYS.launchAtLogin, false),
    theme: (THEMES as readonly string[]).includes(theme) ? (theme as Theme) : 'system',
    dataFolder: ctx.dataFolder,
    pausedAll: ctx.pausedAll,
  };
}

/** Stores the given settings (the environment is applied by the caller, which may start the sandbox). */
export function writeSettings(store: Store, req: RequestOf<'settings:set'>): void {
  // TikTok's cap per audience per day: a larger budget would only plan calls TikTok refuses (hosts other than IPC call this too).
  if (req.dailyCallBudget !== undefined && !(Number.isInteger(req.dailyCallBudget) && req.dailyCallBudget >= 1 && req.dailyCallBudget <= MAX_DAILY_CALL_BUDGET)) {
    throw new AppError('INVALID_ARGUMENT', DAILY_BUDGET_TOO_HIGH);
  }
  store.transaction(() => {
    if (req.environment !== undefined) store.settings.set(SETTING_KEYS.environment, req.environment);
    if (req.defaultCountry !== undefined) store.settings.set(SETTING_KEYS.defaultCountry, req.defaultCountry);
    if (req.dailyCallBudget !== undefined) store.settings.set(SETTING_KEYS.dailyBudget, req.dailyCallBudget);
    if (req.rateLimits !== undefined) store.settings.set(SETTING_KEYS.rateLimits, { ...storedRateLimits(store), ...req.rateLimits });
    if (req.notifications !== undefined) store.settings.set(SETTING_KEYS.notifications, req.notifications);
    if (req.launchAtLogin !== undefined) store.settings.set(SETTING_KEYS.launchAtLogin, req.launchAtLogin);
    if (req.theme !== undefined) store.settings.set(SETTING_KEYS.theme, req.theme);
  });
  if (req.rateLimits !== undefined) applyRateLimits(store);
}
