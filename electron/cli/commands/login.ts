import { AppError } from '../../../shared/errors';
import {
  DEFAULT_LOGIN_TIMEOUT_MS,
  DEFAULT_REDIRECT_URI,
  formatDuration,
  openConnections,
  resolveDataDir,
  systemBrowser,
  type ConnectResult,
  type OpenedSecretStore,
} from '../../core/engine/host-support';
import { flag, printJson, str, type CliCommand, type CliContext } from '../command';

const USAGE = `cohort-relay login [--app-id ID] [--secret-stdin] [--no-browser] [--redirect-uri URL] [--api-base URL] [--json]
       cohort-relay login --token-stdin | --token TOKEN [--app-id ID] [--secret-stdin] [--advertiser-id ID ...]
       cohort-relay login --sandbox --api-base URL

Sign in with your own TikTok developer app (My Apps > Basic Information in TikTok for Business):
  the app id comes from --app-id or TIKTOK_APP_ID, the app secret from TIKTOK_APP_SECRET or, with
  --secret-stdin, from standard input (never as a flag). Your browser opens TikTok's consent page; with
  --no-browser (or no display) the address is printed, and login waits up to ${formatDuration(DEFAULT_LOGIN_TIMEOUT_MS)} for you to approve.

Redirect URL: TikTok sends the browser back only to a redirect URL registered on your developer app. Register
  exactly this one (My Apps > your app > Advertiser redirect URL), once:
      ${DEFAULT_REDIRECT_URI}
  To use another (e.g. when port ${new URL(DEFAULT_REDIRECT_URI).port} is taken on this computer), register it too and pass
  --redirect-uri URL, or set TIKTOK_REDIRECT_URI, or change it in the app's Connections screen (saved, and used
  here too). It must be http://127.0.0.1:PORT/…, http://localhost:PORT/… or http://[::1]:PORT/….

Or paste a long-term access token: --token-stdin reads it from standard input (first line; with
  --secret-stdin the second line is the app secret). --token TOKEN works too, but leaves the token in your
  shell history. The token is checked with TikTok before anything is saved. Without the app secret,
  name the ad accounts with --advertiser-id (repeatable).

--sandbox connects the offline sandbox. It is a server: start "cohort-relay sandbox" in another terminal,
  then pass its address with --api-base http://127.0.0.1:PORT (or set TIKTOK_API_BASE).

With TIKTOK_ACCESS_TOKEN set (cron, CI) and no other mode, login checks that token and saves only the
  connection's details; the token keeps coming from the environment.

Tokens and the app secret are kept in the system keychain, never in a file. --api-base (or
  TIKTOK_API_BASE) picks production (default), "tiktok-sandbox", or any URL.`;

/** `cohort-relay login`: connect a TikTok account (browser OAuth, pasted token, env token, or the offline sandbox). */
const login: CliCommand = {
  summary: 'Connect a TikTok account: sign in in the browser, paste a token, or connect the offline sandbox.',
  usage: USAGE,
  options: {
    'app-id': { type: 'string' },
    'secret-stdin': { type: 'boolean' },
    'no-browser': { type: 'boolean' },
    'redirect-uri': { type: 'string' },
    token: { type: 'string' },
    'token-stdin': { type: 'boolean' },
    'advertiser-id': { type: 'string', multiple: true },
    sandbox: { type: 'boolean' },
    'api-base': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const modes = [flag(ctx, 'sandbox'), str(ctx, 'token') !== undefined, flag(ctx, 'token-stdin')].filter(Boolean).length;
    if (modes > 1) throw new AppError('INVALID_ARGUMENT', 'Use only one of --sandbox, --token and --token-stdin.');
    if (str(ctx, 'token') !== undefined) {
      ctx.stderr.write('note: a token given on the command line stays in your shell history and is visible to other users of this machine; prefer --token-stdin.\n');
    }

    const connections = await openConnections(resolveDataDir(ctx.env), ctx.env);
    try {
      const { service, keychain } = await connections.withKeychain();
      const envToken = ctx.env.TIKTOK_ACCESS_TOKEN?.trim();
      let result: ConnectResult;

      if (flag(ctx, 'sandbox')) {
        const base = str(ctx, 'api-base') ?? ctx.env.TIKTOK_API_BASE?.trim();
        if (!base) {
          throw new AppError('INVALID_ARGUMENT', 'login --sandbox needs the address of a running sandbox: start "cohort-relay sandbox" in another terminal, then run login --sandbox --api-base http://127.0.0.1:PORT (or set TIKTOK_API_BASE).');
        }
        result = await service.connectSandbox(connections.resolveApiBase({}, base), ctx.signal);
      } else {
        const apiBase = connections.resolveApiBase(ctx.env, str(ctx, 'api-base'));
        const appId = str(ctx, 'app-id')?.trim() || ctx.env.TIKTOK_APP_ID?.trim() || undefined;
        const piped = await readPiped(ctx, { token: flag(ctx, 'token-stdin'), secret: flag(ctx, 'secret-stdin') });
        const appSecret = piped.secret ?? (ctx.env.TIKTOK_APP_SECRET?.trim() || undefined);
        const token = piped.token ?? str(ctx, 'token');
        const advertiserIds = (ctx.values['advertiser-id'] as string[] | undefined) ?? [];

        if (token !== undefined) {
          requirePersistent(keychain, connections.keychainFix());
          result = await service.connectWithToken({ apiBase, token, appId, appSecret, advertiserIds, signal: ctx.signal });
        } else if (envToken) {
          result = await service.connectWithToken({ apiBase, token: envToken, appId, appSecret, advertiserIds, storeSecrets: false, signal: ctx.signal });
        } else {
          if (!appId) throw new AppError('INVALID_ARGUMENT', 'Missing the TikTok app id: pass --app-id ID or set TIKTOK_APP_ID (My Apps > Basic Information in TikTok for Business). Or use --token-stdin, or --sandbox.');
          if (!appSecret) throw new AppError('INVALID_ARGUMENT', 'Missing the TikTok app secret: set TIKTOK_APP_SECRET, or pipe it with --secret-stdin (it is never taken as a flag).');
          const redirect = connections.redirectUri(str(ctx, 'redirect-uri'));
          requirePersistent(keychain, connections.keychainFix());
          const opener = flag(ctx, 'no-browser') ? null : systemBrowser(ctx.env);
          result = await service.loginWithOAuth({
            apiBase,
            appId,
            appSecret,
            openBrowser: opener,
            redirectUri: redirect.uri,
            signal: ctx.signal,
            onUrl: (url, waiting) => {
              ctx.stdout.write(
                `Redirect URL (must be registered on your TikTok developer app): ${waiting.redirectUri}\n` +
                  `${opener ? 'Opening your browser. If it does not open, visit' : 'Open this address in a browser to sign in'}:\n  ${url}\nWaiting for TikTok (up to ${formatDuration(DEFAULT_LOGIN_TIMEOUT_MS)}; Ctrl+C to cancel)…\n`,
              );
            },
            onBrowserError: () => ctx.stderr.write('note: could not open a browser; open the address above yourself.\n'),
          });
        }
      }
      report(ctx, result);
      return 0;
    } finally {
      connections.close();
    }
  },
};
export default login;

