import { AppError, toErrorShape } from '../../shared/errors';
import { resolveDataDir } from './paths';
import { Store } from './store';
import { SETTINGS } from './store/settings-keys';
import type { AudienceRecord } from './store/audiences-repo';
import { resolveApiBase, type TikTokClient } from './tiktok/client';
import { openConnectionService, type ConnectionService } from './tiktok/connections';
import type { AuthClientOptions } from './tiktok/oauth';
import type { OpenedSecretStore } from './secrets';
import { acquireAudienceLock } from './sync/locks';
import { sweepAllOrphans } from './sync/sync-runner';
import { Scheduler, type SchedulerDeps } from './sync/scheduler';
import { SyncService, type ApiCallEvent, type SyncServiceDeps } from './sync/sync-service';
import { tiktokAudienceApi, tiktokPartnerApi } from './sync/tiktok-audience-api';
import { readCreateOptions } from './sync/create-options';
import type { SyncProgress } from './sync/sync-runner';
import { removeStaleTempDirs, WEB_UPLOAD_PREFIX } from './temp-dirs';
import { SPILL_DIR_PREFIX } from './cohort/spill';

/** The settings key of the chosen API base (the registry's, store/settings-keys.ts). */
export const API_BASE_KEY = SETTINGS.apiBase.key;

export interface OpenAppOptions {
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  now?: () => Date;
  onProgress?: (p: SyncProgress) => void;
  runner?: SyncServiceDeps['runner'];
  /** TikTok client settings (test seam: e.g. a short request timeout). */
  clientOptions?: AuthClientOptions;
  /** Where web-host upload copies are looked for (default the OS temp folder). */
  tmpRoot?: string;
}

/**
 * The composition root every host shares (CLI, daemon, desktop app, web host): the store, TikTok
 * clients per connection, the sync service and the scheduler.
 */
export class CohortRelayApp {
  readonly sync: SyncService;
  readonly scheduler: Scheduler;
  readonly env: NodeJS.ProcessEnv;

  /** Opens the store and the keychain (probing it once). */
  static async open(opts: OpenAppOptions = {}): Promise<CohortRelayApp> {
    const env = opts.env ?? process.env;
    // Uploaded CSV copies (raw identifiers) left by a web host that crashed go at the start of every host (#12.8).
    removeStaleTempDirs(WEB_UPLOAD_PREFIX, opts.tmpRoot);
    // So do the sorted part files (digests) of a large cohort a crashed process was reading (cohort/spill.ts).
    removeStaleTempDirs(SPILL_DIR_PREFIX, opts.tmpRoot);
    const store = Store.open(opts.dataDir ?? resolveDataDir(env));
    try {
      // Chunks a crash left half-written (#13 §1: snapshots, pending sets, deltas are written in slices) go at start.
      await sweepAllOrphans(store);
      const { service, keychain } = await openConnectionService({ repo: store.connections, env, clientOptions: opts.clientOptions });
      return new CohortRelayApp(store, service, keychain, { ...opts, env });
    } catch (err) {
      store.close();
      throw err;
    }
  }

  private constructor(
    readonly store: Store,
    readonly connections: ConnectionService,
    readonly keychain: OpenedSecretStore,
    opts: OpenAppOptions & { env: NodeJS.ProcessEnv },
  ) {
    this.env = opts.env;
    this.sync = new SyncService({
      store: this.store,
      now: opts.now,
      onProgress: opts.onProgress,
      runner: opts.runner ?? runnerTuningFromEnv(this.env),
      apiFor: async (audience, o) => tiktokAudienceApi(await this.clientFor(audience, o?.onCall), audience.advertiserId, o?.signal, readCreateOptions(this.store.settings, audience.id)),
      partnerApiFor: async (audience, o) => tiktokPartnerApi(await this.clientFor(audience, o?.onCall), audience.advertiserId, o?.signal),
    });
    this.now = opts.now;
    this.scheduler = this.createScheduler();
  }

  private readonly now: (() => Date) | undefined;

