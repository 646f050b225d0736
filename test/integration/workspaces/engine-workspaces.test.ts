/**
 * Workspaces in the engine (#14 §2): the real engine on temp data folders and the offline sandbox. Each workspace
 * has its own connections, audiences, schedules, settings and sync log; nothing of one is visible or usable from
 * another; scheduled syncs of a background workspace keep running.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { EventPayloads, PushEvent, RequestOf } from '../../../shared/ipc/contract';
import type { EventName } from '../../../shared/ipc/channels';
import type { EngineHost } from '../../../shared/ipc/engine-host';
import { createEngine, type EngineInternals } from '../../../electron/core/engine';
import { createWorkspace, readRegistry, removeWorkspace, writeRegistry } from '../../../electron/core/workspaces/registry';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET, type SimulatorHandle } from '../../../electron/core/sandbox';
import { emails } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let base: string;
let engine: EngineHost;
let events: PushEvent[];
let offset = 0;
/** Every sandbox simulator started (one per workspace that needs it), in order. */
let sims: SimulatorHandle[] = [];

const internals = (): EngineInternals => ({
  env: { COHORT_RELAY_KEYCHAIN: 'off' },
  simulator: { rateLimit: false, processingDelayMs: 0, matchRate: 'exact' },
  statusRefreshMs: 0,
  tickMs: 3_600_000,
  now: () => new Date(Date.now() + offset),
  onSandboxStarted: (s) => void sims.push(s),
});

async function start(): Promise<EngineHost> {
  const e = await createEngine({ dataDir: base, host: 'web', environment: 'offline-sandbox' }, internals());
  events = [];
  e.events.subscribe((ev) => events.push(ev));
  return e;
}

function waitFor<E extends EventName>(event: E, match: (p: EventPayloads[E]) => boolean = () => true, ms = 15_000): Promise<EventPayloads[E]> {
  const find = () => events.find((e) => e.event === event && match(e.payload as EventPayloads[E]))?.payload as EventPayloads[E] | undefined;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const hit = find();
      if (hit) return resolve(hit);
      if (Date.now() - started > ms) return reject(new Error(`no ${event} event arrived`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

function cohort(name: string, n = 1200): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `id,email\n${emails(0, n).map((e, i) => `${i},${e}`).join('\n')}\n`);
  return file;
}

async function audienceIn(h: EngineHost['handlers'], name: string, over: Partial<RequestOf<'audiences:create'>> = {}) {
  const conn = await h['connections:connectSandbox'](undefined);
  return h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath: cohort(`${name}.csv`), profile: DEFAULT_PROFILE, cadence: { kind: 'manual' }, ...over });
}

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir('cohort-relay-ws-'));
  base = path.join(dir, 'data');
  offset = 0;
  sims = [];
  engine = await start();
});
afterEach(async () => {
  await engine.shutdown();
  cleanup();
});

