import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { fakeHandlers, SETTINGS } from '../ipc/fake-handlers';

// The Electron host started for real (electron/main/index.ts: whenReady → start → window), against a
// stand-in `electron` that records what the host asks of it, and a stand-in engine. Electron cannot run here.
const calls = vi.hoisted(() => ({
  loadURL: [] as string[],
  loadFile: [] as string[],
  privileged: [] as unknown[],
  handled: [] as string[],
  menus: [] as unknown[],
  windows: [] as unknown[],
  order: [] as string[],
}));

vi.mock('electron', () => {
  const emitter = () => ({ on: vi.fn(), once: vi.fn() });
  class BrowserWindow {
    webContents = { send: vi.fn() };
    constructor(options: unknown) {
      calls.windows.push(options);
    }
    on = vi.fn();
    once = vi.fn();
    isDestroyed = () => false;
    loadURL = (url: string) => {
      calls.loadURL.push(url);
      return Promise.resolve();
    };
    loadFile = (path: string) => {
      calls.loadFile.push(path);
      return Promise.resolve();
    };
  }
  class Tray {
    on = vi.fn();
    setToolTip = vi.fn();
    setContextMenu = vi.fn();
  }
  return {
    app: {
      isPackaged: true,
      name: 'Cohort Relay',
      requestSingleInstanceLock: () => true,
      on: vi.fn(),
      quit: vi.fn(),
      exit: vi.fn(),
      isReady: () => true,
      whenReady: () => {
        calls.order.push('ready');
        return Promise.resolve();
      },
      getLocale: () => 'en-US',
      getPath: () => tmpdir(),
      getLoginItemSettings: () => ({ wasOpenedAtLogin: false }),
      setLoginItemSettings: vi.fn(),
    },
    BrowserWindow,
    Tray,
    dialog: { showSaveDialog: vi.fn(), showErrorBox: vi.fn() },
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    Menu: {
      buildFromTemplate: (t: unknown) => ({ template: t }),
      setApplicationMenu: (m: unknown) => void calls.menus.push(m),
    },
    nativeImage: { createFromBuffer: () => ({}) },
    Notification: Object.assign(class {}, { isSupported: () => false }),
    powerMonitor: emitter(),
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        calls.order.push('privileged');
        calls.privileged.push(...schemes);
      },
      handle: (scheme: string) => void calls.handled.push(scheme),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
        webRequest: { onHeadersReceived: vi.fn() },
      },
    },
    shell: { openExternal: vi.fn() },
  };
});

// The engine runs in a utilityProcess main starts through engine-client (issue #13 §1): stood in for here.
vi.mock('../../../electron/core/engine/engine-client', () => ({
  findEngineEntry: () => '/app/out/engine/index.js',
  startEngineProcess: async () => ({
    handlers: fakeHandlers({ 'settings:get': async () => ({ ...SETTINGS, launchAtLogin: false }) }),
    events: { subscribe: vi.fn() },
    traySnapshot: async () => ({ pausedAll: false, audiences: [], needsReconnect: 0 }),
    onResume: vi.fn(),
    shutdown: async () => {},
  }),
}));

const env = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'host-start-'));
const guards = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };

afterAll(() => {
  for (const l of process.listeners('uncaughtException')) if (!guards.exception.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!guards.rejection.includes(l)) process.off('unhandledRejection', l);
  if (env.XDG_CONFIG_HOME === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = env.XDG_CONFIG_HOME;
  vi.useRealTimers();
});

function allItems(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? allItems(i.submenu as MenuItemConstructorOptions[]) : [])]);
}

describe('the Electron host at start (packaged build)', () => {
  it('registers app: as a standard, secure scheme before ready, serves it, and loads the window from app://renderer/', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] });
    await import('../../../electron/main/index');
    await vi.waitFor(() => expect(calls.loadURL.length + calls.loadFile.length).toBeGreaterThan(0), { timeout: 5000 });

    expect(calls.order.indexOf('privileged')).toBeGreaterThanOrEqual(0);
    expect(calls.order.indexOf('privileged')).toBeLessThan(calls.order.indexOf('ready'));
    expect(calls.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(calls.handled).toEqual(['app']);
    expect(calls.loadFile).toEqual([]);
    expect(calls.loadURL).toEqual(['app://renderer/index.html']);
  });

  it('opens the window without developer tools and sets no menu with a developer-tools item', () => {
    expect(calls.windows).toHaveLength(1);
    expect((calls.windows[0] as { webPreferences: { devTools?: boolean } }).webPreferences.devTools).toBe(false);
    for (const m of calls.menus) {
      const template = m === null ? [] : (m as { template: MenuItemConstructorOptions[] }).template;
      expect(allItems(template).filter((i) => /devtools/i.test(String(i.role ?? '')))).toEqual([]);
    }
  });
});
