/**
 * The safety net in Chromium, through the web host with the real engine and the offline sandbox: an export that
 * arrives cut short would remove most of a live audience, so "Sync now" is held — nothing reaches TikTok — and
 * the audience says so with the numbers; "Sync anyway (once)" then sends exactly that change. Screens are
 * photographed into .reports/screenshots/ (`npm run build` first, so out/renderer has these screens).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { DEFAULT_PROFILE } from '../../shared/domain';
import type { EngineHost } from '../../shared/ipc/engine-host';
import type { WebHost } from '../../electron/web-host/server';
import { nav, sandboxWebAppForAll, SHOTS, type SandboxWebApp } from './sandbox-web-app';

const f = (n: number) => n.toLocaleString('en-US');

function writeCohort(file: string, count: number): void {
  const rows = ['user_id,email'];
  for (let i = 0; i < count; i++) rows.push(`${i},user${i}@example.com`);
  writeFileSync(file, `${rows.join('\n')}\n`);
}

test.describe('a sync that would remove too many people is held, then sent once when confirmed', () => {
  let app: SandboxWebApp;
  let home: string;
  let engine: EngineHost;
  let host: WebHost;
  let page: Page;
  const sim = () => app.sim()!;

  sandboxWebAppForAll('hold', (a) => ({ home, engine, host, page } = app = a));

  test('a cut-short export is held with the numbers; "Sync anyway (once)" sends it', async () => {
    // An audience of 5,000 people, synced from a daily export (set up through the engine, as the wizard would).
    const h = engine.handlers;
    const file = join(home, 'daily-export.csv');
    writeCohort(file, 5000);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Spring buyers', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
    await h['sync:run']({ audienceId: a.id });
    await expect.poll(async () => (await h['audiences:get']({ id: a.id })).localSize, { timeout: 30_000 }).toBe(5000);
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    const updates = () => sim().requests('dmp/custom_audience/update').length + sim().requests('dmp/custom_audience/file/upload').length;

    // The next export arrives cut short: 1,750 rows instead of 5,000.
    writeCohort(file, 1750);
    const before = updates();
    await page.goto(host.url);
    const row = page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: 'Spring buyers' });
    await row.getByRole('button', { name: 'Sync Spring buyers now' }).click();

    await expect(row.getByText('Held: needs you')).toBeVisible({ timeout: 30_000 });
    await expect(row.getByRole('button', { name: /^Sync Spring buyers anyway, once: remove 3,250 of 5,000 people/ })).toBeVisible();
    await expect(row.getByRole('button', { name: 'Keep Spring buyers as is: do not send this change' })).toBeVisible();
    expect(updates()).toBe(before);
    expect(sim().membership(tiktokId)?.size).toBe(5000);
    await page.screenshot({ path: join(SHOTS, '20-audiences-held-light.png'), fullPage: true });

    await page.getByRole('button', { name: 'Spring buyers', exact: true }).click();
    const banner = page.getByRole('alert', { name: 'Held sync' });
    await expect(banner).toContainText(`This sync would remove ${f(3250)} of ${f(5000)} people (65 %), more than this audience's 20 % limit, so it was held: nothing was sent and no call was spent.`);
    await expect(banner).toContainText(`The file has ${f(1750)} rows; the one last synced had ${f(5000)}`);
    await expect(page.locator('table.data-table').getByText('Held: needs you')).toBeVisible();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await page.screenshot({ path: join(SHOTS, `21-audience-held-${scheme}.png`), fullPage: true, animations: 'disabled' });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // The user checked: the cohort really shrank. Sync anyway, once.
    await banner.getByRole('button', { name: /^Sync Spring buyers anyway, once/ }).click();
    await expect(page.getByRole('alert', { name: 'Held sync' })).toHaveCount(0, { timeout: 30_000 });
    await expect.poll(() => sim().membership(tiktokId)?.size, { timeout: 30_000 }).toBe(1750);
    await expect(page.locator('dl.stats div', { hasText: 'Local size' }).locator('dd')).toHaveText(f(1750));
    await expect(page.locator('table.data-table tbody tr').first().getByText('Done')).toBeVisible();

    // Once: the same drop again is held again.
    writeCohort(file, 1000);
    await nav(page, 'Audiences');
    await page.getByRole('grid', { name: 'Audiences' }).getByRole('button', { name: 'Sync Spring buyers now' }).click();
    await expect(page.getByRole('grid', { name: 'Audiences' }).getByText('Held: needs you')).toBeVisible({ timeout: 30_000 });
    expect(sim().membership(tiktokId)?.size).toBe(1750);
  });
});
