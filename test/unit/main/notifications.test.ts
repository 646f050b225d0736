import { describe, expect, it } from 'vitest';
import { notificationFor } from '../../../electron/main/notifications';
import type { PushEvent } from '../../../shared/ipc/contract';

const finished = (over: Partial<Extract<PushEvent, { event: 'run:finished' }>['payload']>): PushEvent => ({
  event: 'run:finished',
  payload: { runId: 1, audienceId: 2, status: 'done', trigger: 'schedule', error: null, ...over },
});

describe('notificationFor', () => {
  it('announces a finished or failed background sync with the audience name and the error words', () => {
    expect(notificationFor(finished({}), { enabled: true, audienceName: 'Spring buyers' })).toEqual({ title: 'Sync finished', body: '“Spring buyers” is up to date at TikTok.' });
    const failed = finished({ status: 'failed', trigger: 'catch-up', error: { code: 'AUTH_EXPIRED', message: 'TikTok no longer accepts this connection.', retryable: false } });
    expect(notificationFor(failed, { enabled: true, audienceName: 'Spring buyers' })).toEqual({ title: 'Sync failed', body: '“Spring buyers”: TikTok no longer accepts this connection.' });
  });

  it('stays quiet for syncs the user started, deferred runs, progress, and when switched off', () => {
    expect(notificationFor(finished({ trigger: 'manual' }), { enabled: true })).toBeNull();
    expect(notificationFor(finished({ status: 'deferred' }), { enabled: true })).toBeNull();
    expect(notificationFor({ event: 'run:progress', payload: { runId: 1, audienceId: 2, phase: 'hashing', rows: 5, percent: 1 } }, { enabled: true })).toBeNull();
    expect(notificationFor(finished({}), { enabled: false })).toBeNull();
  });

  it('asks the user about a background sync held for its removals, once per held change, with the numbers', () => {
    const error = { code: 'REMOVALS_HELD' as const, message: "This sync would remove 646,771 of 1,000,000 people (65 %), more than this audience's 20 % limit, so it was held: nothing was sent and no call was spent.", retryable: false };
    expect(notificationFor(finished({ status: 'held', heldAgain: false, error }), { enabled: true, audienceName: 'Spring buyers' })).toEqual({
      title: 'Sync held: needs you',
      body: `“Spring buyers”: ${error.message} Open Cohort Relay to sync anyway (once) or keep the audience as is.`,
    });
    expect(notificationFor(finished({ status: 'held', heldAgain: true, error }), { enabled: true })).toBeNull();
    expect(notificationFor(finished({ status: 'held', trigger: 'manual', error }), { enabled: true })).toBeNull();
    expect(notificationFor(finished({ status: 'held', error }), { enabled: false })).toBeNull();
  });

  it('asks the user about a background sync held because TikTok shows changes Cohort Relay did not send, in those words', () => {
    const error = { code: 'MEMBERSHIP_UNKNOWN' as const, message: 'TikTok shows 3 changes to who is in this audience that Cohort Relay did not send …', retryable: false };
    expect(notificationFor(finished({ status: 'held', heldAgain: false, error }), { enabled: true, audienceName: 'Spring buyers' })).toEqual({
      title: 'Sync held: needs you',
      body: '“Spring buyers”: TikTok shows changes to this audience that Cohort Relay did not send, so the sync was held and nothing was sent. Open Cohort Relay to replace its membership with the file, or keep syncing changes only.',
    });
    expect(notificationFor(finished({ status: 'held', heldAgain: true, error }), { enabled: true })).toBeNull();
  });

  it('asks the user to re-connect', () => {
    const e: PushEvent = { event: 'connection:needsReconnect', payload: { connectionId: 'c1', message: 'The TikTok token was revoked.' } };
    expect(notificationFor(e, { enabled: true })).toEqual({ title: 'Re-connect TikTok', body: 'The TikTok token was revoked. Open Cohort Relay to re-connect.' });
  });
});
