/**
 * Workspaces (#14 §2). Placeholder handlers until the workspace set lands: every call says so plainly.
 */
import { AppError } from '../../../shared/errors';
import type { Handlers } from '../../../shared/ipc/contract';

const notYet = (): never => {
  throw new AppError('INVALID_ARGUMENT', 'Workspaces are not available in this build yet. Update Cohort Relay and try again.');
};

export function workspaceHandlers(): Pick<Handlers, 'workspaces:list' | 'workspaces:create' | 'workspaces:switch' | 'workspaces:rename' | 'workspaces:delete'> {
  return {
    'workspaces:list': async () => notYet(),
    'workspaces:create': async () => notYet(),
    'workspaces:switch': async () => notYet(),
    'workspaces:rename': async () => notYet(),
    'workspaces:delete': async () => notYet(),
  };
}
