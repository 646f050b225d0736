import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiChannels } from '../../../shared/ipc/api-object';
import { CHANNELS } from '../../../shared/ipc/channels';

// The preload imports 'electron', which cannot load outside Electron: a fake contextBridge records what
// the page would get, and a fake ipcRenderer records what would go to the main process.
const electron = vi.hoisted(() => {
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<Listener>>();
  return {
    exposed,
    listeners,
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void exposed.set(key, value) },
    ipcRenderer: {
      invoke: vi.fn(async (channel: string, arg: unknown): Promise<unknown> => ({ ok: true, value: { channel, arg } })),
      on: vi.fn((channel: string, l: Listener) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(l);
      }),
      removeListener: vi.fn((channel: string, l: Listener) => void listeners.get(channel)?.delete(l)),
      send: vi.fn(),
      sendSync: vi.fn(),
    },
    webUtils: { getPathForFile: vi.fn((_file: unknown) => '/home/me/dropped.csv') },
  };
});
vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer, webUtils: electron.webUtils }));

type Exposed = Record<string, unknown> & {
  on(event: string, cb: (payload: unknown) => void): () => void;
  pathForFile(file: unknown): Promise<string>;
  sync: Record<string, (arg?: unknown) => Promise<unknown>>;
  settings: Record<string, (arg?: unknown) => Promise<unknown>>;
};

async function loadPreload(): Promise<Exposed> {
  electron.exposed.clear();
  vi.resetModules();
  await import('../../../electron/preload/index');
  expect([...electron.exposed.keys()]).toEqual(['api']);
  return electron.exposed.get('api') as Exposed;
}

describe('preload window.api', () => {
  beforeEach(() => {
    electron.listeners.clear();
    vi.clearAllMocks();
  });

  it('exposes exactly the contract channels as domain.verb functions, plus on and pathForFile', async () => {
    const api = await loadPreload();
    expect(apiChannels(api)).toEqual([...CHANNELS].sort());
    const topLevelFunctions = Object.entries(api).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort();
    expect(topLevelFunctions).toEqual(['on', 'pathForFile']);
  });

  it('never hands ipcRenderer (or any way to reach it) to the page', async () => {
    const api = await loadPreload();
    const reachable = new Set<unknown>();
    const walk = (v: unknown) => {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function') || reachable.has(v)) return;
      reachable.add(v);
      if (typeof v === 'object') for (const child of Object.values(v)) walk(child);
    };
    walk(api);
    expect(reachable.has(electron.ipcRenderer)).toBe(false);
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|invoke|send/i);
  });

  it('invokes the named channel with the one argument and resolves to the envelope', async () => {
    const api = await loadPreload();
    expect(await api.sync.run!({ audienceId: 5 })).toEqual({ ok: true, value: { channel: 'sync:run', arg: { audienceId: 5 } } });
    expect(await api.settings.get!()).toEqual({ ok: true, value: { channel: 'settings:get', arg: undefined } });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('sync:run', { audienceId: 5 });
  });

  it('turns a main process that went away into an error envelope instead of a rejection', async () => {
    const api = await loadPreload();
    electron.ipcRenderer.invoke.mockRejectedValueOnce(new Error('Error invoking remote method: reply was never sent'));
    expect(await api.sync.run!({ audienceId: 5 })).toMatchObject({ ok: false, error: { code: 'INTERNAL', retryable: true } });
  });

  it('delivers push events to on() listeners without the IPC event, and unsubscribes', async () => {
    const api = await loadPreload();
    const seen: unknown[] = [];
    const off = api.on('run:progress', (payload) => seen.push(payload));
    const [listener] = [...(electron.listeners.get('run:progress') ?? [])];
    const ipcEvent = { sender: electron.ipcRenderer, senderFrame: {} };
    listener!(ipcEvent, { runId: 1, audienceId: 2, phase: 'hashing', rows: 10, percent: 50 });
    expect(seen).toEqual([{ runId: 1, audienceId: 2, phase: 'hashing', rows: 10, percent: 50 }]);
    off();
    off();
    expect(electron.listeners.get('run:progress')?.size).toBe(0);
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledTimes(1);
  });

  it('refuses to subscribe to a channel that is not a push event', async () => {
    const api = await loadPreload();
    expect(() => api.on('sync:run', () => {})).toThrow(/Unknown event/);
    expect(electron.ipcRenderer.on).not.toHaveBeenCalled();
  });

  it('gives a dropped file its path through webUtils.getPathForFile, once main has granted that path', async () => {
    const api = await loadPreload();
    const file = { name: 'dropped.csv' };
    electron.ipcRenderer.invoke.mockResolvedValueOnce(true);
    expect(await api.pathForFile(file)).toBe('/home/me/dropped.csv');
    expect(electron.webUtils.getPathForFile).toHaveBeenCalledWith(file);
    // Main learns the path from the preload (the page passes only the File), on a channel the page has no function for.
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('file:given', '/home/me/dropped.csv');
    expect(apiChannels(api)).not.toContain('file:given');
  });

  it('gives no path when main refuses the grant, or the File is not on disk', async () => {
    const api = await loadPreload();
    electron.ipcRenderer.invoke.mockResolvedValueOnce(false);
    expect(await api.pathForFile({ name: 'x.csv' })).toBe('');
    electron.webUtils.getPathForFile.mockReturnValueOnce('');
    expect(await api.pathForFile({ name: 'blob' })).toBe('');
  });
});
