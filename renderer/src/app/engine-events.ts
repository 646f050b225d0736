/**
 * The one place engine push events meet the store. DB-owned data is re-fetched, never patched: the engine
 * says "this changed" and the screen asks again. Bursts of events coalesce into one fetch in flight plus
 * one trailing fetch, so a sync that emits many status changes does not flood the engine.
 */
import { getBridge } from './bridge';
import type { Bridge } from './bridge';
import { useApp } from './store';

/** Runs fn at most once at a time; calls during a run collapse into one more run after it. */
export function coalesce(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

/** Subscribes the store to every push event; returns one function that unsubscribes them all. */
export function wireEvents(bridge: Bridge = getBridge()): () => void {
  const s = () => useApp.getState();
  const refreshAudiences = coalesce(() => s().loadAudiences());
  const refreshConnections = coalesce(() => s().loadConnections());
  const refreshRuns = coalesce(async () => {
    // The log is fetched only once a screen has asked for it.
    if (s().runs.data !== null || s().runs.loading) await s().loadRuns();
  });
  const refreshDetail = (audienceId: number) => {
    if (s().detailId === audienceId) void s().loadDetail(audienceId);
  };

  const offs = [
    bridge.on('run:progress', (p) => s().setRunProgress(p)),
    bridge.on('run:finished', (p) => {
      // A scheduled sync of another workspace (the host notifies about it): its audience id means nothing here.
      if (p.workspace) return;
      s().clearRunProgress(p.audienceId);
      s().onRunFinished(p);
      void refreshAudiences();
      void refreshRuns();
      refreshDetail(p.audienceId);
      if (p.error?.code === 'AUTH_EXPIRED') void refreshConnections();
    }),
    bridge.on('audience:statusChanged', (p) => {
      void refreshAudiences();
      refreshDetail(p.audienceId);
    }),
    bridge.on('connection:needsReconnect', () => {
      void refreshConnections();
      void refreshAudiences();
    }),
    bridge.on('import:progress', (p) => s().setImportProgress(p)),
    bridge.on('connection:signInWaiting', (p) => s().setSignInWaiting(p)),
    // The engine's process was restarted after a crash: runs it had in flight ended with it (the next run
    // closes and resumes them), so their progress is dropped and what the database holds is read again.
    bridge.on('engine:restarted', (p) => {
      // The page says so until dismissed: "The engine stopped and was restarted; no sync was lost."
      s().setEngineNotice(p.message);
      for (const id of Object.keys(s().progress)) s().clearRunProgress(Number(id));
      void refreshAudiences();
      void refreshConnections();
      void refreshRuns();
      const open = s().detailId;
      if (open !== null) refreshDetail(open);
    }),
    // This window now works in another workspace (switched here, from the tray or from another window).
    bridge.on('workspace:switched', (p) => s().onWorkspaceSwitched(p)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
