/** `cohort-relay use …` (#14 §1) against the simulator over real HTTP, in a temp data folder. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SANDBOX_BUSINESS_CENTER, type SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

async function synced(name: string, people = 1200): Promise<{ audienceId: string; localAudienceId: number }> {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, emails(name.length * 10_000, people));
  const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', name, '--json'], env);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { audienceId: string; localAudienceId: number };
}

const mutating = () => sim.requests().filter((r) => /apply\/?$|lookalike\/create|share\/?$|delete/.test(r.endpoint) && !r.endpoint.includes('log'));

describe('cohort-relay use', () => {
  it('apply: without --yes prints what it would do and sends nothing; with --yes excludes the audience from the ad groups', async () => {
    const a = await synced('Converted');
    const groups = JSON.parse((await cli(['use', 'adgroups', '--audience-id', String(a.localAudienceId), '--json'], env)).stdout) as { campaigns: { adGroups: { adgroupId: string }[] }[] };
    const ids = groups.campaigns.flatMap((c) => c.adGroups.map((g) => g.adgroupId)).slice(0, 2);
    const dry = await cli(['use', 'apply', '--audience-id', String(a.localAudienceId), '--adgroup', ids.join(','), '--mode', 'exclude'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Exclude "Converted" from 2 ad groups .*suppression list.*\nNothing was changed or sent\. Run the same command with --yes to apply it\.\n$/);
    expect(mutating()).toEqual([]);
    const r = await cli(['use', 'apply', '--audience-id', String(a.localAudienceId), '--adgroup', ids[0]!, '--adgroup', ids[1]!, '--mode', 'exclude', '--yes'], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Done\. Exclude "Converted"/);
    expect(sim.adGroupsUsing(a.audienceId)).toEqual(ids.map((adgroupId) => ({ adgroupId, usage: 'Exclude' })));
    const listed = await cli(['use', 'adgroups', '--audience-id', String(a.localAudienceId)], env);
    expect(listed.stdout.match(/\[excludes this audience\]/g)).toHaveLength(2);
    const usage = await cli(['use', 'usage', '--audience-id', String(a.localAudienceId), '--json'], env);
    expect((JSON.parse(usage.stdout) as unknown[]).length).toBe(2);
  }, 60_000);

  it('apply names an unknown ad group in TikTok’s words and exits 1', async () => {
    const a = await synced('Unknown group');
    const r = await cli(['use', 'apply', '--audience-id', String(a.localAudienceId), '--adgroup', '1999999999999999999', '--mode', 'include', '--yes'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*1999999999999999999 does not exist/);
  }, 60_000);

  it('lookalike: refuses a seed under 100 with the reason; makes one from a larger seed with --yes, and warns about deleting the seed', async () => {
    const small = await synced('Tiny', 60);
    const refused = await cli(['use', 'lookalike', '--audience-id', String(small.localAudienceId), '--name', 'LAL', '--size', 'broad', '--location', 'US', '--yes'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/60 matched people at TikTok; a lookalike needs a seed of at least 100/);
    const seed = await synced('Seed', 200);
    const dry = await cli(['use', 'lookalike', '--audience-id', String(seed.localAudienceId), '--name', 'Seed LAL', '--size', 'narrow', '--location', 'US,GB', '--os', 'ios'], env);
    expect(dry.stdout).toMatch(/narrow .* iOS only, in United States, United Kingdom\. Deleting "Seed" later stops this lookalike’s refreshes\./);
    expect(sim.requests('dmp/custom_audience/lookalike/create')).toHaveLength(0);
    const made = await cli(['use', 'lookalike', '--audience-id', String(seed.localAudienceId), '--name', 'Seed LAL', '--size', 'narrow', '--location', 'US,GB', '--os', 'ios', '--yes', '--json'], env);
    const r = JSON.parse(made.stdout) as { tiktokAudienceId: string };
    expect(sim.audience(r.tiktokAudienceId)?.kind).toBe('lookalike');
    const refreshed = await cli(['use', 'refresh', '--audience-id', String(seed.localAudienceId), '--lookalike', r.tiktokAudienceId, '--yes'], env);
    expect(refreshed.stdout).toMatch(/Refreshing "Seed LAL"/);
    expect(sim.requests('dmp/custom_audience/lookalike/update')).toHaveLength(1);
  }, 60_000);

  it('share: 12 accounts go as two requests; a foreign account is refused', async () => {
    const a = await synced('Shared');
    const targets = SANDBOX_BUSINESS_CENTER.advertisers.slice(1).map((x) => x.advertiserId);
    const dry = await cli(['use', 'share', '--audience-id', String(a.localAudienceId), '--with', targets.join(',')], env);
    expect(dry.stdout).toMatch(/with 12 ad accounts .*sent as 2 requests/);
    const r = await cli(['use', 'share', '--audience-id', String(a.localAudienceId), '--with', targets.join(','), '--yes'], env);
    expect(r.stdout).toBe('Shared: 12 audience × account pairs in 2 requests.\n');
    expect(sim.sharedWith(a.audienceId)).toHaveLength(12);
    const foreign = await cli(['use', 'share', '--audience-id', String(a.localAudienceId), '--with', '7900000000000000001', '--yes'], env);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/not in the same Business Center/);
    await cli(['use', 'unshare', '--audience-id', String(a.localAudienceId), '--with', targets[0]!, '--yes'], env);
    expect(sim.sharedWith(a.audienceId)).toHaveLength(11);
  }, 60_000);

  it('delete: the preview says which ad groups it leaves; --yes detaches, deletes at TikTok and here', async () => {
    const a = await synced('Old list');
    const groups = JSON.parse((await cli(['use', 'adgroups', '--audience-id', String(a.localAudienceId), '--json'], env)).stdout) as { campaigns: { adGroups: { adgroupId: string }[] }[] };
    const g = groups.campaigns[0]!.adGroups[0]!.adgroupId;
    await cli(['use', 'apply', '--audience-id', String(a.localAudienceId), '--adgroup', g, '--mode', 'include', '--yes'], env);
    const dry = await cli(['use', 'delete', '--audience-id', String(a.localAudienceId)], env);
    expect(dry.stdout).toMatch(/Delete 1 audience at TikTok \(Old list\).*detach them from the ad groups using them: "Old list" from 1 ad group/);
    expect(sim.audience(a.audienceId)).toBeDefined();
    const r = await cli(['use', 'delete', '--audience-id', String(a.localAudienceId), '--yes'], env);
    expect(r.stdout).toBe('Deleted "Old list" at TikTok and here (detached from 1 ad group first).\n');
    expect(sim.audience(a.audienceId)).toBeUndefined();
    expect((await cli(['status', '--json'], env)).stdout).not.toMatch(/Old list/);
  }, 60_000);

  it('options: refused once the audience exists at TikTok; read back from TikTok', async () => {
    const a = await synced('Made');
    const r = await cli(['use', 'options', '--audience-id', String(a.localAudienceId), '--retention-days', '30'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists at TikTok/);
    const shown = await cli(['use', 'options', '--audience-id', String(a.localAudienceId)], env);
    expect(shown.stdout).toMatch(/At TikTok: enhancement off, sub type NORMAL/);
  }, 60_000);

  it('sync --retention-days/--enhancement/--sub-type sends them on create; TikTok reads them back; a later sync with them only notes it', async () => {
    const csv = path.join(dir, 'opts.csv');
    writeEmailCsv(csv, emails(500_000, 1000));
    const args = ['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'With options', '--retention-days', '45', '--enhancement', 'on', '--sub-type', 'reach-frequency', '--json'];
    const first = await cli(args, env);
    expect(first.code).toBe(0);
    const { localAudienceId } = JSON.parse(first.stdout) as { localAudienceId: number };
    const shown = JSON.parse((await cli(['use', 'options', '--audience-id', String(localAudienceId), '--json'], env)).stdout) as { retentionInDays: number; editable: boolean; atTiktok: { audienceEnhancement: boolean; subType: string } };
    expect(shown).toMatchObject({ retentionInDays: 45, editable: false, atTiktok: { audienceEnhancement: true, subType: 'REACH_FREQUENCY' } });
    const again = await cli(args, env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/note: "With options" already exists at TikTok; --retention-days, --enhancement and --sub-type apply only when it is created\./);
  }, 60_000);
});
