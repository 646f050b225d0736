/** The contract's `settings:*` channels: the settings screen (environment, budget, limits, data folder). */
import type { Handlers } from '../../../../shared/ipc/contract';
import type { SettingsView } from '../../../../shared/ipc/dto';
import { API_BASE_KEY } from '../../app';
import type { EngineContext } from '../context';
import { readSettings, writeSettings } from '../settings';

type SettingsChannel = Extract<keyof Handlers, `settings:${string}`>;

/** The settings as the screen shows them: the environment in use, this workspace's data folder, the scheduler's pause. */
export function settingsView(ctx: Pick<EngineContext, 'app' | 'opts' | 'environment' | 'scheduler'>): SettingsView {
  return readSettings(ctx.app.store, { environment: ctx.environment.current, dataFolder: ctx.opts.dataDir, pausedAll: ctx.scheduler.paused });
}

export function settingsHandlers(ctx: Pick<EngineContext, 'app' | 'opts' | 'environment' | 'scheduler' | 'hub'>): Pick<Handlers, SettingsChannel> {
  const { store } = ctx.app;
  return {
    'settings:get': async () => settingsView(ctx),
    'settings:set': async (req) => {
      writeSettings(store, req);
      if (req.environment !== undefined) {
        // The user's choice now wins over the host's default for this process.
        ctx.environment.useStored();
        if (req.environment === 'offline-sandbox') await ctx.environment.sandbox.ensure();
        if (req.environment !== 'offline-sandbox') store.settings.set(API_BASE_KEY, req.environment);
      }
      if (req.dailyCallBudget !== undefined) for (const a of store.audiences.list()) ctx.hub.emit('audience:statusChanged', { audienceId: a.id });
      return settingsView(ctx);
    },
  };
}
