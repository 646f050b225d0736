import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../electron/core/sandbox';
import { tmpDir } from './tmp';

export interface CliSandbox {
  sim: SimulatorHandle;
  /** A fresh temp folder; the CLI's data folder is `<dir>/home`. */
  dir: string;
  /** The CLI's environment: that data folder, the simulator's URL and token, no keychain. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * The CLI against an in-process simulator over real HTTP (no rate limit, no processing delay, exact matching),
 * in a fresh temp data folder. `env` adds to the CLI's environment (e.g. smaller upload files).
 */
export async function openCliSandbox(env: NodeJS.ProcessEnv = {}): Promise<CliSandbox> {
  const { dir, cleanup } = tmpDir();
  const sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
  return {
    sim,
    dir,
    env: { COHORT_RELAY_HOME: path.join(dir, 'home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken, COHORT_RELAY_KEYCHAIN: 'off', ...env },
    async close() {
      await sim.close();
      cleanup();
    },
  };
}

/**
 * Every test of the file gets its own CLI sandbox (`openCliSandbox(env)`): opened before the test and handed to `use`
 * (assign it to the file's variables), closed after the test.
 */
export function cliSandboxForEachTest(use: (s: CliSandbox) => void, env: NodeJS.ProcessEnv = {}): void {
  let current: CliSandbox | null = null;
  beforeEach(async () => {
    current = await openCliSandbox(env);
    use(current);
  });
  afterEach(async () => {
    const s = current;
    current = null;
    await s?.close();
  });
}
