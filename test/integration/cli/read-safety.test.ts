import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { Store } from '../../../electron/core/store';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

// "Never remove a person by mistake" (#15 §1), through the CLI: a sync is built only on a read the
// reader can vouch for, and a path means the same file whichever folder a host starts in.

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'electron/cli/index.ts');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

function folder(name: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(p, { recursive: true });
  return p;
}

/** The real CLI in its own process, started in `cwd`. */
function spawnCli(args: string[], cwd: string) {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { child, out, exit };
}

async function waitFor(test: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe('a relative --csv', () => {
  it('is stored as the absolute file: a daemon started in another folder with its own rel.csv syncs the same file', async () => {
    const a = folder('a');
    const b = folder('b');
    writeEmailCsv(path.join(a, 'rel.csv'), emails(0, 1500));
    writeEmailCsv(path.join(b, 'rel.csv'), emails(90_000, 1500));
    const adv = sim.advertiserIds[0]!;
    const before = process.cwd();
    let first: { audienceId: string; localAudienceId: number; status: string };
    try {
      process.chdir(a);
      first = JSON.parse((await cli(['sync', '--csv', 'rel.csv', '--key', 'email', '--advertiser', adv, '--audience', 'Buyers', '--json'], env)).stdout);
    } finally {
      process.chdir(before);
    }
    expect(first.status).toBe('done');
    const store = Store.open(path.join(dir, 'home'));
    const saved = store.audiences.require(first.localAudienceId).sourcePath!;
    expect(path.isAbsolute(saved)).toBe(true);
    expect(fs.realpathSync(saved)).toBe(fs.realpathSync(path.join(a, 'rel.csv')));
    // Make the hourly slot due, then let the daemon serve it from folder b.
    store.close();
    expect((await cli(['schedule', 'add', '--audience-id', String(first.localAudienceId), '--every', 'hourly'], env)).code).toBe(0);
    const again = Store.open(path.join(dir, 'home'));
    again.db.prepare('UPDATE audiences SET schedule_last_slot = ?, created_at = ? WHERE id = ?').run(new Date(Date.now() - 2 * 3_600_000).toISOString(), new Date(Date.now() - 3 * 3_600_000).toISOString(), first.localAudienceId);
    again.close();

    const daemon = spawnCli(['daemon', '--tick', '1'], b);
    await waitFor(() => /audience \d+: /.test(daemon.out.stdout), 30_000);
    daemon.child.kill('SIGTERM');
    await daemon.exit;
    expect(daemon.out.stdout).toMatch(/audience \d+: done, \+0 −0/);
    expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 1500)));
  }, 60_000);

  it('saved by an older version (still relative) is refused with the fix, and nothing is sent', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1500));
    const first = JSON.parse((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Old', '--json'], env)).stdout);
    const app = await CohortRelayApp.open({ env });
    try {
      app.store.audiences.update(first.localAudienceId, { sourcePath: 'cohort.csv' });
      const calls = sim.requests('dmp/custom_audience/update').length;
      const outcome = await app.sync.sync(first.localAudienceId, 'schedule');
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toMatchObject({ code: 'FILE_NOT_FOUND' });
      expect(outcome.error!.message).toMatch(/saved as "cohort\.csv", a relative path.*Pick the cohort file again/);
      expect(sim.requests('dmp/custom_audience/update')).toHaveLength(calls);
      expect(sim.membership(first.audienceId)).toEqual(hashSet(emails(0, 1500)));
    } finally {
      app.close();
    }
  });
});

