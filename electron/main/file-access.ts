/**
 * The Electron host's side of "the renderer gets capabilities, not paths" (#12.1). Pure (no Electron import),
 * so it is tested with stand-ins.
 *
 * - Reading: main grants a file only when the preload tells it, from a trusted frame, the path webUtils gave
 *   for a File the user dropped or picked (FILE_GIVEN_CHANNEL). The page itself has no function for that
 *   channel and cannot make a disk-backed File, so it cannot name a path.
 * - Writing: a rejects report goes where the user chooses in main's save dialog; the page's outPath is refused.
 */
import path from 'node:path';
import type { FileGrants, ReportTargets } from '../core/engine/host-support';
import { FILE_GIVEN_CHANNEL } from '../../shared/ipc/channels';
import type { InvokeEventLike, IpcMainLike, SenderFrameLike } from './registrar';

/** Registers the preload's "the user gave this file" message; resolves true when the path was granted. */
export function registerFileGrants(ipcMain: IpcMainLike, grants: FileGrants, isTrustedSender: (frame: SenderFrameLike) => boolean): () => void {
  ipcMain.handle(FILE_GIVEN_CHANNEL, async (event: InvokeEventLike, given: unknown) => {
    if (event.senderFrame === null || !isTrustedSender(event.senderFrame)) return false;
    if (typeof given !== 'string' || given.length === 0 || given.length > 4096 || given.includes('\0') || !path.isAbsolute(given)) return false;
    return grants.grant(given, 'drop');
  });
  return () => ipcMain.removeHandler(FILE_GIVEN_CHANNEL);
}

/** The part of Electron's dialog.showSaveDialog main uses. */
export type ShowSaveDialog = (opts: { title: string; defaultPath: string; buttonLabel: string; filters: { name: string; extensions: string[] }[] }) => Promise<{ canceled: boolean; filePath?: string }>;

/** Report destinations from main's own save dialog (the OS asks before replacing a file). */
export function saveDialogTargets(showSaveDialog: ShowSaveDialog, defaultFolder: () => string): ReportTargets {
  return {
    async choose(suggestedName) {
      const r = await showSaveDialog({
        title: 'Save the rejects report',
        defaultPath: path.join(defaultFolder(), suggestedName),
        buttonLabel: 'Save report',
        filters: [{ name: 'CSV', extensions: ['csv'] }],
      });
      return r.canceled || !r.filePath ? null : { path: r.filePath };
    },
  };
}
