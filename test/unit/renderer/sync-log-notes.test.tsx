// @vitest-environment jsdom
/**
 * #11 item 7 in the sync log: a run that left its audience retrying, waiting for quota, cancelled after N added, partly
 * synced, waiting for 1,000 or blocked under 1,000 says so on its row and in its detail, in the audiences screen's words.
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SyncLogScreen } from '../../../renderer/src/features/sync-log/sync-log-screen';
import type { SyncNoteView } from '../../../shared/ipc/dto';
import { localTime } from '../../../shared/sync-note-text';
import { audience, run } from './fake-bridge';
import { useFakeEngine } from './setup';

const note = (over: Partial<SyncNoteView>): SyncNoteView => ({ kind: 'up_to_date', runId: null, added: 0, removed: 0, addsLeft: 0, removesLeft: 0, callsUsed: 0, until: null, size: null, ...over });

describe('the sync log shows where each run left its audience', () => {
  it('labels the run the audience note belongs to, and its detail has the full words', async () => {
    const until = new Date(Date.now() + 30 * 60_000).toISOString();
    const hhmm = localTime(until);
    useFakeEngine({
      'runs:list': () => [
        run({ id: 9, audienceId: 1, status: 'deferred', adds: 2500, deferredUntil: until }),
        run({ id: 8, audienceId: 2, audienceName: 'Lapsed', status: 'cancelled', adds: 4000 }),
        run({ id: 7, audienceId: 3, audienceName: 'Small', status: 'failed', adds: 0, error: { code: 'AUDIENCE_TOO_SMALL', message: 'TikTok refuses fewer than 1,000.', retryable: false } }),
        run({ id: 6, audienceId: 1, adds: 10 }),
      ],
      'audiences:list': () => [
        audience({ id: 1, syncNote: note({ kind: 'waiting_quota', runId: 9, addsLeft: 2500, until }) }),
        audience({ id: 2, name: 'Lapsed', syncNote: note({ kind: 'cancelled', runId: 8, added: 2000, addsLeft: 2000, callsUsed: 1 }) }),
        audience({ id: 3, name: 'Small', syncNote: note({ kind: 'floor_blocked', runId: 7, size: 900 }) }),
      ],
      'runs:get': () => ({ ...run({ id: 8, audienceId: 2, audienceName: 'Lapsed', status: 'cancelled', adds: 4000 }), calls: [] }),
    });
    render(<SyncLogScreen />);
    const grid = await screen.findByRole('grid', { name: 'Runs' });
    expect(await within(grid).findByText(`Waiting for quota until ${hhmm}`)).toBeTruthy();
    const [, quota, cancelled, blocked, older] = within(grid).getAllByRole('row');
    expect(within(quota!).getByText(`Waiting for quota until ${hhmm}`).getAttribute('title')).toBe(`Waiting for quota until ${hhmm}: nothing sent yet; still 2,500 to add (0 calls spent today).`);
    expect(within(cancelled!).getByText('Cancelled after 2,000 added')).toBeTruthy();
    // The row has two lines: the note takes the second, and its title keeps the error's words.
    expect(within(blocked!).getByText('Blocked at 900 (under 1,000)').getAttribute('title')).toMatch(/^Blocked under 1,000: .* TikTok refuses fewer than 1,000\.$/);
    expect(blocked!.querySelector('.error-text')).toBeNull();
    // An older run of the same audience is not where it stands now.
    expect(older!.querySelector('[data-note]')).toBeNull();
    fireEvent.click(cancelled!);
    const words = await screen.findByRole('status', { name: 'Where this sync left the audience' });
    expect(words.textContent).toBe('Cancelled after 2,000 added; 2,000 to add left for the next sync (1 call spent).');
  });
});
