/**
 * Electron's side of the engine-process seam (issue #13 §1): the built engine entry (out/engine/index.js) in a
 * `utilityProcess`, carrying the same structured-clone messages as the Node fork the web host, the daemon and
 * the tests use (electron/core/engine/engine-client.ts supervises both alike). Main keeps the windows, tray,
 * notifications and dialogs and only relays; the engine's work never runs on its thread.
 */
import { utilityProcess } from 'electron';
import type { EngineProcessPort, SpawnEngine } from '../core/engine/engine-client';
import type { ToEngine } from '../../shared/ipc/engine-host';

export function utilityEngineSpawner(entry: string): SpawnEngine {
  return (): EngineProcessPort => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Cohort Relay engine', stdio: 'inherit' });
    let spawned = false;
    let exited = false;
    // Messages sent before the process has spawned wait for it.
    const queued: ToEngine[] = [];
    const exitListeners: ((code: number | null) => void)[] = [];
    child.once('spawn', () => {
      spawned = true;
      for (const m of queued.splice(0)) child.postMessage(m);
    });
    child.once('exit', (code) => {
      exited = true;
      for (const l of exitListeners) l(code);
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (exited) throw new Error('engine channel closed');
        if (spawned) child.postMessage(message);
        else queued.push(message);
      },
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void exitListeners.push(listener),
      kill: () => void child.kill(),
    };
  };
}
