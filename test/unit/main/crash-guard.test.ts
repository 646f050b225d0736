import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

// index.ts imports 'electron', which cannot load outside Electron: a stand-in records what the host does
// when it is loaded as a second instance (it only asks for the lock and quits), enough to see what it
// installs on `process` at load time.
const app = vi.hoisted(() => ({
  isPackaged: true,
  requestSingleInstanceLock: vi.fn(() => false),
  quit: vi.fn(),
  exit: vi.fn(),
  on: vi.fn(),
  whenReady: vi.fn(() => new Promise(() => {})),
}));
vi.mock('electron', () => ({
  app,
  BrowserWindow: class {},
  dialog: {},
  ipcMain: {},
  Menu: {},
  nativeImage: {},
  Notification: {},
  powerMonitor: {},
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  session: {},
  shell: {},
  Tray: class {},
}));

import { describeFailure, installCrashGuard, redactLine } from '../../../electron/main/crash-guard';

const TOKEN = 'act.9f2c4e1b7a6d5c3e8f0a1b2c3d4e5f6a7b8c9d0e';

function failureWithSecrets(): Error {
  const err = new Error(`request failed for jane@example.com with Access-Token ${TOKEN}`);
  err.stack = `Error: ${err.message}\n    at call (/opt/Cohort Relay/resources/app.asar/out/main/index.js:12:3)\n    at https://business-api.tiktok.com/open_api/v1.3/x?access_token=${TOKEN}:1:1`;
  return err;
}

describe('describeFailure', () => {
  it('keeps the name and stack frames but never the message or a token', () => {
    const line = describeFailure('sync', failureWithSecrets());
    expect(line).toContain('sync failed: Error');
    expect(line).toContain('/opt/Cohort Relay/resources/app.asar/out/main/index.js:12:3');
    expect(line).not.toContain('jane@example.com');
    expect(line).not.toContain('9f2c4e1b7a6d5c3e8f0a1b2c3d4e5f6a7b8c9d0e');
  });

  it('masks token-like runs and key=value secrets, leaving ordinary identifiers', () => {
    expect(redactLine(`at x (${'a1'.repeat(16)})`)).toBe('at x ([redacted])');
    expect(redactLine('token=abc&b=1')).toBe('token=[redacted]&b=1');
    expect(redactLine('at processTicksAndRejections (node:internal/process/task_queues:95:5)')).toBe(
      'at processTicksAndRejections (node:internal/process/task_queues:95:5)',
    );
  });
});

describe('installCrashGuard', () => {
  it('logs an uncaught exception and an unhandled rejection, redacted, and keeps the process running', () => {
    const proc = new EventEmitter();
    const lines: string[] = [];
    installCrashGuard(proc, (l) => lines.push(l));
    // Without a listener, emitting 'uncaughtException' on a plain emitter is just an event; with Node's
    // process it is what keeps the process alive. Here: both are handled and nothing throws.
    expect(() => proc.emit('uncaughtException', failureWithSecrets())).not.toThrow();
    expect(() => proc.emit('unhandledRejection', 'rejected with token=' + TOKEN)).not.toThrow();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('uncaught exception failed: Error');
    expect(lines[1]).toContain('unhandled rejection failed: string');
    for (const l of lines) {
      expect(l).not.toContain('9f2c4e1b7a6d5c3e8f0a1b2c3d4e5f6a7b8c9d0e');
      expect(l).not.toContain('jane@example.com');
    }
  });

  it('survives a logger that throws', () => {
    const proc = new EventEmitter();
    installCrashGuard(proc, () => {
      throw new Error('disk full');
    });
    expect(() => proc.emit('uncaughtException', new Error('x'))).not.toThrow();
  });
});

describe('the Electron host (electron/main/index.ts)', () => {
  const before = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };
  afterEach(() => vi.restoreAllMocks());

  it('installs the guard when it loads: a thrown error and a rejected promise are logged redacted and do not quit', async () => {
    await import('../../../electron/main/index');
    const added = {
      exception: process.listeners('uncaughtException').filter((l) => !before.exception.includes(l)),
      rejection: process.listeners('unhandledRejection').filter((l) => !before.rejection.includes(l)),
    };
    try {
      expect(added.exception).toHaveLength(1);
      expect(added.rejection).toHaveLength(1);
      const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
      app.quit.mockClear();
      // Call the host's own listeners directly (emitting on the real process would reach Vitest's too).
      added.exception[0]!(failureWithSecrets(), 'uncaughtException');
      (added.rejection[0] as (reason: unknown, p: Promise<unknown>) => void)(failureWithSecrets(), Promise.resolve());
      expect(logged).toHaveBeenCalledTimes(2);
      const text = logged.mock.calls.map((c) => String(c[0])).join('\n');
      expect(text).toContain('uncaught exception failed: Error');
      expect(text).toContain('unhandled rejection failed: Error');
      expect(text).not.toContain('9f2c4e1b7a6d5c3e8f0a1b2c3d4e5f6a7b8c9d0e');
      expect(text).not.toContain('jane@example.com');
      expect(app.quit).not.toHaveBeenCalled();
      expect(app.exit).not.toHaveBeenCalled();
    } finally {
      for (const l of added.exception) process.off('uncaughtException', l);
      for (const l of added.rejection) process.off('unhandledRejection', l);
    }
  });
});
