/**
 * The engine's side of the engine process (issue #13 §1): opens the engine when the host sends `init`, serves
 * every contract channel and host operation by message, and relays every push event. The protocol is in
 * shared/ipc/engine-host.ts; the host's side is engine-client.ts; the built entry (out/engine/index.js) is
 * entry.ts, which binds this to Electron's parentPort or Node's process IPC.
 *
 * Channels are served by name from the engine's Handlers (the host parsed the argument with the contract's
 * schema already), so a channel added to the contract needs nothing here.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AppError, toErrorShape } from '../../../shared/errors';
import type { AppErrorShape } from '../../../shared/errors';
import { isChannel } from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/contract';
import { isToEngine } from '../../../shared/ipc/engine-host';
import type { EngineHost, EngineInit, FromEngine, ToEngine } from '../../../shared/ipc/engine-host';
import { createEngine, type EngineInternals } from './index';

/** The engine's end of the message channel to its host. */
export interface EngineSidePort {
  send(message: FromEngine): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The host went away (Node: the IPC channel disconnected). Electron kills a utilityProcess with its parent. */
  onClose(listener: () => void): void;
}

export interface ServeEngineOptions {
  /** Ends the process (after a shutdown, or when the host is gone). */
  exit(code: number): void;
  /** Where failures that are not AppErrors are logged: name and stack only, never a message (it may carry a value). */
  log(line: string): void;
  /** This process's entry file: the offline sandbox runs on a worker thread of it (sandbox/thread.ts). */
  sandboxThread?: string;
}

function failure(err: unknown): AppErrorShape {
  return err instanceof AppError ? err.toShape() : toErrorShape(err);
}

/** Name and stack frames of a failure, without its message. */
export function describeInternal(where: string, err: unknown): string {
  if (!(err instanceof Error)) return `[engine] ${where} failed: ${typeof err}`;
  const frames = (err.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 8);
  return [`[engine] ${where} failed: ${err.name}`, ...frames].join('\n');
}

/** Serves the engine over `port` until a shutdown or until the host goes away. */
export function serveEngine(port: EngineSidePort, opts: ServeEngineOptions): void {
  let opening: Promise<EngineHost> | null = null;
  let stopping: Promise<void> | null = null;
  let nextAsk = 1;
  const asks = new Map<number, { resolve: () => void; reject: (err: unknown) => void }>();
  // The engine loop's stalls, for the host's `loopStall` (benchmarks): sampled every 10 ms.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();

  const send = (message: FromEngine) => {
    try {
      port.send(message);
    } catch (err) {
      // The host is gone: nothing to answer; onClose ends the process.
      opts.log(describeInternal('send', err));
    }
  };
  const answer = (id: number, result: Result<unknown>) => send({ kind: 'result', id, result });

  function openExternal(url: string): Promise<void> {
    const id = nextAsk++;
    return new Promise<void>((resolve, reject) => {
      asks.set(id, { resolve, reject });
      send({ kind: 'ask', id, op: 'openExternal', url });
    });
  }

  function open(init: EngineInit): Promise<EngineHost> {
    const internals: EngineInternals = { ...init.internals, env: init.internals?.env ?? process.env, sandboxThread: opts.sandboxThread, log: opts.log };
    const engine = createEngine({ dataDir: init.dataDir, workspace: init.workspace, host: init.host, environment: init.environment, openExternal: init.canOpenExternal ? openExternal : undefined }, internals);
    engine.then(
      (host) => {
        host.events.subscribe((e) => send({ kind: 'event', event: e.event, payload: e.payload }));
        send({ kind: 'ready', pid: process.pid });
      },
      (err: unknown) => {
        if (!(err instanceof AppError)) opts.log(describeInternal('start', err));
        send({ kind: 'failed', error: failure(err) });
        setImmediate(() => opts.exit(1));
      },
    );
    return engine;
  }

  async function stop(code: number): Promise<void> {
    stopping ??= (async () => {
      const engine = await opening?.catch(() => null);
      await engine?.shutdown().catch((err: unknown) => opts.log(describeInternal('shutdown', err)));
      for (const ask of asks.values()) ask.reject(new AppError('CANCELLED', 'Cohort Relay is shutting down.'));
      asks.clear();
    })();
    await stopping;
    // Let the last answer leave before the process ends.
    setImmediate(() => opts.exit(code));
  }

  async function serve(m: ToEngine): Promise<void> {
    switch (m.kind) {
      case 'init':
        opening ??= open(m.init);
        return;
      case 'reply': {
        const ask = asks.get(m.id);
        asks.delete(m.id);
        if (!ask) return;
        if (m.result.ok) ask.resolve();
        else ask.reject(new AppError(m.result.error.code, m.result.error.message, { retryable: m.result.error.retryable }));
        return;
      }
      case 'request': {
        if (!opening || stopping) return answer(m.id, { ok: false, error: { code: 'CANCELLED', message: 'Cohort Relay is shutting down. Try again after the restart.', retryable: true } });
        const engine = await opening;
        if (!isChannel(m.channel)) {
          return answer(m.id, { ok: false, error: { code: 'INVALID_ARGUMENT', message: `Unknown request "${m.channel.slice(0, 64)}". The app's screens and engine are out of step: restart Cohort Relay.`, retryable: false } });
        }
        const handler = engine.handlers[m.channel] as (req: unknown) => Promise<unknown>;
        try {
          const value = await handler(m.arg);
          return answer(m.id, { ok: true, value: value === undefined ? null : value });
        } catch (err) {
          if (!(err instanceof AppError)) opts.log(describeInternal(m.channel, err));
          return answer(m.id, { ok: false, error: failure(err) });
        }
      }
      case 'host': {
        if (m.op === 'shutdown') {
          await stop(0);
          return answer(m.id, { ok: true, value: null });
        }
        if (m.op === 'loopStall') {
          const ms = delay.max / 1e6;
          delay.reset();
          return answer(m.id, { ok: true, value: ms });
        }
        if (!opening || stopping) return answer(m.id, { ok: false, error: { code: 'CANCELLED', message: 'Cohort Relay is shutting down.', retryable: true } });
        const engine = await opening;
        try {
          if (m.op === 'resume') {
            engine.onResume();
            return answer(m.id, { ok: true, value: null });
          }
          return answer(m.id, { ok: true, value: await engine.traySnapshot() });
        } catch (err) {
          if (!(err instanceof AppError)) opts.log(describeInternal(m.op, err));
          return answer(m.id, { ok: false, error: failure(err) });
        }
      }
    }
  }

  port.onMessage((raw) => {
    if (!isToEngine(raw)) return;
    serve(raw).catch((err: unknown) => {
      // opening failed: 'failed' was sent and the process is ending; answer the request all the same.
      if (raw.kind === 'request' || raw.kind === 'host') answer(raw.id, { ok: false, error: failure(err) });
    });
  });
  // The host is gone: persist in-flight work (cancelled runs keep what TikTok acknowledged) and end.
  port.onClose(() => void stop(0));
}
