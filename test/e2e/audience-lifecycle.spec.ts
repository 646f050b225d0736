/**
 * Nothing happens that the user did not confirm (#11 S1.2, S1.4), in Chromium through the web host with the real
 * engine and the offline sandbox: an audience row's "…" menu (keyboard too), an undo that first says what it would
 * change and cost (a dry run: nothing is sent until confirmed), and deleting an audience here only or at TikTok
 * too, each behind a confirmation that says what happens. `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { DEFAULT_PROFILE } from '../../shared/domain';
import type { EngineHost } from '../../shared/ipc/engine-host';
import type { WebHost } from '../../electron/web-host/server';
import { sandboxWebAppForAll, SHOTS, type SandboxWebApp } from './sandbox-web-app';

function writeCohort(file: string, from: number, count: number): void {
  const rows = ['user_id,email'];
  for (let i = from; i < from + count; i++) rows.push(`${i},user${i}@example.com`);
  writeFileSync(file, `${rows.join('\n')}\n`);
}

test.describe('audience lifecycle: undo and delete ask first', () => {
  let app: SandboxWebApp;
  let home: string;
  let engine: EngineHost;
  let host: WebHost;
  let page: Page;
  const sim = () => app.sim()!;
  /** Calls that change TikTok (reads of an audience are not). */
  const changes = () => sim().requests().filter((r) => (r.endpoint.startsWith('dmp/') && !/\/(get|list)$/.test(r.endpoint)) || r.endpoint.startsWith('segment/')).length;

  sandboxWebAppForAll('lifecycle', (a) => ({ home, engine, host, page } = app = a));

  /** An audience of 1,500 people, synced twice (the second sync removed 200 and added 200). */
  async function syncedTwice(name: string): Promise<{ id: number; tiktokId: string }> {
    const h = engine.handlers;
    const file = join(home, `${name.replace(/\W+/g, '-')}.csv`);
    writeCohort(file, 0, 1500);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'daily', at: '03:00' } });
    const settled = async (n: number) => {
      await expect.poll(async () => (await h['runs:list']({ audienceId: a.id })).filter((r) => r.status === 'done').length, { timeout: 30_000 }).toBe(n);
      await expect.poll(async () => (await h['audiences:get']({ id: a.id })).running, { timeout: 30_000 }).toBe(false);
    };
    await h['sync:run']({ audienceId: a.id });
    await settled(1);
    writeCohort(file, 200, 1500);
    await h['sync:run']({ audienceId: a.id });
    await settled(2);
    return { id: a.id, tiktokId: (await h['audiences:get']({ id: a.id })).tiktokAudienceId! };
  }

  const row = (name: string): Locator => page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: name });

  test('the row menu works from the keyboard; Undo says what it would do and sends nothing until confirmed', async () => {
    const { id, tiktokId } = await syncedTwice('Spring buyers');
    await page.goto(host.url);
    const r = row('Spring buyers');
    await expect(r.getByRole('button', { name: 'Sync Spring buyers now' })).toBeVisible();
    // Undo is no longer one click away on the row.
    await expect(r.getByRole('button', { name: /Undo/ })).toHaveCount(0);

    const more = r.getByRole('button', { name: 'More actions for Spring buyers' });
    await expect(more).toHaveAttribute('aria-haspopup', 'menu');
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await more.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'More actions for Spring buyers' });
    await expect(menu).toBeVisible();
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    // A simulated (offline sandbox) audience has no Ads Manager page, so no link to one (#11 item 10).
    await expect(menu.getByRole('menuitem')).toHaveText(['Undo last sync…', 'Pause schedule', 'Delete…']);
    await expect(menu.getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' })).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(menu.getByRole('menuitem', { name: 'Pause scheduled syncs of Spring buyers' })).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect(menu.getByRole('menuitem', { name: 'Delete Spring buyers…' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu).toHaveCount(0);
    await expect(more).toBeFocused();

    // Undo last sync…: the numbers come from a dry run of the undo; nothing reaches TikTok before "Undo the sync".
    const before = changes();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Undo the last sync of Spring buyers?' });
    await expect(dialog).toContainText(/Undo the sync of \d{1,2}:\d{2}\s?(AM|PM)?: re-add 200, remove 200, uses 2 calls, pauses the schedule\./);
    await page.screenshot({ path: join(SHOTS, '30-undo-asks-first-light.png'), fullPage: true });
    expect(changes()).toBe(before);
    expect(sim().membership(tiktokId)?.size).toBe(1500);

    // Cancel (Escape) changes nothing.
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    expect(changes()).toBe(before);
    expect((await engine.handlers['audiences:get']({ id })).paused).toBe(false);

    // Confirmed: the inverse is sent and the schedule is paused.
    await more.click();
    await page.getByRole('menuitem', { name: 'Undo the last sync of Spring buyers…' }).click();
    await dialog.getByRole('button', { name: 'Undo the sync' }).click();
    await expect(dialog).toHaveCount(0, { timeout: 30_000 });
    await expect.poll(async () => (await engine.handlers['runs:list']({ audienceId: id })).find((x) => x.trigger === 'undo')?.status, { timeout: 30_000 }).toBe('done');
    await expect.poll(async () => (await engine.handlers['audiences:get']({ id })).paused, { timeout: 30_000 }).toBe(true);
    await expect.poll(() => sim().membership(tiktokId)?.size).toBe(1500);
    await expect(r.getByText('paused').first()).toBeVisible();
  });

  test('Delete… says what happens; "from Cohort Relay" keeps the TikTok audience, "also at TikTok" deletes it there', async () => {
    const local = await syncedTwice('Lapsed buyers');
    const both = await syncedTwice('Winter buyers');
    await page.goto(host.url);

    // Delete from Cohort Relay only.
    await row('Lapsed buyers').getByRole('button', { name: 'More actions for Lapsed buyers' }).click();
    await page.getByRole('menuitem', { name: 'Delete Lapsed buyers…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Lapsed buyers?' });
    await expect(dialog).toContainText('Delete “Lapsed buyers” from Cohort Relay: its schedule, sync history and the local record of who is in it are removed. The audience stays in TikTok Ads Manager.');
    const box = dialog.getByRole('checkbox', { name: 'Also delete at TikTok' });
    await expect(box).not.toBeChecked();
    await box.check();
    await expect(dialog).toContainText('It is also deleted at TikTok: ad groups using it stop targeting it. This cannot be undone.');
    await box.uncheck();
    // Cancel deletes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    expect((await engine.handlers['audiences:list'](undefined)).map((a) => a.name)).toContain('Lapsed buyers');

    await row('Lapsed buyers').getByRole('button', { name: 'More actions for Lapsed buyers' }).click();
    await page.getByRole('menuitem', { name: 'Delete Lapsed buyers…' }).click();
    await dialog.getByRole('button', { name: 'Delete from Cohort Relay' }).click();
    await expect(row('Lapsed buyers')).toHaveCount(0, { timeout: 30_000 });
    expect(await engine.handlers['runs:list']({ audienceId: local.id })).toEqual([]);
    expect(sim().membership(local.tiktokId)?.size).toBe(1500);
    expect(sim().requests('dmp/custom_audience/delete')).toHaveLength(0);

    // Delete here and at TikTok.
    await row('Winter buyers').getByRole('button', { name: 'More actions for Winter buyers' }).click();
    await page.getByRole('menuitem', { name: 'Delete Winter buyers…' }).click();
    const d2 = page.getByRole('dialog', { name: 'Delete Winter buyers?' });
    await d2.getByRole('checkbox', { name: 'Also delete at TikTok' }).check();
    await expect(d2).toContainText('Delete “Winter buyers” from Cohort Relay: its schedule, sync history and the local record of who is in it are removed. It is also deleted at TikTok: ad groups using it stop targeting it. This cannot be undone.');
    await page.screenshot({ path: join(SHOTS, '31-delete-asks-first-light.png'), fullPage: true });
    await d2.getByRole('button', { name: 'Delete here and at TikTok' }).click();
    await expect(row('Winter buyers')).toHaveCount(0, { timeout: 30_000 });
    expect(sim().requests('dmp/custom_audience/delete')).toHaveLength(1);
    expect(sim().membership(both.tiktokId)).toBeUndefined();
  });
});
