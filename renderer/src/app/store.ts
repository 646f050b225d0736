/**
 * The one zustand store, built from typed feature slices (STYLE.md "Renderer"). Components read through
 * selectors (useShallow for objects). DB-owned data (audiences, runs, connections, settings) is fetched
 * from the engine and re-fetched when it pushes a change (app/events.ts); the store never mirrors the database.
 */
import { create } from 'zustand';
import type { StateCreator } from 'zustand';
import { createNavSlice } from './nav-slice';
import type { NavSlice } from './nav-slice';
import { createConnectSlice } from '../features/connect/connect-slice';
import type { ConnectSlice } from '../features/connect/connect-slice';
import { createSettingsSlice } from '../features/settings/settings-slice';
import type { SettingsSlice } from '../features/settings/settings-slice';
import { createAudiencesSlice } from '../features/audiences/audiences-slice';
import type { AudiencesSlice } from '../features/audiences/audiences-slice';
import { createSyncLogSlice } from '../features/sync-log/sync-log-slice';
import type { SyncLogSlice } from '../features/sync-log/sync-log-slice';
import { createMappingSlice } from '../features/mapping/mapping-slice';
import type { MappingSlice } from '../features/mapping/mapping-slice';
import { createImportSlice } from '../features/import/import-slice';
import type { ImportSlice } from '../features/import/import-slice';
import { createWorkspacesSlice } from '../features/workspaces/workspaces-slice';
import type { WorkspacesSlice } from '../features/workspaces/workspaces-slice';

export type App = NavSlice & ConnectSlice & SettingsSlice & AudiencesSlice & SyncLogSlice & MappingSlice & ImportSlice & WorkspacesSlice;

/** How every slice is declared: it sees the whole App, and contributes its own part. */
export type SliceCreator<S> = StateCreator<App, [], [], S>;

export const useApp = create<App>()((...a) => ({
  ...createNavSlice(...a),
  ...createConnectSlice(...a),
  ...createSettingsSlice(...a),
  ...createAudiencesSlice(...a),
  ...createSyncLogSlice(...a),
  ...createMappingSlice(...a),
  ...createImportSlice(...a),
  ...createWorkspacesSlice(...a),
}));

/** Back to the first state (tests call this between cases). */
export function resetApp(): void {
  useApp.setState(useApp.getInitialState(), true);
}
