import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/main';
import { TikTokClient } from '../../../electron/core/tiktok/client';
import { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS } from '../../../electron/core/sandbox';
import { createAudienceOf, hashes } from './helpers';

/** Starts `cohort-relay sandbox ...args`; resolves with its first output line and a stop function. */
async function startCli(args: string[]): Promise<{ first: string; stop: () => Promise<{ code: number; out: string }> }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ac = new AbortController();
  const done = runCli(['sandbox', ...args], { stdout, stderr, env: {}, signal: ac.signal });
  const first = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    };
    stdout.on('data', check);
    void done.then((code) => reject(new Error(`sandbox exited early with ${code}: ${err}`)));
  });
  return {
    first,
    stop: async () => {
      ac.abort();
      const code = await done;
      return { code, out };
    },
  };
}

describe('cohort-relay sandbox', () => {
  it('serves the simulator until the signal aborts and prints how to use it', async () => {
    const cli = await startCli(['--port', '0']);
    expect(cli.first).toMatch(/running at http:\/\/127\.0\.0\.1:\d+$/);
    const url = cli.first.split(' ').at(-1)!;
    const c = new TikTokClient({ base: url, accessToken: SANDBOX_ACCESS_TOKEN, limiter: null });
    expect((await c.userInfo()).user.displayName).toBe('Sandbox User');
    const { code, out } = await cli.stop();
    expect(code).toBe(0);
    expect(out).toContain(`cohort-relay login --sandbox --api-base ${url}`);
    expect(out).toContain(`export TIKTOK_API_BASE=${url}`);
    expect(out).toContain(`export TIKTOK_ACCESS_TOKEN=${SANDBOX_ACCESS_TOKEN}`);
    expect(out).toContain('Offline sandbox stopped.');
    await expect(c.userInfo({ retry: 'none' })).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('keeps audiences across restarts with --data DIR (--json prints the connection details)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-cli-'));
    const first = await startCli(['--port', '0', '--data', dir, '--json', '--processing-delay', '0']);
    const info = JSON.parse(first.first) as { url: string; accessToken: string; advertisers: { advertiserId: string }[] };
    expect(info.accessToken).toBe(SANDBOX_ACCESS_TOKEN);
    const adv = SANDBOX_ADVERTISERS[0]!.advertiserId;
    const c1 = new TikTokClient({ base: info.url, accessToken: info.accessToken, limiter: null });
    const { audienceId } = await createAudienceOf(c1, adv, hashes(1200, 'cli'));
    expect((await first.stop()).code).toBe(0);

    const second = await startCli(['--port', '0', '--data', dir, '--json']);
    const url2 = (JSON.parse(second.first) as { url: string }).url;
    const c2 = new TikTokClient({ base: url2, accessToken: SANDBOX_ACCESS_TOKEN, limiter: null });
    const [a] = (await c2.getAudiences(adv, [audienceId])).audiences;
    expect(a).toMatchObject({ audienceId, coverNum: 960 });
    await second.stop();
  });

  it('answers sign-in like TikTok with the options of --help: registered redirect URLs only, and a token without the ad-account permission', async () => {
    const help = new PassThrough();
    let helpText = '';
    help.on('data', (c: Buffer) => (helpText += c.toString()));
    expect(await runCli(['sandbox', '--help'], { stdout: help, stderr: new PassThrough(), env: {} })).toBe(0);
    expect(helpText).toMatch(/--redirect-uri URL .*registered on the sandbox's developer app/s);
    expect(helpText).toMatch(/--no-ad-account-permission .*advertiser\/info refuse the new token \(40001\)/s);
    expect(helpText).toContain('--no-audience-permission');

    const registered = 'http://127.0.0.1:40123/back';
    const cli = await startCli(['--port', '0', '--json', '--redirect-uri', registered, '--no-ad-account-permission']);
    const info = JSON.parse(cli.first) as { url: string; redirectUris: string[]; adAccountPermission: boolean; appId: string; appSecret: string };
    expect(info).toMatchObject({ redirectUris: [registered], adAccountPermission: false, audiencePermission: true });
    const consent = (redirect: string) => fetch(`${info.url}/portal/auth?app_id=${info.appId}&state=s&redirect_uri=${encodeURIComponent(redirect)}`, { redirect: 'manual' });
    expect((await consent('http://127.0.0.1:28561/oauth/callback')).status).toBe(400);
    const ok = await consent(registered);
    expect(ok.status).toBe(302);
    const code = new URL(ok.headers.get('location')!).searchParams.get('auth_code')!;
    const token = await new TikTokClient({ base: info.url, limiter: null }).oauthAccessToken({ appId: info.appId, secret: info.appSecret, authCode: code });
    expect(token.advertiserIds).toEqual(SANDBOX_ADVERTISERS.map((a) => a.advertiserId));
    expect(token.scope).toEqual(expect.arrayContaining([3, 30, 31]));
    const authed = new TikTokClient({ base: info.url, accessToken: token.accessToken, limiter: null });
    await expect(authed.advertiserGet({ appId: info.appId, secret: info.appSecret }, { retry: 'none' })).rejects.toMatchObject({ tiktokCode: 40001 });
    await expect(authed.advertiserInfo(token.advertiserIds, { retry: 'none' })).rejects.toMatchObject({ tiktokCode: 40001 });
    await cli.stop();
  });

  it('refuses a bad port and a port in use with a plain message (exit 2)', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    expect(await runCli(['sandbox', '--port', 'abc'], { stdout: new PassThrough(), stderr, env: {} })).toBe(2);
    expect(err).toContain('--port must be a whole number');
    const busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      err = '';
      const port = String((busy.address() as AddressInfo).port);
      expect(await runCli(['sandbox', '--port', port], { stdout: new PassThrough(), stderr, env: {} })).toBe(2);
      expect(err).toContain(`Port ${port} is already in use`);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });

  it("answers audiences like TikTok with the options of --help: matched size, unavailable audiences, partner readiness, unfinished REPLACE", async () => {
    const help = new PassThrough();
    let helpText = '';
    help.on('data', (c: Buffer) => (helpText += c.toString()));
    expect(await runCli(['sandbox', '--help'], { stdout: help, stderr: new PassThrough(), env: {} })).toBe(0);
    for (const option of ['--match-rate R', '--editable-below-floor', '--partner-ready-delay MS', '--partner-not-ready-status N', '--replace-unfinished MS']) expect(helpText).toContain(option);
    expect(helpText).toMatch(/--editable-below-floor .*Audience is not editable, please check audience status/s);
    expect(helpText).toMatch(/--partner-ready-delay MS .*invalid audience ID/s);

    const cli = await startCli(['--port', '0', '--json', '--processing-delay', '0', '--match-rate', '0.5', '--partner-ready-delay', '90000', '--partner-not-ready-status', '200', '--replace-unfinished', '3600000']);
    const info = JSON.parse(cli.first) as { url: string };
    expect(info).toMatchObject({ matchRate: 0.5, unavailableBelowFloor: true, partnerReadyDelayMs: 90_000, partnerNotReadyHttpStatus: 200, replaceUnfinishedMs: 3_600_000 });
    const adv = SANDBOX_ADVERTISERS[0]!.advertiserId;
    const c = new TikTokClient({ base: info.url, accessToken: SANDBOX_ACCESS_TOKEN, limiter: null });
    const { audienceId } = await createAudienceOf(c, adv, hashes(1500, 'half'));
    const [a] = (await c.getAudiences(adv, [audienceId])).audiences;
    expect(a).toMatchObject({ coverNum: 750, isValid: false });
    await cli.stop();

    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (b: Buffer) => (err += b.toString()));
    expect(await runCli(['sandbox', '--match-rate', '1.5'], { stdout: new PassThrough(), stderr, env: {} })).toBe(2);
    expect(err).toContain('--match-rate must be a share from 0 to 1');
    err = '';
    expect(await runCli(['sandbox', '--partner-not-ready-status', '302'], { stdout: new PassThrough(), stderr, env: {} })).toBe(2);
    expect(err).toContain('--partner-not-ready-status must be 200 or a 4xx status');
  });
});
