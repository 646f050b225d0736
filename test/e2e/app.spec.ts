/**
 * The renderer end to end, in Debian's Chromium, through the web host with the real engine and the offline
 * sandbox (no network): connect, drop a CSV onto the window, walk the wizard, sync, see the audience,
 * sync a changed file (only the diff), a revoked token asks for a re-connect, an invalid file shows its
 * error. Every screen is photographed in light and dark into .reports/screenshots/ (Playwright empties
 * test-results/ at start, so screenshots live beside the other reports).
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { SimulatorHandle } from '../../electron/core/sandbox';
import type { WebHost } from '../../electron/web-host/server';
import { dropFile, nav, openSandboxWebApp, SHOTS, type SandboxWebApp } from './sandbox-web-app';

/** A cohort: user_id,email with `count` addresses from `from`, plus two malformed emails and an empty cell. */
function cohortCsv(from: number, count: number): string {
  const rows = ['user_id,email'];
  for (let i = from; i < from + count; i++) rows.push(`${i},user${i}@example.com`);
  rows.push('9001,not-an-email', '9002,jane@', '9003,');
  return `${rows.join('\n')}\n`;
}

/**
 * A CRM export with three keys per person: every row has an email, every 5th lacks a phone and every 3rd
 * lacks an IDFA, so 1,500 people have 1,500 emails, 1,200 phones and 1,000 IDFAs.
 */
function multiKeyCsv(count: number): string {
  const rows = ['user_id,email,phone,idfa'];
  for (let i = 0; i < count; i++) {
    const phone = i % 5 === 0 ? '' : `+1415555${String(i).padStart(4, '0')}`;
    const idfa = i % 3 === 0 ? '' : `5f3a2b18-9c4d-4e7f-b8e2-${(i + 1).toString(16).padStart(12, '0')}`;
    rows.push(`${i},crm${i}@example.com,${phone},${idfa}`);
  }
  return `${rows.join('\n')}\n`;
}

/** Drops a large generated cohort, built inside the page so megabytes do not cross the test protocol. */
async function dropLargeFile(page: Page, name: string, count: number): Promise<void> {
  const dt = await page.evaluateHandle(
    ({ name, count }) => {
      const w = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: string[], name: string, options: { type: string }) => unknown;
      };
      const parts = ['user_id,email\n'];
      for (let start = 0; start < count; start += 100_000) {
        const chunk: string[] = [];
        for (let i = start; i < Math.min(count, start + 100_000); i++) chunk.push(`${i},user${i}@example.com\n`);
        parts.push(chunk.join(''));
      }
      const d = new w.DataTransfer();
      d.items.add(new w.File(parts, name, { type: 'text/csv' }));
      return d;
    },
    { name, count },
  );
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
}

