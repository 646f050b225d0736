import { AppError } from '../../../shared/errors';
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
  usage: 'cohort-relay sandbox [--port N] [--data DIR] [--processing-delay MS] [--json]',
  options: { port: { type: 'string' }, data: { type: 'string' }, 'processing-delay': { type: 'string' }, json: { type: 'boolean' } },
  async run(ctx) {
    const port = intOption(str(ctx, 'port'), 'port', DEFAULT_PORT, 65535);
    const processingDelayMs = intOption(str(ctx, 'processing-delay'), 'processing-delay', DEFAULT_PROCESSING_MS, 86_400_000);
    const dataDir = str(ctx, 'data');
    let sim: SimulatorHandle;
    try {
      sim = await startSimulator({ port, dataDir, processingDelayMs });
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
        throw new AppError('INVALID_ARGUMENT', `Port ${port} is already in use (another sandbox?). Choose another with --port N, or --port 0 for any free port.`);
      }
      throw err;
    }
    if (flag(ctx, 'json')) {
      printJson(ctx, { url: sim.url, port: sim.port, accessToken: sim.accessToken, appId: sim.appId, appSecret: sim.appSecret, advertisers: SANDBOX_ADVERTISERS, dataDir: dataDir ?? null });
    } else {
      ctx.stdout.write(
        [
          `Cohort Relay offline sandbox (a local TikTok simulator) is running at ${sim.url}`,
          '',
          `  API base       ${sim.url}`,
          `  Access token   ${sim.accessToken}`,
          `  App id/secret  ${sim.appId} / ${sim.appSecret}`,
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
