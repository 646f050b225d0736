/**
 * The host's side of the engine process (issue #13 §1): starts the built engine entry (out/engine/index.js) in a
 * process of its own, relays every contract channel and push event to it by name, and supervises it. The one
 * seam is how the process is started (`SpawnEngine`): Electron's main passes a `utilityProcess.fork`; the web
 * host, the daemon and the tests use `nodeEngineSpawner` (Node's `child_process.fork` of the same entry). The
 * messages are in shared/ipc/engine-host.ts.
 *
 * Supervision: when the engine process ends without being asked, every request waiting for it fails with the
 * retryable ENGINE_RESTARTED, it is started again after a back-off (doubling, reset once it has run a while),
 * and `engine:restarted` is pushed so the UI can say so. Sync jobs are persisted by the engine: a run the
 * crash cut short is closed by the next run's crash recovery, which resumes from what TikTok acknowledged.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, describeError } from '../../../shared/errors';
import type { AppErrorShape } from '../../../shared/errors';
import { CHANNELS } from '../../../shared/ipc/contract';
import type { Channel, EventPayloads, Handlers, Result, Unsubscribe } from '../../../shared/ipc/contract';
import { ENGINE_RESTARTED_MESSAGE, isFromEngine } from '../../../shared/ipc/engine-host';
import type { EngineHost, EngineHostOp, EngineInit, FromEngine, ToEngine, TraySnapshot } from '../../../shared/ipc/engine-host';
import { createEventHub } from '../../../shared/ipc/events';

/** One running engine process as the host sees it. */
export interface EngineProcessPort {
  readonly pid: number | undefined;
  send(message: ToEngine): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended, whatever the reason. */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** Starts one engine process. */
export type SpawnEngine = () => EngineProcessPort;

export type EngineProcessState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface EngineProcessOptions {
  init: Omit<EngineInit, 'canOpenExternal'>;
  /** Default: `nodeEngineSpawner()` (Node's child_process.fork of out/engine/index.js). */
  spawn?: SpawnEngine;
  /** Opens a URL in the user's browser when the engine asks (TikTok's sign-in page). */
  openExternal?: (url: string) => Promise<void>;
  /** Supervision notes (restarts); never carries a value. */
  log?: (line: string) => void;
  /** First restart delay (default 250 ms); it doubles up to `maxBackoffMs` (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** After running this long, a crash restarts at the first delay again (default 60 s). */
  stableMs?: number;
  /** How long shutdown waits for the engine before ending it (default 10 s). */
  shutdownTimeoutMs?: number;
}

export interface EngineProcess extends EngineHost {
  readonly state: EngineProcessState;
  /** The engine process's id while one runs. */
  readonly pid: number | undefined;
  /** The engine loop's largest stall (ms) since the last call (benchmarks). */
  loopStall(): Promise<number>;
  /** Told on every state change (tests, diagnostics). */
  onStateChange(listener: (state: EngineProcessState) => void): Unsubscribe;
}

function restartedError(): AppError {
  const d = describeError('ENGINE_RESTARTED');
  return new AppError('ENGINE_RESTARTED', `${d.message} ${d.action}`, { retryable: true });
}

function fromShape(e: AppErrorShape): AppError {
  return new AppError(e.code, e.message, { retryable: e.retryable });
}

/**
 * The built engine entry: COHORT_RELAY_ENGINE_ENTRY, else out/engine/index.js beside this host's own bundle
 * (out/main, out/cli, out/web-host), else under the app folder (sources run by tsx or Vitest).
 */
export function findEngineEntry(from: string = path.dirname(fileURLToPath(import.meta.url)), env: NodeJS.ProcessEnv = process.env): string {
  if (env.COHORT_RELAY_ENGINE_ENTRY) return path.resolve(env.COHORT_RELAY_ENGINE_ENTRY);
  const beside = path.join(from, '../engine/index.js');
  if (fs.existsSync(beside)) return beside;
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'out', 'engine', 'index.js');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new AppError('INTERNAL', 'The Cohort Relay engine is not built (out/engine/index.js is missing). Run `npm run build`, then start again.', { retryable: false });
}

