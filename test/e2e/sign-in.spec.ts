/**
 * Browser sign-in end to end, in Debian's Chromium, through the web host with the real engine and the
 * offline sandbox answering like TikTok: the Connections screen shows the redirect URL to register (and a
 * setting to change it), a redirect URL the sandbox's developer app does not know stops at an error page,
 * and while the sign-in waits the screen offers the sign-in link and Cancel. The host opens no browser, so
 * the link is the only way in, as on a machine where the system browser does not open.
 */
import { expect, test } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import type { WebHost } from '../../electron/web-host/server';
import { testRedirectUri } from '../helpers/ports';
import { nav, openSandboxWebApp, type SandboxWebApp } from './sandbox-web-app';

test.describe.configure({ mode: 'serial' });

test.describe('signing in with a TikTok developer app, on the offline sandbox', () => {
  let app: SandboxWebApp;
  let host: WebHost;
  let context: BrowserContext;
  let page: Page;
  /** The redirect URL registered on the sandbox's developer app (a free port: the default one may be busy on a shared machine). */
  let registered: string;

  test.beforeAll(async ({ browser }) => {
    registered = await testRedirectUri();
    // A developer app without "Read Ad Account Information": sign-in must not need it. The host opens no browser,
    // so the screen's sign-in link is the way in; the context's other tabs play "the user's browser".
    app = await openSandboxWebApp(browser, 'signin', { matchRate: 0.8, redirectUris: [registered], adAccountPermission: false });
    ({ host, context, page } = app);
    await page.goto(host.url);
    await nav(page, 'Connections');
    await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  });

  test.afterAll(async () => app?.close());

  async function startSignIn(): Promise<string> {
    await page.getByLabel('App id').fill('sandbox-app');
    await page.getByLabel('App secret').fill('sandbox-secret');
    await page.getByRole('button', { name: 'Sign in with TikTok' }).click();
    await expect(page.getByText(/Waiting for TikTok in your browser/)).toBeVisible();
    const link = page.getByLabel('Sign-in link');
    await expect(link).toHaveValue(/\/portal\/auth\?/);
    return link.inputValue();
  }

  test('shows the documented redirect URL to register; a URL the app does not know stops at TikTok\'s error page; Cancel ends the wait', async () => {
    await expect(page.getByLabel('Redirect URL to register')).toHaveValue('http://127.0.0.1:28561/oauth/callback');
    await expect(page.getByRole('button', { name: 'Copy redirect URL' })).toBeVisible();

    const link = await startSignIn();
    expect(new URL(link).searchParams.get('redirect_uri')).toBe('http://127.0.0.1:28561/oauth/callback');
    const consent = await context.newPage();
    const res = await consent.goto(link);
    expect(res?.status()).toBe(400);
    await expect(consent.getByText(/correct the following and try again: redirect_uri/)).toBeVisible();
    await consent.close();

    await page.getByRole('button', { name: 'Cancel sign-in' }).click();
    await expect(page.getByRole('button', { name: 'Sign in with TikTok' })).toBeEnabled();
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('after changing the redirect URL to the registered one, the copied sign-in link signs in; ad accounts are shown by id with the permission named', async () => {
    await page.getByRole('button', { name: 'Change redirect URL' }).click();
    await page.getByLabel('New redirect URL').fill(registered);
    await page.getByRole('button', { name: 'Save redirect URL' }).click();
    await expect(page.getByLabel('Redirect URL to register')).toHaveValue(registered);

    const link = await startSignIn();
    expect(new URL(link).searchParams.get('redirect_uri')).toBe(registered);
    const browserTab = await context.newPage();
    await browserTab.goto(link);
    await expect(browserTab.getByRole('heading', { name: 'Signed in' })).toBeVisible();
    await browserTab.close();

    await expect(page.getByText('Signed in with TikTok · Offline sandbox (simulated) · app sandbox-app')).toBeVisible();
    await expect(page.getByText(/shown by their ids.*"Read Ad Account Information"/)).toBeVisible();
    await expect(page.getByText('7000000000000000001').first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in with TikTok' })).toBeEnabled();
  });
});
