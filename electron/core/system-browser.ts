import { spawn } from 'node:child_process';

/**
 * The variables the OS's opener and the browser it starts need: where programs are, who and where the
 * user is, the display and session bus, language and time zone (and Windows' system folders). Nothing else
 * passes: not TIKTOK_ACCESS_TOKEN, TIKTOK_APP_SECRET or any other secret of this process.
 */
const KEPT = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TMP', 'TEMP',
  'DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'DBUS_SESSION_BUS_ADDRESS', 'DESKTOP_SESSION', 'KDE_FULL_SESSION',
  'KDE_SESSION_VERSION', 'GNOME_DESKTOP_SESSION_ID', 'BROWSER',
  'SYSTEMROOT', 'WINDIR', 'COMSPEC', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA',
  'PROGRAMFILES', 'PROGRAMFILES(X86)', 'COMMONPROGRAMFILES', 'HOMEDRIVE', 'HOMEPATH', 'USERNAME', 'USERDOMAIN',
  '__CF_USER_TEXT_ENCODING',
]);

/** `env` cut down to what an opener and a browser need (KEPT, LC_* and XDG_*), for spawning them. */
export function browserEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (KEPT.has(upper) || upper.startsWith('LC_') || upper.startsWith('XDG_')) out[name] = value;
  }
  return out;
}

/**
 * The system browser via the OS's opener (open / rundll32 / xdg-open), detached; null where there is
 * no desktop to show one (Linux without DISPLAY or WAYLAND_DISPLAY): callers then print the URL.
 * Used by the hosts that are not Electron (the CLI, the web host); Electron uses shell.openExternal.
 * The opener is started with browserEnv(env), never the whole environment.
 */
export function systemBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ((url: string) => Promise<void>) | null {
  let cmd: string;
  let args: (url: string) => string[];
  if (platform === 'darwin') {
    cmd = 'open';
    args = (u) => [u];
  } else if (platform === 'win32') {
    // rundll32 takes the URL as one argument; `start` would need cmd.exe quoting of every "&".
    cmd = 'rundll32';
    args = (u) => ['url.dll,FileProtocolHandler', u];
  } else {
    if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
    cmd = 'xdg-open';
    args = (u) => [u];
  }
  return (url) =>
    new Promise<void>((resolve, reject) => {
      // A cleaned environment: the opener and the browser it starts (which outlives us) get no token or secret.
      const child = spawn(cmd, args(url), { stdio: 'ignore', detached: true, env: browserEnv(env) });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
}
