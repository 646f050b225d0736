import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runCli } from '../../../electron/cli/main';
import { serveWeb, type ServedWeb } from '../../../electron/web-host/serve';
import type { WireMessage } from '../../../shared/ipc/wire';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let renderer: string;

beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cohort-relay-webengine-'));
  renderer = path.join(dir, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Cohort Relay</title>');
});
afterEach(() => cleanup());

function open(url: string, origin: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends one request and resolves with its result frame. */
function call(ws: WebSocket, id: number, channel: string, arg?: unknown): Promise<WireMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as WireMessage;
      if (m.kind === 'result' && m.id === id) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(arg === undefined ? { id, channel } : { id, channel, arg }));
  });
}

describe('web host on the real engine', () => {
  let served: ServedWeb | null = null;
  afterEach(async () => {
    await served?.close();
    served = null;
  });

  it('connects the offline sandbox over the WebSocket and lists it', async () => {
    served = await serveWeb({
      dataDir: path.join(dir, 'data'),
      environment: 'offline-sandbox',
      rendererDir: renderer,
      log: new PassThrough(),
      internals: { env: { COHORT_RELAY_KEYCHAIN: 'off' }, simulator: { rateLimit: false }, statusRefreshMs: 0 },
    });
    const { host } = served;
    const ws = await open(`ws://127.0.0.1:${host.port}/ws?token=${encodeURIComponent(host.token)}`, host.origin);
    const connected = await call(ws, 1, 'connections:connectSandbox');
    expect(connected).toMatchObject({ kind: 'result', id: 1, result: { ok: true, value: { id: 'tt-sandbox', kind: 'sandbox', environment: 'offline-sandbox', status: 'ok' } } });
    expect(await call(ws, 2, 'connections:list')).toMatchObject({ result: { ok: true, value: [{ id: 'tt-sandbox' }] } });
    // An engine error comes back as an envelope, not a dropped socket.
    expect(await call(ws, 3, 'audiences:get', { id: 42 })).toMatchObject({ result: { ok: false, error: { code: 'AUDIENCE_NOT_FOUND', message: expect.stringMatching(/\S/) } } });
    ws.close();

    // A second host on the same port is refused in plain words.
    await expect(
      serveWeb({ dataDir: path.join(dir, 'data2'), environment: 'offline-sandbox', port: host.port, rendererDir: renderer, log: new PassThrough(), internals: { env: { COHORT_RELAY_KEYCHAIN: 'off' }, statusRefreshMs: 0 } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`Port ${host.port} is already in use`) });
  });

  it('cohort-relay start --web prints one line with the URL, serves it, and stops on the signal', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const stop = new AbortController();
    const env = { COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' };
    const code = runCli(['start', '--web'], { stdout, stderr: new PassThrough(), env, signal: stop.signal });
    for (let i = 0; i < 400 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(out.trim().split('\n')).toHaveLength(1);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    const u = new URL(url!);
    const ws = await open(`ws://${u.host}/ws?token=${encodeURIComponent(u.searchParams.get('token')!)}`, u.origin);
    expect(await call(ws, 1, 'settings:get')).toMatchObject({ result: { ok: true, value: { environment: 'offline-sandbox', dataFolder: path.join(dir, 'home') } } });
    ws.close();
    stop.abort();
    expect(await code).toBe(0);
  });
});
