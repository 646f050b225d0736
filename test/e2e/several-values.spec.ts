/**
 * Several values per key in the desktop UI (#14 §2), in Debian's Chromium against the real engine and the offline
 * sandbox: a file with `Email 1` and `Email 2` → the columns step proposes both → the dry run says every value is sent
 * and counts every value → the sync → the sandbox holds both emails of a person.
 */
import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { dropFile, nav, sandboxWebAppForAll, type SandboxWebApp } from './sandbox-web-app';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** id,Email 1,Email 2: 1,200 people, every other one with a second email. */
function twoEmailsCsv(count: number): string {
  const rows = ['id,Email 1,Email 2'];
  for (let i = 0; i < count; i++) rows.push(`${i},p${i}@example.com,${i % 2 ? `q${i}@example.org` : ''}`);
  return `${rows.join('\n')}\n`;
}

let app: SandboxWebApp;
let page: Page;
sandboxWebAppForAll('several-values', (a) => ({ app, page } = { app: a, page: a.page }));

test('Email 1 and Email 2 are both mapped, the dry run says every value is sent, and the sandbox receives both', async () => {
  await page.goto(app.host.url);
  await nav(page, 'Connections');
  await page.getByRole('button', { name: 'Try the offline sandbox' }).click();
  await expect(page.getByRole('heading', { name: 'Advertiser accounts' })).toBeVisible();

  await dropFile(page, 'two-emails.csv', twoEmailsCsv(1200));
  const emails = page.getByRole('group', { name: 'Email columns' });
  await expect(emails.getByRole('note')).toContainText('Email 1 and Email 2 look like the same key → Email, every value sent');
  await emails.getByRole('button', { name: 'Send both as Email' }).click();
  await expect(emails.getByText(/Email from Email 1 and Email 2: every value is sent/)).toBeVisible();

  await page.getByRole('button', { name: 'Next: hash lab' }).click();
  await page.getByRole('button', { name: 'Next: check the whole file' }).click();
  await page.getByRole('button', { name: 'Next: choose the audience' }).click();
  await page.getByLabel('Audience name').fill('Two emails');
  await page.getByRole('button', { name: 'Next: dry run' }).click();
  await expect(page.getByTestId('matching-on')).toHaveText('Matching on: Email (columns `Email 1`, `Email 2`, every value sent)');
  // Every value is one line of TikTok's file: 1,200 first emails and 600 second ones.
  await expect(page.locator('dl.stats div', { hasText: 'To add' }).locator('dd')).toHaveText('1,800');

  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByRole('heading', { name: /Sync finished/ }).getByText('Done')).toBeVisible({ timeout: 30_000 });
  const [a] = await app.engine.handlers['audiences:list'](undefined);
  expect(a?.keys).toEqual([{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }]);
  const members = app.sim()!.membership(a!.tiktokAudienceId!)!;
  expect(members.size).toBe(1800);
  expect(members.has(sha256('p1@example.com'))).toBe(true);
  expect(members.has(sha256('q1@example.org'))).toBe(true);
});
