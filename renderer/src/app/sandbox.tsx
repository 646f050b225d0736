/**
 * Sandbox vs production, as the user sees it everywhere: which connections and audiences are simulated (the offline
 * sandbox, nothing sent to TikTok), and the persistent banner that says so while the app talks to the simulator.
 */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from './store';
import type { App } from './store';
import { Button } from '../ui/button';
import type { AudienceView, ConnectionView } from '../../../shared/ipc/dto';

/** True when the connection is the built-in simulator: nothing it does reaches TikTok. */
export function isSimulatedConnection(c: Pick<ConnectionView, 'environment'>): boolean {
  return c.environment === 'offline-sandbox';
}

/** True when the audience lives on a simulated connection (it has no Ads Manager page). */
export function isSimulatedAudience(a: Pick<AudienceView, 'connectionId'>, connections: readonly ConnectionView[] | null): boolean {
  const c = (connections ?? []).find((x) => x.id === a.connectionId);
  return c !== undefined && isSimulatedConnection(c);
}

/** Selector: is this audience simulated, given the loaded connections. */
export const selectSimulated = (a: Pick<AudienceView, 'connectionId'>) => (s: App) => isSimulatedAudience(a, s.connections.data);

/**
 * The banner shows while new connections go to the simulator (environment "offline-sandbox"), or while every
 * connection there is is a simulated one.
 */
export function selectSandboxMode(s: App): boolean {
  const env = s.settings.data?.environment;
  const list = s.connections.data ?? [];
  if (env === 'offline-sandbox') return true;
  return list.length > 0 && list.every(isSimulatedConnection);
}

export const SANDBOX_BANNER_TEXT = 'Offline sandbox — nothing is sent to TikTok';

/** The persistent sandbox banner at the top of every screen, with the way to switch. */
export function SandboxBanner() {
  const { on, routeName, navigate } = useApp(useShallow((s) => ({ on: selectSandboxMode(s), routeName: s.route.name, navigate: s.navigate })));
  if (!on) return null;
  return (
    <div className="sandbox-banner" role="note" aria-label="Environment">
      <span className="sandbox-dot" aria-hidden="true" />
      <strong>{SANDBOX_BANNER_TEXT}</strong>
      <span className="muted small sandbox-banner-more">Audiences and numbers here are simulated on this computer.</span>
      {routeName !== 'connect' && (
        <Button size="small" variant="ghost" onClick={() => navigate({ name: 'connect' })}>
          Switch to TikTok…
        </Button>
      )}
    </div>
  );
}
