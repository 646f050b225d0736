import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import type { RunTrigger } from '../store/runs-repo';
import { SETTINGS } from '../store/settings-keys';
import { hasQueuedErasure } from './erasure';
import { dueSlot, nextSlot } from './cadence';
import { audienceLockHeld } from './locks';
import type { SyncOutcome } from './sync-runner';

/** Failed runs whose error is transient are retried after this long. */
const RETRY_FAILED_AFTER_MS = 15 * 60_000;

export interface SchedulerDeps {
  store: Store;
  /**
   * Runs one sync; the scheduler never runs two for the same audience at once. `signal` aborts when the scheduler
   * stops (host shutdown, daemon SIGTERM): a run cancelled by it leaves its slot to run again at the next start.
   */
  runAudience(audienceId: number, trigger: RunTrigger, signal: AbortSignal): Promise<SyncOutcome>;
  /** Cheap token check before a scheduled run; false marks the connection for re-connect and skips. */
  healthCheck(connectionId: string): Promise<{ ok: boolean; message?: string }>;
  /** Asks TikTok for an audience's size and state and stores it (periodic status). */
  refreshStatus?(audienceId: number): Promise<unknown>;
  now?: () => Date;
  tickMs?: number;
  /** How often an audience's TikTok status is refreshed (default 1 h; 10 min while TikTok is processing it). */
  statusEveryMs?: number;
  onSkipped?(audienceId: number, reason: string): void;
}

export type DueReason = { kind: 'slot'; slot: Date } | { kind: 'deferred'; until: Date } | { kind: 'retry'; after: Date };

