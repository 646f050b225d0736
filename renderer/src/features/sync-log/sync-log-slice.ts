/** The sync log: every run, one run's API calls, and its rejects export. */
import { getBridge } from '../../app/bridge';
import { failed, idle, loading, ready } from '../../app/remote';
import type { Remote } from '../../app/remote';
import type { SliceCreator } from '../../app/store';
import type { ExportView, RunDetailView, RunView } from '../../../../shared/ipc/dto';

export interface SyncLogSlice {
  runs: Remote<RunView[]>;
  runDetail: Remote<RunDetailView>;
  runDetailId: number | null;
  runExport: Remote<ExportView>;
  loadRuns(): Promise<void>;
  selectRun(runId: number | null): Promise<void>;
  exportRunRejects(runId: number): Promise<void>;
}

/** How many runs the log asks for; the table is virtualized, so this is about the engine's work, not the DOM. */
export const RUN_LIMIT = 1000;

export const createSyncLogSlice: SliceCreator<SyncLogSlice> = (set, get) => ({
  runs: idle(),
  runDetail: idle(),
  runDetailId: null,
  runExport: idle(),
  async loadRuns() {
    // An answer that arrives after a workspace switch is the previous workspace's: it is dropped.
    const epoch = get().workspaceEpoch;
    set((s) => ({ runs: loading(s.runs) }));
    try {
      const runs = await getBridge().runs.list({ limit: RUN_LIMIT });
      if (get().workspaceEpoch === epoch) set({ runs: ready(runs) });
    } catch (err) {
      if (get().workspaceEpoch === epoch) set((s) => ({ runs: failed(s.runs, err) }));
    }
  },
  async selectRun(runId) {
    if (runId === null) {
      set({ runDetailId: null, runDetail: idle(), runExport: idle() });
      return;
    }
    set((s) => ({ runDetailId: runId, runDetail: s.runDetailId === runId ? loading(s.runDetail) : loading(idle()), runExport: s.runDetailId === runId ? s.runExport : idle() }));
    try {
      const d = await getBridge().runs.get({ runId });
      if (get().runDetailId === runId) set({ runDetail: ready(d) });
    } catch (err) {
      if (get().runDetailId === runId) set((s) => ({ runDetail: failed(s.runDetail, err) }));
    }
  },
  async exportRunRejects(runId) {
    set((s) => ({ runExport: loading(s.runExport) }));
    try {
      set({ runExport: ready(await getBridge().runs.exportRejects({ runId })) });
    } catch (err) {
      set((s) => ({ runExport: failed(s.runExport, err) }));
    }
  },
});
