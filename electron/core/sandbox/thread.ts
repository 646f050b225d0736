/**
 * The offline sandbox on a thread of its own. Inside the engine's process (the default without a TikTok account) the
 * simulator does TikTok's work synchronously: it parses every uploaded file, keeps every member as a string and saves
 * them all; on the engine's event loop that held progress events and status calls about 1 s per million rows. On
 * its own worker thread it answers HTTP as before and the engine's loop never waits for it.
 *
 * The thread runs the engine's own built entry again (entry.ts starts runSimulatorThread when it finds
 * SANDBOX_THREAD_ROLE in its workerData), so there is no second file to build or ship. What the engine needs of the
 * simulator crosses as messages: its address, a fresh token, save now, stop.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startSimulator, type SimulatorOptions } from './server';

/** workerData.role of a thread that runs the simulator. */
export const SANDBOX_THREAD_ROLE = 'cohort-relay-sandbox';

/** What the engine uses of a simulator, in its process or on its thread. */
export interface SandboxEndpoint {
  /** Base URL, e.g. http://127.0.0.1:8123. */
  url: string;
  port: number;
  /** A new token for the seeded advertisers (the seeded one was revoked). */
  issueToken(): string | Promise<string>;
  /** Writes the state to its data folder now. */
  flush(): void | Promise<void>;
  close(): Promise<void>;
}

type ToThread = { id: number; op: 'issueToken' | 'flush' | 'close' };
type FromThread =
  | { ready: true; url: string; port: number }
  | { ready: false; message: string; code?: string }
  | { id: number; ok: true; value?: string }
  | { id: number; ok: false; message: string };

/** True on a worker thread started by startSimulatorThread (entry.ts runs the simulator instead of the engine). */
export function isSimulatorThread(): boolean {
  return !isMainThread && (workerData as { role?: unknown } | null)?.role === SANDBOX_THREAD_ROLE;
}

/** The thread's side: starts the simulator with the options it was given and serves the engine's messages. */
export async function runSimulatorThread(): Promise<void> {
  const port = parentPort!;
  const { options } = workerData as { options: SimulatorOptions };
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    port.postMessage({ ready: false, message: e?.message ?? String(err), code: e?.code } satisfies FromThread);
    return;
  }
  port.on('message', (m: ToThread) => {
    void (async () => {
      try {
        if (m.op === 'issueToken') port.postMessage({ id: m.id, ok: true, value: sim.issueToken() } satisfies FromThread);
        else if (m.op === 'flush') {
          sim.flush();
          port.postMessage({ id: m.id, ok: true } satisfies FromThread);
        } else {
          await sim.close();
          port.postMessage({ id: m.id, ok: true } satisfies FromThread);
          port.close();
        }
      } catch (err) {
        port.postMessage({ id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies FromThread);
      }
    })();
  });
  port.postMessage({ ready: true, url: sim.url, port: sim.port } satisfies FromThread);
}

/**
 * Starts the simulator on a worker thread running `entry` (the engine's built entry). Rejects as startSimulator does
 * (an Error with code EADDRINUSE when the port is taken). `onExit` is told why when the thread ends without being closed.
 */
export function startSimulatorThread(entry: string, options: SimulatorOptions, onExit?: (reason: string) => void): Promise<SandboxEndpoint> {
  const worker = new Worker(entry, { workerData: { role: SANDBOX_THREAD_ROLE, options }, execArgv: [] });
  const pending = new Map<number, { resolve: (v: string | undefined) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let closing = false;
  const ask = (op: ToThread['op']): Promise<string | undefined> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op } satisfies ToThread);
    });
  return new Promise<SandboxEndpoint>((resolve, reject) => {
    let started = false;
    worker.on('message', (m: FromThread) => {
      if ('ready' in m) {
        if (!m.ready) {
          reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
          void worker.terminate();
          return;
        }
        started = true;
        resolve({
          url: m.url,
          port: m.port,
          issueToken: async () => (await ask('issueToken'))!,
          flush: async () => {
            await ask('flush');
          },
          async close() {
            if (closing) return;
            closing = true;
            await ask('close').catch(() => undefined);
            await worker.terminate();
          },
        });
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.message));
    });
    let failure = 'it exited';
    worker.on('error', (err) => {
      failure = err.name;
      if (!started) reject(err);
    });
    worker.on('exit', () => {
      for (const p of pending.values()) p.reject(new Error('The offline sandbox stopped.'));
      pending.clear();
      if (!started) reject(new Error('The offline sandbox could not start.'));
      else if (!closing) onExit?.(failure);
    });
  });
}
