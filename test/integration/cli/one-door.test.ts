/**
 * One front door (#13 §2): the CLI and the desktop app's contract handlers call the same engine operations, so an
 * audience is created by one rule and its state reads the same in `cohort-relay status` as in the app's table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { namesakeMessage } from '../../../electron/core/engine/ops';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { openCliSandbox, type CliSandbox } from '../../helpers/cli-sandbox';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from '../engine/helpers';
import { clientFor, createAudienceOf } from '../tiktok/helpers';

describe('one audience-creation rule: a same-named TikTok audience is synced into only when picked by its TikTok id', () => {
  let sb: CliSandbox;
  beforeEach(async () => {
    sb = await openCliSandbox();
  });
  afterEach(async () => {
    await sb.close();
  });

  it('cohort-relay sync --audience NAME refuses it (exit 2, nothing recorded or sent); --audience-id ID syncs into it', async () => {
    const adv = sb.sim.advertiserIds[0]!;
    const theirs = emails(50_000, 1500);
    const { audienceId } = await createAudienceOf(clientFor(sb.sim).client, adv, theirs.map(sha256Hex), 'Buyers');
    const csv = path.join(sb.dir, 'buyers.csv');
    writeEmailCsv(csv, emails(0, 1200));

    const byName = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Buyers', '--json'], sb.env);
    expect(byName.code).toBe(2);
    // Run with --json, the refusal is JSON on stdout.
    expect(byName.stderr).toBe('');
    expect(JSON.parse(byName.stdout)).toEqual({ error: { code: 'INVALID_ARGUMENT', message: namesakeMessage('Buyers', adv, audienceId) } });
    expect(byName.stdout).toContain(`--audience-id ${audienceId}`);
    expect(JSON.parse((await cli(['status', '--json'], sb.env)).stdout).audiences).toEqual([]);
    expect(sb.sim.requests('dmp/custom_audience/update')).toHaveLength(0);
    expect(sb.sim.membership(audienceId)).toEqual(hashSet(theirs));

    // Another name is a new audience; the namesake stays untouched.
    const other = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Buyers (Cohort Relay)', '--json'], sb.env);
    expect(other.code).toBe(0);
    expect(JSON.parse(other.stdout).audienceId).not.toBe(audienceId);
    expect(sb.sim.membership(audienceId)).toEqual(hashSet(theirs));

    const byId = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience-id', audienceId, '--json'], sb.env);
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ audienceId, name: 'Buyers', status: 'done', removalMode: 'added-only' });
    // A second sync by name finds the saved audience here: no TikTok namesake question is asked again.
    expect((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Buyers', '--json'], sb.env)).code).toBe(0);
  });

  it('cohort-relay delete --at-tiktok detaches the audience from its ad groups first, as the app does', async () => {
    const adv = sb.sim.advertiserIds[0]!;
    const csv = path.join(sb.dir, 'converted.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const synced = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', adv, '--audience', 'Converted', '--json'], sb.env)).stdout) as { audienceId: string; localAudienceId: number };
    const id = String(synced.localAudienceId);
    const groups = JSON.parse((await cli(['use', 'adgroups', '--audience-id', id, '--json'], sb.env)).stdout) as { campaigns: { adGroups: { adgroupId: string }[] }[] };
    const group = groups.campaigns.flatMap((c) => c.adGroups)[0]!.adgroupId;
    expect((await cli(['use', 'apply', '--audience-id', id, '--adgroup', group, '--mode', 'exclude', '--yes'], sb.env)).code).toBe(0);
    expect(sb.sim.adGroupsUsing(synced.audienceId)).toHaveLength(1);

    // TikTok refuses to delete an audience an ad group still uses: detached first, it goes.
    const r = await cli(['delete', '--audience-id', id, '--at-tiktok', '--yes', '--json'], sb.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ audienceId: synced.localAudienceId, deletedAtTiktok: true });
    expect(sb.sim.adGroupsUsing(synced.audienceId)).toEqual([]);
    expect(JSON.parse((await cli(['status', '--json'], sb.env)).stdout).audiences).toEqual([]);
  }, 60_000);
});

describe('the desktop app (contract handlers) follows the same rules', () => {
  let dir: string;
  let cleanup: () => void;
  let t: TestEngine;
  beforeEach(async () => {
    ({ dir, cleanup } = tmpDir('cohort-relay-one-door-'));
    t = await startTestEngine(dir);
  });
  afterEach(async () => {
    await t.engine.shutdown();
    cleanup();
  });

  function cohort(n: number): string {
    const file = path.join(dir, 'buyers.csv');
    fs.writeFileSync(file, `email\n${emails(0, n).join('\n')}\n`);
    return file;
  }

  it('audiences:create and its dry run refuse a TikTok namesake with the same words as the CLI, and take it when picked as existing', async () => {
    const h = t.engine.handlers;
    const conn = await h['connections:connectSandbox'](undefined);
    const adv = conn.advertisers[0]!.advertiserId;
    const { audienceId } = await createAudienceOf(clientFor(t.sim()).client, adv, emails(50_000, 1500).map(sha256Hex), 'Buyers');
    const req = { advertiserId: adv, connectionId: conn.id, name: 'Buyers', keys: [{ key: 'email' as const, column: 'email' }], sourcePath: cohort(1200), profile: DEFAULT_PROFILE, cadence: { kind: 'manual' as const } };

    await expect(h['audiences:create'](req)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: namesakeMessage('Buyers', adv, audienceId) });
    // The wizard's dry run of the unsaved audience is refused as its create would be, before the user is shown a plan.
    await expect(h['sync:plan']({ create: req })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: namesakeMessage('Buyers', adv, audienceId) });
    expect(await h['audiences:list'](undefined)).toEqual([]);

    const picked = await h['audiences:create']({ ...req, existingTiktokAudienceId: audienceId });
    expect(picked).toMatchObject({ name: 'Buyers', tiktokAudienceId: audienceId, removalMode: 'added-only' });
  });

  it('cohort-relay status shows the state, message, sizes and calls of the app\'s audiences table', async () => {
    const h = t.engine.handlers;
    const conn = await h['connections:connectSandbox'](undefined);
    const adv = conn.advertisers[0]!.advertiserId;
    const synced = await h['audiences:create']({ advertiserId: adv, connectionId: conn.id, name: 'Synced', keys: [{ key: 'email', column: 'email' }], sourcePath: cohort(1500), profile: DEFAULT_PROFILE, cadence: { kind: 'daily', at: '06:30' } });
    const { runId } = await h['sync:run']({ audienceId: synced.id });
    await t.waitFor('run:finished', (p) => p.runId === runId);
    // Under TikTok's floor: unavailable, with the way out.
    await h['audiences:create']({ advertiserId: adv, connectionId: conn.id, name: 'Small', keys: [{ key: 'email', column: 'email' }], sourcePath: cohort(20), profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });

    const app = await h['audiences:list'](undefined);
    const status = await cli(['status', '--json'], { COHORT_RELAY_HOME: path.join(dir, 'data') });
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout).audiences as Record<string, unknown>[];
    expect(rows).toHaveLength(app.length);
    for (const a of app) {
      const r = rows.find((x) => x.id === a.id);
      expect(r).toMatchObject({ name: a.name, state: a.state, stateMessage: a.stateMessage, coverNum: a.coverNum, localSize: a.localSize, nextSync: a.nextSync, callsLeftToday: a.callsLeftToday, dailyBudget: a.dailyBudget, hold: a.hold });
    }
    expect(new Set(app.map((a) => a.state)).size).toBeGreaterThan(1);
  });
});
