import { spawn } from 'node:child_process';

/**
 * The system browser via the OS's opener (open / rundll32 / xdg-open), detached; null where there is
 * no desktop to show one (Linux without DISPLAY or WAYLAND_DISPLAY): callers then print the URL.
 * Used by the hosts that are not Electron (the CLI, the web host); Electron uses shell.openExternal.
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
      const child = spawn(cmd, args(url), { stdio: 'ignore', detached: true });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
}
