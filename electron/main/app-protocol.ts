/**
 * The renderer is served from `app://renderer/…`, a privileged custom scheme, rather than file:// (Electron's
 * security checklist): a file:// page could read any file:// URL and shares one origin with every local
 * file, which is why the packaged app also turns file://'s extra privileges off (the
 * grantFileProtocolExtraPrivileges fuse in electron-builder.yml).
 *
 * The handler serves only files inside the built renderer folder (out/renderer): a path that escapes it,
 * another host, or a method other than GET/HEAD gets an error response, never a file. Nothing here imports
 * Electron; index.ts passes in `protocol`.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';
import { CONTENT_SECURITY_POLICY } from './window';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
/** What the main window loads. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * standard: real origins and relative URLs (so 'self' in the CSP and module scripts work); secure: treated
 * like https (no mixed-content downgrade); supportFetchAPI: the page may fetch its own assets. No bypassCSP,
 * no service workers, no CORS to elsewhere.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a file name; unknown kinds are opaque bytes (nosniff keeps them from running). */
export function mimeTypeFor(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file an `app://renderer/…` URL names inside `root`, or null when the URL is not ours or its path
 * (after percent-decoding) would leave `root`. `/` is index.html.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username !== '' || u.password !== '') return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const base = resolve(root);
  const target = resolve(base, `.${path}`);
  const rel = relative(base, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return target;
}

type ReadFile = (path: string) => Promise<Uint8Array>;

function refusal(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } });
}

/** The protocol.handle callback: the file's bytes with its MIME type and the CSP, or 404/405. */
export function appProtocolHandler(root: string, readFile: ReadFile = fsReadFile): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'Method not allowed');
    const path = resolveAppPath(root, request.url);
    if (!path) return refusal(404, 'Not found');
    let body: Uint8Array;
    try {
      body = await readFile(path);
    } catch {
      return refusal(404, 'Not found');
    }
    const headers = {
      'Content-Type': mimeTypeFor(path),
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    };
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
  };
}

/** The part of Electron's `protocol` used here (a stand-in in tests). */
export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/** Must run before the app is ready. */
export function registerAppScheme(protocol: Pick<ProtocolLike, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

/** After ready: serve `root` (out/renderer) on app://renderer/. */
export function serveAppScheme(protocol: Pick<ProtocolLike, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(root));
}
