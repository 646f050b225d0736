/**
 * Workspaces (#14 §2): the contract's workspaces:* channels, served by the set of every workspace's engine
 * (workspace-set.ts). A lone workspace engine never serves them itself: the set answers them before they reach it.
 */
import { AppError } from '../../../shared/errors';
import type { Handlers } from '../../../shared/ipc/contract';
import type { WorkspaceSet } from './workspace-set';

type WorkspaceChannels = 'workspaces:list' | 'workspaces:create' | 'workspaces:switch' | 'workspaces:rename' | 'workspaces:delete';

/** The workspaces:* handlers on a set. */
export function workspaceHandlers(set: WorkspaceSet): Pick<Handlers, WorkspaceChannels> {
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
export function loneWorkspaceHandlers(): Pick<Handlers, WorkspaceChannels> {
  return {
    'workspaces:list': async () => servedBySet(),
    'workspaces:create': async () => servedBySet(),
    'workspaces:switch': async () => servedBySet(),
    'workspaces:rename': async () => servedBySet(),
    'workspaces:delete': async () => servedBySet(),
  };
}
