/**
 * "Launch at login" (opt-in). macOS and Windows use Electron's login items; Electron has none on Linux, so
 * there it is an XDG autostart entry (~/.config/autostart/cohort-relay.desktop). A launch at login starts
 * with `--hidden`: tray only, no window.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE = 'cohort-relay.desktop';

/** Quotes one argument for a desktop entry's Exec key (freedesktop Desktop Entry spec, "The Exec key"). */
export function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The autostart entry that launches `exec` hidden. */
export function autostartDesktopEntry(exec: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Cohort Relay',
    'Comment=Keeps TikTok Ads custom audiences in step with cohort CSV files',
    `Exec=${[...exec, HIDDEN_FLAG].map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the Linux autostart entry under `configHome` ($XDG_CONFIG_HOME or ~/.config). */
export function applyLinuxAutostart(enabled: boolean, configHome: string, exec: string[]): void {
  const dir = join(configHome, 'autostart');
  const file = join(dir, AUTOSTART_FILE);
  if (enabled) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, autostartDesktopEntry(exec), { mode: 0o644 });
  } else {
    rmSync(file, { force: true });
  }
}
