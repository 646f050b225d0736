/**
 * Workspaces on the CLI (#14 §2): `cohort-relay workspaces …`, the global `--workspace NAME` (and
 * COHORT_RELAY_WORKSPACE) on any command, against the simulator over real HTTP and real SQLite files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeWorkspaceOption } from '../../../electron/cli/main';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { openCliSandbox, type CliSandbox } from '../../helpers/cli-sandbox';
import { emails, writeEmailCsv } from '../../helpers/cohort';

let sandbox: CliSandbox;
let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  sandbox = await openCliSandbox();
  ({ sim, dir, env } = sandbox);
});
afterEach(() => sandbox.close());

async function ok(argv: string[], e: NodeJS.ProcessEnv = env) {
  const r = await cli(argv, e);
  if (r.code !== 0) throw new Error(`cohort-relay ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function syncOne(name: string, e: NodeJS.ProcessEnv = env): Promise<number> {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, emails(0, 1200));
  return JSON.parse(await ok(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', name, '--json'], e)).localAudienceId as number;
}

const names = async (argv: string[], e: NodeJS.ProcessEnv = env) => (JSON.parse(await ok([...argv, 'status', '--json'], e)).audiences as { name: string }[]).map((a) => a.name);

describe('cohort-relay workspaces and --workspace', () => {
  it('takes --workspace out of argv wherever it stands', () => {
    expect(takeWorkspaceOption(['--workspace', 'Acme', 'status', '--json'])).toEqual({ argv: ['status', '--json'], value: 'Acme', missing: false });
    expect(takeWorkspaceOption(['status', '--workspace=Acme Corp'])).toEqual({ argv: ['status'], value: 'Acme Corp', missing: false });
    expect(takeWorkspaceOption(['status', '--workspace'])).toMatchObject({ argv: ['status'], missing: true });
  });

  it('says a name is missing when --workspace took the command as its name (exit 2, no help text)', async () => {
    const r = await cli(['--workspace', 'status'], env);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^error: --workspace needs a name: --workspace NAME <command> \("status" was read as the workspace's name/);
    const json = await cli(['--workspace', 'status', '--json'], env);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/--workspace needs a name/);
    const noCommand = await cli(['--workspace', 'Acme'], env);
    expect(noCommand).toMatchObject({ code: 2, stdout: '' });
    expect(noCommand.stderr).toMatch(/no command after --workspace "Acme"/);
  });

  it('a workspace’s exact name wins over another workspace’s id: use, --workspace and delete --confirm', async () => {
    // 日本 has no letters for a slug: its id is "workspace"; then a workspace named "workspace" gets the id "workspace-2".
    expect(await ok(['workspaces', 'create', '日本'])).toMatch(/\(workspace\)/);
    expect(await ok(['workspaces', 'create', 'workspace'])).toMatch(/\(workspace-2\)/);
    expect(await ok(['workspaces', 'use', 'workspace'])).toMatch(/Now using workspace "workspace" \(workspace-2\)/);
    await syncOne('In the one named workspace');
    expect(await names(['--workspace', 'workspace'])).toEqual(['In the one named workspace']);
    expect(await names(['--workspace', '日本'])).toEqual([]);
    // Default renamed Main, then a workspace named "default": "default" means that one, not Main.
    await ok(['workspaces', 'rename', 'Default', 'Main']);
    expect(await ok(['workspaces', 'create', 'default'])).toMatch(/\(default-2\)/);
    await syncOne('In Main', { ...env, COHORT_RELAY_WORKSPACE: 'Main' });
    expect(await names(['--workspace', 'default'])).toEqual([]);
    expect(await names(['--workspace', 'Main'])).toEqual(['In Main']);
    // delete names the workspace by its name: "workspace" is workspace-2 (not 日本, whose id it is).
    await ok(['workspaces', 'use', 'Main']);
    expect(await ok(['workspaces', 'delete', 'workspace', '--confirm', 'workspace'])).toMatch(/Deleted workspace "workspace" \(workspace-2\)/);
    expect(JSON.parse(await ok(['workspaces', 'list', '--json'])).workspaces.map((w: { name: string }) => w.name)).toEqual(['Main', '日本', 'default']);
  });

  it('refuses to delete the workspace --workspace or COHORT_RELAY_WORKSPACE names (it is in use)', async () => {
    await ok(['workspaces', 'create', 'Late']);
    const byEnv = await cli(['workspaces', 'delete', 'Late', '--confirm', 'Late'], { ...env, COHORT_RELAY_WORKSPACE: 'Late' });
    expect(byEnv.code).toBe(2);
    expect(byEnv.stderr).toMatch(/"Late" is the workspace in use \(--workspace or COHORT_RELAY_WORKSPACE names it\), so it cannot be deleted/);
    const byOption = await cli(['--workspace', 'late', 'workspaces', 'delete', 'Late', '--confirm', 'Late'], env);
    expect(byOption.code).toBe(2);
    expect(byOption.stderr).toMatch(/in use/);
    expect(fs.existsSync(path.join(dir, 'home', 'workspaces', 'late'))).toBe(true);
    expect(await ok(['workspaces', 'delete', 'Late', '--confirm', 'Late'], { ...env, COHORT_RELAY_WORKSPACE: 'Default' })).toMatch(/Deleted workspace "Late"/);
  });

  it('creates and lists workspaces; an audience synced in one is not listed, readable, deletable or logged in another', async () => {
    const id = await syncOne('Default buyers');
    expect(await ok(['workspaces', 'create', 'Acme Corp'])).toMatch(/Created workspace "Acme Corp" \(acme-corp\)/);
    const list = JSON.parse(await ok(['workspaces', 'list', '--json']));
    expect(list).toMatchObject({ active: 'default', workspaces: [{ id: 'default', name: 'Default', active: true }, { id: 'acme-corp', name: 'Acme Corp', active: false }] });
    expect(fs.existsSync(path.join(dir, 'home', 'workspaces', 'acme-corp'))).toBe(true);

    expect(await names([])).toEqual(['Default buyers']);
    expect(await names(['--workspace', 'acme corp'])).toEqual([]);
    expect(JSON.parse(await ok(['runs', '--json'])).runs).toHaveLength(1);
    expect(JSON.parse(await ok(['--workspace', 'Acme Corp', 'runs', '--json'])).runs).toEqual([]);
    // Default's audience is not one of Acme's: its runs are not shown, and the id is named as unknown there.
    expect(await cli(['--workspace', 'Acme Corp', 'runs', '--audience-id', String(id), '--json'], env)).toEqual({ code: 2, stdout: `${JSON.stringify({ error: { code: 'INVALID_ARGUMENT', message: `No audience with local id ${id}. Run "cohort-relay status" to list audiences.` } })}\n`, stderr: '' });
    const del = await cli(['--workspace', 'acme-corp', 'delete', '--audience-id', String(id)], env);
    expect(del.code).not.toBe(0);
    // Nothing of Default's audience can be sent from Acme by its local id (undo sends its inverse delta).
    const undo = await cli(['--workspace', 'Acme Corp', 'undo', '--audience-id', String(id)], env);
    expect(undo.code).not.toBe(0);
    expect(undo.stderr).toMatch(/No audience with local id/);
    // Still there, in Default, synced once.
    expect(await names([])).toEqual(['Default buyers']);
    expect(JSON.parse(await ok(['runs', '--json'])).runs).toHaveLength(1);

    const acmeId = await syncOne('Acme buyers', { ...env, COHORT_RELAY_WORKSPACE: 'Acme Corp' });
    expect(await names(['--workspace', 'Acme Corp'])).toEqual(['Acme buyers']);
    expect(await names([])).toEqual(['Default buyers']);
    expect(acmeId).toBe(id); // ids are per workspace: the same number names different audiences
  });

  it('names the workspaces there are, and how to create one, for an unknown --workspace', async () => {
    await ok(['workspaces', 'create', 'Acme']);
    const r = await cli(['--workspace', 'Globex', 'status'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no workspace "Globex"\. The workspaces are: "Default", "Acme"\. To make a new one: cohort-relay workspaces create "Globex"/);
    const missing = await cli(['status', '--workspace'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--workspace needs a workspace name/);
  });

  it('"use" makes a workspace the one commands work in without --workspace; rename keeps its data', async () => {
    await ok(['workspaces', 'create', 'Acme']);
    await ok(['workspaces', 'use', 'Acme']);
    await syncOne('In Acme');
    expect(await names([])).toEqual(['In Acme']);
    expect(await names(['--workspace', 'Default'])).toEqual([]);
    await ok(['workspaces', 'rename', 'Acme', 'Acme Europe']);
    expect(await names([])).toEqual(['In Acme']);
    expect(JSON.parse(await ok(['workspaces', 'list', '--json'])).workspaces[1]).toMatchObject({ id: 'acme', name: 'Acme Europe', active: true });
  });

  it('delete refuses the active workspace and a missing confirmation, then removes the workspace and its folder', async () => {
    await ok(['workspaces', 'create', 'Acme']);
    await syncOne('Gone soon', { ...env, COHORT_RELAY_WORKSPACE: 'Acme' });
    await ok(['workspaces', 'use', 'Acme']);
    const active = await cli(['workspaces', 'delete', 'Acme', '--confirm', 'Acme'], env);
    expect(active.code).toBe(2);
    expect(active.stderr).toMatch(/in use, so it cannot be deleted/);
    await ok(['workspaces', 'use', 'Default']);
    const unconfirmed = await cli(['workspaces', 'delete', 'Acme'], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--confirm "Acme"/);
    expect(fs.existsSync(path.join(dir, 'home', 'workspaces', 'acme'))).toBe(true);

    expect(await ok(['workspaces', 'delete', 'Acme', '--confirm', 'Acme'])).toMatch(/Deleted workspace "Acme"/);
    expect(fs.existsSync(path.join(dir, 'home', 'workspaces', 'acme'))).toBe(false);
    expect(JSON.parse(await ok(['workspaces', 'list', '--json'])).workspaces.map((w: { id: string }) => w.id)).toEqual(['default']);
    expect((await cli(['--workspace', 'Acme', 'status'], env)).code).toBe(2);
  });
});
