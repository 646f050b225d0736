import { AppError } from '../../../shared/errors';
import { DEFAULT_REDIRECT_URI } from '../../core/tiktok/oauth';
import { SANDBOX_ADVERTISERS, startSimulator, type SimulatorHandle } from '../../core/tiktok/simulator';
import { flag, printJson, str, type CliCommand } from '../command';

const DEFAULT_PORT = 8123;
/** Long enough to see an audience "processing" in the app, short enough not to stall a first try. */
const DEFAULT_PROCESSING_MS = 2000;

function intOption(value: string | undefined, name: string, dflt: number, max: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new AppError('INVALID_ARGUMENT', `--${name} must be a whole number from 0 to ${max}, got "${value}".`);
  return n;
}

/** `cohort-relay sandbox`: the offline TikTok simulator, until SIGINT / SIGTERM. */
const sandbox: CliCommand = {
  summary: 'Run the offline sandbox: a local TikTok simulator to try Cohort Relay with no TikTok account.',
  usage: `cohort-relay sandbox [--port N] [--data DIR] [--processing-delay MS] [--redirect-uri URL ...] [--no-ad-account-permission] [--no-audience-permission] [--json]

The sandbox's developer app answers sign-in like TikTok's:
  --redirect-uri URL            a redirect URL registered on the sandbox's developer app (repeatable; default
                                ${DEFAULT_REDIRECT_URI}). Like TikTok, the consent page refuses any
                                other redirect_uri, compared exactly, with an error page and no redirect.
  --no-ad-account-permission    consent does not grant "Read Ad Account Information": oauth2/advertiser/get and
                                advertiser/info refuse the new token (40001); the token response still carries
                                advertiser_ids and scope.
  --no-audience-permission      consent does not grant Audience Management (scopes 3, 30, 31, 32).`,
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    'processing-delay': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'no-ad-account-permission': { type: 'boolean' },
    'no-audience-permission': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const port = intOption(str(ctx, 'port'), 'port', DEFAULT_PORT, 65535);
    const processingDelayMs = intOption(str(ctx, 'processing-delay'), 'processing-delay', DEFAULT_PROCESSING_MS, 86_400_000);
    const dataDir = str(ctx, 'data');
    const redirectUris = (ctx.values['redirect-uri'] as string[] | undefined)?.map((u) => u.trim()).filter(Boolean);
    const permissions = { adAccountPermission: !flag(ctx, 'no-ad-account-permission'), audiencePermission: !flag(ctx, 'no-audience-permission') };
    let sim: SimulatorHandle;
    try {
      sim = await startSimulator({ port, dataDir, processingDelayMs, ...permissions, ...(redirectUris?.length ? { redirectUris } : {}) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
        throw new AppError('INVALID_ARGUMENT', `Port ${port} is already in use (another sandbox?). Choose another with --port N, or --port 0 for any free port.`);
      }
      throw err;
    }
    if (flag(ctx, 'json')) {
      printJson(ctx, {
        url: sim.url,
        port: sim.port,
        accessToken: sim.accessToken,
        appId: sim.appId,
        appSecret: sim.appSecret,
        advertisers: SANDBOX_ADVERTISERS,
        dataDir: dataDir ?? null,
        redirectUris: sim.settings.redirectUris,
        ...permissions,
      });
    } else {
      ctx.stdout.write(
        [
          `Cohort Relay offline sandbox (a local TikTok simulator) is running at ${sim.url}`,
          '',
          `  API base       ${sim.url}`,
          `  Access token   ${sim.accessToken}`,
          `  App id/secret  ${sim.appId} / ${sim.appSecret}`,
          `  Redirect URLs  ${sim.settings.redirectUris.join(', ')} (registered on the sandbox's app)`,
          ...(permissions.adAccountPermission ? [] : ['  Sign-in grants no "Read Ad Account Information": ad-account names are refused.']),
          ...(permissions.audiencePermission ? [] : ['  Sign-in grants no Audience Management.']),
          ...SANDBOX_ADVERTISERS.map((a, i) => `  ${i === 0 ? 'Ad accounts   ' : '              '} ${a.advertiserId}  ${a.name}`),
          `  Data           ${dataDir ? `kept in ${dataDir}` : 'in memory only (add --data DIR to keep audiences across restarts)'}`,
          '',
          'Use it from another terminal:',
          `  cohort-relay login --sandbox --api-base ${sim.url}`,
          'or, with nothing stored:',
          `  export TIKTOK_API_BASE=${sim.url}`,
          `  export TIKTOK_ACCESS_TOKEN=${sim.accessToken}`,
          `  cohort-relay sync --advertiser ${SANDBOX_ADVERTISERS[0]?.advertiserId ?? ''} ...`,
          'In the desktop app, choose "Offline sandbox" when connecting. Stop with Ctrl-C.',
          '',
        ].join('\n'),
      );
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await sim.close();
    if (!flag(ctx, 'json')) ctx.stdout.write('Offline sandbox stopped.\n');
    return 0;
  },
};
export default sandbox;
