/**
 * The engine of one workspace, as every host uses it (Electron's engine process, the web host, the daemon): the
 * contract's handlers on the real engine (CohortRelayApp: store, connections, sync service), its scheduler, the
 * offline sandbox and the push events. Handlers are plain async functions that return DTOs and throw AppError;
 * the hosts wrap them in envelopes.
 *
 * This file puts the parts together and starts and stops them: run tracking (run-tracker.ts), background status
 * refresh (status-refresh.ts), the connections' status (connection-status.ts), the environment and its sandbox
 * (environment.ts), browser sign-in (sign-in.ts), and one handler group per contract area (handlers/).
 */
import type { Handlers } from '../../../shared/ipc/contract';
import type { AudienceView } from '../../../shared/ipc/dto';
import type { EngineHost, EngineOptions, TraySnapshot } from '../../../shared/ipc/engine-host';
import { createEventHub, type EventHub } from '../../../shared/ipc/events';
import { CohortRelayApp } from '../app';
import type { SimulatorHandle, SimulatorOptions } from '../sandbox';
import type { AudienceRecord } from '../store/audiences-repo';
import type { Scheduler } from '../sync/scheduler';
import type { SyncServiceDeps } from '../sync/sync-service';
import { AudienceUse, audienceUseHandlers, type UseHooks } from './audience-use';
import { ConnectionStatus } from './connection-status';
import type { EngineContext } from './context';
import { EngineEnvironment } from './environment';
import { audienceHandlers } from './handlers/audiences';
import { connectionHandlers } from './handlers/connections';
import { importHandlers } from './handlers/imports';
import { privacyHandlers } from './handlers/privacy';
import { runsHandlers } from './handlers/runs';
import { settingsHandlers } from './handlers/settings';
import { syncHandlers } from './handlers/sync';
import { FileJobs } from './imports';
import { audienceState } from './ops/audience-state';
import { RunTracker } from './run-tracker';
import { SandboxHost } from './sandbox';
import { applyRateLimits } from './settings';
import { SignIn } from './sign-in';
import { forgetVanishedUploads } from './source-checks';
import { DEFAULT_STATUS_REFRESH_MS, StatusRefresh } from './status-refresh';
import { workspaceHandlers } from './workspaces';

/** Test and support seams that are not part of the hosts' EngineOptions. */
export interface EngineInternals {
  /** Read for the keychain switch (COHORT_RELAY_KEYCHAIN), TIKTOK_ACCESS_TOKEN and TIKTOK_API_BASE. Default process.env. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Options for the offline sandbox's simulator (tests: no rate limit, no processing delay). */
  simulator?: Partial<SimulatorOptions>;
  /** Told when the offline sandbox's simulator has started (it then runs on the engine's thread, for the test to drive). */
  onSandboxStarted?: (sim: SimulatorHandle) => void;
  /** The engine's own built entry, in the engine's process: the offline sandbox then runs on a thread of its own (sandbox/thread.ts). */
  sandboxThread?: string;
  /** Where the engine's process logs (the sandbox's thread stopping). */
  log?: (line: string) => void;
  runner?: SyncServiceDeps['runner'];
  /** Scheduler tick (default 30 s). */
  tickMs?: number;
  /** Where the web host's upload folders are (default os.tmpdir()). */
  tmpRoot?: string;
  /** How often sandbox audiences still processing are re-checked (default 3 s; 0 = never). The scheduler re-checks every audience hourly. */
  statusRefreshMs?: number;
}

export class Engine implements EngineContext {
  readonly hub: EventHub = createEventHub();
  readonly jobs = new FileJobs();
  readonly scheduler: Scheduler;
  readonly runs: RunTracker;
  readonly connectionStatus: ConnectionStatus;
  readonly environment: EngineEnvironment;
  readonly signIn: SignIn;
  readonly use: AudienceUse;
  readonly hooks: UseHooks;
  private readonly refresh: StatusRefresh;
  private shuttingDown = false;

  static async open(opts: EngineOptions, internals: EngineInternals): Promise<Engine> {
    let engine: Engine | null = null;
    const app = await CohortRelayApp.open({
      env: internals.env ?? process.env,
      dataDir: opts.dataDir,
      now: internals.now,
      runner: internals.runner,
      tmpRoot: internals.tmpRoot,
      onProgress: (p) => engine?.runs.onProgress(p),
    });
    try {
      engine = new Engine(opts, internals, app);
      await engine.start();
      return engine;
    } catch (err) {
      app.close();
      throw err;
    }
  }

