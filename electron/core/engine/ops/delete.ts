/** Deleting an audience: here, and at TikTok first when asked (after detaching it from the ad groups that use it). */
import { AppError } from '../../../../shared/errors';
import { syncingMessage } from '../../app';
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
