/**
 * The engine in a process of its own (issue #13 §1), through the one seam the hosts use: the built entry
 * (out/engine/index.js, `npm run build`) forked with Node's child_process and the same messages Electron's
 * utilityProcess carries. Start, request/response, errors, push events, a crash (the child killed) with the
 * restart and the UI's event, a request during the crash, a run the crash cut short, and shutdown.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { CHANNELS } from '../../../shared/ipc/contract';
import type { EventPayloads, PushEvent } from '../../../shared/ipc/contract';
import type { EventName } from '../../../shared/ipc/channels';
import { ENGINE_RESTARTED_MESSAGE } from '../../../shared/ipc/engine-host';
import { findEngineEntry, nodeEngineSpawner, startEngineProcess, type EngineProcess, type EngineProcessState } from '../../../electron/core/engine/engine-client';
import { emails } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let engine: EngineProcess | null = null;
let events: PushEvent[];

beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cohort-relay-engine-process-'));
  events = [];
});
afterEach(async () => {
  await engine?.shutdown();
  engine = null;
  cleanup();
});

async function start(over: { tickMs?: number } = {}): Promise<EngineProcess> {
  engine = await startEngineProcess({
    init: {
      dataDir: path.join(dir, 'data'),
      host: 'web',
      environment: 'offline-sandbox',
      internals: { env: { COHORT_RELAY_KEYCHAIN: 'off' }, simulator: { rateLimit: false, processingDelayMs: 0, matchRate: 'exact' }, statusRefreshMs: 0, tickMs: over.tickMs ?? 3_600_000 },
    },
    spawn: nodeEngineSpawner(),
    backoffMs: 200,
  });
  engine.events.subscribe((e) => events.push(e));
  return engine;
}

function waitFor<E extends EventName>(event: E, match: (p: EventPayloads[E]) => boolean = () => true, ms = 30_000): Promise<EventPayloads[E]> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const hit = events.find((e) => e.event === event && match(e.payload as EventPayloads[E]));
      if (hit) {
        clearInterval(poll);
        resolve(hit.payload as EventPayloads[E]);
      } else if (Date.now() - t0 > ms) {
        clearInterval(poll);
        reject(new Error(`no ${event} event arrived`));
      }
    }, 10);
  });
}

function waitForState(e: EngineProcess, want: EngineProcessState): Promise<void> {
  if (e.state === want) return Promise.resolve();
  return new Promise((resolve) => {
    const off = e.onStateChange((s) => {
      if (s !== want) return;
      off();
      resolve();
    });
  });
}

async function createAudience(e: EngineProcess, file: string) {
  const conn = await e.handlers['connections:connectSandbox'](undefined);
  return e.handlers['audiences:create']({
    advertiserId: conn.advertisers[0]!.advertiserId,
    connectionId: conn.id,
    name: 'Buyers',
    keys: [{ key: 'email', column: 'email' }],
    sourcePath: file,
    profile: DEFAULT_PROFILE,
    cadence: { kind: 'manual' },
  });
}

function writeCohort(file: string, n: number): void {
  fs.writeFileSync(file, `user_id,email\n${emails(0, n).map((m, i) => `${i},${m}`).join('\n')}\n`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the engine process', () => {
  it('is the built entry, started in a process of its own', async () => {
    expect(fs.existsSync(findEngineEntry())).toBe(true);
    const e = await start();
    expect(e.state).toBe('running');
    expect(e.pid).toBeTypeOf('number');
    expect(e.pid).not.toBe(process.pid);
    expect(alive(e.pid!)).toBe(true);
  });

  it('answers every contract channel by name, values and AppErrors alike', async () => {
    const e = await start();
    expect(Object.keys(e.handlers).sort()).toEqual([...CHANNELS].sort());
    expect(await e.handlers['connections:list'](undefined)).toEqual([]);
    const conn = await e.handlers['connections:connectSandbox'](undefined);
    expect(conn).toMatchObject({ id: 'tt-sandbox', kind: 'sandbox', status: 'ok' });
    expect(await e.handlers['connections:list'](undefined)).toHaveLength(1);
    // An AppError thrown in the engine arrives as an AppError with its code, words and retryable flag.
    const err = await e.handlers['audiences:get']({ id: 4242 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'AUDIENCE_NOT_FOUND', retryable: false });
    expect((await e.traySnapshot()).audiences).toEqual([]);
    expect(await e.loopStall()).toBeTypeOf('number');
  });

  it('relays push events: a sync run from the host is followed by run:progress and run:finished', async () => {
    const e = await start();
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, 1200);
    const a = await createAudience(e, file);
    const { runId } = await e.handlers['sync:run']({ audienceId: a.id });
    const finished = await waitFor('run:finished', (p) => p.runId === runId);
    expect(finished).toMatchObject({ audienceId: a.id, status: 'done', error: null });
    expect(events.some((x) => x.event === 'run:progress' && x.payload.runId === runId)).toBe(true);
    expect(events.some((x) => x.event === 'audience:statusChanged' && x.payload.audienceId === a.id)).toBe(true);
  });

  it('restarts a crashed engine: waiting and new requests get a retryable error, then the UI is told and it answers again', async () => {
    const e = await start();
    await e.handlers['connections:connectSandbox'](undefined);
    const firstPid = e.pid!;
    // A request on its way when the process dies.
    const inFlight = e.handlers['connections:list'](undefined).catch((x: unknown) => x);
    process.kill(firstPid, 'SIGKILL');
    const lost = await inFlight;
    // Either the engine answered before it died, or the request failed with the retryable error.
    if (lost instanceof AppError) expect(lost).toMatchObject({ code: 'ENGINE_RESTARTED', retryable: true });
    await waitForState(e, 'restarting');
    const during = await e.handlers['connections:list'](undefined).catch((x: unknown) => x);
    expect(during).toBeInstanceOf(AppError);
    expect(during).toMatchObject({ code: 'ENGINE_RESTARTED', retryable: true });
    expect((during as AppError).message).toMatch(/restarted; no sync was lost\. Try again/);

    const told = await waitFor('engine:restarted');
    expect(told.message).toBe(ENGINE_RESTARTED_MESSAGE);
    expect(e.state).toBe('running');
    expect(e.pid).not.toBe(firstPid);
    // The new engine opened the same data folder.
    expect(await e.handlers['connections:list'](undefined)).toHaveLength(1);
  });

  it('fails a request the crash cut short with the retryable error', async () => {
    const e = await start();
    const file = path.join(dir, 'big.csv');
    writeCohort(file, 200_000);
    // Validating 200,000 rows takes a while: the request is surely still waiting when the process is killed.
    const waiting = e.handlers['import:validate']({ path: file, key: 'email', column: 'email', profile: DEFAULT_PROFILE }).catch((x: unknown) => x);
    await waitFor('import:progress');
    process.kill(e.pid!, 'SIGKILL');
    expect(await waiting).toMatchObject({ code: 'ENGINE_RESTARTED', retryable: true });
    await waitFor('engine:restarted');
  });

  it('a sync the crash interrupted is closed by crash recovery, and the next sync completes it', async () => {
    const e = await start();
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, 150_000);
    const a = await createAudience(e, file);
    const { runId } = await e.handlers['sync:run']({ audienceId: a.id });
    await waitFor('run:progress', (p) => p.runId === runId);
    process.kill(e.pid!, 'SIGKILL');
    await waitFor('engine:restarted');

    const again = await e.handlers['sync:run']({ audienceId: a.id });
    expect(again.runId).not.toBe(runId);
    const finished = await waitFor('run:finished', (p) => p.runId === again.runId, 60_000);
    expect(finished.status).toBe('done');
    const cut = await e.handlers['runs:get']({ runId });
    expect(cut.status).toBe('failed');
    expect(cut.error?.message).toMatch(/Interrupted/);
    // The completing run sent every row: none was lost, none sent twice.
    const done = await e.handlers['runs:get']({ runId: again.runId });
    expect(done.adds + cut.adds).toBe(150_000);
  }, 120_000);

  it('shuts down on request: the process ends and later requests are refused', async () => {
    const e = await start();
    const pid = e.pid!;
    await e.shutdown();
    expect(e.state).toBe('stopped');
    expect(alive(pid)).toBe(false);
    await expect(e.handlers['connections:list'](undefined)).rejects.toMatchObject({ code: 'CANCELLED' });
    engine = null;
  });

  it('ends when its host is killed outright (no engine is left behind)', async () => {
    // The built web host as the host, killed with SIGKILL: its engine sees the channel close and exits.
    const host = spawn(process.execPath, [path.resolve('out/web-host/index.js'), '--port', '0'], {
      env: { ...process.env, COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    host.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/serving at/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/serving at/);
    const kids = fs
      .readdirSync(`/proc/${host.pid}/task`)
      .flatMap((t) => fs.readFileSync(`/proc/${host.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
      .filter(Boolean)
      .map(Number)
      .filter((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(path.join('out', 'engine', 'index.js')));
    expect(kids).toHaveLength(1);
    host.kill('SIGKILL');
    await new Promise((r) => host.once('exit', r));
    const gone = Date.now() + 15_000;
    while (alive(kids[0]!) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(alive(kids[0]!)).toBe(false);
  }, 60_000);

  it('rejects the start with the engine’s own error when the engine cannot open', async () => {
    // A data folder that is a file cannot hold the store.
    const blocker = path.join(dir, 'data');
    fs.writeFileSync(blocker, 'not a folder');
    await expect(
      startEngineProcess({ init: { dataDir: blocker, host: 'web', environment: 'offline-sandbox', internals: { env: { COHORT_RELAY_KEYCHAIN: 'off' } } }, spawn: nodeEngineSpawner() }),
    ).rejects.toBeInstanceOf(AppError);
  });
});
