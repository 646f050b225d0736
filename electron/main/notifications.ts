/**
 * Which push events become OS notifications, and their words. Pure: index.ts shows what this returns.
 * Only background work notifies (a scheduled or catch-up run, a connection that needs the user): a sync
 * the user started from the window is already on screen.
 */
import type { PushEvent } from '../../shared/ipc/contract';
import type { RunTrigger } from '../../shared/ipc/dto';

export interface NotificationContent {
  title: string;
  body: string;
}

const BACKGROUND: ReadonlySet<RunTrigger> = new Set(['schedule', 'catch-up']);

export interface NotificationContext {
  /** The user's "notifications" setting. */
  enabled: boolean;
  /** The audience's name, when known. */
  audienceName?: string | null;
}

export function notificationFor(e: PushEvent, ctx: NotificationContext): NotificationContent | null {
  if (!ctx.enabled) return null;
  switch (e.event) {
    case 'run:finished': {
      const p = e.payload;
      if (!BACKGROUND.has(p.trigger)) return null;
      // Another workspace's run (#14 §2): its audience is named from the event, with its workspace.
      const where = p.workspace ?? null;
      const audienceName = where ? where.audienceName : ctx.audienceName;
      const name = `${audienceName ? `“${audienceName}”` : `Audience ${p.audienceId}`}${where ? ` in workspace “${where.name}”` : ''}`;
      if (p.status === 'done') return { title: 'Sync finished', body: `${name} is up to date at TikTok.` };
      if (p.status === 'failed') return { title: 'Sync failed', body: `${name}: ${p.error?.message ?? 'the sync did not complete.'}` };
      // Held (the audience's removal limit, or changes at TikTok this app did not send): the user decides. Once per held
      // change, not at every scheduled slot.
      if (p.status === 'held' && !p.heldAgain && p.error?.code === 'MEMBERSHIP_UNKNOWN') {
        return { title: 'Sync held: needs you', body: `${name}: TikTok shows changes to this audience that Cohort Relay did not send, so the sync was held and nothing was sent. Open Cohort Relay to replace its membership with the file, or keep syncing changes only.` };
      }
      if (p.status === 'held' && !p.heldAgain) {
        return { title: 'Sync held: needs you', body: `${name}: ${p.error?.message ?? 'this sync would remove more people than the audience allows.'} Open Cohort Relay to sync anyway (once) or keep the audience as is.` };
      }
      // deferred (waiting for tomorrow's quota), cancelled, planned: nothing the user must act on now.
      return null;
    }
    case 'connection:needsReconnect':
      return e.payload.workspace
        ? { title: 'Re-connect TikTok', body: `Workspace “${e.payload.workspace.name}”: ${e.payload.message} Open Cohort Relay, switch to “${e.payload.workspace.name}” and re-connect.` }
        : { title: 'Re-connect TikTok', body: `${e.payload.message} Open Cohort Relay to re-connect.` };
    case 'engine:restarted':
      // The window may have seen a request fail meanwhile: say why, and that nothing was lost.
      return { title: 'Cohort Relay restarted its engine', body: e.payload.message };
    case 'run:progress':
    case 'audience:statusChanged':
    case 'connection:signInWaiting':
    case 'import:progress':
    case 'workspace:switched':
      return null;
  }
}
