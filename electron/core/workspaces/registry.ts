/**
 * The workspace registry (#14 §2): which workspaces exist and which one is active, in `workspaces.json` in the
 * base data folder. An agency keeps each client apart: every workspace has its own data folder (SQLite store,
 * settings, sync log, sandbox) and its own keychain entries.
 *
 * The workspace every install has is "default" (named "Default", renamable): its data folder IS the base folder,
 * so an install from before workspaces keeps working with no migration, and no registry file is written until the
 * first change. Every other workspace lives in `<base>/workspaces/<id>/`.
 *
 * Writes are atomic (a temp file, then rename): a crash leaves the old registry or the new one, never half of one.
 * Every operation reads the file afresh, so the CLI and a running app see each other's changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { WORKSPACE_NAME_MAX } from '../../../shared/ipc/workspace-dto';
import { KEYCHAIN_SERVICE, workspaceKeychainService } from '../secrets/secret-store';

export const DEFAULT_WORKSPACE_ID = 'default';
export const DEFAULT_WORKSPACE_NAME = 'Default';
export const REGISTRY_FILE = 'workspaces.json';
/** The folder (inside the base folder) that holds every workspace but the default one. */
export const WORKSPACES_DIR = 'workspaces';
/** The environment variable that picks the workspace for the CLI and the daemon (like `--workspace`). */
export const WORKSPACE_ENV = 'COHORT_RELAY_WORKSPACE';

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface WorkspaceRecord {
  /** Stable: a slug of the first name. Names change, ids never do. */
  id: string;
  name: string;
  createdAt: string;
}

export interface Registry {
  active: string;
  workspaces: WorkspaceRecord[];
}

/** The registry an install has before any workspace was created: the default workspace alone. */
export function implicitRegistry(): Registry {
  return { active: DEFAULT_WORKSPACE_ID, workspaces: [{ id: DEFAULT_WORKSPACE_ID, name: DEFAULT_WORKSPACE_NAME, createdAt: new Date(0).toISOString() }] };
}

/** Reads `<base>/workspaces.json`; the implicit registry when there is none. A damaged file is an error that names it. */
export function readRegistry(baseDir: string): Registry {
  const file = path.join(baseDir, REGISTRY_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return implicitRegistry();
    throw new AppError('INTERNAL', `Could not read the workspace list ${file} (${(err as Error).message}). Check the folder's permissions, then try again.`, { cause: err });
  }
  const damaged = () =>
    new AppError('INTERNAL', `The workspace list ${file} is damaged, so Cohort Relay cannot tell which workspaces exist. Restore it from a backup, or move it away to see only the Default workspace (the other workspaces' folders stay in ${path.join(baseDir, WORKSPACES_DIR)}).`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw damaged();
  }
  const r = raw as Partial<Registry> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.workspaces)) throw damaged();
  const workspaces: WorkspaceRecord[] = [];
  for (const w of r.workspaces as unknown[]) {
    const x = w as Partial<WorkspaceRecord> | null;
    if (!x || typeof x.id !== 'string' || !ID_PATTERN.test(x.id) || typeof x.name !== 'string' || !x.name.trim()) throw damaged();
    if (workspaces.some((y) => y.id === x.id)) throw damaged();
    workspaces.push({ id: x.id, name: x.name, createdAt: typeof x.createdAt === 'string' ? x.createdAt : new Date(0).toISOString() });
  }
  // The default workspace always exists (its data is the base folder's own).
  if (!workspaces.some((w) => w.id === DEFAULT_WORKSPACE_ID)) workspaces.unshift(implicitRegistry().workspaces[0]!);
  const active = typeof r.active === 'string' && workspaces.some((w) => w.id === r.active) ? r.active : DEFAULT_WORKSPACE_ID;
  return { active, workspaces };
}

