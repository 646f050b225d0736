/**
 * Every workspace of an install, served by one engine process (#14 §2). Each workspace is an engine of its own
 * (store, scheduler, sandbox, keychain entries) opened on its own data folder, so nothing of one is visible or
 * usable from another: an audience id, a connection id or a run id asked of the set always goes to the active
 * workspace's engine, which knows only its own.
 *
 * The window works in the active workspace: the contract's channels are routed to it and its push events reach
 * the host. Scheduled syncs of every workspace keep running (the tray runs them with the window closed); of a
 * background workspace only `run:finished` reaches the host, marked with the workspace (for notifications; the
 * window ignores it: its ids are another workspace's).
 * Switching pushes `workspace:switched`; the window then hears only the new active workspace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, toErrorShape } from '../../../shared/errors';
import { CHANNELS } from '../../../shared/ipc/channels';
import type { Handlers, PushEvent, RequestOf, Unsubscribe } from '../../../shared/ipc/contract';
import type { SettingsView } from '../../../shared/ipc/dto';
import type { EngineHost, EngineOptions, TraySnapshot } from '../../../shared/ipc/engine-host';
import { createEventHub } from '../../../shared/ipc/events';
import type { WorkspacesView, WorkspaceView } from '../../../shared/ipc/workspace-dto';
import {
  checkDeletable,
  createWorkspace,
  readRegistry,
  REGISTRY_FILE,
  removeWorkspace,
  renameWorkspace,
  requireWorkspaceById,
  setActiveWorkspace,
  workspaceDir,
  workspaceEnv,
  type Registry,
  type WorkspaceRecord,
} from '../workspaces/registry';
import { SANDBOX_DIR } from '../store';
import type { EngineInternals } from './index';

/** Opens one workspace's engine (index.ts passes its Engine; kept as a parameter so the two files do not import each other). */
export type OpenWorkspaceEngine = (opts: EngineOptions, internals: EngineInternals) => Promise<EngineHost>;

/**
 * Settings of the app rather than of a client: the same in every workspace, so switching never turns launch at login
 * off, flips the theme or silences notifications. Set in one workspace, they are set in all.
 */
const APP_SETTINGS = ['launchAtLogin', 'theme', 'notifications'] as const;
type AppSettings = Pick<SettingsView, (typeof APP_SETTINGS)[number]>;

function appSettingsOf(req: Partial<AppSettings>): Partial<AppSettings> | null {
  const out: Partial<AppSettings> = {};
  for (const k of APP_SETTINGS) if (req[k] !== undefined) Object.assign(out, { [k]: req[k] });
  return Object.keys(out).length ? out : null;
}

/** How often the registry file is checked for workspaces the CLI created or deleted (besides a watch on its folder). */
export const REGISTRY_POLL_MS = 2_000;

/** What changes whenever the registry file is rewritten (each write renames a new file into place). */
function registryStamp(baseDir: string): string {
  try {
    const st = fs.statSync(path.join(baseDir, REGISTRY_FILE));
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return 'none';
  }
}

function readRegistrySafe(baseDir: string): Registry | null {
  try {
    return readRegistry(baseDir);
  } catch {
    return null;
  }
}

interface Served {
  record: WorkspaceRecord;
  host: EngineHost;
  unsubscribe: Unsubscribe;
}

export class WorkspaceSet {
  readonly hub = createEventHub();
  private readonly served = new Map<string, Served>();
  /** Workspaces whose engine is being opened: a second ask waits for the same opening. */
  private readonly opening = new Map<string, Promise<Served>>();
  private activeId: string;
  private closed = false;
  /** One change at a time: create, switch, rename, delete and the catch-up with the registry file. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The registry file as last caught up with, and what tells the set it changed (a folder watch, a poll). */
  private stamp = '';
  private watcher: fs.FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;

  private constructor(
    private readonly baseDir: string,
    private readonly opts: EngineOptions,
    private readonly internals: EngineInternals,
    private readonly openOne: OpenWorkspaceEngine,
    /** Serve this workspace alone (daemon --workspace). */
    private readonly only: string | null,
    active: string,
  ) {
    this.activeId = active;
  }

