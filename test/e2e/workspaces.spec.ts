/**
 * Workspaces (#14 §2) in Debian's Chromium through the web host, with the real engine and the offline sandbox:
 * create "Client B" in Settings, switch to it from the sidebar (its audiences list is empty), create something
 * there, switch back (the first workspace's audiences are there and B's are not), a switch made elsewhere (the
 * tray) reaches the page, and the active workspace survives a reload. `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { DEFAULT_PROFILE } from '../../shared/domain';
import { nav, openSandboxWebApp, type SandboxWebApp } from './sandbox-web-app';

test.describe('workspaces keep each client apart', () => {
  let app: SandboxWebApp;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    app = await openSandboxWebApp(browser, 'workspaces');
    page = app.page;
  });
  test.afterAll(async () => app?.close());

  /** An audience in the engine's active workspace (the handlers answer for the active one, as the window's do). */
  async function audienceHere(name: string): Promise<void> {
    const h = app.engine.handlers;
    const file = join(app.home, `${name.replace(/\W+/g, '-')}.csv`);
    writeFileSync(file, `user_id,email\n${Array.from({ length: 1200 }, (_, i) => `${i},${name.replace(/\W+/g, '')}${i}@example.com`).join('\n')}\n`);
    const conn = (await h['connections:list'](undefined))[0] ?? (await h['connections:connectSandbox'](undefined));
    await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
  }

  const sidebar = () => page.getByRole('navigation', { name: 'Main' });
  const grid = () => page.getByRole('grid', { name: 'Audiences' });

  async function switchTo(from: string, to: string): Promise<void> {
    await sidebar().getByRole('button', { name: `Workspace: ${from}` }).click();
    await sidebar().getByRole('list', { name: 'Switch workspace' }).getByRole('button', { name: `Switch to ${to}` }).click();
    await expect(sidebar().getByRole('button', { name: `Workspace: ${to}` })).toBeVisible();
  }

  test('create, switch, nothing of one is visible from the other; the switch survives a reload', async () => {
    await audienceHere('Default buyers');
    await page.goto(app.host.url);
    await expect(sidebar().getByRole('button', { name: 'Workspace: Default' })).toBeVisible();
    await expect(grid().getByRole('row').filter({ hasText: 'Default buyers' })).toBeVisible();

    // Settings → Workspaces: create "Client B" (it does not switch to it).
    await nav(page, 'Settings');
    const section = page.getByRole('group', { name: 'Workspaces' });
    await section.getByLabel('New workspace').fill('Client B');
    await section.getByRole('button', { name: 'Create workspace' }).click();
    await expect(section.getByText('Created “Client B”.', { exact: false })).toBeVisible();
    await expect(section.getByRole('list', { name: 'Workspaces' })).toContainText('Client B');
    await expect(sidebar().getByRole('button', { name: 'Workspace: Default' })).toBeVisible();

    // Switch from the sidebar: B's audiences list is empty.
    await switchTo('Default', 'Client B');
    await expect(page).toHaveTitle('Client B — Cohort Relay');
    await nav(page, 'Audiences');
    await expect(page.getByRole('heading', { name: 'No audiences yet' })).toBeVisible();
    await expect(page.getByText('Default buyers')).toHaveCount(0);

    // Something of B's own: the offline sandbox connected here, and an audience.
    await nav(page, 'Connections');
    await page.getByRole('button', { name: 'Try the offline sandbox' }).click();
    await expect(page.getByRole('heading', { name: 'Advertiser accounts' })).toBeVisible();
    expect((await app.engine.handlers['workspaces:list'](undefined)).active).toBe('client-b');
    await audienceHere('Client B buyers');
    await nav(page, 'Audiences');
    await expect(grid().getByRole('row').filter({ hasText: 'Client B buyers' })).toBeVisible();
    await expect(page.getByText('Default buyers')).toHaveCount(0);

    // Back to Default: its audience is there, B's is not.
    await switchTo('Client B', 'Default');
    await expect(grid().getByRole('row').filter({ hasText: 'Default buyers' })).toBeVisible();
    await expect(page.getByText('Client B buyers')).toHaveCount(0);

    // A switch made elsewhere (the tray does exactly this call) reaches the page through the pushed event.
    await app.engine.handlers['workspaces:switch']({ id: 'client-b' });
    await expect(sidebar().getByRole('button', { name: 'Workspace: Client B' })).toBeVisible();
    await expect(grid().getByRole('row').filter({ hasText: 'Client B buyers' })).toBeVisible();
    await expect(page.getByText('Default buyers')).toHaveCount(0);

    // The active workspace is kept: a reload opens Client B again.
    await page.reload();
    await expect(sidebar().getByRole('button', { name: 'Workspace: Client B' })).toBeVisible();
    await expect(grid().getByRole('row').filter({ hasText: 'Client B buyers' })).toBeVisible();
    await expect(page.getByText('Default buyers')).toHaveCount(0);
  });
});
