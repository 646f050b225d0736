/** Mapping edits of a saved audience: source, suppression list, cadence, name. Key and profile stay locked. */
import { getBridge } from '../../app/bridge';
import { toShape } from '../../app/remote';
import type { SliceCreator } from '../../app/store';
import type { AppErrorShape } from '../../../../shared/errors';
import type { RequestIn } from '../../../../shared/ipc/contract';
import type { ColumnsChangeView } from '../../../../shared/ipc/dto';

export type MappingPatch = Omit<RequestIn<'audiences:update'>, 'id'>;

export interface MappingSlice {
  mappingSaving: boolean;
  mappingError: AppErrorShape | null;
  /** The last field set that was saved, for a short "Saved" note. */
  mappingSavedAt: number | null;
  saveMapping(id: number, patch: MappingPatch): Promise<boolean>;
  /**
   * Hands a picked file to the host and returns the path the engine reads it at (null on an error, shown as "Not saved").
   * Nothing about the audience changes: the path becomes part of the screen's pending edit, saved with "Save changes".
   */
  pickMappingFile(file: File): Promise<string | null>;
  clearMappingStatus(): void;
  /** What saving these columns would do (a full REPLACE next, or why it is refused), saving nothing; null on an error. */
  checkColumns(id: number, keys: RequestIn<'audiences:setColumns'>['keys']): Promise<ColumnsChangeView | null>;
  /** Saves the columns the audience's keys are read from (#14 §2). */
  saveColumns(id: number, keys: RequestIn<'audiences:setColumns'>['keys']): Promise<boolean>;
}

export const createMappingSlice: SliceCreator<MappingSlice> = (set, get) => {
  /** Runs one saving request for audience `id`: the saving/saved/error state, then the list and its detail reloaded. */
  const saving = async (id: number, request: () => Promise<unknown>): Promise<boolean> => {
    set({ mappingSaving: true, mappingError: null, mappingSavedAt: null });
    try {
      await request();
      set({ mappingSaving: false, mappingSavedAt: Date.now() });
      await Promise.all([get().loadAudiences(), get().detailId === id ? get().loadDetail(id) : Promise.resolve()]);
      return true;
    } catch (err) {
      set({ mappingSaving: false, mappingError: toShape(err) });
      return false;
    }
  };
  return {
    mappingSaving: false,
    mappingError: null,
    mappingSavedAt: null,
    saveMapping: (id, patch) => saving(id, () => getBridge().audiences.update({ id, ...patch })),
    async pickMappingFile(file) {
      set({ mappingError: null, mappingSavedAt: null });
      try {
        return await getBridge().fileToPath(file);
      } catch (err) {
        set({ mappingError: toShape(err) });
        return null;
      }
    },
    clearMappingStatus: () => set({ mappingError: null, mappingSavedAt: null }),
    async checkColumns(id, keys) {
      set({ mappingError: null, mappingSavedAt: null });
      try {
        return await getBridge().audiences.setColumns({ id, keys, save: false });
      } catch (err) {
        set({ mappingError: toShape(err) });
        return null;
      }
    },
    saveColumns: (id, keys) => saving(id, () => getBridge().audiences.setColumns({ id, keys, save: true })),
  };
};
