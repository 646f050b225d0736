import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLinuxAutostart, autostartDesktopEntry, quoteExecArg } from '../../../electron/main/login-item';
import { tmpDir } from '../../helpers/tmp';

describe('Linux autostart', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('quotes Exec arguments by the desktop-entry rules', () => {
    expect(quoteExecArg('/usr/bin/cohort-relay')).toBe('/usr/bin/cohort-relay');
    expect(quoteExecArg('/home/me/Apps/Cohort Relay.AppImage')).toBe('"/home/me/Apps/Cohort Relay.AppImage"');
    expect(quoteExecArg('/a/$HOME/"x"')).toBe('"/a/\\$HOME/\\"x\\""');
  });

  it('launches hidden at login', () => {
    expect(autostartDesktopEntry(['/opt/Cohort Relay/cohort-relay'])).toContain('Exec="/opt/Cohort Relay/cohort-relay" --hidden\n');
  });

  it('writes the entry when enabled and removes it when disabled', () => {
    const t = tmpDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'autostart', 'cohort-relay.desktop');
    applyLinuxAutostart(true, t.dir, ['/usr/bin/cohort-relay']);
    expect(readFileSync(file, 'utf8')).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    applyLinuxAutostart(false, t.dir, ['/usr/bin/cohort-relay']);
    expect(existsSync(file)).toBe(false);
    applyLinuxAutostart(false, t.dir, ['/usr/bin/cohort-relay']); // already off: no error
  });
});
