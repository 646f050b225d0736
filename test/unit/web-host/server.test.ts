import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { safeUploadName, startWebHost } from '../../../electron/web-host/server';
import type { WebHost } from '../../../electron/web-host/server';
import { createEventHub } from '../../../shared/ipc/events';
import type { EventHub } from '../../../shared/ipc/events';
import type { WireMessage } from '../../../shared/ipc/wire';
import { AppError } from '../../../shared/errors';
import { tmpDir } from '../../helpers/tmp';
import { fakeHandlers, SETTINGS } from '../ipc/fake-handlers';

let host: WebHost;
let hub: EventHub;
let cleanup: () => void;
let renderer: string;

beforeEach(async () => {
  const t = tmpDir('cohort-relay-webhost-');
  cleanup = t.cleanup;
  renderer = join(t.dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'" /><title>Cohort Relay</title>`);
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(t.dir, 'secret.txt'), 'outside the renderer');
  hub = createEventHub();
  host = await startWebHost({
    handlers: fakeHandlers({
      'settings:get': async () => SETTINGS,
      'import:preview': async ({ path }) => ({ path, content: readFileSync(path, 'utf8') }) as never,
      'sync:run': async () => {
        throw new AppError('QUOTA_EXHAUSTED');
      },
    }),
    events: hub,
    rendererDir: renderer,
  });
});

afterEach(async () => {
  await host.close();
  cleanup();
});

