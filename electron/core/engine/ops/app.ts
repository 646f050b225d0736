/**
 * Opening the engine for one short-lived caller (a CLI command): the store, the keychain and the sync service of
 * the data folder the environment names, closed again when the work is done.
 */
import { CohortRelayApp } from '../../app';
import type { AudienceRecord } from '../../store/audiences-repo';

/** The opened engine every operation takes (the long-lived hosts hold one for their lifetime). */
export type App = CohortRelayApp;
export type { AudienceRecord, Cadence, KeyMapping, RemovalMode } from '../../store/audiences-repo';
export type { RunRecord, ApiCallRecord } from '../../store/runs-repo';
export type { HoldRecord } from '../../store/holds-repo';

/** Opens the engine on the data folder `env` names (COHORT_RELAY_HOME, else the OS app-data folder), runs `fn`, closes it. */
export async function withApp<T>(env: NodeJS.ProcessEnv, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await CohortRelayApp.open({ env });
  try {
    return await fn(app);
  } finally {
    app.close();
  }
}

/** The local audience `id`; AUDIENCE_NOT_FOUND (with the way out) when there is none. */
export function requireAudience(app: App, id: number): AudienceRecord {
  return app.store.audiences.require(id);
}

/** The calls left today of an audience's daily budget. */
export function quotaOf(app: App, audienceId: number): { used: number; left: number; budget: number; resetsAt: string } {
  return app.sync.quota(audienceId);
}

/** The audience kept here that is TikTok audience `tiktokAudienceId` under another ad account than `advertiserId`, if any. */
export function audienceUnderOtherAccount(app: App, tiktokAudienceId: string, advertiserId: string): AudienceRecord | undefined {
  return app.store.audiences.list().find((a) => a.tiktokAudienceId === tiktokAudienceId && a.advertiserId !== advertiserId);
}
