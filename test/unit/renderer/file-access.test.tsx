// @vitest-environment jsdom
/**
 * The browser version's files (#11 S1.5): a dropped file is an upload for a one-off sync (the wizard starts it
 * at "manual"), a file under a folder granted with --allow-folder is opened by its path, and settings list the
 * granted folders.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { FileStep } from '../../../renderer/src/features/import/step-file';
import { SettingsScreen } from '../../../renderer/src/features/settings/settings-screen';
import { preview, settings } from './fake-bridge';
import { useFakeEngine } from './setup';

const SETTINGS = settings({ defaultCountry: 'US', dataFolder: '/data' });

describe('files in the browser version', () => {
  it('starts an uploaded file at a manual sync (an upload is a temp copy)', async () => {
    const b = useFakeEngine({ 'import:preview': () => preview() });
    await useApp.getState().openFile(new File(['x'], 'cohort.csv'));
    expect(b.files).toHaveLength(1);
    expect(useApp.getState().cadence).toEqual({ kind: 'manual' });
  });

  it('opens a file under a granted folder by its path, with no upload, at a manual sync until the user picks a schedule', async () => {
    const b = useFakeEngine({ 'settings:get': () => ({ ...SETTINGS, grantedFolders: ['/srv/exports'] }), 'import:preview': () => preview() });
    await useApp.getState().loadSettings();
    render(<FileStep />);
    const field = screen.getByLabelText(/A file under the folder you allowed \(\/srv\/exports\)/);
    expect((field as HTMLInputElement).value).toBe('/srv/exports/');
    fireEvent.change(field, { target: { value: '/srv/exports/buyers.csv' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open this file' }));
    await waitFor(() => expect(b.callsTo('import:preview')).toEqual([{ path: '/srv/exports/buyers.csv', defaultCountry: SETTINGS.defaultCountry }]));
    expect(b.files).toHaveLength(0);
    expect(useApp.getState().file).toEqual({ path: '/srv/exports/buyers.csv', name: 'buyers.csv' });
    // Nothing runs that the user did not choose: a daily default used to schedule it unseen.
    expect(useApp.getState().cadence).toEqual({ kind: 'manual' });
  });

  it('shows no path field when no folder was granted', async () => {
    useFakeEngine({ 'settings:get': () => SETTINGS });
    await useApp.getState().loadSettings();
    render(<FileStep />);
    expect(screen.queryByRole('button', { name: 'Open this file' })).toBeNull();
  });

  it('lists the granted folders in settings', async () => {
    useFakeEngine({ 'settings:get': () => ({ ...SETTINGS, grantedFolders: ['/srv/exports', '/home/me/crm'] }) });
    render(<SettingsScreen />);
    const list = await screen.findByRole('list', { name: 'Folders this page may read' });
    expect([...list.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['/srv/exports', '/home/me/crm']);
  });
});
