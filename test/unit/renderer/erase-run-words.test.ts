/** The sync log's words for an erasure request (#12.4): that a person was erased on request, never who. */
import { describe, expect, it } from 'vitest';
import { runSummary } from '../../../renderer/src/features/sync-log/run-words';
import { run } from './fake-bridge';

describe('sync log: an erasure request', () => {
  it('reads "1 person erased on request" when done, and says when a queued one goes', () => {
    expect(runSummary(run({ trigger: 'erase', status: 'done', adds: 0, removes: 1 }))).toBe('1 person erased on request');
    expect(runSummary(run({ trigger: 'erase', status: 'deferred', adds: 0, removes: 1, deferredUntil: '2026-12-02T00:00:00.000Z' }))).toMatch(/^Erase request queued until .+: today's calls are used$/);
    // Any other run reads as before.
    expect(runSummary(run({ trigger: 'manual', status: 'done', adds: 0, removes: 1 }))).toBe('Removed 1 person');
  });
});
