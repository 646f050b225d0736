/**
 * The one send policy of the sync engine (issue #13 §3): what a failed call to TikTok leads to — resend after a
 * wait, upload the files again, split the batch, end the run as deferred (TikTok processing, a day's calls used, a
 * long rate-limit wait), or fail. The customer-file calls (uploads, create, APPEND/REMOVE/REPLACE) and the partner
 * calls (segment create and mapping) all go through `sendUnderPolicy`, on the engine's injected clock. How long to
 * wait comes from the client's single timing rule (errors.ts decideRetry, through RemoteFailure.delayFor).
 */
import { AppError } from '../../../shared/errors';
import { nextUtcDay } from '../store/quota-repo';
import { isRemoteFailure, type RemoteFailure } from './audience-api';
import { Deferral } from './deferral';

/** Waits longer than this end the run as deferred instead of holding it open; the scheduler resumes it. */
export const LONG_WAIT_MS = 2 * 60_000;
/** After TikTok refused a REPLACE (another unfinished), the next try; it plans APPEND/REMOVE when it can. */
export const REPLACE_REFUSED_RETRY_MS = 3_600_000;
/** A refusal for a used-up day in the first minutes of this computer's UTC day: TikTok's day may not have begun yet. */
const DAY_START_SKEW_MS = 15 * 60_000;
/** Then the next try, soon after TikTok's day has begun. */
const DAY_START_RETRY_MS = 5 * 60_000;

/** What the policy says to do after a failed call. */
export type SendVerdict =
  /** Send the same call again after `ms`. */
  | { kind: 'resend'; ms: number }
  /** TikTok refused the files (expired file_path, bad signature): upload them again, then resend. */
  | { kind: 'reupload' }
  /** The batch is too large for TikTok: send it in smaller parts. */
  | { kind: 'split' }
  /** End the run; the work resumes at `deferral.until`. `processing`: TikTok is still processing the audience. */
  | { kind: 'defer'; deferral: Deferral; processing: boolean }
  /** Give up: the run fails with this error. */
  | { kind: 'fail'; error: AppError };

export interface SendPolicyInput {
  failure: RemoteFailure;
  /** The attempt that just failed (1 = the first). */
  attempt: number;
  maxAttempts: number;
  now: Date;
  /** The wait before a call refused as "processing" is tried again (default: the client's re-check rule). */
  processingWaitMs?: number;
}

/** The policy itself: a pure function of the failure, the attempt and the time. */
export function decideSend(i: SendPolicyInput): SendVerdict {
  const { failure: f, attempt, now } = i;
  const at = (ms: number) => new Date(now.getTime() + ms);
  switch (f.action) {
    case 'split':
      return { kind: 'split' };
    case 'reauth':
    case 'give-up':
      return { kind: 'fail', error: new AppError(f.code, f.message) };
    case 'processing':
      // Another REPLACE is unfinished at TikTok (maybe sent by another tool): not a failure. The next run counts this
      // one in the 24-hour window, so it sends APPEND/REMOVE instead, or waits for the window.
      if (f.code === 'REPLACE_PENDING') return { kind: 'defer', processing: false, deferral: new Deferral(at(REPLACE_REFUSED_RETRY_MS), f.message, 'REPLACE_PENDING') };
      return { kind: 'defer', processing: true, deferral: new Deferral(at(i.processingWaitMs ?? f.delayFor(attempt, now.getTime())), f.message) };
    case 'reupload':
    case 'retry':
    case 'wait':
      break;
  }
  if (attempt >= i.maxAttempts) return { kind: 'fail', error: new AppError(f.code, f.message, { retryable: true }) };
  if (f.action === 'reupload') return { kind: 'reupload' };
  if (f.rateLimitScope === 'audience-day' || f.rateLimitScope === 'qpd') return { kind: 'defer', processing: false, deferral: dayLimitDeferral(f, now) };
  const ms = f.delayFor(attempt, now.getTime());
  if (ms > LONG_WAIT_MS) return { kind: 'defer', processing: false, deferral: new Deferral(at(ms), f.message, f.code) };
  return { kind: 'resend', ms };
}

/**
 * The wait after TikTok refused because a day's calls are used (the audience's, or the app's QPD). Our ledger
 * counted room, so either TikTok counts calls we do not (another tool), or its UTC day has not begun yet because this
 * computer's clock is ahead: early in our day the sync tries again a few minutes later, not a whole day later.
 */
function dayLimitDeferral(f: RemoteFailure, now: Date): Deferral {
  const sinceMidnight = now.getTime() - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (sinceMidnight < DAY_START_SKEW_MS) {
    const until = new Date(now.getTime() + DAY_START_RETRY_MS);
    return new Deferral(until, `TikTok says the day's calls are used, and its UTC day has not begun yet (this computer's clock is a little ahead of TikTok's). Nothing to do: the sync tries again at ${until.toISOString()}, after TikTok's day has begun.`, f.code);
  }
  return new Deferral(nextUtcDay(now), f.message, f.code);
}

/** The engine's clock and sleep: injected, so every wait and deferral is testable without waiting. */
export interface SendClock {
  now(): Date;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
  maxAttempts: number;
  processingWaitMs?: number;
}

export interface SendHooks {
  /** Upload the call's files again (a 'reupload' verdict). Without it, the call is simply resent. */
  reupload?(): Promise<void>;
  /** Before a 'processing' deferral ends the run (e.g. ask TikTok whether the audience is unavailable for good). */
  beforeProcessingDeferral?(f: RemoteFailure): Promise<void>;
  /** The batch may be split: a 'split' verdict is thrown as SplitBatch. Otherwise it fails the run. */
  canSplit?: boolean;
}

/** Thrown for a 'split' verdict of a call that can be split (a partner mapping batch). */
export class SplitBatch extends AppError {}

/**
 * Sends one call under the policy until it is acknowledged, the run is deferred, or it fails. `send` gets the attempt
 * number; what it throws that is not a TikTok failure ends the loop as is. A call that changes an audience is sent
 * with the client's retries off (retry 'none'): only this loop resends, because a resend costs quota.
 */
export async function sendUnderPolicy<T>(c: SendClock, send: (attempt: number) => Promise<T>, hooks: SendHooks = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (c.signal.aborted) throw new AppError('CANCELLED');
    try {
      return await send(attempt);
    } catch (err) {
      if (!isRemoteFailure(err)) throw err;
      const v = decideSend({ failure: err, attempt, maxAttempts: c.maxAttempts, now: c.now(), processingWaitMs: c.processingWaitMs });
      switch (v.kind) {
        case 'fail':
          throw v.error;
        case 'split':
          throw hooks.canSplit ? new SplitBatch(err.code, err.message) : new AppError(err.code, err.message);
        case 'defer':
          if (v.processing) await hooks.beforeProcessingDeferral?.(err);
          throw v.deferral;
        case 'reupload':
          if (hooks.reupload) await hooks.reupload();
          break;
        case 'resend':
          await c.sleep(v.ms, c.signal);
          break;
      }
    }
  }
}
