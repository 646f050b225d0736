/** The application shell: sidebar navigation, the window-wide drop zone, the theme, and the current screen. */
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { wireEvents } from './engine-events';
import { useApp } from './store';
import type { Route, RouteName } from './nav-slice';
import { ConnectScreen } from '../features/connect/connect-screen';
import { ImportWizard } from '../features/import/import-wizard';
import { AudiencesScreen } from '../features/audiences/audiences-screen';
import { AudienceDetail } from '../features/audiences/audience-detail';
import { MappingScreen } from '../features/mapping/mapping-screen';
import { SyncLogScreen } from '../features/sync-log/sync-log-screen';
import { SettingsScreen } from '../features/settings/settings-screen';
import { SandboxBanner } from './sandbox';
import { WorkspaceSwitcher } from '../features/workspaces/workspace-switcher';
import { Button } from '../ui/button';

/** After the engine's process was restarted: a status banner with the engine's words, until dismissed. */
function EngineRestartedBanner() {
  const { notice, dismiss } = useApp(useShallow((s) => ({ notice: s.engineNotice, dismiss: s.setEngineNotice })));
  if (!notice) return null;
  return (
    <div className="banner banner-info" role="status" aria-label="Engine restarted">
      <div className="banner-body">{notice}</div>
      <div className="banner-actions">
        <Button size="small" variant="ghost" onClick={() => dismiss(null)}>
          Dismiss
        </Button>
      </div>
    </div>
  );
}

const NAV: { name: RouteName; route: Route; label: string; matches: RouteName[] }[] = [
  { name: 'audiences', route: { name: 'audiences' }, label: 'Audiences', matches: ['audiences', 'audience', 'mapping'] },
  { name: 'import', route: { name: 'import' }, label: 'Import & sync', matches: ['import'] },
  { name: 'sync-log', route: { name: 'sync-log' }, label: 'Sync log', matches: ['sync-log'] },
  { name: 'connect', route: { name: 'connect' }, label: 'Connections', matches: ['connect'] },
  { name: 'settings', route: { name: 'settings' }, label: 'Settings', matches: ['settings'] },
];

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** Dropping a file anywhere on the window opens it in the import wizard. */
function useWindowDrop(onFile: (file: File) => void): boolean {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const cb = useRef(onFile);
  cb.current = onFile;
  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    };
    const overFn = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      // Without preventDefault the browser would open the file instead of letting us drop it.
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = () => {
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      depth.current = 0;
      setOver(false);
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      e.preventDefault();
      cb.current(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overFn);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return over;
}

function Screen() {
  const route = useApp((s) => s.route);
  switch (route.name) {
    case 'connect':
      return <ConnectScreen />;
    case 'import':
      return <ImportWizard />;
    case 'audiences':
      return <AudiencesScreen />;
    case 'audience':
      return <AudienceDetail id={route.id} />;
    case 'mapping':
      return <MappingScreen id={route.id} />;
    case 'sync-log':
      return <SyncLogScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

export function App() {
  const { routeName, navigate, openFile, theme, reconnects, workspace, workspaceName } = useApp(
    useShallow((s) => ({
      routeName: s.route.name,
      workspace: s.workspaceEpoch,
      workspaceName: s.workspaces.data?.workspaces.find((w) => w.active)?.name ?? null,
      navigate: s.navigate,
      openFile: s.openFile,
      theme: s.settings.data?.theme ?? 'system',
      reconnects: (s.connections.data ?? []).filter((c) => c.status === 'needs_reconnect').length,
    })),
  );
  const dragging = useWindowDrop((file) => void openFile(file));
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    const off = wireEvents();
    const s = useApp.getState();
    void s.loadSettings();
    void s.loadConnections();
    void s.loadAudiences();
    void s.loadWorkspaces();
    return off;
  }, []);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    document.title = workspaceName ? `${workspaceName} — Cohort Relay` : 'Cohort Relay';
  }, [workspaceName]);

  // Move focus to the new screen's heading (also after a workspace switch), so keyboard and screen-reader users land on it.
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [routeName, workspace]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="sidebar-inner">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Cohort Relay
          </div>
          <WorkspaceSwitcher />
          <ul>
            {NAV.map((item) => {
              const current = item.matches.includes(routeName);
              return (
                <li key={item.name}>
                  <button type="button" className={`nav-item ${current ? 'nav-current' : ''}`} aria-current={current ? 'page' : undefined} onClick={() => navigate(item.route)}>
                    {item.label}
                    {item.name === 'connect' && reconnects > 0 && (
                      <span className="nav-alert" aria-label={`${reconnects} need re-connect`}>
                        {reconnects}
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="sidebar-hint">Drop a CSV anywhere to import it.</p>
        </div>
      </nav>
      <main id="main" className="main" ref={mainRef}>
        <SandboxBanner />
        <EngineRestartedBanner />
        {/* A switch mounts the screen afresh: nothing typed or opened in the previous workspace stays. */}
        <Screen key={workspace} />
      </main>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-card">Drop the CSV to import it</div>
        </div>
      )}
    </div>
  );
}