describe('workspaces in the engine', () => {
  it('starts with the Default workspace in the base folder, and writes no registry until something changes', async () => {
    const list = await engine.handlers['workspaces:list'](undefined);
    expect(list).toEqual({ active: 'default', workspaces: [{ id: 'default', name: 'Default', active: true, audiences: 0, connections: 0, scheduled: 0 }] });
    expect(fs.existsSync(path.join(base, 'workspaces.json'))).toBe(false);
    expect((await engine.handlers['settings:get'](undefined)).dataFolder).toBe(base);
  });

  it('keeps what one workspace has (audience, connection, run, setting) out of another: not listed, not readable, not syncable, not deletable by id', async () => {
    const h = engine.handlers;
    const a = await audienceIn(h, 'Buyers');
    const { runId } = await h['sync:run']({ audienceId: a.id });
    expect(await waitFor('run:finished', (p) => p.runId === runId)).toMatchObject({ status: 'done' });
    await h['settings:set']({ dailyCallBudget: 7 });

    const acme = await h['workspaces:create']({ name: 'Acme Corp' });
    expect(acme).toMatchObject({ id: 'acme-corp', name: 'Acme Corp', active: false, audiences: 0, connections: 0 });
    await h['workspaces:switch']({ id: acme.id });

    expect(await h['audiences:list'](undefined)).toEqual([]);
    expect(await h['connections:list'](undefined)).toEqual([]);
    expect(await h['runs:list'](undefined)).toEqual([]);
    expect((await h['settings:get'](undefined)).dailyCallBudget).not.toBe(7);
    expect((await h['settings:get'](undefined)).dataFolder).toBe(path.join(base, 'workspaces', 'acme-corp'));
    await expect(h['audiences:get']({ id: a.id })).rejects.toMatchObject({ code: 'AUDIENCE_NOT_FOUND' });
    await expect(h['runs:get']({ runId })).rejects.toThrow();
    await expect(h['sync:run']({ audienceId: a.id })).rejects.toMatchObject({ code: 'AUDIENCE_NOT_FOUND' });
    await expect(h['audiences:delete']({ id: a.id, atTiktok: false })).rejects.toMatchObject({ code: 'AUDIENCE_NOT_FOUND' });
    await expect(h['connections:advertisers']({ connectionId: 'tt-sandbox' })).rejects.toThrow();

    // Back in Default: everything is still there.
    await h['workspaces:switch']({ id: 'default' });
    expect((await h['audiences:list'](undefined)).map((x) => x.name)).toEqual(['Buyers']);
    expect(await h['runs:list'](undefined)).toHaveLength(1);
    expect((await h['settings:get'](undefined)).dailyCallBudget).toBe(7);
    const list = await h['workspaces:list'](undefined);
    expect(list.workspaces.find((w) => w.id === 'default')).toMatchObject({ audiences: 1, connections: 1, active: true });
  });

  it('switching pushes workspace:switched; the window then hears only the new workspace, and the tray lists every workspace', async () => {
    const h = engine.handlers;
    await h['workspaces:create']({ name: 'Acme' });
    const switched = await h['workspaces:switch']({ id: 'acme' });
    expect(switched.active).toBe('acme');
    expect(await waitFor('workspace:switched')).toMatchObject({ active: 'acme' });
    const tray = await engine.traySnapshot();
    expect(tray.workspaces).toEqual([
      { id: 'default', name: 'Default', active: false },
      { id: 'acme', name: 'Acme', active: true },
    ]);
    events.length = 0;
    const a = await audienceIn(h, 'Acme buyers');
    expect(events.some((e) => e.event === 'audience:statusChanged' && e.payload.audienceId === a.id)).toBe(true);
    // Back in Default, Acme's audience changes are not the window's news.
    await h['workspaces:switch']({ id: 'default' });
    events.length = 0;
    await h['workspaces:switch']({ id: 'acme' });
    await h['workspaces:switch']({ id: 'default' });
    expect(events.filter((e) => e.event === 'workspace:switched').map((e) => (e.payload as { active: string }).active)).toEqual(['acme', 'default']);
  });

  it('keeps the active workspace across a restart, and a rename keeps its data', async () => {
    const h = engine.handlers;
    await h['workspaces:create']({ name: 'Acme' });
    await h['workspaces:switch']({ id: 'acme' });
    await audienceIn(h, 'Kept');
    const renamed = await h['workspaces:rename']({ id: 'acme', name: 'Acme Europe' });
    expect(renamed).toMatchObject({ id: 'acme', name: 'Acme Europe', audiences: 1 });
    await engine.shutdown();

    engine = await start();
    const list = await engine.handlers['workspaces:list'](undefined);
    expect(list.active).toBe('acme');
    expect(list.workspaces.map((w) => w.name)).toEqual(['Default', 'Acme Europe']);
    expect((await engine.handlers['audiences:list'](undefined)).map((a) => a.name)).toEqual(['Kept']);
  });

  it('keeps the app’s own settings (launch at login, theme, notifications) the same in every workspace, and the rest apart', async () => {
    const h = engine.handlers;
    await h['settings:set']({ launchAtLogin: true, theme: 'dark', dailyCallBudget: 9 });
    await h['workspaces:create']({ name: 'Acme' });
    await h['workspaces:switch']({ id: 'acme' });
    expect(await h['settings:get'](undefined)).toMatchObject({ launchAtLogin: true, theme: 'dark' });
    expect((await h['settings:get'](undefined)).dailyCallBudget).not.toBe(9);
    await h['settings:set']({ notifications: false, dailyCallBudget: 5 });
    await h['workspaces:switch']({ id: 'default' });
    expect(await h['settings:get'](undefined)).toMatchObject({ launchAtLogin: true, theme: 'dark', notifications: false, dailyCallBudget: 9 });
    // A workspace the CLI made (the registry only) takes them when it is switched to.
    createWorkspace(base, 'Globex');
    await h['workspaces:switch']({ id: 'globex' });
    expect(await h['settings:get'](undefined)).toMatchObject({ launchAtLogin: true, theme: 'dark', notifications: false });
  });

  it('follows workspaces the CLI created or deleted meanwhile (the registry file is read afresh)', async () => {
    const h = engine.handlers;
    createWorkspace(base, 'Globex');
    expect((await h['workspaces:list'](undefined)).workspaces.map((w) => w.id)).toEqual(['default', 'globex']);
    expect((await engine.traySnapshot()).workspaces?.map((w) => w.name)).toEqual(['Default', 'Globex']);
    removeWorkspace(base, 'globex');
    expect((await h['workspaces:list'](undefined)).workspaces.map((w) => w.id)).toEqual(['default']);
    await expect(h['workspaces:switch']({ id: 'globex' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('opens a workspace the CLI adds while it runs, with nothing asked of it, and runs its schedules; closes one the CLI deletes', async () => {
    // A workspace folder with a scheduled audience, not (yet) in the registry.
    await engine.handlers['workspaces:create']({ name: 'Late' });
    await engine.handlers['workspaces:switch']({ id: 'late' });
    const a = await audienceIn(engine.handlers, 'Nightly', { cadence: { kind: 'once', at: new Date(Date.now() + 3_600_000).toISOString() } });
    await engine.handlers['workspaces:switch']({ id: 'default' });
    await engine.shutdown();
    const full = readRegistry(base);
    writeRegistry(base, { ...full, workspaces: full.workspaces.filter((w) => w.id !== 'late') });
    engine = await start();
    offset = 2 * 3_600_000;

    // The CLI creates it: the engine is asked nothing (no list, no tray), as in the daemon.
    writeRegistry(base, full);
    const done = await waitFor('run:finished', (p) => p.workspace?.id === 'late', 8_000);
    expect(done).toMatchObject({ audienceId: a.id, status: 'done', trigger: 'schedule', workspace: { id: 'late', name: 'Late' } });

    // The CLI deletes it: its engine closes (its sandbox stops answering).
    const lateSim = sims.at(-1)!;
    expect((await fetch(`${lateSim.url}/`).catch(() => null)) !== null).toBe(true);
    removeWorkspace(base, 'late');
    const deadline = Date.now() + 8_000;
    while ((await fetch(`${lateSim.url}/`).catch(() => null)) !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await fetch(`${lateSim.url}/`).catch(() => null)).toBeNull();
  });

  it('a run the shutdown cancels still ends with its run:finished', async () => {
    const a = await audienceIn(engine.handlers, 'Cut short', { sourcePath: cohort('big.csv', 20_000) });
    const { runId } = await engine.handlers['sync:run']({ audienceId: a.id });
    await engine.shutdown();
    expect(events.some((e) => e.event === 'run:finished' && e.payload.runId === runId)).toBe(true);
  });

  it('refuses a second workspace with the same name, case-insensitively, and an unknown id', async () => {
    const h = engine.handlers;
    await h['workspaces:create']({ name: 'Acme' });
    await expect(h['workspaces:create']({ name: 'ACME' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/already exists/) });
    await expect(h['workspaces:rename']({ id: 'default', name: 'acme' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(h['workspaces:switch']({ id: 'nope' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/no workspace "nope".*"Default", "Acme"/) });
  });

  it('runs a background workspace’s scheduled sync; the host hears only its run:finished, marked with the workspace', async () => {
    const h = engine.handlers;
    await h['workspaces:create']({ name: 'Acme' });
    await h['workspaces:switch']({ id: 'acme' });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const a = await audienceIn(h, 'Nightly', { cadence: { kind: 'once', at } });
    await h['workspaces:switch']({ id: 'default' });
    events.length = 0;
    offset = 2 * 3_600_000;
    engine.onResume();
    const done = await waitFor('run:finished', (p) => p.workspace?.id === 'acme');
    expect(done).toMatchObject({ audienceId: a.id, status: 'done', trigger: 'schedule', workspace: { id: 'acme', name: 'Acme', audienceName: 'Nightly' } });
    // The window (Default) hears only that: no progress, status or run:finished of another workspace's audience id.
    expect(events.map((e) => e.event)).toEqual(['run:finished']);
    await h['workspaces:switch']({ id: 'acme' });
    expect(await h['runs:list']({ audienceId: a.id })).toHaveLength(1);
  });

  it('tells the host, marked with the workspace, when a background workspace’s scheduled sync finds its token refused', async () => {
    const h = engine.handlers;
    await h['workspaces:create']({ name: 'Acme' });
    const acmeSim = sims.at(-1)!;
    await h['workspaces:switch']({ id: 'acme' });
    await audienceIn(h, 'Nightly', { cadence: { kind: 'once', at: new Date(Date.now() + 3_600_000).toISOString() } });
    await h['workspaces:switch']({ id: 'default' });
    events.length = 0;
    acmeSim.revokeToken(acmeSim.accessToken);
    offset = 2 * 3_600_000;
    engine.onResume();
    expect(await waitFor('connection:needsReconnect')).toEqual({ connectionId: 'tt-sandbox', message: expect.any(String), workspace: { id: 'acme', name: 'Acme' } });
    expect(events.filter((e) => e.event === 'audience:statusChanged')).toEqual([]);
  });

  it('deletes a workspace only when it is not active, not the default, and its name is repeated; its connections are disconnected and its folder removed', async () => {
    const h = engine.handlers;
    await h['workspaces:create']({ name: 'Acme' });
    const acmeSim = sims.at(-1)!;
    await h['workspaces:switch']({ id: 'acme' });
    await audienceIn(h, 'Doomed');
    // A connection of the workspace's own developer app: its token is revoked at TikTok when the workspace goes.
    const token = acmeSim.issueToken();
    const pasted = await h['connections:pasteToken']({ token, appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET });
    expect((await h['connections:list'](undefined)).map((c) => c.id).sort()).toEqual([pasted.id, 'tt-sandbox'].sort());
    const folder = path.join(base, 'workspaces', 'acme');
    expect(fs.existsSync(folder)).toBe(true);

    await expect(h['workspaces:delete']({ id: 'acme', confirmName: 'Acme' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/in use/) });
    await h['workspaces:switch']({ id: 'default' });
    await expect(h['workspaces:delete']({ id: 'default', confirmName: 'Default' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(h['workspaces:delete']({ id: 'acme', confirmName: 'Acm' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/type its name "Acme"/) });
    expect(fs.existsSync(folder)).toBe(true);

    expect(acmeSim.requests('oauth2/revoke_token')).toHaveLength(0);
    const after = await h['workspaces:delete']({ id: 'acme', confirmName: 'acme' });
    expect(after.workspaces.map((w) => w.id)).toEqual(['default']);
    expect(acmeSim.requests('oauth2/revoke_token')).toHaveLength(1);
    expect(fs.existsSync(folder)).toBe(false);
    await expect(h['workspaces:switch']({ id: 'acme' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // A new workspace of the same name starts empty.
    await h['workspaces:create']({ name: 'Acme' });
    await h['workspaces:switch']({ id: 'acme' });
    expect(await h['audiences:list'](undefined)).toEqual([]);
  });
});