  /**
   * Opens the active workspace (its failure is the set's failure) and every other one (a workspace that cannot be
   * opened is left out until it is switched to, which then says why).
   */
  static async open(opts: EngineOptions, internals: EngineInternals, openOne: OpenWorkspaceEngine): Promise<WorkspaceSet> {
    const registry = readRegistry(opts.dataDir);
    const only = opts.workspace?.trim() ? requireWorkspaceById(registry, opts.workspace).id : null;
    const set = new WorkspaceSet(opts.dataDir, opts, internals, openOne, only, only ?? registry.active);
    try {
      await set.serve(requireWorkspaceById(registry, set.activeId));
      await set.catchUp(registry);
      set.watchRegistry();
      return set;
    } catch (err) {
      await set.shutdown();
      throw err;
    }
  }

  get active(): string {
    return this.activeId;
  }

  private env(): NodeJS.ProcessEnv {
    return this.internals.env ?? process.env;
  }

  /** Opens a workspace's engine (once) and relays its events. */
  private serve(record: WorkspaceRecord): Promise<Served> {
    const have = this.served.get(record.id);
    if (have) {
      have.record = record;
      return Promise.resolve(have);
    }
    const pending = this.opening.get(record.id);
    if (pending) return pending;
    const p = (async () => {
      const host = await this.openOne(
        { ...this.opts, workspace: undefined, dataDir: workspaceDir(this.baseDir, record.id) },
        { ...this.internals, env: workspaceEnv(this.env(), record.id) },
      );
      if (this.closed) {
        await host.shutdown();
        throw new AppError('CANCELLED', 'Cohort Relay is shutting down.');
      }
      const served: Served = { record, host, unsubscribe: () => undefined };
      served.unsubscribe = host.events.subscribe((e) => this.relay(served, e));
      this.served.set(record.id, served);
      return served;
    })().finally(() => this.opening.delete(record.id));
    this.opening.set(record.id, p);
    return p;
  }

  private relay(from: Served, e: PushEvent): void {
    if (this.served.get(from.record.id) !== from) return;
    if (from.record.id === this.activeId) return this.hub.emit(e.event, e.payload as never);
    // A background workspace: only the end of a run and a refused token, marked (their ids mean nothing in the window's
    // workspace): the host notifies, so a scheduled sync of another client does not fail silently.
    if (e.event === 'connection:needsReconnect') {
      return this.hub.emit('connection:needsReconnect', { ...e.payload, workspace: { id: from.record.id, name: from.record.name } });
    }
    if (e.event !== 'run:finished') return;
    void (async () => {
      const snapshot = await from.host.traySnapshot().catch(() => null);
      const audienceName = snapshot?.audiences.find((a) => a.id === e.payload.audienceId)?.name ?? null;
      this.hub.emit('run:finished', { ...e.payload, workspace: { id: from.record.id, name: from.record.name, audienceName } });
    })();
  }

  /**
   * Brings the served engines in line with the registry file (the CLI may have created, renamed or deleted a
   * workspace meanwhile): new ones are opened (their schedules start), deleted ones closed.
   */
  private async catchUp(registry: Registry = readRegistry(this.baseDir)): Promise<void> {
    const wanted = this.only ? registry.workspaces.filter((w) => w.id === this.only) : registry.workspaces;
    await Promise.all(wanted.map((w) => this.serve(w).catch(() => undefined)));
    for (const [id, s] of this.served) {
      if (id === this.activeId || wanted.some((w) => w.id === id)) continue;
      this.served.delete(id);
      s.unsubscribe();
      await this.closeDeleted(id, s.host);
    }
  }

