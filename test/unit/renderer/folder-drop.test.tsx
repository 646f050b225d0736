// @vitest-environment jsdom
/**
 * #11 item 9: a file dropped for an audience that reads a watched folder asks "Use this file once (the folder stays
 * the source)" or "Replace the folder with this file". Once: the audience is saved unchanged and the one sync reads
 * the file (sync:run's sourceOnce); replace: the source changes to the file, said before anything is saved.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { ImportWizard } from '../../../renderer/src/features/import/import-wizard';
import type { TiktokAudienceView } from '../../../shared/ipc/dto';
import { audience, connection, plan, preview } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

const FOLDER = audience({ sourceKind: 'folder', sourcePath: '/exports', sourcePattern: 'buyers-*.csv' });
const TIKTOK: TiktokAudienceView = { audienceId: '9000000001', name: 'Spring buyers', calculateType: 'EMAIL_SHA256', key: 'email', coverNum: 1480, isValid: true, isExpiring: false, expiresAt: null, mapped: true };

async function toDestination() {
  const b = useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [FOLDER],
    'audiences:tiktokList': () => [TIKTOK],
    'audiences:update': () => FOLDER,
    'import:preview': () => preview(),
    'sync:plan': () => plan({ adds: 20, removes: 0 }),
    'sync:run': () => ({ runId: 5 }),
  });
  await act(async () => {
    await useApp.getState().loadConnections();
    await useApp.getState().loadAudiences();
    await useApp.getState().openFile(new File(['user_id,email\n'], 'cohort.csv', { type: 'text/csv' }));
  });
  act(() => useApp.setState({ step: 'destination' }));
  render(<ImportWizard />);
  fireEvent.click(await screen.findByLabelText(/An existing TikTok audience/));
  fireEvent.click(await screen.findByRole('radio', { name: /Spring buyers/ }, { timeout: 5_000 }));
  return b;
}

describe('a file for an audience that reads a watched folder', () => {
  it('asks what the file is for; "Use this file once" syncs it once and keeps the folder', async () => {
    const b = await toDestination();
    const ask = screen.getByRole('group', { name: 'Spring buyers reads a watched folder' });
    expect(ask.textContent).toContain('the newest buyers-*.csv in /exports');
    const once = within(ask).getByRole('radio', { name: /Use this file once \(the folder stays the source\)/ });
    const replace = within(ask).getByRole('radio', { name: /Replace the folder with this file/ });
    expect((once as HTMLInputElement).checked).toBe(true);
    expect((replace as HTMLInputElement).checked).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));
    expect((await screen.findByText(/Uses cohort.csv for this sync only: Spring buyers keeps reading the newest buyers-\*.csv in \/exports/, undefined, { timeout: 5_000 })).textContent).toBeTruthy();
    expect(screen.queryByText(/Source changes from/)).toBeNull();
    expect(b.callsTo('sync:plan')).toEqual([{ audienceId: 1, draft: { sourcePath: '/uploads/cohort.csv', sourceKind: 'file', sourcePattern: null, cadence: { kind: 'manual' } } }]);
    await clickWhenEnabled('Sync now');
    await waitFor(() => expect(b.callsTo('sync:run')).toEqual([{ audienceId: 1, sourceOnce: '/uploads/cohort.csv' }]), { timeout: 5_000 });
    expect(b.callsTo('audiences:update').every((r) => !('sourcePath' in (r as object)) && !('sourceKind' in (r as object)))).toBe(true);
  });

  it('"Replace the folder with this file" says the source changes, then saves the file as the source', async () => {
    const b = await toDestination();
    fireEvent.click(screen.getByRole('radio', { name: /Replace the folder with this file/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));
    expect(await screen.findByText(/Source changes from the newest buyers-\*.csv in \/exports to cohort.csv/, undefined, { timeout: 5_000 })).toBeTruthy();
    await clickWhenEnabled('Sync now');
    await waitFor(() => expect(b.callsTo('sync:run')).toEqual([{ audienceId: 1 }]), { timeout: 5_000 });
    expect(b.callsTo('audiences:update')).toEqual([expect.objectContaining({ id: 1, sourcePath: '/uploads/cohort.csv', sourceKind: 'file' })]);
  });
});
