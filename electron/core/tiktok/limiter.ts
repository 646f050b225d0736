/**
 * Client-side limiter for TikTok's app-level rate limits (tiktok-api.md §6: 10 QPS / 600 QPM on the default
 * tier). Limits apply per developer app, so one limiter is shared by every call of a process
 * (`processLimiter()`); several processes of one user (app + CLI daemon) can still overshoot, which the 40100
 * handling of errors.ts absorbs.
 *
 * Slots are handed out first come, first served: `reserve()` books the earliest instant at which both the
 * per-second and the per-minute sliding windows have room, and `acquire()` sleeps until then. The clock and
 * the sleep are injectable so tests need no wall time.
 */

export interface RateLimiterOptions {
  /** Requests per rolling second (default 10). */
  qps?: number;
  /** Requests per rolling minute (default 600). */
  qpm?: number;
  /** Epoch ms (default Date.now). */
  now?: () => number;
  /** Sleeps `ms`; rejects when `signal` aborts (default: setTimeout). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_QPS = 10;
export const DEFAULT_QPM = 600;

/** Sleeps `ms` milliseconds; rejects with the signal's reason when it aborts. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RateLimiter {
  private qps: number;
  private qpm: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Booked slot times, ascending (bookings never go back in time). Pruned to the last minute. */
  private readonly booked: number[] = [];
  /** No slot before this instant (set after TikTok answered 40100). */
  private pausedUntil = 0;

  constructor(opts: RateLimiterOptions = {}) {
    this.qps = positive(opts.qps ?? DEFAULT_QPS, 'qps');
    this.qpm = positive(opts.qpm ?? DEFAULT_QPM, 'qpm');
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** Changes the limits (e.g. a higher TikTok tier from Settings). Applies to later bookings. */
  configure(limits: { qps?: number; qpm?: number }): void {
    if (limits.qps !== undefined) this.qps = positive(limits.qps, 'qps');
    if (limits.qpm !== undefined) this.qpm = positive(limits.qpm, 'qpm');
  }

  get limits(): { qps: number; qpm: number } {
    return { qps: this.qps, qpm: this.qpm };
  }

  /**
   * Books the next free slot and returns how long to wait for it (ms, 0 = now). The slot is taken even if the
   * caller then does not send; a cancelled caller costs one slot, which errs on the safe side.
   */
  reserve(): number {
    const now = this.now();
    const n = this.booked.length;
    let at = Math.max(now, this.pausedUntil, n > 0 ? (this.booked[n - 1] as number) : now);
    // Windows are half-open (t-1000, t]: the k-th most recent booking leaves the window 1000 ms after it.
    if (n >= this.qps) at = Math.max(at, (this.booked[n - this.qps] as number) + 1000);
    if (n >= this.qpm) at = Math.max(at, (this.booked[n - this.qpm] as number) + 60_000);
    this.booked.push(at);
    this.prune(at);
    return at - now;
  }

  /** Waits for a slot. Rejects (without waiting further) when `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const wait = this.reserve();
    if (wait > 0) await this.sleep(wait, signal);
  }

  /** No slot is handed out before `untilMs` (epoch). Used after TikTok itself answered "rate limited". */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  /** Bookings in the rolling second and minute ending at `now` (for the UI's "requests in flight" and tests). */
  usage(): { lastSecond: number; lastMinute: number } {
    const now = this.now();
    let s = 0;
    let m = 0;
    for (const t of this.booked) {
      if (t > now) continue;
      if (t > now - 1000) s++;
      if (t > now - 60_000) m++;
    }
    return { lastSecond: s, lastMinute: m };
  }

  private prune(latest: number): void {
    // Bookings never go back in time, so one older than a minute before the latest can no longer constrain one.
    let drop = 0;
    while (drop < this.booked.length && (this.booked[drop] as number) <= latest - 60_000) drop++;
    if (drop > 0) this.booked.splice(0, drop);
  }
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a positive number, got ${n}`);
  return n;
}

let shared: RateLimiter | null = null;

/**
 * The limiter every TikTok client of this process shares by default (TikTok counts per developer app, not
 * per client object). `configureProcessLimiter` changes its limits.
 */
export function processLimiter(): RateLimiter {
  shared ??= new RateLimiter();
  return shared;
}

/** Sets the process-wide limits (e.g. from Settings: the developer app's TikTok tier). */
export function configureProcessLimiter(limits: { qps?: number; qpm?: number }): RateLimiter {
  const l = processLimiter();
  l.configure(limits);
  return l;
}
