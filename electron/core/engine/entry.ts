/**
 * The engine process's entry, built to out/engine/index.js (`npm run build`). Electron's main starts it with
 * `utilityProcess.fork`; the web host, the daemon and the tests with Node's `child_process.fork` and
 * serialization 'advanced'. Both carry the same messages (shared/ipc/engine-host.ts) as structured clones.
 */
import { fileURLToPath } from 'node:url';
import { isSimulatorThread, runSimulatorThread } from '../sandbox/thread';
import { serveEngine, describeInternal, type EngineSidePort } from './engine-process';

/** Electron's utilityProcess gives the child `process.parentPort`. */
interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const parentPort = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;

let port: EngineSidePort | null = null;
if (isSimulatorThread()) {
  // This file again, on the thread the engine's offline sandbox runs on (sandbox/thread.ts).
  void runSimulatorThread();
} else if (parentPort) {
  port = {
    send: (m) => parentPort.postMessage(m),
    onMessage: (listener) => parentPort.on('message', (e) => listener(e.data)),
    // Electron ends a utility process together with its parent.
    onClose: () => {},
  };
} else if (process.send) {
  const sendToHost = process.send.bind(process);
  port = {
    send: (m) => void sendToHost(m),
    onMessage: (listener) => process.on('message', listener),
    onClose: (listener) => process.once('disconnect', listener),
  };
}

if (isSimulatorThread()) {
  // Served by runSimulatorThread.
} else if (!port) {
  log('The Cohort Relay engine is started by the app (desktop app, web host or daemon), not on its own.');
  process.exit(2);
} else {
  // A rejection nobody handled is logged (redacted) and the engine stays up; an uncaught exception ends the
  // process, and the host restarts it (sync jobs are persisted).
  process.on('unhandledRejection', (err) => log(describeInternal('unhandled rejection', err)));
  process.on('uncaughtException', (err) => {
    log(describeInternal('uncaught exception', err));
    process.exit(70);
  });
  serveEngine(port, { exit: (code) => process.exit(code), log, sandboxThread: fileURLToPath(import.meta.url) });
}
