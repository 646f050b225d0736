import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { acquireAudienceLock } from '../../../electron/core/sync/locks';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

const ROOT = path.resolve(__dirname, '../../..');
let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
// Small files and calls, so a sync of a few hundred people is several calls a crash can land between.
cliSandboxForEachTest((s) => ({ sim, dir, env } = s), { COHORT_RELAY_HASHES_PER_FILE: '100', COHORT_RELAY_FILES_PER_CALL: '2' });

const syncArgs = (csv: string) => ['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Undo me', '--json'];

/** `cohort-relay sync` in a child process, SIGKILLed once TikTok has answered `updates` audience updates. */
function syncKilledAfter(csv: string, updates: number): Promise<NodeJS.Signals | null> {
  const start = sim.requests('dmp/custom_audience/update').length;
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', ...syncArgs(csv)], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: 'ignore' });
  let exited = false;
  const watch = () => {
    if (exited) return;
    if (sim.requests('dmp/custom_audience/update').length - start >= updates) child.kill('SIGKILL');
    else setImmediate(watch);
  };
  watch();
  return new Promise((resolve) => child.on('exit', (_code, signal) => ((exited = true), resolve(signal))));
}

function audienceRow(): { id: number; paused: boolean } {
  const store = Store.open(path.join(dir, 'home'));
  try {
    const a = store.audiences.list().find((x) => x.name === 'Undo me')!;
    return { id: a.id, paused: a.paused };
  } finally {
    store.close();
  }
}

describe('cohort-relay undo', () => {
  it('after a sync killed part-way, undoes that sync (not the one before) and restores who was in the audience', async () => {
    const csv = path.join(dir, 'cohort.csv');
    const original = emails(0, 1500);
    writeEmailCsv(csv, original);
    const first = JSON.parse((await cli(syncArgs(csv), env)).stdout) as { audienceId: string; localAudienceId: number };
    expect((await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'hourly'], env)).code).toBe(0);

    writeEmailCsv(csv, emails(0, 2400)); // 900 join: five APPENDs
    expect(await syncKilledAfter(csv, 2)).toBe('SIGKILL');
    const atTikTok = sim.membership(first.audienceId)!.size;
    expect(atTikTok).toBeGreaterThan(1500);
    expect(atTikTok).toBeLessThan(2400);

    const undo = await cli(['undo', '--audience-id', String(first.localAudienceId), '--json'], env);
    expect(undo.stderr).toBe('');
    expect(undo.code).toBe(0);
    expect(JSON.parse(undo.stdout)).toMatchObject({ status: 'done', schedulePaused: true });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(original));
    expect(audienceRow().paused).toBe(true);
  }, 60_000);

  it('refused while another sync of the audience runs: says so, and the schedule is not paused', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1500));
    const first = JSON.parse((await cli(syncArgs(csv), env)).stdout) as { localAudienceId: number };
    writeEmailCsv(csv, emails(0, 1700));
    await cli(syncArgs(csv), env);
    await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'hourly'], env);

    const store = Store.open(path.join(dir, 'home'));
    const release = acquireAudienceLock(store, first.localAudienceId, 'a sync in the desktop app');
    try {
      const undo = await cli(['undo', '--audience-id', String(first.localAudienceId)], env);
      expect(undo.code).toBe(1);
      expect(undo.stderr).toMatch(/already running/);
      expect(undo.stdout).not.toMatch(/paused/);
    } finally {
      release();
      store.close();
    }
    expect(audienceRow().paused).toBe(false);
    expect(sim.membership(sim.audiences(sim.advertiserIds[0]).find((a) => a.name === 'Undo me')!.audienceId)!.size).toBe(1700);
  });

  it('--dry-run says what the undo would re-add, remove and cost, and sends nothing', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1500));
    const first = JSON.parse((await cli(syncArgs(csv), env)).stdout) as { audienceId: string; localAudienceId: number };
    writeEmailCsv(csv, emails(300, 1500)); // 300 leave, 300 join
    await cli(syncArgs(csv), env);
    const changes = () => sim.requests().filter((r) => r.endpoint !== 'dmp/custom_audience/get' && r.endpoint !== 'dmp/custom_audience/list').length;
    const before = changes();

    const dry = await cli(['undo', '--audience-id', String(first.localAudienceId), '--dry-run', '--json'], env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    // 100 hashes a file and 2 files a call here: 300 back in 2 calls, 300 out in 2.
    const preview = JSON.parse(dry.stdout) as { calls: number };
    expect(preview).toMatchObject({ dryRun: true, adds: 300, removes: 300, calls: 4, pausesSchedule: true });
    const text = await cli(['undo', '--audience-id', String(first.localAudienceId), '--dry-run'], env);
    expect(text.stdout).toMatch(/would re-add 300, remove 300, use 4 calls \(\d+ left today\) and pause the schedule\. Nothing was sent\./);
    expect(changes()).toBe(before);
    expect(sim.membership(first.audienceId)!.size).toBe(1500);
    expect(audienceRow().paused).toBe(false);

    // The undo then does what the dry run said.
    const undo = JSON.parse((await cli(['undo', '--audience-id', String(first.localAudienceId), '--json'], env)).stdout) as { callsUsed: number; adds: number; removes: number };
    expect(undo).toMatchObject({ adds: 300, removes: 300, callsUsed: preview.calls });
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 1500)));
  }, 60_000);
});

describe('cohort-relay undo: the floor and the local id', () => {
  it('--dry-run of an undo the 1,000 floor refuses says it would be refused, with the numbers, and exits 1 as the undo does', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 3000));
    const first = JSON.parse((await cli(syncArgs(csv), env)).stdout) as { audienceId: string; localAudienceId: number };
    const id = String(first.localAudienceId);
    const before = sim.requests().length;

    const text = await cli(['undo', '--audience-id', id, '--dry-run'], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/would be refused: re-adding 0 and removing 3,000 would leave the audience under TikTok's 1,000 floor, so it would send nothing and leave the schedule as it is\. Nothing was sent\./);
    expect(text.stdout).not.toMatch(/use 0 calls/);
    expect(text.stderr).toMatch(/leave the audience with 0 people \(now 3,000, \+0, −3,000\).*fewer than 1,000/);
    const json = await cli(['undo', '--audience-id', id, '--dry-run', '--json'], env);
    expect(json.code).toBe(1);
    // The schedule is left as it is, as the text says.
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, refused: true, adds: 0, removes: 3000, calls: 0, pausesSchedule: false });

    // The undo itself: refused the same way, nothing sent, the schedule left as it is.
    const undo = await cli(['undo', '--audience-id', id], env);
    expect(undo.code).toBe(1);
    expect(undo.stderr).toMatch(/fewer than 1,000/);
    expect(sim.requests().slice(before).filter((r) => r.endpoint === 'dmp/custom_audience/update')).toEqual([]);
    expect(sim.membership(first.audienceId)!.size).toBe(3000);
    expect(audienceRow().paused).toBe(false);
  }, 30_000);

  it('names a bad or unknown --audience-id as given (exit 2, as bad input)', async () => {
    const bad = await cli(['undo', '--audience-id', 'x', '--dry-run'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: --audience-id must be a number: the audience number "cohort-relay status" shows, not "x".\n');
    const missing = await cli(['undo'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: Missing --audience-id LOCAL_ID/);
    const unknown = await cli(['undo', '--audience-id', '99'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: No audience with local id 99. Run "cohort-relay status" to list audiences.\n');
  });
});
