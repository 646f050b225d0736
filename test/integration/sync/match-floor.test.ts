/**
 * The 1,000 floor weighs matched people, not uploaded hashes: where an audience's match rate is known (its last
 * status check), a sync whose remaining people TikTok would likely match under 1,000 is warned about and held like a
 * removal over the limit (confirm once to send it), even with the limit switched off. Real HTTP against the sandbox
 * (matching 80 %), real SQLite; the CLI's `plan` says it too.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => {
  ({ sim, app, dir, close } = await openSandboxApp());
  sim.configure({ matchRate: 0.8 });
});
afterEach(async () => close());

describe('a sync that would leave TikTok matching under 1,000', () => {
  it('is held before anything is sent (limit off), says how many may match, and goes out once confirmed', async () => {
    const csv = path.join(dir, 'buyers.csv');
    writeEmailCsv(csv, emails(0, 5000));
    const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Buyers', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    const first = await app.sync.sync(a.id, 'cli');
    expect(first).toMatchObject({ status: 'done', adds: 5000 });
    app.sync.setRemovalLimit(a.id, null);

    // 5,000 → 1,100: over the hash floor, but TikTok matched 80 %: about 880 would match.
    writeEmailCsv(csv, emails(0, 1100));
    const plan = await app.sync.plan(a.id);
    expect(plan).toMatchObject({ status: 'planned', removes: 3900 });
    expect(plan.hold?.message).toMatch(/TikTok matched about 80 % of this audience at its last check, so of the 1,100 people left about 880 may match — under 1,000.*will be held until you confirm it/);

    const held = await app.sync.sync(a.id, 'cli');
    expect(held).toMatchObject({ status: 'held', callsUsed: 0, error: { code: 'REMOVALS_HELD' } });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 5000)));

    // Within the floor (1,300 × 80 % = 1,040): not held.
    writeEmailCsv(csv, emails(0, 1300));
    expect((await app.sync.plan(a.id)).hold).toBeNull();

    writeEmailCsv(csv, emails(0, 1100));
    app.sync.confirmRemovals(a.id);
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', removes: 3900 });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1100)));
  });

  it('knows the rate from the sync\'s own check, taken while TikTok still processed the change (as every CLI sync\'s is)', async () => {
    // TikTok processes each change for a second: the check a sync makes right after its change finds the audience not
    // valid yet (still showing the count from before the change).
    sim.configure({ matchRate: 0.8, processingDelayMs: 1000 });
    const env = { COHORT_RELAY_HOME: path.join(dir, 'cli-home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
    const csv = path.join(dir, 'buyers.csv');
    writeEmailCsv(csv, emails(0, 3000));
    const args = ['--csv', csv, '--key', 'email', '--column', 'email', '--advertiser', ADV(), '--audience', 'Processing buyers'];
    expect((await cli(['sync', ...args, '--max-removals', 'off'], env)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1300));
    writeEmailCsv(csv, emails(0, 3010));
    expect((await cli(['sync', ...args], env)).code).toBe(0);
    writeEmailCsv(csv, emails(0, 1200));
    const plan = await cli(['plan', ...args], env);
    expect(plan.stdout).toMatch(/about 9\d\d may match — under 1,000/);
    const dry = await cli(['sync', ...args, '--dry-run', '--json'], env);
    expect(JSON.parse(dry.stdout)).toMatchObject({ removes: 1810, hold: { message: expect.stringMatching(/about 9\d\d may match/) } });
  });

  it('the CLI plan warns, with the numbers', async () => {
    const env = { COHORT_RELAY_HOME: path.join(dir, 'cli-home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
    const csv = path.join(dir, 'buyers.csv');
    writeEmailCsv(csv, emails(0, 5000));
    const args = ['--csv', csv, '--key', 'email', '--column', 'email', '--advertiser', ADV(), '--audience', 'CLI buyers'];
    expect((await cli(['sync', ...args], env)).code).toBe(0);
    writeEmailCsv(csv, emails(0, 1000));
    const plan = await cli(['plan', ...args], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('about 800 may match — under 1,000');
    const dry = await cli(['sync', ...args, '--dry-run', '--json'], env);
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'planned', removes: 4000, hold: { message: expect.stringContaining('about 800 may match') } });
  });
});
