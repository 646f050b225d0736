// @vitest-environment jsdom
import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { wireEvents } from '../../../renderer/src/app/engine-events';
import { useApp } from '../../../renderer/src/app/store';
import { ConnectScreen } from '../../../renderer/src/features/connect/connect-screen';
import { AppError } from '../../../shared/errors';
import type { ConnectionView, RedirectUriView } from '../../../shared/ipc/dto';
import { connection } from './fake-bridge';
import { useFakeEngine, clickWhenEnabled } from './setup';

const DEFAULT = 'http://127.0.0.1:28561/oauth/callback';
const view = (over: Partial<RedirectUriView> = {}): RedirectUriView => ({ redirectUri: DEFAULT, defaultRedirectUri: DEFAULT, source: 'default', ...over });
const LINK = 'https://business-api.tiktok.com/portal/auth?app_id=7123&state=abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A28561%2Foauth%2Fcallback';

let writeText: ReturnType<typeof vi.fn>;
beforeEach(() => {
  writeText = vi.fn(async () => undefined);
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard');
});

function fillApp(): void {
  fireEvent.change(screen.getByLabelText('App id'), { target: { value: '7123' } });
  fireEvent.change(screen.getByLabelText('App secret'), { target: { value: 's3cret' } });
}

describe('connect screen: the redirect URL', () => {
  it('shows the exact redirect URL to register next to the app id and secret, and copies it', async () => {
    useFakeEngine({ 'connections:list': () => [], 'connections:redirectUri': () => view() });
    render(<ConnectScreen />);
    const field = (await screen.findByLabelText('Redirect URL to register')) as HTMLInputElement;
    expect(field.value).toBe(DEFAULT);
    expect(field.readOnly).toBe(true);
    expect(screen.getByText(/add exactly this one under My Apps › your app › Advertiser redirect URL/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy redirect URL' }));
    expect(await screen.findByText('Copied.')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith(DEFAULT);
  });

  it('changes it: the engine\'s refusal in its words, Enter saves without starting a sign-in, and back to the default', async () => {
    let current = view();
    const b = useFakeEngine({
      'connections:list': () => [],
      'connections:redirectUri': () => current,
      'connections:setRedirectUri': ({ redirectUri }) => {
        if (redirectUri === 'https://x.example/cb') throw new AppError('INVALID_ARGUMENT', 'The redirect URL must start with http://.');
        current = redirectUri === null ? view() : view({ redirectUri, source: 'setting' });
        return current;
      },
    });
    render(<ConnectScreen />);
    await clickWhenEnabled('Change redirect URL');
    const input = screen.getByLabelText('New redirect URL');
    fireEvent.change(input, { target: { value: 'https://x.example/cb' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save redirect URL' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The redirect URL must start with http://.');

    fireEvent.change(input, { target: { value: 'http://127.0.0.1:40000/cb' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await screen.findByRole('button', { name: 'Change redirect URL' });
    expect(((await screen.findByLabelText('Redirect URL to register')) as HTMLInputElement).value).toBe('http://127.0.0.1:40000/cb');
    expect(b.callsTo('connections:loginOAuth')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Change redirect URL' }));
    fireEvent.click(screen.getByRole('button', { name: 'Use the default' }));
    await screen.findByRole('button', { name: 'Change redirect URL' });
    expect((screen.getByLabelText('Redirect URL to register') as HTMLInputElement).value).toBe(DEFAULT);
    expect(b.callsTo('connections:setRedirectUri')).toEqual([{ redirectUri: 'https://x.example/cb' }, { redirectUri: 'http://127.0.0.1:40000/cb' }, { redirectUri: null }]);
  });

  it('set by TIKTOK_REDIRECT_URI: says so and offers no change', async () => {
    useFakeEngine({ 'connections:list': () => [], 'connections:redirectUri': () => view({ redirectUri: 'http://localhost:41000/cb', source: 'env' }) });
    render(<ConnectScreen />);
    expect(((await screen.findByLabelText('Redirect URL to register')) as HTMLInputElement).value).toBe('http://localhost:41000/cb');
    expect(screen.getByText(/set by TIKTOK_REDIRECT_URI/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Change redirect URL' })).toBeNull();
  });
});

describe('connect screen: connections', () => {
  it('a connection whose ad accounts TikTok did not name shows them by id, with the engine\'s note on the permission', async () => {
    const note = 'TikTok did not let this app read the ad accounts\' names, so they are shown by their ids. To see the names, add the "Read Ad Account Information" permission.';
    useFakeEngine({
      'connections:list': () => [connection({ id: 'tt-7123', kind: 'oauth', appId: '7123', advertisers: [{ advertiserId: '7000000009', name: '7000000009' }], notice: note })],
      'connections:redirectUri': () => view(),
    });
    render(<ConnectScreen />);
    await act(() => useApp.getState().loadConnections());
    expect(screen.getByText(note)).toBeTruthy();
    expect(screen.getAllByText('7000000009')).toHaveLength(2);
  });
});

describe('connect screen: a waiting browser sign-in', () => {
  it('offers the sign-in link to copy and Cancel; cancelling ends it without an error, and the other cards wait meanwhile', async () => {
    let finish!: (err: unknown) => void;
    const b = useFakeEngine({
      'connections:list': () => [],
      'connections:redirectUri': () => view(),
      'connections:loginOAuth': () => new Promise<ConnectionView>((_resolve, reject) => (finish = reject)),
      'connections:cancelLogin': () => {
        finish(new AppError('CANCELLED', 'Sign-in was cancelled. Start it again when ready.'));
        return { cancelled: true };
      },
    });
    const unwire = wireEvents(b);
    try {
      render(<ConnectScreen />);
      await screen.findByLabelText('Redirect URL to register');
      fillApp();
      fireEvent.click(screen.getByRole('button', { name: 'Sign in with TikTok' }));
      expect(await screen.findByText(/Waiting for TikTok in your browser/)).toBeTruthy();
      expect(screen.getByRole('button', { name: 'Try the offline sandbox' }).hasAttribute('disabled')).toBe(true);
      expect(screen.getByRole('button', { name: 'Connect with this token' }).hasAttribute('disabled')).toBe(true);

      // The engine pushes the link once its listener waits.
      act(() => b.emit('connection:signInWaiting', { url: LINK, redirectUri: DEFAULT, expiresAt: '2026-12-01T10:05:00Z' }));
      expect(((await screen.findByLabelText('Sign-in link')) as HTMLInputElement).value).toBe(LINK);
      fireEvent.click(screen.getByRole('button', { name: 'Copy sign-in link' }));
      await screen.findByText('Copied.');
      expect(writeText).toHaveBeenCalledWith(LINK);

      fireEvent.click(screen.getByRole('button', { name: 'Cancel sign-in' }));
      expect(await screen.findByRole('button', { name: 'Sign in with TikTok' })).toBeTruthy();
      expect(b.callsTo('connections:cancelLogin')).toHaveLength(1);
      expect(screen.queryByRole('alert')).toBeNull();
      expect(screen.queryByLabelText('Sign-in link')).toBeNull();
      expect(useApp.getState().connectError).toBeNull();
      expect(screen.getByRole('button', { name: 'Try the offline sandbox' }).hasAttribute('disabled')).toBe(false);
    } finally {
      unwire();
    }
  });

  it('without a clipboard, selects the sign-in link and names the keys to press', async () => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    const b = useFakeEngine({ 'connections:list': () => [], 'connections:redirectUri': () => view(), 'connections:loginOAuth': () => new Promise<ConnectionView>(() => undefined) });
    const unwire = wireEvents(b);
    try {
      render(<ConnectScreen />);
      fillApp();
      fireEvent.click(screen.getByRole('button', { name: 'Sign in with TikTok' }));
      act(() => b.emit('connection:signInWaiting', { url: LINK, redirectUri: DEFAULT, expiresAt: '2026-12-01T10:05:00Z' }));
      const link = (await screen.findByLabelText('Sign-in link')) as HTMLInputElement;
      fireEvent.click(screen.getByRole('button', { name: 'Copy sign-in link' }));
      expect(await screen.findByText(/Selected: press Ctrl\+C/)).toBeTruthy();
      expect(document.activeElement).toBe(link);
      expect(link.selectionStart).toBe(0);
      expect(link.selectionEnd).toBe(LINK.length);
    } finally {
      unwire();
    }
  });

  it('a sign-in that fails still shows the engine\'s words, and the waiting panel goes away', async () => {
    const b = useFakeEngine({
      'connections:list': () => [connection()],
      'connections:redirectUri': () => view(),
      'connections:loginOAuth': () => {
        throw new AppError('INVALID_ARGUMENT', 'Port 28561 is already in use on this computer. Choose another redirect URL.');
      },
    });
    render(<ConnectScreen />);
    await act(() => useApp.getState().loadConnections());
    fillApp();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with TikTok' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Port 28561 is already in use');
    expect(screen.queryByText(/Waiting for TikTok/)).toBeNull();
    expect(b.callsTo('connections:loginOAuth')).toEqual([{ appId: '7123', appSecret: 's3cret' }]);
  });
});
