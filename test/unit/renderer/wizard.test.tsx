// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { wireEvents } from '../../../renderer/src/app/engine-events';
import { AppError } from '../../../shared/errors';
import type { ValidationView } from '../../../shared/ipc/dto';
import { audience, connection, plan, preview } from './fake-bridge';
import { useFakeEngine, clickWhenEnabled } from './setup';
import { nameNewAudience, openInWizard } from './wizard-walk';

const fmt = (n: number) => new Intl.NumberFormat().format(n);
const VALIDATION: ValidationView = { rowsRead: 1503, valid: 1500, rejected: 3, duplicates: 0, byReason: { INVALID_EMAIL: 2, EMPTY: 1 }, rejectsSample: [{ line: 1502, reason: 'INVALID_EMAIL', value: 'not-an-…' }] };

function engine(over: Parameters<typeof useFakeEngine>[0] = {}) {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': () => preview(),
    'import:hashLab': () => ({
      rows: [{ line: 2, raw: 'User0@Example.com ', normalized: 'user0@example.com', hash: 'ab'.repeat(32), passthrough: false, reject: null }],
      selfTest: [{ label: 'Email', key: 'email', input: 'janedoe@gmail.com', expected: 'x', actual: 'x', ok: true }],
    }),
    'import:validate': () => VALIDATION,
    'audiences:create': () => audience({ id: 4, state: 'never_synced' }),
    'audiences:deleteLocal': () => null,
    'sync:plan': () => plan({ audienceId: 4 }),
    'sync:run': () => ({ runId: 9 }),
    ...over,
  });
}

async function toValidation() {
  await openInWizard();
  await clickWhenEnabled('Next: hash lab');
  await clickWhenEnabled('Next: check the whole file');
}

