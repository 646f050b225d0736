/**
 * A backup of the database copied back by hand (review of session 7, 2f): the quota journal beside it has the calls
 * made since, and `status` and the dry run count them as the sync does — through the CLI's own process, against the
 * offline sandbox over real HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { dbPath } from '../../../electron/core/store/integrity';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let sim: SimulatorHandle;
let home: string;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir());
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
  home = path.join(dir, 'home');
  env = { COHORT_RELAY_HOME: home, TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
});
afterEach(async () => {
  await sim.close();
  cleanup();
});

describe('calls left after a backup is copied back', () => {
  it('status, the dry run and the sync count the calls the journal has since the backup, once', async () => {
    const csv = path.join(dir, 'a.csv');
    const sync = (...more: string[]) => cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', '--json', ...more], env);
    writeEmailCsv(csv, emails(0, 1500));
    expect((await sync()).code).toBe(0);
    const backup = path.join(dir, 'backup.sqlite');
    fs.copyFileSync(dbPath(home), backup);
    writeEmailCsv(csv, emails(100, 1500));
    expect((await sync()).code).toBe(0); // an APPEND and a REMOVE
    const tiktokId = sim.audiences(sim.advertiserIds[0]).find((a) => a.name === 'Buyers')!.audienceId;
    expect(sim.callsOn(tiktokId)).toBe(3);

    for (const f of [dbPath(home), `${dbPath(home)}-wal`, `${dbPath(home)}-shm`]) fs.rmSync(f, { force: true });
    fs.copyFileSync(backup, dbPath(home));
    expect((await cli(['status'], env)).stdout).toMatch(/calls left 21\/24/);
    writeEmailCsv(csv, emails(200, 1500));
    const plan = await sync('--dry-run');
    expect(JSON.parse(plan.stdout.trim().split('\n').at(-1)!)).toMatchObject({ callsLeftToday: 21 });
    const run = await sync();
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { callsUsed: number; callsLeftToday: number };
    expect(out.callsLeftToday).toBe(21 - out.callsUsed);
    expect(sim.callsOn(tiktokId)).toBe(3 + out.callsUsed);
    expect((await cli(['status'], env)).stdout).toMatch(new RegExp(`calls left ${21 - out.callsUsed}/24`));
  }, 60_000);
});