/**
 * Runs scheduled syncs: each audience's cadence (local time), work deferred to a later window, and
 * retries of transient failures. A slot missed while the machine slept or the app was closed runs
 * once on the next tick, inside the quota like any run.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private readonly running = new Set<number>();
  private ticking: Promise<void> | null = null;
  private readonly now: () => Date;
  /** Aborted by stop(): cancels the runs in progress. */
  private stopper = new AbortController();

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get paused(): boolean {
    return this.deps.store.settings.read(SETTINGS.schedulerPaused);
  }

  /** Pause or resume every scheduled sync (persisted). Manual "sync now" still works. */
  setPaused(paused: boolean): void {
    this.deps.store.settings.write(SETTINGS.schedulerPaused, paused);
  }

  start(): void {
    if (this.timer) return;
    if (this.stopper.signal.aborted) this.stopper = new AbortController();
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 30_000);
    this.timer.unref?.();
    void this.tick();
  }

  /**
   * Stops ticking, cancels the runs in progress and waits for them. A scheduled slot whose run this cancels is not
   * served: it runs again at the next start (each acknowledged call stays; the run resumes from there).
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopper.abort();
    await this.ticking;
  }

  isRunning(audienceId: number): boolean {
    return this.running.has(audienceId);
  }

  /** Why an audience is due now, or null. */
  dueReason(a: AudienceRecord, now = this.now()): DueReason | null {
    // A paused audience's schedule waits, but an erasure the user confirmed does not (#12.4): only it is due then.
    if (a.paused && !hasQueuedErasure(this.deps.store, a.id)) return null;
    const last = this.deps.store.runs.list({ audienceId: a.id, limit: 1 })[0];
    if (last?.status === 'deferred' && last.deferredUntil && Date.parse(last.deferredUntil) <= now.getTime()) return { kind: 'deferred', until: new Date(last.deferredUntil) };
    // Waiting for TikTok to finish processing: go as soon as a status check after the run says it is done.
    if (last?.status === 'deferred' && last.errorCode === 'AUDIENCE_PROCESSING' && last.finishedAt && processingEndedSince(this.deps.store, a.id, last.finishedAt)) {
      return { kind: 'deferred', until: now };
    }
    if (last?.status === 'failed' && last.trigger !== 'cli' && isTransient(last.errorCode) && last.finishedAt && Date.parse(last.finishedAt) + RETRY_FAILED_AFTER_MS <= now.getTime()) {
      return { kind: 'retry', after: new Date(Date.parse(last.finishedAt) + RETRY_FAILED_AFTER_MS) };
    }
    const served = lastSlot(this.deps.store, a.id);
    const slot = dueSlot(a.cadence, served, new Date(a.createdAt), now);
    return slot ? { kind: 'slot', slot } : null;
  }

  /** When the audience's next scheduled run is (deferred work or its next slot), or null. */
  nextRun(a: AudienceRecord, now = this.now()): Date | null {
    if (a.paused || this.paused) return null;
    const due = this.dueReason(a, now);
    if (due) return now;
    const last = this.deps.store.runs.list({ audienceId: a.id, limit: 1 })[0];
    const candidates = [nextSlot(a.cadence, now)];
    if (last?.status === 'deferred' && last.deferredUntil) candidates.push(new Date(last.deferredUntil));
    return candidates.filter((d): d is Date => d !== null).sort((x, y) => x.getTime() - y.getTime())[0] ?? null;
  }

  /** Refreshes TikTok's view of audiences not checked recently; a failure is retried next tick. */
  private async refreshStale(): Promise<void> {
    if (!this.deps.refreshStatus) return;
    for (const id of staleStatuses(this.deps.store, this.now(), this.deps.statusEveryMs ?? 3_600_000)) {
      if (this.running.has(id)) continue;
      await this.deps.refreshStatus(id).catch(() => undefined);
    }
  }

  /** Runs every due audience once. Safe to call at any time (e.g. on resume from sleep). */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.runDue().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async runDue(): Promise<void> {
    await this.refreshStale();
    if (this.paused) return;
    const now = this.now();
    const due = this.deps.store.audiences.list().flatMap((a) => {
      const reason = this.running.has(a.id) ? null : this.dueReason(a, now);
      return reason ? [{ a, reason }] : [];
    });
    const checked = new Map<string, { ok: boolean; message?: string }>();
    for (const { a, reason } of due) {
      if (this.stopper.signal.aborted) break;
      // Another sync of it runs now (a manual one, another process): the slot waits for it to end, unserved.
      if (audienceLockHeld(this.deps.store, a.id)) continue;
      if (a.connectionId) {
        let health = checked.get(a.connectionId);
        if (!health) {
          health = await this.deps.healthCheck(a.connectionId).catch((e: unknown) => ({ ok: false, message: String((e as Error)?.message ?? e) }));
          checked.set(a.connectionId, health);
        }
        if (!health.ok) {
          this.deps.onSkipped?.(a.id, health.message ?? 'The TikTok connection needs attention.');
          continue;
        }
      }
      const served = lastSlot(this.deps.store, a.id);
      if (reason.kind === 'slot') setLastSlot(this.deps.store, a.id, reason.slot);
      this.running.add(a.id);
      const signal = this.stopper.signal;
      try {
        const outcome = await this.deps.runAudience(a.id, reason.kind === 'slot' ? 'schedule' : 'catch-up', signal);
        // Cancelled because the scheduler stopped (not by the user): the slot is not served and runs at the next start.
        if (reason.kind === 'slot' && outcome.status === 'cancelled' && signal.aborted) setLastSlot(this.deps.store, a.id, served);
      } catch (err) {
        // Refused (another sync took the audience meanwhile): the slot runs once that sync has ended.
        if (reason.kind === 'slot' && (err as { code?: string }).code === 'SYNC_RUNNING') setLastSlot(this.deps.store, a.id, served);
        else this.deps.onSkipped?.(a.id, (err as Error).message);
      } finally {
        this.running.delete(a.id);
      }
    }
  }
}

/** Audiences whose TikTok status is older than the refresh interval, oldest first. */
export function staleStatuses(store: Store, now: Date, everyMs: number): number[] {
  return store.status
    .lastChecks()
    .filter((r) => !r.checkedAt || now.getTime() - Date.parse(r.checkedAt) >= (r.state === 'processing' ? Math.min(everyMs, 10 * 60_000) : everyMs))
    .map((r) => r.id);
}

function processingEndedSince(store: Store, audienceId: number, since: string): boolean {
  const row = store.status.latest(audienceId);
  return Boolean(row && row.checkedAt > since && row.state !== 'processing');
}

function isTransient(code: string | null): boolean {
  return code === 'NETWORK' || code === 'TIKTOK_UNAVAILABLE' || code === 'RATE_LIMITED' || code === 'INTERNAL';
}

function lastSlot(store: Store, audienceId: number): Date | null {
  return store.status.lastSlot(audienceId);
}

/**
 * Records the slot being served before the run starts, so a crash mid-run does not replay the slot forever; put back
 * (null: none served yet) when the run did not happen after all.
 */
function setLastSlot(store: Store, audienceId: number, slot: Date | null): void {
  store.status.setLastSlot(audienceId, slot);
}
