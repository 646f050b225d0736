// @vitest-environment jsdom
/**
 * #11 item 10: the Settings screen's environment radio buttons switch only after the same confirmation as the
 * Connections screen's Environment card — what changes, then "Switch to …" or "Keep …".
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SettingsScreen } from '../../../renderer/src/features/settings/settings-screen';
import { settings } from './fake-bridge';
import { useFakeEngine } from './setup';

describe('settings: switching the TikTok API environment', () => {
  it('asks first: keeping changes nothing, confirming saves the environment', async () => {
    let env: 'offline-sandbox' | 'production' | 'tiktok-sandbox' = 'offline-sandbox';
    const b = useFakeEngine({
      'settings:get': () => settings({ environment: env }),
      'settings:set': (req) => {
        env = req.environment ?? env;
        return settings({ environment: env });
      },
    });
    render(<SettingsScreen />);
    const production = await screen.findByRole('radio', { name: /^TikTok \(production\)/ });
    const offline = screen.getByRole('radio', { name: /^Offline sandbox/ });
    expect((offline as HTMLInputElement).checked).toBe(true);

    fireEvent.click(production);
    const confirm = await screen.findByRole('group', { name: 'Switch to TikTok (production)?' });
    expect(confirm.textContent).toMatch(/creates and changes real audiences in your ad accounts/);
    expect(confirm.textContent).toMatch(/simulated ones stay simulated/);
    expect(document.activeElement).toBe(within(confirm).getByRole('heading'));
    // Nothing switched yet: the radio still shows where new connections go.
    expect((offline as HTMLInputElement).checked).toBe(true);
    expect(b.callsTo('settings:set')).toEqual([]);

    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep Offline sandbox' }));
    expect(screen.queryByRole('group', { name: /^Switch to/ })).toBeNull();
    expect(b.callsTo('settings:set')).toEqual([]);

    fireEvent.click(production);
    fireEvent.click(within(await screen.findByRole('group', { name: 'Switch to TikTok (production)?' })).getByRole('button', { name: 'Switch to TikTok (production)' }));
    await waitFor(() => expect((production as HTMLInputElement).checked).toBe(true), { timeout: 5_000 });
    expect(b.callsTo('settings:set')).toEqual([{ environment: 'production' }]);
    expect(screen.queryByRole('group', { name: /^Switch to/ })).toBeNull();
  });
});
