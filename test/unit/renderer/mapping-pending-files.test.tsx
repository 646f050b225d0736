/** @vitest-environment jsdom */
/**
 * Mapping screen → a file picked there (a new source, a suppression list, or the list removed) is part of the pending
 * edit: nothing is saved until "Save changes"; Cancel, or leaving the screen, discards it (review of session 6, A1).
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import { useApp } from '../../../renderer/src/app/store';
import type { RequestIn } from '../../../shared/ipc/contract';
import { audience, settings } from './fake-bridge';

const SETTINGS = settings({ dataFolder: '/data' });
import { useFakeEngine } from './setup';

function engine(over: Parameters<typeof audience>[0] = {}) {
  let a = audience(over);
  return useFakeEngine({
    'audiences:list': () => [a],
    'audiences:update': (req: RequestIn<'audiences:update'>) => {
      a = audience({ ...over, ...(req.sourcePath !== undefined ? { sourcePath: req.sourcePath } : {}), ...(req.suppressPath !== undefined ? { suppressPath: req.suppressPath } : {}) });
      return a;
    },
  });
}

function pick(inputId: string, name: string) {
  const input = document.getElementById(inputId) as HTMLInputElement;
  fireEvent.change(input, { target: { files: [new File(['Email 1\na@example.com\n'], name, { type: 'text/csv' })] } });
}

const saveButton = () => screen.getByRole('button', { name: 'Save changes' }) as HTMLButtonElement;

describe('mapping screen: a picked file waits for "Save changes"', () => {
  it('saves nothing when a new source file is picked; Save changes enables and saves it', async () => {
    const b = engine();
    render(<MappingScreen id={1} />);
    expect(await screen.findByText('/data/spring.csv')).toBeTruthy();
    expect(saveButton().disabled).toBe(true);
    pick('mapping-source', 'headerless.csv');
    expect(await screen.findByText('headerless.csv')).toBeTruthy();
    expect(screen.getByText(/not saved yet: "Save changes" makes it the source/)).toBeTruthy();
    expect(b.files.map((f) => f.name)).toEqual(['headerless.csv']);
    expect(b.callsTo('audiences:update')).toEqual([]);
    expect(screen.queryByText('Saved.')).toBeNull();
    expect(saveButton().disabled).toBe(false);
    fireEvent.click(saveButton());
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, cadence: { kind: 'daily', at: '06:00' }, sourcePath: '/uploads/headerless.csv' }]);
    await waitFor(() => expect(screen.getByText('/uploads/headerless.csv')).toBeTruthy(), { timeout: 5_000 });
    expect(saveButton().disabled).toBe(true);
  });

  it('Cancel discards the picked file, and leaving the screen does too', async () => {
    const b = engine();
    const { unmount } = render(<MappingScreen id={1} />);
    expect(await screen.findByText('/data/spring.csv')).toBeTruthy();
    pick('mapping-source', 'other.csv');
    expect(await screen.findByText('other.csv')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByText('/data/spring.csv')).toBeTruthy();
    expect(screen.queryByText('other.csv')).toBeNull();
    expect(saveButton().disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();

    pick('mapping-source', 'other.csv');
    expect(await screen.findByText('other.csv')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '← Spring buyers' }));
    expect(useApp.getState().route).toEqual({ name: 'audience', id: 1 });
    unmount();
    render(<MappingScreen id={1} />);
    expect(await screen.findByText('/data/spring.csv')).toBeTruthy();
    expect(saveButton().disabled).toBe(true);
    expect(b.callsTo('audiences:update')).toEqual([]);
  });

  it('a suppression list picked or removed is saved only with Save changes', async () => {
    const b = engine({ suppressPath: '/data/opt-outs.csv' });
    render(<MappingScreen id={1} />);
    expect(await screen.findByText('opt-outs.csv')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove suppression list' }));
    expect(screen.getByText('None: nobody is left out.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([]);
    pick('mapping-suppress', 'new-opt-outs.csv');
    expect(await screen.findByText('new-opt-outs.csv')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([]);
    fireEvent.click(saveButton());
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, cadence: { kind: 'daily', at: '06:00' }, suppressPath: '/uploads/new-opt-outs.csv' }]);
  });

  it('in the browser, a file under an allowed folder is named by its path and becomes the source with Save changes (a scheduled audience cannot use an uploaded copy)', async () => {
    let a = audience({ cadence: { kind: 'daily', at: '06:00' } });
    const b = useFakeEngine({
      'settings:get': () => ({ ...SETTINGS, grantedFolders: ['/srv/exports'] }),
      'audiences:list': () => [a],
      'audiences:update': (req: RequestIn<'audiences:update'>) => {
        a = audience({ cadence: { kind: 'daily', at: '06:00' }, ...(req.sourcePath !== undefined ? { sourcePath: req.sourcePath } : {}) });
        return a;
      },
    });
    await useApp.getState().loadSettings();
    render(<MappingScreen id={1} />);
    expect(await screen.findByText('/data/spring.csv')).toBeTruthy();
    const field = (await screen.findByLabelText(/A file under the folder you allowed \(\/srv\/exports\)/)) as HTMLInputElement;
    expect(field.value).toBe('/srv/exports/');
    fireEvent.change(field, { target: { value: '/srv/exports/autumn.csv' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use this file' }));
    expect(await screen.findByText(/not saved yet/)).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([]);
    fireEvent.click(saveButton());
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, cadence: { kind: 'daily', at: '06:00' }, sourcePath: '/srv/exports/autumn.csv' }]);
    expect(b.files).toEqual([]);
  });
});