  private constructor(
    readonly opts: EngineOptions,
    private readonly internals: EngineInternals,
    readonly app: CohortRelayApp,
  ) {
    const sandbox = new SandboxHost(app.store, opts.dataDir, internals.simulator, internals.onSandboxStarted, internals.sandboxThread, internals.log);
    this.environment = new EngineEnvironment(app, sandbox, opts.environment);
    this.connectionStatus = new ConnectionStatus(app, this.hub, sandbox);
    this.runs = new RunTracker(this);
    this.signIn = new SignIn(this);
    this.refresh = new StatusRefresh(this);
    this.hooks = {
      prepare: (a) => this.environment.prepare(a),
      remote: (connectionId, fn) => this.connectionStatus.remote(connectionId, fn),
      isRunning: (id) => this.isRunning(id),
      changed: (audienceId) => this.changed(audienceId),
      now: () => this.now(),
    };
    this.use = new AudienceUse(app, this.hooks);
    // The engine's own scheduler (not app.scheduler): its runs go through the same tracking as "Sync now".
    this.scheduler = app.createScheduler({
      tickMs: internals.tickMs,
      runAudience: (id, trigger) => this.runs.track(id, trigger, () => this.app.sync.sync(id, trigger)).done,
      healthCheck: (connectionId) => this.connectionStatus.healthCheck(connectionId),
      refreshStatus: (id) => this.refresh.refreshOne(id),
      onSkipped: (id) => this.changed(id),
    });
  }

  private async start(): Promise<void> {
    applyRateLimits(this.app.store);
    this.connectionStatus.seed();
    this.forgetVanishedUploads();
    // Its own sandbox only: a connection to a sandbox started elsewhere (login --sandbox --api-base URL) neither starts
    // it nor is re-pointed at it.
    if (this.environment.current === 'offline-sandbox' || this.environment.sandbox.hasConnection()) await this.environment.sandbox.ensure();
    this.scheduler.start();
    this.refresh.start(this.internals.statusRefreshMs ?? DEFAULT_STATUS_REFRESH_MS);
  }

  get closed(): boolean {
    return this.shuttingDown;
  }

  now(): Date {
    return this.internals.now?.() ?? new Date();
  }

  isRunning(audienceId: number): boolean {
    return this.runs.has(audienceId) || this.scheduler.isRunning(audienceId);
  }

  audience(a: AudienceRecord): AudienceView {
    // The one audience-state function (ops): `cohort-relay status` shows the same.
    return audienceState(this.app, a, { now: this.now(), nextRun: (r) => this.scheduler.nextRun(r, this.now()), running: (id) => this.isRunning(id) });
  }

  changed(audienceId: number): void {
    this.hub.emit('audience:statusChanged', { audienceId });
  }

  forgetVanishedUploads(): void {
    forgetVanishedUploads(this.app.store, this.internals.tmpRoot);
  }

  handlers(): Handlers {
    return {
      ...connectionHandlers(this),
      ...importHandlers(this),
      ...audienceHandlers(this),
      ...audienceUseHandlers(this.use),
      ...workspaceHandlers(),
      ...syncHandlers(this),
      ...runsHandlers(this),
      ...privacyHandlers(this),
      ...settingsHandlers(this),
    };
  }

  // ── Host surface ───────────────────────────────────────────────────────────

  async traySnapshot(): Promise<TraySnapshot> {
    const audiences = this.app.store.audiences.list().map((r) => {
      const a = this.audience(r);
      return { id: a.id, name: a.name, state: a.state, running: a.running, paused: a.paused, nextSync: a.nextSync, callsLeftToday: a.callsLeftToday, dailyBudget: a.dailyBudget, held: a.hold?.state === 'held', syncNote: a.syncNote ?? null };
    });
    const needsReconnect = this.app.store.connections.list().filter((c) => c.status === 'needs_reconnect').length;
    return { pausedAll: this.scheduler.paused, audiences, needsReconnect };
  }

  /** Cancels runs and file jobs, stops the scheduler and the sandbox, closes the store. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.refresh.stop();
    await this.signIn.cancel();
    this.jobs.cancelAll();
    // A cancelled run keeps every call TikTok acknowledged; the next run resumes from there.
    this.runs.cancelAll();
    await this.scheduler.stop();
    await this.runs.settled();
    await this.refresh.settled();
    await this.environment.sandbox.close();
    this.app.close();
  }

  host(): EngineHost {
    return {
      handlers: this.handlers(),
      events: this.hub,
      onResume: () => {
        if (!this.shuttingDown) void this.scheduler.tick();
      },
      traySnapshot: () => this.traySnapshot(),
      shutdown: () => this.shutdown(),
    };
  }
}
