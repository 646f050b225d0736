// @vitest-environment jsdom
/**
 * Settings → "Erase a person" (#12.4): the preview is asked first and shown; nothing is erased until the user
 * confirms; changing the identifier voids the confirmation; the result is said and the field cleared.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SettingsScreen } from '../../../renderer/src/features/settings/settings-screen';
import { settings } from './fake-bridge';
import { useFakeEngine } from './setup';

const SETTINGS = settings({ defaultCountry: 'US', dataFolder: '/data' });

const FOUND = {
  audiences: [
    { audienceId: 1, name: 'Spring buyers', entries: 1, calls: 1, sendsAt: null },
    { audienceId: 2, name: 'Newsletter', entries: 1, calls: 1, sendsAt: null },
  ],
  calls: 2,
  message: 'Found in 2 audiences: Newsletter, Spring buyers; removes 1 person from each, uses 2 calls.',
};

describe('settings: erase a person', () => {
  it('shows what it would do, erases only on confirmation, and forgets what was typed', async () => {
    const bridge = useFakeEngine({
      'settings:get': () => SETTINGS,
      'privacy:erasePreview': () => FOUND,
      'privacy:erase': () => ({
        audiences: FOUND.audiences.map((a) => ({ ...a, outcome: 'sent' as const, runId: a.audienceId + 10, message: null })),
        message: 'Erased from Newsletter, Spring buyers: removed here and at TikTok.',
      }),
    });
    render(<SettingsScreen />);
    const input = await screen.findByLabelText('Email, phone, IDFA or GAID');
    fireEvent.change(input, { target: { value: 'sam@example.com' } });
    fireEvent.change(screen.getByLabelText('Kind of identifier'), { target: { value: 'email' } });
    fireEvent.click(screen.getByRole('button', { name: 'Find' }));

    expect(await screen.findByText(FOUND.message)).toBeTruthy();
    expect(bridge.callsTo('privacy:erasePreview')).toEqual([{ identifiers: [{ key: 'email', value: 'sam@example.com' }] }]);
    expect(bridge.callsTo('privacy:erase')).toEqual([]);

    // Editing what was typed voids the preview: its confirmation is gone until Find is pressed again.
    fireEvent.change(input, { target: { value: 'sam@example.co' } });
    expect(screen.queryByRole('button', { name: 'Erase from 2 audiences' })).toBeNull();
    fireEvent.change(input, { target: { value: 'sam@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Find' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Erase from 2 audiences' }));

    expect(await screen.findByText('Erased from Newsletter, Spring buyers: removed here and at TikTok.', {}, { timeout: 5_000 })).toBeTruthy();
    expect(bridge.callsTo('privacy:erase')).toEqual([{ identifiers: [{ key: 'email', value: 'sam@example.com' }] }]);
    await waitFor(() => expect((input as HTMLInputElement).value).toBe(''), { timeout: 5_000 });
  });

  it('says plainly when the person is in no audience, and offers nothing to confirm', async () => {
    useFakeEngine({ 'settings:get': () => SETTINGS, 'privacy:erasePreview': () => ({ audiences: [], calls: 0, message: 'This person is in none of the audiences kept here, so there is nothing to erase.' }) });
    render(<SettingsScreen />);
    fireEvent.change(await screen.findByLabelText('Email, phone, IDFA or GAID'), { target: { value: '+14155550123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Find' }));
    expect(await screen.findByText(/in none of the audiences kept here/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Erase from/ })).toBeNull();
  });
});
