/**
 * The engine's public entry, the one door every host enters core through (#13 §2): createEngine for the
 * long-lived hosts (Electron's engine process, the web host, the daemon), and what the CLI calls headless.
 *
 * The engine itself (engine.ts) is put together from run tracking (run-tracker.ts), background status refresh
 * (status-refresh.ts) and one handler group per contract area (handlers/); workspaces are routed by
 * workspace-set.ts.
 */
import type { EngineHost, EngineOptions } from '../../../shared/ipc/engine-host';
import { Engine, type EngineInternals } from './engine';
import { workspaceHandlers } from './workspaces';
import { WorkspaceSet } from './workspace-set';

export type { EngineInternals } from './engine';
export { SandboxHost, SANDBOX_PROCESSING_MS } from './sandbox';
export {
  DEFAULT_WORKSPACE_ID,
  WORKSPACE_ENV,
  checkDeletable,
  createWorkspace,
  readRegistry,
  removeWorkspace,
  renameWorkspace,
  requireWorkspace,
  setActiveWorkspace,
  workspaceDir,
  workspaceEnv,
  type Registry,
  type WorkspaceRecord,
} from '../workspaces/registry';
export { resolveDataDir } from '../paths';
export { deleteWorkspaceHeadless } from './workspaces';
export { runPhase, RateMeter } from './progress';
export { cadenceProblem, clearSchedule, listSchedules, nextRunOf, pauseSchedule, setSchedule } from './schedule';
export type { Cadence, ScheduleDeps, ScheduleEntry, ScheduleList } from './schedule';

/**
 * Creates the engine for one host process: every workspace of the base data folder `opts.dataDir` (#14 §2), each
 * with its store, keychain entries and scheduler; the contract's channels go to the active workspace.
 */
export async function createEngine(opts: EngineOptions, internals: EngineInternals = {}): Promise<EngineHost> {
  const set = await WorkspaceSet.open(opts, internals, async (o, i) => (await Engine.open(o, i)).host());
  return set.host(workspaceHandlers);
}
