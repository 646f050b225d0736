/**
 * The one audience-state function: what the desktop app's audiences table, the tray and `cohort-relay status` show
 * for an audience (TikTok's state and size as last read, our size, last and next sync, calls left, a held sync, and
 * why it cannot sync for want of a source file).
 */
import type { AudienceView } from '../../../../shared/ipc/dto';
import type { Store } from '../../store';
import type { AudienceRecord } from '../../store/audiences-repo';
import { AUDIENCE_SETTINGS } from '../../store/settings-keys';
import { audienceView } from '../views';
import type { App } from './app';

/** Settings key: the file name of the upload copy an audience read before the copy was removed. */
export const lostUploadKey = (audienceId: number) => AUDIENCE_SETTINGS.lostUpload(audienceId).key;

/** Why this audience cannot sync for want of a source file, in plain words; null when it has one. */
export function noSourceMessage(store: Store, a: AudienceRecord): string | null {
  if (a.sourcePath) return null;
  const lost = store.settings.get<string | null>(lostUploadKey(a.id), null);
  return lost
    ? `No source file: pick the cohort file again. This audience read an uploaded copy of ${lost}, and the browser version removes an uploaded copy once the sync that read it ends or its page closes.`
    : "No source file: pick the cohort file again in the audience's mapping.";
}

/** What the caller knows beside the store: the time, the schedule it runs (if any) and which syncs run now. */
export interface StateContext {
  now?: Date;
  /** The next scheduled run; default the app's own scheduler. */
  nextRun?(a: AudienceRecord): Date | null;
  /** True while a sync of the audience runs in this process; default none. */
  running?(audienceId: number): boolean;
}

/** The audience's state and everything shown beside it, the same for every host. */
export function audienceState(app: App, a: AudienceRecord, ctx: StateContext = {}): AudienceView {
  const now = ctx.now ?? new Date();
  const view = audienceView(app.store, a, {
    now,
    nextRun: ctx.nextRun ?? ((r) => app.scheduler.nextRun(r, now)),
    running: ctx.running ?? (() => false),
    quota: (id) => app.sync.quota(id),
  });
  // An audience without a source says so (and which uploaded file it had), unless a TikTok state speaks first.
  return view.stateMessage === null ? { ...view, stateMessage: noSourceMessage(app.store, a) } : view;
}
