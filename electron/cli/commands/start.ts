/**
 * `cohort-relay start` (what `npm start` runs after the build): the desktop app when Electron can start
 * here, else the same UI from the web host, said in one line. Never downloads Electron: a machine without
 * its binary (or without a display) gets the web host with the offline sandbox. Both run as processes of their
 * own (the built out/main and out/web-host): hosts stand side by side, and the CLI only launches them.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../../shared/errors';
import { flag, str, type CliCommand, type CliContext } from '../command';

/** What the launcher looks at; gathered by `probeLaunch`, decided by the pure `decideLaunch`. */
export interface LaunchProbe {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** node_modules/electron of the app. */
  electronDir: string;
  /** Contents of node_modules/electron/path.txt (written by Electron's download), or null when absent. */
  electronPathTxt: string | null;
  /** The built main process (out/main/index.js) exists. */
  mainBuilt: boolean;
  exists(file: string): boolean;
  /** `--web`: the user asked for the web host. */
  forceWeb?: boolean;
}

/** The reason when the user asked for the web host (--web, COHORT_RELAY_START=web). */
export const WEB_ASKED = 'the web host was asked for';

export type LaunchDecision = { mode: 'electron'; binary: string } | { mode: 'web'; reason: string };

/** Electron when its binary, a build and (on Linux) a display are there; else the web host and why. */
export function decideLaunch(p: LaunchProbe): LaunchDecision {
  if (p.forceWeb || p.env.COHORT_RELAY_START === 'web') return { mode: 'web', reason: WEB_ASKED };
  const rel = p.electronPathTxt?.trim() || null;
  const override = p.env.ELECTRON_OVERRIDE_DIST_PATH?.trim();
  // The same lookup as electron's own index.js, minus its download.
  const binary = override ? path.join(override, rel ?? 'electron') : rel ? path.join(p.electronDir, 'dist', rel) : null;
  if (!binary || !p.exists(binary)) return { mode: 'web', reason: 'no Electron binary' };
  if (p.platform === 'linux' && !p.env.DISPLAY?.trim() && !p.env.WAYLAND_DISPLAY?.trim()) return { mode: 'web', reason: 'no display' };
  if (!p.mainBuilt) return { mode: 'web', reason: 'the desktop app is not built; run npm run build' };
  return { mode: 'electron', binary };
}

/** The folder of the app's package.json, from this file (sources or the bundled out/cli). */
export function findAppRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cohort-relay') return dir;
      } catch {
        /* not ours: keep looking */
      }
    }
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

export function probeLaunch(root: string, env: NodeJS.ProcessEnv, forceWeb: boolean): LaunchProbe {
  const electronDir = path.join(root, 'node_modules', 'electron');
  let electronPathTxt: string | null = null;
  try {
    electronPathTxt = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
  } catch {
    electronPathTxt = null;
  }
  return { platform: process.platform, env, electronDir, electronPathTxt, mainBuilt: fs.existsSync(path.join(root, 'out', 'main', 'index.js')), exists: (f) => fs.existsSync(f), forceWeb };
}

/** An Electron that exits with an error this soon never showed a window (missing system libraries, no GPU). */
const FAILED_START_MS = 5_000;

/** Runs the desktop app until it exits: its exit code, or null when it could not start at all. */
function runElectron(binary: string, root: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<{ code: number | null; reason?: string }> {
  const childEnv = { ...env };
  // Set by some shells and tools; it would turn Electron into plain Node.
  delete childEnv.ELECTRON_RUN_AS_NODE;
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const child = spawn(binary, [root], { stdio: 'inherit', env: childEnv });
    const stop = () => child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    child.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', stop);
      resolve({ code: null, reason: `the Electron binary would not run (${err.code ?? err.name})` });
    });
    child.once('exit', (code) => {
      signal.removeEventListener('abort', stop);
      if (code && !signal.aborted && Date.now() - startedAt < FAILED_START_MS) resolve({ code: null, reason: `Electron exited at start with code ${code}` });
      else resolve({ code: code ?? 0 });
    });
  });
}

