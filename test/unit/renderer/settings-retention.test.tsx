// @vitest-environment jsdom
/** Settings states what the app keeps and for how long (#12 §4), as SECURITY.md and the README do. */
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SettingsScreen } from '../../../renderer/src/features/settings/settings-screen';
import { settings } from './fake-bridge';
import { useFakeEngine } from './setup';

const SETTINGS = settings({ defaultCountry: 'US', dataFolder: '/data' });

describe('settings: retention', () => {
  it('says where tokens live, that only hashes are kept and for how long the call log and backups are kept', async () => {
    useFakeEngine({ 'settings:get': () => SETTINGS });
    render(<SettingsScreen />);
    const text = (await screen.findByLabelText('What is kept')).textContent ?? '';
    expect(text).toMatch(/tokens only in your system keychain, until you disconnect/);
    expect(text).toMatch(/No raw email, phone or ad id is stored/);
    expect(text).toMatch(/for undo, until the next change/);
    expect(text).toMatch(/48 hours/);
    expect(text).toMatch(/2 newest database backups/);
    expect(text).toMatch(/Rejects reports only when you ask, with masked values/);
  });
});
