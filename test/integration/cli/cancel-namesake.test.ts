/**
 * Ctrl-C during the same-name question (`cohort-relay sync --audience NEW` asks TikTok's audience list first) ends the
 * command at once, as CANCELLED, even while TikTok does not answer at all (a paused sandbox): the signal reaches the call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/main';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A loopback server that takes every request and never answers, like a sandbox stopped with SIGSTOP. */
async function silentServer(): Promise<{ url: string; asked: string[]; firstRequest: Promise<void> }> {
  const asked: string[] = [];
  let arrived!: () => void;
  const firstRequest = new Promise<void>((r) => (arrived = r));
  const server = http.createServer((req) => {
    asked.push(req.url ?? '');
    arrived();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.closeAllConnections());
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, firstRequest };
}

for (const dryRun of [false, true]) {
  it(`sync --audience NEW${dryRun ? ' --dry-run' : ''}: a cancel while TikTok's audience list is unanswered ends the command at once`, async () => {
    const { dir, cleanup } = tmpDir();
    closers.push(cleanup);
    const tiktok = await silentServer();
    const csv = path.join(dir, 'a.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const controller = new AbortController();
    const stdout = new Sink();
    const stderr = new Sink();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, COHORT_RELAY_HOME: path.join(dir, 'home'), TIKTOK_API_BASE: tiktok.url, TIKTOK_ACCESS_TOKEN: `sbx${'0'.repeat(37)}`, COHORT_RELAY_KEYCHAIN: 'off' };
    const argv = ['sync', '--csv', csv, '--key', 'email', '--advertiser', '7000000000000000001', '--audience', 'NEW', ...(dryRun ? ['--dry-run'] : [])];
    const done = runCli(argv, { stdout, stderr, env, signal: controller.signal });
    await tiktok.firstRequest;
    expect(tiktok.asked[0]).toContain('dmp/custom_audience/list');
    const cancelledAt = Date.now();
    controller.abort();
    const code = await done;
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    expect(code).toBe(1);
    expect(stderr.text).toBe('error: The request to TikTok was cancelled.\n');
    expect(stdout.text).toBe('');
  }, 10_000);
}
