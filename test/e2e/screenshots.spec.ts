/**
 * Every screen in light and dark at 1024×700 and 1280×800 (#11 "Done when"), photographed into .reports/screenshots/
 * (Playwright empties test-results/ at start), and checked for what a cut-off would hide: the page and its tables do
 * not scroll sideways, and primary buttons and row menus lie inside the window and inside their table.
 * The walk itself: first launch → the offline sandbox → a dropped CSV through every wizard step → the audience,
 * its mapping, the sync log and settings.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { dropFile, nav, openSandboxWebApp, SHOTS, type SandboxWebApp } from './sandbox-web-app';

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1280, height: 800 },
] as const;

/** Runs in the page (a string, so this file needs no DOM types): what would be cut off, in words; empty when nothing. */
const CUT_OFF = `(() => {
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > de.clientWidth + 1) out.push('the page scrolls sideways: ' + de.scrollWidth + ' > ' + de.clientWidth);
  const name = (el) => el.getAttribute('aria-label') || (el.querySelector('[aria-label]') && el.querySelector('[aria-label]').getAttribute('aria-label')) || el.className;
  for (const el of document.querySelectorAll('.grid-scroll, .table-scroll')) {
    if (el.scrollWidth > el.clientWidth + 1) out.push('table "' + name(el) + '" scrolls sideways: ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  const vw = de.clientWidth;
  for (const b of document.querySelectorAll('.btn-primary, [aria-haspopup="menu"]')) {
    const r = b.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const label = b.getAttribute('aria-label') || b.textContent.trim();
    if (r.left < 0 || r.right > vw + 1) out.push('"' + label + '" is cut off: ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + vw);
    const box = b.closest('.grid-scroll');
    if (box) {
      const br = box.getBoundingClientRect();
      if (r.right > br.right + 1 || r.left < br.left - 1) out.push('"' + label + '" lies outside its table');
    }
  }
  return out;
})()`;

const settle = (page: Page) => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

/** Both sizes, both themes: check nothing is cut off, then write the PNG. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await settle(page);
      expect(await page.evaluate<string[]>(CUT_OFF), `${name} at ${size.width}×${size.height}, ${scheme}`).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${name}-${size.width}x${size.height}-${scheme}.png`), fullPage: true, animations: 'disabled' });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

function cohortCsv(count: number): string {
  const rows = ['user_id,email,phone'];
  for (let i = 0; i < count; i++) rows.push(`${i},user${i}@example.com,+1415555${String(i).padStart(4, '0')}`);
  rows.push('9001,not-an-email,', '9002,jane@,');
  return `${rows.join('\n')}\n`;
}

test.describe('every screen at 1024×700 and 1280×800, light and dark', () => {
  let app: SandboxWebApp;
  test.beforeAll(async ({ browser }) => {
    app = await openSandboxWebApp(browser, 'shots');
  });
  test.afterAll(async () => app?.close());

  test('nothing important is cut off', async () => {
    test.setTimeout(150_000);
    const { page } = app;
    await page.goto(app.host.url);

    await expect(page.getByRole('heading', { name: 'No audiences yet' })).toBeVisible();
    await shoot(page, 'first-launch');

    await page.getByRole('button', { name: 'Try it with the offline sandbox' }).click();
    await expect(page.getByRole('button', { name: 'Next: import a cohort' })).toHaveClass(/btn-primary/);
    await nav(page, 'Connections');
    await expect(page.getByRole('heading', { name: 'Advertiser accounts' })).toBeVisible();
    await shoot(page, 'connections');

    await dropFile(page, 'spring-buyers.csv', cohortCsv(1500));
    await expect(page.getByRole('heading', { name: 'Step 2, Columns' })).toBeVisible();
    await shoot(page, 'wizard-2-columns');
    await page.getByRole('button', { name: 'Next: hash lab' }).click();
    await expect(page.getByRole('heading', { name: 'Step 3, Hash lab' })).toBeFocused();
    await expect(page.getByRole('cell', { name: 'user0@example.com' }).first()).toBeVisible();
    await shoot(page, 'wizard-3-hashlab');
    await page.getByRole('button', { name: 'Next: check the whole file' }).click();
    await expect(page.locator('dl.stats').getByText('Rows read')).toBeVisible();
    await shoot(page, 'wizard-4-validation');
    await page.getByRole('button', { name: 'Next: choose the audience' }).click();
    await page.getByLabel('Audience name').fill('Spring buyers with a rather long name for the table');
    await shoot(page, 'wizard-5-destination');
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await expect(page.locator('dl.stats div', { hasText: 'To add' }).locator('dd')).toHaveText((1500).toLocaleString('en-US'));
    await shoot(page, 'wizard-6-dryrun');
    // A double press: the second click lands where the sync step's Cancel appears, and must not cancel (#11 item 18).
    await page.getByRole('button', { name: 'Sync now' }).dblclick();
    await expect(page.getByRole('heading', { name: 'Step 7, Sync' })).toBeVisible();
    await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });
    await shoot(page, 'wizard-7-result');

    await page.getByRole('button', { name: 'Import another file' }).click();
    await expect(page.getByRole('heading', { name: 'Step 1, File' })).toBeVisible();
    await shoot(page, 'wizard-1-file');

    await nav(page, 'Audiences');
    await expect(page.getByRole('grid', { name: 'Audiences' }).getByRole('row')).toHaveCount(2);
    await shoot(page, 'audiences');
    await page.getByRole('grid', { name: 'Audiences' }).getByRole('button', { name: /^Spring buyers/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Spring buyers/ })).toBeVisible();
    await shoot(page, 'audience-detail');
    await page.getByRole('button', { name: /^Edit the mapping of/ }).click();
    await expect(page.getByText(/TikTok fixes an audience's key type/)).toBeVisible();
    await shoot(page, 'mapping');

    await nav(page, 'Sync log');
    const runs = page.getByRole('grid', { name: 'Runs' }).getByRole('row');
    await expect(runs.nth(1)).toContainText('Added 1,500 people');
    await runs.nth(1).click();
    await expect(page.getByRole('heading', { name: 'TikTok API calls' })).toBeVisible();
    await shoot(page, 'sync-log');

    await nav(page, 'Settings');
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await shoot(page, 'settings');

    // Workspaces (#14 §2): Settings' list with a second workspace, the delete confirmation, the sidebar's switcher.
    const workspaces = page.getByRole('group', { name: 'Workspaces' });
    await workspaces.getByLabel('New workspace').fill('Client B — Northern Europe retail');
    await workspaces.getByRole('button', { name: 'Create workspace' }).click();
    await expect(workspaces.getByRole('button', { name: 'Switch to Client B — Northern Europe retail' })).toBeVisible();
    await workspaces.scrollIntoViewIfNeeded();
    await shoot(page, 'settings-workspaces');
    await workspaces.getByRole('button', { name: 'Delete Client B — Northern Europe retail…' }).click();
    await expect(page.getByRole('dialog', { name: /^Delete the workspace/ })).toBeVisible();
    await shoot(page, 'workspace-delete');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    const sidebar = page.getByRole('navigation', { name: 'Main' });
    await sidebar.getByRole('button', { name: 'Workspace: Default' }).click();
    await expect(sidebar.getByRole('list', { name: 'Switch workspace' })).toBeVisible();
    await shoot(page, 'workspace-switcher');
  });
});
