/**
 * #12.1 / #11 S1.5 in the browser: a page that names a path itself (as a compromised renderer would) is refused,
 * while a file the user drops is read; the rejects report arrives as a browser download, never written where
 * the page says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import Papa from 'papaparse';
import { nav, openSandboxWebApp, type SandboxWebApp } from './sandbox-web-app';

test.describe.configure({ mode: 'serial' });

let app: SandboxWebApp;

test.beforeAll(async ({ browser }) => {
  app = await openSandboxWebApp(browser, 'file-access');
  await app.page.goto(app.host.url);
  await expect(app.page.getByRole('heading', { name: 'Audiences', level: 1 })).toBeVisible();
});

test.afterAll(async () => app?.close());

/** Sends one contract request over the page's own WebSocket, as script in a compromised page could. */
async function callFromPage(channel: string, arg: unknown): Promise<{ ok: boolean; error?: { code: string } }> {
  return app.page.evaluate(
    ({ port, token, channel, arg }) =>
      new Promise((resolve) => {
        const W = (globalThis as unknown as { WebSocket: new (url: string) => { onopen: () => void; onmessage: (e: { data: string }) => void; send(s: string): void; close(): void } }).WebSocket;
        const ws = new W(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, channel, arg }));
        ws.onmessage = (e) => {
          const m = JSON.parse(e.data) as { kind: string; id?: number; result?: unknown };
          if (m.kind === 'result' && m.id === 1) {
            ws.close();
            resolve(m.result as { ok: boolean; error?: { code: string } });
          }
        };
      }),
    { port: app.host.port, token: app.host.token, channel, arg },
  );
}

test('a path the page names itself is neither read nor written', async () => {
  const secret = join(app.home, 'private.csv');
  writeFileSync(secret, 'email\nsecret@example.com\n');
  const profile = { emailStripPlusAndDots: false, phoneKeepPlus: true, defaultCountry: null };
  expect(await callFromPage('import:preview', { path: secret })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  const startup = join(app.home, '.bashrc');
  writeFileSync(startup, 'export PATH\n');
  expect(await callFromPage('import:exportRejects', { path: secret, key: 'email', column: 0, profile, outPath: startup })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  expect(readFileSync(startup, 'utf8')).toBe('export PATH\n');
});

test("a dropped file is read, and its rejects report is the browser's download", async () => {
  const { page } = app;
  await nav(page, 'Connections');
  await page.getByRole('button', { name: 'Try the offline sandbox' }).click();
  await expect(page.getByText('Connected', { exact: true })).toBeVisible();

  const dt = await page.evaluateHandle(() => {
    const w = globalThis as unknown as { DataTransfer: new () => { items: { add(file: unknown): void } }; File: new (parts: string[], name: string, o: { type: string }) => unknown };
    const d = new w.DataTransfer();
    d.items.add(new w.File(['user_id,email\n1,a@example.com\n2,b@example.com\n3,not-an-email\n'], 'march buyers.csv', { type: 'text/csv' }));
    return d;
  });
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
  await expect(page.getByRole('heading', { name: 'Import & sync a cohort' })).toBeVisible();
  await page.getByRole('button', { name: 'Next: hash lab' }).click();
  await page.getByRole('button', { name: 'Next: check the whole file' }).click();
  await expect(page.getByRole('cell', { name: 'Not an email address' })).toBeVisible();

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export rejects' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('march buyers-rejects.csv');
  // Saved from a blob: the host's token is not in the browser's download list.
  expect(download.url()).not.toContain(app.host.token);
  const body = readFileSync((await download.path())!, 'utf8');
  // The file's user_id column comes last: the reject can be found by its record id (#11 item 15).
  expect(body.split('\n')[0]).toBe('row,column,reason,masked_value,explanation,"user_id"');
  expect(body).toMatch(/INVALID_EMAIL.*,"3"$/m);
  await expect(page.getByText(/Wrote 1 rejected rows to march buyers-rejects\.csv, in your browser’s downloads/)).toBeVisible();
});

test("a multi-key mapping's rejects report holds every key's rejects, each saying whether its row was kept", async () => {
  const { page } = app;
  await nav(page, 'Audiences');
  const dt = await page.evaluateHandle(() => {
    const w = globalThis as unknown as { DataTransfer: new () => { items: { add(file: unknown): void } }; File: new (parts: string[], name: string, o: { type: string }) => unknown };
    const d = new w.DataTransfer();
    // Row 3: a bad email, kept for its phone. Row 4: a good email and a bad phone. Row 5: neither key usable.
    const csv = 'user_id,email,phone\n1,a@example.com,+14155550001\n2,not-an-email,+14155550002\n3,c@example.com,12\n4,worse,nope\n';
    d.items.add(new w.File([csv], 'crm keys.csv', { type: 'text/csv' }));
    return d;
  });
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
  await expect(page.getByRole('heading', { name: 'Import & sync a cohort' })).toBeVisible();
  await page.getByRole('checkbox', { name: /Match on several keys/ }).check();
  await expect(page.getByRole('combobox', { name: /^Email column/ })).toHaveValue('1');
  await expect(page.getByRole('combobox', { name: /^Phone column/ })).toHaveValue('2');
  await page.getByRole('button', { name: 'Next: hash lab' }).click();
  await page.getByRole('button', { name: 'Next: check the whole file' }).click();
  await expect(page.getByRole('cell', { name: 'Not an email address' }).first()).toBeVisible();

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export rejects' }).click();
  const body = readFileSync((await (await downloading).path())!, 'utf8');
  const rows = Papa.parse<string[]>(body.trimEnd()).data;
  // The phone's rejects are there too (the key on screen is the email), as in `cohort-relay plan --keys … --rejects`.
  expect(body.split('\n')[0]).toBe('row,column,reason,masked_value,explanation,row_outcome,"user_id"');
  expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[5], r[6]])).toEqual([
    ['3', 'email', 'INVALID_EMAIL', 'cell rejected, row kept', '2'],
    ['4', 'phone', 'INVALID_PHONE', 'cell rejected, row kept', '3'],
    ['5', 'email', 'INVALID_EMAIL', 'row dropped: no usable key', '4'],
    ['5', 'phone', 'INVALID_PHONE', 'row dropped: no usable key', '4'],
  ]);
  await expect(page.getByText(/Wrote 4 rejected cells \(every key’s\) to crm keys-rejects\.csv, in your browser’s downloads/)).toBeVisible();
});
