/** Which screen is showing. A small state machine instead of a router: the app has no URLs to share. */
import type { SliceCreator } from './store';

export type Route =
  | { name: 'connect' }
  | { name: 'import' }
  | { name: 'audiences' }
  | { name: 'audience'; id: number }
  | { name: 'mapping'; id: number }
  | { name: 'sync-log' }
  | { name: 'settings' };

export type RouteName = Route['name'];

export interface NavSlice {
  route: Route;
  navigate(route: Route): void;
  /** The engine's words after its process was restarted (push event `engine:restarted`), until the user dismisses them. */
  engineNotice: string | null;
  setEngineNotice(message: string | null): void;
}

export const createNavSlice: SliceCreator<NavSlice> = (set) => ({
  route: { name: 'audiences' },
  navigate: (route) => set({ route }),
  engineNotice: null,
  setEngineNotice: (engineNotice) => set({ engineNotice }),
});
