/**
 * PLACEHOLDER written by the desktop-shell work so the hosts build and start: every handler answers
 * INTERNAL "not wired yet". The lead replaces this file with the real facade (same export, same types).
 */
import { CHANNELS } from '../../shared/ipc/channels';
import type { Handlers } from '../../shared/ipc/contract';
import type { EngineHost, EngineOptions } from '../../shared/ipc/engine-host';
import { createEventHub } from '../../shared/ipc/events';
import { AppError } from '../../shared/errors';

/** Creates the engine for one host process. */
export async function createEngine(_opts: EngineOptions): Promise<EngineHost> {
  const notWired = async (): Promise<never> => {
    throw new AppError('INTERNAL', 'The engine is not wired into this build yet, so this action is unavailable. Use a build that includes the sync engine.');
  };
  const handlers = Object.fromEntries(CHANNELS.map((c) => [c, notWired])) as unknown as Handlers;
  return {
    handlers,
    events: createEventHub(),
    onResume() {},
    traySnapshot: async () => ({ pausedAll: false, audiences: [], needsReconnect: 0 }),
    shutdown: async () => {},
  };
}
