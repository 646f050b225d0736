/**
 * The few places where the Electron host must act on an engine result: applying "launch at login" when
 * settings change, and refreshing the tray when schedules are paused. The engine's handlers stay the single
 * implementation; this wraps two of them. Pure (no Electron), so it is tested with fake handlers.
 */
import type { Handlers } from '../../shared/ipc/contract';
import type { SettingsView } from '../../shared/ipc/dto';

export interface HostEffects {
  /** Called with the settings after every successful settings:get / settings:set. */
  onSettings(settings: SettingsView): void;
  /** Called after a change the tray shows (pause/resume all, a sync started, an audience edited). */
  onStateChanged(): void;
}

/** Runs a host effect without letting its failure turn a successful engine call into an error. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* the host logs its own failures; the user's change did succeed */
  }
}

export function withHostEffects(handlers: Handlers, effects: HostEffects): Handlers {
  return {
    ...handlers,
    'settings:get': async (req) => {
      const s = await handlers['settings:get'](req);
      safely(() => effects.onSettings(s));
      return s;
    },
    'settings:set': async (req) => {
      const s = await handlers['settings:set'](req);
      safely(() => effects.onSettings(s));
      return s;
    },
    'sync:pauseAll': async (req) => {
      const r = await handlers['sync:pauseAll'](req);
      safely(() => effects.onStateChanged());
      return r;
    },
    'sync:run': async (req) => {
      const r = await handlers['sync:run'](req);
      safely(() => effects.onStateChanged());
      return r;
    },
    'audiences:update': async (req) => {
      const r = await handlers['audiences:update'](req);
      safely(() => effects.onStateChanged());
      return r;
    },
    'audiences:create': async (req) => {
      const r = await handlers['audiences:create'](req);
      safely(() => effects.onStateChanged());
      return r;
    },
    'audiences:deleteLocal': async (req) => {
      const r = await handlers['audiences:deleteLocal'](req);
      safely(() => effects.onStateChanged());
      return r;
    },
    'audiences:delete': async (req) => {
      const r = await handlers['audiences:delete'](req);
      safely(() => effects.onStateChanged());
      return r;
    },
  };
}