/** The CLI exits right after signing in, so a token kept in memory would be lost at once: refuse, and say what works. */
function requirePersistent(keychain: OpenedSecretStore, keychainFix: string): void {
  if (keychain.persistent) return;
  throw new AppError(
    'KEYCHAIN_UNAVAILABLE',
    `No system keychain is available (${keychain.cause ?? 'unknown cause'}), so the command line cannot keep a TikTok token: it would be lost as soon as login exits. ${keychainFix} For scheduled or headless runs, set TIKTOK_ACCESS_TOKEN instead (login then saves only the connection's details).`,
  );
}

function report(ctx: CliContext, r: ConnectResult): void {
  const c = r.connection;
  if (flag(ctx, 'json')) {
    printJson(ctx, { connection: c, tokenHint: r.tokenHint, tokenStorage: r.tokenStorage, warnings: r.warnings });
    return;
  }
  const where = { keychain: 'in the system keychain', memory: 'in memory only, until this process exits', env: 'nowhere: it comes from TIKTOK_ACCESS_TOKEN on every run' }[r.tokenStorage];
  ctx.stdout.write(`Connected "${c.label}" (${c.id}) at ${c.apiBase}.\n`);
  ctx.stdout.write(`Ad accounts (${c.advertisers.length}):\n`);
  for (const a of c.advertisers) ctx.stdout.write(`  ${a.advertiserId}  ${a.name}\n`);
  if (c.kind === 'sandbox' && r.tokenStorage === 'memory') ctx.stdout.write('The offline sandbox needs no keychain: its token is public seed data.\n');
  else ctx.stdout.write(`Token ${r.tokenHint} is kept ${where}.\n`);
  for (const w of r.warnings) ctx.stderr.write(`warning: ${w}\n`);
}

/**
 * Secrets piped on standard input, one per line: the token first (--token-stdin), then the app secret
 * (--secret-stdin). Never prompts: a terminal on stdin is an error that says how to pipe.
 */
async function readPiped(ctx: CliContext, want: { token: boolean; secret: boolean }): Promise<{ token?: string; secret?: string }> {
  if (!want.token && !want.secret) return {};
  const input = ctx.stdin;
  if (!input || (input as NodeJS.ReadStream).isTTY) {
    throw new AppError('INVALID_ARGUMENT', `--${want.token ? 'token' : 'secret'}-stdin reads from a pipe, not the keyboard: e.g. printf '%s\\n' "$TIKTOK_TOKEN" | cohort-relay login --token-stdin`);
  }
  let text = '';
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const out: { token?: string; secret?: string } = {};
  if (want.token) out.token = lines.shift();
  if (want.secret) out.secret = lines.shift();
  if (want.token && !out.token) throw new AppError('INVALID_ARGUMENT', '--token-stdin got nothing on standard input. Pipe the token in, one line.');
  if (want.secret && !out.secret) throw new AppError('INVALID_ARGUMENT', `--secret-stdin got no ${want.token ? 'second line' : 'line'} on standard input. Pipe the app secret in${want.token ? ' after the token' : ''}.`);
  return out;
}

