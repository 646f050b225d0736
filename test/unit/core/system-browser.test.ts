import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserEnv, systemBrowser } from '../../../electron/core/system-browser';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

const SECRETS = { TIKTOK_ACCESS_TOKEN: 'prod-token-1234567890', TIKTOK_APP_SECRET: 'app-secret-abc', AWS_SECRET_ACCESS_KEY: 'aws', COHORT_RELAY_HOME: '/data' };

describe('the system browser', () => {
  it('starts the opener with a cleaned environment: the display and user, no token or secret', async () => {
    if (process.platform !== 'linux') return;
    const out = path.join(dir, 'env.txt');
    // A stand-in xdg-open that records the environment it was given and the URL.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nenv > "${out}.tmp"\necho "URL=$1" >> "${out}.tmp"\nmv "${out}.tmp" "${out}"\n`, { mode: 0o755 });
    const env = { ...SECRETS, PATH: `${bin}:/usr/bin:/bin`, HOME: dir, DISPLAY: ':99', LANG: 'en_US.UTF-8', LC_ALL: 'C', XDG_RUNTIME_DIR: dir };
    const open = systemBrowser(env, 'linux');
    expect(open).not.toBeNull();
    await open!('https://example.test/auth?x=1&y=2');
    for (let i = 0; i < 200 && !fs.existsSync(out); i++) await new Promise((r) => setTimeout(r, 25));
    const seen = fs.readFileSync(out, 'utf8');
    expect(seen).toContain('URL=https://example.test/auth?x=1&y=2');
    expect(seen).toContain('DISPLAY=:99');
    expect(seen).toContain(`HOME=${dir}`);
    expect(seen).toContain('LC_ALL=C');
    expect(seen).toContain(`XDG_RUNTIME_DIR=${dir}`);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(seen).not.toContain(name);
      expect(seen).not.toContain(value);
    }
  });

  it('keeps only what an opener needs, on every platform', () => {
    const kept = browserEnv({ ...SECRETS, Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', APPDATA: 'x', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/bus', NODE_OPTIONS: '--inspect' });
    expect(kept).toEqual({ Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', APPDATA: 'x', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/bus' });
  });
});
