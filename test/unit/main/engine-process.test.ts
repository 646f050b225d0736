import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

// Electron's utilityProcess stood in for (Electron cannot run here): a fake child that records what main posts.
const forks = vi.hoisted(() => [] as { entry: string; options: unknown; child: FakeChild }[]);
type FakeChild = EventEmitter & { pid: number | undefined; posted: unknown[]; killed: boolean; postMessage(m: unknown): void; kill(): boolean };

vi.mock('electron', () => ({
  utilityProcess: {
    fork(entry: string, _args: string[], options: unknown) {
      const child = Object.assign(new EventEmitter(), {
        pid: undefined as number | undefined,
        posted: [] as unknown[],
        killed: false,
        postMessage(m: unknown) {
          this.posted.push(m);
        },
        kill() {
          this.killed = true;
          return true;
        },
      });
      forks.push({ entry, options, child });
      return child;
    },
  },
}));

const { utilityEngineSpawner } = await import('../../../electron/main/engine-process');

describe('the engine in a utilityProcess (electron/main/engine-process.ts)', () => {
  it('forks the built entry, holds messages until it has spawned, and relays messages and its exit', () => {
    const port = utilityEngineSpawner('/app/out/engine/index.js')();
    const { entry, options, child } = forks.at(-1)!;
    expect(entry).toBe('/app/out/engine/index.js');
    expect(options).toMatchObject({ serviceName: 'Cohort Relay engine' });

    port.send({ kind: 'host', id: 1, op: 'traySnapshot' });
    expect(child.posted).toEqual([]);
    child.pid = 4321;
    child.emit('spawn');
    expect(child.posted).toEqual([{ kind: 'host', id: 1, op: 'traySnapshot' }]);
    expect(port.pid).toBe(4321);

    const got: unknown[] = [];
    port.onMessage((m) => got.push(m));
    child.emit('message', { kind: 'ready', pid: 4321 });
    expect(got).toEqual([{ kind: 'ready', pid: 4321 }]);

    const exits: (number | null)[] = [];
    port.onExit((code) => exits.push(code));
    child.emit('exit', 9);
    expect(exits).toEqual([9]);
    // After the exit a send fails at once, so the supervisor fails the request with the retryable error.
    expect(() => port.send({ kind: 'host', id: 2, op: 'resume' })).toThrow();
    port.kill();
    expect(child.killed).toBe(true);
  });
});
