/**
 * `npm run web`: the renderer and the engine in any browser, on 127.0.0.1.
 *
 *   node out/web-host/index.js [--port N] [--environment offline-sandbox|tiktok-sandbox|production] [--allow-folder DIR]…
 *
 * The page can read only files the user uploads, or files under a folder granted here with --allow-folder
 * (repeatable): a browser has no file dialog that gives a path, and a scheduled sync needs a real file.
 *
 * The offline sandbox is the default TikTok, so nothing leaves the machine unless asked. The data folder is
 * COHORT_RELAY_HOME (else the OS app-data folder, shared with the desktop app). COHORT_RELAY_WEB_TOKEN fixes
 * the URL token (tests); otherwise it is random per launch. Prints the URL to open, then serves until
 * SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../core/engine/host-support';
import { API_ENVIRONMENTS } from '../../shared/ipc/dto';
import type { ApiEnvironment } from '../../shared/ipc/dto';
import { toErrorShape } from '../../shared/errors';
import { findRenderer, serveWeb } from './serve';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, environment: { type: 'string' }, 'allow-folder': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('Usage: npm run web -- [--port N] [--environment offline-sandbox|tiktok-sandbox|production] [--allow-folder DIR]…\n');
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('error: --port must be a number from 0 to 65535.\n');
    return 2;
  }
  const environment = (values.environment ?? 'offline-sandbox') as ApiEnvironment;
  if (!API_ENVIRONMENTS.includes(environment)) {
    process.stderr.write(`error: --environment must be one of ${API_ENVIRONMENTS.join(', ')}.\n`);
    return 2;
  }
  const rendererDir = findRenderer();
  if (!existsSync(join(rendererDir, 'index.html'))) process.stderr.write('warning: the renderer is not built; run `npm run build` first.\n');

  const served = await serveWeb({ dataDir: resolveDataDir(), environment, port, token: process.env.COHORT_RELAY_WEB_TOKEN || undefined, rendererDir, log: process.stderr, allowFolders: values['allow-folder'] ?? [] });
  process.stdout.write(`Cohort Relay (TikTok: ${environment}) is serving at ${served.host.url}\n`);
  for (const dir of served.host.grants.folders()) process.stdout.write(`The page may read files under ${dir}\n`);

  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await served.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${toErrorShape(err).message}\n`);
    process.exit(1);
  },
);
