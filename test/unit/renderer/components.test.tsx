// @vitest-environment jsdom
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/app/app';
import { useApp } from '../../../renderer/src/app/store';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import { AudienceDetail, expiryText } from '../../../renderer/src/features/audiences/audience-detail';
import { ConnectScreen } from '../../../renderer/src/features/connect/connect-screen';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import { SettingsScreen } from '../../../renderer/src/features/settings/settings-screen';
import { SyncLogScreen } from '../../../renderer/src/features/sync-log/sync-log-screen';
import { Meter } from '../../../renderer/src/ui/meter';
import { ProgressBar } from '../../../renderer/src/ui/progress-bar';
import { AppError } from '../../../shared/errors';
import { audience, connection, detail, preview, run, settings } from './fake-bridge';
import { useFakeEngine, clickWhenEnabled } from './setup';

const fmt = (n: number) => new Intl.NumberFormat().format(n);

describe('shell', () => {
  it('a CSV dropped anywhere on the window opens the wizard with its preview, the detected column highlighted', async () => {
    const b = useFakeEngine({ 'settings:get': () => settings(), 'connections:list': () => [], 'audiences:list': () => [], 'import:preview': () => preview() });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'No audiences yet' })).toBeTruthy();
    const file = new File(['user_id,email\n'], 'cohort.csv', { type: 'text/csv' });
    fireEvent.drop(window, { dataTransfer: { files: [file], types: ['Files'] } });
    expect(await screen.findByRole('heading', { name: /Import & sync/ })).toBeTruthy();
    const header = await screen.findByRole('columnheader', { name: /email/ });
    expect(header.className).toContain('col-detected');
    expect(header.className).toContain('col-key');
    expect(header.textContent).toMatch(/Email/);
    expect(b.files).toEqual([file]);
    expect(screen.getByRole('button', { name: 'Next: hash lab' })).toBeTruthy();
  });

  it('applies the theme setting to the document and marks the current screen in the sidebar', async () => {
    useFakeEngine({ 'settings:get': () => settings({ theme: 'dark' }), 'connections:list': () => [connection({ status: 'needs_reconnect' })], 'audiences:list': () => [], 'runs:list': () => [] });
    render(<App />);
    await screen.findByLabelText('1 need re-connect');
    expect(document.documentElement.dataset.theme).toBe('dark');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    fireEvent.click(within(nav).getByRole('button', { name: 'Sync log' }));
    expect(within(nav).getByRole('button', { name: 'Sync log' }).getAttribute('aria-current')).toBe('page');
    expect(await screen.findByRole('heading', { name: 'No runs yet' })).toBeTruthy();
  });
});

describe('connect screen', () => {
  it('with no connection shows an empty state; "Try the offline sandbox" connects and lists its advertisers', async () => {
    let list = [] as ReturnType<typeof connection>[];
    const b = useFakeEngine({
      'connections:list': () => list,
      'connections:connectSandbox': () => {
        list = [connection()];
        return list[0]!;
      },
    });
    render(<ConnectScreen />);
    await act(() => useApp.getState().loadConnections());
    expect(screen.getByRole('heading', { name: 'No TikTok account connected yet' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try the offline sandbox' }));
    expect(await screen.findByText('Sandbox Shop')).toBeTruthy();
    expect(b.callsTo('connections:connectSandbox')).toHaveLength(1);
  });

  it('shows a failed sign-in in the engine\'s words, and sends app id and secret only to connections:loginOAuth', async () => {
    const b = useFakeEngine({
      'connections:list': () => [],
      'connections:loginOAuth': () => {
        throw new AppError('AUTH_FAILED', 'TikTok refused the app id or secret. Check both in the TikTok developer portal, then sign in again.');
      },
    });
    render(<ConnectScreen />);
    fireEvent.change(screen.getByLabelText('App id'), { target: { value: ' 7123 ' } });
    fireEvent.change(screen.getByLabelText('App secret'), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with TikTok' }));
    expect((await screen.findByRole('alert')).textContent).toContain('TikTok refused the app id or secret.');
    expect(b.callsTo('connections:loginOAuth')).toEqual([{ appId: '7123', appSecret: 's3cret' }]);
  });

  it('a connection TikTok no longer accepts says so and offers re-connect; disconnect asks once more', async () => {
    const b = useFakeEngine({
      'connections:list': () => [connection({ status: 'needs_reconnect', statusMessage: 'TikTok no longer accepts this connection. Re-connect the sandbox.' })],
      'connections:connectSandbox': () => connection(),
      'connections:disconnect': () => null,
    });
    render(<ConnectScreen />);
    await act(() => useApp.getState().loadConnections());
    expect(screen.getByText('TikTok no longer accepts this connection. Re-connect the sandbox.')).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: 'Re-connect' })[0]!);
    await screen.findByRole('button', { name: 'Disconnect' });
    expect(b.callsTo('connections:connectSandbox')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    expect(b.callsTo('connections:disconnect')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: /Yes, disconnect/ }));
    await screen.findByRole('button', { name: 'Disconnect' });
    expect(b.callsTo('connections:disconnect')).toEqual([{ connectionId: 'tt-sandbox' }]);
  });
});

