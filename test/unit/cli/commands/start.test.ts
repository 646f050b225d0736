import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideLaunch, findAppRoot, findWebHostEntry, WEB_ASKED, type LaunchProbe } from '../../../../electron/cli/commands/start';
import { tmpDir } from '../../../helpers/tmp';

const electronDir = '/app/node_modules/electron';
const linuxBinary = path.join(electronDir, 'dist', 'electron');

/** A Linux desktop with Electron downloaded and the app built; each test takes one thing away. */
function probe(over: Partial<LaunchProbe> = {}, files: string[] = [linuxBinary]): LaunchProbe {
  return { platform: 'linux', env: { DISPLAY: ':0' }, electronDir, electronPathTxt: 'electron', mainBuilt: true, exists: (f) => files.includes(f), ...over };
}

describe('npm start: Electron or the web host', () => {
  it('launches Electron when its binary, a display and the build are there', () => {
    expect(decideLaunch(probe())).toEqual({ mode: 'electron', binary: linuxBinary });
    expect(decideLaunch(probe({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toEqual({ mode: 'electron', binary: linuxBinary });
  });

  it('serves the web host when Electron was never downloaded (no path.txt) or its binary is missing', () => {
    expect(decideLaunch(probe({ electronPathTxt: null }))).toEqual({ mode: 'web', reason: 'no Electron binary' });
    expect(decideLaunch(probe({}, []))).toEqual({ mode: 'web', reason: 'no Electron binary' });
  });

  it('serves the web host on Linux without DISPLAY or WAYLAND_DISPLAY', () => {
    expect(decideLaunch(probe({ env: {} }))).toEqual({ mode: 'web', reason: 'no display' });
    expect(decideLaunch(probe({ env: { DISPLAY: '  ' } }))).toEqual({ mode: 'web', reason: 'no display' });
  });

  it('needs no display variable on macOS and Windows', () => {
    const mac = path.join(electronDir, 'dist', 'Electron.app/Contents/MacOS/Electron');
    expect(decideLaunch(probe({ platform: 'darwin', env: {}, electronPathTxt: 'Electron.app/Contents/MacOS/Electron' }, [mac]))).toEqual({ mode: 'electron', binary: mac });
    const win = path.join(electronDir, 'dist', 'electron.exe');
    expect(decideLaunch(probe({ platform: 'win32', env: {}, electronPathTxt: 'electron.exe' }, [win]))).toEqual({ mode: 'electron', binary: win });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like electron itself', () => {
    const custom = path.join('/opt/electron', 'electron');
    expect(decideLaunch(probe({ env: { DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, electronPathTxt: null }, [custom]))).toEqual({ mode: 'electron', binary: custom });
  });

  it('serves the web host when the desktop app is not built, or when asked to', () => {
    expect(decideLaunch(probe({ mainBuilt: false }))).toMatchObject({ mode: 'web', reason: expect.stringContaining('not built') });
    expect(decideLaunch(probe({ forceWeb: true }))).toEqual({ mode: 'web', reason: WEB_ASKED });
    expect(decideLaunch(probe({ env: { DISPLAY: ':0', COHORT_RELAY_START: 'web' } }))).toEqual({ mode: 'web', reason: WEB_ASKED });
  });

  it('finds the app folder from the sources', () => {
    expect(findAppRoot(path.resolve('electron/cli/commands'))).toBe(path.resolve('.'));
  });

  it('starts the web host from its own built entry: beside the bundled CLI, else in the app folder', () => {
    const { dir, cleanup } = tmpDir('cohort-relay-start-');
    try {
      const write = (file: string) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, '');
        return file;
      };
      const bundled = write(path.join(dir, 'installed', 'out', 'web-host', 'index.js'));
      expect(findWebHostEntry(path.join(dir, 'elsewhere'), path.join(dir, 'installed', 'out', 'cli'))).toBe(bundled);
      const inApp = write(path.join(dir, 'app', 'out', 'web-host', 'index.js'));
      expect(findWebHostEntry(path.join(dir, 'app'), path.join(dir, 'sources', 'electron', 'cli', 'commands'))).toBe(inApp);
    } finally {
      cleanup();
    }
  });
});
