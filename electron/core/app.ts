import { AppError } from '../../shared/errors';
import { resolveDataDir } from './paths';
import { Store } from './store';
import type { AudienceRecord } from './store/audiences-repo';
import { TikTokClient, resolveApiBase } from './tiktok/client';
import { Scheduler } from './sync/scheduler';
import { SyncService, type ApiCallEvent, type SyncServiceDeps } from './sync/sync-service';
import { tiktokAudienceApi } from './sync/tiktok-audience-api';
import type { SyncProgress } from './sync/sync-runner';

export const API_BASE_KEY = 'api.base';

export interface OpenAppOptions {
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  now?: () => Date;
  onProgress?: (p: SyncProgress) => void;
  runner?: SyncServiceDeps['runner'];
}

/**
 * The composition root every host shares (CLI, daemon, desktop app, web host): the store, TikTok
 * clients per connection, the sync service and the scheduler.
 */
export class CohortRelayApp {
  readonly store: Store;
  readonly sync: SyncService;
  readonly scheduler: Scheduler;
  readonly env: NodeJS.ProcessEnv;

  constructor(opts: OpenAppOptions = {}) {
    this.env = opts.env ?? process.env;
    this.store = Store.open(opts.dataDir ?? resolveDataDir(this.env));
    this.sync = new SyncService({
      store: this.store,
      now: opts.now,
      onProgress: opts.onProgress,
      runner: opts.runner,
      apiFor: async (audience, o) => tiktokAudienceApi(await this.clientFor(audience, o?.onCall), audience.advertiserId, o?.signal),
    });
    this.scheduler = new Scheduler({
      store: this.store,
      now: opts.now,
      runAudience: (id, trigger) => this.sync.sync(id, trigger),
      healthCheck: (connectionId) => this.healthCheck(connectionId),
    });
  }

  /** The API base: TIKTOK_API_BASE, else the saved setting, else production. */
  get apiBase(): string {
    return resolveApiBase(this.env, this.store.settings.get<string | null>(API_BASE_KEY, null));
  }

  /** A TikTok client for the audience's connection (or TIKTOK_ACCESS_TOKEN, for cron and CI). */
  async clientFor(audience: Pick<AudienceRecord, 'connectionId' | 'advertiserId'>, onCall?: (e: ApiCallEvent) => void): Promise<TikTokClient> {
    const envToken = this.env.TIKTOK_ACCESS_TOKEN?.trim();
    if (envToken) return new TikTokClient({ base: this.apiBase, accessToken: envToken, onCall });
    throw new AppError('AUTH_MISSING', `No TikTok connection reaches advertiser ${audience.advertiserId}. Run "cohort-relay login" (or set TIKTOK_ACCESS_TOKEN).`);
  }

  /** Cheap token check before scheduled runs. */
  async healthCheck(_connectionId: string): Promise<{ ok: boolean; message?: string }> {
    return { ok: true };
  }

  close(): void {
    this.store.close();
  }
}
