/**
 * The app's settings as stored key/values (SettingsRepo) and as the renderer sees them (SettingsView).
 * The daily budget is the key the sync service reads; rate limits go to the process-wide limiter.
 */
import { API_ENVIRONMENTS, DAILY_BUDGET_TOO_HIGH, MAX_DAILY_CALL_BUDGET, THEMES, type ApiEnvironment, type SettingsView, type Theme } from '../../../shared/ipc/dto';
import { AppError } from '../../../shared/errors';
import type { RequestOf } from '../../../shared/ipc/contract';
import type { Store } from '../store';
import { SETTINGS } from '../store/settings-keys';
import { configureProcessLimiter, DEFAULT_QPM, DEFAULT_QPS } from '../tiktok/limiter';

/** The settings this module reads and writes: entries of the one registry (store/settings-keys.ts). */
export const SETTING_KEYS = {
  environment: SETTINGS.environment.key,
  defaultCountry: SETTINGS.defaultCountry.key,
  dailyBudget: SETTINGS.dailyBudget.key,
  rateLimits: SETTINGS.rateLimits.key,
  notifications: SETTINGS.notifications.key,
  launchAtLogin: SETTINGS.launchAtLogin.key,
  theme: SETTINGS.theme.key,
} as const;

/** A fresh install talks to production; the web host and tests override this per process. */
export const DEFAULT_ENVIRONMENT = SETTINGS.environment.fallback as ApiEnvironment;

export function storedEnvironment(store: Store): ApiEnvironment {
  const v = store.settings.read(SETTINGS.environment);
  return (API_ENVIRONMENTS as readonly string[]).includes(v) ? (v as ApiEnvironment) : DEFAULT_ENVIRONMENT;
}

export function storedRateLimits(store: Store): { qps: number; qpm: number } {
  const v = store.settings.read(SETTINGS.rateLimits);
  return { qps: v.qps ?? DEFAULT_QPS, qpm: v.qpm ?? DEFAULT_QPM };
}

/** Applies the stored rate limits to every TikTok client of this process. */
export function applyRateLimits(store: Store): void {
  configureProcessLimiter(storedRateLimits(store));
}

export function readSettings(store: Store, ctx: { environment: ApiEnvironment; dataFolder: string; pausedAll: boolean }): SettingsView {
  const theme = store.settings.read(SETTINGS.theme);
  return {
    environment: ctx.environment,
    defaultCountry: store.settings.read(SETTINGS.defaultCountry),
    dailyCallBudget: Math.min(MAX_DAILY_CALL_BUDGET, store.settings.read(SETTINGS.dailyBudget)),
    rateLimits: storedRateLimits(store),
    notifications: store.settings.read(SETTINGS.notifications),
    launchAtLogin: store.settings.read(SETTINGS.launchAtLogin),
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
    if (req.environment !== undefined) store.settings.write(SETTINGS.environment, req.environment);
    if (req.defaultCountry !== undefined) store.settings.write(SETTINGS.defaultCountry, req.defaultCountry);
    if (req.dailyCallBudget !== undefined) store.settings.write(SETTINGS.dailyBudget, req.dailyCallBudget);
    if (req.rateLimits !== undefined) store.settings.write(SETTINGS.rateLimits, { ...storedRateLimits(store), ...req.rateLimits });
    if (req.notifications !== undefined) store.settings.write(SETTINGS.notifications, req.notifications);
    if (req.launchAtLogin !== undefined) store.settings.write(SETTINGS.launchAtLogin, req.launchAtLogin);
    if (req.theme !== undefined) store.settings.write(SETTINGS.theme, req.theme);
  });
  if (req.rateLimits !== undefined) applyRateLimits(store);
}
