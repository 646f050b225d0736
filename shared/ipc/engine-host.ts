/**
 * What a host (Electron main, web host) needs from the engine. `createEngine(opts)` in
 * electron/core/engine.ts returns one; the hosts never reach past it.
 */
import type { AppErrorShape } from '../errors';
import type { EventName } from './channels';
import type { EventSource, Handlers, Result } from './contract';
import type { ApiEnvironment, AudienceState, SyncNoteView } from './dto';

export interface EngineOptions {
  /** The data folder (SQLite store, exports). */
  dataDir: string;
  /** Which host runs the engine; the web host defaults to the offline sandbox. */
  host: 'electron' | 'web' | 'cli';
  /**
   * `dataDir` is the base data folder: its workspaces.json lists the workspaces (#14 §2), each served with its own
   * store, scheduler and keychain entries. Set `workspace` (an id or name) to serve that one alone (`daemon
   * --workspace`); by default every workspace runs its schedules and the registry's active one faces the window.
   */
  workspace?: string;
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
  /** Where the last sync left it (retrying, waiting for quota, cancelled, …), as the audiences screen shows it. */
  syncNote?: SyncNoteView | null;
}

/** The engine state the tray menu is built from (electron/main/tray-model.ts). */
export interface TraySnapshot {
  /** "Pause all syncs" is on. */
  pausedAll: boolean;
  audiences: TrayAudience[];
  /** Connections that need the user to re-connect. */
  needsReconnect: number;
  /** Every workspace, for the tray's switcher (#14 §2); the audiences above are the active one's. */
  workspaces?: TrayWorkspace[];
}

/** One workspace as the tray's switcher lists it. */
export interface TrayWorkspace {
  id: string;
  name: string;
  active: boolean;
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

// ── The engine process (issue #13 §1) ───────────────────────────────────────
//
// The engine runs in a process of its own (Electron: a utilityProcess; the web host, the daemon and tests: a
// Node child_process fork of the same built entry, out/engine/index.js). Host and engine exchange these
// messages as structured clones (utilityProcess postMessage, child_process with serialization 'advanced'):
//
//   host → engine  { kind: 'init', init }                     first message: open the engine with these options
//   engine → host  { kind: 'ready', pid } | { kind: 'failed', error }   the answer to init
//   host → engine  { kind: 'request', id, channel, arg }      a contract channel; `arg` already parsed by the host
//   host → engine  { kind: 'host', id, op }                   a host operation (tray snapshot, resume, shutdown, …)
//   engine → host  { kind: 'result', id, result }             exactly one per request id, errors as AppErrorShape
//   engine → host  { kind: 'event', event, payload }          every push event, as the engine emits it
//   engine → host  { kind: 'ask', id, op: 'openExternal', url }  the engine asks the host to open a URL
//   host → engine  { kind: 'reply', id, result }              the answer to an ask
//
// Contract channels and events are relayed by name, never listed here: a channel added to the contract
// crosses the process boundary with no change to this protocol.

/** The engine options that can cross a process boundary (openExternal becomes an `ask`). */
export interface EngineInit extends Omit<EngineOptions, 'openExternal'> {
  /** The host opens URLs: the engine asks it with { kind: 'ask', op: 'openExternal' }. */
  canOpenExternal: boolean;
  /** Serializable test and support seams (see EngineInternals in electron/core/engine). */
  internals?: {
    env?: Record<string, string | undefined>;
    simulator?: Record<string, unknown>;
    tickMs?: number;
    tmpRoot?: string;
    statusRefreshMs?: number;
  };
}

/** What a host may ask the engine process besides the contract's channels. */
export type EngineHostOp =
  | 'traySnapshot'
  | 'resume'
  | 'shutdown'
  /** The engine loop's largest stall (ms) since the last ask, then reset (benchmarks, diagnostics). */
  | 'loopStall';

export type ToEngine =
  | { kind: 'init'; init: EngineInit }
  | { kind: 'request'; id: number; channel: string; arg?: unknown }
  | { kind: 'host'; id: number; op: EngineHostOp }
  | { kind: 'reply'; id: number; result: Result<unknown> };

export type FromEngine =
  | { kind: 'ready'; pid: number }
  | { kind: 'failed'; error: AppErrorShape }
  | { kind: 'result'; id: number; result: Result<unknown> }
  | { kind: 'event'; event: EventName; payload: unknown }
  | { kind: 'ask'; id: number; op: 'openExternal'; url: string };

/** What the UI is told when the engine process was restarted after a crash. */
export const ENGINE_RESTARTED_MESSAGE = 'The engine stopped and was restarted; no sync was lost.';

/** Whether a structured-clone message is one the host sends (the engine ignores anything else). */
export function isToEngine(m: unknown): m is ToEngine {
  if (!m || typeof m !== 'object') return false;
  const k = (m as { kind?: unknown }).kind;
  const id = (m as { id?: unknown }).id;
  if (k === 'init') return typeof (m as { init?: unknown }).init === 'object';
  if (k !== 'request' && k !== 'host' && k !== 'reply') return false;
  return typeof id === 'number' && Number.isSafeInteger(id);
}

/** Whether a message is one the engine sends (the host ignores anything else). */
export function isFromEngine(m: unknown): m is FromEngine {
  if (!m || typeof m !== 'object') return false;
  const k = (m as { kind?: unknown }).kind;
  return k === 'ready' || k === 'failed' || k === 'result' || k === 'event' || k === 'ask';
}
