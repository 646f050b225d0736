import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startApp } from '../../../electron/cli/commands/start';
import { runCli } from '../../../electron/cli/main';
import type { CliContext } from '../../../electron/cli/command';
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

  /** An app folder whose "Electron" is a shell script: records its arguments, exits with `code`. */
  function fakeApp(code: number): { root: string; argsFile: string } {
    const root = path.join(dir, `app-${code}`);
    const dist = path.join(root, 'node_modules', 'electron', 'dist');
    fs.mkdirSync(dist, { recursive: true });
    fs.mkdirSync(path.join(root, 'out', 'main'), { recursive: true });
    fs.writeFileSync(path.join(root, 'out', 'main', 'index.js'), '');
    fs.writeFileSync(path.join(root, 'node_modules', 'electron', 'path.txt'), 'electron');
    const argsFile = path.join(root, 'args.txt');
    fs.writeFileSync(path.join(dist, 'electron'), `#!/bin/sh\necho "$@" > '${argsFile}'\nexit ${code}\n`, { mode: 0o755 });
    return { root, argsFile };
  }

  function cliContext(env: NodeJS.ProcessEnv, signal: AbortSignal): { ctx: CliContext; out: () => string } {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    return { ctx: { values: {}, positionals: [], stdout, stderr: new PassThrough(), env, signal }, out: () => out };
  }

  it.runIf(process.platform === 'linux')('start launches Electron on the app folder when it can, and returns its exit code', async () => {
    const { root, argsFile } = fakeApp(0);
    const { ctx, out } = cliContext({ DISPLAY: ':99' }, new AbortController().signal);
    expect(await startApp(ctx, root)).toBe(0);
    expect(fs.readFileSync(argsFile, 'utf8').trim()).toBe(root);
    expect(out()).toBe('');
  });

  it.runIf(process.platform === 'linux')('start falls back to the web host, in one line, when Electron fails at start', async () => {
    const { root, argsFile } = fakeApp(3);
    const stop = new AbortController();
    const { ctx, out } = cliContext({ DISPLAY: ':99', COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' }, stop.signal);
    const code = startApp(ctx, root);
    for (let i = 0; i < 400 && !out().includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(fs.existsSync(argsFile)).toBe(true);
    expect(out()).toMatch(/^Electron can't start here \(Electron exited at start with code 3\); serving the same UI at http:\/\/127\.0\.0\.1:\d+\/\?token=\S+ instead/);
    expect(out().trim().split('\n')).toHaveLength(1);
    stop.abort();
    expect(await code).toBe(0);
  });
});
