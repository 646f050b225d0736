/**
 * Audience detail → Use in TikTok (#14 §1), in Chromium through the web host with the real engine and the offline
 * sandbox: a synced audience is excluded from two ad groups (a suppression list) only after the confirmation that
 * says so, and the panel then shows which ad groups use it. `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { DEFAULT_PROFILE } from '../../shared/domain';
import type { EngineHost } from '../../shared/ipc/engine-host';
import type { WebHost } from '../../electron/web-host/server';
import { sandboxWebAppForAll, SHOTS, type SandboxWebApp } from './sandbox-web-app';

test.describe('Use in TikTok: exclude from ad groups asks first', () => {
  let app: SandboxWebApp;
  let home: string;
  let engine: EngineHost;
  let host: WebHost;
  let page: Page;
  const sim = () => app.sim()!;

  sandboxWebAppForAll('use-in-tiktok', (a) => ({ home, engine, host, page } = app = a));

  test('excludes a synced audience from two ad groups after the confirmation, then shows them using it', async () => {
    const h = engine.handlers;
    const file = join(home, 'converted.csv');
    writeFileSync(file, `user_id,email\n${Array.from({ length: 1200 }, (_, i) => `${i},buyer${i}@example.com`).join('\n')}\n`);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Converted buyers', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
    await h['sync:run']({ audienceId: a.id });
    await expect.poll(async () => (await h['audiences:get']({ id: a.id })).tiktokAudienceId, { timeout: 30_000 }).not.toBeNull();
    await expect.poll(async () => (await h['audiences:get']({ id: a.id })).running, { timeout: 30_000 }).toBe(false);
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;

    await page.goto(host.url);
    await page.getByRole('grid', { name: 'Audiences' }).getByRole('button', { name: 'Converted buyers', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Use in TikTok' });
    await expect(panel).toBeVisible();
    await panel.getByRole('button', { name: /Ad groups/ }).click();
    await expect(panel.getByText('No ad group uses this audience.')).toBeVisible();
    await panel.getByRole('checkbox', { name: /Cart abandoners/ }).check();
    await panel.getByRole('checkbox', { name: /Past buyers/ }).check();
    await panel.getByRole('button', { name: 'Exclude from selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Exclude Converted buyers from ad groups?' });
    await expect(dialog).toContainText('Exclude "Converted buyers" from 2 ad groups (Cart abandoners, Past buyers) at TikTok: its people stop seeing these ads (a suppression list).');
    expect(sim().requests('dmp/custom_audience/apply')).toHaveLength(0);
    await dialog.getByRole('button', { name: 'Exclude' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(panel.getByText(/Used by Cart abandoners \(excluded\), Past buyers \(excluded\)/)).toBeVisible();
    expect(sim().adGroupsUsing(tiktokId).map((u) => u.usage)).toEqual(['Exclude', 'Exclude']);
    await panel.screenshot({ path: join(SHOTS, 'use-in-tiktok-ad-groups.png'), animations: 'disabled' });
  });
});
