/** Deleting an audience: here, and at TikTok first when asked (after detaching it from the ad groups that use it). */
import { AppError } from '../../../../shared/errors';
import { syncingMessage } from '../../app';
import { erasureCounts } from '../../sync/erasure';
import { AudienceUse, type UseHooks } from '../audience-use';
import type { App } from './app';

/**
 * Deletes an audience: at TikTok first when asked (ad groups using it are detached first: TikTok may refuse to delete
 * an audience still attached to one), then here with every hash kept for it. Refused while a sync of it runs, in this
 * process (`hooks.isRunning`) or another (the audience's lock); if TikTok refuses, nothing is deleted here.
 */
export async function deleteAudience(app: App, id: number, atTiktok: boolean, hooks: UseHooks = {}, use: AudienceUse = new AudienceUse(app, hooks)): Promise<{ deletedAtTiktok: boolean }> {
  const a = app.store.audiences.require(id);
  if (hooks.isRunning?.(id)) throw new AppError('SYNC_RUNNING', syncingMessage(a.name));
  const remote = <T>(fn: () => Promise<T>) => (hooks.remote ? hooks.remote(a.connectionId, fn) : fn());
  if (atTiktok) {
    await hooks.prepare?.(a);
    await remote(() => use.detachAll(id));
  }
  const out = await remote(() => app.deleteAudience(id, atTiktok));
  hooks.changed?.(id);
  return out;
}

/** What `deleteAudience` would delete, read without changing anything (the CLI's `delete` without --yes). */
export interface DeletePreview {
  audienceId: number;
  name: string;
  tiktokAudienceId: string | null;
  /** Its cadence when one is set ("manual" has none to delete). */
  scheduled: boolean;
  /** Sync runs kept for it (the sync history). */
  runs: number;
  /** Hashed entries kept for it (the local record of who is in it). */
  entries: number;
  /** With atTiktok, for an audience that exists there: the ad groups using it (detached first) and lookalikes made from it. */
  atTiktok: { adGroups: number; lookalikes: number } | null;
  /** Hashes kept of what was typed to erase people from it (they keep those people out of its syncs): deleted with it. */
  erasedHashes: number;
  /** Entries of erased people whose removal has not reached TikTok yet: the queued erasure is deleted with it. */
  erasureQueued: number;
}

export async function deletePreview(app: App, id: number, atTiktok: boolean, use: AudienceUse = new AudienceUse(app)): Promise<DeletePreview> {
  const a = app.store.audiences.require(id);
  const facts = atTiktok && a.tiktokAudienceId ? (await use.deleteFacts([id]))[0]! : null;
  const erased = erasureCounts(app.store, id);
  return {
    audienceId: id,
    name: a.name,
    tiktokAudienceId: a.tiktokAudienceId,
    scheduled: a.cadence.kind !== 'manual',
    runs: app.store.runs.list({ audienceId: id, limit: -1 }).length,
    entries: app.store.snapshots.meta(id)?.entryCount ?? 0,
    atTiktok: facts && { adGroups: facts.adGroups, lookalikes: facts.lookalikes },
    erasedHashes: erased.kept,
    erasureQueued: erased.queued,
  };
}
