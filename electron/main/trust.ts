/**
 * Which pages may talk to the engine, and which links may leave the app. Pure functions, no Electron.
 */

export interface RendererLocation {
  /** URL of the built renderer's index.html: app://renderer/index.html (app-protocol.ts). */
  indexUrl: string;
  /** The electron-vite dev server URL; set only in development (never in a packaged app). */
  devServerUrl?: string | null;
}

/** True when `url` is our renderer: the built index.html (any hash/query) or the dev server's origin. */
export function isTrustedRendererUrl(url: string, where: RendererLocation): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  let expected: URL;
  try {
    expected = new URL(where.indexUrl);
  } catch {
    return false;
  }
  // The built page: same scheme, host and path (the app:// scheme is not http, so no dev server matches it).
  if (u.protocol === expected.protocol && u.protocol !== 'http:' && u.protocol !== 'https:') {
    return u.host === expected.host && u.pathname === expected.pathname && u.username === '' && u.password === '';
  }
  if (where.devServerUrl) {
    try {
      return u.origin === new URL(where.devServerUrl).origin && (u.protocol === 'http:' || u.protocol === 'https:');
    } catch {
      return false;
    }
  }
  return false;
}

/** The sender-frame check of the registrar: a top-level frame showing our renderer. */
export function isTrustedFrame(frame: { url: string; parent: unknown }, where: RendererLocation): boolean {
  return frame.parent === null && isTrustedRendererUrl(frame.url, where);
}

/** Only https links are handed to the OS browser (never file:, javascript:, custom schemes or http:). */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The engine opens a sign-in page: https, or http on this machine only (the offline sandbox's consent page). */
export function isSafeSignInUrl(url: string): boolean {
  if (isSafeExternalUrl(url)) return true;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
