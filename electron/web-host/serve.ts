/**
 * The web host as a function: the real engine (offline sandbox by default) behind the WebSocket contract
 * and the built renderer. Used by `npm run web` (index.ts) and by `npm start` when Electron cannot start.
 * The engine runs in a process of its own (out/engine/index.js, issue #13 §1): this process only serves
 * HTTP and the WebSocket, so a long sync never stalls the page's requests.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEngineProcess, type EngineProcess, type SpawnEngine } from '../core/engine/engine-client';
import { systemBrowser } from '../core/engine/host-support';
import { AppError } from '../../shared/errors';
import type { ApiEnvironment } from '../../shared/ipc/dto';
import type { EngineInit } from '../../shared/ipc/engine-host';
import { startWebHost, type WebHost } from './server';

/** out/web-host/index.js or out/cli/index.js → out/renderer; the sources (tsx) → out/renderer. */
export function findRenderer(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../renderer'), join(here, '../../out/renderer'), resolve('out/renderer')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

/** Opens a URL with the OS's browser; null where there is no desktop. */
export const systemOpener = systemBrowser;

export interface ServeWebOptions {
  dataDir: string;
  environment: ApiEnvironment;
  port?: number;
  token?: string;
  rendererDir?: string;
  /** Where the TikTok sign-in URL is printed (the terminal that started the host). */
  log: NodeJS.WritableStream;
  /** Serializable test and support seams, handed to the engine process. */
  internals?: EngineInit['internals'];
  /** How the engine process is started (default: Node's child_process.fork of out/engine/index.js). */
  spawnEngine?: SpawnEngine;
  /** Folders the user granted (--allow-folder); the page may read files under them and sync them on a schedule. */
  allowFolders?: readonly string[];
}

export interface ServedWeb {
  host: WebHost;
  engine: EngineProcess;
  close(): Promise<void>;
}

/**
 * Starts the engine and the web host. The page runs in a browser on this machine, so the TikTok sign-in
 * page is opened with the OS's opener where there is a desktop; the consent URL is also printed to `log`
 * (the page shows it too, with "copy sign-in link", from the engine's connection:signInWaiting event).
 */
export async function serveWeb(opts: ServeWebOptions): Promise<ServedWeb> {
  const opener = systemOpener();
  const engine = await startEngineProcess({
    init: { dataDir: opts.dataDir, host: 'web', environment: opts.environment, internals: opts.internals },
    spawn: opts.spawnEngine,
    openExternal: async (url) => {
      opts.log.write(`To sign in to TikTok, open this page in your browser:\n${url}\n`);
      await opener?.(url).catch(() => undefined);
    },
    log: (line) => opts.log.write(`${line}\n`),
  });
  let host: WebHost;
  try {
    host = await startWebHost({
      handlers: engine.handlers,
      events: engine.events,
      rendererDir: opts.rendererDir ?? findRenderer(),
      port: opts.port ?? 0,
      token: opts.token,
      allowFolders: opts.allowFolders,
      onInternalError: (channel, err) => opts.log.write(`[web-host] ${channel} failed: ${err instanceof Error ? err.name : typeof err}\n`),
    });
  } catch (err) {
    await engine.shutdown();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new AppError('INVALID_ARGUMENT', `Port ${opts.port} is already in use (another Cohort Relay?). Choose another with --port N, or --port 0 for any free port.`, { cause: err });
    }
    throw err;
  }
  return {
    host,
    engine,
    async close() {
      await host.close();
      await engine.shutdown();
    },
  };
}
