/**
 * The engine facade every host uses (Electron main, the web host): the contract's handlers on the real
 * engine (CohortRelayApp: store, connections, sync service), its scheduler, the offline sandbox and the
 * push events. Handlers are plain async functions that return DTOs and throw AppError; the hosts wrap
 * them in envelopes.
 *
 * Runs: `sync:run` / `sync:undo` resolve as soon as the run has its row in the sync log (its first
 * progress event carries the id) and the run continues in the background; `run:progress`,
 * `run:finished` and `audience:statusChanged` follow. Scheduled runs go through the same tracking, so
 * the renderer, the tray and notifications see them alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AUDIENCE_FLOOR, CALCULATE_TYPE_BY_KEY, DEFAULT_REMOVAL_LIMIT_PCT } from '../../../shared/domain';
import { AppError, toErrorShape } from '../../../shared/errors';
import type { Handlers, RequestOf } from '../../../shared/ipc/contract';
import type { ApiEnvironment, AudienceDetailView, AudienceView, ConnectionView, PlanView, RedirectUriView, RunTrigger, TiktokAudienceView, UndoPreviewView } from '../../../shared/ipc/dto';
import type { EngineHost, EngineOptions, TraySnapshot } from '../../../shared/ipc/engine-host';
import { createEventHub, type EventHub } from '../../../shared/ipc/events';
import { API_BASE_KEY, CohortRelayApp } from '../app';
import { MULTI_SLOTS, slotHashes, slotOfKey } from '../cohort';
import { layoutOf } from '../sync/entry-layout';
import type { AudienceRecord } from '../store/audiences-repo';
import { nextUtcDay, utcDay } from '../store/quota-repo';
import { cadenceProblem } from '../sync/cadence';
import { setWaitForFloor } from '../sync/floor-wait';
import type { Scheduler } from '../sync/scheduler';
import { statusHistory } from '../sync/status';
import type { SyncServiceDeps } from '../sync/sync-service';
import type { SyncOutcome, SyncProgress } from '../sync/sync-runner';
import { resolveApiBase, TIKTOK_API_BASES } from '../tiktok/client';
import { DEFAULT_REDIRECT_URI, parseRedirectUri, REDIRECT_URI_SETTING, resolveRedirectUri } from '../tiktok/oauth';
import type { SimulatorHandle, SimulatorOptions } from '../sandbox';
import { erasePerson, erasePreview, refuseWhileSyncing } from './erase';
import { exportRejects, FileJobs, hashLabView, pinDoubtfulHeader, previewView, tryValue, validateFile } from './imports';
import { RateMeter, runPhase } from './progress';
import { SandboxHost } from './sandbox';
import { AudienceUse, audienceUseHandlers } from './audience-use';
import { overlapHandlers } from './overlap';
import { audienceState, lostUploadKey, noSourceMessage } from './ops/audience-state';
import { refuseTiktokNamesake } from './ops/create';
import { deleteAudience } from './ops/delete';
import { confirmRemovals, keepAudience } from './ops/removals';
import { runWithCalls } from './ops/runs';
import { undoPreview } from './ops/undo';
import { workspaceHandlers } from './workspaces';
import { WorkspaceSet } from './workspace-set';
import { isVanishedUploadCopy } from '../temp-dirs';
import { applyRateLimits, readSettings, storedEnvironment, writeSettings } from './settings';
import { apiCallView, connectionView, environmentOf, keyOfCalculateType, rejectSamples, runView, sizeHistory, tiktokTimeToIso } from './views';

export { SandboxHost, SANDBOX_PROCESSING_MS } from './sandbox';
export {
  DEFAULT_WORKSPACE_ID,
  WORKSPACE_ENV,
  checkDeletable,
  createWorkspace,
  readRegistry,
  removeWorkspace,
  renameWorkspace,
  requireWorkspace,
  setActiveWorkspace,
  workspaceDir,
  workspaceEnv,
  type Registry,
  type WorkspaceRecord,
} from '../workspaces/registry';
export { resolveDataDir } from '../paths';
export { deleteWorkspaceHeadless } from './workspaces';
export { runPhase, RateMeter } from './progress';
export { cadenceProblem, clearSchedule, listSchedules, nextRunOf, pauseSchedule, setSchedule } from './schedule';
export type { Cadence, ScheduleDeps, ScheduleEntry, ScheduleList } from './schedule';

/** Test and support seams that are not part of the hosts' EngineOptions. */
export interface EngineInternals {
  /** Read for the keychain switch (COHORT_RELAY_KEYCHAIN), TIKTOK_ACCESS_TOKEN and TIKTOK_API_BASE. Default process.env. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Options for the offline sandbox's simulator (tests: no rate limit, no processing delay). */
  simulator?: Partial<SimulatorOptions>;
  /** Told when the offline sandbox's simulator has started. */
  onSandboxStarted?: (sim: SimulatorHandle) => void;
  runner?: SyncServiceDeps['runner'];
  /** Scheduler tick (default 30 s). */
  tickMs?: number;
  /** Where the web host's upload folders are (default os.tmpdir()). */
  tmpRoot?: string;
  /** How often sandbox audiences still processing are re-checked (default 3 s; 0 = never). The scheduler re-checks every audience hourly. */
  statusRefreshMs?: number;
}

const DEFAULT_STATUS_REFRESH_MS = 3_000;

const RECENT_RUNS = 20;

interface ActiveRun {
  audienceId: number;
  trigger: RunTrigger;
  runId: number | null;
  rows: number;
  meter: RateMeter;
  started(runId: number): void;
  done: Promise<SyncOutcome>;
}

/**
 * Creates the engine for one host process: every workspace of the base data folder `opts.dataDir` (#14 §2), each
 * with its store, keychain entries and scheduler; the contract's channels go to the active workspace.
 */