  /**
   * A scheduler on this app's store: runs through the sync service, checks tokens, refreshes status.
   * Hosts that run schedules (daemon, desktop engine) pass their own run tracking and timing.
   */
  createScheduler(overrides: Partial<SchedulerDeps> = {}): Scheduler {
    return new Scheduler({
      store: this.store,
      now: this.now,
      runAudience: (id, trigger, signal) => this.sync.sync(id, trigger, signal),
      healthCheck: (connectionId) => this.healthCheck(connectionId),
      refreshStatus: (id) => this.sync.refreshStatus(id),
      ...overrides,
    });
  }

  /** The API base: TIKTOK_API_BASE, else the saved setting, else production. */
  get apiBase(): string {
    return resolveApiBase(this.env, this.store.settings.read(SETTINGS.apiBase));
  }

  /** A TikTok client for the audience's connection (TIKTOK_ACCESS_TOKEN wins, for cron and CI). */
  async clientFor(audience: Pick<AudienceRecord, 'connectionId' | 'advertiserId'>, onCall?: (e: ApiCallEvent) => void): Promise<TikTokClient> {
    if (audience.connectionId && this.store.connections.get(audience.connectionId)) return this.connections.clientFor(audience.connectionId, { onCall });
    return this.connections.clientForAdvertiser(audience.advertiserId, { onCall });
  }

  /**
   * Deletes an audience: at TikTok first when asked (a partner audience through the segment API's delete action, a
   * customer-file one through dmp/custom_audience/delete/), then here with every hash kept for it (snapshot, runs and
   * their deltas, pending changes). Refused while a sync of it runs in any process; if TikTok refuses, nothing is
   * deleted here. An audience TikTok no longer has counts as deleted there.
   */
  async deleteAudience(id: number, atTiktok: boolean): Promise<{ deletedAtTiktok: boolean }> {
    const a = this.store.audiences.require(id);
    let release: () => void;
    try {
      release = acquireAudienceLock(this.store, id, `delete-${process.pid}-${Math.random().toString(36).slice(2)}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'SYNC_RUNNING') throw new AppError('SYNC_RUNNING', syncingMessage(a.name));
      throw err;
    }
    try {
      let deletedAtTiktok = false;
      if (atTiktok && a.tiktokAudienceId) {
        const tiktokId = a.tiktokAudienceId;
        const client = await this.clientFor(a);
        try {
          if (a.api === 'segment') await client.segmentAudienceDelete({ advertiserId: a.advertiserId, audienceId: tiktokId });
          else await client.deleteAudiences(a.advertiserId, [tiktokId]);
        } catch (err) {
          if (toErrorShape(err).code !== 'AUDIENCE_NOT_FOUND') throw err;
        }
        deletedAtTiktok = true;
      }
      this.store.audiences.remove(id);
      return { deletedAtTiktok };
    } finally {
      release();
    }
  }

  /** Cheap token check before scheduled runs; a revoked token marks the connection for re-connect. */
  async healthCheck(connectionId: string): Promise<{ ok: boolean; message?: string }> {
    if (!this.store.connections.get(connectionId)) return { ok: true };
    return this.connections.healthCheck(connectionId);
  }

  close(): void {
    this.store.close();
  }
}

/**
 * Upload-file and call sizes from the environment (COHORT_RELAY_HASHES_PER_FILE,
 * COHORT_RELAY_FILES_PER_CALL): for crash tests that need many small calls, and for support cases.
 */
function runnerTuningFromEnv(env: NodeJS.ProcessEnv): SyncServiceDeps['runner'] {
  const num = (v: string | undefined) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);
  return { hashesPerFile: num(env.COHORT_RELAY_HASHES_PER_FILE), filesPerCall: num(env.COHORT_RELAY_FILES_PER_CALL) };
}

/** Why an audience cannot be deleted now, and the way out. */
export function syncingMessage(name: string): string {
  return `"${name}" is syncing right now, so it cannot be deleted. Cancel the sync (or wait for it to finish), then delete the audience.`;
}
