import { defineConfig } from '@playwright/test';

/**
 * Playwright runs in Debian's Chromium (never `npx playwright install`; ENVIRONMENT.md). Artifacts go to
 * test-results/e2e, which Playwright empties at start: other reports (test/run.sh) live in .reports/.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // Two cores are shared by several engineers: one browser at a time.
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});