describe('import wizard', () => {
  it('walks from the preview through hash lab, validation, destination and dry run to a finished sync', async () => {
    const b = engine();
    const off = wireEvents(b);
    await toValidation();
    expect((await screen.findAllByRole('cell', { name: 'Not an email address' })).length).toBeGreaterThan(0);
    expect(screen.getByText(fmt(1503))).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next: choose the audience' }));
    await nameNewAudience('Spring buyers', 'manual');
    fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));
    expect(await screen.findByText('To add')).toBeTruthy();
    // The dry run plans the unsaved audience; "Sync now" saves it, then syncs it.
    expect(b.callsTo('sync:plan')[0]).toMatchObject({ create: { name: 'Spring buyers', cadence: { kind: 'manual' }, sourceKind: 'file', advertiserId: '7000000001' } });
    expect(b.callsTo('audiences:create')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    await screen.findByRole('button', { name: 'Cancel sync' });
    expect(b.callsTo('audiences:create')[0]).toMatchObject({ name: 'Spring buyers', cadence: { kind: 'manual' }, sourceKind: 'file', advertiserId: '7000000001' });
    expect(b.callsTo('sync:run')).toEqual([{ audienceId: 4 }]);
    b.emit('run:progress', { runId: 9, audienceId: 4, phase: 'uploading', rows: 1500, percent: 80, rowsPerSec: 12000, etaSec: 2 });
    expect((await screen.findByRole('progressbar', { name: 'Syncing' })).getAttribute('aria-valuenow')).toBe('80');
    b.emit('run:finished', { runId: 9, audienceId: 4, status: 'done', trigger: 'manual', error: null });
    expect(await screen.findByRole('heading', { name: /Sync finished/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Open the audience' }));
    expect(useApp.getState().route).toEqual({ name: 'audience', id: 4 });
    off();
  });

  it('shows reading progress with rows/s and ETA while the whole file is checked, and cancel stops it without an error', async () => {
    let finish: (v: ValidationView) => void = () => {};
    let fail: (e: unknown) => void = () => {};
    const b = engine({
      'import:validate': () =>
        new Promise<ValidationView>((resolve, reject) => {
          finish = resolve;
          fail = reject;
        }),
      'import:cancel': () => {
        fail(new AppError('CANCELLED', 'Stopped.'));
        return { cancelled: true };
      },
    });
    const off = wireEvents(b);
    await toValidation();
    b.emit('import:progress', { path: '/uploads/cohort.csv', phase: 'reading', rows: 250_000, percent: 25, rowsPerSec: 500_000, etaSec: 2 });
    const bar = await screen.findByRole('progressbar', { name: 'Checking cohort.csv' });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(bar.getAttribute('aria-valuetext')).toContain(`${fmt(500_000)} rows/s`);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText(/Stopped: the file was not checked to the end/)).toBeTruthy();
    expect(b.callsTo('import:cancel')).toEqual([{ path: '/uploads/cohort.csv' }]);
    expect(screen.queryByRole('alert')).toBeNull();
    void finish;
    off();
  });

  it('a folder source saves the folder and pattern instead of the dropped file', async () => {
    let saved = false;
    const b = engine({
      'audiences:create': () => {
        saved = true;
        return audience({ id: 4, state: 'never_synced', sourceKind: 'folder', sourcePath: '/exports/amplitude', sourcePattern: 'buyers-*.csv' });
      },
      'audiences:list': () => (saved ? [audience({ id: 4, state: 'never_synced', sourceKind: 'folder', sourcePath: '/exports/amplitude', sourcePattern: 'buyers-*.csv' })] : []),
    });
    await toValidation();
    await clickWhenEnabled('Next: choose the audience');
    fireEvent.click(await screen.findByLabelText(/newest matching file in a folder/));
    const next = screen.getByRole('button', { name: 'Next: dry run' }) as HTMLButtonElement;
    expect(next.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Folder'), { target: { value: '/exports/amplitude' } });
    fireEvent.change(screen.getByLabelText('Files matching'), { target: { value: 'buyers-*.csv' } });
    fireEvent.click(next);
    await screen.findByText('To add');
    expect(b.callsTo('sync:plan')[0]).toMatchObject({ create: { sourceKind: 'folder', sourcePath: '/exports/amplitude', sourcePattern: 'buyers-*.csv' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/Saved\. The audience syncs on its schedule/)).toBeTruthy();
    expect(b.callsTo('audiences:create')[0]).toMatchObject({ sourceKind: 'folder', sourcePath: '/exports/amplitude', sourcePattern: 'buyers-*.csv' });
    expect(b.callsTo('sync:run')).toEqual([]);
    // Back and a second dry run plan the saved audience, not a second one of the same name.
    await useApp.getState().loadAudiences();
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await clickWhenEnabled('Next: dry run');
    await screen.findByText('To add');
    expect(b.callsTo('sync:plan')[1]).toMatchObject({ audienceId: 4, draft: { sourceKind: 'folder', sourcePath: '/exports/amplitude', sourcePattern: 'buyers-*.csv' } });
    expect(screen.queryByText(/Source changes from/)).toBeNull();
    expect(b.callsTo('audiences:create')).toHaveLength(1);
  });

  it('a floor warning blocks "Sync now" and says why; going back leaves nothing saved', async () => {
    const b = engine({ 'sync:plan': () => plan({ audienceId: 4, projectedSize: 900, floorWarning: 'This sync would leave 900 people, under TikTok\u2019s 1,000 minimum. Add people or create a new audience.' }) });
    await toValidation();
    await clickWhenEnabled('Next: choose the audience');
    await clickWhenEnabled('Next: dry run');
    expect(await screen.findByText(/under TikTok.s 1,000 minimum/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Sync now' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await screen.findByRole('button', { name: 'Next: dry run' });
    expect(b.callsTo('audiences:create')).toEqual([]);
    expect(b.callsTo('audiences:update')).toEqual([]);
    expect(useApp.getState().draftAudienceId).toBeNull();
  });

  it('a failed dry run says so on the blocked buttons (not "has not finished yet") and offers to try again', async () => {
    engine({
      'sync:plan': () => {
        throw new AppError('TIKTOK_UNAVAILABLE', 'TikTok did not answer.');
      },
    });
    await toValidation();
    await clickWhenEnabled('Next: choose the audience');
    await clickWhenEnabled('Next: dry run');
    expect(await screen.findByText('The dry run failed')).toBeTruthy();
    const sync = screen.getByRole('button', { name: 'Sync now' }) as HTMLButtonElement;
    expect(sync.disabled).toBe(true);
    expect(sync.title).toMatch(/The dry run failed: try it again/);
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).title).toMatch(/The dry run failed: try it again/);
    expect(screen.queryByText('The dry run has not finished yet.')).toBeNull();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('a dry run into an audience Cohort Relay already syncs saves nothing: it shows the source change, and only "Sync now" saves it', async () => {
    const watched = audience({ id: 7, sourceKind: 'folder', sourcePath: '/exports/amplitude', sourcePattern: 'buyers-*.csv', cadence: { kind: 'hourly' } });
    const b = engine({
      'audiences:list': () => [watched],
      'audiences:tiktokList': () => [{ audienceId: '9000000001', name: 'Spring buyers', calculateType: 'EMAIL_SHA256', key: 'email', coverNum: 17472, isValid: true, isExpiring: false, expiresAt: null, mapped: true }],
      'audiences:update': () => watched,
      'sync:plan': () => plan({ audienceId: 7 }),
    });
    await useApp.getState().loadAudiences();
    await toValidation();
    await clickWhenEnabled('Next: choose the audience');
    fireEvent.click(await screen.findByLabelText(/An existing TikTok audience/));
    fireEvent.click(await screen.findByLabelText(/Spring buyers/));
    // The folder audience asks what the file is for (#11 item 9): here it replaces the folder.
    fireEvent.click(screen.getByRole('radio', { name: /Replace the folder with this file/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));
    expect(await screen.findByText(/Source changes from the newest buyers-\*\.csv in \/exports\/amplitude to cohort\.csv/)).toBeTruthy();
    expect(b.callsTo('sync:plan')[0]).toEqual({ audienceId: 7, draft: { sourcePath: '/uploads/cohort.csv', sourceKind: 'file', sourcePattern: null, cadence: { kind: 'hourly' } } });
    expect(b.callsTo('audiences:update')).toEqual([]);
    expect(b.callsTo('audiences:create')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    await screen.findByRole('button', { name: 'Cancel sync' });
    expect(b.callsTo('audiences:update')).toEqual([{ id: 7, sourcePath: '/uploads/cohort.csv', sourceKind: 'file', sourcePattern: null, cadence: { kind: 'hourly' } }]);
    expect(b.callsTo('sync:run')).toEqual([{ audienceId: 7 }]);
  });

  it("a dry run that waits for the one-REPLACE-a-day rule says so, not that the day's calls are used", async () => {
    const reason = 'TikTok allows one full replace of an audience a day, and this audience had one less than 24 hours ago. Making it match the file needs another, so it waits until 2026-11-25T08:00:00.000Z.';
    engine({ 'sync:plan': () => plan({ audienceId: 4, deferredUntil: '2026-11-25T08:00:00.000Z', deferredReason: reason }) });
    await toValidation();
    await clickWhenEnabled('Next: choose the audience');
    await clickWhenEnabled('Next: dry run');
    expect(await screen.findByText(/one full replace of an audience a day/)).toBeTruthy();
    expect(screen.queryByText(/today.s calls/)).toBeNull();
  });

  it('without a usable connection the destination step offers the sandbox instead of a dead end', async () => {
    engine({ 'connections:list': () => [connection({ status: 'needs_reconnect' })] });
    await toValidation();
    await clickWhenEnabled('Next: choose the audience');
    expect(await screen.findByRole('heading', { name: 'Connect a TikTok account first' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try the offline sandbox' })).toBeTruthy();
  });
});