/** Node's child_process.fork of the built entry, with the structured-clone messages utilityProcess uses. */
export function nodeEngineSpawner(entry: string = findEngineEntry()): SpawnEngine {
  return () => {
    // Plain Node on the built JS (no loaders of the host's own, e.g. tsx); the environment is the host's.
    const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    let exited = false;
    const exitListeners: ((code: number | null) => void)[] = [];
    const onExit = (code: number | null) => {
      if (exited) return;
      exited = true;
      for (const l of exitListeners) l(code);
    };
    child.once('exit', (code) => onExit(code));
    // A fork that could not start at all ends with 'error' and maybe no 'exit'.
    child.once('error', () => {
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) onExit(null);
    });
    return {
      pid: child.pid,
      send(message) {
        if (!child.connected) throw new Error('engine channel closed');
        child.send(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

/** Starts the engine process and resolves once it has opened the engine; rejects with the engine's own error. */
export async function startEngineProcess(opts: EngineProcessOptions): Promise<EngineProcess> {
  const spawn = opts.spawn ?? nodeEngineSpawner();
  const log = opts.log ?? (() => {});
  const firstBackoff = opts.backoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const stableMs = opts.stableMs ?? 60_000;
  const hub = createEventHub();
  const stateListeners = new Set<(s: EngineProcessState) => void>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let state: EngineProcessState = 'starting';
  let current: EngineProcessPort | null = null;
  let backoff = firstBackoff;
  let startedAt = 0;
  let restartTimer: NodeJS.Timeout | null = null;
  let exitedOnce: Promise<void> = Promise.resolve();

  const setState = (s: EngineProcessState) => {
    state = s;
    for (const l of [...stateListeners]) l(s);
  };

  function failPending(err: AppError): void {
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(err);
  }

  function onAsk(port: EngineProcessPort, m: Extract<FromEngine, { kind: 'ask' }>): void {
    const reply = (result: Result<unknown>) => {
      try {
        port.send({ kind: 'reply', id: m.id, result });
      } catch {
        /* the engine is gone; its restart starts a new sign-in */
      }
    };
    if (!opts.openExternal) return reply({ ok: false, error: { code: 'INTERNAL', message: 'This host cannot open a browser.', retryable: false } });
    opts.openExternal(m.url).then(
      () => reply({ ok: true, value: null }),
      (err: unknown) => reply({ ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : 'The browser could not be opened.', retryable: false } }),
    );
  }

  /** Starts one process; resolves when it is ready, rejects with its start failure. */
  function launch(): Promise<void> {
    const port = spawn();
    current = port;
    let settle: { ok: () => void; fail: (e: AppError) => void } | null = null;
    const ready = new Promise<void>((ok, fail) => (settle = { ok, fail }));
    let resolveExit!: () => void;
    exitedOnce = new Promise<void>((r) => (resolveExit = r));
    port.onMessage((raw) => {
      if (!isFromEngine(raw) || current !== port) return;
      switch (raw.kind) {
        case 'ready':
          startedAt = Date.now();
          settle?.ok();
          settle = null;
          return;
        case 'failed':
          settle?.fail(fromShape(raw.error));
          settle = null;
          return;
        case 'result': {
          const p = pending.get(raw.id);
          pending.delete(raw.id);
          if (!p) return;
          if (raw.result.ok) p.resolve(raw.result.value);
          else p.reject(fromShape(raw.result.error));
          return;
        }
        case 'event':
          // Relayed by name: whatever the engine emits reaches the host's subscribers.
          hub.emit(raw.event, raw.payload as EventPayloads[typeof raw.event]);
          return;
        case 'ask':
          return onAsk(port, raw);
      }
    });
    port.onExit((code) => {
      resolveExit();
      if (current !== port) return;
      current = null;
      if (settle) {
        settle.fail(new AppError('INTERNAL', `The Cohort Relay engine ended while starting (exit code ${code ?? 'none'}).`, { retryable: true }));
        settle = null;
      }
      failPending(state === 'stopped' ? new AppError('CANCELLED', 'Cohort Relay is shutting down.', { retryable: true }) : restartedError());
      if (state === 'running') {
        log(`[engine] the engine process ended unexpectedly (exit code ${code ?? 'none'}); restarting it`);
        scheduleRestart();
      }
    });
    port.send({ kind: 'init', init: { ...opts.init, canOpenExternal: Boolean(opts.openExternal) } });
    return ready;
  }

  function scheduleRestart(): void {
    if (Date.now() - startedAt >= stableMs) backoff = firstBackoff;
    const wait = backoff;
    backoff = Math.min(maxBackoff, backoff * 2);
    setState('restarting');
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (state !== 'restarting') return;
      launch().then(
        () => {
          if (state !== 'restarting') return;
          setState('running');
          hub.emit('engine:restarted', { message: ENGINE_RESTARTED_MESSAGE });
        },
        (err: unknown) => {
          (current as EngineProcessPort | null)?.kill();
          log(`[engine] the engine could not be restarted (${err instanceof AppError ? err.code : 'error'}); trying again`);
          if (state === 'restarting') {
            // The failed process's exit is not a crash of a running engine: schedule the next try here.
            current = null;
            scheduleRestart();
          }
        },
      );
    }, wait);
    restartTimer.unref?.();
  }

  function send(message: ToEngine & { id: number }): Promise<unknown> {
    if (state === 'stopped') return Promise.reject(new AppError('CANCELLED', 'Cohort Relay is shutting down.', { retryable: true }));
    const port = current;
    if (state !== 'running' || !port) return Promise.reject(restartedError());
    return new Promise((resolve, reject) => {
      pending.set(message.id, { resolve, reject });
      try {
        port.send(message);
      } catch {
        pending.delete(message.id);
        reject(restartedError());
      }
    });
  }

  const request = (channel: Channel, arg: unknown) => send({ kind: 'request', id: nextId++, channel, arg });
  const hostOp = (op: EngineHostOp) => send({ kind: 'host', id: nextId++, op });

  // Every contract channel, by name: a channel added to the contract is relayed with no change here.
  const handlers = Object.fromEntries(CHANNELS.map((channel) => [channel, (req: unknown) => request(channel, req)])) as unknown as Handlers;

  try {
    await launch();
  } catch (err) {
    (current as EngineProcessPort | null)?.kill();
    current = null;
    throw err;
  }
  setState('running');

  let shutDown: Promise<void> | null = null;
  return {
    handlers,
    events: hub,
    get state() {
      return state;
    },
    get pid() {
      return current?.pid;
    },
    onResume() {
      hostOp('resume').catch(() => undefined);
    },
    traySnapshot: () => hostOp('traySnapshot') as Promise<TraySnapshot>,
    loopStall: () => hostOp('loopStall') as Promise<number>,
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    shutdown() {
      shutDown ??= (async () => {
        if (restartTimer) clearTimeout(restartTimer);
        const port = current;
        const wasRunning = state === 'running';
        const asked = wasRunning ? hostOp('shutdown').catch(() => undefined) : Promise.resolve();
        setState('stopped');
        if (!port) return;
        // An engine still starting (a restart) has nothing in flight to finish: end it now.
        if (!wasRunning) port.kill();
        const timeout = opts.shutdownTimeoutMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = await Promise.race([
          Promise.all([asked, exitedOnce]).then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeout))),
        ]);
        clearTimeout(timer);
        if (gaveUp) {
          port.kill();
          await exitedOnce;
        }
      })();
      return shutDown;
    },
  };
}
