/**
 * What a host (Electron main, web host) needs from the engine. `createEngine(opts)` in
 * electron/core/engine.ts returns one; the hosts never reach past it.
 */
import type { EventSource, Handlers } from './contract';
import type { ApiEnvironment, AudienceState } from './dto';

export interface EngineOptions {
  /** The data folder (SQLite store, exports). */
  dataDir: string;
  /** Which host runs the engine; the web host defaults to the offline sandbox. */
  host: 'electron' | 'web' | 'cli';
  /** Overrides the stored API environment for this process (the web host and e2e tests pass 'offline-sandbox'). */
  environment?: ApiEnvironment;
  /**
   * Opens a URL in the user's browser (TikTok's consent page for `connections:loginOAuth`). Electron passes
   * shell.openExternal; the web host a best-effort system opener that also prints the URL. Without it the
   * sign-in still waits: the renderer shows the link from `connection:signInWaiting` to copy.
   */
  openExternal?: (url: string) => Promise<void>;
}

/** One audience as the tray shows it. */
export interface TrayAudience {
  id: number;
  name: string;
  state: AudienceState;
  running: boolean;
  paused: boolean;
  nextSync: string | null;
  callsLeftToday: number;
  dailyBudget: number;
  /** A sync was held for removing more than the audience's limit and waits for the user's decision. */
  held: boolean;
}

/** The engine state the tray menu is built from (electron/main/tray-model.ts). */
export interface TraySnapshot {
  /** "Pause all syncs" is on. */
  pausedAll: boolean;
  audiences: TrayAudience[];
  /** Connections that need the user to re-connect. */
  needsReconnect: number;
}

export interface EngineHost {
  /** The contract's handlers. Each is a plain async function; AppErrors become error envelopes. */
  handlers: Handlers;
  /** Push events for the renderer, the tray and notifications. */
  events: EventSource;
  /** The machine woke up: run the once-per-slot catch-up of missed schedules, inside the quota. */
  onResume(): void;
  traySnapshot(): Promise<TraySnapshot>;
  /** Finish or persist in-flight work and close the store; called once before the process exits. */
  shutdown(): Promise<void>;
}
