/**
 * The features that go beyond "the audience exists" (#14), walked in Chromium through the web host with the real
 * engine and the offline sandbox, each asserted as a user sees it and photographed for the README
 * (.reports/screenshots/feature-*.png; `npm run screenshots:readme` copies them to build/screenshots/).
 * Lookalike and share are sent only after the confirmation that says what they do; the honest match rate counts
 * the file's invalid rows; the overlap is counted from the hashes kept here. `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { DEFAULT_PROFILE } from '../../shared/domain';
import type { EngineHost } from '../../shared/ipc/engine-host';
import { openSandboxWebApp, SHOTS, type SandboxWebApp } from './sandbox-web-app';

const emails = (from: number, count: number) => Array.from({ length: count }, (_, i) => `buyer${from + i}@example.com`);

async function shot(target: Page | Locator, name: string): Promise<void> {
  await target.screenshot({ path: join(SHOTS, `feature-${name}.png`), animations: 'disabled' });
}

test.describe('beyond the sync: the features of #14 in the window', () => {
  let app: SandboxWebApp;
  let engine: EngineHost;
  let page: Page;
  const sim = () => app.sim()!;

  test.beforeAll(async ({ browser }) => {
    // TikTok matches 80 % of what it is sent, as a real audience would.
    app = await openSandboxWebApp(browser, 'feature-tour', { matchRate: 0.8 });
    ({ engine, page } = app);
    const h = engine.handlers;
    const conn = await h['connections:connectSandbox'](undefined);
    const advertiserId = conn.advertisers[0]!.advertiserId;
    const buyers = join(app.home, 'converted.csv');
    // 1,200 usable emails and 30 rows that are not emails: the honest match rate counts those 30 too.
    writeFileSync(buyers, `user_id,email\n${[...emails(0, 1200), ...Array.from({ length: 30 }, (_, i) => `no-email-${i}`)].map((e, i) => `${i},${e}`).join('\n')}\n`);
    const newsletter = join(app.home, 'newsletter.csv');
    writeFileSync(newsletter, `user_id,email\n${emails(900, 1500).map((e, i) => `${i},${e}`).join('\n')}\n`);
    const mk = (name: string, sourcePath: string) => h['audiences:create']({ advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
    const a = await mk('Converted buyers', buyers);
    const b = await mk('Newsletter readers', newsletter);
    for (const x of [a, b]) {
      await h['sync:run']({ audienceId: x.id });
      await expect.poll(async () => (await h['audiences:get']({ id: x.id })).lastSync, { timeout: 30_000 }).not.toBeNull();
      await expect.poll(async () => (await h['audiences:get']({ id: x.id })).running, { timeout: 30_000 }).toBe(false);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(app.host.url);
    await page.getByRole('grid', { name: 'Audiences' }).getByRole('button', { name: 'Converted buyers', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Converted buyers/ })).toBeVisible();
  });
  test.afterAll(async () => app?.close());

  test('the match rate counts every row of the file, invalid rows included, beside matched ÷ sent', async () => {
    const chart = page.locator('figure.chart');
    await expect(chart).toContainText(/of all 1,230 rows in the file, invalid rows included/, { timeout: 15_000 });
    await expect(chart).toContainText(/of 1,200 sent/);
    await shot(chart, 'match-rate');
  });

  test('a lookalike is created only after the confirmation, then listed', async () => {
    const panel = page.getByRole('region', { name: 'Use in TikTok' });
    await panel.getByRole('button', { name: /Lookalikes/ }).click();
    await panel.getByLabel('Lookalike name').fill('Buyers lookalike');
    await panel.getByRole('radio', { name: /Balanced/ }).check();
    await panel.getByRole('group', { name: 'Locations' }).getByRole('checkbox').first().check();
    await panel.getByRole('button', { name: 'Create lookalike…' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('Buyers lookalike');
    expect(sim().requests('dmp/custom_audience/lookalike/create')).toHaveLength(0);
    await dialog.getByRole('button', { name: /^Create/ }).click();
    await expect(dialog).toHaveCount(0);
    await expect(panel.getByText(/Buyers lookalike/).first()).toBeVisible();
    expect(sim().requests('dmp/custom_audience/lookalike/create')).toHaveLength(1);
    await shot(panel, 'lookalike');
  });

  test('sharing with another ad account asks first, then lists the account', async () => {
    const panel = page.getByRole('region', { name: 'Use in TikTok' });
    await panel.getByRole('button', { name: /Share with other ad accounts/ }).click();
    const other = panel.getByRole('group', { name: 'Ad accounts of this connection' }).getByRole('checkbox').first();
    await other.check();
    await panel.getByRole('button', { name: /^Share/ }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('Converted buyers');
    expect(sim().requests('dmp/custom_audience/share')).toHaveLength(0);
    await dialog.getByRole('button', { name: /^Share/ }).click();
    await expect(dialog).toHaveCount(0);
    await expect(panel.getByRole('button', { name: /^Stop sharing with/ })).toHaveCount(1);
    expect(sim().requests('dmp/custom_audience/share')).toHaveLength(1);
    await shot(panel, 'share');
  });

  test('the exact overlap of two audiences is counted here, nothing sent', async () => {
    const panel = page.getByRole('region', { name: 'Overlap with…' });
    await panel.getByLabel('Compare with').selectOption({ label: 'Newsletter readers' });
    const before = sim().requests('audience/insight/overlap').length;
    await panel.getByRole('button', { name: 'Compare' }).click();
    // Emails 900–1,199 are in both: 300 people.
    await expect(panel).toContainText('300');
    expect(sim().requests('audience/insight/overlap')).toHaveLength(before);
    await shot(panel, 'overlap');
  });
});
