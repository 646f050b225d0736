/**
 * #12.1 / #11 S1.5 end to end on the real engine: `cohort-relay start --web --allow-folder DIR` lets the page
 * read files under DIR (and sync them on a schedule) and nothing else; the rejects report is a download; and a
 * report never writes through a symlink at its destination.
 */
import fs from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runCli } from '../../../electron/cli/main';
import { createEngine } from '../../../electron/core/engine';
import type { WireMessage } from '../../../shared/ipc/wire';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cohort-relay-fileaccess-'));
});
afterEach(() => cleanup());

const PROFILE = { emailStripPlusAndDots: false, phoneKeepPlus: true, defaultCountry: null };
const CSV = 'user_id,email\n1,a@example.com\n2,b@example.com\n3,not-an-email\n';

function get(url: string): Promise<{ status: number; body: string; disposition: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, disposition: String(res.headers['content-disposition'] ?? '') }));
    })
      .on('error', reject)
      .end();
  });
}

describe('start --web --allow-folder on the real engine', () => {
  it('reads and schedules only files under the granted folder, and hands the rejects report over as a download', async () => {
    const exportsDir = path.join(dir, 'exports');
    fs.mkdirSync(exportsDir);
    const cohort = path.join(exportsDir, 'buyers.csv');
    fs.writeFileSync(cohort, CSV);
    const private_ = path.join(dir, 'private.csv');
    fs.writeFileSync(private_, 'email\nsecret@example.com\n');

    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const stop = new AbortController();
    const env = { COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' };
    const code = runCli(['start', '--web', '--allow-folder', exportsDir], { stdout, stderr: new PassThrough(), env, signal: stop.signal });
    for (let i = 0; i < 400 && !/may read files under/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
    expect(out).toContain(`The page may read files under ${exportsDir}`);
    const url = new URL(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)![0]);
    const token = url.searchParams.get('token')!;
    const ws = new WebSocket(`ws://${url.host}/ws?token=${token}`, { origin: url.origin });
    await new Promise((ok, fail) => {
      ws.once('open', ok);
      ws.once('error', fail);
    });
    let next = 0;
    const call = (channel: string, arg?: unknown) =>
      new Promise<Extract<WireMessage, { kind: 'result' }>['result']>((resolve) => {
        const id = ++next;
        const onMessage = (data: Buffer) => {
          const m = JSON.parse(data.toString()) as WireMessage;
          if (m.kind === 'result' && m.id === id) {
            ws.off('message', onMessage);
            resolve(m.result);
          }
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify(arg === undefined ? { id, channel } : { id, channel, arg }));
      });

    try {
      expect(await call('settings:get')).toMatchObject({ ok: true, value: { grantedFolders: [exportsDir] } });
      // Outside the folder: refused, whatever the channel.
      expect(await call('import:preview', { path: private_ })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
      expect(await call('import:validate', { path: cohort, key: 'email', column: 'email', profile: PROFILE, suppressPath: private_ })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
      // Inside: read.
      expect(await call('import:preview', { path: cohort })).toMatchObject({ ok: true, value: { fileName: 'buyers.csv' } });

      // The report: the page's own destination is refused; without one it becomes a download, not a file beside the source.
      const victim = path.join(dir, '.bashrc');
      fs.writeFileSync(victim, 'export PATH\n');
      expect(await call('import:exportRejects', { path: cohort, key: 'email', column: 'email', profile: PROFILE, outPath: victim })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
      expect(fs.readFileSync(victim, 'utf8')).toBe('export PATH\n');
      const exported = await call('import:exportRejects', { path: cohort, key: 'email', column: 'email', profile: PROFILE });
      expect(exported).toMatchObject({ ok: true, value: { written: 1, download: '/download/1/buyers-rejects.csv' } });
      expect(fs.existsSync(path.join(exportsDir, 'buyers-rejects.csv'))).toBe(false);
      const dl = await get(`${url.origin}/download/1/buyers-rejects.csv?token=${token}`);
      expect(dl.status).toBe(200);
      expect(dl.disposition).toContain('attachment');
      // The file's user_id column comes last: the reject can be found by its record id (#11 item 15).
      expect(dl.body.split('\n')[0]).toBe('row,column,reason,masked_value,explanation,"user_id"');
      expect(dl.body).toMatch(/^"?4"?,"?email"?,"?INVALID_EMAIL/m);

      // A scheduled sync from a file under the granted folder is saved.
      const conn = await call('connections:connectSandbox');
      expect(conn.ok).toBe(true);
      const advertisers = await call('connections:advertisers', { connectionId: 'tt-sandbox' });
      const advertiserId = (advertisers as { ok: true; value: { advertiserId: string }[] }).value[0]!.advertiserId;
      const base = { advertiserId, connectionId: 'tt-sandbox', keys: [{ key: 'email', column: 'email' }], profile: PROFILE, cadence: { kind: 'daily', at: '06:00' } };
      expect(await call('audiences:create', { ...base, name: 'Buyers', sourcePath: cohort })).toMatchObject({ ok: true, value: { sourcePath: cohort } });
      expect(await call('audiences:create', { ...base, name: 'Private', sourcePath: private_ })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    } finally {
      ws.close();
      stop.abort();
      expect(await code).toBe(0);
    }
  });

  it('refuses to start with a granted folder that does not exist, naming it', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const missing = path.join(dir, 'nope');
    const code = await runCli(['start', '--web', '--allow-folder', missing], { stdout: new PassThrough(), stderr, env: { COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' }, signal: new AbortController().signal });
    expect(code).not.toBe(0);
    expect(err).toContain(missing);
  });
});

describe('the rejects report on disk (CLI and desktop destinations)', () => {
  it('replaces a symlink at the destination instead of writing through it', async () => {
    const engine = await createEngine({ dataDir: path.join(dir, 'data'), host: 'cli', environment: 'offline-sandbox' }, { env: { COHORT_RELAY_KEYCHAIN: 'off' }, statusRefreshMs: 0 });
    try {
      const cohort = path.join(dir, 'buyers.csv');
      fs.writeFileSync(cohort, CSV);
      const victim = path.join(dir, 'profile.sh');
      fs.writeFileSync(victim, 'export PATH\n');
      const report = path.join(dir, 'buyers-rejects.csv');
      fs.symlinkSync(victim, report);
      const r = await engine.handlers['import:exportRejects']({ path: cohort, key: 'email', column: 'email', profile: PROFILE });
      expect(r).toMatchObject({ outPath: report, written: 1 });
      expect(fs.readFileSync(victim, 'utf8')).toBe('export PATH\n');
      expect(fs.lstatSync(report).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(report, 'utf8')).toContain('row,column,reason');
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await engine.shutdown();
    }
  });
});
