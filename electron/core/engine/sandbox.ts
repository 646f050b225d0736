/**
 * The offline sandbox inside the engine: the TikTok simulator on 127.0.0.1, persisted under
 * `<dataDir>/sandbox`, started on first need (the environment is offline-sandbox, a connection
 * made against it exists, or the user asks to connect it). It keeps the port it had last time when it can; when the
 * port changes, the connections made against it (their API base is its earlier address) are pointed at the new one.
 * A connection to a sandbox it did not start (`cohort-relay sandbox`, then `login --sandbox --api-base URL`) is not
 * its own: it keeps its URL and never starts this one. In the engine's process the simulator runs on a thread of its
 * own (sandbox/thread.ts): its work on a large file never holds the engine's loop.
 */
import path from 'node:path';
import { SANDBOX_DIR, type Store } from '../store';
import { SETTINGS } from '../store/settings-keys';
import type { ConnectionRecord } from '../store/connections-repo';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../sandbox';
import { startSimulatorThread, type SandboxEndpoint } from '../sandbox/thread';

/** TikTok takes 24–48 h to process an audience; the sandbox shows "processing" for a moment only. */
export const SANDBOX_PROCESSING_MS = 2000;

export class SandboxHost {
  private handle: SandboxEndpoint | null = null;
  private starting: Promise<SandboxEndpoint> | null = null;

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    /** Extra simulator options (tests: no rate limit, no processing delay). */
    private readonly options: Partial<SimulatorOptions> = {},
    /** Told once the simulator runs (tests drive it: revoke a token, read memberships); it then runs on this thread. */
    private readonly onStarted?: (sim: SimulatorHandle) => void,
    /**
     * The engine's built entry (the engine's process): the simulator then runs on a worker thread of its own
     * (sandbox/thread.ts), so its synchronous work on large files never holds the engine's loop.
     */
    private readonly threadEntry?: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Starts the simulator once; later calls get the same one. */
  ensure(): Promise<SandboxEndpoint> {
    if (this.handle) return Promise.resolve(this.handle);
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /** The simulator on its own thread when the engine runs in its process, else here (tests drive it through onStarted). */
  private launch(options: SimulatorOptions): Promise<SandboxEndpoint> {
    const entry = this.threadEntry;
    if (!entry || this.onStarted) {
      return startSimulator(options).then((sim) => {
        this.onStarted?.(sim);
        return sim;
      });
    }
    return startSimulatorThread(entry, options, (reason) => {
      // Started again at its next use (the connections made against it keep their address when the port is free).
      this.log(`The offline sandbox stopped (${reason}); it starts again when it is next needed.`);
      this.handle = null;
    }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw err;
      // A thread that cannot start here (a packaging that keeps the entry from workers): the sandbox still works, on this thread.
      this.log(`The offline sandbox could not start on a thread of its own (${err instanceof Error ? err.name : 'error'}); it runs on the engine's thread.`);
      return startSimulator(options);
    });
  }

  private async start(): Promise<SandboxEndpoint> {
    const base: SimulatorOptions = { dataDir: path.join(this.dataDir, SANDBOX_DIR), processingDelayMs: SANDBOX_PROCESSING_MS, ...this.options };
    const lastPort = this.store.settings.read(SETTINGS.sandboxPort);
    let sim: SandboxEndpoint;
    try {
      sim = await this.launch({ ...base, port: this.options.port ?? lastPort ?? 0 });
    } catch (err) {
      // The old port is taken (another app, another instance): any free port will do.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      sim = await this.launch({ ...base, port: 0 });
    }
    this.store.settings.write(SETTINGS.sandboxPort, sim.port);
    // The connections made against it at an earlier port (the sandbox connection, a pasted sandbox token, an OAuth
    // sign-in to the simulator) follow it; a connection to another sandbox keeps its URL.
    if (lastPort !== null) this.store.connections.followSandbox(sim.url, sandboxUrl(lastPort));
    this.handle = sim;
    return sim;
  }

  /** The simulator's address: where it runs, else where it ran last time; null when it never ran. */
  private url(): string | null {
    if (this.handle) return this.handle.url;
    const port = this.store.settings.read(SETTINGS.sandboxPort);
    return port === null ? null : sandboxUrl(port);
  }

  /** True when the connection was made against this simulator (not against a sandbox started elsewhere). */
  owns(c: Pick<ConnectionRecord, 'apiBase'>): boolean {
    const url = this.url();
    return url !== null && c.apiBase === url;
  }

  /** Starts the simulator when the connection was made against it (its calls need it running). */
  async ensureFor(c: Pick<ConnectionRecord, 'apiBase'> | undefined): Promise<void> {
    if (c && this.owns(c)) await this.ensure();
  }

  /** True when a connection made against the simulator is stored (its audiences need the simulator running). */
  hasConnection(): boolean {
    return this.store.connections.list().some((c) => this.owns(c));
  }

  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const sim = this.handle;
    this.handle = null;
    if (!sim) return;
    await sim.flush();
    await sim.close();
  }
}

/** The simulator's address on this machine at `port` (as its handle's `url`). */
function sandboxUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}
