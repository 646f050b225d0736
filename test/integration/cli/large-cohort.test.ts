/**
 * A cohort larger than the in-memory limit (issue #13 §4: 10 M rows within the memory of 5 M) is read into part files
 * and planned a part at a time. The limit is lowered here (COHORT_RELAY_SPILL_ABOVE) so a few thousand rows spill:
 * plan and sync must give exactly what the in-memory path gives, and leave no part file behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SPILL_DIR_PREFIX } from '../../../electron/core/cohort/spill';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { sortHashes } from '../../../electron/core/cohort';
import { Store } from '../../../electron/core/store';
import { digestOf } from '../../../electron/core/store/snapshot-repo';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let tmp: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let sim: SimulatorHandle;
const saved = { TMPDIR: process.env.TMPDIR, COHORT_RELAY_SPILL_ABOVE: process.env.COHORT_RELAY_SPILL_ABOVE };

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir());
  tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp);
  // The part files go to the OS temp folder: this test's own, so what is left there can be seen.
  process.env.TMPDIR = tmp;
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
  env = { COHORT_RELAY_HOME: path.join(dir, 'home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
});
afterEach(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await sim.close();
  cleanup();
});

const spillDirs = () => fs.readdirSync(tmp).filter((n) => n.startsWith(SPILL_DIR_PREFIX));

describe('a cohort over the in-memory limit', () => {
  it('plans part by part exactly as in memory (against a synced audience, with a suppression list), and syncs the same people', async () => {
    const adv = sim.advertiserIds[0]!;
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 6_000));
    // The sync's read spills too (the engine reads the limit from its environment), then joins the parts.
    process.env.COHORT_RELAY_SPILL_ABOVE = '500';
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Big', '--json'], env)).stdout);
    // One create call, sent from the part files as they are (never joined).
    expect(first).toMatchObject({ status: 'done', adds: 6_000, removes: 0, callsUsed: 1 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 6_000)));
    delete process.env.COHORT_RELAY_SPILL_ABOVE;

    writeEmailCsv(csv, emails(300, 6_000));
    const suppress = path.join(dir, 'suppress.csv');
    writeEmailCsv(suppress, emails(6_000, 50));
    const args = ['plan', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Big', '--suppress', suppress, '--json'];
    const inMemory = JSON.parse((await cli(args, env)).stdout);
    expect(inMemory).toMatchObject({ adds: 250, removes: 300, suppressed: 50, currentSize: 6_000, projectedSize: 5_950 });
    const spilled = JSON.parse((await cli(args, { ...env, COHORT_RELAY_SPILL_ABOVE: '500' })).stdout);
    expect(spilled).toEqual(inMemory);
    // It did spill: with a temp folder that cannot be written, only the spilled plan fails, naming the folder and the fix.
    const notAFolder = path.join(dir, 'not-a-folder');
    fs.writeFileSync(notAFolder, '');
    process.env.TMPDIR = notAFolder;
    expect((await cli(args, env)).code).toBe(0);
    const refused = await cli(args, { ...env, COHORT_RELAY_SPILL_ABOVE: '500' });
    expect(refused.code).not.toBe(0);
    // Run with --json, the error is JSON on stdout.
    const refusedError = (JSON.parse(refused.stdout) as { error: { code: string; message: string } }).error;
    expect(refusedError.message).toContain(`temp folder ${notAFolder}`);
    expect(refusedError.message).toMatch(/set TMPDIR to a writable folder/);
    // A sync (even a dry run) says the same of the folder for its upload files, not "something went wrong".
    const dry = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Big', '--dry-run'], env);
    expect(dry.code).not.toBe(0);
    expect(dry.stderr).toContain(`temp folder ${notAFolder}`);
    expect(dry.stderr).not.toMatch(/went wrong/);
    process.env.TMPDIR = tmp;
    // Against no audience: everyone is an add.
    const fresh = JSON.parse((await cli(['plan', '--csv', csv, '--key', 'email', '--json'], { ...env, COHORT_RELAY_SPILL_ABOVE: '500' })).stdout);
    expect(fresh).toMatchObject({ adds: 6_000, removes: 0, projectedSize: 6_000, duplicates: 0 });

    process.env.COHORT_RELAY_SPILL_ABOVE = '500';
    const second = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Big', '--suppress', suppress, '--json'], env)).stdout);
    expect(second).toMatchObject({ status: 'done', adds: 250, removes: 300 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet([...emails(300, 5_700), ...emails(6_050, 250)]));

    // A half-size export is held by the removal limit, naming the change; confirmed, exactly that file is sent once.
    // The target stays in its part files throughout (digested part by part for the hold).
    writeEmailCsv(csv, emails(300, 3_000));
    const held = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Big', '--json'], env);
    expect(held.code).toBe(3);
    expect(JSON.parse(held.stdout)).toMatchObject({ status: 'held', removes: 2_950 });
    // The hold names exactly this file's cohort: the digest of its sorted hashes, taken part by part.
    const store = Store.open(path.join(dir, 'home'));
    try {
      const want = digestOf(sortHashes(Buffer.concat(emails(300, 3_000).map((e) => Buffer.from(sha256Hex(e), 'hex')))));
      expect(store.holds.get(first.localAudienceId)?.targetDigest).toBe(want);
    } finally {
      store.close();
    }
    const confirmed = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Big', '--confirm-removals', '--json'], env)).stdout);
    expect(confirmed).toMatchObject({ status: 'done', adds: 0, removes: 2_950 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(300, 3_000)));
    expect(spillDirs()).toEqual([]);
  });

  it('a first sync of several calls joins the parts and sends them in slices: the same people, the stored snapshot exact', async () => {
    const adv = sim.advertiserIds[0]!;
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 3_000));
    process.env.COHORT_RELAY_SPILL_ABOVE = '500';
    const small = { ...env, COHORT_RELAY_HASHES_PER_FILE: '100', COHORT_RELAY_FILES_PER_CALL: '10' };
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Sliced', '--json'], small)).stdout);
    expect(first).toMatchObject({ status: 'done', adds: 3_000, callsUsed: 3 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 3_000)));
    writeEmailCsv(csv, emails(10, 3_000));
    const second = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Sliced', '--json'], small)).stdout);
    expect(second).toMatchObject({ status: 'done', adds: 10, removes: 10 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(10, 3_000)));

    // Another computer adopts it by id and mirrors a file: one REPLACE, sent (and marked pending) from the part files.
    writeEmailCsv(csv, emails(2_000, 3_000));
    const other = { ...env, COHORT_RELAY_HOME: path.join(dir, 'other-home') };
    const adopted = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience-id', first.audienceId, '--removal-mode', 'mirror', '--confirm-removals', '--json'], other);
    expect(JSON.parse(adopted.stdout)).toMatchObject({ status: 'done', strategy: 'adopt', callsUsed: 1 });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(2_000, 3_000)));
    expect(spillDirs()).toEqual([]);
  });
});
