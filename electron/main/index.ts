/**
 * The Electron host: lifecycle, the window, the tray, notifications and the IPC registrar around the
 * engine. Nothing here decides anything about audiences; it wires the engine (electron/core/engine) to
 * the OS. The engine runs in a utilityProcess of its own (out/engine/index.js, issue #13 §1) that main starts,
 * supervises (a crashed engine is restarted and the user told) and relays the contract to: no engine work
 * runs on this thread, so windows, IPC and the tray never wait on a sync.
 *
 * Lifecycle: one instance (a second launch focuses the first); closing the window hides it and the app
 * keeps running from the tray with its schedule; Quit in the tray (or the OS) ends it after the engine has
 * shut down. A launch at login starts hidden.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, powerMonitor, protocol, session, shell, Tray } from 'electron';
import { findEngineEntry, startEngineProcess } from '../core/engine/engine-client';
import { FileGrants, resolveDataDir, withFileGrants } from '../core/engine/host-support';
import type { PushEvent } from '../../shared/ipc/contract';
import type { EngineHost, TraySnapshot } from '../../shared/ipc/engine-host';
import type { SettingsView } from '../../shared/ipc/dto';
import { toErrorShape } from '../../shared/errors';
import { appMenuTemplate } from './app-menu';
import { APP_INDEX_URL, registerAppScheme, serveAppScheme } from './app-protocol';
import { describeFailure, installCrashGuard } from './crash-guard';
import { utilityEngineSpawner } from './engine-process';
import { registerFileGrants, saveDialogTargets } from './file-access';
import { withHostEffects } from './host-handlers';
import { iconPng } from './icon';
import { applyLinuxAutostart, HIDDEN_FLAG } from './login-item';
import { notificationFor } from './notifications';
import { registerIpc } from './registrar';
import { buildTrayModel, runTrayAction, toMenuTemplate } from './tray-model';
import type { TrayAction } from './tray-model';
import { isSafeSignInUrl, isTrustedFrame } from './trust';
import type { RendererLocation } from './trust';
import { hardenSession, hardenWebContents, windowOptions } from './window';

const here = dirname(fileURLToPath(import.meta.url));
const rendererRoot = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');
/** electron-vite sets this in development only; a packaged app always loads the built files. */
const devServerUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null;
const rendererLocation: RendererLocation = { indexUrl: APP_INDEX_URL, devServerUrl };

let engine: EngineHost | null = null;
let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;
let shutDown = false;
let settings: SettingsView | null = null;
let lastSnapshot: TraySnapshot = { pausedAll: false, audiences: [], needsReconnect: 0 };
let toldAboutTray = false;

/** Logs a failure without its message (which may carry a value the user typed): name and stack frames only. */
function logFailure(where: string, err: unknown): void {
  console.error(describeFailure(where, err));
}

// An exception or rejection nobody handled is logged (redacted) and the app stays up in the tray.
installCrashGuard(process);
// The renderer is served from app://renderer/ (never file://); the scheme's privileges must be set before ready.
registerAppScheme(protocol);

const icons = new Map<number, Electron.NativeImage>();
/** The drawn icon at one size; drawing takes a few milliseconds, so each size is drawn once. */
function appIcon(size: number): Electron.NativeImage {
  let image = icons.get(size);
  if (!image) {
    image = nativeImage.createFromBuffer(iconPng(size), { scaleFactor: 1 });
    icons.set(size, image);
  }
  return image;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions({ preloadPath, icon: appIcon(256), devTools: !app.isPackaged }));
  win.on('close', (event) => {
    if (quitting) return;
    // Closing the window keeps the app and its schedule running in the tray.
    event.preventDefault();
    win.hide();
    if (!toldAboutTray) {
      toldAboutTray = true;
      notify({ title: 'Cohort Relay is still running', body: 'Scheduled syncs continue from the tray. Choose Quit there to stop them.' });
    }
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadURL(APP_INDEX_URL);
  return win;
}

function showWindow(): void {
  if (!app.isReady()) return;
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function notify(content: { title: string; body: string }): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title: content.title, body: content.body, icon: appIcon(64) });
  n.on('click', showWindow);
  n.show();
}

let trayRefresh: ReturnType<typeof setTimeout> | null = null;
/** Rebuilds the tray menu soon; bursts of events collapse into one rebuild. */
function scheduleTrayRefresh(): void {
  if (trayRefresh) return;
  trayRefresh = setTimeout(() => {
    trayRefresh = null;
    void refreshTray();
  }, 250);
}

async function refreshTray(): Promise<void> {
  if (!tray || !engine) return;
  try {
    lastSnapshot = await engine.traySnapshot();
  } catch (err) {
    logFailure('tray snapshot', err);
  }
  const model = buildTrayModel(lastSnapshot, { now: new Date(), locale: app.getLocale() });
  tray.setToolTip(model.tooltip);
  tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(model.items, (a) => void onTrayAction(a))));
}

