// @vitest-environment jsdom
/**
 * A held sync, as the screens show it and ask the user to decide: held by the audience's removal limit, or because
 * TikTok shows changes Cohort Relay did not send; and a held run in the sync log (it needs the user; not an error).
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { wireEvents } from '../../../renderer/src/app/engine-events';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import { RemovalHoldNotice, WizardHeldResult } from '../../../renderer/src/features/audiences/held-sync';
import { SyncLogScreen } from '../../../renderer/src/features/sync-log/sync-log-screen';
import { AppError } from '../../../shared/errors';
import type { HoldView } from '../../../shared/ipc/dto';
import { audience, connection, detail, plan, preview, run } from './fake-bridge';
import { useFakeEngine, clickWhenEnabled } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep } from './wizard-walk';

const MESSAGE = "This sync would remove 646,771 of 1,000,000 people (65 %), more than this audience's 20 % limit, so it was held: nothing was sent and no call was spent.";
function hold(over: Partial<HoldView> = {}): HoldView {
  return { runId: 7, reason: 'removals', state: 'held', heldAt: '2026-11-24T06:00:00Z', decidedAt: null, currentSize: 1_000_000, adds: 0, removes: 646_771, percent: 64.6771, limitPct: 20, rowsRead: 353_229, lastRowsRead: 1_000_000, foreignChanges: null, message: MESSAGE, ...over };
}

describe('a held sync on the audiences screen', () => {
  it('the row says it needs the user, with the numbers, and offers "Sync anyway (once)" and "Keep as is" instead of "Sync now"', async () => {
    let list = [audience({ hold: hold() }), audience({ id: 2, name: 'Lapsed' })];
    const b = useFakeEngine({
      'audiences:list': () => list,
      'sync:confirmRemovals': () => {
        list = [audience({ hold: hold({ state: 'confirmed' }), running: true }), list[1]!];
        return { runId: 8 };
      },
      'sync:keepAudience': () => audience({ hold: hold({ state: 'kept' }) }),
    });
    render(<AudiencesScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audiences' });
    const [, held, other] = within(grid).getAllByRole('row');
    const badge = within(held!).getByText('Held: needs you');
    expect(badge.closest('[title]')!.getAttribute('title')).toBe(MESSAGE);
    expect(within(held!).queryByRole('button', { name: 'Sync Spring buyers now' })).toBeNull();
    expect(within(other!).getByRole('button', { name: 'Sync Lapsed now' })).toBeTruthy();
    expect(within(other!).queryByText('Held: needs you')).toBeNull();
    // The row keeps to the decision and Pause; Undo and Ads Manager stay on the detail screen.
    expect(within(held!).queryByRole('button', { name: 'Undo the last sync of Spring buyers' })).toBeNull();
    expect(within(held!).getByRole('button', { name: 'Pause scheduled syncs of Spring buyers' })).toBeTruthy();

    fireEvent.click(within(held!).getByRole('button', { name: 'Keep Spring buyers as is: do not send this change' }));
    await screen.findByRole('grid', { name: 'Audiences' });
    expect(b.callsTo('sync:keepAudience')).toEqual([{ audienceId: 1, runId: 7 }]);

    fireEvent.click(within(held!).getByRole('button', { name: 'Sync Spring buyers anyway, once: remove 646,771 of 1,000,000 people' }));
    expect(await screen.findByRole('button', { name: 'Cancel the running sync of Spring buyers' })).toBeTruthy();
    expect(b.callsTo('sync:confirmRemovals')).toEqual([{ audienceId: 1, runId: 7 }]);
  });

  it("a decision the engine refuses (the file changed since) shows the engine's words", async () => {
    useFakeEngine({
      'audiences:list': () => [audience({ hold: hold() })],
      'sync:confirmRemovals': () => {
        throw new AppError('INVALID_ARGUMENT', 'The held sync of this audience changed since (a newer file was checked): nothing was confirmed. Look at the new numbers, then choose again.');
      },
    });
    render(<AudiencesScreen />);
    await clickWhenEnabled(/^Sync Spring buyers anyway, once/);
    expect((await screen.findByRole('alert')).textContent).toContain('The held sync of this audience changed since');
  });
});

describe('a held sync on the audience detail', () => {
  it('shows the numbers, when it was held, the limit, and both decisions; the sync log row says held', async () => {
    const b = useFakeEngine({
      'audiences:get': () => detail({ hold: hold(), recentRuns: [run({ id: 7, status: 'held', removes: 646_771, error: { code: 'REMOVALS_HELD', message: MESSAGE, retryable: false } })] }),
      'audiences:list': () => [],
      'sync:keepAudience': () => audience({ hold: hold({ state: 'kept' }) }),
    });
    render(<AudienceDetail id={1} />);
    const banner = await screen.findByRole('alert', { name: 'Held sync' });
    expect(banner.textContent).toContain('Sync held: it would remove more people than this audience allows');
    expect(banner.textContent).toContain(MESSAGE);
    expect(banner.textContent).toMatch(/limit 20 % of the audience per sync/);
    expect(screen.getByText('Held: needs you')).toBeTruthy();
    // The recent-runs table never shows the held plan as removed people: '—', the plan in its title.
    const removed = screen.getAllByTitle(/^\+1,500 −646,771 planned/);
    expect(removed.map((c) => c.textContent)).toEqual(['—', '—']);
    expect(screen.queryByText('646,771')).toBeNull();
    fireEvent.click(within(banner).getByRole('button', { name: 'Keep Spring buyers as is: do not send this change' }));
    await screen.findByRole('alert', { name: 'Held sync' });
    expect(b.callsTo('sync:keepAudience')).toEqual([{ audienceId: 1, runId: 7 }]);
  });

  it('kept as is: a quieter note, and only "Sync anyway (once)"', async () => {
    useFakeEngine({ 'audiences:get': () => detail({ hold: hold({ state: 'kept', message: `${MESSAGE} You chose to keep the audience as is for this file; a changed file is checked again.` }) }) });
    render(<AudienceDetail id={1} />);
    const note = await screen.findByRole('status', { name: 'Held sync' });
    expect(note.textContent).toContain('Kept as is: this file stays held');
    expect(within(note).getByRole('button', { name: /^Sync Spring buyers anyway, once/ })).toBeTruthy();
    expect(within(note).queryByRole('button', { name: /Keep Spring buyers as is/ })).toBeNull();
  });
});

describe('the safety net in the mapping screen', () => {
  it('shows the audience\'s limit, saves a new one, switches it off, and refuses a value out of range', async () => {
    let saved: number | null = 20;
    const b = useFakeEngine({
      'audiences:list': () => [audience({ removalLimitPct: saved })],
      'audiences:update': (req) => {
        saved = req.removalLimitPct === undefined ? saved : req.removalLimitPct;
        return audience({ removalLimitPct: saved });
      },
    });
    render(<MappingScreen id={1} />);
    const form = await screen.findByRole('form', { name: 'Safety net' });
    const box = within(form).getByRole('checkbox', { name: /Hold a sync that would remove more than a share/ }) as HTMLInputElement;
    const input = within(form).getByLabelText('Largest share one sync may remove (%)') as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(input.value).toBe('20');
    expect((within(form).getByRole('button', { name: 'Save safety net' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(input, { target: { value: '150' } });
    expect(within(form).getByText('Give a whole number from 0 to 100.')).toBeTruthy();
    expect((within(form).getByRole('button', { name: 'Save safety net' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(input, { target: { value: '35' } });
    expect(form.textContent).toMatch(/more than 35 % of the people in this audience sends nothing until you choose/);
    fireEvent.click(within(form).getByRole('button', { name: 'Save safety net' }));
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, removalLimitPct: 35 }]);

    const again = await screen.findByRole('form', { name: 'Safety net' });
    fireEvent.click(within(again).getByRole('checkbox'));
    expect(again.textContent).toMatch(/Off: syncs are never held/);
    fireEvent.click(within(again).getByRole('button', { name: 'Save safety net' }));
    await screen.findByText('Saved.');
    expect(b.callsTo('audiences:update').at(-1)).toEqual({ id: 1, removalLimitPct: null });
  });
});

describe('a held sync in the import wizard', () => {
  it('the dry run says it will be held; the result offers the decision and "Sync anyway (once)" follows the new run', async () => {
    let list = [audience({ id: 4 })];
    const removalHold = { reason: 'removals' as const, removes: 646_771, currentSize: 1_000_000, percent: 64.68, limitPct: 20, confirmed: false, message: MESSAGE.replace('so it was held: nothing was sent and no call was spent.', 'so it will be held until you confirm it: nothing is sent until then.') };
    const b = useFakeEngine({
      'connections:list': () => [connection()],
      'audiences:list': () => list,
      'import:preview': () => preview(),
      'import:hashLab': () => ({ rows: [], selfTest: [] }),
      'import:validate': () => ({ rowsRead: 10, valid: 10, rejected: 0, duplicates: 0, byReason: {}, rejectsSample: [] }),
      'audiences:create': () => audience({ id: 4 }),
      'sync:plan': () => plan({ audienceId: 4, adds: 0, removes: 646_771, currentSize: 1_000_000, projectedSize: 353_229, removalHold }),
      'sync:run': () => ({ runId: 9 }),
      'sync:confirmRemovals': () => ({ runId: 10 }),
    });
    const off = wireEvents(b);
    await openInWizard();
    await toDestinationStep();
    await nameNewAudience('Spring buyers');
    fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));

    const notice = await screen.findByRole('status', { name: 'Removal limit' });
    expect(notice.textContent).toContain('This sync will be held for your confirmation');
    expect(notice.textContent).toContain('so it will be held until you confirm it');
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    await screen.findByRole('button', { name: 'Cancel sync' });
    list = [audience({ id: 4, hold: hold({ runId: 9 }) })];
    b.emit('run:finished', { runId: 9, audienceId: 4, status: 'held', trigger: 'manual', error: { code: 'REMOVALS_HELD', message: MESSAGE, retryable: false }, heldAgain: false });
    expect(await screen.findByRole('heading', { name: /Sync held/ })).toBeTruthy();
    const held = await screen.findByRole('alert', { name: 'Held sync' });
    expect(held.textContent).toContain(MESSAGE);
    await within(held).findByRole('button', { name: 'Keep audience as is' });

    fireEvent.click(within(held).getByRole('button', { name: 'Sync anyway (once)' }));
    await screen.findByRole('button', { name: 'Cancel sync' });
    expect(b.callsTo('sync:confirmRemovals')).toEqual([{ audienceId: 4, runId: 9 }]);
    b.emit('run:finished', { runId: 10, audienceId: 4, status: 'done', trigger: 'manual', error: null });
    expect(await screen.findByRole('heading', { name: /Sync finished/ })).toBeTruthy();
    off();
  });
});

const FOREIGN =
  'TikTok shows 3 changes to who is in this audience that Cohort Relay did not send (another tool, or this computer lost recent records), so who is in it is not known here. To make it match the file exactly, its whole membership can be replaced with the file (one full replace, 1 call: +120 −40 against the 1,500 people this computer last knew it held; against what TikTok holds now, unknown). The sync was held: nothing was sent and no call was spent. Choose "Replace with the file", or "Keep syncing changes only" to accept TikTok\'s changes and send only what changes in the file.';
function foreignHold(over: Partial<HoldView> = {}): HoldView {
  return hold({ reason: 'membership', foreignChanges: 3, currentSize: 1500, adds: 120, removes: 40, percent: 2.67, rowsRead: 1580, lastRowsRead: 1500, message: FOREIGN, ...over });
}

describe('a sync held because TikTok shows changes Cohort Relay did not send', () => {
  it('the detail says so with the count and the numbers, and offers "Replace with the file" and "Keep syncing changes only"', async () => {
    let current = foreignHold();
    const b = useFakeEngine({
      'audiences:get': () => detail({ hold: current }),
      'audiences:list': () => [],
      'sync:keepAudience': () => {
        current = null as unknown as HoldView;
        return audience({ hold: null });
      },
      'sync:confirmRemovals': () => ({ runId: 8 }),
    });
    render(<AudienceDetail id={1} />);
    const banner = await screen.findByRole('alert', { name: 'Held sync' });
    expect(banner.textContent).toContain('Sync held: TikTok shows changes Cohort Relay did not send');
    expect(banner.textContent).toContain(FOREIGN);
    expect(banner.textContent).toMatch(/3 changes at TikTok that Cohort Relay did not send/);
    expect(banner.textContent).not.toMatch(/limit 20 %|Sync anyway|would remove more people/);
    fireEvent.click(within(banner).getByRole('button', { name: 'Replace the whole membership of Spring buyers with the file: +120 −40 against what this computer last knew' }));
    await screen.findByRole('alert', { name: 'Held sync' });
    expect(b.callsTo('sync:confirmRemovals')).toEqual([{ audienceId: 1, runId: 7 }]);

    fireEvent.click(within(await screen.findByRole('alert', { name: 'Held sync' })).getByRole('button', { name: "Keep syncing only changes to Spring buyers: accept the changes TikTok shows" }));
    expect(b.callsTo('sync:keepAudience')).toEqual([{ audienceId: 1, runId: 7 }]);
    await waitFor(() => expect(screen.queryByRole('alert', { name: 'Held sync' })).toBeNull());
  });

  it('a confirmed replace is a quieter note with the numbers and no buttons; the row offers the choice in short words', async () => {
    useFakeEngine({ 'audiences:get': () => detail({ hold: foreignHold({ state: 'confirmed' }) }), 'audiences:list': () => [audience({ hold: foreignHold() })] });
    render(<AudienceDetail id={1} />);
    const note = await screen.findByRole('status', { name: 'Held sync' });
    expect(note.textContent).toContain('Full replace confirmed');
    expect(note.textContent).toContain('The next sync replaces the whole membership with the file, as you chose: +120 −40 against the 1,500 people this computer last knew it held.');
    expect(within(note).queryAllByRole('button')).toHaveLength(0);
    cleanup();

    render(<AudiencesScreen />);
    const [, row] = within(await screen.findByRole('grid', { name: 'Audiences' })).getAllByRole('row');
    expect(within(row!).getByText('Held: needs you').closest('[title]')!.getAttribute('title')).toBe(FOREIGN);
    expect(within(row!).getByRole('button', { name: /^Replace the whole membership of Spring buyers/ }).textContent).toBe('Replace with the file');
    expect(within(row!).getByRole('button', { name: /^Keep syncing only changes to Spring buyers/ }).textContent).toBe('Keep changes only');
    expect(within(row!).queryByRole('button', { name: /anyway/ })).toBeNull();
  });

  it('the dry run says the sync will be held for the user\'s choice', () => {
    render(<RemovalHoldNotice hold={{ reason: 'membership', removes: 40, currentSize: 1500, percent: 2.67, limitPct: 20, confirmed: false, message: 'TikTok shows 3 changes … This sync will be held until you choose: nothing is sent until then.' }} />);
    const notice = screen.getByRole('status', { name: 'Changes made elsewhere' });
    expect(notice.textContent).toContain('This sync will be held for your choice');
    expect(notice.textContent).toContain('then choose "Replace with the file" or "Keep syncing changes only"');
  });
});

describe('the wizard\'s result when TikTok shows changes Cohort Relay did not send', () => {
  it('offers the same two choices; keeping says what happens next', async () => {
    let list = [audience({ id: 4, hold: foreignHold({ runId: 9 }) })];
    const b = useFakeEngine({
      'audiences:list': () => list,
      'sync:keepAudience': () => {
        list = [audience({ id: 4, hold: null })];
        return list[0]!;
      },
    });
    await useApp.getState().loadAudiences();
    render(<WizardHeldResult result={{ runId: 9, audienceId: 4, status: 'held', trigger: 'manual', error: { code: 'MEMBERSHIP_UNKNOWN', message: FOREIGN, retryable: false }, heldAgain: false }} />);
    const held = screen.getByRole('alert', { name: 'Held sync' });
    expect(held.textContent).toContain(FOREIGN);
    expect(within(held).getByRole('button', { name: 'Replace with the file' })).toBeTruthy();
    fireEvent.click(within(held).getByRole('button', { name: 'Keep syncing changes only' }));
    expect((await screen.findByRole('status')).textContent).toContain('You kept syncing changes only');
    expect(b.callsTo('sync:keepAudience')).toEqual([{ audienceId: 4, runId: 9 }]);
    expect(screen.queryByRole('button', { name: 'Replace with the file' })).toBeNull();
  });
});

describe('a held run in the sync log', () => {
  it('is shown as needing the user, in the warning style with the numbers, not as an error; its page is one click away', async () => {
    useFakeEngine({
      'runs:list': () => [
        run({ id: 9, status: 'held', adds: 120, removes: 40, callsUsed: 0, error: { code: 'MEMBERSHIP_UNKNOWN', message: FOREIGN, retryable: false } }),
        run({ id: 8, status: 'failed', error: { code: 'AUTH_EXPIRED', message: 'TikTok no longer accepts this connection. Re-connect it.', retryable: false } }),
      ],
      'runs:get': () => ({ ...run({ id: 9, status: 'held', adds: 120, removes: 40, callsUsed: 0, error: { code: 'MEMBERSHIP_UNKNOWN', message: FOREIGN, retryable: false } }), calls: [] }),
    });
    render(<SyncLogScreen />);
    const grid = await screen.findByRole('grid', { name: 'Runs' });
    const [, held, failed] = within(grid).getAllByRole('row');
    const heldWords = within(held!).getByText(/^Needs you: TikTok shows 3 changes/);
    expect(heldWords.className).toBe('warn');
    expect(within(failed!).getByText('TikTok no longer accepts this connection. Re-connect it.').className).toBe('error-text');

    fireEvent.click(held!);
    const notice = await screen.findByRole('status', { name: 'Held run' });
    expect(notice.className).toContain('banner-warn');
    expect(notice.textContent).toContain('Held: TikTok shows changes Cohort Relay did not send — needs you');
    expect(notice.textContent).toContain(FOREIGN);
    expect(notice.textContent).toContain('+120 to add, −40 to remove: nothing was sent and no call was spent.');
    expect(notice.textContent).toContain('"Replace with the file" or "Keep syncing changes only"');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.querySelector('.banner-error')).toBeNull();
    expect(screen.getByText(/\+120 −40 planned, nothing sent · 0 calls/)).toBeTruthy();

    fireEvent.click(within(notice).getByRole('button', { name: 'Open Spring buyers to decide about the held sync' }));
    expect(useApp.getState().route).toEqual({ name: 'audience', id: 1 });
  });

  it('a run held by the removal limit says that, with its own choices', async () => {
    useFakeEngine({
      'runs:list': () => [run({ id: 7, status: 'held', adds: 0, removes: 646_771, callsUsed: 0, error: { code: 'REMOVALS_HELD', message: MESSAGE, retryable: false } })],
      'runs:get': () => ({ ...run({ id: 7, status: 'held', adds: 0, removes: 646_771, callsUsed: 0, error: { code: 'REMOVALS_HELD', message: MESSAGE, retryable: false } }), calls: [] }),
    });
    render(<SyncLogScreen />);
    fireEvent.click(within(await screen.findByRole('grid', { name: 'Runs' })).getAllByRole('row')[1]!);
    const notice = await screen.findByRole('status', { name: 'Held run' });
    expect(notice.textContent).toContain('Held: it would remove more people than this audience allows — needs you');
    expect(notice.textContent).toContain('+0 to add, −646,771 to remove: nothing was sent');
    expect(notice.textContent).toContain('"Sync anyway (once)" or "Keep audience as is"');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
