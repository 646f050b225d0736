/**
 * Issue #12.1 / #11 S1.5 in the web host: the page reaches only files the user gave (an upload, a file under a
 * folder granted with --allow-folder, an audience's saved source); a rejects report is a download, never a path
 * the page names.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWebHost } from '../../../electron/web-host/server';
import type { WebHost } from '../../../electron/web-host/server';
import type { Result } from '../../../shared/ipc/contract';
import type { AudienceView } from '../../../shared/ipc/dto';
import { createEventHub } from '../../../shared/ipc/events';
import type { WireMessage } from '../../../shared/ipc/wire';
import { tmpDir } from '../../helpers/tmp';
import { fakeHandlers, SETTINGS } from '../ipc/fake-handlers';

let host: WebHost;
let cleanup: () => void;
let root: string;
let granted: string;
let outside: string;
let saved: AudienceView[];
const written: string[] = [];

beforeEach(async () => {
  const t = tmpDir('cohort-relay-files-');
  cleanup = t.cleanup;
  root = t.dir;
  granted = join(root, 'exports');
  outside = join(root, 'home');
  mkdirSync(granted);
  mkdirSync(outside);
  writeFileSync(join(granted, 'cohort.csv'), 'email\na@example.com\n');
  writeFileSync(join(outside, '.bashrc'), 'secret\n');
  saved = [];
  written.length = 0;
  host = await startWebHost({
    handlers: fakeHandlers({
      'settings:get': async () => SETTINGS,
      'audiences:list': async () => saved,
      'import:preview': async ({ path }) => ({ path, content: readFileSync(path, 'utf8') }) as never,
      'import:exportRejects': async ({ outPath }) => {
        written.push(outPath!);
        writeFileSync(outPath!, 'row,column\n');
        return { outPath: outPath!, written: 1 };
      },
      'audiences:create': async (req) => ({ id: 1, sourcePath: req.sourcePath }) as never,
    }),
    events: createEventHub(),
    rendererDir: join(root, 'renderer'),
    allowFolders: [granted],
  });
});

afterEach(async () => {
  await host.close();
  cleanup();
});

async function call(channel: string, arg: unknown): Promise<Result<unknown>> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: host.origin });
  await new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  const answer = new Promise<Result<unknown>>((ok) => ws.once('message', (d) => ok((JSON.parse(d.toString()) as Extract<WireMessage, { kind: 'result' }>).result)));
  ws.send(JSON.stringify({ id: 1, channel, arg }));
  const r = await answer;
  ws.close();
  return r;
}

function http(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
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

const mapped = (path: string) => ({ path, key: 'email', column: 0, profile: { emailStripPlusAndDots: false, phoneKeepPlus: true, defaultCountry: null } });

describe('web host: which files the page may read', () => {
  it('refuses a path the user never gave, and a symlink out of a granted folder', async () => {
    const r = await call('import:preview', { path: join(outside, '.bashrc') });
    expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(JSON.stringify(r)).not.toContain('secret');
    symlinkSync(join(outside, '.bashrc'), join(granted, 'link.csv'));
    expect(await call('import:preview', { path: join(granted, 'link.csv') })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await call('import:preview', { path: join(granted, '..', 'home', '.bashrc') })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it('reads a file under a folder granted with --allow-folder, and lists the folder in settings', async () => {
    expect(await call('import:preview', { path: join(granted, 'cohort.csv') })).toMatchObject({ ok: true, value: { content: 'email\na@example.com\n' } });
    expect(await call('settings:get', undefined)).toMatchObject({ ok: true, value: { grantedFolders: [granted] } });
  });

  it('says a missing file under a granted folder does not exist, and still refuses a missing path elsewhere', async () => {
    const nope = join(granted, 'nope.csv');
    const r = await call('import:preview', { path: nope });
    expect(r).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND', message: `The file ${nope} does not exist. Check its name and folder (is it still there?), or choose it again with the file picker.` } });
    expect(JSON.stringify(r)).not.toContain('--allow-folder');
    expect(await call('import:preview', { path: join(granted, 'sub', 'deeper', 'nope.csv') })).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
    expect(await call('audiences:create', { advertiserId: 'adv', name: 'A', keys: [{ key: 'email', column: 0 }], sourcePath: nope, profile: mapped(nope).profile, cadence: { kind: 'manual' } })).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
    // Outside the granted folders, a missing file is refused like any other, saying nothing about it.
    expect(await call('import:preview', { path: join(outside, 'nope.csv') })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await call('import:preview', { path: join(granted, '..', 'home', 'nope.csv') })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    // A link in the granted folder to a folder outside it leads outside: refused, missing file or not.
    symlinkSync(outside, join(granted, 'out'));
    expect(await call('import:preview', { path: join(granted, 'out', 'nope.csv') })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    // A dangling link is answered the same way: "missing" for it would tell that its outside target does not exist.
    symlinkSync(join(outside, 'never-there'), join(granted, 'dangling'));
    expect(await call('import:preview', { path: join(granted, 'dangling', 'x.csv') })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it("reads an audience's saved source", async () => {
    saved = [{ id: 3, sourcePath: join(outside, '.bashrc'), suppressPath: null } as AudienceView];
    expect(await call('import:preview', { path: join(outside, '.bashrc') })).toMatchObject({ ok: true });
  });

  it('reads an upload, but refuses it as the source of a scheduled sync (a temp copy vanishes at restart)', async () => {
    const up = await http(`/upload?token=${host.token}&name=c.csv`, { method: 'POST', headers: { origin: host.origin }, body: 'email\nb@example.com\n' });
    const { path } = JSON.parse(up.body) as { path: string };
    expect(await call('import:preview', { path })).toMatchObject({ ok: true });
    const base = { advertiserId: 'adv', name: 'A', keys: [{ key: 'email', column: 0 }], sourcePath: path, profile: mapped(path).profile };
    const daily = await call('audiences:create', { ...base, cadence: { kind: 'daily', at: '06:00' } });
    expect(daily).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect((daily as { error: { message: string } }).error.message).toContain('--allow-folder');
    expect((daily as { error: { message: string } }).error.message).toContain('a copy the browser version removes once the sync that read it ends or its page closes');
    expect(await call('audiences:create', { ...base, cadence: { kind: 'manual' } })).toMatchObject({ ok: true });
    expect(await call('audiences:create', { ...base, sourcePath: join(granted, 'cohort.csv'), cadence: { kind: 'daily', at: '06:00' } })).toMatchObject({ ok: true });
  });
});

describe('web host: the rejects report is a download', () => {
  it('refuses an outPath named by the page, and writes nothing there', async () => {
    const target = join(outside, '.profile');
    const r = await call('import:exportRejects', { ...mapped(join(granted, 'cohort.csv')), outPath: target });
    expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(written).toEqual([]);
  });

  it('writes into a private folder and serves it with the token only', async () => {
    const r = (await call('import:exportRejects', mapped(join(granted, 'cohort.csv')))) as { ok: true; value: { outPath: string; download: string } };
    expect(r.ok).toBe(true);
    expect(r.value.outPath.startsWith(host.downloadDir)).toBe(true);
    expect(r.value.download).toMatch(/^\/download\/\d+\/cohort-rejects\.csv$/);
    expect((await http(r.value.download)).status).toBe(403);
    expect((await http(`${r.value.download}?token=wrong`)).status).toBe(403);
    const got = await http(`${r.value.download}?token=${host.token}`);
    expect(got.status).toBe(200);
    expect(got.body).toBe('row,column\n');
    expect(String(got.headers['content-disposition'])).toContain('attachment');
    expect((await http(`/download/1/..%2f..%2fetc%2fpasswd?token=${host.token}`)).status).toBe(404);
  });
});
