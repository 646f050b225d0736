/**
 * The daemon and workspaces (#14 §2): `--workspace NAME` runs that workspace's schedules only, and each line names the
 * workspace (audience ids repeat across workspaces). Real engine process (out/engine). That every workspace's schedules
 * run without it is pinned in engine-workspaces.test.ts, on the same workspace set.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { openCliSandbox, type CliSandbox } from '../../helpers/cli-sandbox';
import { emails, writeEmailCsv } from '../../helpers/cohort';

const ROOT = path.resolve(__dirname, '../../..');
let sandbox: CliSandbox;
let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  sandbox = await openCliSandbox();
  ({ sim, dir, env } = sandbox);
});
afterEach(() => sandbox.close());

/** An audience synced once in the workspace, scheduled hourly, with its current slot due. */
async function dueAudience(workspace: string, folder: string): Promise<number> {
  const e = { ...env, COHORT_RELAY_WORKSPACE: workspace };
  const csv = path.join(dir, `${workspace}.csv`);
  writeEmailCsv(csv, emails(0, 1200));
  const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', `${workspace} nightly`, '--json'], e);
  expect(r.code, `${r.stderr}${r.stdout}`).toBe(0);
  const id = JSON.parse(r.stdout).localAudienceId as number;
  expect((await cli(['schedule', 'add', '--audience-id', String(id), '--every', 'hourly'], e)).code).toBe(0);
  const store = Store.open(folder);
  store.db.prepare('UPDATE audiences SET schedule_last_slot = ?, created_at = ? WHERE id = ?').run(new Date(Date.now() - 2 * 3_600_000).toISOString(), new Date(Date.now() - 3 * 3_600_000).toISOString(), id);
  store.close();
  writeEmailCsv(csv, emails(50, 1200));
  return id;
}

async function daemonUntil(args: string[], done: RegExp): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', ...args, 'daemon', '--tick', '1'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!done.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  expect(await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))).toBe(0);
  return out;
}

const runsIn = async (workspace: string) => JSON.parse((await cli(['--workspace', workspace, 'runs', '--json'], env)).stdout).runs.length as number;

it('runs only the named workspace’s schedules with --workspace, naming it in each line', async () => {
  expect((await cli(['workspaces', 'create', 'Acme'], env)).code).toBe(0);
  await dueAudience('Default', path.join(dir, 'home'));
  await dueAudience('Acme', path.join(dir, 'home', 'workspaces', 'acme'));

  const one = await daemonUntil(['--workspace', 'Acme'], /workspace "Acme" audience 1: done/);
  expect(one).toMatch(/workspace "Acme" audience 1: done, \+50 −50/);
  expect(one).not.toMatch(/workspace "Default"/);
  expect(await runsIn('Default')).toBe(1);
  expect(await runsIn('Acme')).toBe(2);
}, 60_000);

it('gives every workspace’s line the same counts, the active one’s and another’s', async () => {
  expect((await cli(['workspaces', 'create', 'Acme'], env)).code).toBe(0);
  await dueAudience('Default', path.join(dir, 'home'));
  await dueAudience('Acme', path.join(dir, 'home', 'workspaces', 'acme'));

  const out = await daemonUntil([], /(audience 1: done[^\n]*\n[^]*){2}/);
  expect(out).toMatch(/workspace "Default" audience 1: done, \+50 −50, \d+ calls/);
  expect(out).toMatch(/workspace "Acme" audience 1: done, \+50 −50, \d+ calls/);
}, 60_000);

it('runs the schedules of a workspace created after it started (it follows the workspace list on its own)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'daemon', '--tick', '1'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const started = Date.now() + 20_000;
    while (!/daemon started/.test(out) && Date.now() < started) await new Promise((r) => setTimeout(r, 100));
    expect((await cli(['workspaces', 'create', 'Late'], env)).code).toBe(0);
    await dueAudience('Late', path.join(dir, 'home', 'workspaces', 'late'));
    // From now on there are two workspaces: the Default one's lines name it too.
    await dueAudience('Default', path.join(dir, 'home'));
    const deadline = Date.now() + 20_000;
    while (!/workspace "Late" audience 1: done[^]*workspace "Default" audience 1: done|workspace "Default" audience 1: done[^]*workspace "Late" audience 1: done/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/workspace "Late" audience 1: done, \+\d+ −\d+, \d+ calls/);
    expect(out).toMatch(/workspace "Default" audience 1: done, \+\d+ −\d+, \d+ calls/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
  expect(await runsIn('Late')).toBe(2);
  expect(await runsIn('Default')).toBe(2);
}, 60_000);
