/** Audiences: the table, one audience's detail, live run progress, and the row actions. */
import { getBridge } from '../../app/bridge';
import { failed, idle, loading, ready, toShape } from '../../app/remote';
import type { Remote } from '../../app/remote';
import type { SliceCreator } from '../../app/store';
import { AppError, type AppErrorShape } from '../../../../shared/errors';
import type { EventPayloads } from '../../../../shared/ipc/contract';
import type { AudienceDetailView, AudienceView, UndoPreviewView } from '../../../../shared/ipc/dto';

export type RunProgress = EventPayloads['run:progress'];
/** confirmRemovals: "Sync anyway (once)" for a held sync; keepAudience: "Keep audience as is". */
export type AudienceAction = 'sync' | 'pause' | 'resume' | 'undo' | 'cancel' | 'delete' | 'confirmRemovals' | 'keepAudience';

export interface AudiencesSlice {
  audiences: Remote<AudienceView[]>;
  detail: Remote<AudienceDetailView>;
  detailId: number | null;
  /** The latest progress of each running audience, by audience id (cleared when its run finishes). */
  progress: Record<number, RunProgress>;
  /** The action in flight per audience. */
  audienceBusy: Record<number, AudienceAction>;
  audienceError: { audienceId: number; error: AppErrorShape } | null;
  loadAudiences(): Promise<void>;
  loadDetail(id: number): Promise<void>;
  setRunProgress(p: RunProgress): void;
  clearRunProgress(audienceId: number): void;
  audienceAction(id: number, action: AudienceAction): Promise<boolean>;
  /** What "Undo last sync" would do (a dry run: nothing is sent). Throws the engine's refusal. */
  previewUndo(id: number): Promise<UndoPreviewView>;
  /** Deletes the audience here, and at TikTok too when asked. False (and audienceError set) when refused. */
  deleteAudience(id: number, atTiktok: boolean): Promise<boolean>;
  clearAudienceError(): void;
}

export const createAudiencesSlice: SliceCreator<AudiencesSlice> = (set, get) => ({
  audiences: idle(),
  detail: idle(),
  detailId: null,
  progress: {},
  audienceBusy: {},
  audienceError: null,
  async loadAudiences() {
    // An answer that arrives after a workspace switch is the previous workspace's: it is dropped.
    const epoch = get().workspaceEpoch;
    set((s) => ({ audiences: loading(s.audiences) }));
    try {
      const list = await getBridge().audiences.list();
      if (get().workspaceEpoch === epoch) set({ audiences: ready(list) });
    } catch (err) {
      if (get().workspaceEpoch === epoch) set((s) => ({ audiences: failed(s.audiences, err) }));
    }
  },
  async loadDetail(id) {
    // A different audience starts empty; the same one keeps showing while it refreshes.
    set((s) => ({ detailId: id, detail: s.detailId === id ? loading(s.detail) : loading(idle()) }));
    try {
      const d = await getBridge().audiences.get({ id });
      if (get().detailId === id) set({ detail: ready(d) });
    } catch (err) {
      if (get().detailId === id) set((s) => ({ detail: failed(s.detail, err) }));
    }
  },
  setRunProgress: (p) => set((s) => ({ progress: { ...s.progress, [p.audienceId]: p } })),
  clearRunProgress: (audienceId) =>
    set((s) => {
      if (!(audienceId in s.progress)) return {};
      const next = { ...s.progress };
      delete next[audienceId];
      return { progress: next };
    }),
  async audienceAction(id, action) {
    if (get().audienceBusy[id]) return false;
    set((s) => ({ audienceBusy: { ...s.audienceBusy, [id]: action }, audienceError: null }));
    const b = getBridge();
    let ok = true;
    try {
      switch (action) {
        case 'sync':
          await b.sync.run({ audienceId: id });
          break;
        case 'undo':
          await b.sync.undo({ audienceId: id });
          break;
        case 'pause':
          await b.audiences.update({ id, paused: true });
          break;
        case 'resume':
          await b.audiences.update({ id, paused: false });
          break;
        case 'cancel':
          await b.sync.cancel({ audienceId: id });
          break;
        case 'delete':
          await b.audiences.delete({ id, atTiktok: false });
          break;
        case 'confirmRemovals':
        case 'keepAudience': {
          // The decision names the held change the user is looking at (the run that held it): a newer one is refused.
          const runId = heldRunId(get(), id);
          if (action === 'confirmRemovals') await b.sync.confirmRemovals({ audienceId: id, runId });
          else await b.sync.keepAudience({ audienceId: id, runId });
          break;
        }
      }
    } catch (err) {
      ok = false;
      set({ audienceError: { audienceId: id, error: toShape(err) } });
    }
    set((s) => {
      const busy = { ...s.audienceBusy };
      delete busy[id];
      return { audienceBusy: busy };
    });
    await get().loadAudiences();
    if (get().detailId === id && action !== 'delete') await get().loadDetail(id);
    return ok;
  },
  previewUndo: (id) => getBridge().sync.undoPreview({ audienceId: id }),
  async deleteAudience(id, atTiktok) {
    if (get().audienceBusy[id]) return false;
    set((s) => ({ audienceBusy: { ...s.audienceBusy, [id]: 'delete' }, audienceError: null }));
    let ok = true;
    try {
      await getBridge().audiences.delete({ id, atTiktok });
    } catch (err) {
      ok = false;
      set({ audienceError: { audienceId: id, error: toShape(err) } });
    }
    set((s) => {
      const busy = { ...s.audienceBusy };
      delete busy[id];
      return { audienceBusy: busy };
    });
    await get().loadAudiences();
    return ok;
  },
  clearAudienceError: () => set({ audienceError: null }),
});

/** The run that held the audience's sync, as the screen shows it. */
function heldRunId(s: Pick<AudiencesSlice, 'audiences' | 'detail'>, id: number): number {
  const hold = (s.detail.data?.id === id ? s.detail.data.hold : null) ?? s.audiences.data?.find((a) => a.id === id)?.hold ?? null;
  if (!hold || hold.runId === null) throw new AppError('INVALID_ARGUMENT', 'No sync of this audience is held any more. The list was refreshed: look at its state again.');
  return hold.runId;
}
