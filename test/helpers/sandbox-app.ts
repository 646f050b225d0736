import path from 'node:path';
import { CohortRelayApp, type OpenAppOptions } from '../../electron/core/app';
import { startSimulator, type SimulatorHandle } from '../../electron/core/sandbox';
import { tmpDir } from './tmp';

export interface SandboxApp {
  sim: SimulatorHandle;
  app: CohortRelayApp;
  dir: string;
  close(): Promise<void>;
}

/**
 * The engine's composition root against an in-process simulator over real HTTP, in a fresh temp data
 * folder: no keychain (TIKTOK_ACCESS_TOKEN), no rate limit, no processing delay, exact matching, and no
 * real sleeping between retries. Small files and calls by default, so a few thousand rows exercise
 * multi-file, multi-call plans.
 */
export async function openSandboxApp(opts: { now?: () => Date; runner?: OpenAppOptions['runner']; clientOptions?: OpenAppOptions['clientOptions'] } = {}): Promise<SandboxApp> {
  const { dir, cleanup } = tmpDir();
  const sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
  const app = await CohortRelayApp.open({
    dataDir: path.join(dir, 'data'),
    env: { TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url, COHORT_RELAY_KEYCHAIN: 'off' },
    now: opts.now,
    clientOptions: opts.clientOptions,
    runner: { hashesPerFile: 400, filesPerCall: 5, sleep: async () => {}, maxAttempts: 8, ...opts.runner },
  });
  return {
    sim,
    app,
    dir,
    async close() {
      app.close();
      await sim.close();
      cleanup();
    },
  };
}
