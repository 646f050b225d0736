// @vitest-environment jsdom
/**
 * The audience row's "…" menu and the confirmations it opens (#11 S1.2, S1.4): keyboard use, the undo's numbers
 * from the engine's dry run (nothing is sent before "Undo the sync"), and the delete's words with and without
 * "Also delete at TikTok".
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { deleteText, undoSummary } from '../../../renderer/src/features/audiences/audience-menu';
import { useApp } from '../../../renderer/src/app/store';
import { AppError } from '../../../shared/errors';
import type { UndoPreviewView } from '../../../shared/ipc/dto';
import { audience, detail } from './fake-bridge';
import { useFakeEngine, clickWhenEnabled } from './setup';

function preview(over: Partial<UndoPreviewView> = {}): UndoPreviewView {
  return { audienceId: 1, runId: 5, runStartedAt: new Date(2026, 10, 24, 13, 40).toISOString(), runIds: [5], adds: 49_484, removes: 50_000, calls: 2, quotaLeft: 22, dailyBudget: 24, fitsToday: true, deferredUntil: null, pausesSchedule: true, warning: null, refused: false, ...over };
}

async function openMenu() {
  const grid = await screen.findByRole('grid', { name: 'Audiences' });
  const button = within(grid).getByRole('button', { name: 'More actions for Spring buyers' });
  return { grid, button };
}

describe('the audience row menu', () => {
  it('is a menu button: opens on Enter/ArrowDown with focus on the first item, arrows move, Escape closes and returns focus', async () => {
    useFakeEngine({ 'audiences:list': () => [audience()] });
    render(<AudiencesScreen />);
    const { grid, button } = await openMenu();
    expect(within(grid).queryByRole('button', { name: /Undo/ })).toBeNull();
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    const menu = screen.getByRole('menu', { name: 'More actions for Spring buyers' });
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const items = within(menu).getAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toEqual(['Undo last sync…', 'Pause schedule', 'Open in Ads Manager ↗', 'Delete…']);
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(items[0]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(items[1]!, { key: 'End' });
    expect(document.activeElement).toBe(items[3]);
    fireEvent.keyDown(items[3]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(items[0]!, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    fireEvent.keyDown(button, { key: 'ArrowDown' });
    expect(screen.getByRole('menu')).toBeTruthy();
  });

  it('leaves out what does not apply: no Ads Manager link before the audience exists at TikTok; Undo disabled before any sync', async () => {
    useFakeEngine({ 'audiences:list': () => [audience({ tiktokAudienceId: null, lastSync: null, paused: true })] });
    render(<AudiencesScreen />);
    fireEvent.click((await openMenu()).button);
    const menu = screen.getByRole('menu');
    expect(within(menu).getAllByRole('menuitem').map((i) => i.textContent)).toEqual(['Undo last sync…', 'Resume schedule', 'Delete…']);
    expect(within(menu).getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' }).getAttribute('aria-disabled')).toBe('true');
  });

  it('Undo asks first with the dry run\'s numbers, and sends the undo only when confirmed', async () => {
    const b = useFakeEngine({ 'audiences:list': () => [audience()], 'sync:undoPreview': () => preview(), 'sync:undo': () => ({ runId: 9 }) });
    render(<AudiencesScreen />);
    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' }));
    const dialog = screen.getByRole('dialog', { name: 'Undo the last sync of Spring buyers?' });
    expect(await within(dialog).findByText(/^Undo the sync of .*1:40.*: re-add 49,484, remove 50,000, uses 2 calls, pauses the schedule\.$/)).toBeTruthy();
    expect(b.callsTo('sync:undoPreview')).toEqual([{ audienceId: 1 }]);
    expect(b.callsTo('sync:undo')).toEqual([]);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(b.callsTo('sync:undo')).toEqual([]);

    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' }));
    // The confirm button is disabled until the dry run's numbers are shown: wait for them, then confirm.
    await screen.findByText(/^Undo the sync of .*: re-add 49,484/);
    const confirm = screen.getByRole('button', { name: 'Undo the sync' });
    expect((confirm as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 5_000 });
    expect(b.callsTo('sync:undo')).toEqual([{ audienceId: 1 }]);
  });

  it("says when today's calls do not cover the undo, and shows the engine's refusal instead of numbers", async () => {
    let refuse = false;
    useFakeEngine({
      'audiences:list': () => [audience()],
      'sync:undoPreview': () => {
        if (refuse) throw new AppError('INVALID_ARGUMENT', 'There is no sync to undo for this audience: its last change was already undone, or it was never synced.');
        return preview({ calls: 3, quotaLeft: 1, fitsToday: false, deferredUntil: '2026-11-25T00:00:00Z' });
      },
    });
    render(<AudiencesScreen />);
    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' }));
    expect(await screen.findByText(/^1 of today's 24 calls are left, so the rest waits until /)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    refuse = true;
    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' }));
    expect(await screen.findByText(/There is no sync to undo for this audience/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Undo the sync' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("a refused undo keeps the dialog open with the engine's words", async () => {
    useFakeEngine({
      'audiences:list': () => [audience()],
      'sync:undoPreview': () => preview(),
      'sync:undo': () => {
        throw new AppError('SYNC_RUNNING', 'A sync of this audience is already running. Wait for it to finish, or cancel it first.');
      },
    });
    render(<AudiencesScreen />);
    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' }));
    await clickWhenEnabled('Undo the sync');
    const dialog = screen.getByRole('dialog', { name: 'Undo the last sync of Spring buyers?' });
    expect(await within(dialog).findByText(/A sync of this audience is already running/)).toBeTruthy();
  });

  it('Delete… says what happens; the TikTok box changes the words and the call', async () => {
    let list = [audience()];
    const b = useFakeEngine({
      'audiences:list': () => list,
      'audiences:delete': () => {
        list = [];
        return { deletedAtTiktok: true };
      },
    });
    render(<AudiencesScreen />);
    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Delete Spring buyers…' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Spring buyers?' });
    expect(within(dialog).getByText(deleteText('Spring buyers', false))).toBeTruthy();
    expect(deleteText('Spring buyers', false)).toBe('Delete “Spring buyers” from Cohort Relay: its schedule, sync history and the local record of who is in it are removed. The audience stays in TikTok Ads Manager.');
    // An audience without a schedule: none is mentioned.
    expect(deleteText('Spring buyers', false, false)).toBe('Delete “Spring buyers” from Cohort Relay: its sync history and the local record of who is in it are removed. The audience stays in TikTok Ads Manager.');
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Also delete at TikTok' }));
    expect(within(dialog).getByText('Delete “Spring buyers” from Cohort Relay: its schedule, sync history and the local record of who is in it are removed. It is also deleted at TikTok: ad groups using it stop targeting it. This cannot be undone.')).toBeTruthy();
    // A click inside the dialog is not a click on the row (which opens the audience).
    fireEvent.click(within(dialog).getByText(/This cannot be undone/));
    expect(useApp.getState().route).not.toEqual({ name: 'audience', id: 1 });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete here and at TikTok' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 5_000 });
    expect(b.callsTo('audiences:delete')).toEqual([{ id: 1, atTiktok: true }]);
    expect(await screen.findByText('No audiences yet')).toBeTruthy();
  });

  it('Delete… of an audience without a schedule does not mention one', async () => {
    useFakeEngine({ 'audiences:list': () => [audience({ cadence: { kind: 'manual' } })] });
    render(<AudiencesScreen />);
    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Delete Spring buyers…' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Spring buyers?' });
    expect(within(dialog).getByText('Delete “Spring buyers” from Cohort Relay: its sync history and the local record of who is in it are removed. The audience stays in TikTok Ads Manager.')).toBeTruthy();
  });

  it("a refused delete (a sync started) keeps the dialog open with the engine's words", async () => {
    useFakeEngine({
      'audiences:list': () => [audience()],
      'audiences:delete': () => {
        throw new AppError('SYNC_RUNNING', '"Spring buyers" is syncing right now, so it cannot be deleted. Cancel the sync (or wait for it to finish), then delete the audience.');
      },
    });
    render(<AudiencesScreen />);
    fireEvent.click((await openMenu()).button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Delete Spring buyers…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete from Cohort Relay' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Spring buyers?' });
    expect(await within(dialog).findByText(/is syncing right now, so it cannot be deleted/)).toBeTruthy();
  });

  it('the detail screen asks too, and returns to the list after a delete', async () => {
    const b = useFakeEngine({ 'audiences:get': () => detail(), 'audiences:list': () => [], 'audiences:delete': () => ({ deletedAtTiktok: false }) });
    render(<AudienceDetail id={1} />);
    await clickWhenEnabled('Delete Spring buyers…');
    fireEvent.click(screen.getByRole('button', { name: 'Delete from Cohort Relay' }));
    await waitFor(() => expect(useApp.getState().route).toEqual({ name: 'audiences' }));
    expect(b.callsTo('audiences:delete')).toEqual([{ id: 1, atTiktok: false }]);
  });

  it('undoSummary: the words of the brief', () => {
    const p = preview();
    expect(undoSummary(p, new Date(p.runStartedAt))).toMatch(/^Undo the sync of .*1:40.*: re-add 49,484, remove 50,000, uses 2 calls, pauses the schedule$/);
    expect(undoSummary(preview({ calls: 1, pausesSchedule: false }), new Date(p.runStartedAt))).toMatch(/uses 1 call$/);
  });

  it('undoSummary: an undo the 1,000 floor refuses says so instead of "uses 0 calls"', () => {
    const p = preview({ refused: true, adds: 0, removes: 3000, calls: 0 });
    const text = undoSummary(p, new Date(p.runStartedAt));
    expect(text).toMatch(/would be refused: re-adding 0 and removing 3,000 would leave the audience under TikTok's 1,000 floor, so nothing would be sent$/);
    expect(text).not.toMatch(/uses 0 calls/);
  });
});

describe('Sync now on an audience whose uploaded copy is gone', () => {
  it('is disabled and says why (the engine cleared the source after a restart)', async () => {
    const message = 'No source file: pick the cohort file again. This audience read an uploaded copy of march buyers.csv, and the browser version removes an uploaded copy once the sync that read it ends or its page closes.';
    useFakeEngine({ 'audiences:list': () => [audience({ sourcePath: null, stateMessage: message })] });
    render(<AudiencesScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audiences' });
    const sync = within(grid).getByRole('button', { name: 'Sync Spring buyers now' });
    expect((sync as HTMLButtonElement).disabled).toBe(true);
    expect(sync.getAttribute('title')).toBe(message);
  });
});
