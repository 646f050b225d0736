import { describe, expect, it } from 'vitest';
import { notificationFor } from '../../../electron/main/notifications';

describe('notifications for another workspace’s runs (#14 §2)', () => {
  const base = { runId: 4, audienceId: 1, trigger: 'schedule' as const, error: null, workspace: { id: 'acme', name: 'Acme', audienceName: 'Nightly buyers' } };

  it('names the audience and its workspace from the event, not from the window’s audiences', () => {
    const n = notificationFor({ event: 'run:finished', payload: { ...base, status: 'done' } }, { enabled: true, audienceName: 'A window audience with id 1' });
    expect(n).toEqual({ title: 'Sync finished', body: '“Nightly buyers” in workspace “Acme” is up to date at TikTok.' });
    const failed = notificationFor({ event: 'run:finished', payload: { ...base, status: 'failed', error: { code: 'NETWORK', message: 'TikTok did not answer.', retryable: true } } }, { enabled: true });
    expect(failed?.body).toBe('“Nightly buyers” in workspace “Acme”: TikTok did not answer.');
  });

  it('says which workspace a refused connection belongs to', () => {
    const n = notificationFor({ event: 'connection:needsReconnect', payload: { connectionId: 'tt-1', message: 'TikTok no longer accepts this connection.', workspace: { id: 'acme', name: 'Acme' } } }, { enabled: true });
    expect(n).toEqual({ title: 'Re-connect TikTok', body: 'Workspace “Acme”: TikTok no longer accepts this connection. Open Cohort Relay, switch to “Acme” and re-connect.' });
  });

  it('stays quiet when notifications are off, and for a run the user started', () => {
    expect(notificationFor({ event: 'run:finished', payload: { ...base, status: 'done' } }, { enabled: false })).toBeNull();
    expect(notificationFor({ event: 'run:finished', payload: { ...base, trigger: 'manual', status: 'done' } }, { enabled: true })).toBeNull();
  });
});