/** Writes the registry atomically (temp file + rename), creating the base folder when needed. */
export function writeRegistry(baseDir: string, registry: Registry): void {
  fs.mkdirSync(baseDir, { recursive: true, mode: 0o700 });
  const file = path.join(baseDir, REGISTRY_FILE);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(registry, null, 2)}\n`, { mode: 0o600 });
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** A workspace's data folder: the base folder for the default workspace, else `<base>/workspaces/<id>`. */
export function workspaceDir(baseDir: string, id: string): string {
  if (id === DEFAULT_WORKSPACE_ID) return baseDir;
  if (!ID_PATTERN.test(id)) throw new AppError('INVALID_ARGUMENT', `"${id}" is not a workspace id.`);
  return path.join(baseDir, WORKSPACES_DIR, id);
}

/**
 * The environment a workspace's engine (or CLI command) runs with: its secrets are filed under a keychain service
 * of its own, so a connection id copied from another workspace can never reach that workspace's token. The default
 * workspace keeps the service name it always had.
 */
export function workspaceEnv(env: NodeJS.ProcessEnv, id: string): NodeJS.ProcessEnv {
  if (id === DEFAULT_WORKSPACE_ID) return env;
  const base = env.COHORT_RELAY_KEYCHAIN_SERVICE?.trim() || KEYCHAIN_SERVICE;
  return { ...env, COHORT_RELAY_KEYCHAIN_SERVICE: workspaceKeychainService(base, id) };
}

/** A name as stored: trimmed, inner runs of spaces collapsed, checked for length. */
export function cleanName(name: string): string {
  const n = name.replace(/\s+/g, ' ').trim();
  if (!n) throw new AppError('INVALID_ARGUMENT', 'A workspace needs a name. Type one, such as the client it is for.');
  if (n.length > WORKSPACE_NAME_MAX) throw new AppError('INVALID_ARGUMENT', `A workspace name can be at most ${WORKSPACE_NAME_MAX} characters; "${n.slice(0, 20)}…" has ${n.length}. Choose a shorter one.`);
  return n;
}

/** The id for a new workspace: a slug of its name, made unique with -2, -3, … ("default" is taken by the default). */
export function slugFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'workspace';
  let id = base;
  for (let n = 2; taken.has(id) || id === DEFAULT_WORKSPACE_ID; n++) id = `${base}-${n}`;
  return id;
}

/**
 * The workspace a user named, by name (case-insensitively) or by id; null when none. A name wins over an id: a
 * workspace named "workspace-2" (its id workspace-2-2) is the one "workspace-2" means, not the one whose id that is.
 */
export function findWorkspace(registry: Registry, nameOrId: string): WorkspaceRecord | null {
  const asked = nameOrId.trim();
  const lower = asked.replace(/\s+/g, ' ').toLowerCase();
  return registry.workspaces.find((w) => w.name.toLowerCase() === lower) ?? registry.workspaces.find((w) => w.id === asked) ?? null;
}

/** The workspace a user named, or an error listing the ones there are and how to create one. */
export function requireWorkspace(registry: Registry, nameOrId: string): WorkspaceRecord {
  const w = findWorkspace(registry, nameOrId);
  if (w) return w;
  const names = registry.workspaces.map((x) => `"${x.name}"`).join(', ');
  throw new AppError('INVALID_ARGUMENT', `There is no workspace "${nameOrId.trim()}". The workspaces are: ${names}. To make a new one: cohort-relay workspaces create "${nameOrId.trim()}"`);
}

/**
 * The workspace with this id: what the app, the tray and the engine pass (the CLI resolves a user's word with
 * requireWorkspace first). A word that is no id is looked up as requireWorkspace does.
 */
export function requireWorkspaceById(registry: Registry, id: string): WorkspaceRecord {
  return registry.workspaces.find((w) => w.id === id.trim()) ?? requireWorkspace(registry, id);
}

function refuseTakenName(registry: Registry, name: string, except?: string): void {
  const clash = registry.workspaces.find((w) => w.id !== except && w.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new AppError('INVALID_ARGUMENT', `A workspace named "${clash.name}" already exists. Choose another name.`);
}

/** Adds a workspace (it does not become active) and creates its data folder. */
export function createWorkspace(baseDir: string, name: string, now: Date = new Date()): WorkspaceRecord {
  const registry = readRegistry(baseDir);
  const clean = cleanName(name);
  refuseTakenName(registry, clean);
  const record: WorkspaceRecord = { id: slugFor(clean, new Set(registry.workspaces.map((w) => w.id))), name: clean, createdAt: now.toISOString() };
  fs.mkdirSync(workspaceDir(baseDir, record.id), { recursive: true, mode: 0o700 });
  writeRegistry(baseDir, { ...registry, workspaces: [...registry.workspaces, record] });
  return record;
}

/** Renames a workspace; its id, folder and data stay. */
export function renameWorkspace(baseDir: string, id: string, name: string): WorkspaceRecord {
  const registry = readRegistry(baseDir);
  const w = requireWorkspaceById(registry, id);
  const clean = cleanName(name);
  refuseTakenName(registry, clean, w.id);
  const renamed = { ...w, name: clean };
  writeRegistry(baseDir, { ...registry, workspaces: registry.workspaces.map((x) => (x.id === w.id ? renamed : x)) });
  return renamed;
}

/** Makes a workspace the active one (the one the window and the CLI work in when none is named). */
export function setActiveWorkspace(baseDir: string, id: string): Registry {
  const registry = readRegistry(baseDir);
  const w = requireWorkspaceById(registry, id);
  const next = { ...registry, active: w.id };
  if (registry.active !== w.id) writeRegistry(baseDir, next);
  return next;
}

/**
 * What a delete must refuse, checked before anything is revoked: the active workspace, the last one, the default
 * one (its data is the base folder, which holds the others), and a confirmation that does not repeat the name.
 */
export function checkDeletable(registry: Registry, id: string, confirmName: string, activeId: string = registry.active): WorkspaceRecord {
  const w = requireWorkspaceById(registry, id);
  if (registry.workspaces.length <= 1) throw new AppError('INVALID_ARGUMENT', `"${w.name}" is the only workspace, so it cannot be deleted.`);
  if (w.id === activeId) throw new AppError('INVALID_ARGUMENT', `"${w.name}" is the workspace in use, so it cannot be deleted. Switch to another workspace first, then delete it.`);
  if (w.id === DEFAULT_WORKSPACE_ID) {
    throw new AppError('INVALID_ARGUMENT', `"${w.name}" is the workspace Cohort Relay started with: its data is the app's own folder, so it can be renamed but not deleted. Delete its audiences and disconnect its accounts instead.`);
  }
  if (confirmName.replace(/\s+/g, ' ').trim().toLowerCase() !== w.name.toLowerCase()) {
    throw new AppError('INVALID_ARGUMENT', `To delete the workspace, type its name "${w.name}" exactly. Nothing was deleted.`);
  }
  return w;
}

/** Removes a workspace from the registry and deletes its data folder (call after its tokens were revoked). */
export function removeWorkspace(baseDir: string, id: string): Registry {
  const registry = readRegistry(baseDir);
  if (id === DEFAULT_WORKSPACE_ID) throw new AppError('INVALID_ARGUMENT', 'The Default workspace cannot be deleted.');
  const next = { ...registry, workspaces: registry.workspaces.filter((w) => w.id !== id) };
  writeRegistry(baseDir, next);
  fs.rmSync(workspaceDir(baseDir, id), { recursive: true, force: true });
  return next;
}
