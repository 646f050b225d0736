// @vitest-environment jsdom
/**
 * Sandbox vs production (#11 item 10) and the first launch (#11 item 19): the persistent sandbox banner, sandbox
 * audiences marked and without an Ads Manager link, the environment switch's confirmation, the developer how-to,
 * and a first launch that leads to the offline sandbox first, then to the import.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/app/app';
import { useApp } from '../../../renderer/src/app/store';
import { ConnectScreen } from '../../../renderer/src/features/connect/connect-screen';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import type { ConnectionView } from '../../../shared/ipc/dto';
import { audience, connection, settings } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

const BANNER = 'Offline sandbox — nothing is sent to TikTok';
const TIKTOK = connection({ id: 'tt-prod', label: 'Shop account', kind: 'oauth', appId: '7123', environment: 'production' });

describe('sandbox vs production', () => {
  it('shows the sandbox banner on every screen while the environment is the offline sandbox', async () => {
    useFakeEngine({ 'settings:get': () => settings({ environment: 'offline-sandbox' }), 'connections:list': () => [connection()], 'audiences:list': () => [], 'runs:list': () => [] });
    render(<App />);
    expect((await screen.findByRole('note', { name: 'Environment' })).textContent).toContain(BANNER);
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Sync log' }));
    expect(await screen.findByRole('heading', { name: 'Sync log' })).toBeTruthy();
    expect(screen.getByText(BANNER)).toBeTruthy();
  });

  it('shows no sandbox banner in production with a TikTok connection', async () => {
    useFakeEngine({ 'settings:get': () => settings({ environment: 'production' }), 'connections:list': () => [TIKTOK], 'audiences:list': () => [audience({ connectionId: 'tt-prod' })] });
    render(<App />);
    expect(await screen.findByRole('grid', { name: 'Audiences' })).toBeTruthy();
    await waitFor(() => expect(useApp.getState().settings.data?.environment).toBe('production'), { timeout: 5_000 });
    expect(screen.queryByText(BANNER)).toBeNull();
  });

  it('marks sandbox audiences in the list and offers no Ads Manager link for them; a TikTok audience keeps its link', async () => {
    useFakeEngine({
      'connections:list': () => [connection(), TIKTOK],
      'audiences:list': () => [audience({ id: 1, name: 'Simulated buyers' }), audience({ id: 2, name: 'Real buyers', connectionId: 'tt-prod' })],
    });
    await act(async () => useApp.getState().loadConnections());
    render(<AudiencesScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audiences' });
    const rows = within(grid).getAllByRole('row').slice(1);
    const simulated = rows.find((r) => r.textContent?.includes('Simulated buyers'))!;
    const real = rows.find((r) => r.textContent?.includes('Real buyers'))!;
    expect(within(simulated).getByText('Sandbox').getAttribute('title')).toMatch(/nothing is sent to TikTok/);
    expect(within(real).queryByText('Sandbox')).toBeNull();
    fireEvent.click(within(simulated).getByRole('button', { name: 'More actions for Simulated buyers' }));
    expect(within(screen.getByRole('menu')).queryByRole('menuitem', { name: /Ads Manager/ })).toBeNull();
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    fireEvent.click(within(real).getByRole('button', { name: 'More actions for Real buyers' }));
    expect(within(screen.getByRole('menu')).getByRole('menuitem', { name: /Ads Manager/ })).toBeTruthy();
  });

  it('switches the environment on Connections only after a confirmation that says what changes', async () => {
    let env: ConnectionView['environment'] = 'offline-sandbox';
    const b = useFakeEngine({
      'connections:list': () => [connection()],
      'connections:redirectUri': () => ({ redirectUri: 'http://127.0.0.1:28561/oauth/callback', defaultRedirectUri: 'http://127.0.0.1:28561/oauth/callback', source: 'default' }),
      'settings:get': () => settings({ environment: env }),
      'settings:set': (req) => {
        env = req.environment ?? env;
        return settings({ environment: env });
      },
    });
    render(<ConnectScreen />);
    const section = await screen.findByRole('region', { name: 'Environment' });
    expect(section.textContent).toContain('New connections go to: Offline sandbox');
    fireEvent.click(within(section).getByRole('button', { name: 'Switch to TikTok (production)…' }));
    const confirm = within(section).getByRole('group', { name: 'Switch to TikTok (production)?' });
    expect(confirm.textContent).toMatch(/creates and changes real audiences in your ad accounts/);
    expect(confirm.textContent).toMatch(/simulated ones stay simulated/);
    expect(document.activeElement).toBe(within(confirm).getByRole('heading'));
    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep Offline sandbox' }));
    expect(b.callsTo('settings:set')).toEqual([]);
    fireEvent.click(within(section).getByRole('button', { name: 'Switch to TikTok (production)…' }));
    fireEvent.click(within(section).getByRole('button', { name: 'Switch to TikTok (production)' }));
    await waitFor(() => expect(section.textContent).toContain('New connections go to: TikTok (production)'), { timeout: 5_000 });
    expect(b.callsTo('settings:set')).toEqual([{ environment: 'production' }]);
  });

  it("explains how to get an app id, secret, redirect URL or long-term token, with TikTok's developer pages", async () => {
    useFakeEngine({ 'connections:list': () => [], 'settings:get': () => settings() });
    render(<ConnectScreen />);
    const summary = await screen.findByText('How to get an app id, secret, redirect URL or long-term token');
    const howTo = summary.closest('details')!;
    const links = within(howTo).getAllByRole('link').map((a) => a.getAttribute('href'));
    expect(links).toContain('https://business-api.tiktok.com/portal');
    expect(links.every((h) => h?.startsWith('https://business-api.tiktok.com/portal'))).toBe(true);
    expect(howTo.textContent).toMatch(/Advertiser redirect URLs/);
    expect(howTo.textContent).toMatch(/does not expire/);
  });
});

describe('first launch', () => {
  it('leads to the offline sandbox first, then to importing a cohort', async () => {
    let connected = false;
    const b = useFakeEngine({
      'settings:get': () => settings({ environment: 'production' }),
      'connections:list': () => (connected ? [connection()] : []),
      'connections:connectSandbox': () => {
        connected = true;
        return connection();
      },
      'audiences:list': () => [],
    });
    render(<App />);
    const first = await screen.findByRole('region', { name: 'No audiences yet' });
    const buttons = within(first).getAllByRole('button').map((x) => x.textContent);
    expect(buttons.indexOf('Try it with the offline sandbox')).toBe(0);
    expect(buttons).toContain('Next: import a cohort');
    expect(within(first).getByRole('button', { name: 'Try it with the offline sandbox' }).className).toContain('btn-primary');
    expect(within(first).getByRole('button', { name: 'Next: import a cohort' }).className).not.toContain('btn-primary');
    fireEvent.click(within(first).getByRole('button', { name: 'Try it with the offline sandbox' }));
    await waitFor(() => expect(b.callsTo('connections:connectSandbox')).toHaveLength(1), { timeout: 5_000 });
    await waitFor(() => expect(within(first).queryByRole('button', { name: 'Try it with the offline sandbox' })).toBeNull(), { timeout: 5_000 });
    expect(within(first).getByRole('button', { name: 'Next: import a cohort' }).className).toContain('btn-primary');
    await clickWhenEnabled('Next: import a cohort');
    expect(useApp.getState().route).toEqual({ name: 'import' });
  });
});
