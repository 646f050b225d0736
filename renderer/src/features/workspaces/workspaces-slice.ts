/**
 * Workspaces (#14 §2): the list, create / rename / delete, and the switch. A switch (from this window, or the
 * tray, or another window: the engine pushes `workspace:switched`) puts every other slice back to its first
 * state and reads the new workspace's data again, so nothing of the previous workspace stays on screen.
 */
import { getBridge } from '../../app/bridge';
import { failed, idle, loading, ready, toShape } from '../../app/remote';
import type { Remote } from '../../app/remote';
import type { App, SliceCreator } from '../../app/store';
import type { Route } from '../../app/nav-slice';
import type { AppErrorShape } from '../../../../shared/errors';
import type { WorkspaceView, WorkspacesView } from '../../../../shared/ipc/workspace-dto';

export type WorkspaceAction = 'create' | `switch:${string}` | `rename:${string}` | `delete:${string}`;

export interface WorkspacesSlice {
  workspaces: Remote<WorkspacesView>;
  /** The workspace whose data the store holds; null until the first list. */
  workspaceShown: string | null;
  /** Counts the switches seen: the app shell mounts the screen afresh on each. */
  workspaceEpoch: number;
  /** The workspace action in flight, so its button shows it and the others wait. */
  workspaceBusy: WorkspaceAction | null;
  workspaceError: AppErrorShape | null;
  loadWorkspaces(): Promise<void>;
  /** Creates a workspace (it does not switch to it); the new workspace, or null with workspaceError set. */
  createWorkspace(name: string): Promise<WorkspaceView | null>;
  switchWorkspace(id: string): Promise<boolean>;
  renameWorkspace(id: string, name: string): Promise<boolean>;
  /** Deletes a workspace that is not the active one; `confirmName` repeats its name. */
  deleteWorkspace(id: string, confirmName: string): Promise<boolean>;
  /** The engine says which workspace this window now works in: a new one resets and reloads everything else. */
  onWorkspaceSwitched(view: WorkspacesView): void;
  clearWorkspaceError(): void;
}

/** The screen to stay on after a switch: a screen about one audience of the old workspace goes back to the list. */
function routeAfterSwitch(route: Route): Route {
  return route.name === 'audience' || route.name === 'mapping' ? { name: 'audiences' } : route;
}

/** The first state of every slice but this one (and the screen shown, when it still makes sense). */
function freshState(initial: App, now: App): Partial<App> {
  const keep: (keyof WorkspacesSlice)[] = ['workspaces', 'workspaceShown', 'workspaceEpoch', 'workspaceBusy', 'workspaceError'];
  const out: Partial<App> = { ...initial };
  for (const k of keep) delete out[k];
  out.route = routeAfterSwitch(now.route);
  return out;
}

export const createWorkspacesSlice: SliceCreator<WorkspacesSlice> = (set, get, api) => {
  /** Runs one workspace action; resolves its value, or null with workspaceError set. */
  async function act<T>(action: WorkspaceAction, call: () => Promise<T>): Promise<T | null> {
    if (get().workspaceBusy) return null;
    set({ workspaceBusy: action, workspaceError: null });
    try {
      const value = await call();
      set({ workspaceBusy: null });
      return value;
    } catch (err) {
      set({ workspaceBusy: null, workspaceError: toShape(err) });
      return null;
    }
  }

  return {
    workspaces: idle(),
    workspaceShown: null,
    workspaceEpoch: 0,
    workspaceBusy: null,
    workspaceError: null,
    async loadWorkspaces() {
      set((s) => ({ workspaces: loading(s.workspaces) }));
      try {
        const view = await getBridge().workspaces.list();
        // The data already loaded belongs to the active workspace: the first list only names it.
        if (get().workspaceShown === null) set({ workspaceShown: view.active });
        if (view.active !== get().workspaceShown) get().onWorkspaceSwitched(view);
        else set({ workspaces: ready(view) });
      } catch (err) {
        set((s) => ({ workspaces: failed(s.workspaces, err) }));
      }
    },
    async createWorkspace(name) {
      const created = await act('create', () => getBridge().workspaces.create({ name }));
      if (created) await get().loadWorkspaces();
      return created;
    },
    async switchWorkspace(id) {
      const view = await act(`switch:${id}`, () => getBridge().workspaces.switch({ id }));
      // The engine also pushes workspace:switched; whichever arrives first resets, the other only updates the list.
      if (view) get().onWorkspaceSwitched(view);
      return view !== null;
    },
    async renameWorkspace(id, name) {
      const renamed = await act(`rename:${id}`, () => getBridge().workspaces.rename({ id, name }));
      if (renamed) await get().loadWorkspaces();
      return renamed !== null;
    },
    async deleteWorkspace(id, confirmName) {
      const view = await act(`delete:${id}`, () => getBridge().workspaces.delete({ id, confirmName }));
      if (view) set({ workspaces: ready(view) });
      return view !== null;
    },
    onWorkspaceSwitched(view) {
      const now = get();
      if (now.workspaceShown === view.active) {
        set({ workspaces: ready(view) });
        return;
      }
      // The web host's uploaded copies of the wizard's files are not needed any more (as the wizard's reset does).
      const uploads = [now.file?.path, now.suppress?.path].filter((p): p is string => Boolean(p));
      if (uploads.length > 0 && getBridge().host === 'web') void getBridge().import.release({ paths: uploads }).catch(() => undefined);
      set({ ...freshState(api.getInitialState(), now), workspaces: ready(view), workspaceShown: view.active, workspaceEpoch: now.workspaceEpoch + 1 });
      const s = get();
      void s.loadSettings();
      void s.loadConnections();
      void s.loadAudiences();
    },
    clearWorkspaceError: () => set({ workspaceError: null }),
  };
};
