/**
 * `sync --audience-id` takes TikTok's audience id while `status` numbers audiences locally (#1): when TikTok has no
 * audience of the id given, the error says which id the option takes and names the local audience of that number,
 * with the way to sync it. The CLI against the simulator over real HTTP, in a temp data folder.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSandboxForEachTest, type CliSandbox } from '../../helpers/cli-sandbox';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';

let s: CliSandbox;
cliSandboxForEachTest((x) => (s = x));

describe('cohort-relay sync --audience-id of an id TikTok does not have', () => {
  it('names the local audience of that number and how to sync it (dry run too); nothing is created', async () => {
    const adv = s.sim.advertiserIds[0]!;
    const csv = path.join(s.dir, 'buyers.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Spring buyers', '--json'], s.env)).stdout) as { audienceId: string; localAudienceId: number };
    const local = String(first.localAudienceId);
    expect(first.audienceId).not.toBe(local);

    for (const extra of [[], ['--dry-run']]) {
      const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience-id', local, ...extra], s.env);
      expect(r.code, extra.join()).toBe(1);
      expect(r.stderr, extra.join()).toBe(
        `error: TikTok has no audience ${local} for advertiser ${adv}. --audience-id here takes TikTok's audience id (the "TikTok id" a sync prints), not the local number "cohort-relay status" shows. ` +
          `Local audience #${local} is "Spring buyers" (TikTok id ${first.audienceId}): to sync it, give --audience "Spring buyers" --advertiser ${adv} instead of --audience-id ${local}.\n`,
      );
    }
    // The advice works: the named audience syncs (nothing new to send).
    const again = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Spring buyers', '--json'], s.env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ localAudienceId: first.localAudienceId, adds: 0, removes: 0 });
    expect((JSON.parse((await cli(['status', '--json'], s.env)).stdout) as { audiences: unknown[] }).audiences).toHaveLength(1);
  }, 60_000);

  it('with no local audience of that number says which id the option takes and how to create one', async () => {
    const csv = path.join(s.dir, 'buyers.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', s.sim.advertiserIds[0]!, '--audience-id', '42'], s.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: TikTok has no audience 42 for advertiser \d+\. --audience-id here takes TikTok's audience id .*not the local number "cohort-relay status" shows\. Check the id, or give --audience NAME to create an audience\.\n$/);
  }, 60_000);

  it('a TikTok id of this app\'s audience under another ad account names that account', async () => {
    const [adv, other] = s.sim.advertiserIds as [string, string];
    const csv = path.join(s.dir, 'buyers.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Spring buyers', '--json'], s.env)).stdout) as { audienceId: string };
    const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', other, '--audience-id', first.audienceId], s.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: TikTok audience ${first.audienceId} belongs to ad account ${adv} (it is "Spring buyers" here), not to ${other}: give --advertiser ${adv}.\n`);
  }, 60_000);
});