/** Opens a socket like the page would: our origin, our token. */
function connect(opts: { origin?: string; token?: string; host?: string } = {}): Promise<WebSocket> {
  const url = `ws://127.0.0.1:${host.port}/ws?token=${encodeURIComponent(opts.token ?? host.token)}`;
  const ws = new WebSocket(url, { origin: opts.origin ?? host.origin, headers: opts.host ? { host: opts.host } : {} });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function messages(ws: WebSocket): WireMessage[] {
  const out: WireMessage[] = [];
  ws.on('message', (data) => out.push(JSON.parse(data.toString()) as WireMessage));
  return out;
}

async function until<T>(fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met');
}

function http(path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('web host: the contract over a WebSocket', () => {
  it('prints a URL on 127.0.0.1 carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${encodeURIComponent(host.token)}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers a request with the envelope under the same id', async () => {
    const ws = await connect();
    const got = messages(ws);
    ws.send(JSON.stringify({ id: 7, channel: 'settings:get' }));
    ws.send(JSON.stringify({ id: 8, channel: 'sync:run', arg: { audienceId: 1 } }));
    ws.send(JSON.stringify({ id: 9, channel: 'audiences:get', arg: { id: 'x' } }));
    await until(() => (got.length >= 3 ? true : undefined));
    const byId = new Map(got.map((m) => [m.kind === 'result' ? m.id : -1, m]));
    expect(byId.get(7)).toEqual({ kind: 'result', id: 7, result: { ok: true, value: SETTINGS } });
    expect(byId.get(8)).toMatchObject({ kind: 'result', id: 8, result: { ok: false, error: { code: 'QUOTA_EXHAUSTED', retryable: true } } });
    expect(byId.get(9)).toMatchObject({ kind: 'result', id: 9, result: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    ws.close();
  });

  it('pushes engine events to every open socket, and stops when the socket closes', async () => {
    const a = await connect();
    const b = await connect();
    const gotA = messages(a);
    const gotB = messages(b);
    // One subscriber is the host's own (it follows runs to remove their upload copies); one more per open socket.
    await until(() => (hub.size === 3 ? true : undefined));
    hub.emit('run:progress', { runId: 1, audienceId: 2, phase: 'hashing', rows: 500, percent: 25, rowsPerSec: 1000, etaSec: 3 });
    const event = { kind: 'event', event: 'run:progress', payload: { runId: 1, audienceId: 2, phase: 'hashing', rows: 500, percent: 25, rowsPerSec: 1000, etaSec: 3 } };
    expect(await until(() => gotA[0])).toEqual(event);
    expect(await until(() => gotB[0])).toEqual(event);
    a.close();
    b.close();
    await until(() => (hub.size === 1 ? true : undefined));
  });

  it('ignores frames it cannot address and keeps serving the socket', async () => {
    const ws = await connect();
    const got = messages(ws);
    ws.send('not json');
    ws.send(JSON.stringify({ channel: 'settings:get' }));
    ws.send(JSON.stringify({ id: 1, channel: 'settings:get' }));
    expect(await until(() => got[0])).toMatchObject({ kind: 'result', id: 1, result: { ok: true } });
    expect(got).toHaveLength(1);
    ws.close();
  });

  it('refuses a socket from another origin', async () => {
    await expect(connect({ origin: 'https://evil.example' })).rejects.toThrow('refused: 403');
    await expect(connect({ origin: `http://127.0.0.1:${host.port + 1}` })).rejects.toThrow('refused: 403');
    expect(hub.size).toBe(1);
  });

  it('refuses a socket with a wrong or missing token', async () => {
    await expect(connect({ token: 'guess' })).rejects.toThrow('refused: 403');
    await expect(connect({ token: `${host.token.slice(0, -1)}x` })).rejects.toThrow('refused: 403');
    await expect(connect({ token: '' })).rejects.toThrow('refused: 403');
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    await expect(connect({ host: `evil.example:${host.port}` })).rejects.toThrow('refused: 403');
    expect((await http('/', { headers: { host: `evil.example:${host.port}` } })).status).toBe(421);
  });
});

describe('web host: static renderer', () => {
  it('serves the renderer with a strict CSP that allows only its own socket', async () => {
    const res = await http('/?token=x');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Cohort Relay</title>');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    // The page's own meta policy (the desktop app's, which allows no connection) is replaced by this host's.
    expect(res.body).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    const js = await http('/assets/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers a screen path with the app, and a missing asset with 404', async () => {
    expect((await http('/audiences/3')).body).toContain('Cohort Relay');
    expect((await http('/assets/missing.js')).status).toBe(404);
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const res = await http(path);
      expect(res.body).not.toContain('outside the renderer');
    }
  });
});

describe('web host: file upload', () => {
  it('stores the uploaded bytes in a private temp file and returns its path, which the engine can read', async () => {
    const csv = 'email\njane@example.com\n';
    const res = await http(`/upload?token=${encodeURIComponent(host.token)}&name=${encodeURIComponent('cohort march.csv')}`, { method: 'POST', headers: { origin: host.origin }, body: csv });
    expect(res.status).toBe(200);
    const { path } = JSON.parse(res.body) as { path: string };
    expect(path.startsWith(host.uploadDir)).toBe(true);
    expect(path.endsWith('cohort march.csv')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(csv);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);

    // The returned path works with the contract like a dropped file's path in Electron.
    const ws = await connect();
    const got = messages(ws);
    ws.send(JSON.stringify({ id: 1, channel: 'import:preview', arg: { path } }));
    expect(await until(() => got[0])).toEqual({ kind: 'result', id: 1, result: { ok: true, value: { path, content: csv } } });
    ws.close();
  });

  it('keeps two uploads of the same name apart', async () => {
    const up = async (body: string) => JSON.parse((await http(`/upload?token=${host.token}&name=a.csv`, { method: 'POST', headers: { origin: host.origin }, body })).body) as { path: string };
    const [a, b] = [await up('one'), await up('two')];
    expect(a.path).not.toBe(b.path);
    expect(readFileSync(a.path, 'utf8')).toBe('one');
  });

  it('refuses an upload without the token, from another origin, or with no origin', async () => {
    expect((await http(`/upload?token=nope&name=a.csv`, { method: 'POST', headers: { origin: host.origin }, body: 'x' })).status).toBe(403);
    expect((await http(`/upload?token=${host.token}&name=a.csv`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: 'x' })).status).toBe(403);
    expect((await http(`/upload?token=${host.token}&name=a.csv`, { method: 'POST', body: 'x' })).status).toBe(403);
  });

  it('deletes uploaded files when the host closes', async () => {
    const res = await http(`/upload?token=${host.token}&name=a.csv`, { method: 'POST', headers: { origin: host.origin }, body: 'x' });
    const { path } = JSON.parse(res.body) as { path: string };
    await host.close();
    expect(existsSync(path)).toBe(false);
    expect(existsSync(host.uploadDir)).toBe(false);
  });

  it('refuses an upload over the size limit and leaves no partial file', async () => {
    const small = await startWebHost({ handlers: fakeHandlers(), events: createEventHub(), rendererDir: renderer, maxUploadBytes: 10 });
    try {
      const body = Buffer.alloc(2 * 1024 * 1024, 65);
      const res = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: small.port, path: `/upload?token=${small.token}&name=big.csv`, method: 'POST', headers: { origin: small.origin, 'transfer-encoding': 'chunked' } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(res).toBe(413);
      await until(() => (readdirCount(small.uploadDir) === 0 ? true : undefined));
    } finally {
      await small.close();
    }
  });
});

function readdirCount(dir: string): number {
  return readdirSync(dir).length;
}

describe('safeUploadName', () => {
  it('keeps a plain name and strips folders, control and reserved characters', () => {
    expect(safeUploadName('cohort.csv')).toBe('cohort.csv');
    expect(safeUploadName('../../etc/passwd')).toBe('passwd');
    expect(safeUploadName('C:\\Users\\me\\cohort.csv')).toBe('cohort.csv');
    expect(safeUploadName('a\u0000b<c>.csv')).toBe('a_b_c_.csv');
    expect(safeUploadName('..')).toBe('upload.csv');
    expect(safeUploadName(null)).toBe('upload.csv');
  });
});
