/**
 * The offline sandbox inside the engine: the TikTok simulator on 127.0.0.1, persisted under
 * `<dataDir>/sandbox`, started on first need (the environment is offline-sandbox, a sandbox connection
 * exists, or the user asks to connect it). It keeps the port it had last time when it can; when the port
 * changes, the stored sandbox connection is pointed at the new one.
 */
import path from 'node:path';
import { SANDBOX_DIR, type Store } from '../store';
import { SETTINGS } from '../store/settings-keys';
import { SANDBOX_CONNECTION_ID } from '../tiktok/connections';
import { environmentOf } from './views';
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
    // A sandbox connection saved with an earlier port must follow the simulator.
    // So must any connection made against it (a pasted sandbox token, an OAuth sign-in to the simulator).
    const before = lastPort === null ? null : `http://127.0.0.1:${lastPort}`;
    this.store.connections.followSandbox(sim.url, before);
    this.handle = sim;
    this.onStarted?.(sim);
    return sim;
  }

  /** True when a connection to the simulator is stored (its audiences need the simulator running). */
  hasConnection(): boolean {
    return this.store.connections.get(SANDBOX_CONNECTION_ID) !== undefined || this.store.connections.list().some((c) => environmentOf(c) === 'offline-sandbox');
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
