/**
 * The OAuth redirect URL. TikTok sends the browser back only to a redirect URL registered on the developer
 * app (tiktok-api.md "Corrections": up to 10, exact match), so the loopback listener cannot use a random
 * port: it listens on one fixed, documented address that the user registers once.
 *
 * Default: http://127.0.0.1:28561/oauth/callback. Port 28561 lies below every OS's ephemeral range
 * (Linux 32768–60999, Windows and macOS 49152–65535), so no outgoing connection is ever handed it; it is
 * no well-known service's port, and not rclone's 53682 (another desktop OAuth loopback people run).
 *
 * Which URL is used, first match wins: `login --redirect-uri URL`, env TIKTOK_REDIRECT_URI, the setting
 * saved from the Connections screen, the default.
 */
import { AppError } from '../../../shared/errors';
import { SETTINGS } from '../store/settings-keys';
import { DEFAULT_CALLBACK_PATH, DEFAULT_REDIRECT_PORT, DEFAULT_REDIRECT_URI } from '../../../shared/oauth-redirect';

export { DEFAULT_CALLBACK_PATH, DEFAULT_REDIRECT_PORT, DEFAULT_REDIRECT_URI } from '../../../shared/oauth-redirect';
/** The settings key (SettingsRepo) of the redirect URL chosen in the Connections screen. */
export const REDIRECT_URI_SETTING = SETTINGS.redirectUri.key;
/** The environment variable that overrides the setting (cron, CI, a second profile). */
export const REDIRECT_URI_ENV = 'TIKTOK_REDIRECT_URI';

/** Where the redirect URL in use came from. */
export type RedirectUriSource = 'flag' | 'env' | 'setting' | 'default';

/** A parsed loopback redirect URL: what to register at TikTok, and where to listen. */
export interface RedirectTarget {
  /** The URL exactly as given (trimmed): what is sent to TikTok and must be registered there. */
  uri: string;
  /** The address the listener binds: 127.0.0.1 (also for "localhost") or ::1. */
  bindHost: '127.0.0.1' | '::1';
  /** 1–65535; 0 (any free port) only where `allowAnyPort` was given (tests). */
  port: number;
  /** The exact callback path, e.g. /oauth/callback. */
  path: string;
}

const HOW_TO_CHANGE = `Use an address of this computer such as ${DEFAULT_REDIRECT_URI}.`;

/**
 * Checks a redirect URL the user gave. It must be http on this computer (127.0.0.1, localhost or [::1])
 * with an explicit port and no query or fragment: Cohort Relay itself has to receive TikTok's redirect.
 * Throws INVALID_ARGUMENT naming what is wrong.
 */
export function parseRedirectUri(raw: string, opts: { allowAnyPort?: boolean } = {}): RedirectTarget {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `"${clip(text)}" is not a URL. ${HOW_TO_CHANGE}`);
  }
  if (u.protocol !== 'http:') {
    throw new AppError('INVALID_ARGUMENT', `The redirect URL must start with http:// (Cohort Relay receives it on this computer, which has no certificate for https), got "${clip(text)}". ${HOW_TO_CHANGE}`);
  }
  const host = u.hostname.toLowerCase();
  const bindHost = host === '127.0.0.1' || host === 'localhost' ? '127.0.0.1' : host === '[::1]' ? '::1' : null;
  if (!bindHost) {
    throw new AppError('INVALID_ARGUMENT', `The redirect URL must point at this computer (127.0.0.1, localhost or [::1]) so that Cohort Relay receives it, got host "${clip(u.hostname)}". ${HOW_TO_CHANGE}`);
  }
  if (u.username || u.password) throw new AppError('INVALID_ARGUMENT', `The redirect URL must not carry a user name or password. ${HOW_TO_CHANGE}`);
  // URL drops the default port 80, so ":80" and "no port" are told apart from the text.
  const explicitPort = /^http:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(text)?.[1];
  if (explicitPort === undefined) {
    throw new AppError('INVALID_ARGUMENT', `The redirect URL must name a port, e.g. http://127.0.0.1:${DEFAULT_REDIRECT_PORT}${DEFAULT_CALLBACK_PATH}, got "${clip(text)}".`);
  }
  const port = Number(explicitPort);
  if (!(port >= 1 && port <= 65535) && !(opts.allowAnyPort && port === 0)) {
    throw new AppError('INVALID_ARGUMENT', `The redirect URL's port must be from 1 to 65535, got ${explicitPort}. ${HOW_TO_CHANGE}`);
  }
  if (u.search || u.hash || text.includes('?') || text.includes('#')) {
    throw new AppError('INVALID_ARGUMENT', `The redirect URL must not have a query (?…) or fragment (#…): TikTok adds its own parameters. ${HOW_TO_CHANGE}`);
  }
  // Sent exactly as typed: TikTok compares it with the registered URL character for character.
  return { uri: text, bindHost, port, path: u.pathname || '/' };
}

/**
 * The redirect URL in use and where it came from: the flag, else TIKTOK_REDIRECT_URI, else the stored
 * setting, else the default. The chosen one is parsed (a bad one throws INVALID_ARGUMENT naming its source).
 */
export function resolveRedirectUri(from: { flag?: string | null; env?: NodeJS.ProcessEnv; stored?: string | null }): { uri: string; source: RedirectUriSource } {
  const candidates: [string | null | undefined, RedirectUriSource, string][] = [
    [from.flag, 'flag', '--redirect-uri'],
    [from.env?.[REDIRECT_URI_ENV], 'env', REDIRECT_URI_ENV],
    [from.stored, 'setting', 'the redirect URL setting (Connections screen)'],
  ];
  for (const [value, source, name] of candidates) {
    if (!value?.trim()) continue;
    try {
      return { uri: parseRedirectUri(value).uri, source };
    } catch (err) {
      if (err instanceof AppError) throw new AppError('INVALID_ARGUMENT', `${name}: ${err.message}`);
      throw err;
    }
  }
  return { uri: DEFAULT_REDIRECT_URI, source: 'default' };
}

/** Plain words for a redirect port that another program holds, with the ways to change it. */
export function portInUseMessage(target: Pick<RedirectTarget, 'uri' | 'port'>): string {
  return (
    `Port ${target.port} is already in use on this computer (another sign-in still waiting, or another program), so Cohort Relay cannot receive TikTok's redirect at ${target.uri}. ` +
    `Close the other sign-in or program and try again, or choose another redirect URL — "cohort-relay login --redirect-uri http://127.0.0.1:PORT${DEFAULT_CALLBACK_PATH}", ${REDIRECT_URI_ENV}, or "Change redirect URL" in the Connections screen — and register that exact URL on your TikTok developer app.`
  );
}

function clip(s: string): string {
  return s.replace(/\s+/g, ' ').slice(0, 120);
}
