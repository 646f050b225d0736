import { describe, expect, it } from 'vitest';
import { environmentOf, keyOfCalculateType, rejectSamples, runError, runView, tiktokTimeToIso } from '../../../../electron/core/engine/views';
import type { RunRecord } from '../../../../electron/core/store/runs-repo';
import { TIKTOK_API_BASES } from '../../../../electron/core/tiktok/client';

const run: RunRecord = {
  id: 7, audienceId: 3, trigger: 'manual', status: 'done', dryRun: false,
  startedAt: '2026-11-24T10:00:00.000Z', finishedAt: '2026-11-24T10:00:02.500Z', sourcePath: '/c.csv',
  rowsRead: 10, valid: 9, rejected: 1, duplicates: 0, adds: 9, removes: 0, callsUsed: 1,
  rejectReasons: { EMPTY: 1 }, deferredUntil: null, errorCode: null, errorMessage: null,
  sent: { calls: 1, unanswered: 0, appended: 0, removed: 0, replaced: 9, replace: false },
};

describe('engine views', () => {
  it('tells the environment of a connection from its kind and API base', () => {
    expect(environmentOf({ kind: 'sandbox', apiBase: 'http://127.0.0.1:1' })).toBe('offline-sandbox');
    expect(environmentOf({ kind: 'token', apiBase: 'http://127.0.0.1:8123' })).toBe('offline-sandbox');
    expect(environmentOf({ kind: 'oauth', apiBase: TIKTOK_API_BASES.tiktokSandbox })).toBe('tiktok-sandbox');
    expect(environmentOf({ kind: 'oauth', apiBase: TIKTOK_API_BASES.production })).toBe('production');
  });

  it("reads TikTok's GMT times as ISO and gives null for nothing readable", () => {
    expect(tiktokTimeToIso('2027-11-24 10:00:00')).toBe('2027-11-24T10:00:00.000Z');
    expect(tiktokTimeToIso('2027-11-24T10:00:00Z')).toBe('2027-11-24T10:00:00.000Z');
    expect(tiktokTimeToIso('')).toBeNull();
    expect(tiktokTimeToIso('soon')).toBeNull();
    expect(tiktokTimeToIso(null)).toBeNull();
  });

  it('shows a run with its duration, and an error only when one was recorded', () => {
    expect(runView(run, 'Buyers')).toMatchObject({ id: 7, audienceName: 'Buyers', durationMs: 2500, error: null, rejectReasons: { EMPTY: 1 } });
    expect(runView({ ...run, finishedAt: null, status: 'running' }, null).durationMs).toBeNull();
    expect(runError({ errorCode: 'AUTH_EXPIRED', errorMessage: 'Re-connect.' })).toEqual({ code: 'AUTH_EXPIRED', message: 'Re-connect.', retryable: false });
  });

  it('maps an error code it does not know to INTERNAL with generic words', () => {
    const e = runError({ errorCode: 'SOMETHING_NEW', errorMessage: null });
    expect(e?.code).toBe('INTERNAL');
    expect(e?.message).toMatch(/\S/);
  });

  it('maps calculate types back to keys', () => {
    expect(keyOfCalculateType('EMAIL_SHA256')).toBe('email');
    expect(keyOfCalculateType('GAID_SHA256')).toBe('gaid');
    expect(keyOfCalculateType('MULTIPLE_TYPES')).toBeNull();
    expect(keyOfCalculateType(null)).toBeNull();
  });

  it('samples rejects with their line and masked value only', () => {
    const rejects = Array.from({ length: 80 }, (_, i) => ({ row: i + 2, column: 'email', reason: 'INVALID_EMAIL' as const, masked: 'j***@' }));
    const sample = rejectSamples(rejects);
    expect(sample).toHaveLength(50);
    expect(sample[0]).toEqual({ line: 2, reason: 'INVALID_EMAIL', value: 'j***@' });
  });
});
