/**
 * Issue #12.8: the web host's uploaded CSV copies (raw identifiers) last only as long as the work that needs them.
 * The real web host on the real engine and the offline sandbox's simulator, over HTTP and the WebSocket, as the page
 * talks to it. And at the start of every host (here the CLI), a crashed host's upload folder is removed.
 */
import { SPILL_DIR_PREFIX } from '../../../electron/core/cohort/spill';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WEB_UPLOAD_PREFIX } from '../../../electron/core/temp-dirs';
import { serveWeb, type ServedWeb } from '../../../electron/web-host/serve';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { WireMessage } from '../../../shared/ipc/wire';
import { cli } from '../../helpers/cli';
import { tmpDir } from '../../helpers/tmp';
import { uploadToWebHost as upload } from '../../helpers/web-upload';

let dir: string;
let cleanup: () => void;
let renderer: string;
let served: ServedWeb | null = null;

beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cr-upload-life-'));
  renderer = path.join(dir, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Cohort Relay</title>');
});
afterEach(async () => {
  await served?.close().catch(() => undefined);
  served = null;
  cleanup();
});

const CSV = `email\n${Array.from({ length: 1200 }, (_, i) => `p${i}@example.com`).join('\n')}\n`;

async function serve(): Promise<ServedWeb> {
  served = await serveWeb({
    dataDir: path.join(dir, 'data'),
    environment: 'offline-sandbox',
    rendererDir: renderer,
    log: new PassThrough(),
    internals: { env: { COHORT_RELAY_KEYCHAIN: 'off' }, simulator: { rateLimit: false, processingDelayMs: 0 }, statusRefreshMs: 0, tickMs: 3_600_000 },
  });
  return served;
}

interface Page {
  ws: WebSocket;
  call(channel: string, arg?: unknown): Promise<unknown>;
  event(name: string): Promise<unknown>;
}

async function page(s: ServedWeb): Promise<Page> {
  const ws = new WebSocket(`ws://127.0.0.1:${s.host.port}/ws?token=${encodeURIComponent(s.host.token)}`, { origin: s.host.origin });
  await new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  const frames: WireMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()) as WireMessage);
    for (const w of waiters.splice(0)) w();
  });
  const next = async <T>(pick: (m: WireMessage) => T | undefined): Promise<T> => {
    for (;;) {
      for (const m of frames) {
        const got = pick(m);
        if (got !== undefined) return got;
      }
      await new Promise<void>((ok) => waiters.push(ok));
    }
  };
  let id = 0;
  return {
    ws,
    async call(channel, arg) {
      const n = ++id;
      ws.send(JSON.stringify(arg === undefined ? { id: n, channel } : { id: n, channel, arg }));
      const result = await next((m) => (m.kind === 'result' && m.id === n ? m.result : undefined));
      if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
    event: (name) => next((m) => (m.kind === 'event' && m.event === name ? m.payload : undefined)),
  };
}

const closeSocket = (ws: WebSocket) =>
  new Promise<void>((ok) => {
    ws.once('close', () => ok());
    ws.close();
  });

/** Removal is asynchronous (a folder rm after the event): waits up to 5 s for `cond`. */
async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 5_000;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

const entries = (d: string) => fs.readdirSync(d);

describe('web-host upload copies (#12.8)', () => {
  it('are gone from the upload folder once the one-off sync that read them completes', async () => {
    const s = await serve();
    const p = await page(s);
    const file = await upload(s, 'spring buyers.csv', CSV);
    await p.call('import:preview', { path: file });
    const conn = (await p.call('connections:connectSandbox')) as { id: string; advertisers: { advertiserId: string }[] };
    const a = (await p.call('audiences:create', {
      advertiserId: conn.advertisers[0]!.advertiserId,
      connectionId: conn.id,
      name: 'Spring buyers',
      keys: [{ key: 'email', column: 'email' }],
      sourcePath: file,
      profile: DEFAULT_PROFILE,
      cadence: { kind: 'manual' },
    })) as { id: number };
    expect(entries(s.host.uploadDir)).toHaveLength(1);
    const finished = p.event('run:finished');
    await p.call('sync:run', { audienceId: a.id });
    expect(await finished).toMatchObject({ audienceId: a.id, status: 'done' });
    await until(() => entries(s.host.uploadDir).length === 0);
    expect(entries(s.host.uploadDir)).toEqual([]);
    expect(fs.existsSync(file)).toBe(false);
    // The audience then says which file to pick again, instead of pointing at the removed copy.
    const after = (await p.call('audiences:get', { id: a.id })) as { sourcePath: string | null };
    expect(after.sourcePath).toBeNull();
    await expect(p.call('sync:run', { audienceId: a.id })).rejects.toThrow(/FILE_NOT_FOUND No source file: pick the cohort file again\..*spring buyers\.csv/);
    // In words that are true of the browser version: the copy went when its sync ended, not when Cohort Relay stopped.
    await expect(p.call('sync:run', { audienceId: a.id })).rejects.toThrow(/removes an uploaded copy once the sync that read it ends or its page closes\.$/);
    await closeSocket(p.ws);
  });

  it('are removed when the wizard opens a newer upload, when it releases them, and when the last page closes', async () => {
    const s = await serve();
    const p = await page(s);
    const first = await upload(s, 'first.csv', CSV);
    await p.call('import:preview', { path: first });
    const suppress = await upload(s, 'suppress.csv', 'email\nx@example.com\n');
    // Previewing the same file again (the header answer, another country) keeps its suppression list.
    await p.call('import:preview', { path: first, hasHeader: false });
    expect(fs.existsSync(suppress)).toBe(true);
    const second = await upload(s, 'second.csv', CSV);
    await p.call('import:preview', { path: second });
    expect(fs.existsSync(first)).toBe(false);
    expect(fs.existsSync(suppress)).toBe(false);
    expect(fs.existsSync(second)).toBe(true);

    await p.call('import:release', { paths: [second] });
    expect(fs.existsSync(second)).toBe(false);

    const third = await upload(s, 'third.csv', CSV);
    await p.call('import:preview', { path: third });
    await closeSocket(p.ws);
    await until(() => !fs.existsSync(third));
    expect(fs.existsSync(third)).toBe(false);
    expect(entries(s.host.uploadDir)).toEqual([]);
  });

  it('a stale upload folder of a crashed host, and part files of a crashed read, are gone once a CLI command starts', async () => {
    const tmp = path.join(dir, 'tmp');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = path.join(tmp, `${WEB_UPLOAD_PREFIX}${dead}-abc`);
    fs.mkdirSync(path.join(stale, '1'), { recursive: true });
    fs.writeFileSync(path.join(stale, '1', 'cohort.csv'), CSV);
    // And the sorted part files (digests) a crashed process left of a large cohort.
    const staleParts = path.join(tmp, `${SPILL_DIR_PREFIX}${dead}-def`);
    fs.mkdirSync(staleParts);
    fs.writeFileSync(path.join(staleParts, 'part-00.bin'), Buffer.alloc(64));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const r = await cli(['status', '--json'], { COHORT_RELAY_HOME: path.join(dir, 'home'), TMPDIR: tmp });
      expect(r.code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(staleParts)).toBe(false);
  });
});
