import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, '../../system-deps.sh');
const run = promisify(execFile);

/** A PATH whose dpkg-query reports `absent` as not installed, whose id says `uid`, and whose apt-get only logs. */
function fakeMachine(absent: string[], uid: number): { env: NodeJS.ProcessEnv; aptLog: string } {
  const bin = mkdtempSync(path.join(os.tmpdir(), 'cr-sysdeps-'));
  const aptLog = path.join(bin, 'apt.log');
  const stub = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  stub('dpkg-query', `for arg; do pkg=$arg; done; for a in ${absent.join(' ') || '__none__'}; do [ "$pkg" = "$a" ] && { printf 'unknown ok not-installed'; exit 1; }; done; printf 'install ok installed'`);
  stub('id', `echo ${uid}`);
  stub('apt-get', `echo "$@" >> ${aptLog}`);
  return { env: { PATH: `${bin}:/usr/bin:/bin` }, aptLog };
}

describe('test/system-deps.sh: what `npm test` does on a machine without the system packages', () => {
  it('lists exactly the missing packages', async () => {
    const { env } = fakeMachine(['chromium', 'libsecret-1-dev'], 1000);
    const { stdout } = await run('bash', [script, 'missing'], { env });
    expect(stdout.trim()).toBe('chromium libsecret-1-dev');
  });

  it('as a normal user, stops at once with the one command to run', async () => {
    const { env, aptLog } = fakeMachine(['gnome-keyring'], 1000);
    const err = (await run('bash', [script, 'install'], { env }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('sudo apt-get install -y gnome-keyring && npm install && npm test');
    expect(() => readFileSync(aptLog)).toThrow();
  });

  it('as root with apt, installs the missing packages', async () => {
    const { env, aptLog } = fakeMachine(['chromium', 'dbus'], 0);
    const { stdout } = await run('bash', [script, 'install'], { env });
    expect(stdout).toMatch(/installing .*chromium dbus/);
    expect(readFileSync(aptLog, 'utf8')).toMatch(/install -y -q chromium dbus/);
  });

  it('does nothing when everything is installed', async () => {
    const { env, aptLog } = fakeMachine([], 1000);
    await run('bash', [script, 'install'], { env });
    expect(() => readFileSync(aptLog)).toThrow();
  });
});
