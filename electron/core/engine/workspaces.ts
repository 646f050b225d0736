/**
 * Workspaces (#14 §2): the contract's workspaces:* channels, served by the set of every workspace's engine
 * (workspace-set.ts). A lone workspace engine never serves them itself: the set answers them before they reach it.
 */
import { AppError, toErrorShape } from '../../../shared/errors';
import type { Handlers } from '../../../shared/ipc/contract';
import { CohortRelayApp } from '../app';
import { checkDeletable, readRegistry, removeWorkspace, workspaceDir, workspaceEnv, type Registry, type WorkspaceRecord } from '../workspaces/registry';
import type { WorkspaceSet } from './workspace-set';

type WorkspaceChannels = 'workspaces:list' | 'workspaces:create' | 'workspaces:switch' | 'workspaces:rename' | 'workspaces:delete';

/** The workspaces:* handlers on a set; without one (a lone workspace's engine), handlers that are never reached. */
export function workspaceHandlers(set?: WorkspaceSet): Pick<Handlers, WorkspaceChannels> {
  if (!set) return loneWorkspaceHandlers();
  return {
    'workspaces:list': async () => set.list(),
    'workspaces:create': async ({ name }) => set.create(name),
    'workspaces:switch': async ({ id }) => set.switch(id),
    'workspaces:rename': async ({ id, name }) => set.rename(id, name),
    'workspaces:delete': async ({ id, confirmName }) => set.delete(id, confirmName),
  };
}

const servedBySet = (): never => {
  throw new AppError('INTERNAL', 'Workspaces are managed by the workspace set, not by one workspace. Restart Cohort Relay.');
};

/** What one workspace's engine answers for workspaces:* (never reached: the set answers first). */
function loneWorkspaceHandlers(): Pick<Handlers, WorkspaceChannels> {
  return {
    'workspaces:list': async () => servedBySet(),
    'workspaces:create': async () => servedBySet(),
    'workspaces:switch': async () => servedBySet(),
    'workspaces:rename': async () => servedBySet(),
    'workspaces:delete': async () => servedBySet(),
  };
}

/** What deleting a workspace did with each of its connections. */
export interface DeletedWorkspace {
  workspace: WorkspaceRecord;
  registry: Registry;
  connections: { id: string; label: string; revoked: boolean; message: string }[];
}

/**
 * Deletes a workspace with no engine running (the CLI): the same refusals as the app (the active one, the last
 * one, the Default one, a name not repeated), then each connection is disconnected (its token revoked at TikTok
 * when TikTok answers, its keychain entries deleted; a locked keychain stops the delete with nothing removed), then
 * its folder goes.
 */
export async function deleteWorkspaceHeadless(baseDir: string, id: string, confirmName: string, env: NodeJS.ProcessEnv): Promise<DeletedWorkspace> {
  const workspace = checkDeletable(readRegistry(baseDir), id, confirmName);
  const app = await CohortRelayApp.open({ env: workspaceEnv(env, workspace.id), dataDir: workspaceDir(baseDir, workspace.id) });
  const connections: DeletedWorkspace['connections'] = [];
  try {
    for (const c of app.store.connections.list()) {
      try {
        const d = await app.connections.disconnect(c.id);
        connections.push({ id: c.id, label: c.label, revoked: d.revoked, message: d.message });
      } catch (err) {
        const e = toErrorShape(err);
        throw new AppError(e.code, `The workspace "${workspace.name}" was not deleted: disconnecting "${c.label}" failed. ${e.message}`, { retryable: e.retryable, cause: err });
      }
    }
  } finally {
    app.close();
  }
  return { workspace, registry: removeWorkspace(baseDir, workspace.id), connections };
}