  /**
   * Follows the registry file on its own, for every host (the daemon asks nothing after its start): a workspace the
   * CLI creates is opened (its schedules run), one it deletes is closed. A watch on the base folder answers at once;
   * the poll covers file systems where watching does not work.
   */
  private watchRegistry(): void {
    this.stamp = registryStamp(this.baseDir);
    try {
      this.watcher = fs.watch(this.baseDir, { persistent: false }, (_event, file) => {
        if (!file || String(file) === REGISTRY_FILE) this.noticeChange();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = null;
    }
    this.poll = setInterval(() => this.noticeChange(), REGISTRY_POLL_MS);
    this.poll.unref?.();
  }

  private noticeChange(): void {
    if (this.closed) return;
    const now = registryStamp(this.baseDir);
    if (now === this.stamp) return;
    this.stamp = now;
    void this.exclusive(() => this.catchUp()).catch(() => undefined);
  }

  /**
   * Closes the engine of a workspace deleted elsewhere. The CLI removed its folder already, but closing writes there
   * (the sandbox saves its state): the folder is made again for the close, then removed, unless the workspace came
   * back meanwhile (created again under the same id).
   */
  private async closeDeleted(id: string, host: EngineHost): Promise<void> {
    const dir = workspaceDir(this.baseDir, id);
    const gone = !fs.existsSync(dir);
    if (gone) fs.mkdirSync(path.join(dir, SANDBOX_DIR), { recursive: true, mode: 0o700 });
    await host.shutdown().catch(() => undefined);
    if (gone && !readRegistrySafe(this.baseDir)?.workspaces.some((w) => w.id === id)) fs.rmSync(dir, { recursive: true, force: true });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw new AppError('CANCELLED', 'Cohort Relay is shutting down. Try again after the restart.');
      return fn();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The engine of the window's workspace. */
  front(): EngineHost {
    const s = this.served.get(this.activeId);
    if (!s) throw new AppError('CANCELLED', 'Cohort Relay is shutting down. Try again after the restart.');
    return s.host;
  }

  private async view(record: WorkspaceRecord): Promise<WorkspaceView> {
    const s = this.served.get(record.id);
    let audiences = 0;
    let connections = 0;
    let scheduled = 0;
    if (s) {
      const [snapshot, conns] = await Promise.all([s.host.traySnapshot(), s.host.handlers['connections:list'](undefined)]);
      audiences = snapshot.audiences.length;
      scheduled = snapshot.audiences.filter((a) => !a.paused && a.nextSync !== null).length;
      connections = conns.length;
    }
    return { id: record.id, name: record.name, active: record.id === this.activeId, audiences, connections, scheduled };
  }

  private async listView(registry: Registry = readRegistry(this.baseDir)): Promise<WorkspacesView> {
    const shown = this.only ? registry.workspaces.filter((w) => w.id === this.only) : registry.workspaces;
    return { active: this.activeId, workspaces: await Promise.all(shown.map((w) => this.view(w))) };
  }

  // ── The workspaces:* channels ──────────────────────────────────────────────

  list(): Promise<WorkspacesView> {
    return this.exclusive(async () => {
      const registry = readRegistry(this.baseDir);
      await this.catchUp(registry);
      return this.listView(registry);
    });
  }

  create(name: string): Promise<WorkspaceView> {
    return this.exclusive(async () => {
      this.refuseWhenOne('create');
      const record = createWorkspace(this.baseDir, name);
      // The app's own settings come along (launch at login, theme, notifications); the rest start at their defaults.
      await this.copyAppSettings(await this.serve(record));
      return this.view(record);
    });
  }

  private async copyAppSettings(to: Served): Promise<void> {
    const current = appSettingsOf(await this.front().handlers['settings:get'](undefined));
    if (current) await to.host.handlers['settings:set'](current);
  }

  /** settings:set in the active workspace; the app's own settings (APP_SETTINGS) in every workspace. */
  async setSettings(req: RequestOf<'settings:set'>): Promise<SettingsView> {
    const view = await this.front().handlers['settings:set'](req);
    const shared = appSettingsOf(req);
    if (shared) {
      for (const s of this.served.values()) if (s.record.id !== this.activeId) await s.host.handlers['settings:set'](shared).catch(() => undefined);
    }
    return view;
  }

  switch(id: string): Promise<WorkspacesView> {
    return this.exclusive(async () => {
      const registry = readRegistry(this.baseDir);
      const record = requireWorkspaceById(registry, id);
      if (this.only && record.id !== this.only) throw new AppError('INVALID_ARGUMENT', `This process serves only the workspace "${this.served.get(this.only)?.record.name ?? this.only}".`);
      if (record.id !== this.activeId) {
        const target = await this.serve(record);
        // A workspace made by the CLI did not get the app's own settings: it takes them before it faces the window.
        await this.copyAppSettings(target);
        // A browser sign-in waiting in the workspace left behind would save its connection there, unseen: it stops.
        await this.served.get(this.activeId)?.host.handlers['connections:cancelLogin'](undefined).catch(() => undefined);
        this.activeId = record.id;
      }
      setActiveWorkspace(this.baseDir, record.id);
      const view = await this.listView(readRegistry(this.baseDir));
      this.hub.emit('workspace:switched', view);
      return view;
    });
  }

  rename(id: string, name: string): Promise<WorkspaceView> {
    return this.exclusive(async () => {
      const record = renameWorkspace(this.baseDir, id, name);
      const s = this.served.get(record.id);
      if (s) s.record = record;
      return this.view(record);
    });
  }

  /**
   * Deletes a workspace that is not the active one: refused while one of its syncs runs; each of its connections is
   * disconnected (its token revoked at TikTok when TikTok answers, its keychain entries deleted; a locked keychain
   * stops the delete with nothing removed), then its engine closes and its folder goes.
   */
  delete(id: string, confirmName: string): Promise<WorkspacesView> {
    return this.exclusive(async () => {
      this.refuseWhenOne('delete');
      const registry = readRegistry(this.baseDir);
      const record = checkDeletable(registry, id, confirmName, this.activeId);
      const s = await this.serve(record);
      const snapshot = await s.host.traySnapshot();
      const running = snapshot.audiences.find((a) => a.running);
      if (running) throw new AppError('SYNC_RUNNING', `"${running.name}" in the workspace "${record.name}" is syncing right now. Wait for the sync to finish (or cancel it there), then delete the workspace.`);
      for (const c of await s.host.handlers['connections:list'](undefined)) {
        try {
          await s.host.handlers['connections:disconnect']({ connectionId: c.id });
        } catch (err) {
          const e = toErrorShape(err);
          throw new AppError(e.code, `The workspace "${record.name}" was not deleted: disconnecting "${c.label}" failed. ${e.message}`, { retryable: e.retryable, cause: err });
        }
      }
      this.served.delete(record.id);
      s.unsubscribe();
      await s.host.shutdown();
      return this.listView(removeWorkspace(this.baseDir, record.id));
    });
  }

  private refuseWhenOne(verb: string): void {
    if (this.only) throw new AppError('INVALID_ARGUMENT', `This process serves one workspace only, so it cannot ${verb} workspaces. Use the app, or "cohort-relay workspaces ${verb}".`);
  }

  // ── Host surface ───────────────────────────────────────────────────────────

  async traySnapshot(): Promise<TraySnapshot> {
    const registry = await this.exclusive(async () => {
      const r = readRegistry(this.baseDir);
      await this.catchUp(r);
      return r;
    }).catch(() => null);
    const snapshot = await this.front().traySnapshot();
    const names = registry?.workspaces ?? [...this.served.values()].map((s) => s.record);
    const shown = this.only ? names.filter((w) => w.id === this.only) : names;
    return { ...snapshot, workspaces: shown.map((w) => ({ id: w.id, name: w.name, active: w.id === this.activeId })) };
  }

  /** Every workspace's engine closes (runs cancelled and persisted). Idempotent. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.watcher?.close();
    await Promise.allSettled([...this.opening.values()]);
    const all = [...this.served.values()];
    // Still relayed while they close: a run the shutdown cancels ends with its run:finished (the daemon reports it).
    await Promise.allSettled(all.map((s) => s.host.shutdown()));
    this.served.clear();
    for (const s of all) s.unsubscribe();
  }

  host(workspaceHandlers: (set: WorkspaceSet) => Pick<Handlers, 'workspaces:list' | 'workspaces:create' | 'workspaces:switch' | 'workspaces:rename' | 'workspaces:delete'>): EngineHost {
    const routed = Object.fromEntries(CHANNELS.map((ch) => [ch, (req: unknown) => (this.front().handlers[ch] as (r: unknown) => Promise<unknown>)(req)]));
    return {
      handlers: { ...routed, 'settings:set': (req: RequestOf<'settings:set'>) => this.setSettings(req), ...workspaceHandlers(this) } as Handlers,
      events: this.hub,
      onResume: () => {
        for (const s of this.served.values()) s.host.onResume();
      },
      traySnapshot: () => this.traySnapshot(),
      shutdown: () => this.shutdown(),
    };
  }
}
