/** `cohort-relay delete` against the simulator over real HTTP, in a temp data folder (#11 S1.2). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { acquireAudienceLock } from '../../../electron/core/sync/locks';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

async function synced(name: string, partner = false): Promise<{ audienceId: string; localAudienceId: number }> {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, emails(0, 1200));
  const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', name, ...(partner ? ['--partner'] : []), '--json'], env);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { audienceId: string; localAudienceId: number };
}

function local(): { audiences: string[]; runs: number } {
  const store = Store.open(path.join(dir, 'home'));
  try {
    return { audiences: store.audiences.list().map((a) => a.name), runs: (store.db.prepare('SELECT COUNT(*) AS n FROM sync_runs').get() as { n: number }).n };
  } finally {
    store.close();
  }
}

describe('cohort-relay delete', () => {
  it('deletes here only (runs too); the TikTok audience stays', async () => {
    const a = await synced('Spring buyers');
    const r = await cli(['delete', '--audience-id', String(a.localAudienceId), '--yes'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // It had no schedule, so none is mentioned.
    expect(r.stdout).toBe('Deleted "Spring buyers" from Cohort Relay: its sync history and the local record of who is in it are removed. The audience stays in TikTok Ads Manager.\n');
    expect(local()).toEqual({ audiences: [], runs: 0 });
    expect(sim.membership(a.audienceId)?.size).toBe(1200);
  }, 60_000);

  it('names the schedule it removes only when the audience has one (preview and --yes alike)', async () => {
    const a = await synced('Spring buyers');
    const id = String(a.localAudienceId);
    expect((await cli(['schedule', 'add', '--audience-id', id, '--every', 'daily@06:00'], env)).code).toBe(0);
    const preview = await cli(['delete', '--audience-id', id], env);
    expect(preview.stdout).toContain(`Would delete "Spring buyers" (local id ${id}) from Cohort Relay: its schedule, its sync history (1 run)`);
    const r = await cli(['delete', '--audience-id', id, '--yes'], env);
    expect(r.stdout).toBe('Deleted "Spring buyers" from Cohort Relay: its schedule, sync history and the local record of who is in it are removed. The audience stays in TikTok Ads Manager.\n');
  }, 60_000);

  it('--at-tiktok deletes a customer-file audience with dmp/custom_audience/delete/ and a partner one with the segment API', async () => {
    const file = await synced('Spring buyers');
    const partner = await synced('Partner buyers', true);
    const r = await cli(['delete', '--audience-id', String(file.localAudienceId), '--at-tiktok', '--yes', '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: true, name: 'Spring buyers', deletedAtTiktok: true });
    expect(sim.requests('dmp/custom_audience/delete')).toHaveLength(1);
    expect(sim.membership(file.audienceId)).toBeUndefined();

    const segmentCalls = sim.requests('segment/audience').length;
    expect((await cli(['delete', '--audience-id', String(partner.localAudienceId), '--at-tiktok', '--yes'], env)).stdout).toMatch(/It was also deleted at TikTok/);
    expect(sim.requests('segment/audience')).toHaveLength(segmentCalls + 1);
    expect(sim.requests('dmp/custom_audience/delete')).toHaveLength(1);
    expect(sim.membership(partner.audienceId)).toBeUndefined();
    expect(local().audiences).toEqual([]);
  }, 60_000);

  it('without --yes says what it would delete here and changes nothing (exit 0, as erase and use delete)', async () => {
    const a = await synced('Spring buyers');
    const r = await cli(['delete', '--audience-id', String(a.localAudienceId)], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `Would delete "Spring buyers" (local id ${a.localAudienceId}) from Cohort Relay: its sync history (1 run) and the local record of who is in it (1,200 hashed entries). This cannot be undone. ` +
        `The audience (TikTok id ${a.audienceId}) would stay in TikTok Ads Manager; add --at-tiktok to delete it there too.\nNothing was changed or sent. Run the same command with --yes to delete it.\n`,
    );
    expect(local()).toEqual({ audiences: ['Spring buyers'], runs: 1 });
    expect(sim.membership(a.audienceId)?.size).toBe(1200);
  }, 60_000);

  it('--at-tiktok without --yes names the ad groups it would detach and sends nothing that changes TikTok', async () => {
    const a = await synced('Spring buyers');
    const id = String(a.localAudienceId);
    const groups = JSON.parse((await cli(['use', 'adgroups', '--audience-id', id, '--json'], env)).stdout) as { campaigns: { adGroups: { adgroupId: string }[] }[] };
    const group = groups.campaigns.flatMap((c) => c.adGroups)[0]!.adgroupId;
    expect((await cli(['use', 'apply', '--audience-id', id, '--adgroup', group, '--mode', 'exclude', '--yes'], env)).code).toBe(0);

    const text = await cli(['delete', '--audience-id', id, '--at-tiktok'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`TikTok would delete it too (TikTok id ${a.audienceId}), after detaching it from the 1 ad group using it`);
    expect(text.stdout).toContain('Nothing was changed or sent. Run the same command with --yes to delete it.');
    const json = await cli(['delete', '--audience-id', id, '--at-tiktok', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ done: false, audienceId: a.localAudienceId, tiktokAudienceId: a.audienceId, runs: 1, entries: 1200, atTiktok: { adGroups: 1, lookalikes: 0 } });

    expect(sim.requests('dmp/custom_audience/delete')).toHaveLength(0);
    expect(sim.adGroupsUsing(a.audienceId)).toHaveLength(1);
    expect(sim.membership(a.audienceId)?.size).toBe(1200);
    expect(local()).toEqual({ audiences: ['Spring buyers'], runs: 1 });
  }, 60_000);

  it('is refused while a sync of the audience runs (another process): nothing is deleted, here or at TikTok', async () => {
    const a = await synced('Spring buyers');
    const store = Store.open(path.join(dir, 'home'));
    const release = acquireAudienceLock(store, a.localAudienceId, 'a sync in the desktop app');
    try {
      const r = await cli(['delete', '--audience-id', String(a.localAudienceId), '--at-tiktok', '--yes'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/"Spring buyers" is syncing right now, so it cannot be deleted\. Cancel the sync \(or wait for it to finish\), then delete the audience\./);
    } finally {
      release();
      store.close();
    }
    expect(local().audiences).toEqual(['Spring buyers']);
    expect(sim.membership(a.audienceId)?.size).toBe(1200);
    expect(sim.requests('dmp/custom_audience/delete')).toHaveLength(0);
  }, 60_000);
});
