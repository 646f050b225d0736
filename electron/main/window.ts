/**
 * Windows and sessions, done by Electron's security checklist (STYLE.md "Security"): sandboxed,
 * context-isolated renderer without Node; no new windows, navigation or redirects; permissions denied;
 * a strict CSP; only https links leave the app, and only to the OS browser.
 */
import { shell } from 'electron';
import type { BrowserWindow, BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { isSafeExternalUrl } from './trust';

/**
 * The Content-Security-Policy of every response the renderer loads. The renderer needs no network: it
 * talks to the engine only through window.api. (app-protocol.ts sends it with every file it serves;
 * renderer/index.html repeats it as a meta tag.)
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'";

/** The only permission a page may use: writing text to the clipboard ("copy hash"). */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export interface WindowOptionsInput {
  /** Absolute path of the bundled preload (out/preload/index.cjs). */
  preloadPath: string;
  /** Window icon (Linux/Windows title bar and task bar). */
  icon?: Electron.NativeImage;
  /** Developer tools; only a development build has them (off when absent). */
  devTools?: boolean;
}

/** BrowserWindow options for the main window. Pure: the security settings are asserted by tests. */
export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Cohort Relay',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: input.devTools ?? false,
    },
  };
}

/** Opens a link in the OS browser when it is https; anything else is dropped. */
function openExternally(url: string): void {
  if (isSafeExternalUrl(url)) void shell.openExternal(url);
}

/**
 * Hardens one webContents (the main window's, and any other that ever appears): window.open denied
 * (https targets go to the OS browser), navigation and redirects blocked, webviews refused.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    // In-page (hash) navigation does not fire will-navigate; anything that would replace the page does.
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function hardenWindow(win: BrowserWindow): void {
  hardenWebContents(win.webContents);
}

/** Denies permission requests and checks (except clipboard writes) and sets the CSP header on every response. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
