/**
 * The offline sandbox inside the engine: the TikTok simulator on 127.0.0.1, persisted under
 * `<dataDir>/sandbox`, started on first need (the environment is offline-sandbox, a connection
 * made against it exists, or the user asks to connect it). It keeps the port it had last time when it can; when the
 * port changes, the connections made against it (their API base is its earlier address) are pointed at the new one.
 * A connection to a sandbox it did not start (`cohort-relay sandbox`, then `login --sandbox --api-base URL`) is not
 * its own: it keeps its URL and never starts this one.
 */
import path from 'node:path';
import { SANDBOX_DIR, type Store } from '../store';
import { SETTINGS } from '../store/settings-keys';
import type { ConnectionRecord } from '../store/connections-repo';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../sandbox';

/** TikTok takes 24–48 h to process an audience; the sandbox shows "processing" for a moment only. */
export const SANDBOX_PROCESSING_MS = 2000;

export class SandboxHost {
  private handle: SimulatorHandle | null = null;
  private starting: Promise<SimulatorHandle> | null = null;

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    /** Extra simulator options (tests: no rate limit, no processing delay). */
    private readonly options: Partial<SimulatorOptions> = {},
    /** Told once the simulator runs (tests drive it: revoke a token, read memberships). */
    private readonly onStarted?: (sim: SimulatorHandle) => void,
  ) {}

  /** The running simulator, if started. */
  get simulator(): SimulatorHandle | null {
    return this.handle;
  }

  /** Starts the simulator once; later calls get the same one. */
  ensure(): Promise<SimulatorHandle> {
    if (this.handle) return Promise.resolve(this.handle);
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async start(): Promise<SimulatorHandle> {
    const base: SimulatorOptions = { dataDir: path.join(this.dataDir, SANDBOX_DIR), processingDelayMs: SANDBOX_PROCESSING_MS, ...this.options };
    const lastPort = this.store.settings.read(SETTINGS.sandboxPort);
    let sim: SimulatorHandle;
    try {
      sim = await startSimulator({ ...base, port: this.options.port ?? lastPort ?? 0 });
    } catch (err) {
      // The old port is taken (another app, another instance): any free port will do.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      sim = await startSimulator({ ...base, port: 0 });
    }
    this.store.settings.write(SETTINGS.sandboxPort, sim.port);
    // The connections made against it at an earlier port (the sandbox connection, a pasted sandbox token, an OAuth
    // sign-in to the simulator) follow it; a connection to another sandbox keeps its URL.
    if (lastPort !== null) this.store.connections.followSandbox(sim.url, sandboxUrl(lastPort));
    this.handle = sim;
    this.onStarted?.(sim);
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
    sim.flush();
    await sim.close();
  }
}

/** The simulator's address on this machine at `port` (as its handle's `url`). */
function sandboxUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}