/**
 * The web host's built entry: beside the bundled CLI (out/cli → out/web-host), else under the app folder `root`,
 * else under the app this file belongs to (the sources, run with tsx or in tests).
 */
export function findWebHostEntry(root: string, from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  const candidates = [path.join(from, '../web-host/index.js'), path.join(root, 'out', 'web-host', 'index.js'), path.join(findAppRoot(from), 'out', 'web-host', 'index.js')];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new AppError('INTERNAL', 'The Cohort Relay web host is not built (out/web-host/index.js is missing). Run `npm run build`, then start again.', { retryable: false });
  return found;
}

const SERVING = /is serving at (\S+)/;
const MAY_READ = /^The page may read files under (.+)$/;

/**
 * Runs the web host (offline sandbox) as a process until the signal aborts, relaying what it says: the line with
 * its address becomes `announce(url)`, its granted folders are listed, its stderr (sign-in links, errors) is passed
 * on. Resolves with 0 once stopped, or with its exit code when it ends by itself (e.g. the port is taken).
 */
function runWebHost(entry: string, args: string[], ctx: CliContext, announce: (url: string) => string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = () => child.kill('SIGTERM');
    ctx.signal.addEventListener('abort', stop, { once: true });
    child.stderr.pipe(ctx.stderr, { end: false });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const serving = SERVING.exec(line);
        const folder = MAY_READ.exec(line);
        if (serving) ctx.stdout.write(announce(serving[1] as string));
        // The page reads only uploads and files under these folders (the browser has no file dialog that gives a path).
        else if (folder) ctx.stdout.write(`The page may read files under ${folder[1]} (--allow-folder).\n`);
        else ctx.stdout.write(`${line}\n`);
      }
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      ctx.signal.removeEventListener('abort', stop);
      ctx.stderr.write(`error: the web host would not start (${err.code ?? err.name}).\n`);
      resolve(1);
    });
    child.once('exit', (code) => {
      ctx.signal.removeEventListener('abort', stop);
      resolve(ctx.signal.aborted ? 0 : (code ?? 1));
    });
  });
}

/** `start` with the app folder given (tests pass a folder with a stand-in Electron). */
export async function startApp(ctx: CliContext, root: string): Promise<number> {
  const port = Number(str(ctx, 'port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    ctx.stderr.write('error: --port must be a number from 0 to 65535.\n');
    return 2;
  }
  let decision = decideLaunch(probeLaunch(root, ctx.env, flag(ctx, 'web')));
  if (decision.mode === 'electron') {
    const ran = await runElectron(decision.binary, root, ctx.env, ctx.signal);
    if (ran.code !== null) return ran.code;
    decision = { mode: 'web', reason: ran.reason ?? 'the Electron binary would not run' };
  }
  const given = ctx.values['allow-folder'];
  const allowFolders = Array.isArray(given) ? given.filter((v): v is string => typeof v === 'string') : [];
  if (ctx.signal.aborted) return 0;
  // The web host reads the data folder (COHORT_RELAY_HOME) and the URL token (COHORT_RELAY_WEB_TOKEN) from this environment.
  const args = ['--port', String(port), '--environment', 'offline-sandbox', ...allowFolders.flatMap((dir) => ['--allow-folder', dir])];
  const reason = decision.reason;
  return runWebHost(findWebHostEntry(root), args, ctx, (url) =>
    reason === WEB_ASKED
      ? `Cohort Relay is serving at ${url} (TikTok: offline sandbox). Stop with Ctrl-C.\n`
      : `Electron can't start here (${reason}); serving the same UI at ${url} instead (TikTok: offline sandbox). Stop with Ctrl-C.\n`,
  );
}

const start: CliCommand = {
  summary: 'Start the desktop app; where Electron cannot start, serve the same UI in the browser (offline sandbox).',
  usage: 'cohort-relay start [--web] [--port N] [--allow-folder DIR]…  (--allow-folder, repeatable: in the browser, files under DIR may be read and synced on a schedule)',
  options: { web: { type: 'boolean' }, port: { type: 'string' }, 'allow-folder': { type: 'string', multiple: true } },
  run: (ctx) => startApp(ctx, findAppRoot()),
};
export default start;
