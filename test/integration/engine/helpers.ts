import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createEngine, type EngineInternals } from '../../../electron/core/engine';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import type { EventName } from '../../../shared/ipc/channels';
import type { EventPayloads, Handlers, PushEvent } from '../../../shared/ipc/contract';
import type { EngineHost, EngineOptions } from '../../../shared/ipc/engine-host';
import { tmpDir } from '../../helpers/tmp';

export interface TestEngine {
  engine: EngineHost;
  sim: () => SimulatorHandle;
  events: PushEvent[];
  /** Resolves with the first event (already received or later) that matches. */
  waitFor<E extends EventName>(event: E, match?: (p: EventPayloads[E]) => boolean): Promise<EventPayloads[E]>;
}

/** The real engine on a temp data folder with the offline sandbox: no keychain, no rate limit, no processing delay. */
export async function startTestEngine(dataDir: string, extra: EngineInternals = {}, hostOpts: Partial<EngineOptions> = {}): Promise<TestEngine> {
  let sim: SimulatorHandle | null = null;
  const engine = await createEngine(
    { dataDir: path.join(dataDir, 'data'), host: 'web', environment: 'offline-sandbox', ...hostOpts },
    {
      env: { COHORT_RELAY_KEYCHAIN: 'off' },
      simulator: { rateLimit: false, processingDelayMs: 0, matchRate: 'exact' },
      statusRefreshMs: 0,
      tickMs: 3_600_000,
      onSandboxStarted: (s) => {
        sim = s;
      },
      ...extra,
    },
  );
  const events: PushEvent[] = [];
  const waiters = new Set<() => void>();
  engine.events.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) w();
  });
  return {
    engine,
    events,
    sim: () => {
      if (!sim) throw new Error('the sandbox simulator has not started');
      return sim;
    },
    waitFor(event, match = () => true) {
      type P = EventPayloads[typeof event];
      const find = () => events.find((e) => e.event === event && match(e.payload as P))?.payload as P | undefined;
      return new Promise((resolve, reject) => {
        const hit = find();
        if (hit) return resolve(hit);
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${event} event arrived`));
        }, 20_000);
        const check = () => {
          const h = find();
          if (!h) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(h);
        };
        waiters.add(check);
      });
    },
  };
}

/** One test's engine: its temp data folder, the engine on it, and the engine's handlers. */
export interface EachTestEngine {
  dir: string;
  t: TestEngine;
  h: Handlers;
}

/**
 * Every test of the file gets its own engine on a fresh temp data folder (named after `prefix`): started before the
 * test and handed to `use` (assign it to the file's variables), shut down and its folder removed after the test.
 */
export function engineForEachTest(prefix: string, use: (e: EachTestEngine) => void, extra: EngineInternals = {}): void {
  let current: { t: TestEngine; cleanup: () => void } | null = null;
  beforeEach(async () => {
    const { dir, cleanup } = tmpDir(prefix);
    const t = await startTestEngine(dir, extra);
    current = { t, cleanup };
    use({ dir, t, h: t.engine.handlers });
  });
  afterEach(async () => {
    if (!current) return;
    const { t, cleanup } = current;
    current = null;
    await t.engine.shutdown();
    cleanup();
  });
}
