/**
 * Held syncs through the CLI against the offline sandbox — the removal limit, and changes TikTok shows that this app
 * did not send: exit 3, the numbers, and the commands to decide.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { clientFor, upload } from '../tiktok/helpers';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let sim: SimulatorHandle;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir());
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
  env = { COHORT_RELAY_HOME: path.join(dir, 'home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
});
afterEach(async () => {
  await sim.close();
  cleanup();
});

const csv = () => path.join(dir, 'cohort.csv');
const sync = (list: readonly string[] | null, ...extra: string[]) => {
  if (list) writeEmailCsv(csv(), list);
  return cli(['sync', '--csv', csv(), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', ...extra], env);
};
const updates = () => sim.requests('dmp/custom_audience/update').length + sim.requests('dmp/custom_audience/file/upload').length;

describe('cohort-relay sync with the removal limit', () => {
  it('a sync over the limit exits 3, sends nothing, prints the numbers and how to confirm; --confirm-removals sends it once', async () => {
    const first = await sync(emails(0, 5000), '--json');
    expect(first.code).toBe(0);
    const tiktokId = (JSON.parse(first.stdout) as { audienceId: string }).audienceId;
    const before = updates();

    const held = await sync(emails(0, 1750));
    expect(held.code).toBe(3);
    expect(held.stdout).toMatch(/^Sync held: audience "Buyers"/);
    expect(held.stdout).toMatch(/\+0 to add, −3,250 to remove: nothing sent, no call spent/);
    expect(held.stdout).toMatch(/would remove 3,250 of 5,000 people \(65 %\), more than this audience's 20 % limit, so it was held/);
    expect(held.stdout).toMatch(/run the same command again with --confirm-removals \(or: cohort-relay removals confirm --audience-id 1\)/);
    expect(held.stdout).toMatch(/cohort-relay removals keep --audience-id 1/);
    expect(updates()).toBe(before);
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 5000)));

    const json = await sync(null, '--json');
    expect(json.code).toBe(3);
    const heldAgain = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(heldAgain).toMatchObject({ status: 'held', callsUsed: 0, removes: 3250, removalLimitPct: 20, error: { code: 'REMOVALS_HELD' }, hold: { removes: 3250, currentSize: 5000, percent: 65, limitPct: 20, confirmed: false, repeated: true, heldAt: expect.stringMatching(/^\d{4}-/) } });
    // One run id in the object (this run), even though an earlier run held the same change first.
    expect(json.stdout.match(/"runId"/g)).toHaveLength(1);
    expect(heldAgain.runId).toEqual(expect.any(Number));

    const status = await cli(['status'], env);
    expect(status.stdout).toMatch(/Sync held: This sync would remove 3,250 of 5,000 people/);
    expect(JSON.parse((await cli(['status', '--json'], env)).stdout).audiences[0]).toMatchObject({ removalLimitPct: 20, hold: { state: 'held', removes: 3250 } });
    const runs = JSON.parse((await cli(['runs', '--json'], env)).stdout) as { status: string }[] | { runs: { status: string }[] };
    expect(JSON.stringify(runs)).toMatch(/"status":"held"/);
    // The log says the held run sent nothing; its numbers are the hold's own words (a plan, not people removed).
    const log = await cli(['runs'], env);
    expect(log.stdout).toMatch(/ held .*nothing sent, 0 calls — This sync would remove 3,250 of 5,000 people/);
    expect(log.stdout).toMatch(/ done .*\+5,000 −0, \d+ calls?$/m);

    const confirmed = await sync(null, '--confirm-removals');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toMatch(/^Sync done/);
    expect(confirmed.stdout).toMatch(/as you confirmed once/);
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 1750)));

    // Once: the next drop over the limit is held again, even with the flag (nothing was held to confirm before it).
    const again = await sync(emails(0, 1000), '--confirm-removals');
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/No sync of this audience was held, so --confirm-removals had nothing to confirm/);
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 1750)));
  });

  it('--dry-run says the sync would be held, exits 0 and holds nothing; --max-removals sets the audience\'s limit or switches it off', async () => {
    await sync(emails(0, 5000));
    const dry = await sync(emails(0, 1750), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/so it will be held until you confirm it/);
    expect(JSON.parse((await cli(['removals', '--json'], env)).stdout).audiences[0]).toMatchObject({ removalLimitPct: 20, hold: null });
    expect((await sync(null, '--dry-run', '--confirm-removals')).code).toBe(2);

    const plan = await cli(['plan', '--csv', csv(), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', '--json'], env);
    expect(JSON.parse(plan.stdout)).toMatchObject({ removes: 3250, removalLimitPct: 20, wouldHold: { removes: 3250, percent: 65, limitPct: 20, confirmed: false } });

    expect((await sync(null, '--max-removals', '70')).code).toBe(0);
    expect(JSON.parse((await cli(['removals', '--json'], env)).stdout).audiences[0]).toMatchObject({ removalLimitPct: 70, hold: null });
    expect((await sync(emails(0, 1000), '--max-removals', 'off')).code).toBe(0);
    const bad = await sync(null, '--max-removals', '120');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-removals "120" is not a percentage: give a whole number from 0 to 100/);
  });

  it('removals list, limit, keep and confirm decide a held sync by the audience number', async () => {
    await sync(emails(0, 5000));
    expect((await sync(emails(0, 1750))).code).toBe(3);

    const list = await cli(['removals'], env);
    expect(list.stdout).toMatch(/#1 Buyers: limit 20 %, HELD — needs you/);
    expect(list.stdout).toMatch(/cohort-relay removals confirm --audience-id 1/);

    const keep = await cli(['removals', 'keep', '--audience-id', '1'], env);
    expect(keep.code).toBe(0);
    expect(keep.stdout).toMatch(/kept as it is/);
    const quiet = await sync(null, '--json');
    expect(quiet.code).toBe(3);
    expect(JSON.parse(quiet.stdout).hold).toMatchObject({ kept: true });

    const confirm = await cli(['removals', 'confirm', '--audience-id', '1', '--json'], env);
    expect(confirm.code).toBe(0);
    expect(JSON.parse(confirm.stdout)).toMatchObject({ status: 'done', removes: 3250 });
    expect((await cli(['removals', 'confirm', '--audience-id', '1'], env)).stderr).toMatch(/No sync of this audience is held/);

    expect((await cli(['removals', 'limit', '--audience-id', '1', '--max', 'off'], env)).stdout).toMatch(/no removal limit/);
    expect((await cli(['removals', 'limit', '--audience-id', '1', '--max', '5%'], env)).stdout).toMatch(/more than 5 % of its people is held/);
    expect((await cli(['removals', '--help'], env)).stdout).toMatch(/limit --audience-id N --max PCT\|off/);
    const help = (await cli(['sync', '--help'], env)).stdout;
    expect(help).toMatch(/--max-removals PCT\|off\] \[--removal-mode added-only\|mirror\] \[--confirm-removals\]/);
    expect(help).toMatch(/3 held \(it would remove more than the audience allows, or TikTok shows changes this app did not send\)/);
  });
});

describe('cohort-relay sync when TikTok shows changes this app did not send', () => {
  const elsewhere = async (tiktokId: string, from: number) => {
    const { client } = clientFor(sim);
    await client.updateAudience({ advertiserId: sim.advertiserIds[0]!, audienceId: tiktokId, action: 'APPEND', filePaths: [await upload(client, sim.advertiserIds[0]!, emails(from, 200).map(sha256Hex))] });
  };

  it('exits 3 with the choices and sends nothing; --dry-run reports it and holds nothing; keep, then --confirm-removals replaces', async () => {
    const list = emails(0, 1500);
    const tiktokId = (JSON.parse((await sync(list, '--json')).stdout) as { audienceId: string }).audienceId;
    await elsewhere(tiktokId, 5000);
    const before = updates();

    const dry = await sync(null, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/TikTok shows 1 change to who is in this audience that Cohort Relay did not send/);
    expect(dry.stdout).toMatch(/This sync will be held until you choose: nothing is sent until then/);
    expect(JSON.parse((await cli(['removals', '--json'], env)).stdout).audiences[0]).toMatchObject({ hold: null });

    const held = await sync(null);
    expect(held.code).toBe(3);
    expect(held.stdout).toMatch(/^Sync held: audience "Buyers"/);
    expect(held.stdout).toMatch(/TikTok shows 1 change to who is in this audience that Cohort Relay did not send \(another tool, or this computer lost recent records\)/);
    expect(held.stdout).toMatch(/To replace its whole membership with the file: run the same command again with --confirm-removals \(or: cohort-relay removals confirm --audience-id 1\)/);
    expect(held.stdout).toMatch(/To keep syncing changes only \(TikTok's changes stay as they are, and are not asked about again\): cohort-relay removals keep --audience-id 1/);
    expect(held.stdout).not.toMatch(/removals limit/);
    expect(updates()).toBe(before);
    const json = JSON.parse((await sync(null, '--json')).stdout);
    expect(json).toMatchObject({ status: 'held', callsUsed: 0, error: { code: 'MEMBERSHIP_UNKNOWN' }, hold: { reason: 'membership', foreignChanges: 1, confirmed: false } });
    expect((await cli(['removals'], env)).stdout).toMatch(/#1 Buyers: limit 20 %, HELD — needs you \(TikTok shows changes this app did not send\)/);
    expect((await cli(['status'], env)).stdout).toMatch(/Sync held: TikTok shows 1 change[\s\S]*cohort-relay removals keep --audience-id 1/);

    const keep = await cli(['removals', 'keep', '--audience-id', '1'], env);
    expect(keep.code).toBe(0);
    expect(keep.stdout).toMatch(/keeps syncing changes only: the 1 change\(s\) TikTok shows that this app did not send stay as they are/);
    expect((await sync(null, '--json')).code).toBe(0);
    expect(sim.membership(tiktokId)!.size).toBe(1700);

    await elsewhere(tiktokId, 6000);
    expect((await sync(null)).code).toBe(3);
    const replaced = await sync(null, '--confirm-removals', '--json');
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ status: 'done', strategy: 'adopt', hold: { reason: 'membership', confirmed: true } });
    expect(sim.membership(tiktokId)).toEqual(hashSet(list));
  });
});

describe('cohort-relay sync --removal-mode', () => {
  it('an audience adopted with --audience-id only loses people this app added; the volume-drop breaker exits 3; --removal-mode mirror replaces it with the file', async () => {
    const { client } = clientFor(sim);
    const others = emails(100_000, 5000);
    const filePath = await upload(client, sim.advertiserIds[0]!, others.map(sha256Hex));
    const { audienceId } = await client.createAudience({ advertiserId: sim.advertiserIds[0]!, name: 'Uploaded by hand', calculateType: 'EMAIL_SHA256', filePaths: [filePath] });
    const run = (list: readonly string[], ...extra: string[]) => {
      writeEmailCsv(csv(), list);
      return cli(['sync', '--csv', csv(), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience-id', audienceId, ...extra], env);
    };

    const first = await run(emails(0, 1200));
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Removes only people Cohort Relay added: the audience's other members stay\. To make it hold exactly the file: --removal-mode mirror\./);
    expect(sim.membership(audienceId)).toEqual(hashSet([...others, ...emails(0, 1200)]));

    const dropped = await run(emails(0, 300), '--json');
    expect(dropped.code).toBe(3);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ status: 'held', removes: 900, removalMode: 'added-only', hold: { rowsRead: 300, lastRowsRead: 1200 } });
    expect(sim.membership(audienceId)!.size).toBe(6200);
    expect((await cli(['status'], env)).stdout).toMatch(/Removes only people Cohort Relay added \(its other members stay\)/);
    expect(JSON.parse((await cli(['status', '--json'], env)).stdout).audiences[0]).toMatchObject({ removalMode: 'added-only' });

    expect((await run(emails(0, 1200), '--removal-mode', 'everything')).code).toBe(2);
    const mirrored = await run(emails(0, 1200), '--removal-mode', 'mirror', '--json');
    expect(mirrored.code).toBe(0);
    expect(JSON.parse(mirrored.stdout)).toMatchObject({ status: 'done', strategy: 'adopt', removalMode: 'mirror' });
    expect(sim.membership(audienceId)).toEqual(hashSet(emails(0, 1200)));
  });
});
