/** Settings: read once, changed one field at a time, the engine's answer is the truth. */
import { getBridge } from '../../app/bridge';
import { failed, idle, loading, ready, toShape } from '../../app/remote';
import type { Remote } from '../../app/remote';
import type { SliceCreator } from '../../app/store';
import type { AppErrorShape } from '../../../../shared/errors';
import type { RequestIn } from '../../../../shared/ipc/contract';
import type { SettingsView } from '../../../../shared/ipc/dto';

export type SettingsPatch = RequestIn<'settings:set'>;

export interface SettingsSlice {
  settings: Remote<SettingsView>;
  settingsSaving: boolean;
  settingsError: AppErrorShape | null;
  loadSettings(): Promise<void>;
  saveSettings(patch: SettingsPatch): Promise<boolean>;
  setPauseAll(paused: boolean): Promise<void>;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get) => ({
  settings: idle(),
  settingsSaving: false,
  settingsError: null,
  async loadSettings() {
    // An answer that arrives after a workspace switch is the previous workspace's: it is dropped.
    const epoch = get().workspaceEpoch;
    set((s) => ({ settings: loading(s.settings) }));
    try {
      const settings = await getBridge().settings.get();
      if (get().workspaceEpoch === epoch) set({ settings: ready(settings) });
    } catch (err) {
      if (get().workspaceEpoch === epoch) set((s) => ({ settings: failed(s.settings, err) }));
    }
  },
  async saveSettings(patch) {
    set({ settingsSaving: true, settingsError: null });
    try {
      const next = await getBridge().settings.set(patch);
      set({ settings: ready(next), settingsSaving: false });
      return true;
    } catch (err) {
      set({ settingsSaving: false, settingsError: toShape(err) });
      return false;
    }
  },
  async setPauseAll(paused) {
    set({ settingsError: null });
    try {
      await getBridge().sync.pauseAll({ paused });
      await Promise.all([get().loadSettings(), get().loadAudiences()]);
    } catch (err) {
      set({ settingsError: toShape(err) });
    }
  },
});
