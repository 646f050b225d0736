/**
 * `cohort-relay status` right after a create, while TikTok is still matching the audience: its match rate says TikTok
 * is still matching ("matching…"), never "0 %" of what was sent.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let sim: SimulatorHandle;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir());
  // TikTok takes an hour to match a new audience here: every status check of this test is during it.
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 3_600_000, matchRate: 'exact' });
  env = { COHORT_RELAY_HOME: path.join(dir, 'home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken, COHORT_RELAY_KEYCHAIN: 'off' };
});
afterEach(async () => {
  await sim.close();
  cleanup();
});

describe('status while TikTok is still matching a new audience', () => {
  it('says matching…, not 0 % matched', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1200));
    expect((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers'], env)).code).toBe(0);
    for (const args of [['status'], ['status', '--refresh']]) {
      const out = (await cli(args, env)).stdout;
      expect(out).toMatch(/^#1 Buyers \[processing\] key email, TikTok matched: still matching…, local 1,200,/m);
      expect(out).toContain('Match rate: matching… TikTok is still processing this audience (it takes up to 24–48 hours), so it has no final count of the 1,200 sent yet');
      expect(out).not.toMatch(/0 %/);
    }
    const json = JSON.parse((await cli(['status', '--json'], env)).stdout);
    expect(json.audiences[0].matchRate).toMatchObject({ processing: true, ofSent: null, ofRows: null });
  });
});
