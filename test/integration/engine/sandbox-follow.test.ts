/**
 * The engine's own offline sandbox re-points only the connections made against it. A connection to a sandbox
 * started elsewhere (`cohort-relay sandbox`, then `login --sandbox --api-base URL`) keeps its URL through an engine
 * start (the daemon's, the desktop's) and does not make the engine start a simulator of its own.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { Store } from '../../../electron/core/store';
import { SANDBOX_CONNECTION_ID } from '../../../electron/core/tiktok/connections';
import { cli } from '../../helpers/cli';
import { emails, hashSet } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from './helpers';

let dir: string;
let cleanup: () => void;
let external: SimulatorHandle;
let engine: TestEngine | null = null;
let home: string;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir('cohort-relay-sandbox-follow-'));
  home = path.join(dir, 'data');
  external = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
  // `cohort-relay login --sandbox --api-base URL` against the sandbox started in another terminal.
  const login = await cli(['login', '--sandbox', '--api-base', external.url], { COHORT_RELAY_HOME: home });
  expect(login.code, login.stderr).toBe(0);
});
afterEach(async () => {
  await engine?.engine.shutdown();
  engine = null;
  await external.close();
  cleanup();
});

/** The stored API base of every connection, by id (read after the engine has shut down). */
function storedBases(): Record<string, string> {
  const store = Store.open(home);
  try {
    return Object.fromEntries(store.connections.list().map((c) => [c.id, c.apiBase]));
  } finally {
    store.close();
  }
}

describe("the engine's own sandbox and a sandbox started elsewhere", () => {
  it('a daemon-style engine start keeps the login --sandbox connection on its URL, starts no simulator, and syncs to that sandbox', async () => {
    // The daemon's engine: the stored environment (production), no host default.
    engine = await startTestEngine(dir, {}, { host: 'cli', environment: undefined });
    expect(() => engine!.sim()).toThrow(/has not started/);
    const h = engine.engine.handlers;
    const advertisers = await h['connections:advertisers']({ connectionId: SANDBOX_CONNECTION_ID });
    expect(advertisers.map((a) => a.advertiserId)).toEqual(external.advertiserIds);

    const file = path.join(dir, 'a.csv');
    fs.writeFileSync(file, `user_id,email\n${emails(0, 1000).map((e, i) => `${i},${e}`).join('\n')}\n`);
    const a = await h['audiences:create']({ advertiserId: external.advertiserIds[0]!, connectionId: SANDBOX_CONNECTION_ID, name: 'Main Buyers', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
    const { runId } = await h['sync:run']({ audienceId: a.id });
    expect(await engine.waitFor('run:finished', (p) => p.runId === runId)).toMatchObject({ status: 'done', error: null });
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    expect(external.membership(tiktokId)).toEqual(hashSet(emails(0, 1000)));
    expect(engine.events.some((e) => e.event === 'connection:needsReconnect')).toBe(false);
    expect(() => engine!.sim()).toThrow(/has not started/);

    await engine.engine.shutdown();
    engine = null;
    expect(storedBases()).toEqual({ [SANDBOX_CONNECTION_ID]: external.url });
  });

  it("the engine's sandbox moving to a new port takes the connections made against it along, and leaves the other one", async () => {
    // The desktop/web host on the offline sandbox: its simulator starts; a token pasted there is made against it.
    engine = await startTestEngine(dir);
    const own = engine.sim();
    const pasted = await engine.engine.handlers['connections:pasteToken']({ token: own.accessToken, appId: own.appId, appSecret: own.appSecret });
    expect(pasted.id).not.toBe(SANDBOX_CONNECTION_ID);
    const oldPort = own.port;
    await engine.engine.shutdown();
    engine = null;
    expect(storedBases()).toEqual({ [SANDBOX_CONNECTION_ID]: external.url, [pasted.id]: own.url });

    // Its old port is taken; the next engine (the stored environment, production) starts it for the pasted connection.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(oldPort, '127.0.0.1', resolve));
    try {
      engine = await startTestEngine(dir, {}, { host: 'cli', environment: undefined });
      const moved = engine.sim();
      expect(moved.port).not.toBe(oldPort);
      // (The pasted token itself was kept in memory only: no keychain here. The sandbox connection needs none.)
      const h = engine.engine.handlers;
      expect((await h['connections:advertisers']({ connectionId: SANDBOX_CONNECTION_ID })).map((a) => a.advertiserId)).toEqual(external.advertiserIds);
      await engine.engine.shutdown();
      engine = null;
      expect(storedBases()).toEqual({ [SANDBOX_CONNECTION_ID]: external.url, [pasted.id]: moved.url });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