/** One screenshot per theme; the app follows the system theme by default. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true, animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe.configure({ mode: 'serial' });

test.describe('Cohort Relay in the browser, on the offline sandbox', () => {
  let app: SandboxWebApp;
  let home: string;
  let host: WebHost;
  let sim: SimulatorHandle | null = null;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    app = await openSandboxWebApp(browser, 'app');
    ({ home, host, page } = app);
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(host.url);
    await expect(page.getByRole('heading', { name: 'Audiences', level: 1 })).toBeVisible();
    expect(cspErrors).toEqual([]);
  });

  test.afterAll(async () => app?.close());

  test('empty states, then connecting the offline sandbox lists its advertiser', async () => {
    await expect(page.getByRole('heading', { name: 'No audiences yet' })).toBeVisible();
    await shoot(page, '01-audiences-empty');
    await nav(page, 'Connections');
    await expect(page.getByRole('heading', { name: 'No TikTok account connected yet' })).toBeVisible();
    await page.getByRole('button', { name: 'Try the offline sandbox' }).click();
    await expect(page.getByRole('heading', { name: 'Advertiser accounts' })).toBeVisible();
    await expect(page.getByText('Connected', { exact: true })).toBeVisible();
    await shoot(page, '02-connect');
  });

  test('a dropped CSV walks the wizard to a synced audience with the right counts and state', async () => {
    // Dragging a file over the window shows where it can go.
    const dragging = await page.evaluateHandle(() => {
      const w = globalThis as unknown as { DataTransfer: new () => { items: { add(file: unknown): void } }; File: new (parts: string[], name: string) => unknown };
      const d = new w.DataTransfer();
      d.items.add(new w.File(['x'], 'x.csv'));
      return d;
    });
    await page.dispatchEvent('main', 'dragenter', { dataTransfer: dragging });
    await expect(page.getByText('Drop the CSV to import it')).toBeVisible();
    await page.screenshot({ path: join(SHOTS, '02b-drop-overlay-light.png') });
    await page.dispatchEvent('main', 'dragleave', { dataTransfer: dragging });
    await expect(page.getByText('Drop the CSV to import it')).toHaveCount(0);

    await dropFile(page, 'spring-buyers.csv', cohortCsv(0, 1500));
    await expect(page.getByRole('heading', { name: 'Import & sync a cohort' })).toBeVisible();
    const emailHeader = page.getByRole('columnheader', { name: /email/ });
    await expect(emailHeader).toHaveClass(/col-detected/);
    await expect(emailHeader).toHaveClass(/col-key/);
    await expect(page.getByLabel('Key type (TikTok matches on this)')).toHaveValue('email');
    await shoot(page, '03-import-columns');

    await page.getByRole('button', { name: 'Next: hash lab' }).click();
    await expect(page.getByText(/of .* match/)).toBeVisible();
    await expect(page.getByRole('cell', { name: 'user0@example.com' }).first()).toBeVisible();
    await shoot(page, '04-import-hashlab');

    await page.getByRole('button', { name: 'Next: check the whole file' }).click();
    const stats = page.locator('dl.stats');
    await expect(stats.getByText('Rows read')).toBeVisible();
    await expect(stats.locator('div', { hasText: 'Rows read' }).locator('dd')).toHaveText((1503).toLocaleString('en-US'));
    await expect(stats.locator('div', { hasText: 'Rejected' }).locator('dd')).toHaveText('3');
    await expect(page.getByRole('cell', { name: 'Not an email address' })).toBeVisible();
    await page.getByRole('button', { name: 'Export rejects' }).click();
    await expect(page.getByText(/Wrote 3 rejected rows to/)).toBeVisible();
    await shoot(page, '05-import-validation');

    await page.getByRole('button', { name: 'Next: choose the audience' }).click();
    await page.getByLabel('Audience name').fill('Spring buyers');
    await shoot(page, '06-import-destination');
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await expect(page.locator('dl.stats div', { hasText: 'To add' }).locator('dd')).toHaveText((1500).toLocaleString('en-US'));
    await expect(page.locator('dl.stats div', { hasText: 'To remove' }).locator('dd')).toHaveText('0');
    await expect(page.getByRole('meter', { name: 'Calls left today' })).toHaveAttribute('aria-valuenow', '24');
    await shoot(page, '07-import-dryrun');

    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('heading', { name: /Sync finished/ })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible();
    await shoot(page, '08-import-synced');

    await nav(page, 'Audiences');
    const row = page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: 'Spring buyers' });
    await expect(row.getByText('Available')).toBeVisible();
    await expect(row.getByRole('gridcell').nth(2)).toHaveText((1500).toLocaleString('en-US'));
    await expect(row.getByRole('gridcell').nth(3)).toHaveText((1500).toLocaleString('en-US'));
    await expect(row.getByRole('meter')).toHaveAttribute('aria-valuenow', '23');
    await shoot(page, '09-audiences');
  });

  test('a second, changed file into the same audience sends only the diff', async () => {
    await dropFile(page, 'spring-buyers-2.csv', cohortCsv(100, 1500));
    await page.getByRole('button', { name: 'Next: hash lab' }).click();
    await page.getByRole('button', { name: 'Next: check the whole file' }).click();
    await page.getByRole('button', { name: 'Next: choose the audience' }).click();
    await page.getByLabel(/An existing TikTok audience/).check();
    await page.getByRole('list', { name: 'Existing audiences' }).getByLabel(/Spring buyers/).check();
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await expect(page.locator('dl.stats div', { hasText: 'To add' }).locator('dd')).toHaveText('100');
    await expect(page.locator('dl.stats div', { hasText: 'To remove' }).locator('dd')).toHaveText('100');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });

    await nav(page, 'Audiences');
    await expect(page.getByRole('grid', { name: 'Audiences' }).getByRole('row')).toHaveCount(2);
    await page.getByRole('button', { name: 'Spring buyers', exact: true }).click();
    await expect(page.getByRole('img', { name: /Sent vs matched over 2 syncs/ })).toBeVisible();
    await expect(page.getByText(/^Expires in \S+ days/)).toBeVisible();
    await shoot(page, '10-audience-detail');

    await page.getByRole('button', { name: 'Edit the mapping of Spring buyers' }).click();
    await expect(page.getByText(/TikTok fixes an audience's key type/)).toBeVisible();
    await shoot(page, '11-mapping');

    await nav(page, 'Sync log');
    const runs = page.getByRole('grid', { name: 'Runs' }).getByRole('row');
    await expect(runs).toHaveCount(3);
    const latest = runs.nth(1);
    await expect(latest).toContainText('Added 100 people, removed 100 people');
    await latest.click();
    await expect(page.getByRole('heading', { name: 'TikTok API calls' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'API calls' }).getByText(/custom_audience\/update/).first()).toBeVisible();
    await shoot(page, '12-sync-log');

    await nav(page, 'Settings');
    await expect(page.getByText(join(home, 'data'))).toBeVisible();
    await shoot(page, '13-settings');
    // The theme setting wins over the system's; "system" follows it again.
    await page.getByLabel('Theme').selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.screenshot({ path: join(SHOTS, '13b-settings-theme-dark-on-light-system.png'), fullPage: true });
    await page.getByLabel('Theme').selectOption('system');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  });

  test('the audiences grid works by keyboard, with a visible focus ring', async () => {
    await nav(page, 'Audiences');
    const grid = page.getByRole('grid', { name: 'Audiences' });
    await grid.locator('[data-row-index="0"]').focus();
    await page.keyboard.press('Home');
    await expect(grid.locator('[data-row-index="0"]')).toBeFocused();
    const outline = await grid.locator('[data-row-index="0"]').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.screenshot({ path: join(SHOTS, '09b-audiences-keyboard-focus-light.png') });
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: /Spring buyers/ })).toBeVisible();
  });

  test('an invalid file shows its error in plain words', async () => {
    await dropFile(page, 'header-only.csv', 'user_id,email\n');
    await expect(page.getByRole('alert')).toContainText('has a header row but no data rows');
    await expect(page.getByRole('alert')).toContainText('header-only.csv cannot be imported');
    await shoot(page, '14-import-invalid-file');
  });

  test('checking a large file shows rows, rows/s and ETA, and cancel stops it', async () => {
    // Big enough that checking it takes seconds here, so the progress is seen before the end.
    await dropLargeFile(page, 'large-cohort.csv', 4_000_000);
    await page.getByRole('button', { name: 'Next: hash lab' }).click();
    await page.getByRole('button', { name: 'Next: check the whole file' }).click();
    const bar = page.getByRole('progressbar', { name: 'Checking large-cohort.csv' });
    await expect(bar).toHaveAttribute('aria-valuetext', /rows\/s/);
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await page.screenshot({ path: join(SHOTS, '15-import-progress-light.png'), animations: 'disabled' });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText(/Stopped: the file was not checked to the end/)).toBeVisible();
  });

  test('a CSV with several key columns syncs as one multi-key audience, with counts per key', async () => {
    const n = (x: number) => x.toLocaleString('en-US');
    await dropFile(page, 'crm-all-keys.csv', multiKeyCsv(1500));
    await page.getByRole('checkbox', { name: /Match on several keys/ }).check();
    await expect(page.getByRole('combobox', { name: /^Email column/ })).toHaveValue('1');
    await expect(page.getByRole('combobox', { name: /^Phone column/ })).toHaveValue('2');
    await expect(page.getByRole('combobox', { name: /^Mobile ad id column/ })).toHaveValue('3');
    await expect(page.getByLabel('Mobile ad id type')).toHaveValue('idfa');
    await expect(page.getByText(/the same cohort usually reaches more people/)).toBeVisible();
    await shoot(page, '18-import-multikey-columns');

    await page.getByRole('button', { name: 'Next: hash lab' }).click();
    await expect(page.getByRole('cell', { name: 'crm0@example.com' }).first()).toBeVisible();
    const switcher = page.getByRole('group', { name: 'Key shown' });
    await switcher.getByRole('button', { name: 'Phone · phone' }).click();
    await expect(page.getByRole('cell', { name: '+14155550001' }).first()).toBeVisible();
    await shoot(page, '19-import-multikey-hashlab');

    await page.getByRole('button', { name: 'Next: check the whole file' }).click();
    await expect(page.getByText('Showing Phone only.', { exact: false })).toBeVisible();
    await expect(page.locator('dl.stats div', { hasText: 'Valid keys' }).locator('dd')).toHaveText(n(1200));
    await page.getByRole('group', { name: 'Key shown' }).getByRole('button', { name: 'Email · email' }).click();
    await expect(page.locator('dl.stats div', { hasText: 'Valid keys' }).locator('dd')).toHaveText(n(1500));
    await page.getByRole('button', { name: 'Next: choose the audience' }).click();
    await page.getByLabel('Audience name').fill('CRM all keys');
    await expect(page.getByLabel('Customer-file audience')).toBeChecked();
    await page.getByLabel('Partner audience (segment API)').check();
    await shoot(page, '20-import-multikey-destination-partner');
    await page.getByLabel('Customer-file audience').check();
    await page.getByRole('button', { name: 'Next: dry run' }).click();

    const perKey = page.getByRole('region', { name: 'Counts per key' });
    await expect(perKey).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('dl.stats div', { hasText: 'To add' }).locator('dd')).toHaveText(n(1500));
    await expect(perKey.getByRole('row', { name: /^Email/ }).getByRole('cell').nth(0)).toHaveText(n(1500));
    await expect(perKey.getByRole('row', { name: /^Phone/ }).getByRole('cell').nth(0)).toHaveText(n(1200));
    await expect(perKey.getByRole('row', { name: /^MAID/ }).getByRole('cell').nth(0)).toHaveText(n(1000));
    await shoot(page, '21-import-multikey-dryrun');

    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });
    await nav(page, 'Audiences');
    const row = page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: 'CRM all keys' });
    await expect(row.getByText('Email + Phone + MAID', { exact: true })).toBeVisible();
    await expect(row.getByText('Available')).toBeVisible();
    await expect(row.getByRole('gridcell').nth(3)).toHaveText(n(1500));
    await shoot(page, '22-audiences-multikey');

    await page.getByRole('button', { name: 'CRM all keys', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'People per key' })).toBeVisible();
    await expect(page.locator('dl.stats div', { hasText: 'With Phone' }).locator('dd')).toHaveText(n(1200));
    await expect(page.locator('dl.stats div', { hasText: 'With MAID · IDFA' }).locator('dd')).toHaveText(n(1000));
    await shoot(page, '23-audience-detail-multikey');
    await page.getByRole('button', { name: 'Edit the mapping of CRM all keys' }).click();
    await expect(page.getByText('Email + Phone + MAID (multi-key: one row per person)')).toBeVisible();
    await shoot(page, '24-mapping-multikey');
  });

  /** Walks a dropped single-key cohort to the dry run of a new audience of the given type. */
  async function toPartnerDryRun(file: string, csv: string, name: string): Promise<void> {
    await dropFile(page, file, csv);
    await page.getByRole('button', { name: 'Next: hash lab' }).click();
    await page.getByRole('button', { name: 'Next: check the whole file' }).click();
    await page.getByRole('button', { name: 'Next: choose the audience' }).click();
    await page.getByLabel('Audience name').fill(name);
    await page.getByLabel('Partner audience (segment API)').check();
    await page.getByRole('button', { name: 'Next: dry run' }).click();
    await expect(page.getByText(/Partner audience: no daily change cap/)).toBeVisible({ timeout: 30_000 });
  }

  test('a partner audience syncs through the segment API and is tagged; when TikTok refuses, the wizard says it made a customer-file audience', async () => {
    sim = app.sim();
    expect(sim, 'the offline sandbox simulator started').not.toBeNull();
    const segmentCalls = () => sim!.requests('segment/mapping').length;
    const before = segmentCalls();
    await toPartnerDryRun('partner-buyers.csv', cohortCsv(20_000, 1500), 'Partner buyers');
    await expect(page.getByRole('meter', { name: 'Calls left today' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/did not allow a partner audience/)).toHaveCount(0);
    expect(segmentCalls()).toBeGreaterThan(before);
    await nav(page, 'Audiences');
    const row = page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: 'Partner buyers' });
    await expect(row.getByText('Partner', { exact: true })).toBeVisible();
    await expect(row.getByText('No daily cap')).toBeVisible();
    await expect(row.getByRole('gridcell').nth(3)).toHaveText((1500).toLocaleString('en-US'));
    await shoot(page, '25-audiences-partner');

    // An app TikTok has not allowlisted: 40118, and the first sync makes a customer-file audience instead.
    sim!.configure({ segmentAllowlisted: false });
    try {
      await toPartnerDryRun('refused-buyers.csv', cohortCsv(40_000, 1500), 'Refused partner');
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByText(/did not allow a partner audience for this developer app/)).toBeVisible();
      await shoot(page, '26-import-partner-refused');
      await nav(page, 'Audiences');
      const refused = page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: 'Refused partner' });
      await expect(refused.getByRole('meter')).toBeVisible();
      await expect(refused.getByText('Partner', { exact: true })).toHaveCount(0);
    } finally {
      sim!.configure({ segmentAllowlisted: true });
    }
  });

  test('a revoked token shows "re-connect" on the audience and the connection, and re-connecting clears it', async () => {
    sim = app.sim();
    expect(sim, 'the offline sandbox simulator started').not.toBeNull();
    sim!.revokeToken(sim!.accessToken);
    // An unchanged file sends nothing, so TikTok would never see the revoked token: give the audience a
    // changed source through its mapping, then sync.
    await nav(page, 'Audiences');
    await page.getByRole('button', { name: 'Spring buyers', exact: true }).click();
    await page.getByRole('button', { name: 'Edit the mapping of Spring buyers' }).click();
    await page.locator('#mapping-source').setInputFiles({ name: 'spring-buyers-3.csv', mimeType: 'text/csv', buffer: Buffer.from(cohortCsv(200, 1500)) });
    // A picked file is part of the edit until "Save changes" (nothing is saved unconfirmed).
    await expect(page.getByText(/not saved yet/)).toBeVisible();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Saved.')).toBeVisible();
    await expect(page.getByText(/spring-buyers-3\.csv/)).toBeVisible();
    await nav(page, 'Audiences');
    await page.getByRole('button', { name: 'Sync Spring buyers now' }).click();
    const row = page.getByRole('grid', { name: 'Audiences' }).getByRole('row').filter({ hasText: 'Spring buyers' });
    await expect(row.getByText('Re-connect needed')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel('1 need re-connect')).toBeVisible();
    await shoot(page, '16-audiences-reconnect');
    await nav(page, 'Connections');
    const reconnect = page.getByRole('main').getByRole('button', { name: 'Re-connect', exact: true });
    await expect(reconnect).toBeVisible();
    await shoot(page, '17-connect-reconnect');

    // Re-connecting clears the alarm everywhere.
    await reconnect.click();
    await expect(page.getByText('Connected', { exact: true })).toBeVisible();
    await expect(page.getByLabel('1 need re-connect')).toHaveCount(0);
    await nav(page, 'Audiences');
    await expect(page.getByRole('grid', { name: 'Audiences' }).getByText('Re-connect needed')).toHaveCount(0);
  });
});
