/**
 * Browser sign-in end to end, in Debian's Chromium, through the web host with the real engine and the
 * offline sandbox answering like TikTok: the Connections screen shows the redirect URL to register (and a
 * setting to change it), a redirect URL the sandbox's developer app does not know stops at an error page,
 * and while the sign-in waits the screen offers the sign-in link and Cancel. The host opens no browser, so
 * the link is the only way in, as on a machine where the system browser does not open.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import { createEngine } from '../../electron/core/engine';
import { startWebHost } from '../../electron/web-host/server';
import type { WebHost } from '../../electron/web-host/server';
import type { EngineHost } from '../../shared/ipc/engine-host';
import { testRedirectUri } from '../helpers/ports';

const RENDERER = resolve('out/renderer');

test.describe.configure({ mode: 'serial' });

test.describe('signing in with a TikTok developer app, on the offline sandbox', () => {
  let home: string;
  let engine: EngineHost;
  let host: WebHost;
  let context: BrowserContext;
  let page: Page;
  /** The redirect URL registered on the sandbox's developer app (a free port: the default one may be busy on a shared machine). */
  let registered: string;

  test.beforeAll(async ({ browser }) => {
    if (!existsSync(join(RENDERER, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
    home = mkdtempSync(join(tmpdir(), 'cohort-relay-e2e-signin-'));
    registered = await testRedirectUri();
    engine = await createEngine(
      // No openExternal: the host cannot open a browser, so the screen's sign-in link is the way in.
      { dataDir: join(home, 'data'), host: 'web', environment: 'offline-sandbox' },
      {
        env: { COHORT_RELAY_KEYCHAIN: 'off' },
        // A developer app without "Read Ad Account Information": sign-in must not need it.
        simulator: { rateLimit: false, processingDelayMs: 0, redirectUris: [registered], adAccountPermission: false },
        statusRefreshMs: 0,
        tickMs: 3_600_000,
      },
    );
    host = await startWebHost({ handlers: engine.handlers, events: engine.events, rendererDir: RENDERER, port: 0 });
    // One context: the app's page, and tabs for "the user's browser" that opens the sign-in link.
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    await page.goto(host.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Connections' }).click();
    await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  });

  test.afterAll(async () => {
    await context?.close();
    await host?.close();
    await engine?.shutdown();
    if (home) rmSync(home, { recursive: true, force: true });
  });

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
