/**
 * Workspaces (#14 §2): an agency keeps each client apart. Each workspace has its own connections, audiences,
 * schedules, settings and sync log (its own data folder and keychain entries); nothing of one is visible or
 * usable from another. Every host enters one workspace at a time (the "active" one); scheduled syncs of every
 * workspace keep running.
 */

/** One workspace as the switcher and Settings list it. */
export interface WorkspaceView {
  /** Stable id (a slug of the first name; "default" for the workspace every install starts with). */
  id: string;
  name: string;
  active: boolean;
  /** Audiences, connections and scheduled (not paused) audiences in it — counts only, never their names. */
  audiences: number;
  connections: number;
  scheduled: number;
}

export interface WorkspacesView {
  /** The id of the workspace this window works in. */
  active: string;
  workspaces: WorkspaceView[];
}

/** Longest workspace name. */
export const WORKSPACE_NAME_MAX = 60;
