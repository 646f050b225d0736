import net from 'node:net';
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/main';
import { startSimulator, SANDBOX_ADVERTISERS, type SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_REDIRECT_URI } from '../../../electron/core/tiktok/oauth';
import { describeWithKeychain, probeKeychain, testKeychainService } from '../../helpers/keyring';
import { testRedirectUri } from '../../helpers/ports';
import { tmpDir } from '../../helpers/tmp';

const keychain = await probeKeychain();

/** A captured output stream; `waitFor` resolves when the text so far matches. */
class Capture extends Writable {
  text = '';
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    for (const w of this.waiters.splice(0)) {
      const m = this.text.match(w.re);
      if (m) w.resolve(m);
      else this.waiters.push(w);
    }
    done();
  }
  waitFor(re: RegExp): Promise<RegExpMatchArray> {
    const m = this.text.match(re);
    return m ? Promise.resolve(m) : new Promise((resolve) => this.waiters.push({ re, resolve }));
  }
}

let sim: SimulatorHandle;
let tmp: ReturnType<typeof tmpDir>;
let baseEnv: NodeJS.ProcessEnv;
/** This test's redirect URL (the fixed default port would clash between parallel test files), registered on the sandbox app. */
let redirectUri: string;
beforeEach(async () => {
  redirectUri = await testRedirectUri();
  sim = await startSimulator({ redirectUris: [redirectUri] });
  tmp = tmpDir();
  // A data folder and a keychain service name of this test only; PATH/HOME for keytar; no DISPLAY: no browser.
  baseEnv = { COHORT_RELAY_HOME: tmp.dir, COHORT_RELAY_KEYCHAIN_SERVICE: testKeychainService(), PATH: process.env.PATH, HOME: process.env.HOME };
});
afterEach(async () => {
  tmp.cleanup();
  await sim.close();
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env: { ...baseEnv, ...env }, stdin: stdin === undefined ? undefined : Readable.from([stdin]) });
  return { code, out: stdout.text, err: stderr.text };
}