describe('audiences screen', () => {
  it('lists each audience with its state badge, locale-formatted sizes and a calls-left meter', async () => {
    useFakeEngine({ 'audiences:list': () => [audience(), audience({ id: 2, name: 'Lapsed', state: 'unavailable', coverNum: 640, localSize: 700, callsLeftToday: 0 })], 'settings:get': () => settings() });
    render(<AudiencesScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audiences' });
    const rows = within(grid).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByText('Available')).toBeTruthy();
    expect(within(rows[1]!).getByText(fmt(1480))).toBeTruthy();
    expect(within(rows[1]!).getByText(fmt(1500))).toBeTruthy();
    expect(within(rows[2]!).getByText('Unavailable (under 1,000)')).toBeTruthy();
    const meter = within(rows[2]!).getByRole('meter');
    expect(meter.getAttribute('aria-valuenow')).toBe('0');
    expect(meter.getAttribute('aria-valuemax')).toBe('24');
  });

  it('names the unavailable audiences above the list with the way out, and leads to a new audience', async () => {
    useFakeEngine({ 'audiences:list': () => [audience(), audience({ id: 2, name: 'Lapsed', state: 'unavailable', coverNum: 640, paused: true }), audience({ id: 3, name: 'Partner small', api: 'segment', state: 'unavailable', coverNum: 300 })], 'settings:get': () => settings() });
    render(<AudiencesScreen />);
    const banner = await screen.findByRole('alert', { name: 'Unavailable audiences' });
    expect(banner.textContent).toContain('Unavailable at TikTok: Lapsed');
    expect(banner.textContent).not.toContain('Partner small');
    expect(banner.textContent).toMatch(/new audience.*larger cohort.*several keys per person/);
    expect((screen.getByRole('button', { name: 'Sync Lapsed now' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Sync Spring buyers now' }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(within(banner).getByRole('button', { name: 'New audience' }));
    expect(useApp.getState().route).toEqual({ name: 'import' });
  });

  it('"Sync now" starts a sync; a refusal shows the engine\'s message', async () => {
    const b = useFakeEngine({
      'audiences:list': () => [audience()],
      'sync:run': () => {
        throw new AppError('QUOTA_EXHAUSTED', "Spring buyers has used today's 24 TikTok calls. The rest is sent after midnight UTC.");
      },
    });
    render(<AudiencesScreen />);
    await clickWhenEnabled('Sync Spring buyers now');
    expect((await screen.findByRole('alert')).textContent).toContain("Spring buyers has used today's 24 TikTok calls.");
    expect(b.callsTo('sync:run')).toEqual([{ audienceId: 1 }]);
  });

  it('renders only the rows in view of a long list, and moves through it by keyboard', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => audience({ id: i + 1, name: `Cohort ${i + 1}` }));
    useFakeEngine({ 'audiences:list': () => many });
    render(<AudiencesScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audiences' });
    expect(grid.getAttribute('aria-rowcount')).toBe('2001');
    const rendered = within(grid).getAllByRole('row').length - 1;
    expect(rendered).toBeLessThan(30);
    const first = grid.querySelector<HTMLElement>('[data-row-index="0"]')!;
    first.focus();
    fireEvent.keyDown(first, { key: 'End' });
    const last = grid.querySelector<HTMLElement>('[data-row-index="1999"]');
    expect(last).not.toBeNull();
    expect(document.activeElement).toBe(last);
    fireEvent.keyDown(last!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(grid.querySelector('[data-row-index="1998"]'));
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(useApp.getState().route).toEqual({ name: 'audience', id: 1999 });
  });

  it('has an empty state that leads to the import', async () => {
    useFakeEngine({ 'audiences:list': () => [] });
    render(<AudiencesScreen />);
    await clickWhenEnabled('Import a cohort');
    expect(useApp.getState().route).toEqual({ name: 'import' });
  });
});

describe('audience detail', () => {
  it('draws sent vs matched, counts down to expiry and lists recent runs', async () => {
    useFakeEngine({ 'audiences:get': () => detail() });
    render(<AudienceDetail id={1} />);
    const chart = await screen.findByRole('img', { name: /Sent vs matched over 2 syncs/ });
    expect(chart.querySelectorAll('polyline')).toHaveLength(2);
    expect(screen.getByText(/^Expires in \S+ days/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open Spring buyers in TikTok Ads Manager (opens in your browser)' }).getAttribute('href')).toBe('https://ads.tiktok.com/i18n/audience/?aadvid=7000000001');
    expect(screen.getAllByText('Done').length).toBeGreaterThan(0);
  });

  it('names the source file, and says so plainly when no source file is kept (an upload removed after its sync)', async () => {
    useFakeEngine({ 'audiences:get': () => detail({ sourcePath: null }) });
    render(<AudienceDetail id={1} />);
    expect(await screen.findByText(/\(no source file kept: pick the cohort file again to sync\)/)).toBeTruthy();
    expect(screen.queryByText(/ of –/)).toBeNull();
  });

  it('expiry text: days left, or expired', () => {
    const now = Date.parse('2026-11-24T00:00:00Z');
    expect(expiryText('2026-12-04T00:00:00Z', now)).toMatch(/^Expires in 10 days/);
    expect(expiryText('2026-11-20T00:00:00Z', now)).toMatch(/^Expired/);
    expect(expiryText(null, now)).toMatch(/first sync/);
  });

  it('an unavailable audience shows why and the way out, leads to a new audience, and offers no "Sync now"', async () => {
    const message = 'TikTok matched only 640 (under 1,000) people in this audience, so it is unavailable and TikTok will never let it be edited again. Way out: sync the cohort to a new audience.';
    useFakeEngine({ 'audiences:get': () => detail({ state: 'unavailable', stateMessage: message, coverNum: 640, paused: true }) });
    render(<AudienceDetail id={1} />);
    expect(await screen.findByText('Unavailable (under 1,000)')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Way out: sync the cohort to a new audience.');
    expect((screen.getByRole('button', { name: 'Sync Spring buyers now' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Sync the cohort of Spring buyers to a new audience' }));
    expect(useApp.getState().route).toEqual({ name: 'import' });
  });

  it('an audience that needs a re-connect says so and leads to Connections', async () => {
    useFakeEngine({ 'audiences:get': () => detail({ state: 'needs_reconnect', stateMessage: 'TikTok no longer accepts the connection. Re-connect it.' }) });
    render(<AudienceDetail id={1} />);
    expect(await screen.findByText('Re-connect needed')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Re-connect' }));
    expect(useApp.getState().route).toEqual({ name: 'connect' });
  });
});

describe('mapping screen', () => {
  it('shows the key as locked with the reason, and saves a new cadence', async () => {
    const b = useFakeEngine({ 'audiences:list': () => [audience()], 'audiences:update': () => audience({ cadence: { kind: 'hourly' } }) });
    render(<MappingScreen id={1} />);
    expect(await screen.findByText(/TikTok fixes an audience's key type/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create a new audience instead' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Cadence'), { target: { value: 'hourly' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, cadence: { kind: 'hourly' } }]);
  });
});

describe('sync log', () => {
  it('lists runs with their error words, opens a run\'s API calls, and exports its rejects', async () => {
    const b = useFakeEngine({
      'runs:list': () => [run({ id: 2, status: 'failed', error: { code: 'AUTH_EXPIRED', message: 'TikTok no longer accepts this connection. Re-connect it.', retryable: false } }), run()],
      'runs:get': () => ({ ...run(), calls: [{ id: 1, endpoint: 'dmp/custom_audience/file/upload', method: 'POST', requestId: 'req-123', code: 0, httpStatus: 200, durationMs: 120, startedAt: '2026-11-24T06:00:01Z', detail: null }] }),
      'runs:exportRejects': () => ({ outPath: '/data/spring-rejects.csv', written: 3 }),
    });
    render(<SyncLogScreen />);
    expect(await screen.findByText('TikTok no longer accepts this connection. Re-connect it.')).toBeTruthy();
    const rows = within(screen.getByRole('grid', { name: 'Runs' })).getAllByRole('row');
    fireEvent.click(rows[2]!);
    expect(await screen.findByText('req-123')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Export rejects' }));
    expect(await screen.findByText('/data/spring-rejects.csv')).toBeTruthy();
    expect(b.callsTo('runs:exportRejects')).toEqual([{ runId: 1 }]);
  });

  it('shows the engine\'s error with a retry when the log cannot load', async () => {
    useFakeEngine({
      'runs:list': () => {
        throw new AppError('DATABASE_NEWER', 'The data folder was written by a newer Cohort Relay. Update the app.');
      },
    });
    render(<SyncLogScreen />);
    expect((await screen.findByRole('alert')).textContent).toContain('The data folder was written by a newer Cohort Relay.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});

describe('settings screen', () => {
  it('saves a theme at once and refuses an out-of-range budget in words', async () => {
    const b = useFakeEngine({ 'settings:get': () => settings(), 'settings:set': () => settings({ theme: 'dark' }) });
    render(<SettingsScreen />);
    fireEvent.change(await screen.findByLabelText('Theme'), { target: { value: 'dark' } });
    await screen.findByDisplayValue('Dark');
    expect(b.callsTo('settings:set')).toEqual([{ theme: 'dark' }]);
    const budget = screen.getByLabelText('Daily call budget per audience');
    fireEvent.change(budget, { target: { value: '500' } });
    fireEvent.blur(budget);
    // TikTok's cap: 24 changes per audience per day (#11 item 11).
    expect(screen.getByText('TikTok allows at most 24 changes per audience per day, so the daily call budget can be 1 to 24.')).toBeTruthy();
    expect(b.callsTo('settings:set')).toHaveLength(1);
    expect(screen.getByText('/home/me/.config/cohort-relay')).toBeTruthy();
  });
});

describe('ui', () => {
  it('the meter and progress bar expose their numbers to assistive tech', () => {
    render(
      <>
        <Meter value={6} max={24} label="Calls left today" />
        <ProgressBar label="Checking" percent={42.4} rows={123456} rowsPerSec={50000} etaSec={4} phase="hashing" />
      </>,
    );
    expect(screen.getByRole('meter', { name: 'Calls left today' }).getAttribute('aria-valuetext')).toBe('6 of 24 calls left today');
    const bar = screen.getByRole('progressbar', { name: 'Checking' });
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(bar.getAttribute('aria-valuetext')).toBe(`Hashing, ${fmt(123456)} rows, ${fmt(50000)} rows/s, about 4 s left`);
  });
});