export async function createEngine(opts: EngineOptions, internals: EngineInternals = {}): Promise<EngineHost> {
  const set = await WorkspaceSet.open(opts, internals, async (o, i) => (await Engine.open(o, i)).host());
  return set.host(workspaceHandlers);
}

class Engine {
  readonly hub: EventHub = createEventHub();
  private readonly active = new Map<number, ActiveRun>();
  private readonly jobs = new FileJobs();
  private readonly knownStatus = new Map<string, string>();
  private readonly scheduler: Scheduler;
  private readonly sandbox: SandboxHost;
  private override: ApiEnvironment | undefined;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  /** The browser sign-in waiting for TikTok's redirect (one at a time: it holds the redirect port). */
  private signIn: { controller: AbortController; done: Promise<unknown> } | null = null;
  private closed = false;
  /** Putting audiences to work at TikTok: ad groups, lookalikes, shares, deletion (#14 §1). */
  private readonly use: AudienceUse;

  static async open(opts: EngineOptions, internals: EngineInternals): Promise<Engine> {
    let engine: Engine | null = null;
    const app = await CohortRelayApp.open({
      env: internals.env ?? process.env,
      dataDir: opts.dataDir,
      now: internals.now,
      runner: internals.runner,
      tmpRoot: internals.tmpRoot,
      onProgress: (p) => engine?.onProgress(p),
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
    private readonly opts: EngineOptions,
    private readonly internals: EngineInternals,
    private readonly app: CohortRelayApp,
  ) {
    this.override = opts.environment;
    this.sandbox = new SandboxHost(app.store, opts.dataDir, internals.simulator, internals.onSandboxStarted);
    this.use = new AudienceUse(app, {
      prepare: (a) => this.ensureSandboxFor(a),
      remote: (connectionId, fn) => this.remote(connectionId, fn),
      isRunning: (id) => this.isRunning(id),
      changed: (audienceId) => this.hub.emit('audience:statusChanged', { audienceId }),
      now: () => this.now(),
    });
    // The engine's own scheduler (not app.scheduler): its runs go through the same tracking as "Sync now".
    this.scheduler = app.createScheduler({
      tickMs: internals.tickMs,
      runAudience: (id, trigger) => this.track(id, trigger, () => this.app.sync.sync(id, trigger)).done,
      healthCheck: (connectionId) => this.healthCheck(connectionId),
      refreshStatus: (id) => this.refreshOne(id),
      onSkipped: (id) => this.hub.emit('audience:statusChanged', { audienceId: id }),
    });
  }

  private async start(): Promise<void> {
    applyRateLimits(this.app.store);
    for (const c of this.app.store.connections.list()) this.knownStatus.set(c.id, c.status);
    this.forgetVanishedUploads();
    if (this.environment === 'offline-sandbox' || this.sandbox.hasConnection()) await this.sandbox.ensure();
    this.scheduler.start();
    const every = this.internals.statusRefreshMs ?? DEFAULT_STATUS_REFRESH_MS;
    if (every > 0) {
      this.refreshTimer = setInterval(() => void this.refreshStatuses(every), every);
      this.refreshTimer.unref?.();
    }
  }

  private now(): Date {
    return this.internals.now?.() ?? new Date();
  }

  get environment(): ApiEnvironment {
    return this.override ?? storedEnvironment(this.app.store);
  }

  // ── Runs ───────────────────────────────────────────────────────────────────

  /**
   * Starts a run in the background. `started` resolves with its id once the run is in the sync log, or
   * rejects when it could not start (unknown audience, locked by another process, no token).
   */
  private track(audienceId: number, trigger: RunTrigger, start: () => Promise<SyncOutcome>): { started: Promise<number>; done: Promise<SyncOutcome> } {
    if (this.closed) throw new AppError('CANCELLED', 'Cohort Relay is shutting down, so no new sync starts. Start it again after the restart.');
    if (this.active.has(audienceId)) throw new AppError('SYNC_RUNNING', 'This audience is syncing right now. Wait for that run to finish, or cancel it first.');
    let resolveStarted!: (id: number) => void;
    let rejectStarted!: (err: unknown) => void;
    const started = new Promise<number>((res, rej) => {
      resolveStarted = res;
      rejectStarted = rej;
    });
    // A caller that never waits for `started` must not see an unhandled rejection.
    started.catch(() => undefined);
    const run: ActiveRun = { audienceId, trigger, runId: null, rows: 0, meter: new RateMeter(), started: resolveStarted, done: Promise.resolve(null as never) };
    this.active.set(audienceId, run);
    this.hub.emit('audience:statusChanged', { audienceId });
    const finish = () => {
      if (this.active.get(audienceId) === run) this.active.delete(audienceId);
      this.hub.emit('audience:statusChanged', { audienceId });
      this.checkConnections();
    };
    run.done = (async () => {
      try {
        await this.ensureSandboxFor(this.app.store.audiences.require(audienceId));
        return await start();
      } catch (err) {
        finish();
        rejectStarted(err);
        throw err;
      }
    })().then((outcome) => {
      finish();
      if (outcome.runId === null) {
        const e = outcome.error ?? { code: 'INTERNAL' as const, message: 'The sync could not start.', retryable: true };
        rejectStarted(new AppError(e.code, e.message, { retryable: e.retryable }));
      } else {
        resolveStarted(outcome.runId);
        this.hub.emit('run:finished', { runId: outcome.runId, audienceId, status: outcome.status, trigger, error: outcome.error, ...(outcome.status === 'held' && { heldAgain: outcome.hold?.repeated ?? false }) });
      }
      return outcome;
    });
    run.done.catch(() => undefined);
    return { started, done: run.done };
  }

  private onProgress(p: SyncProgress): void {
    // Dry runs (plans) have no run id: they are not runs of the sync log.
    if (p.runId === null) return;
    const run = this.active.get(p.audienceId);
    if (!run) return;
    if (run.runId === null) {
      run.runId = p.runId;
      run.started(p.runId);
    }
    if (p.rows !== undefined) run.rows = p.rows;
    // Reading is the first 60% of a run; its rate and ETA are the ones worth showing.
    const readFraction = p.phase === 'reading' ? p.percent / 60 : null;
    const rate = p.phase === 'reading' ? run.meter.measure(run.rows, readFraction) : {};
    this.hub.emit('run:progress', { runId: p.runId, audienceId: p.audienceId, phase: runPhase(p), rows: run.rows, percent: p.percent, ...rate });
  }

  private isRunning(audienceId: number): boolean {
    return this.active.has(audienceId) || this.scheduler.isRunning(audienceId);
  }

  // ── Connections and the sandbox ────────────────────────────────────────────

  /** Emits connection:needsReconnect for every connection that newly needs it (a run, a check, a call). */
  private checkConnections(): void {
    for (const c of this.app.store.connections.list()) {
      const before = this.knownStatus.get(c.id);
      this.knownStatus.set(c.id, c.status);
      if (c.status === 'needs_reconnect' && before !== 'needs_reconnect') {
        this.hub.emit('connection:needsReconnect', { connectionId: c.id, message: c.statusMessage ?? 'TikTok no longer accepts this connection. Sign in again to re-connect it.' });
        for (const a of this.app.store.audiences.list()) if (a.connectionId === c.id) this.hub.emit('audience:statusChanged', { audienceId: a.id });
      }
    }
  }

  private async healthCheck(connectionId: string): Promise<{ ok: boolean; message?: string }> {
    const c = this.app.store.connections.get(connectionId);
    if (c && environmentOf(c) === 'offline-sandbox') await this.sandbox.ensure();
    try {
      return await this.app.healthCheck(connectionId);
    } finally {
      this.checkConnections();
    }
  }

  /** Audiences on the sandbox connection need the simulator running, whatever the environment. */
  private async ensureSandboxFor(a: Pick<AudienceRecord, 'connectionId' | 'advertiserId'>): Promise<void> {
    const c = a.connectionId ? this.app.store.connections.get(a.connectionId) : this.app.store.connections.findByAdvertiser(a.advertiserId);
    if (c && environmentOf(c) === 'offline-sandbox') await this.sandbox.ensure();
  }

  /** The API base new connections use: the environment's TikTok (TIKTOK_API_BASE still wins for production). */
  private async apiBase(): Promise<string> {
    switch (this.environment) {
      case 'offline-sandbox':
        return (await this.sandbox.ensure()).url;
      case 'tiktok-sandbox':
        return TIKTOK_API_BASES.tiktokSandbox;
      case 'production':
        return resolveApiBase(this.app.env, TIKTOK_API_BASES.production);
    }
  }

  /** A TikTok call made outside a run: a token TikTok refuses marks its connection for re-connect. */
  private async remote<T>(connectionId: string | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = toErrorShape(err).code;
      if (connectionId && code === 'AUTH_EXPIRED') {
        this.app.store.connections.setStatus(connectionId, 'needs_reconnect', toErrorShape(err).message);
        this.checkConnections();
      }
      throw err;
    }
  }

  /** The redirect URL sign-in uses: TIKTOK_REDIRECT_URI, else the saved setting, else the default. */
  private redirectUri(): RedirectUriView {
    const r = resolveRedirectUri({ env: this.app.env, stored: this.app.store.settings.get<string | null>(REDIRECT_URI_SETTING, null) });
    return { redirectUri: r.uri, defaultRedirectUri: DEFAULT_REDIRECT_URI, source: r.source === 'env' ? 'env' : r.source === 'default' ? 'default' : 'setting' };
  }

  /**
   * Browser sign-in. A sign-in already waiting is cancelled first (the user started again; it holds the
   * redirect port). The sign-in link is pushed as connection:signInWaiting before the browser opens, so the
   * renderer can offer "copy sign-in link" — also when this host cannot open a browser at all.
   */
  private async loginOAuth(appId: string, appSecret: string): Promise<ConnectionView> {
    await this.cancelLogin();
    if (this.closed) throw new AppError('CANCELLED', 'Cohort Relay is shutting down. Sign in again after the restart.');
    const redirectUri = this.redirectUri().redirectUri;
    const controller = new AbortController();
    const done = (async () =>
      this.app.connections.loginWithOAuth({
        apiBase: await this.apiBase(),
        appId,
        appSecret,
        redirectUri,
        openBrowser: this.opts.openExternal ?? null,
        signal: controller.signal,
        onUrl: (url, w) => this.hub.emit('connection:signInWaiting', { url, redirectUri: w.redirectUri, expiresAt: w.expiresAt.toISOString() }),
      }))();
    const entry = { controller, done };
    this.signIn = entry;
    try {
      const r = await done;
      return this.connected(r.connection.id);
    } finally {
      if (this.signIn === entry) this.signIn = null;
    }
  }

  /** Cancels the waiting browser sign-in, if any, and waits until its listener is closed. */
  private async cancelLogin(): Promise<boolean> {
    const s = this.signIn;
    if (!s) return false;
    s.controller.abort();
    await s.done.catch(() => undefined);
    return true;
  }

  private connected(id: string): ConnectionView {
    this.knownStatus.set(id, 'ok');
    for (const a of this.app.store.audiences.list()) if (a.connectionId === id) this.hub.emit('audience:statusChanged', { audienceId: a.id });
    return connectionView(this.app.store.connections.get(id)!);
  }

  // ── Views ──────────────────────────────────────────────────────────────────

  private audience(a: AudienceRecord): AudienceView {
    // The one audience-state function (ops): `cohort-relay status` shows the same.
    return audienceState(this.app, a, { now: this.now(), nextRun: (r) => this.scheduler.nextRun(r, this.now()), running: (id) => this.isRunning(id) });
  }

  private audienceNames(): Map<number, string> {
    return new Map(this.app.store.audiences.list().map((a) => [a.id, a.name]));
  }

  /**
   * Issue #11 S1.5: a web-host upload is a temp copy that lasts until its host stops. An audience whose
   * source is such a copy, now gone (or its host gone), gets its source cleared, and the copy's file name
   * is kept so the audience and "Sync now" can say which file to pick again (instead of "No file at /tmp/…").
   */
  private forgetVanishedUploads(): void {
    const { store } = this.app;
    for (const a of store.audiences.list()) {
      if (a.sourceKind !== 'file' || !a.sourcePath || !isVanishedUploadCopy(a.sourcePath, this.internals.tmpRoot)) continue;
      store.settings.set(lostUploadKey(a.id), path.basename(a.sourcePath));
      store.audiences.update(a.id, { sourcePath: null });
    }
  }

  /** Why this audience cannot sync for want of a source file, in plain words; null when it has one. */
  private noSourceMessage(a: AudienceRecord): string | null {
    return noSourceMessage(this.app.store, a);
  }

  private requireSource(a: AudienceRecord): void {
    const why = this.noSourceMessage(a);
    if (why) throw new AppError('FILE_NOT_FOUND', why);
  }

  private requireFile(file: string, what: string): void {
    if (!fs.existsSync(file)) throw new AppError('FILE_NOT_FOUND', `The ${what} ${file} does not exist. Check the path, or pick the file again.`);
  }

  // ── Background status refresh ──────────────────────────────────────────────

  /** Asks TikTok for one audience's size and state; emits audience:statusChanged when either changed. */
  private async refreshOne(audienceId: number): Promise<void> {
    const a = this.app.store.audiences.require(audienceId);
    const last = statusHistory(this.app.store, audienceId, 1)[0];
    await this.ensureSandboxFor(a);
    try {
      const rec = await this.remote(a.connectionId, () => this.app.sync.refreshStatus(audienceId));
      if (rec.state !== last?.state || rec.coverNum !== last?.coverNum) this.hub.emit('audience:statusChanged', { audienceId });
    } finally {
      this.checkConnections();
    }
  }

  /** Re-checks sandbox audiences still processing, every `every` ms; emits changes. */
  private refreshStatuses(every: number): Promise<void> {
    this.refreshing ??= (async () => {
      const now = this.now().getTime();
      for (const a of this.app.store.audiences.list()) {
        if (this.closed) return;
        if (!a.tiktokAudienceId || this.isRunning(a.id)) continue;
        const conn = a.connectionId ? this.app.store.connections.get(a.connectionId) : undefined;
        // The scheduler re-checks real TikTok audiences (10 min while processing); the sandbox's
        // processing lasts seconds, so its audiences are re-checked here to show the end promptly.
        if (conn?.kind !== 'sandbox' || conn.status === 'needs_reconnect') continue;
        const last = statusHistory(this.app.store, a.id, 1)[0];
        if (last?.state !== 'processing' || now - Date.parse(last.checkedAt) < every) continue;
        await this.refreshOne(a.id).catch(() => undefined);
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  // ── Handlers ───────────────────────────────────────────────────────────────

  handlers(): Handlers {
    const { store, sync, connections } = this.app;
    return {
      'connections:list': async () => connections.listConnections().map(connectionView),
      'connections:loginOAuth': async ({ appId, appSecret }) => this.loginOAuth(appId, appSecret),
      'connections:cancelLogin': async () => ({ cancelled: await this.cancelLogin() }),
      'connections:redirectUri': async () => this.redirectUri(),
      'connections:setRedirectUri': async ({ redirectUri }) => {
        // Checked before it is saved: a URL Cohort Relay could not listen on would only fail at sign-in.
        store.settings.set(REDIRECT_URI_SETTING, redirectUri === null ? null : parseRedirectUri(redirectUri).uri);
        return this.redirectUri();
      },
      'connections:pasteToken': async ({ token, appId, appSecret }) => {
        const r = await connections.connectWithToken({ apiBase: await this.apiBase(), token, appId, appSecret });
        return this.connected(r.connection.id);
      },
      'connections:connectSandbox': async () => {
        const sim = await this.sandbox.ensure();
        let r;
        try {
          r = await connections.connectSandbox(sim.url);
        } catch (err) {
          // The seeded token was revoked in the simulator (a re-connect test): the sandbox issues a new one.
          if (toErrorShape(err).code !== 'AUTH_FAILED') throw err;
          r = await connections.connectSandbox(sim.url, undefined, sim.issueToken());
        }
        return this.connected(r.connection.id);
      },
      'connections:disconnect': async ({ connectionId }) => {
        const c = connections.getConnection(connectionId);
        if (c && environmentOf(c) === 'offline-sandbox') await this.sandbox.ensure();
        await connections.disconnect(connectionId);
        this.knownStatus.delete(connectionId);
        return null;
      },
      'connections:advertisers': async ({ connectionId }) => {
        const c = connections.getConnection(connectionId);
        if (c && environmentOf(c) === 'offline-sandbox') await this.sandbox.ensure();
        const list = await this.remote(connectionId, () => connections.refreshAdvertisers(connectionId));
        return list.map((a) => ({ advertiserId: a.advertiserId, name: a.name }));
      },

      'import:preview': async ({ path, defaultCountry, hasHeader }) => this.jobs.run(path, () => previewView(path, defaultCountry ?? null, hasHeader)),
      'import:hashLab': async (req) => hashLabView(req),
      'import:validate': async (req) => this.jobs.run(req.path, (signal) => validateFile(req, { signal, emit: (p) => this.hub.emit('import:progress', p) })),
      'import:exportRejects': async (req) => this.jobs.run(req.path, (signal) => exportRejects(req, { signal, emit: (p) => this.hub.emit('import:progress', p) })),
      'import:cancel': async ({ path }) => ({ cancelled: this.jobs.cancel(path) }),
      'import:tryValue': async (req) => tryValue(req),
      // Only the web host keeps copies to release (its wrapper removes them); the engine holds nothing per file.
      'import:release': async () => null,

      'audiences:list': async () => {
        this.forgetVanishedUploads();
        return store.audiences.list().map((a) => this.audience(a));
      },
      'audiences:get': async ({ id }) => {
        this.forgetVanishedUploads();
        const a = store.audiences.require(id);
        const names = this.audienceNames();
        const detail: AudienceDetailView = {
          ...this.audience(a),
          perKeySize: perKeySize(store, a),
          history: sizeHistory(store, id),
          recentRuns: store.runs.list({ audienceId: id, limit: RECENT_RUNS }).map((r) => runView(r, names.get(id) ?? null)),
        };
        return detail;
      },
      'audiences:create': async (req) => this.createAudience(req),
      'audiences:update': async (req) => {
        const cur = store.audiences.require(req.id);
        const kind = req.sourceKind ?? cur.sourceKind;
        if (req.sourcePath !== undefined) this.requireFile(req.sourcePath, kind === 'folder' ? 'folder' : 'cohort file');
        if (typeof req.suppressPath === 'string') this.requireFile(req.suppressPath, 'suppression list');
        if (req.cadence) {
          const problem = cadenceProblem(req.cadence);
          if (problem) throw new AppError('INVALID_ARGUMENT', problem);
        }
        if (req.name !== undefined && req.name !== cur.name) {
          const clash = store.audiences.findByName(cur.advertiserId, req.name);
          if (clash && clash.id !== cur.id) throw new AppError('INVALID_ARGUMENT', `An audience named "${req.name}" already exists for this ad account. Choose another name.`);
        }
        if (req.startAtFloor && cur.tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', `"${cur.name}" already exists at TikTok: there is nothing left to start.`);
        // First, so the update below returns the record with it.
        if (req.removalMode !== undefined) this.app.sync.setRemovalMode(req.id, req.removalMode);
        const next = store.audiences.update(req.id, {
          ...(req.name !== undefined && { name: req.name }),
          ...(req.cadence !== undefined && { cadence: req.cadence }),
          ...(req.paused !== undefined && { paused: req.paused }),
          ...(req.sourcePath !== undefined && { sourcePath: req.sourcePath }),
          ...(req.sourceKind !== undefined && { sourceKind: req.sourceKind }),
          ...(req.sourcePattern !== undefined && { sourcePattern: req.sourcePattern }),
          ...(req.suppressPath !== undefined && { suppressPath: req.suppressPath }),
          ...(req.removalLimitPct !== undefined && { removalLimitPct: req.removalLimitPct }),
          ...(req.hasHeader !== undefined && { hasHeader: req.hasHeader }),
        });
        if (req.startAtFloor !== undefined) setWaitForFloor(store, cur, req.startAtFloor);
        this.hub.emit('audience:statusChanged', { audienceId: req.id });
        return this.audience(next);
      },
      'audiences:deleteLocal': async ({ id }) => {
        await this.deleteAudience(id, false);
        return null;
      },
      'audiences:delete': async ({ id, atTiktok }) => this.deleteAudience(id, atTiktok),
      ...audienceUseHandlers(this.use),
      ...workspaceHandlers(),
      ...overlapHandlers(this.app, { prepare: (a) => this.ensureSandboxFor(a), remote: (connectionId, fn) => this.remote(connectionId, fn) }),
      'audiences:tiktokList': async ({ advertiserId, key }) => {
        const conn = store.connections.findByAdvertiser(advertiserId);
        await this.ensureSandboxFor({ connectionId: conn?.id ?? null, advertiserId });
        const client = await this.app.clientFor({ connectionId: conn?.id ?? null, advertiserId });
        const res = await this.remote(conn?.id ?? null, () => client.listAudiences(advertiserId));
        const out: TiktokAudienceView[] = res.audiences.map((a) => ({
          audienceId: a.audienceId,
          name: a.name,
          calculateType: a.calculateType ?? 'UNKNOWN',
          key: keyOfCalculateType(a.calculateType),
          coverNum: a.coverNum,
          isValid: a.isValid,
          isExpiring: a.isExpiring,
          expiresAt: tiktokTimeToIso(a.expiredTime),
          mapped: store.audiences.findByTiktokId(advertiserId, a.audienceId) !== undefined,
        }));
        return key ? out.filter((a) => a.key === key) : out;
      },

      'sync:plan': async (req) => this.plan(req),
      'sync:run': async ({ audienceId, sourceOnce }) => {
        // A one-off sync's upload copy is removed once that sync ends (issue #12.8): a later "Sync now" says so.
        this.forgetVanishedUploads();
        const a = store.audiences.require(audienceId);
        if (sourceOnce !== undefined) this.requireFile(sourceOnce, 'cohort file');
        else this.requireSource(a);
        return { runId: await this.track(audienceId, 'manual', () => sync.sync(audienceId, 'manual', undefined, sourceOnce !== undefined ? { sourceOnce } : {})).started };
      },
      'sync:cancel': async (req) => {
        let audienceId: number | null;
        if ('runId' in req) {
          const run = store.runs.get(req.runId);
          audienceId = run?.status === 'running' ? run.audienceId : null;
        } else {
          audienceId = req.audienceId;
        }
        return { cancelled: audienceId !== null && sync.cancel(audienceId) };
      },
      'sync:confirmRemovals': async ({ audienceId, runId }) => {
        // Exactly the change the user saw (named by the run that held it), once; the run re-checks the file.
        if (this.isRunning(audienceId)) throw new AppError('SYNC_RUNNING', 'This audience is syncing right now. Wait for that run to finish, then decide about the held sync.');
        confirmRemovals(this.app, audienceId, runId);
        this.hub.emit('audience:statusChanged', { audienceId });
        return { runId: await this.track(audienceId, 'manual', () => sync.sync(audienceId, 'manual')).started };
      },
      'sync:keepAudience': async ({ audienceId, runId }) => {
        keepAudience(this.app, audienceId, runId);
        this.hub.emit('audience:statusChanged', { audienceId });
        return this.audience(store.audiences.require(audienceId));
      },
      'sync:undo': async ({ audienceId }) => {
        store.audiences.require(audienceId);
        return { runId: await this.track(audienceId, 'undo', () => sync.undo(audienceId)).started };
      },
      'sync:undoPreview': async ({ audienceId }) => this.undoPreview(audienceId),
      'sync:pauseAll': async ({ paused }) => {
        this.scheduler.setPaused(paused);
        for (const a of store.audiences.list()) this.hub.emit('audience:statusChanged', { audienceId: a.id });
        return { paused: this.scheduler.paused };
      },

      'runs:list': async (req) => {
        const names = this.audienceNames();
        return store.runs.list({ audienceId: req?.audienceId, limit: req?.limit ?? 100 }).map((r) => runView(r, r.audienceId === null ? null : (names.get(r.audienceId) ?? null)));
      },
      'runs:get': async ({ runId }) => {
        const found = runWithCalls(this.app, runId);
        if (!found) throw new AppError('INVALID_ARGUMENT', `There is no run ${runId} in the sync log. Pick a run from the list.`);
        const r = found.run;
        const name = r.audienceId === null ? null : (store.audiences.get(r.audienceId)?.name ?? null);
        return { ...runView(r, name), calls: found.calls.map(apiCallView) };
      },
      'runs:exportRejects': async ({ runId, outPath }) => {
        const r = store.runs.get(runId);
        if (!r) throw new AppError('INVALID_ARGUMENT', `There is no run ${runId} in the sync log. Pick a run from the list.`);
        const a = r.audienceId === null ? undefined : store.audiences.get(r.audienceId);
        if (!a) throw new AppError('INVALID_ARGUMENT', 'The audience of this run was deleted, so its key mapping is unknown. Export the rejects from the import screen instead.');
        if (!r.sourcePath) throw new AppError('FILE_NOT_FOUND', 'This run read no file (an undo sends a computed change), so it has no rejects to export.');
        this.requireFile(r.sourcePath, 'cohort file of this run');
        const mapping = a.keys[0]!;
        const file = r.sourcePath;
        return this.jobs.run(file, (signal) =>
          exportRejects({ path: file, key: mapping.key, column: mapping.column ?? undefined, countryColumn: mapping.countryColumn, profile: a.profile, outPath }, { signal, emit: (p) => this.hub.emit('import:progress', p) }),
        );
      },

      'quota:get': async ({ audienceId }) => {
        store.audiences.require(audienceId);
        const q = sync.quota(audienceId);
        return { audienceId, day: utcDay(this.now()), used: q.used, budget: q.budget, left: q.left, resetsAt: nextUtcDay(this.now()).toISOString() };
      },

      'privacy:erasePreview': async ({ identifiers }) => erasePreview(this.app, identifiers),
      'privacy:erase': async ({ identifiers }) => {
        refuseWhileSyncing(this.app, identifiers, (id) => this.isRunning(id));
        return erasePerson(this.app, identifiers, (id) => this.track(id, 'erase', () => this.app.sync.erase(id)).done);
      },

      'settings:get': async () => this.settings(),
      'settings:set': async (req) => {
        writeSettings(store, req);
        if (req.environment !== undefined) {
          // The user's choice now wins over the host's default for this process.
          this.override = undefined;
          if (req.environment === 'offline-sandbox') await this.sandbox.ensure();
          if (req.environment !== 'offline-sandbox') store.settings.set(API_BASE_KEY, req.environment);
        }
        if (req.dailyCallBudget !== undefined) for (const a of store.audiences.list()) this.hub.emit('audience:statusChanged', { audienceId: a.id });
        return this.settings();
      },
    };
  }

  private settings() {
    return readSettings(this.app.store, { environment: this.environment, dataFolder: this.opts.dataDir, pausedAll: this.scheduler.paused });
  }

  /** What `audiences:create` refuses, checked before anything is saved (also for a dry run of the unsaved audience). */
  private checkCreate(req: RequestOf<'audiences:create'>): { connectionId: string | null; kind: 'file' | 'folder' } {
    const { store } = this.app;
    // Two or three keys make a multi-key (MULTIPLE_TYPES) audience: one row per person, higher match rates.
    if (new Set(req.keys.map((k) => slotOfKey(k.key))).size !== req.keys.length) {
      throw new AppError('INVALID_ARGUMENT', 'Map each key once, and at most one mobile ad id (IDFA or GAID): TikTok keeps one MAID per person in a multi-key audience.');
    }
    const kind = req.sourceKind ?? 'file';
    this.requireFile(req.sourcePath, kind === 'folder' ? 'folder' : 'cohort file');
    if (kind === 'file' && fs.statSync(req.sourcePath).isDirectory()) throw new AppError('INVALID_ARGUMENT', `${req.sourcePath} is a folder. Pick a CSV file, or choose "watch a folder".`);
    if (req.suppressPath) this.requireFile(req.suppressPath, 'suppression list');
    const problem = cadenceProblem(req.cadence);
    if (problem) throw new AppError('INVALID_ARGUMENT', problem);

    let connectionId = req.connectionId ?? null;
    if (connectionId) {
      const c = store.connections.get(connectionId);
      if (!c) throw new AppError('INVALID_ARGUMENT', `There is no TikTok connection "${connectionId}". Connect TikTok first, then map the audience.`);
      if (c.advertisers.length > 0 && !c.advertisers.some((x) => x.advertiserId === req.advertiserId)) {
        throw new AppError('PERMISSION_DENIED', `The connection "${c.label}" does not reach ad account ${req.advertiserId}. Pick one of its ad accounts, or connect the account that owns it.`);
      }
    } else {
      connectionId = store.connections.findByAdvertiser(req.advertiserId)?.id ?? null;
    }
    if (store.audiences.findByName(req.advertiserId, req.name)) {
      throw new AppError('INVALID_ARGUMENT', `An audience named "${req.name}" already exists for this ad account. Choose another name, or edit that audience.`);
    }
    if (req.existingTiktokAudienceId && store.audiences.findByTiktokId(req.advertiserId, req.existingTiktokAudienceId)) {
      throw new AppError('INVALID_ARGUMENT', `TikTok audience ${req.existingTiktokAudienceId} is already mapped to another local audience. Edit that mapping instead.`);
    }
    return { connectionId, kind };
  }

  /** The record a new audience would be saved as; `id` 0 for a dry run of it unsaved. */
  private draftRecord(req: RequestOf<'audiences:create'>, connectionId: string | null, kind: 'file' | 'folder'): Omit<AudienceRecord, 'id' | 'createdAt' | 'updatedAt' | 'paused' | 'removalLimitPct'> {
    return {
      connectionId,
      advertiserId: req.advertiserId,
      tiktokAudienceId: req.existingTiktokAudienceId ?? null,
      name: req.name,
      api: req.api ?? 'file',
      keys: req.keys.map((k) => ({ key: k.key, column: k.column, ...(k.countryColumn !== undefined ? { countryColumn: k.countryColumn } : {}), ...(k.extraColumns?.length ? { extraColumns: k.extraColumns } : {}) })),
      calculateType: req.keys.length > 1 ? 'MULTIPLE_TYPES' : CALCULATE_TYPE_BY_KEY[req.keys[0]!.key],
      sourcePath: req.sourcePath,
      sourceKind: kind,
      sourcePattern: req.sourcePattern ?? null,
      suppressPath: req.suppressPath ?? null,
      profile: req.profile,
      cadence: req.cadence,
      removalMode: req.removalMode ?? (req.existingTiktokAudienceId ? 'added-only' : 'mirror'),
      othersSize: null,
      hasHeader: req.hasHeader ?? null,
    };
  }

  /** The create request with its keys saved by column index when the file's header is only a guess (#12 item 2). */
  private async pinnedCreate(req: RequestOf<'audiences:create'>, kind: 'file' | 'folder'): Promise<RequestOf<'audiences:create'>> {
    // The user said whether the first row is a header: nothing is a guess, so nothing is pinned.
    return kind === 'file' && req.hasHeader === undefined ? { ...req, keys: await pinDoubtfulHeader(req.sourcePath, req.keys) } : req;
  }

  private async createAudience(asked: RequestOf<'audiences:create'>): Promise<AudienceView> {
    const { store } = this.app;
    const { connectionId, kind } = this.checkCreate(asked);
    const req = await this.pinnedCreate(asked, kind);
    const mapping = req.keys[0]!;
    let record: AudienceRecord;
    if (req.existingTiktokAudienceId) {
      await this.ensureSandboxFor({ connectionId, advertiserId: req.advertiserId });
      record = await this.remote(connectionId, () =>
        this.app.sync.ensureAudience({
          advertiserId: req.advertiserId,
          connectionId,
          name: req.name,
          tiktokAudienceId: req.existingTiktokAudienceId,
          key: mapping.key,
          column: mapping.column,
          keys: req.keys,
          api: req.api,
          sourcePath: req.sourcePath,
          sourceKind: kind,
          sourcePattern: req.sourcePattern ?? null,
          suppressPath: req.suppressPath ?? null,
          profile: req.profile,
          cadence: req.cadence,
          removalMode: req.removalMode,
        }),
      );
    } else {
      // The one creation rule (ops/create): a same-named TikTok audience is synced into only when picked as existing.
      await refuseTiktokNamesake(this.app, { advertiserId: req.advertiserId, connectionId, name: req.name, api: req.api }, { prepare: (a) => this.ensureSandboxFor(a), remote: (id, fn) => this.remote(id, fn) });
      // Nothing is sent: the first sync creates the audience at TikTok, so it can be dry-run first.
      const { tiktokAudienceId: _none, ...fields } = this.draftRecord(req, connectionId, kind);
      record = store.audiences.create(fields);
      if (req.startAtFloor) setWaitForFloor(store, record, true);
    }
    if (req.hasHeader !== undefined && record.hasHeader !== req.hasHeader) record = store.audiences.update(record.id, { hasHeader: req.hasHeader });
    this.hub.emit('audience:statusChanged', { audienceId: record.id });
    return this.audience(record);
  }

  /** A dry run of a saved audience, of a saved one with an unsaved draft, or of a new one: nothing is saved. */
  /**
   * Deletes an audience: at TikTok first when asked (a partner audience through the segment API's delete action, a
   * customer-file one through dmp/custom_audience/delete/), then here with every hash kept for it. Refused while a
   * sync of it runs, in this process or another; if TikTok refuses, nothing is deleted here.
   */
  private deleteAudience(id: number, atTiktok: boolean): Promise<{ deletedAtTiktok: boolean }> {
    return deleteAudience(
      this.app,
      id,
      atTiktok,
      { prepare: (a) => this.ensureSandboxFor(a), remote: (c, fn) => this.remote(c, fn), isRunning: (x) => this.isRunning(x), changed: (x) => this.hub.emit('audience:statusChanged', { audienceId: x }) },
      this.use,
    );
  }

  /** A dry run of the audience's undo: the sync it undoes, the people it adds back and removes, its calls. */
  private async undoPreview(audienceId: number): Promise<UndoPreviewView> {
    await this.ensureSandboxFor(this.app.store.audiences.require(audienceId));
    try {
      return await undoPreview(this.app, audienceId);
    } finally {
      this.checkConnections();
    }
  }

  private async plan(req: RequestOf<'sync:plan'>): Promise<PlanView> {
    let a: AudienceRecord;
    let draft: AudienceRecord | undefined;
    if ('create' in req) {
      const { connectionId, kind } = this.checkCreate(req.create);
      const now = this.now().toISOString();
      a = draft = { ...this.draftRecord(await this.pinnedCreate(req.create, kind), connectionId, kind), id: 0, paused: false, removalLimitPct: DEFAULT_REMOVAL_LIMIT_PCT, createdAt: now, updatedAt: now };
    } else {
      a = this.app.store.audiences.require(req.audienceId);
      if (!req.draft) this.requireSource(a);
      if (req.draft) {
        const d = req.draft;
        const kind = d.sourceKind ?? a.sourceKind;
        this.requireFile(d.sourcePath, kind === 'folder' ? 'folder' : 'cohort file');
        if (typeof d.suppressPath === 'string') this.requireFile(d.suppressPath, 'suppression list');
        if (d.cadence) {
          const problem = cadenceProblem(d.cadence);
          if (problem) throw new AppError('INVALID_ARGUMENT', problem);
        }
        a = draft = {
          ...a,
          sourcePath: d.sourcePath,
          sourceKind: kind,
          ...(d.sourcePattern !== undefined && { sourcePattern: d.sourcePattern }),
          ...(d.suppressPath !== undefined && { suppressPath: d.suppressPath }),
          ...(d.cadence !== undefined && { cadence: d.cadence }),
        };
      }
    }
    const audienceId = a.id;
    await this.ensureSandboxFor(a);
    const o = await this.app.sync.plan(audienceId, undefined, draft);
    this.checkConnections();
    const floorError = o.error?.code === 'AUDIENCE_TOO_SMALL' ? o.error.message : null;
    if (o.error && !floorError) throw new AppError(o.error.code, o.error.message, { retryable: o.error.retryable });
    const target = o.currentSize + o.adds - o.removes;
    const unique = o.counts.valid - o.counts.duplicates;
    // A create may leave the audience under the floor (TikTok shows it as unavailable): the runner warns.
    const underFloor = !floorError && target < AUDIENCE_FLOOR && target > 0 ? (o.warnings.find((w) => /under/.test(w)) ?? null) : null;
    return {
      audienceId,
      rowsRead: o.counts.rowsRead,
      valid: o.counts.valid,
      rejected: o.counts.rejected,
      duplicates: o.counts.duplicates,
      suppressed: Math.max(0, unique - target),
      rejectsByReason: o.counts.rejectReasons,
      rejectsSample: rejectSamples(o.rejects),
      adds: o.adds,
      removes: o.removes,
      unchanged: Math.max(0, o.currentSize - o.removes),
      calls: o.callsPlanned,
      quotaLeft: o.callsLeft,
      dailyBudget: this.app.sync.dailyBudget,
      currentSize: o.currentSize,
      projectedSize: o.projectedSize,
      floorWarning: floorError ?? underFloor,
      matchWarning: o.matchWarning,
      deferredUntil: o.deferredUntil,
      deferredReason: o.deferredReason ?? null,
      perKey: o.perKey,
      removalHold: o.hold && { reason: o.hold.reason, removes: o.hold.removes, currentSize: o.hold.currentSize, percent: o.hold.percent, limitPct: o.hold.limitPct, confirmed: o.hold.confirmed, message: o.hold.message },
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
    if (this.closed) return;
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.cancelLogin();
    this.jobs.cancelAll();
    // A cancelled run keeps every call TikTok acknowledged; the next run resumes from there.
    for (const id of this.active.keys()) this.app.sync.cancel(id);
    await this.scheduler.stop();
    await Promise.allSettled([...this.active.values()].map((r) => r.done));
    await this.refreshing?.catch(() => undefined);
    await this.sandbox.close();
    this.app.close();
  }

  host(): EngineHost {
    return {
      handlers: this.handlers(),
      events: this.hub,
      onResume: () => {
        if (!this.closed) void this.scheduler.tick();
      },
      traySnapshot: () => this.traySnapshot(),
      shutdown: () => this.shutdown(),
    };
  }
}

/** People per key in a multi-key audience's snapshot (the detail screen); null for single-key audiences. */
function perKeySize(store: CohortRelayApp['store'], a: AudienceRecord): AudienceDetailView['perKeySize'] {
  const { slots, tuple } = layoutOf(a);
  if (!slots || !tuple) return null;
  const snapshot = store.snapshots.load(a.id);
  const out: NonNullable<AudienceDetailView['perKeySize']> = {};
  for (const slot of MULTI_SLOTS) if (slots.includes(slot)) out[slot] = slotHashes(snapshot, slot, tuple).length / 32;
  return out;
}