async function onTrayAction(action: TrayAction): Promise<void> {
  if (!engine) return;
  try {
    await runTrayAction(action, { handlers: engine.handlers, showWindow, quit: () => app.quit() });
  } catch (err) {
    notify({ title: 'Cohort Relay', body: toErrorShape(err).message });
  }
  scheduleTrayRefresh();
}

function applyLaunchAtLogin(enabled: boolean): void {
  if (!app.isPackaged) return; // a development build must not register itself to start at login
  if (process.platform === 'linux') {
    const exec = process.env.APPIMAGE ? [process.env.APPIMAGE] : [process.execPath];
    applyLinuxAutostart(enabled, process.env.XDG_CONFIG_HOME ?? join(app.getPath('home'), '.config'), exec);
  } else {
    app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_FLAG] });
  }
}

function onSettings(next: SettingsView): void {
  const loginChanged = settings?.launchAtLogin !== next.launchAtLogin;
  settings = next;
  if (loginChanged) {
    try {
      applyLaunchAtLogin(next.launchAtLogin);
    } catch (err) {
      logFailure('launch at login', err);
    }
  }
}

function onEngineEvent(e: PushEvent): void {
  // To the renderer: one IPC channel per event name; the preload routes them to `api.on` listeners.
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(e.event, e.payload);
  if (e.event === 'run:progress' || e.event === 'import:progress') return;
  scheduleTrayRefresh();
  const audienceId = e.event === 'run:finished' ? e.payload.audienceId : null;
  const audienceName = audienceId === null ? null : (lastSnapshot.audiences.find((a) => a.id === audienceId)?.name ?? null);
  const content = notificationFor(e, { enabled: settings?.notifications ?? true, audienceName });
  if (content) notify(content);
}

async function start(): Promise<void> {
  const menu = appMenuTemplate({ platform: process.platform, packaged: app.isPackaged, appName: app.name });
  Menu.setApplicationMenu(menu ? Menu.buildFromTemplate(menu) : null);
  hardenSession(session.defaultSession);
  serveAppScheme(protocol, rendererRoot);

  // The engine opens TikTok's sign-in page in the system browser (never in an app window).
  const openSignIn = async (url: string) => {
    if (!isSafeSignInUrl(url)) throw new Error('Refused to open a sign-in page that is not https (or the local offline sandbox).');
    await shell.openExternal(url);
  };
  engine = await startEngineProcess({
    init: { dataDir: resolveDataDir(), host: 'electron' },
    spawn: utilityEngineSpawner(findEngineEntry(here)),
    openExternal: openSignIn,
    log: (line) => console.error(line),
  });
  // The renderer reads only files the user dropped or picked, and reports go where main's save dialog says (#12.1).
  const grants = new FileGrants();
  const reportTargets = saveDialogTargets(
    (o) => (mainWindow && !mainWindow.isDestroyed() ? dialog.showSaveDialog(mainWindow, o) : dialog.showSaveDialog(o)),
    () => app.getPath('downloads'),
  );
  const handlers = withHostEffects(withFileGrants(engine.handlers, grants, reportTargets), { onSettings, onStateChanged: scheduleTrayRefresh });
  const trusted = (frame: Parameters<typeof isTrustedFrame>[0]) => isTrustedFrame(frame, rendererLocation);
  registerFileGrants(ipcMain, grants, trusted);
  registerIpc(ipcMain, handlers, trusted, { onInternalError: (channel, err) => logFailure(channel, err) });
  engine.events.subscribe(onEngineEvent);
  powerMonitor.on('resume', () => {
    engine?.onResume();
    scheduleTrayRefresh();
  });

  tray = new Tray(nativeImage.createFromBuffer(iconPng(32), { scaleFactor: process.platform === 'darwin' ? 2 : 1 }));
  tray.on('click', () => {
    if (process.platform !== 'darwin') showWindow();
  });
  await refreshTray();
  // "Next sync in …" labels age; a minute is the finest they show.
  setInterval(() => void refreshTray(), 60_000);

  // Bring the OS login item in line with the stored setting (it may have been changed while we were away).
  try {
    await handlers['settings:get'](undefined);
  } catch (err) {
    logFailure('settings', err);
  }

  const openedAtLogin = process.argv.includes(HIDDEN_FLAG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  if (!openedAtLogin) showWindow();
}

if (!app.requestSingleInstanceLock()) {
  // Another instance runs: it receives 'second-instance' and shows its window.
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  // Every webContents that ever appears gets the same navigation and window.open rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  // Having a listener keeps the app alive with no window: it lives in the tray.
  app.on('window-all-closed', () => {});
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    if (shutDown || !engine) return;
    event.preventDefault();
    const current = engine;
    // The engine finishes or persists in-flight work; never wait more than a few seconds to exit.
    void Promise.race([current.shutdown(), new Promise((resolve) => setTimeout(resolve, 5000))])
      .catch((err: unknown) => logFailure('shutdown', err))
      .finally(() => {
        shutDown = true;
        app.quit();
      });
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      logFailure('start', err);
      dialog.showErrorBox('Cohort Relay could not start', toErrorShape(err).message);
      app.exit(1);
    });
}
