/**
 * The one send policy (send-policy.ts) on an injected clock: every wait and deferral is computed from the engine's
 * `now`, never the machine's, for the customer-file and partner calls alike.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { Deferral } from '../../../../electron/core/sync/deferral';
import { decideSend, LONG_WAIT_MS, sendUnderPolicy, SplitBatch } from '../../../../electron/core/sync/send-policy';
import { RemoteCallError } from '../../../../electron/core/sync/tiktok-audience-api';
import { TikTokApiError } from '../../../../electron/core/tiktok/errors';

const refusal = (tiktokCode: number, tiktokMessage = '') => new RemoteCallError(new TikTokApiError({ kind: 'api', endpoint: 'dmp/custom_audience/update/', tiktokCode, tiktokMessage }));
const at = (iso: string) => new Date(iso);
const decide = (failure: RemoteCallError, now: Date, attempt = 1, maxAttempts = 6, processingWaitMs?: number) => decideSend({ failure, attempt, maxAttempts, now, processingWaitMs });

describe('decideSend', () => {
  it('waits out a per-second rate limit to the next second of the injected clock', () => {
    const early = decide(refusal(40100, 'Too many requests'), at('2030-05-01T10:00:00.300Z'));
    const late = decide(refusal(40100, 'Too many requests'), at('2030-05-01T10:00:00.900Z'));
    expect(early.kind === 'resend' && early.ms).toBeGreaterThanOrEqual(700);
    expect(early.kind === 'resend' && early.ms).toBeLessThanOrEqual(800);
    expect(late.kind === 'resend' && late.ms).toBeGreaterThanOrEqual(100);
    expect(late.kind === 'resend' && late.ms).toBeLessThanOrEqual(200);
  });

  it('ends the run as deferred for a per-minute limit, a wait longer than a run holds open', () => {
    const now = at('2030-05-01T10:00:00Z');
    const v = decide(refusal(40100, 'QPM limit reached'), now);
    expect(v.kind).toBe('defer');
    if (v.kind !== 'defer') return;
    expect(v.deferral.until.getTime() - now.getTime()).toBeGreaterThan(LONG_WAIT_MS);
    expect(v.deferral.code).toBe('RATE_LIMITED');
  });

  it("defers a used-up audience day to TikTok's next UTC day, or a few minutes when this computer's day has just begun", () => {
    const midday = decide(refusal(40100, 'The audience reached its daily frequency limit'), at('2030-05-01T10:00:00Z'));
    expect(midday.kind === 'defer' && midday.deferral.until.toISOString()).toBe('2030-05-02T00:00:00.000Z');
    const justAfterMidnight = decide(refusal(40100, 'The audience reached its daily frequency limit'), at('2030-05-01T00:03:00Z'));
    expect(justAfterMidnight.kind === 'defer' && justAfterMidnight.deferral.until.toISOString()).toBe('2030-05-01T00:08:00.000Z');
  });

  it('defers an audience TikTok is processing by the configured wait, even on the last attempt', () => {
    const now = at('2030-05-01T10:00:00Z');
    const v = decide(refusal(40002, 'Audience is not editable, please check audience status'), now, 6, 6, 90_000);
    expect(v).toMatchObject({ kind: 'defer', processing: true });
    expect(v.kind === 'defer' && v.deferral.until.getTime() - now.getTime()).toBe(90_000);
  });

  it('asks for a re-upload of an expired file, a split of a too-large batch, and gives up on a revoked token', () => {
    const now = at('2030-05-01T10:00:00Z');
    expect(decide(refusal(40910), now)).toEqual({ kind: 'reupload' });
    expect(decide(refusal(40061), now)).toEqual({ kind: 'split' });
    const revoked = decide(refusal(40105), now);
    expect(revoked.kind === 'fail' && revoked.error.code).toBe('AUTH_EXPIRED');
    expect(revoked.kind === 'fail' && revoked.error.retryable).toBe(false);
  });

  it('fails a transient fault after the last attempt, as retryable', () => {
    const v = decide(refusal(50000), at('2030-05-01T10:00:00Z'), 3, 3);
    expect(v.kind).toBe('fail');
    expect(v.kind === 'fail' && v.error.retryable).toBe(true);
  });
});

describe('sendUnderPolicy', () => {
  const clock = (sleeps: number[] = []) => ({
    now: () => at('2030-05-01T10:00:00.500Z'),
    sleep: async (ms: number) => void sleeps.push(ms),
    signal: new AbortController().signal,
    maxAttempts: 4,
  });

  it('resends a transient fault after the injected sleep, and uploads again when TikTok lost the file', async () => {
    const sleeps: number[] = [];
    const answers = [refusal(50000), refusal(40910)];
    let reuploads = 0;
    const r = await sendUnderPolicy(clock(sleeps), async (attempt) => {
      const next = answers.shift();
      if (next) throw next;
      return attempt;
    }, { reupload: async () => void reuploads++ });
    expect(r).toBe(3);
    expect(sleeps).toHaveLength(1);
    expect(reuploads).toBe(1);
  });

  it('lets the caller check the audience before a processing deferral ends the run', async () => {
    const seen: string[] = [];
    const run = sendUnderPolicy(clock(), async () => {
      throw refusal(40002, 'Audience is not editable, please check audience status');
    }, { beforeProcessingDeferral: async (f) => void seen.push(f.code) });
    await expect(run).rejects.toBeInstanceOf(Deferral);
    expect(seen).toEqual(['AUDIENCE_PROCESSING']);
  });

  it('throws SplitBatch only for a call that can be split; other errors pass through as they are', async () => {
    const tooBig = async () => {
      throw refusal(40061);
    };
    await expect(sendUnderPolicy(clock(), tooBig, { canSplit: true })).rejects.toBeInstanceOf(SplitBatch);
    const notSplittable = sendUnderPolicy(clock(), tooBig);
    await expect(notSplittable).rejects.toBeInstanceOf(AppError);
    await expect(notSplittable).rejects.not.toBeInstanceOf(SplitBatch);
    const bug = new Error('not a TikTok failure');
    await expect(sendUnderPolicy(clock(), async () => { throw bug; })).rejects.toBe(bug);
  });
});
