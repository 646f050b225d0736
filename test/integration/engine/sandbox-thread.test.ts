/**
 * The offline sandbox of the engine's process runs on a thread of its own (sandbox/thread.ts): its synchronous work on
 * large files (parsing uploads, a membership of millions of strings, saving it) held the engine's loop about 1 s per
 * million rows when it ran on the engine's thread. Started here exactly as the engine's process starts it: a worker
 * thread of the built engine entry (out/engine/index.js, `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findEngineEntry } from '../../../electron/core/engine/engine-client';
import { SandboxHost } from '../../../electron/core/engine/sandbox';
import { SANDBOX_ACCESS_TOKEN } from '../../../electron/core/sandbox';
import { Store } from '../../../electron/core/store';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let store: Store;
const hosts: SandboxHost[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cohort-relay-sandbox-thread-'));
  store = Store.open(path.join(dir, 'data'));
});
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  store.close();
  cleanup();
});

function host(entry = findEngineEntry(), log?: (line: string) => void): SandboxHost {
  const h = new SandboxHost(store, path.join(dir, 'data'), { rateLimit: false, processingDelayMs: 0 }, undefined, entry, log);
  hosts.push(h);
  return h;
}

/** GET `url` with `token` from another process, while this thread waits for it (so it cannot serve anything itself). */
function getBlocking(url: string, token: string): { code: number } {
  const script = `fetch(${JSON.stringify(url)}, { headers: { 'Access-Token': ${JSON.stringify(token)} } }).then(async (r) => process.stdout.write(JSON.stringify(await r.json())))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { timeout: 20_000, encoding: 'utf8' })) as { code: number };
}

describe("the engine's offline sandbox on its own thread", () => {
  it('answers TikTok calls while the thread that started it is blocked', async () => {
    const sim = await host().ensure();
    // This thread is stuck in execFileSync until the other process has its answer: only another thread can give it.
    const answer = getBlocking(`${sim.url}/open_api/v1.3/oauth2/advertiser/get/?app_id=x&secret=y`, SANDBOX_ACCESS_TOKEN);
    expect(answer.code).not.toBeUndefined();
  });

  it('issues a new token, keeps its port across restarts, and takes another port when that one is taken', async () => {
    const first = host();
    const sim = await first.ensure();
    const token = await sim.issueToken();
    expect(token).toMatch(/\w{16,}/);
    expect(token).not.toBe(SANDBOX_ACCESS_TOKEN);
    const port = sim.port;
    await first.close();
    // Its state is saved in the data folder on close.
    expect(fs.existsSync(path.join(dir, 'data', 'sandbox'))).toBe(true);

    const again = await host().ensure();
    expect(again.port).toBe(port);
    await hosts.pop()!.close();

    // Another program holds the port now: the error crosses the thread (EADDRINUSE) and a free port is taken instead.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const moved = await host().ensure();
      expect(moved.port).not.toBe(port);
      expect(getBlocking(`${moved.url}/open_api/v1.3/oauth2/advertiser/get/?app_id=x&secret=y`, token).code).not.toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('runs on the calling thread, and says so, when a thread cannot start from the entry', async () => {
    const lines: string[] = [];
    const sim = await host(path.join(dir, 'no-such-entry.js'), (l) => lines.push(l)).ensure();
    expect(lines.join('\n')).toMatch(/could not start on a thread of its own.*runs on the engine's thread/);
    const r = await fetch(`${sim.url}/open_api/v1.3/oauth2/advertiser/get/?app_id=x&secret=y`, { headers: { 'Access-Token': SANDBOX_ACCESS_TOKEN } });
    expect(r.status).toBe(200);
  });
});