describe('a sync is never "done" on a read that cannot be vouched for', () => {
  const people = emails(0, 5000);
  const rows = people.map((e, i) => `${e},Name ${i}`);

  async function syncFile(name: string, content: string) {
    const csv = path.join(dir, name);
    fs.writeFileSync(csv, content);
    return cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Members', '--json'], env);
  }

  it('an unclosed quote: the sync fails naming the row; no one is removed', async () => {
    const ok = JSON.parse((await syncFile('members.csv', `email,name\n${rows.join('\n')}\n`)).stdout);
    expect(ok).toMatchObject({ status: 'done', adds: 5000 });
    const broken = [...rows];
    broken[2001] = `${people[2001]},"Name 2001`;
    const r = await syncFile('members.csv', `email,name\n${broken.join('\n')}\n`);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'failed', removes: 0, error: { code: 'CSV_INVALID' } });
    expect(out.error.message).toMatch(/row 2,003 is never closed/);
    expect(sim.membership(ok.audienceId)).toEqual(hashSet(people));
  });

  it('mixed line ends (LF among CRLF): every row is read and no one is removed', async () => {
    const ok = JSON.parse((await syncFile('members.csv', `email,name\r\n${rows.join('\r\n')}\r\n`)).stdout);
    expect(ok).toMatchObject({ status: 'done', adds: 5000 });
    const mixed = `email,name\r\n${rows.map((r, i) => r + (i % 4 === 3 ? '\n' : '\r\n')).join('')}`;
    const again = JSON.parse((await syncFile('members.csv', mixed)).stdout);
    expect(again).toMatchObject({ status: 'done', rowsRead: 5000, adds: 0, removes: 0 });
    expect(sim.membership(ok.audienceId)).toEqual(hashSet(people));
  });

  it('a cut-off export (last row stops mid-value, no line end): plan says so, sync fails naming the row; nothing is sent, no one removed', async () => {
    const ok = JSON.parse((await syncFile('members.csv', `email,name\n${rows.join('\n')}\n`)).stdout);
    expect(ok).toMatchObject({ status: 'done', adds: 5000 });
    const updates = sim.requests('dmp/custom_audience/update').length;
    // The export stopped in the middle of row 4,952's email: the 50 people after it are missing.
    const cut = `email,name\n${rows.slice(0, 4950).join('\n')}\n${people[4950]!.slice(0, 8)}`;
    const csv = path.join(dir, 'members.csv');
    fs.writeFileSync(csv, cut);
    const plan = await cli(['plan', '--csv', csv, '--key', 'email'], env);
    expect(plan.code).not.toBe(0);
    expect(plan.stderr).toMatch(/^error: members\.csv ends in the middle of row 4,952 \(it has 1 of the 2 cells a row has, and no line end follows\): the export was cut off.*Wait until the export has finished, or export the file again/);
    const r = await syncFile('members.csv', cut);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'failed', removes: 0, error: { code: 'CSV_INVALID' } });
    expect(out.error.message).toMatch(/members\.csv ends in the middle of row 4,952 .*the export was cut off/);
    expect(sim.requests('dmp/custom_audience/update')).toHaveLength(updates);
    expect(sim.membership(ok.audienceId)).toEqual(hashSet(people));
  });

  it('a single-column export cut in its last email (every row has its one cell): plan says so with the way out, sync fails; nothing is sent, no one removed', async () => {
    const ok = JSON.parse((await syncFile('list.csv', `email\n${people.join('\n')}\n`)).stdout);
    expect(ok).toMatchObject({ status: 'done', adds: 5000 });
    const updates = sim.requests('dmp/custom_audience/update').length;
    // The export stopped in the middle of row 4,952's email, before the dot of its domain: the 50 people after it are missing.
    const cut = `email\n${people.slice(0, 4950).join('\n')}\n${people[4950]!.slice(0, people[4950]!.indexOf('.', people[4950]!.indexOf('@')))}`;
    const csv = path.join(dir, 'list.csv');
    fs.writeFileSync(csv, cut);
    const plan = await cli(['plan', '--csv', csv, '--key', 'email'], env);
    expect(plan.code).not.toBe(0);
    expect(plan.stderr).toMatch(/^error: list\.csv ends in the middle of row 4,952 \(its last cell, in column "email", is not an email address, and no line end follows\): the export was cut off.*Nothing from the file was used or sent\..*If row 4,952 is complete, end the file with a line end after it\./);
    const r = await syncFile('list.csv', cut);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'failed', removes: 0, error: { code: 'CSV_INVALID', message: expect.stringMatching(/list\.csv ends in the middle of row 4,952 .*the export was cut off/) } });
    expect(sim.requests('dmp/custom_audience/update')).toHaveLength(updates);
    expect(sim.membership(ok.audienceId)).toEqual(hashSet(people));
  });

  it('a ragged export (empty trailing cells left out) whose last row, with no line end, is as short as others: read and synced', async () => {
    const ragged = rows.map((r, i) => (i % 10 === 3 ? r.split(',')[0]! : r));
    const r = JSON.parse((await syncFile('ragged.csv', `email,name\n${ragged.join('\n')}\n${emails(5000, 1)[0]}`)).stdout);
    expect(r).toMatchObject({ status: 'done', rowsRead: 5001, adds: 5001 });
  });

  it('a cut-off export of a multi-key audience: plan says so, sync fails naming the row; nothing is sent', async () => {
    const multi = people.map((e, i) => `${e},+1 650 253 ${String(i).padStart(4, '0')}`);
    const csv = path.join(dir, 'multi.csv');
    const keys = ['--keys', 'email=email,phone=phone', '--country', 'US'];
    fs.writeFileSync(csv, `email,phone\n${multi.join('\n')}\n`);
    const ok = JSON.parse((await cli(['sync', '--csv', csv, ...keys, '--advertiser', sim.advertiserIds[0]!, '--audience', 'Multi', '--json'], env)).stdout);
    expect(ok).toMatchObject({ status: 'done' });
    const updates = sim.requests('dmp/custom_audience/update').length;
    fs.writeFileSync(csv, `email,phone\n${multi.slice(0, 4000).join('\n')}\n${people[4000]!.slice(0, 8)}`);
    const plan = await cli(['plan', '--csv', csv, ...keys], env);
    expect(plan.code).not.toBe(0);
    expect(plan.stderr).toMatch(/^error: multi\.csv ends in the middle of row 4,002 \(it has 1 of the 2 cells a row has/);
    const r = await cli(['sync', '--csv', csv, ...keys, '--advertiser', sim.advertiserIds[0]!, '--audience', 'Multi', '--json'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'failed', removes: 0, error: { code: 'CSV_INVALID', message: expect.stringMatching(/row 4,002 .*the export was cut off/) } });
    expect(sim.requests('dmp/custom_audience/update')).toHaveLength(updates);
  });

  it.skipIf(process.platform === 'win32')('a named pipe: plan and sync stop at once with the reason, nothing is sent', async () => {
    const fifo = path.join(dir, 'members.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const plan = await cli(['plan', '--csv', fifo, '--key', 'email'], env);
    expect(plan.code).not.toBe(0);
    expect(plan.stderr).toMatch(/^error: .*is a named pipe \(FIFO\), not a file/);
    const sync = await cli(['sync', '--csv', fifo, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Pipe', '--json'], env);
    expect(sync.code).toBe(1);
    expect(JSON.parse(sync.stdout)).toMatchObject({ status: 'failed', error: { code: 'INVALID_ARGUMENT' } });
    expect(sim.requests('dmp/custom_audience/update')).toHaveLength(0);
  });
});

describe('SIGINT and SIGTERM stop the CLI', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s while it waits for a file that keeps changing', async (signal) => {
    const csv = path.join(dir, 'growing.csv');
    writeEmailCsv(csv, emails(0, 2000));
    let n = 0;
    // A slow exporter that never finishes: the reader keeps waiting for the file to settle.
    const writer = setInterval(() => fs.appendFileSync(csv, `${n},late${n++}@example.com\n`), 10);
    try {
      const run = spawnCli(['plan', '--csv', csv, '--key', 'email'], dir);
      await new Promise((r) => setTimeout(r, 2_500));
      const sent = Date.now();
      run.child.kill(signal);
      const code = await run.exit;
      expect(Date.now() - sent).toBeLessThan(5_000);
      expect(code).not.toBe(0);
      expect(run.out.stdout).not.toMatch(/Rows read/);
    } finally {
      clearInterval(writer);
    }
  }, 30_000);
});
