/**
 * The web host serves the page from its own process while the engine works in another (issue #13 §1): with
 * the engine process frozen (SIGSTOP) the host still answers HTTP and WebSocket pings, and during a large
 * sync every page request is answered promptly while progress events keep arriving.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { WireMessage } from '../../../shared/ipc/wire';
import { serveWeb, type ServedWeb } from '../../../electron/web-host/serve';
import { emails } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let served: ServedWeb | null = null;

beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cohort-relay-web-off-thread-'));
  fs.mkdirSync(path.join(dir, 'renderer'));
  fs.mkdirSync(path.join(dir, 'files'));
  fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Cohort Relay</title>');
});
afterEach(async () => {
  await served?.close();
  served = null;
  cleanup();
});

async function serve(): Promise<ServedWeb> {
  served = await serveWeb({
    dataDir: path.join(dir, 'data'),
    environment: 'offline-sandbox',
    rendererDir: path.join(dir, 'renderer'),
    log: new PassThrough(),
    allowFolders: [path.join(dir, 'files')],
    internals: { env: { COHORT_RELAY_KEYCHAIN: 'off' }, simulator: { rateLimit: false, processingDelayMs: 0 }, statusRefreshMs: 0, tickMs: 3_600_000 },
  });
  return served;
}

function socket(s: ServedWeb): Promise<{ ws: WebSocket; frames: WireMessage[]; call(channel: string, arg?: unknown): Promise<WireMessage & { kind: 'result' }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${s.host.port}/ws?token=${encodeURIComponent(s.host.token)}`, { origin: s.host.origin });
  const frames: WireMessage[] = [];
  const waiting = new Map<number, (m: WireMessage & { kind: 'result' }) => void>();
  let next = 1;
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as WireMessage;
    frames.push(m);
    if (m.kind === 'result') waiting.get(m.id)?.(m);
  });
  const call = (channel: string, arg?: unknown) =>
    new Promise<WireMessage & { kind: 'result' }>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify(arg === undefined ? { id, channel } : { id, channel, arg }));
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, call }));
    ws.once('error', reject);
  });
}

/** One GET of the page; its time in ms. */
async function timedGet(s: ServedWeb): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${s.host.origin}/`);
  expect(res.status).toBe(200);
  await res.text();
  return performance.now() - t0;
}

function ping(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    ws.once('pong', () => resolve());
    ws.ping();
  });
}

describe('the web host with the engine in its own process', () => {
  it('answers HTTP and WebSocket pings while the engine process is frozen', async () => {
    const s = await serve();
    const { ws, call } = await socket(s);
    expect((await call('connections:list')).result).toMatchObject({ ok: true, value: [] });
    const pid = s.engine.pid!;
    expect(pid).not.toBe(process.pid);
    process.kill(pid, 'SIGSTOP');
    try {
      // The engine cannot run a single instruction now; the page is served all the same.
      expect(await timedGet(s)).toBeLessThan(5_000);
      await ping(ws);
      // A contract request waits for the engine (it is not lost) and is answered once the engine runs again.
      const pending = call('connections:list');
      const raced = await Promise.race([pending.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
      expect(raced).toBe('waiting');
      process.kill(pid, 'SIGCONT');
      expect((await pending).result).toMatchObject({ ok: true, value: [] });
    } finally {
      process.kill(pid, 'SIGCONT');
      ws.close();
    }
  });

  it('answers every page request promptly while the engine runs a large sync, with progress events flowing', async () => {
    const s = await serve();
    const { ws, frames, call } = await socket(s);
    const csv = path.join(dir, 'files', 'cohort.csv');
    fs.writeFileSync(csv, `user_id,email\n${emails(0, 300_000).map((m, i) => `${i},${m}`).join('\n')}\n`);
    const conn = (await call('connections:connectSandbox')).result;
    expect(conn.ok).toBe(true);
    const advertiserId = (conn as { ok: true; value: { advertisers: { advertiserId: string }[] } }).value.advertisers[0]!.advertiserId;
    const created = (await call('audiences:create', { advertiserId, connectionId: 'tt-sandbox', name: 'Big', keys: [{ key: 'email', column: 'email' }], sourcePath: csv, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } })).result;
    expect(created.ok).toBe(true);
    const audienceId = (created as { ok: true; value: { id: number } }).value.id;
    await s.engine.loopStall(); // reset the engine's mark

    const started = (await call('sync:run', { audienceId })).result;
    expect(started.ok).toBe(true);
    const runId = (started as { ok: true; value: { runId: number } }).value.runId;
    const done = () => frames.some((f) => f.kind === 'event' && f.event === 'run:finished' && (f.payload as { runId: number }).runId === runId);
    const latencies: number[] = [];
    const deadline = Date.now() + 120_000;
    while (!done() && Date.now() < deadline) {
      latencies.push(await timedGet(s));
      await ping(ws);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(done()).toBe(true);
    const engineStall = await s.engine.loopStall();
    const finished = frames.find((f) => f.kind === 'event' && f.event === 'run:finished');
    expect(finished).toMatchObject({ payload: { runId, status: 'done' } });
    expect(frames.filter((f) => f.kind === 'event' && f.event === 'run:progress').length).toBeGreaterThan(0);
    expect(latencies.length).toBeGreaterThan(3);
    // Served from the host's own loop: a page request never waited for the engine's longest stall.
    const worst = Math.max(...latencies);
    console.log(`web host during a 300,000-row sync: ${latencies.length} page requests, slowest ${worst.toFixed(0)} ms; engine loop's largest stall ${engineStall.toFixed(0)} ms`);
    expect(worst).toBeLessThan(1_000);
    ws.close();
  }, 180_000);
});
