import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDeletable, createWorkspace, findWorkspace, readRegistry, renameWorkspace, requireWorkspaceById, setActiveWorkspace, slugFor, workspaceDir } from '../../../electron/core/workspaces/registry';
import { tmpDir } from '../../helpers/tmp';

let base: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: base, cleanup } = tmpDir('cohort-relay-registry-'));
});
afterEach(() => cleanup());

describe('workspace registry', () => {
  it('is the Default workspace alone, in the base folder, until something is created', () => {
    expect(readRegistry(base)).toMatchObject({ active: 'default', workspaces: [{ id: 'default', name: 'Default' }] });
    expect(workspaceDir(base, 'default')).toBe(base);
    expect(fs.readdirSync(base)).toEqual([]);
  });

  it('gives a new workspace a unique slug id and its own folder, and writes the file atomically (no temp file left)', () => {
    const a = createWorkspace(base, '  Acme   Corp ');
    expect(a).toMatchObject({ id: 'acme-corp', name: 'Acme Corp' });
    expect(fs.statSync(workspaceDir(base, 'acme-corp')).isDirectory()).toBe(true);
    expect(workspaceDir(base, 'acme-corp')).toBe(path.join(base, 'workspaces', 'acme-corp'));
    renameWorkspace(base, 'acme-corp', 'Other');
    expect(createWorkspace(base, 'Acme corp!').id).toBe('acme-corp-2');
    expect(slugFor('Défault', new Set())).toBe('default-2');
    expect(slugFor('!!!', new Set())).toBe('workspace');
    expect(fs.readdirSync(base).sort()).toEqual(['workspaces', 'workspaces.json']);
  });

  it('refuses a name in use (case-insensitively), an empty one and one too long', () => {
    createWorkspace(base, 'Acme');
    expect(() => createWorkspace(base, 'ACME')).toThrow(/already exists/);
    expect(() => createWorkspace(base, '   ')).toThrow(/needs a name/);
    expect(() => createWorkspace(base, 'x'.repeat(61))).toThrow(/at most 60/);
    expect(() => renameWorkspace(base, 'default', 'acme')).toThrow(/already exists/);
  });

  it('keeps the active one, finds workspaces by name or id, and says which exist for an unknown one', () => {
    createWorkspace(base, 'Acme');
    setActiveWorkspace(base, 'ACME');
    expect(readRegistry(base).active).toBe('acme');
    expect(() => setActiveWorkspace(base, 'Globex')).toThrow(/no workspace "Globex"\. The workspaces are: "Default", "Acme"\. To make a new one: cohort-relay workspaces create "Globex"/);
  });

  it('takes an exact name (any case) over another workspace’s id; an id passed by the app stays an id', () => {
    createWorkspace(base, '日本');
    const named = createWorkspace(base, 'Workspace');
    expect(named.id).toBe('workspace-2');
    renameWorkspace(base, 'default', 'Main');
    expect(createWorkspace(base, 'default').id).toBe('default-2');
    const r = readRegistry(base);
    expect(findWorkspace(r, 'workspace')?.name).toBe('Workspace');
    expect(findWorkspace(r, ' DEFAULT ')?.id).toBe('default-2');
    expect(findWorkspace(r, 'main')?.id).toBe('default');
    expect(requireWorkspaceById(r, 'workspace').name).toBe('日本');
    expect(requireWorkspaceById(r, 'default').name).toBe('Main');
    expect(requireWorkspaceById(r, '日本').id).toBe('workspace');
    expect(checkDeletable(r, 'workspace', '日本').id).toBe('workspace');
  });

  it('refuses to delete the active, the last, the Default workspace, or without the name repeated', () => {
    expect(() => checkDeletable(readRegistry(base), 'default', 'Default')).toThrow(/only workspace/);
    createWorkspace(base, 'Acme');
    createWorkspace(base, 'Globex');
    setActiveWorkspace(base, 'acme');
    const r = readRegistry(base);
    expect(() => checkDeletable(r, 'acme', 'Acme')).toThrow(/in use/);
    expect(() => checkDeletable(r, 'default', 'Default')).toThrow(/renamed but not deleted/);
    expect(() => checkDeletable(r, 'globex', 'Glob')).toThrow(/type its name "Globex"/);
    expect(checkDeletable(r, 'globex', ' globex ').id).toBe('globex');
  });

  it('names a damaged registry file and how to recover', () => {
    fs.writeFileSync(path.join(base, 'workspaces.json'), '{"active": "x", "workspaces": [{"id": "../etc", "name": "x"}]}');
    expect(() => readRegistry(base)).toThrow(/is damaged/);
    fs.writeFileSync(path.join(base, 'workspaces.json'), '{not json');
    expect(() => readRegistry(base)).toThrow(/Restore it from a backup, or move it away/);
  });
});
