// @vitest-environment jsdom
/**
 * After the engine's process was restarted (push event `engine:restarted`), the app shell says so in a status banner
 * the user can dismiss, on whichever screen is showing, and reads the database's state again.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/app/app';
import { ENGINE_RESTARTED_MESSAGE } from '../../../shared/ipc/engine-host';
import { connection, settings } from './fake-bridge';
import { useFakeEngine } from './setup';

describe('the engine restarted', () => {
  it('shows "The engine stopped and was restarted; no sync was lost." until dismissed', async () => {
    const b = useFakeEngine({ 'settings:get': () => settings({ environment: 'production' }), 'connections:list': () => [connection()], 'audiences:list': () => [], 'runs:list': () => [] });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Audiences' })).toBeTruthy();
    await waitFor(() => expect(b.listenerCount('engine:restarted')).toBe(1), { timeout: 5_000 });
    expect(screen.queryByRole('status', { name: 'Engine restarted' })).toBeNull();
    const listsBefore = b.callsTo('audiences:list').length;

    act(() => b.emit('engine:restarted', { message: ENGINE_RESTARTED_MESSAGE }));
    const banner = await screen.findByRole('status', { name: 'Engine restarted' });
    expect(banner.textContent).toContain('The engine stopped and was restarted; no sync was lost.');
    await waitFor(() => expect(b.callsTo('audiences:list').length).toBeGreaterThan(listsBefore), { timeout: 5_000 });

    // It stays while the user moves between screens.
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Sync log' }));
    expect(await screen.findByRole('heading', { name: 'Sync log' })).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Engine restarted' })).toBeTruthy();

    fireEvent.click(within(screen.getByRole('status', { name: 'Engine restarted' })).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('status', { name: 'Engine restarted' })).toBeNull();
  });
});