describe('cohort-relay login --sandbox / accounts / logout', () => {
  it('login --sandbox needs the address of a running sandbox and says how to start one', async () => {
    const r = await cli(['login', '--sandbox']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/start "cohort-relay sandbox" in another terminal.*--api-base/);
  });

  it('connects the sandbox, lists it with its ad accounts, and logs out', async () => {
    const env = { COHORT_RELAY_KEYCHAIN: 'off' };
    const login = await cli(['login', '--sandbox', '--api-base', sim.url], env);
    expect(login.code).toBe(0);
    expect(login.out).toMatch(/Connected "Offline sandbox" \(tt-sandbox\)/);
    for (const a of SANDBOX_ADVERTISERS) expect(login.out).toContain(`${a.advertiserId}  ${a.name}`);
    expect(login.out).toMatch(/The offline sandbox needs no keychain/);
    expect(login.err).toBe('');

    const text = await cli(['accounts'], env);
    expect(text.out).toMatch(/tt-sandbox {2}"Offline sandbox" {2}\[ok\] {2}sandbox/);
    const json = JSON.parse((await cli(['accounts', '--json'], env)).out) as { connections: { id: string; advertisers: unknown[]; status: string }[]; envToken: boolean };
    expect(json.connections).toHaveLength(1);
    expect(json.connections[0]).toMatchObject({ id: 'tt-sandbox', status: 'ok' });
    expect(json.connections[0]!.advertisers).toHaveLength(SANDBOX_ADVERTISERS.length);
    expect(json.envToken).toBe(false);

    const checked = await cli(['accounts', '--check'], env);
    expect(checked.code).toBe(0);
    expect(checked.out).toMatch(/check: The connection "Offline sandbox" works/);

    const out = await cli(['logout'], env);
    expect(out.code).toBe(0);
    expect(out.out).toMatch(/Disconnected "Offline sandbox" \(tt-sandbox\)\..*Audiences and sync history are kept/);
    expect(out.err).toBe('');
    expect((await cli(['accounts'], env)).out).toMatch(/No TikTok account is connected/);
    expect((await cli(['logout'], env)).out).toMatch(/nothing to do/);
  });

  it('with TIKTOK_ACCESS_TOKEN set, login checks it and saves only the connection details (no keychain needed)', async () => {
    const env = { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url, TIKTOK_APP_ID: sim.appId, TIKTOK_APP_SECRET: sim.appSecret };
    const r = await cli(['login'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/comes from TIKTOK_ACCESS_TOKEN/);
    expect(r.out + r.err).not.toContain(sim.accessToken);
    expect(r.out + r.err).not.toContain(sim.appSecret);
    const accounts = await cli(['accounts', '--check'], env);
    expect(accounts.code).toBe(0);
    expect(accounts.out).toMatch(/TIKTOK_ACCESS_TOKEN is set/);
  });

  it('refuses a browser or pasted-token sign-in when there is no keychain, before contacting TikTok', async () => {
    const env = { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_API_BASE: sim.url, TIKTOK_APP_ID: sim.appId, TIKTOK_APP_SECRET: sim.appSecret };
    const oauth = await cli(['login', '--no-browser'], env);
    expect(oauth.code).toBe(1);
    expect(oauth.err).toMatch(/No system keychain is available \(the keychain is turned off by COHORT_RELAY_KEYCHAIN\), so the command line cannot keep a TikTok token.*TIKTOK_ACCESS_TOKEN/);
    const pasted = await cli(['login', '--token-stdin'], env, `${sim.accessToken}\n`);
    expect(pasted.code).toBe(1);
    expect(sim.requests()).toHaveLength(0);
  });

  it('names what is missing for a browser sign-in: the app id, then the app secret', async () => {
    const noId = await cli(['login', '--no-browser'], { TIKTOK_API_BASE: sim.url });
    expect(noId.code).toBe(2);
    expect(noId.err).toMatch(/Missing the TikTok app id: pass --app-id ID or set TIKTOK_APP_ID/);
    const noSecret = await cli(['login', '--no-browser', '--app-id', sim.appId], { TIKTOK_API_BASE: sim.url });
    expect(noSecret.code).toBe(2);
    expect(noSecret.err).toMatch(/Missing the TikTok app secret: set TIKTOK_APP_SECRET, or pipe it with --secret-stdin/);
  });

  it('refuses two modes at once, and a token flag with no value', async () => {
    expect((await cli(['login', '--sandbox', '--token-stdin'])).code).toBe(2);
    expect((await cli(['login', '--token'])).code).toBe(2);
  });

  it('logout asks which connection when several are connected', async () => {
    const env = { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_API_BASE: sim.url };
    await cli(['login', '--sandbox'], env);
    await cli(['login'], { ...env, TIKTOK_ACCESS_TOKEN: sim.issueToken([SANDBOX_ADVERTISERS[0]!.advertiserId]) });
    const r = await cli(['logout'], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Several TikTok accounts are connected \(tt-sandbox, tt-token-[0-9a-f]{12}\): pick one with --connection ID/);
    expect((await cli(['logout', '--connection', 'tt-sandbox'], env)).code).toBe(0);
    expect((await cli(['logout', '--connection', 'tt-nope'], env)).code).toBe(2);
  });

  it('documents the sandbox server and the secret-from-stdin rule in --help', async () => {
    const r = await cli(['login', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/start "cohort-relay sandbox" in another terminal/);
    expect(r.out).toMatch(/TIKTOK_APP_SECRET/);
    expect(r.out).toMatch(/never as a flag/);
  });

  it('shows the exact redirect URL to register in --help, and how to change it', async () => {
    const r = await cli(['login', '--help']);
    expect(DEFAULT_REDIRECT_URI).toBe('http://127.0.0.1:28561/oauth/callback');
    expect(r.out).toMatch(/Register\s+exactly this one .*\n\s+http:\/\/127\.0\.0\.1:28561\/oauth\/callback\n/s);
    expect(r.out).toMatch(/--redirect-uri URL, or set TIKTOK_REDIRECT_URI, or change it in the app's Connections screen/);
  });

  it('refuses a redirect URL Cohort Relay could not receive, before contacting TikTok', async () => {
    const env = { TIKTOK_API_BASE: sim.url, TIKTOK_APP_ID: sim.appId, TIKTOK_APP_SECRET: sim.appSecret };
    const flag = await cli(['login', '--no-browser', '--redirect-uri', 'https://example.com/cb'], env);
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/--redirect-uri: The redirect URL must start with http:\/\//);
    const fromEnv = await cli(['login', '--no-browser'], { ...env, TIKTOK_REDIRECT_URI: 'http://127.0.0.1/cb' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.err).toMatch(/TIKTOK_REDIRECT_URI: The redirect URL must name a port/);
    expect(sim.requests()).toHaveLength(0);
  });
});

describe('cohort-relay accounts with TIKTOK_ACCESS_TOKEN (cron / CI)', () => {
  it('lists the ad accounts the token reaches (with the app id and secret), with no keychain and nothing stored', async () => {
    const env = { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_ACCESS_TOKEN: sim.issueToken([SANDBOX_ADVERTISERS[1]!.advertiserId]), TIKTOK_API_BASE: sim.url, TIKTOK_APP_ID: sim.appId, TIKTOK_APP_SECRET: sim.appSecret };
    const r = await cli(['accounts'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`TIKTOK_ACCESS_TOKEN …\\w{4} {2}\\[ok\\] {2}${sim.url}\n {4}TIKTOK_ACCESS_TOKEN \\(…\\w{4}\\) works at ${sim.url} and reaches 1 ad account\\.`));
    expect(r.out).toContain(`${SANDBOX_ADVERTISERS[1]!.advertiserId}  ${SANDBOX_ADVERTISERS[1]!.name}`);
    expect(r.out).not.toContain(SANDBOX_ADVERTISERS[0]!.advertiserId);
    expect(r.out + r.err).not.toContain(env.TIKTOK_ACCESS_TOKEN);
    const json = JSON.parse((await cli(['accounts', '--check', '--json'], env)).out) as { envTokenCheck: { ok: boolean; advertisers: { advertiserId: string }[] } };
    expect(json.envTokenCheck.ok).toBe(true);
    expect(json.envTokenCheck.advertisers.map((a) => a.advertiserId)).toEqual([SANDBOX_ADVERTISERS[1]!.advertiserId]);
  });

  it('--check exits non-zero for a revoked token and for a wrong one, with the reason', async () => {
    const token = sim.issueToken();
    const env = { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_ACCESS_TOKEN: token, TIKTOK_API_BASE: sim.url };
    expect((await cli(['accounts', '--check'], env)).code).toBe(0);
    sim.revokeToken(token);
    const revoked = await cli(['accounts', '--check'], env);
    expect(revoked.code).toBe(1);
    expect(revoked.out).toMatch(/\[check failed\]/);
    expect(revoked.err).toMatch(/TikTok refuses TIKTOK_ACCESS_TOKEN \(…\w{4}\) at .* \(TikTok code 40105: revoked, mistyped, or a token of another environment\)\. Set TIKTOK_ACCESS_TOKEN to a working long-term token/);
    const wrong = await cli(['accounts', '--check'], { ...env, TIKTOK_ACCESS_TOKEN: `sbx${'0'.repeat(37)}` });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/TikTok refuses TIKTOK_ACCESS_TOKEN/);
  });

  it('without the app credentials, checks the ad accounts of the stored connections and says how to list all', async () => {
    const env = { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_API_BASE: sim.url };
    expect((await cli(['login', '--sandbox'], env)).code).toBe(0);
    const token = sim.issueToken([SANDBOX_ADVERTISERS[0]!.advertiserId]);
    const r = await cli(['accounts'], { ...env, TIKTOK_ACCESS_TOKEN: token });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/reaches 1 ad account\./);
    expect(r.err).toMatch(new RegExp(`does not reach ad account ${SANDBOX_ADVERTISERS[1]!.advertiserId} of the stored connections`));
    const empty = tmpDir();
    try {
      const none = await cli(['accounts'], { COHORT_RELAY_KEYCHAIN: 'off', TIKTOK_API_BASE: sim.url, COHORT_RELAY_HOME: empty.dir, TIKTOK_ACCESS_TOKEN: token });
      expect(none.code).toBe(0);
      expect(none.err).toMatch(/set TIKTOK_APP_ID and TIKTOK_APP_SECRET to list them/);
    } finally {
      empty.cleanup();
    }
  });
});

describeWithKeychain(keychain, 'cohort-relay login with the real keychain', () => {
  it('signs in in the browser flow with --no-browser: prints the address, waits, and stores the token in the keychain', async () => {
    const env = { ...baseEnv, TIKTOK_API_BASE: sim.url, TIKTOK_APP_ID: sim.appId, TIKTOK_APP_SECRET: sim.appSecret };
    const stdout = new Capture();
    const stderr = new Capture();
    const done = runCli(['login', '--no-browser', '--redirect-uri', redirectUri], { stdout, stderr, env });
    await stdout.waitFor(new RegExp(`Redirect URL \\(must be registered on your TikTok developer app\\): ${redirectUri}\n`));
    const [, url] = (await stdout.waitFor(/Open this address in a browser to sign in:\n {2}(\S+)\n/)) as unknown as [string, string];
    expect(url).toMatch(new RegExp(`^${sim.url}/portal/auth\\?`));
    await (await fetch(url)).text(); // the user's browser: consent, then the redirect to the loopback
    expect(await done).toBe(0);
    expect(stdout.text).toMatch(new RegExp(`Connected ".*" \\(tt-${sim.appId}\\)`));
    expect(stdout.text).toMatch(/kept in the system keychain/);
    expect(stdout.text + stderr.text).not.toContain(sim.appSecret);

    const accounts = await cli(['accounts', '--check'], env);
    expect(accounts.code).toBe(0);
    expect(accounts.out).toMatch(/works/);

    const out = await cli(['logout'], env);
    expect(out.out).toMatch(/TikTok revoked the token\./);
    expect(sim.requests('oauth2/revoke_token')).toHaveLength(1);
  });

  it('says when the redirect port is taken and how to change it, without contacting TikTok', async () => {
    const port = Number(new URL(redirectUri).port);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = await cli(['login', '--no-browser'], { TIKTOK_API_BASE: sim.url, TIKTOK_APP_ID: sim.appId, TIKTOK_APP_SECRET: sim.appSecret, TIKTOK_REDIRECT_URI: redirectUri });
      expect(r.code).toBe(2);
      expect(r.err).toContain(`Port ${port} is already in use on this computer`);
      expect(r.err).toMatch(/cohort-relay login --redirect-uri http:\/\/127\.0\.0\.1:PORT\/oauth\/callback/);
      expect(sim.requests()).toHaveLength(0);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('pastes a token and the app secret through stdin, never echoing either', async () => {
    const token = sim.issueToken();
    const r = await cli(['login', '--token-stdin', '--secret-stdin', '--app-id', sim.appId, '--api-base', sim.url], {}, `${token}\n${sim.appSecret}\n`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`Token …${token.slice(-4)} is kept in the system keychain`));
    expect(r.out + r.err).not.toContain(token);
    expect(r.out + r.err).not.toContain(sim.appSecret);
    expect(r.out).toContain('Sandbox Advertiser Two');

    sim.revokeToken(token);
    const checked = await cli(['accounts', '--check']);
    expect(checked.code).toBe(1);
    expect(checked.out).toMatch(/\[needs re-connect\]/);
    expect(checked.out).toMatch(/Sign in again/);
  });

  it('rejects a bad pasted token and saves nothing', async () => {
    const r = await cli(['login', '--token-stdin', '--api-base', sim.url], {}, 'no-such-token-000000000000\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/did not accept this access token.*Nothing was saved/);
    expect((await cli(['accounts'])).out).toMatch(/No TikTok account is connected/);
  });

  it('warns that --token TOKEN leaves the token in the shell history', async () => {
    const token = sim.issueToken();
    const r = await cli(['login', '--token', token, '--app-id', sim.appId, '--api-base', sim.url], { TIKTOK_APP_SECRET: sim.appSecret });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/shell history.*prefer --token-stdin/);
    expect(r.out + r.err).not.toContain(token);
    await cli(['logout']);
  });
});
