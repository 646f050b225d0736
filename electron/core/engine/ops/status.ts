/** `status`: every audience with its state (the one audience-state function), sizes, last and next sync, calls left. */
import type { AudienceView, HoldView } from '../../../../shared/ipc/dto';
import type { Cadence, RemovalMode } from '../../store/audiences-repo';
import { latestMatchRates, type MatchRates } from '../../sync/match-rate';
import { audienceState } from './audience-state';
import type { App } from './app';

export { rateText, type MatchRates } from '../../sync/match-rate';

export interface AudienceStatus {
  id: number;
  name: string;
  advertiserId: string;
  tiktokAudienceId: string | null;
  /** The keys it matches on, "email" or "email+phone". */
  key: string;
  state: AudienceView['state'];
  stateMessage: string | null;
  coverNum: number | null;
  /** matched ÷ sent, and matched ÷ every row of the file (invalid rows included): the honest one. */
  matchRate: MatchRates | null;
  localSize: number;
  lastSync: { at: string; status: string; error: string | null } | null;
  nextSync: string | null;
  cadence: Cadence;
  paused: boolean;
  callsLeftToday: number;
  dailyBudget: number;
  removalLimitPct: number | null;
  removalMode: RemovalMode;
  hold: HoldView | null;
}

/**
 * Every audience's status. `refresh`: TikTok is asked for each audience's size and state first (a failure leaves
 * the last known one). The state is audienceState's, so it reads as in the desktop app.
 */
export async function audienceStatuses(app: App, opts: { refresh?: boolean; now?: Date } = {}): Promise<{ audiences: AudienceStatus[]; pausedAll: boolean }> {
  const audiences: AudienceStatus[] = [];
  for (const a of app.store.audiences.list()) {
    if (opts.refresh && a.tiktokAudienceId) await app.sync.refreshStatus(a.id).catch(() => undefined);
    const v = audienceState(app, app.store.audiences.require(a.id), { now: opts.now });
    const run = app.store.runs.list({ audienceId: a.id, limit: 1 })[0];
    audiences.push({
      id: v.id,
      name: v.name,
      advertiserId: v.advertiserId,
      tiktokAudienceId: v.tiktokAudienceId,
      key: a.keys.map((k) => k.key).join('+'),
      state: v.state,
      stateMessage: v.stateMessage,
      coverNum: v.coverNum,
      matchRate: latestMatchRates(app.store, a.id),
      localSize: v.localSize,
      lastSync: run ? { at: run.finishedAt ?? run.startedAt, status: run.status, error: run.errorMessage } : null,
      nextSync: v.nextSync,
      cadence: v.cadence,
      paused: v.paused,
      callsLeftToday: v.callsLeftToday,
      dailyBudget: v.dailyBudget,
      removalLimitPct: v.removalLimitPct,
      removalMode: a.removalMode,
      hold: v.hold,
    });
  }
  return { audiences, pausedAll: app.scheduler.paused };
}
