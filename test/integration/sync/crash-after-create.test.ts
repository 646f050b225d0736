/**
 * A create TikTok applied, then the app died before recording the answer (#13 §3): the next run finds the audience
 * and never creates a second, for the customer-file API and the partner API alike. Deterministic: a child process runs
 * the sync and kills itself (SIGKILL) at the named point right after TikTok's answer to the create (SyncDeps.checkpoint),
 * against the sandbox over real HTTP and the same SQLite data folder as this process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { runCountsText } from '../../../shared/run-counts-text';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

const ROOT = path.resolve(__dirname, '../../..');
let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;

beforeEach(async () => ({ sim, app, dir, close } = await openSandboxApp()));
afterEach(async () => close());

/** Syncs the audience in a child process that dies at `checkpoint`; resolves with how it ended. */
function syncInChildUntil(audienceId: number, checkpoint: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/sync-until-checkpoint.ts', path.join(dir, 'data'), String(audienceId), checkpoint], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: dir, TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', () => {});
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
}

async function audienceFor(name: string, api: 'file' | 'segment', list: readonly string[]) {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, list);
  return app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE, api });
}

const named = (name: string) => sim.audiences(sim.advertiserIds[0]).filter((a) => a.name === name);

describe('the app dies right after TikTok answered a create, before the answer is recorded', () => {
  it('customer-file API: the next run finds the audience TikTok made and syncs to it; no second create', async () => {
    const list = emails(0, 1500);
    const a = await audienceFor('Died after create', 'file', list);
    const child = await syncInChildUntil(a.id, 'create-answered');
    expect(child.signal).toBe('SIGKILL');
    expect(named('Died after create')).toHaveLength(1);
    expect(app.store.audiences.require(a.id).tiktokAudienceId).toBeNull(); // the answer died with the process
    // The run log counts the create from the quota ledger (review s7 2e), not "nothing sent, 0 calls".
    const [dead] = app.store.runs.list({ audienceId: a.id });
    expect(dead).toMatchObject({ callsUsed: 0, sent: { calls: 1, unanswered: 1 } });
    expect(runCountsText(dead!, String)).toBe('running: nothing acknowledged yet, 1 call, 1 call without a recorded answer (it may have changed the audience)');

    const outcome = await app.sync.sync(a.id, 'cli');
    expect(outcome.status).toBe('done');
    expect(sim.requests('dmp/custom_audience/create')).toHaveLength(1);
    expect(named('Died after create')).toHaveLength(1);
    expect(outcome.tiktokAudienceId).toBe(named('Died after create')[0]!.audienceId);
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(hashSet(list));
    // The create counts (the ledger had reserved it), and so does the full REPLACE that made the membership certain.
    expect(app.sync.quota(a.id).used).toBe(sim.callsOn(outcome.tiktokAudienceId!));
    // The run log says so too (review s7 2e): the killed run sent a call whose answer was lost, not "nothing, 0 calls";
    // the run after it replaced the membership.
    const [next, killed] = app.store.runs.list({ audienceId: a.id });
    expect(killed).toMatchObject({ status: 'failed', sent: { calls: 1 } });
    expect(runCountsText(killed!, String)).toMatch(/^\+1500 −0 planned, 1 call sent/);
    expect(runCountsText(next!, String)).toBe('replaced: 1500 people');
  }, 60_000);

  it('partner API: the next run finds the partner audience TikTok made and adds to it; no second create', async () => {
    const list = emails(0, 1200);
    const a = await audienceFor('Partner died after create', 'segment', list);
    app.store.audiences.update(a.id, { removalLimitPct: null });
    const child = await syncInChildUntil(a.id, 'create-answered');
    expect(child.signal).toBe('SIGKILL');
    expect(named('Partner died after create')).toHaveLength(1);
    expect(app.store.audiences.require(a.id).tiktokAudienceId).toBeNull();
    expect(sim.requests('segment/mapping')).toHaveLength(0);

    const outcome = await app.sync.sync(a.id, 'cli');
    expect(outcome.status).toBe('done');
    expect(sim.requests('segment/audience')).toHaveLength(1);
    expect(named('Partner died after create')).toHaveLength(1);
    expect(outcome.tiktokAudienceId).toBe(named('Partner died after create')[0]!.audienceId);
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(new Set(list.map((e) => `EMAIL_SHA256:${sha256Hex(e)}`)));
  }, 60_000);
});
