/**
 * Run tracking, for the long-lived hosts: `sync:run` / `sync:undo` resolve as soon as the run has its row in
 * the sync log (its first progress event carries the id) and the run continues in the background;
 * `run:progress`, `run:finished` and `audience:statusChanged` follow. Scheduled runs and erasures go through
 * the same tracking, so the renderer, the tray and notifications see them alike. One run per audience.
 */
import { AppError } from '../../../shared/errors';
import type { RunTrigger } from '../../../shared/ipc/dto';
import type { SyncOutcome, SyncProgress } from '../sync/sync-runner';
import type { EngineContext } from './context';
import { RateMeter, runPhase } from './progress';

interface ActiveRun {
  audienceId: number;
  trigger: RunTrigger;
  runId: number | null;
  rows: number;
  meter: RateMeter;
  started(runId: number): void;
  done: Promise<SyncOutcome>;
}

export class RunTracker {
  private readonly active = new Map<number, ActiveRun>();

  constructor(private readonly ctx: Pick<EngineContext, 'app' | 'hub' | 'closed' | 'environment' | 'connectionStatus'>) {}

  /** True while a run of the audience tracked here is in progress. */
  has(audienceId: number): boolean {
    return this.active.has(audienceId);
  }

  /**
   * Starts a run in the background. `started` resolves with its id once the run is in the sync log, or
   * rejects when it could not start (unknown audience, locked by another process, no token).
   */
  track<T extends SyncOutcome>(audienceId: number, trigger: RunTrigger, start: () => Promise<T>): { started: Promise<number>; done: Promise<T> } {
    const { app, hub } = this.ctx;
    if (this.ctx.closed) throw new AppError('CANCELLED', 'Cohort Relay is shutting down, so no new sync starts. Start it again after the restart.');
    if (this.active.has(audienceId)) throw new AppError('SYNC_RUNNING', 'This audience is syncing right now. Wait for that run to finish, or cancel it first.');
    let resolveStarted!: (id: number) => void;
    let rejectStarted!: (err: unknown) => void;
    const started = new Promise<number>((res, rej) => {
      resolveStarted = res;
      rejectStarted = rej;
    });
    // A caller that never waits for `started` must not see an unhandled rejection.
    started.catch(() => undefined);
    const run: ActiveRun = { audienceId, trigger, runId: null, rows: 0, meter: new RateMeter(), started: resolveStarted, done: Promise.resolve(null as never) };
    this.active.set(audienceId, run);
    hub.emit('audience:statusChanged', { audienceId });
    const finish = () => {
      if (this.active.get(audienceId) === run) this.active.delete(audienceId);
      hub.emit('audience:statusChanged', { audienceId });
      this.ctx.connectionStatus.check();
    };
    const done = (async () => {
      try {
        await this.ctx.environment.prepare(app.store.audiences.require(audienceId));
        return await start();
      } catch (err) {
        finish();
        rejectStarted(err);
        throw err;
      }
    })().then((outcome) => {
      finish();
      if (outcome.runId === null) {
        const e = outcome.error ?? { code: 'INTERNAL' as const, message: 'The sync could not start.', retryable: true };
        rejectStarted(new AppError(e.code, e.message, { retryable: e.retryable }));
      } else {
        resolveStarted(outcome.runId);
        hub.emit('run:finished', { runId: outcome.runId, audienceId, status: outcome.status, trigger, error: outcome.error, ...(outcome.status === 'held' && { heldAgain: outcome.hold?.repeated ?? false }) });
      }
      return outcome;
    });
    run.done = done;
    done.catch(() => undefined);
    return { started, done };
  }

  /** The sync service's progress of a run: the first event names the run; each one becomes run:progress. */
  onProgress(p: SyncProgress): void {
    // Dry runs (plans) have no run id: they are not runs of the sync log.
    if (p.runId === null) return;
    const run = this.active.get(p.audienceId);
    if (!run) return;
    if (run.runId === null) {
      run.runId = p.runId;
      run.started(p.runId);
    }
    if (p.rows !== undefined) run.rows = p.rows;
    // Reading is the first 60% of a run; its rate and ETA are the ones worth showing.
    const readFraction = p.phase === 'reading' ? p.percent / 60 : null;
    const rate = p.phase === 'reading' ? run.meter.measure(run.rows, readFraction) : {};
    this.ctx.hub.emit('run:progress', { runId: p.runId, audienceId: p.audienceId, phase: runPhase(p), rows: run.rows, percent: p.percent, ...rate });
  }

  /** Cancels every run in progress. A cancelled run keeps every call TikTok acknowledged; the next run resumes from there. */
  cancelAll(): void {
    for (const id of this.active.keys()) this.ctx.app.sync.cancel(id);
  }

  /** Resolves once every run in progress has ended, however it ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.active.values()].map((r) => r.done));
  }
}
