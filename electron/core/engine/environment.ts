/**
 * Which TikTok the engine talks to: the host's default environment until the user picks one in settings,
 * then the stored choice; and the offline sandbox (its simulator) started whenever something needs it.
 */
import type { ApiEnvironment } from '../../../shared/ipc/dto';
import type { CohortRelayApp } from '../app';
import type { AudienceRecord } from '../store/audiences-repo';
import { resolveApiBase, TIKTOK_API_BASES } from '../tiktok/client';
import type { SandboxHost } from './sandbox';
import { storedEnvironment } from './settings';

export class EngineEnvironment {
  constructor(
    private readonly app: CohortRelayApp,
    readonly sandbox: SandboxHost,
    /** The host's default (EngineOptions.environment); the stored setting when undefined. */
    private override: ApiEnvironment | undefined,
  ) {}

  get current(): ApiEnvironment {
    return this.override ?? storedEnvironment(this.app.store);
  }

  /** The user's choice (just saved) now wins over the host's default for this process. */
  useStored(): void {
    this.override = undefined;
  }

  /** Audiences on a connection made against the engine's sandbox need its simulator running, whatever the environment. */
  async prepare(a: Pick<AudienceRecord, 'connectionId' | 'advertiserId'>): Promise<void> {
    const { store } = this.app;
    await this.sandbox.ensureFor(a.connectionId ? store.connections.get(a.connectionId) : store.connections.findByAdvertiser(a.advertiserId));
  }

  /** The API base new connections use: the environment's TikTok (TIKTOK_API_BASE still wins for production). */
  async apiBase(): Promise<string> {
    switch (this.current) {
      case 'offline-sandbox':
        return (await this.sandbox.ensure()).url;
      case 'tiktok-sandbox':
        return TIKTOK_API_BASES.tiktokSandbox;
      case 'production':
        return resolveApiBase(this.app.env, TIKTOK_API_BASES.production);
    }
  }
}
