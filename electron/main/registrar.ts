/**
 * Electron's registrar between the renderer and the engine's handlers (STYLE.md "IPC"): binds the host-neutral
 * dispatcher (shared/ipc/dispatcher.ts: sender check, zod parse, error envelope) to ipcMain, one handler per
 * contract channel, trusting only frames that pass `isTrustedSender`.
 */
import { CHANNELS } from '../../shared/ipc/contract';
import type { Handlers } from '../../shared/ipc/contract';
import { createDispatcher } from '../../shared/ipc/dispatcher';
import type { DispatcherOptions } from '../../shared/ipc/dispatcher';

/** The part of a WebFrameMain the trust check reads. */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** The part of Electron's IpcMainInvokeEvent the registrar reads. */
export interface InvokeEventLike {
  readonly senderFrame: SenderFrameLike | null;
}

/** The part of Electron's ipcMain the registrar uses (structural, so tests pass a fake). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/**
 * Registers one ipcMain handler per contract channel. A request is served only when its sender frame
 * passes `isTrustedSender` (a destroyed frame never does). Returns a function removing the handlers.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  handlers: Handlers,
  isTrustedSender: (frame: SenderFrameLike) => boolean,
  opts: DispatcherOptions = {},
): () => void {
  const dispatch = createDispatcher(handlers, opts);
  for (const channel of CHANNELS) {
    // Only the first argument is read: the preload sends exactly one.
    ipcMain.handle(channel, (event, arg) => dispatch(channel, arg, () => event.senderFrame !== null && isTrustedSender(event.senderFrame)));
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}
