import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';
import { clientFor, upload } from '../tiktok/helpers';

const ROOT = path.resolve(__dirname, '../../..');
let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

describe('cohort-relay daemon', () => {
  it('runs a due scheduled sync headless, re-reading the source, and stops cleanly on SIGTERM', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Nightly', '--json'], env)).stdout);
    expect((await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'hourly'], env)).code).toBe(0);
    // Make the current hour's slot due: the last served slot is an hour ago.
    const store = Store.open(path.join(dir, 'home'));
    store.db.prepare('UPDATE audiences SET schedule_last_slot = ?, created_at = ? WHERE id = ?').run(new Date(Date.now() - 2 * 3_600_000).toISOString(), new Date(Date.now() - 3 * 3_600_000).toISOString(), first.localAudienceId);
    store.close();
    writeEmailCsv(csv, emails(100, 1200));

    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'daemon', '--tick', '1'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/audience \d+: done/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(out).toMatch(/audience \d+: done, \+100 −100/);
    expect(out).toMatch(/daemon stopped/);
    expect(code).toBe(0);
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(100, 1200)));
  }, 60_000);

  it('runs the engine in a process of its own, which ends with the daemon', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'daemon', '--tick', '1'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/daemon started/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const children = (pid: number) =>
      fs
        .readdirSync(`/proc/${pid}/task`)
        .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
        .filter(Boolean)
        .map(Number);
    const engines = children(child.pid!).filter((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(path.join('out', 'engine', 'index.js')));
    expect(engines).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))).toBe(0);
    expect(fs.existsSync(`/proc/${engines[0]}`)).toBe(false);
  }, 60_000);

  it('a scheduled slot cut short by SIGTERM is not served: the next daemon runs it and finishes the sync', async () => {
    const small = { ...env, COHORT_RELAY_HASHES_PER_FILE: '100', COHORT_RELAY_FILES_PER_CALL: '2' };
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Nightly', '--json'], small)).stdout);
    expect((await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'hourly'], small)).code).toBe(0);
    const served = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const slot = () => {
      const store = Store.open(path.join(dir, 'home'));
      try {
        return (store.db.prepare('SELECT schedule_last_slot AS s FROM audiences WHERE id = ?').get(first.localAudienceId) as { s: string }).s;
      } finally {
        store.close();
      }
    };
    const store = Store.open(path.join(dir, 'home'));
    store.db.prepare('UPDATE audiences SET schedule_last_slot = ?, created_at = ? WHERE id = ?').run(served, new Date(Date.now() - 3 * 3_600_000).toISOString(), first.localAudienceId);
    store.close();
    writeEmailCsv(csv, emails(0, 1600)); // 400 join: two APPENDs
    sim.faults.add({ kind: 'slow', endpoint: 'dmp/custom_audience/update', delayMs: 2000, times: 1 });

    const daemon = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'daemon', '--tick', '1'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, ...small }, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = { text: '' };
      child.stdout.on('data', (d: Buffer) => (out.text += d.toString()));
      const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      return { child, out, exit };
    };
    const until = async (ok: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return ok();
    };

    const one = daemon();
    expect(await until(() => sim.faults.fired.some((f) => f.kind === 'slow'), 30_000)).toBe(true); // the first APPEND is at TikTok
    one.child.kill('SIGTERM');
    expect(await one.exit).toBe(0);
    expect(one.out.text).toMatch(/audience \d+: cancelled/);
    expect(slot()).toBe(served);

    const two = daemon();
    expect(await until(() => /audience \d+: done/.test(two.out.text), 30_000)).toBe(true);
    two.child.kill('SIGTERM');
    expect(await two.exit).toBe(0);
    expect(two.out.text).toMatch(/audience \d+: done, \+200 −0/);
    expect(slot()).not.toBe(served);
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 1600)));
  }, 90_000);

  it('a scheduled sync held because TikTok shows a change this app did not send says so, and how to decide', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1200));
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Nightly', '--json'], env)).stdout);
    expect((await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'hourly'], env)).code).toBe(0);
    const store = Store.open(path.join(dir, 'home'));
    store.db.prepare('UPDATE audiences SET schedule_last_slot = ?, created_at = ? WHERE id = ?').run(new Date(Date.now() - 2 * 3_600_000).toISOString(), new Date(Date.now() - 3 * 3_600_000).toISOString(), first.localAudienceId);
    store.close();
    const { client } = clientFor(sim);
    await client.updateAudience({ advertiserId: sim.advertiserIds[0]!, audienceId: first.audienceId, action: 'APPEND', filePaths: [await upload(client, sim.advertiserIds[0]!, emails(5000, 300).map(sha256Hex))] });

    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'daemon', '--tick', '1'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/removals keep --audience-id/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))).toBe(0);
    expect(out).toMatch(/audience 1: held, \+0 −0, 0 calls — TikTok shows 1 change to who is in this audience that Cohort Relay did not send/);
    expect(out).toMatch(/\n   To replace its whole membership with the file: cohort-relay removals confirm --audience-id 1\n/);
    expect(out).toMatch(/\n   To keep syncing changes only \(TikTok's changes stay as they are, and are not asked about again\): cohort-relay removals keep --audience-id 1\n/);
    expect(sim.membership(first.audienceId)!.size).toBe(1500);
  }, 60_000);
});
