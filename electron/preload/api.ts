/**
 * window.api as the preload builds it: the contract's named functions over ipcRenderer.invoke, `on` over
 * ipcRenderer.on, and pathForFile over webUtils. ipcRenderer itself is never handed to the page, and a
 * listener never receives the IpcRendererEvent (which would expose the sender).
 *
 * Files (#12.1): the page cannot name a path to main. pathForFile takes a File the user dropped or picked
 * (a page cannot make a File backed by a disk path), asks webUtils for its path here in the isolated preload,
 * and tells main on FILE_GIVEN_CHANNEL, which grants exactly that file; the engine serves no other path.
 */
import type { IpcRendererEvent } from 'electron';
import { buildApi } from '../../shared/ipc/api-object';
import { FILE_GIVEN_CHANNEL, isEventName } from '../../shared/ipc/channels';
import type { Api, ApiOn, EventListener, EventName, EventPayloads, Result } from '../../shared/ipc/contract';

/** The part of ipcRenderer the preload uses (structural, so tests pass a fake). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

export interface WebUtilsLike {
  getPathForFile(file: File): string;
}

/** window.api in Electron: the contract plus the dropped-file path lookup (drag-and-drop, file pickers). */
export type PreloadApi = Api & {
  /**
   * The host path of a File the user dropped or picked, once main has granted it; '' when the File is not
   * backed by a file on disk (or main refused it).
   */
  pathForFile(file: File): Promise<string>;
};

export function buildPreloadApi(ipc: IpcRendererLike, webUtils: WebUtilsLike): PreloadApi {
  const on: ApiOn = <E extends EventName>(event: E, listener: EventListener<E>) => {
    if (!isEventName(event)) throw new TypeError(`Unknown event "${String(event)}".`);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as EventPayloads[E]);
    ipc.on(event, wrapped);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      ipc.removeListener(event, wrapped);
    };
  };
  const api = buildApi(async (channel, arg) => {
    try {
      return (await ipc.invoke(channel, arg)) as Result<unknown>;
    } catch {
      // The registrar never rejects; this is the main process going away (quit, crash).
      return { ok: false, error: { code: 'INTERNAL', message: 'Cohort Relay’s engine did not answer. Restart Cohort Relay.', retryable: true } };
    }
  }, on);
  const pathForFile = async (file: File): Promise<string> => {
    const path = webUtils.getPathForFile(file);
    if (!path) return '';
    try {
      return (await ipc.invoke(FILE_GIVEN_CHANNEL, path)) === true ? path : '';
    } catch {
      return '';
    }
  };
  return Object.freeze({ ...api, pathForFile }) satisfies PreloadApi;
}
