import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dbPath } from '../../../electron/core/store/integrity';
import { cli } from '../../helpers/cli';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  ({ dir, cleanup } = tmpDir());
  env = { COHORT_RELAY_HOME: path.join(dir, 'home') };
});
afterEach(() => cleanup());

describe('the CLI on a damaged data folder', () => {
  it('says the database cannot be trusted (not "something went wrong"), changes nothing, and recover --fresh gets going again', async () => {
    expect((await cli(['status'], env)).code).toBe(0);
    fs.truncateSync(dbPath(path.join(dir, 'home')), 0);
    const r = await cli(['status'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Cohort Relay's database \(.*cohort-relay\.sqlite\) cannot be trusted: the database file is empty/);
    expect(r.stderr).not.toMatch(/Something went wrong/);
    expect(fs.statSync(dbPath(path.join(dir, 'home'))).size).toBe(0);

    const list = await cli(['recover', '--list'], env);
    expect(list.stdout).toMatch(/is damaged: .*empty/);
    expect(list.stdout).toMatch(/No backups yet/);
    const noBackup = await cli(['recover'], env);
    expect(noBackup.code).toBe(1);
    expect(noBackup.stderr).toMatch(/there is no backup .*recover --fresh/);
    const fresh = await cli(['recover', '--fresh'], env);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/moved aside .*damaged-.*nothing was deleted\.\nStarted an empty database\. Re-adopt/);
    expect((await cli(['status'], env)).code).toBe(0);
    expect((await cli(['recover'], env)).stdout).toMatch(/healthy; nothing was changed/);
  });

  it('COHORT_RELAY_DEBUG reaches the built command: the cause behind the message is printed', async () => {
    // The built command when `npm test` has built it (it always has), else the source through tsx.
    const bin = path.join(ROOT, 'out/cli/index.js');
    const home = path.join(dir, 'home');
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, 'cohort-relay.sqlite'), 'not a database at all, but long enough to have a header of a hundred bytes..........................');
    const run = (extra: NodeJS.ProcessEnv) =>
      promisify(execFile)(process.execPath, [...(fs.existsSync(bin) ? [bin] : ['--import', 'tsx', path.join(ROOT, 'electron/cli/index.ts')]), 'status'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, COHORT_RELAY_HOME: home, COHORT_RELAY_KEYCHAIN: 'off', ...extra } }).catch((e: { code: number; stderr: string }) => e);
    const plain = (await run({})) as { code: number; stderr: string };
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/not an SQLite database/);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = (await run({ COHORT_RELAY_DEBUG: '1' })) as { stderr: string };
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
