// @vitest-environment jsdom
/**
 * #11 item 12: at 1024 px the tables keep names, state and actions in view by collapsing columns (their facts move into
 * the row), and the sync log reads as actions ("Added 801 people", "Held: would remove 40 %"), titled by audience and time.
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fmtDateTime } from '../../../renderer/src/app/format';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import { SyncLogScreen } from '../../../renderer/src/features/sync-log/sync-log-screen';
import { callAction, runSummary } from '../../../renderer/src/features/sync-log/run-words';
import { audience, run } from './fake-bridge';
import { useFakeEngine } from './setup';

const HELD = 'This sync would remove 400 of 1,000 people (40 %), more than this audience\'s 20 % limit, so it was held: nothing was sent and no call was spent.';

describe('the sync log in actions', () => {
  it('says what each run did to the audience, not its numbers by column', () => {
    expect(runSummary(run({ adds: 801, removes: 12 }))).toBe('Added 801 people, removed 12 people');
    expect(runSummary(run({ adds: 0, removes: 12 }))).toBe('Removed 12 people');
    expect(runSummary(run({ adds: 1, removes: 0 }))).toBe('Added 1 person');
    expect(runSummary(run({ status: 'held', adds: 0, removes: 400, error: { code: 'REMOVALS_HELD', message: HELD, retryable: false } }))).toBe('Held: would remove 40 %');
    expect(runSummary(run({ dryRun: true, status: 'planned', adds: 1500, removes: 0 }))).toBe('Dry run: would add 1,500 people');
    expect(runSummary(run({ adds: 0, removes: 0 }))).toBe('Nothing to change: TikTok already had everyone');
    // A run's counts are its plan: cancelled or failed before its first call, it changed nothing; part-way, it says so.
    expect(runSummary(run({ status: 'cancelled', adds: 300, removes: 0, callsUsed: 0 }))).toBe('Cancelled before any change');
    expect(runSummary(run({ status: 'cancelled', adds: 300, removes: 0, callsUsed: 1 }))).toBe('Cancelled after 1 call of it sent (it planned to add 300 people)');
    expect(runSummary(run({ status: 'failed', adds: 400_000, removes: 0, callsUsed: 0 }))).toBe('Failed: nothing was changed');
    expect(runSummary(run({ status: 'deferred', adds: 10, removes: 2, callsUsed: 0 }))).toMatch(/^Nothing sent yet; the rest waits/);
    expect(callAction({ endpoint: 'dmp/custom_audience/file/upload/' })).toBe('Sent a file of hashed ids');
    expect(callAction({ endpoint: 'dmp/custom_audience/update/' })).toBe('Added or removed the sent people');
  });

  it('lists runs as actions with errors under them, and titles a run by its audience and time', async () => {
    useFakeEngine({
      'runs:list': () => [
        run({ id: 3, status: 'held', adds: 0, removes: 400, error: { code: 'REMOVALS_HELD', message: HELD, retryable: false } }),
        run({ id: 2, adds: 801, removes: 12 }),
      ],
      'runs:get': () => ({ ...run({ id: 2, adds: 801, removes: 12 }), calls: [{ id: 1, endpoint: 'dmp/custom_audience/file/upload/', method: 'POST', requestId: 'req-1', code: 0, httpStatus: 200, durationMs: 90, startedAt: '2026-11-24T06:00:01Z', detail: null }] }),
    });
    render(<SyncLogScreen />);
    const grid = await screen.findByRole('grid', { name: 'Runs' });
    expect(within(grid).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Started', 'Audience', 'Status', 'What happened', 'Trigger', 'Calls', 'Took']);
    const [, held, done] = within(grid).getAllByRole('row');
    expect(within(held!).getByText('Held: would remove 40 %')).toBeTruthy();
    expect(within(held!).getByText(/^Needs you: This sync would remove/)).toBeTruthy();
    expect(within(done!).getByText('Added 801 people, removed 12 people')).toBeTruthy();
    fireEvent.click(done!);
    expect(await screen.findByRole('heading', { name: `Spring buyers · ${fmtDateTime(run().startedAt)}` })).toBeTruthy();
    const calls = screen.getByRole('region', { name: 'API calls' });
    expect(within(calls).getByText('Sent a file of hashed ids')).toBeTruthy();
    expect(within(calls).getByText('OK')).toBeTruthy();
  });
});

describe('tables at 1024 px', () => {
  let restore: PropertyDescriptor | undefined;
  beforeEach(() => {
    restore = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth');
    // The grid's scroll box is 730 px wide, as in a 1024 px window beside the sidebar.
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: function (this: HTMLElement) { return this.classList.contains('grid-scroll') ? 730 : 0; } });
  });
  afterEach(() => {
    if (restore) Object.defineProperty(HTMLElement.prototype, 'clientWidth', restore);
  });

  it('the audiences table collapses local size, last sync and calls; the last sync moves under the name', async () => {
    useFakeEngine({ 'audiences:list': () => [audience()] });
    render(<AudiencesScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audiences' });
    expect(within(grid).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Audience', 'State', 'Matched', 'Actions']);
    const row = within(grid).getAllByRole('row')[1]!;
    expect(row.textContent).toMatch(/· last /);
    expect(within(row).getByRole('button', { name: 'Sync Spring buyers now' })).toBeTruthy();
    expect(within(row).getByRole('button', { name: 'More actions for Spring buyers' })).toBeTruthy();
  });

  it('the runs table keeps when, audience, state and what happened', async () => {
    useFakeEngine({ 'runs:list': () => [run()] });
    render(<SyncLogScreen />);
    const grid = await screen.findByRole('grid', { name: 'Runs' });
    expect(within(grid).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Started', 'Audience', 'Status', 'What happened']);
  });
});
