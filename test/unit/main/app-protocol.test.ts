import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// window.ts (for the CSP) imports `shell` from 'electron', which cannot load outside Electron.
vi.mock('electron', () => ({ shell: { openExternal: vi.fn() } }));

import {
  APP_INDEX_URL,
  appProtocolHandler,
  mimeTypeFor,
  registerAppScheme,
  resolveAppPath,
  serveAppScheme,
} from '../../../electron/main/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../../electron/main/window';

// A built renderer folder, and a secret file next to it that must never be served.
const base = mkdtempSync(join(tmpdir(), 'app-protocol-'));
const root = join(base, 'renderer');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Cohort Relay</title>');
writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
writeFileSync(join(root, 'assets', 'font.woff2'), 'w');
writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
mkdirSync(join(base, 'renderer-evil'));
writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil');

const handler = appProtocolHandler(root);
const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('resolveAppPath', () => {
  it('maps app://renderer/ paths to files inside the renderer folder', () => {
    expect(resolveAppPath(root, APP_INDEX_URL)).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://renderer/')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://renderer/assets/index-abc.js?v=1#x')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveAppPath(root, 'app://renderer/assets/a%20b.png')).toBe(join(root, 'assets', 'a b.png'));
  });

  it('refuses paths that leave the folder, other hosts and other schemes', () => {
    for (const url of [
      'app://renderer/../secret.txt',
      'app://renderer/%2e%2e/secret.txt',
      'app://renderer/..%2fsecret.txt',
      'app://renderer/assets/..%2f..%2fsecret.txt',
      'app://renderer/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://renderer/..%5csecret.txt',
      'app://renderer/../renderer-evil/x.js',
      'app://renderer/%00index.html',
      'app://renderer/%E0%A4%A',
      'app://other/index.html',
      'app://u:p@renderer/index.html',
      'file:///etc/passwd',
      'https://renderer/index.html',
      'not a url',
    ]) {
      const path = resolveAppPath(root, url);
      // Either refused, or (where the URL parser itself removed the dot segments) a path inside the folder.
      if (path !== null) expect(path.startsWith(join(root, '/')), url).toBe(true);
    }
    expect(resolveAppPath(root, 'app://renderer/..%2fsecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppPath(root, 'file:///etc/passwd')).toBeNull();
  });
});

describe('mimeTypeFor', () => {
  it('names the types the renderer uses, and nothing runnable for unknown kinds', () => {
    expect(mimeTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('a.mjs')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('a.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeFor('a.svg')).toBe('image/svg+xml');
    expect(mimeTypeFor('a.png')).toBe('image/png');
    expect(mimeTypeFor('a.woff2')).toBe('font/woff2');
    expect(mimeTypeFor('a.exe')).toBe('application/octet-stream');
  });
});

describe('appProtocolHandler', () => {
  it('serves the page and its assets with their MIME types, the CSP and nosniff', async () => {
    const page = await get(APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Cohort Relay</title>');
    const js = await get('app://renderer/assets/index-abc.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    expect((await get('app://renderer/assets/index-abc.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('app://renderer/assets/font.woff2')).headers.get('content-type')).toBe('font/woff2');
    expect((await get('app://renderer/assets/logo.svg')).headers.get('content-type')).toBe('image/svg+xml');
  });

  it('refuses path traversal, other hosts and missing files with 404 and no file content', async () => {
    for (const url of ['app://renderer/..%2fsecret.txt', 'app://renderer/assets/..%2f..%2fsecret.txt', 'app://renderer/..%2frenderer-evil/x.js', 'app://other/index.html', 'app://renderer/missing.js', 'app://renderer/assets']) {
      const res = await get(url);
      expect(res.status).toBe(404);
      const text = await res.text();
      expect(text).not.toContain('TOP SECRET');
      expect(text).not.toContain('evil');
    }
  });

  it('answers only GET and HEAD', async () => {
    expect((await get(APP_INDEX_URL, 'POST')).status).toBe(405);
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('registering the scheme', () => {
  it('makes app: a standard, secure scheme (before ready) and serves it with the handler', async () => {
    const registerSchemesAsPrivileged = vi.fn();
    registerAppScheme({ registerSchemesAsPrivileged });
    expect(registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    const privileges = registerSchemesAsPrivileged.mock.calls[0]![0][0].privileges as Record<string, unknown>;
    expect(privileges.bypassCSP).toBeUndefined();
    expect(privileges.allowServiceWorkers).toBeUndefined();

    const handle = vi.fn();
    serveAppScheme({ handle }, root);
    expect(handle).toHaveBeenCalledWith('app', expect.any(Function));
    const served = (await (handle.mock.calls[0]![1] as typeof handler)(new Request(APP_INDEX_URL))) as Response;
    expect(served.status).toBe(200);
  });
});
