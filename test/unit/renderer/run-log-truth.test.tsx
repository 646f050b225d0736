// @vitest-environment jsdom
/**
 * The app's run lists say what happened (review s7 2e): a cut-short run shows the people it sent, not "—"; a running
 * run says it is running; a full replace reads as a replace; a call whose answer never came counts.
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { undoSummary } from '../../../renderer/src/features/audiences/audience-menu';
import { runSummary } from '../../../renderer/src/features/sync-log/run-words';
import { SyncLogScreen } from '../../../renderer/src/features/sync-log/sync-log-screen';
import type { RunSent, UndoPreviewView } from '../../../shared/ipc/dto';
import { detail, run } from './fake-bridge';
import { useFakeEngine } from './setup';

const sent = (over: Partial<RunSent> = {}): RunSent => ({ calls: 1, unanswered: 0, appended: 0, removed: 0, replaced: null, replace: false, ...over });

describe('the sync log says what each run did', () => {
  it('a cut-short, running, replacing or unanswered run in words', () => {
    expect(runSummary(run({ status: 'deferred', adds: 200, removes: 120, callsUsed: 1, sent: sent({ appended: 80 }) }))).toBe('Added 80 people in 1 call (it planned to add 200 people, remove 120 people); the rest waits');
    expect(runSummary(run({ status: 'running', adds: 0, removes: 0, callsUsed: 0, sent: sent({ calls: 0 }) }))).toBe('Syncing… nothing sent yet');
    expect(runSummary(run({ status: 'running', adds: 0, removes: 0, callsUsed: 1, sent: sent({ appended: 80 }) }))).toBe('Syncing… added 80 people so far (1 call)');
    expect(runSummary(run({ adds: 1800, callsUsed: 1, sent: sent({ replaced: 1800, replace: true }) }))).toBe('Replaced the whole audience: 1,800 people');
    expect(runSummary(run({ status: 'failed', adds: 1494, callsUsed: 0, sent: sent({ unanswered: 1 }) }))).toBe('Failed after 1 call of it sent (it planned to add 1,494 people); 1 call got no answer, so it may have changed the audience');
  });
});

describe('recent runs on the audience detail', () => {
  it('shows what a waiting run added so far, and a replace as one', async () => {
    useFakeEngine({
      'audiences:get': () =>
        detail({
          recentRuns: [
            run({ id: 2, status: 'deferred', adds: 200, removes: 120, callsUsed: 1, sent: sent({ appended: 80 }) }),
            run({ id: 1, status: 'done', adds: 1800, removes: 0, callsUsed: 2, sent: sent({ calls: 2, replaced: 1800, replace: true }) }),
          ],
        }),
      'audiences:list': () => [],
    });
    render(<AudienceDetail id={1} />);
    const waiting = await screen.findAllByTitle('+80 −0 sent of +200 −120 planned, 1 call');
    expect(waiting.map((c) => c.textContent)).toEqual(['80', '0']);
    const replaced = screen.getAllByTitle('replaced: 1,800 people');
    expect(replaced.map((c) => c.textContent)).toEqual(['replaced: 1,800', '—']);
    const row = replaced[0]!.closest('tr')!;
    expect(within(row).getByText('2')).toBeTruthy();
  });
});

describe('the undo dialog of a sync that took several runs', () => {
  it('says the undo takes back every run of it', () => {
    const at = new Date(2026, 10, 24, 13, 40);
    const p: UndoPreviewView = { audienceId: 1, runId: 5, runIds: [4, 5], runStartedAt: at.toISOString(), adds: 120, removes: 80, calls: 2, quotaLeft: 22, dailyBudget: 24, fitsToday: true, deferredUntil: null, pausesSchedule: true, warning: null, refused: false };
    expect(undoSummary(p, at)).toMatch(/^Undo the sync of .*1:40.* \(all 2 of its runs: it was cut short and finished later\): re-add 120, remove 80, uses 2 calls, pauses the schedule$/);
    expect(undoSummary({ ...p, runIds: [5] }, at)).not.toMatch(/runs/);
  });
});

describe('a running run in the sync log', () => {
  it('says it is running and what it sent so far, not "0 rows read · +0 −0 planned"', async () => {
    const going = run({ id: 3, status: 'running', finishedAt: null, durationMs: null, rowsRead: 0, valid: 0, rejected: 0, adds: 0, removes: 0, callsUsed: 1, sent: sent({ appended: 80 }) });
    useFakeEngine({ 'runs:list': () => [going], 'runs:get': () => ({ ...going, calls: [] }) });
    render(<SyncLogScreen />);
    const grid = await screen.findByRole('grid', { name: 'Runs' });
    const [, row] = within(grid).getAllByRole('row');
    expect(within(row!).getByText('Syncing… added 80 people so far (1 call)')).toBeTruthy();
    fireEvent.click(row!);
    expect(await screen.findByText('Running: +80 −0 sent so far, 1 call')).toBeTruthy();
    expect(screen.queryByText(/rows read/)).toBeNull();
  });
});
