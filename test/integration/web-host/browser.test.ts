/**
 * The renderer's bridge against the real web host in Debian's Chromium: what only a real browser decides
 * (the Origin header it sends, the CSP it enforces on the socket, streaming a File in a POST) is exercised
 * here. The bridge is bundled with esbuild exactly as the renderer would import it, behind the CSP meta tag
 * of the real renderer/index.html.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost } from '../../../electron/web-host/server';
import type { WebHost } from '../../../electron/web-host/server';
import { createEventHub } from '../../../shared/ipc/events';
import { AppError } from '../../../shared/errors';
import { tmpDir } from '../../helpers/tmp';
import { fakeHandlers, SETTINGS } from '../../unit/ipc/fake-handlers';

const CHROMIUM = '/usr/bin/chromium';

/** What the test page exposes (the renderer's Bridge, typed here without the DOM library of the renderer's tsconfig). */
interface PageGlobals {
  bridge: {
    host: string;
    settings: { get(): Promise<unknown> };
    sync: { run(arg: { audienceId: number }): Promise<unknown> };
    import: { preview(arg: { path: string }): Promise<unknown> };
    on(event: string, listener: (payload: unknown) => void): () => void;
    fileToPath(file: File): Promise<string>;
  };
  isBridgeError(e: unknown): boolean;
  seen: unknown[];
  off: () => void;
}
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

describe.skipIf(!existsSync(CHROMIUM))('bridge over the web host, in Chromium', () => {
  const hub = createEventHub();
  let host: WebHost;
  let browser: Browser;
  let page: Page;
  let cleanup = () => {};
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const t = tmpDir('cohort-relay-browser-');
    cleanup = t.cleanup;
    const rendererDir = join(t.dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    await build({
      stdin: {
        contents: "import { getBridge, isBridgeError } from './renderer/src/app/bridge'; Object.assign(window, { bridge: getBridge(), isBridgeError });",
        resolveDir: resolve('.'),
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      target: 'es2022',
      outfile: join(rendererDir, 'assets', 'bridge.js'),
      logLevel: 'silent',
    });
    const csp = /<meta http-equiv="Content-Security-Policy"[^>]*>/.exec(readFileSync('renderer/index.html', 'utf8'))?.[0];
    expect(csp, 'renderer/index.html has a CSP meta tag').toBeTruthy();
    writeFileSync(join(rendererDir, 'index.html'), `<!doctype html><html><head>${csp}<title>Cohort Relay</title><script type="module" src="/assets/bridge.js"></script></head><body></body></html>`);

    host = await startWebHost({
      handlers: fakeHandlers({
        'settings:get': async () => SETTINGS,
        'import:preview': async ({ path }) => ({ path, content: readFileSync(path, 'utf8') }) as never,
        'sync:run': async () => {
          throw new AppError('AUDIENCE_TOO_SMALL');
        },
      }),
      events: hub,
      rendererDir,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(host.url);
    await page.waitForFunction(() => 'bridge' in globalThis);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    cleanup();
  });

  it('takes the token out of the address bar and picks the web transport', async () => {
    expect(page.url()).toBe(`${host.origin}/`);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).bridge.host)).toBe('web');
  });

  it('round-trips a request through the socket to the handler', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).bridge.settings.get())).toEqual(SETTINGS);
  });

  it('throws a BridgeError carrying the engine error code and words', async () => {
    const caught = await page.evaluate(async () => {
      try {
        await (globalThis as unknown as PageGlobals).bridge.sync.run({ audienceId: 1 });
        return null;
      } catch (e) {
        const err = e as { code: string; message: string; retryable: boolean };
        return { isBridgeError: (globalThis as unknown as PageGlobals).isBridgeError(e), code: err.code, message: err.message, retryable: err.retryable };
      }
    });
    expect(caught).toEqual({ isBridgeError: true, code: 'AUDIENCE_TOO_SMALL', message: expect.stringContaining('under 1,000'), retryable: false });
  });

  it('delivers push events to on() listeners until unsubscribed', async () => {
    await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      w.seen = [];
      w.off = w.bridge.on('audience:statusChanged', (p) => w.seen.push(p));
    });
    hub.emit('audience:statusChanged', { audienceId: 4 });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).seen.length === 1);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).off());
    hub.emit('audience:statusChanged', { audienceId: 5 });
    await page.evaluate(() => (globalThis as unknown as PageGlobals).bridge.settings.get()); // a later message proves the event had time to arrive
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).seen)).toEqual([{ audienceId: 4 }]);
  });

  it('uploads a dropped File and gives a host path the engine reads like a local file', async () => {
    const result = await page.evaluate(async () => {
      const file = new File(['email\njane@example.com\n'], 'march cohort.csv', { type: 'text/csv' });
      const path = await (globalThis as unknown as PageGlobals).bridge.fileToPath(file);
      return { path, preview: await (globalThis as unknown as PageGlobals).bridge.import.preview({ path }) };
    });
    expect(result.path.startsWith(host.uploadDir)).toBe(true);
    expect(result.path.endsWith('march cohort.csv')).toBe(true);
    expect(result.preview).toEqual({ path: result.path, content: 'email\njane@example.com\n' });
  });

  it('keeps working after a reload (the token stays in the tab session)', async () => {
    await page.reload();
    await page.waitForFunction(() => 'bridge' in globalThis);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).bridge.settings.get())).toEqual(SETTINGS);
  });

  it('met no Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });

  it('refuses a page from another origin even when it knows the token', async () => {
    let evil: Server | null = null;
    try {
      const token = host.token;
      const port = host.port;
      const before = new Set(readdirSync(host.uploadDir));
      evil = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<script>
          const ws = new WebSocket('ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}');
          ws.onopen = () => { document.title = 'opened'; };
          ws.onclose = () => { if (document.title !== 'opened') document.title = 'refused'; };
          fetch('http://127.0.0.1:${port}/upload?token=${encodeURIComponent(token)}&name=x.csv', { method: 'POST', body: 'x', mode: 'no-cors' })
            .then(() => { window.uploadDone = true; }, () => { window.uploadDone = true; });
        </script>`);
      });
      await new Promise<void>((ok) => evil!.listen(0, '127.0.0.1', ok));
      const other = await browser.newPage();
      await other.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      await other.waitForFunction("document.title === 'opened' || document.title === 'refused'");
      expect(await other.title()).toBe('refused');
      await other.waitForFunction('window.uploadDone === true');
      await other.close();
      // The cross-origin upload was refused: nothing new is on disk (earlier uploads may since have been
      // removed, as the work that needed them ended).
      expect(readdirSync(host.uploadDir).filter((f) => !before.has(f))).toEqual([]);
    } finally {
      await new Promise<void>((ok) => (evil ? evil.close(() => ok()) : ok()));
    }
  });
});

