import { AppError } from '../../../shared/errors';
import { DEFAULT_REDIRECT_URI, SANDBOX_ADVERTISERS, startSandbox, type SimulatorHandle } from '../../core/engine/host-support';
import { flag, printJson, str, type CliCommand } from '../command';

const DEFAULT_PORT = 8123;
/** Long enough to see an audience "processing" in the app, short enough not to stall a first try. */
const DEFAULT_PROCESSING_MS = 2000;
/** TikTok: a new partner audience is ready for mapping after about 1–2 minutes. */
const DEFAULT_PARTNER_READY_MS = 60_000;

/** --match-rate: a share of 0..1, or "exact". */
function matchRateOption(value: string | undefined): number | 'exact' | undefined {
  if (value === undefined) return undefined;
  if (value === 'exact') return 'exact';
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1 || value.trim() === '') throw new AppError('INVALID_ARGUMENT', `--match-rate must be a share from 0 to 1 (e.g. 0.6) or "exact", got "${value}".`);
  return n;
}

function intOption(value: string | undefined, name: string, dflt: number, max: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new AppError('INVALID_ARGUMENT', `--${name} must be a whole number from 0 to ${max}, got "${value}".`);
  return n;
}

/** `cohort-relay sandbox`: the offline TikTok simulator, until SIGINT / SIGTERM. */
const sandbox: CliCommand = {
  summary: 'Run the offline sandbox: a local TikTok simulator to try Cohort Relay with no TikTok account.',
  usage: `cohort-relay sandbox [--port N] [--data DIR] [--processing-delay MS] [--redirect-uri URL ...] [--no-ad-account-permission] [--no-audience-permission] [--match-rate R] [--editable-below-floor] [--partner-ready-delay MS] [--partner-not-ready-status N] [--replace-unfinished MS] [--json]

The sandbox's developer app answers sign-in like TikTok's:
  --redirect-uri URL            a redirect URL registered on the sandbox's developer app (repeatable; default
                                ${DEFAULT_REDIRECT_URI}). Like TikTok, the consent page refuses any
                                other redirect_uri, compared exactly, with an error page and no redirect.
  --no-ad-account-permission    consent does not grant "Read Ad Account Information": oauth2/advertiser/get and
                                advertiser/info refuse the new token (40001); the token response still carries
                                advertiser_ids and scope.
  --no-audience-permission      consent does not grant Audience Management (scopes 3, 30, 31, 32).

Each seeded ad account has three campaigns with five ad groups (one Reach & Frequency) to attach audiences to,
and belongs to a Business Center with 11 more ad accounts (7000000000000000101-111) to share audiences with;
7900000000000000001 is an ad account of another Business Center, which sharing refuses.

Its audience API answers like TikTok's:
  --match-rate R                the share of uploaded ids TikTok matches, 0 to 1, or "exact" (default 0.8): an
                                audience's matched size (cover_num) is below the rows sent.
  --editable-below-floor        let audiences that matched fewer than 1,000 people be edited. By default, as at
                                TikTok, they are unavailable and refuse every APPEND, REMOVE and REPLACE for good
                                with 40002 "Audience is not editable, please check audience status" (the same
                                words TikTok gives while an audience is processing).
  --partner-ready-delay MS      a new partner audience refuses /segment/mapping/ with 40002 "Parameter error:
                                invalid audience ID" for this long (default ${DEFAULT_PARTNER_READY_MS}; TikTok: about 1-2 minutes).
  --partner-not-ready-status N  the HTTP status of that answer: 400 (default, as Segment saw) or 200.
  --replace-unfinished MS       how long a REPLACE stays unfinished: another REPLACE of the audience meanwhile is
                                refused with TikTok's "existing unfinished replace operation" words (default: while
                                the audience processes, see --processing-delay).`,
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    'processing-delay': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'no-ad-account-permission': { type: 'boolean' },
    'no-audience-permission': { type: 'boolean' },
    'match-rate': { type: 'string' },
    'editable-below-floor': { type: 'boolean' },
    'partner-ready-delay': { type: 'string' },
    'partner-not-ready-status': { type: 'string' },
    'replace-unfinished': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const port = intOption(str(ctx, 'port'), 'port', DEFAULT_PORT, 65535);
    const processingDelayMs = intOption(str(ctx, 'processing-delay'), 'processing-delay', DEFAULT_PROCESSING_MS, 86_400_000);
    const dataDir = str(ctx, 'data');
    const redirectUris = (ctx.values['redirect-uri'] as string[] | undefined)?.map((u) => u.trim()).filter(Boolean);
    const permissions = { adAccountPermission: !flag(ctx, 'no-ad-account-permission'), audiencePermission: !flag(ctx, 'no-audience-permission') };
    const matchRate = matchRateOption(str(ctx, 'match-rate'));
    const notReady = intOption(str(ctx, 'partner-not-ready-status'), 'partner-not-ready-status', 400, 599);
    if (notReady !== 200 && (notReady < 400 || notReady > 499)) throw new AppError('INVALID_ARGUMENT', `--partner-not-ready-status must be 200 or a 4xx status such as 400, got "${notReady}".`);
    const replaceUnfinished = str(ctx, 'replace-unfinished');
    const answers = {
      ...(matchRate === undefined ? {} : { matchRate }),
      unavailableBelowFloor: !flag(ctx, 'editable-below-floor'),
      partnerReadyDelayMs: intOption(str(ctx, 'partner-ready-delay'), 'partner-ready-delay', DEFAULT_PARTNER_READY_MS, 86_400_000),
      partnerNotReadyHttpStatus: notReady,
      replaceUnfinishedMs: replaceUnfinished === undefined ? null : intOption(replaceUnfinished, 'replace-unfinished', 0, 7 * 86_400_000),
    };
    let sim: SimulatorHandle;
    try {
      sim = await startSandbox({ port, dataDir, processingDelayMs, ...permissions, ...answers, ...(redirectUris?.length ? { redirectUris } : {}) });
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
        matchRate: sim.settings.matchRate,
        unavailableBelowFloor: sim.settings.unavailableBelowFloor,
        partnerReadyDelayMs: sim.settings.partnerReadyDelayMs,
        partnerNotReadyHttpStatus: sim.settings.partnerNotReadyHttpStatus,
        replaceUnfinishedMs: sim.settings.replaceUnfinishedMs,
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
