/**
 * A reader that stops reading (`cohort-relay status | head -1`) closes the command's stdout: the command ends quietly,
 * exit 0 as `git log | head` does, never with an EPIPE stack trace. The real CLI process, its stdout a pipe closed
 * before it writes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(ROOT, 'electron/cli/index.ts');
let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tmpDir());
});
afterEach(() => cleanup());

/** Runs `cohort-relay <args>` with its stdout's reader gone at once; its exit code and what it wrote to stderr. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: dir, COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

it('status, runs, status --json and --help end quietly with exit 0 when stdout is closed', async () => {
  const results = await Promise.all([['status'], ['runs'], ['status', '--json'], ['--help']].map(withClosedStdout));
  for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
}, 30_000);
