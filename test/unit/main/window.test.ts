import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// window.ts imports `shell` from 'electron', which cannot load outside Electron.
const openExternal = vi.hoisted(() => vi.fn(async (_url: string) => {}));
vi.mock('electron', () => ({ shell: { openExternal } }));

import { CONTENT_SECURITY_POLICY, hardenSession, hardenWebContents, windowOptions } from '../../../electron/main/window';
import type { Session, WebContents } from 'electron';

type Listener = (event: { preventDefault(): void }, url: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents = {
    setWindowOpenHandler: (h: typeof openHandler) => void (openHandler = h),
    on: (name: string, l: Listener) => void listeners.set(name, l),
  };
  return {
    contents: contents as unknown as WebContents,
    open: (url: string) => openHandler!({ url }),
    fire(name: string, url = 'https://example.com/') {
      const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
      const l = listeners.get(name);
      if (!l) throw new Error(`no ${name} listener`);
      l(event, url);
      return event.defaultPrevented;
    },
  };
}

describe('windowOptions', () => {
  it('makes a sandboxed, context-isolated window without Node, webviews or insecure content', () => {
    const o = windowOptions({ preloadPath: '/app/out/preload/index.cjs' });
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
    });
    expect(o.show).toBe(false);
  });

  it('turns developer tools off unless asked for (index.ts asks only when not packaged)', () => {
    expect(windowOptions({ preloadPath: '/p' }).webPreferences?.devTools).toBe(false);
    expect(windowOptions({ preloadPath: '/p', devTools: true }).webPreferences?.devTools).toBe(true);
  });
});

describe('hardenWebContents', () => {
  beforeEach(() => openExternal.mockClear());

  it('denies every window.open and hands only https targets to the OS browser', () => {
    const c = fakeContents();
    hardenWebContents(c.contents);
    expect(c.open('https://ads.tiktok.com/i18n/audience')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://ads.tiktok.com/i18n/audience');
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@example.com/']) {
      expect(c.open(url)).toEqual({ action: 'deny' });
    }
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('blocks navigation, redirects and webviews', () => {
    const c = fakeContents();
    hardenWebContents(c.contents);
    expect(c.fire('will-navigate', 'file:///tmp/evil.html')).toBe(true);
    expect(c.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(c.fire('will-attach-webview')).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('opens an https link the page tried to navigate to in the OS browser instead', () => {
    const c = fakeContents();
    hardenWebContents(c.contents);
    expect(c.fire('will-navigate', 'https://business-api.tiktok.com/portal')).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://business-api.tiktok.com/portal');
  });
});

describe('hardenSession', () => {
  function fakeSession() {
    let request: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, permission: string) => boolean) | null = null;
    let headers: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | null = null;
    const session = {
      setPermissionRequestHandler: (h: typeof request) => void (request = h),
      setPermissionCheckHandler: (h: typeof check) => void (check = h),
      webRequest: { onHeadersReceived: (h: typeof headers) => void (headers = h) },
    };
    hardenSession(session as unknown as Session);
    return {
      ask(permission: string) {
        let granted: boolean | null = null;
        request!({}, permission, (g) => (granted = g));
        return granted;
      },
      check: (permission: string) => check!({}, permission),
      headers(responseHeaders: Record<string, string[]>) {
        let out: Record<string, string[]> | undefined;
        headers!({ responseHeaders }, (r) => (out = r.responseHeaders));
        return out!;
      },
    };
  }

  it('denies permission requests and checks (camera, geolocation, notifications, …)', () => {
    const s = fakeSession();
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'hid', 'clipboard-read']) {
      expect(s.ask(p)).toBe(false);
      expect(s.check(p)).toBe(false);
    }
  });

  it('allows only writing text to the clipboard', () => {
    const s = fakeSession();
    expect(s.ask('clipboard-sanitized-write')).toBe(true);
    expect(s.check('clipboard-sanitized-write')).toBe(true);
  });

  it('sets the strict CSP on every response, replacing none of the other headers', () => {
    const s = fakeSession();
    const out = s.headers({ 'Content-Type': ['text/html'] });
    expect(out['Content-Type']).toEqual(['text/html']);
    expect(out['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("style-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)|connect-src/);
  });

  it("forbids <base> and form submissions (base-uri and form-action 'none', which default-src does not cover)", () => {
    expect(CONTENT_SECURITY_POLICY).toContain("base-uri 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("form-action 'none'");
  });
});

describe('the renderer page', () => {
  it("carries a meta CSP that allows no network connection (the desktop app needs none)", () => {
    const html = readFileSync(join(__dirname, '../../../renderer/index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(meta).toContain("default-src 'none'");
    expect(meta).not.toMatch(/connect-src|unsafe-/);
    expect(meta).toContain("base-uri 'none'");
    expect(meta).toContain("form-action 'none'");
  });
});
