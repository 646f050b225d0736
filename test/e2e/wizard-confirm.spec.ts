/**
 * Issue #11, "Nothing happens that the user did not confirm", in Debian's Chromium against the real engine and
 * the offline sandbox: a dry run saves nothing (not the new source, not the schedule), an abandoned new-audience
 * draft never becomes an audience (so it is never scheduled), and turning "several keys" on and off gives back
 * the single key, which every step after Columns names.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { dropFile, nav, openSandboxWebApp, type SandboxWebApp } from './sandbox-web-app';

/** user_id,email with `count` addresses from `from`. */
function cohortCsv(from: number, count: number): string {
  const rows = ['user_id,email'];
  for (let i = from; i < from + count; i++) rows.push(`${i},user${i}@example.com`);
  return `${rows.join('\n')}\n`;
}

/** A CRM export with an email, a phone and an IDFA per person. */
function multiKeyCsv(count: number): string {
  const rows = ['user_id,email,phone,idfa'];
  for (let i = 0; i < count; i++) rows.push(`${i},crm${i}@example.com,+1415555${String(i).padStart(4, '0')},5f3a2b18-9c4d-4e7f-b8e2-${(i + 1).toString(16).padStart(12, '0')}`);
  return `${rows.join('\n')}\n`;
}

/** From the columns step to the destination step, through hash lab and validation. */
async function toDestination(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Next: hash lab' }).click();
  await page.getByRole('button', { name: 'Next: check the whole file' }).click();
  await page.getByRole('button', { name: 'Next: choose the audience' }).click();
}

test.describe.configure({ mode: 'serial' });

test.describe('the wizard saves only what the user confirmed (#11)', () => {
  let app: SandboxWebApp;
  let page: Page;
  const audiences = () => app.engine.handlers['audiences:list'](undefined);

  test.beforeAll(async ({ browser }) => {
    app = await openSandboxWebApp(browser, 'wizard-confirm');
    page = app.page;
    await page.goto(app.host.url);
    await nav(page, 'Connections');
    await page.getByRole('button', { name: 'Try the offline sandbox' }).click();
    await expect(page.getByRole('heading', { name: 'Advertiser accounts' })).toBeVisible();
  });

  test.afterAll(async () => app?.close());

  test('a dry run into a synced audience saves neither the new source nor the new schedule; it shows the source change', async () => {
    await dropFile(page, 'big-buyers.csv', cohortCsv(0, 1500));
    await toDestination(page);
    await page.getByLabel('Audience name').fill('Big buyers');
    // The browser version syncs an uploaded copy once (manual), never on a repeating schedule.
    await expect(page.getByLabel('Cadence')).toHaveValue('manual');
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });
    // The uploaded copy is removed once the one-off sync that read it has ended (#12.8): wait for that, so the
    // audience is compared below in its settled state, not while the removal may still be under way.
    await expect.poll(async () => (await audiences())[0]?.sourcePath, { timeout: 10_000 }).toBeNull();
    const [before] = await audiences();
    expect(before).toMatchObject({ name: 'Big buyers', cadence: { kind: 'manual' } });

    // A much smaller file, dry-run only, with a sync scheduled for later: nothing of it may stick.
    await dropFile(page, 'small-563.csv', cohortCsv(0, 563));
    await toDestination(page);
    await page.getByLabel(/An existing TikTok audience/).check();
    await page.getByRole('list', { name: 'Existing audiences' }).getByLabel(/Big buyers/).check();
    await page.getByLabel('Cadence').selectOption('once');
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await expect(page.locator('dl.stats div', { hasText: 'To remove' }).locator('dd')).toHaveText('937');
    expect(await audiences()).toEqual([expect.objectContaining({ id: before!.id, sourcePath: before!.sourcePath, sourceKind: 'file', cadence: { kind: 'manual' }, nextSync: before!.nextSync })]);
    await expect(page.getByText(/Source changes from .+ to small-563\.csv/)).toBeVisible();

    // Leaving the wizard keeps it so.
    await nav(page, 'Audiences');
    await expect(page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: 'Big buyers' })).toBeVisible();
    const [after] = await audiences();
    expect(after).toMatchObject({ sourcePath: before!.sourcePath, cadence: before!.cadence });
  });

  test('an abandoned new-audience draft never becomes an audience, so it is never listed nor scheduled', async () => {
    await dropFile(page, 'abandoned.csv', cohortCsv(5000, 1200));
    await toDestination(page);
    await page.getByLabel('Audience name').fill('Abandoned draft');
    await page.getByLabel('Cadence').selectOption('once');
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await expect(page.locator('dl.stats div', { hasText: 'To add' }).locator('dd')).toHaveText((1200).toLocaleString('en-US'));
    await nav(page, 'Audiences');
    await expect(page.getByRole('heading', { name: 'Audiences', level: 1 })).toBeVisible();
    await expect(page.getByText('Abandoned draft')).toHaveCount(0);
    expect((await audiences()).map((a) => a.name)).not.toContain('Abandoned draft');
    // The scheduler works from the saved audiences: the tray's list is what it would run.
    expect((await app.engine.traySnapshot()).audiences.map((a) => a.name)).not.toContain('Abandoned draft');
  });

  test('turning several keys on and off restores the single key, and every later step says what it matches on', async () => {
    await dropFile(page, 'crm-keys.csv', multiKeyCsv(1200));
    await expect(page.getByLabel('Key column')).toHaveValue('1');
    await page.getByRole('checkbox', { name: /Match on several keys/ }).check();
    // Leaving the email out puts the phone on screen; turning several keys off must give the email back.
    await page.getByRole('combobox', { name: /^Email column/ }).selectOption('');
    await page.getByRole('checkbox', { name: /Match on several keys/ }).uncheck();
    await expect(page.getByLabel('Key column')).toHaveValue('1');
    await expect(page.getByLabel('Key type (TikTok matches on this)')).toHaveValue('email');

    const matching = page.getByTestId('matching-on');
    const said = 'Matching on: Email (column `email`)';
    await page.getByRole('button', { name: 'Next: hash lab' }).click();
    await expect(matching).toHaveText(said);
    await page.getByRole('button', { name: 'Next: check the whole file' }).click();
    await expect(matching).toHaveText(said);
    await page.getByRole('button', { name: 'Next: choose the audience' }).click();
    await expect(matching).toHaveText(said);
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await expect(page.locator('dl.stats div', { hasText: 'To add' }).locator('dd')).toHaveText((1200).toLocaleString('en-US'));
    await expect(matching).toHaveText(said);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });
    await expect(matching).toHaveText(said);
    const crm = (await audiences()).find((a) => a.name === 'crm-keys');
    expect(crm?.keys).toEqual([{ key: 'email', column: 'email' }]);
  });
});
