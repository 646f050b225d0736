/**
 * What every e2e spec starts from: the real engine with the offline sandbox, served by the web host to a page of
 * Debian's Chromium (`npm run build` first; the renderer is built here if it is missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from '@playwright/test';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { createEngine } from '../../electron/core/engine';
import type { SimulatorHandle, SimulatorOptions } from '../../electron/core/sandbox';
import { startWebHost, type WebHost } from '../../electron/web-host/server';
import type { EngineHost } from '../../shared/ipc/engine-host';

/** Screenshots live beside the other reports: Playwright empties test-results/ at start. */
export const SHOTS = resolve('.reports/screenshots');
export const RENDERER = resolve('out/renderer');

export interface SandboxWebApp {
  home: string;
  engine: EngineHost;
  host: WebHost;
  context: BrowserContext;
  page: Page;
  /** The sandbox's simulator, once the engine has started it (on connecting the sandbox). */
  sim(): SimulatorHandle | null;
  close(): Promise<void>;
}

/** Starts engine, web host and page; the sandbox answers with no rate limit, no processing delay, exact matches. */
export async function openSandboxWebApp(browser: Browser, name: string, simulator: Partial<SimulatorOptions> = {}): Promise<SandboxWebApp> {
  if (!existsSync(join(RENDERER, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), `cohort-relay-e2e-${name}-`));
  let sim: SimulatorHandle | null = null;
  // No openExternal: the host opens no browser (a sign-in's link is shown on the page instead).
  const engine = await createEngine(
    { dataDir: join(home, 'data'), host: 'web', environment: 'offline-sandbox' },
    {
      env: { COHORT_RELAY_KEYCHAIN: 'off' },
      simulator: { rateLimit: false, processingDelayMs: 0, matchRate: 'exact', ...simulator },
      statusRefreshMs: 0,
      tickMs: 3_600_000,
      onSandboxStarted: (s) => {
        sim = s;
      },
    },
  );
  const host = await startWebHost({ handlers: engine.handlers, events: engine.events, rendererDir: RENDERER, port: 0 });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  return {
    home,
    engine,
    host,
    context,
    page,
    sim: () => sim,
    async close() {
      await context.close();
      await host.close();
      await engine.shutdown();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Clicks a screen in the main navigation. */
/**
 * The app a describe block's tests share: opened once before them (`openSandboxWebApp`) and handed to `use` (assign
 * it to the block's variables), closed after them.
 */
export function sandboxWebAppForAll(name: string, use: (app: SandboxWebApp) => void, simulator: Partial<SimulatorOptions> = {}): void {
  let app: SandboxWebApp | undefined;
  test.beforeAll(async ({ browser }) => {
    app = await openSandboxWebApp(browser, name, simulator);
    use(app);
  });
  test.afterAll(async () => app?.close());
}

export async function nav(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: label }).click();
}

/** Drops a file on the window the way a desktop drag does: a DataTransfer built in the page. */
export async function dropFile(page: Page, name: string, text: string): Promise<void> {
  const dt = await page.evaluateHandle(
    ({ name, text }) => {
      // Runs in the page; this file is type-checked without the DOM library, so the page's globals are typed here.
      const w = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: string[], name: string, options: { type: string }) => unknown;
      };
      const d = new w.DataTransfer();
      d.items.add(new w.File([text], name, { type: 'text/csv' }));
      return d;
    },
    { name, text },
  );
  await page.dispatchEvent('main', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('main', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
}
