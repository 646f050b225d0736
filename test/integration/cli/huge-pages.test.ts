/**
 * The CLI's launcher (electron/cli/index.ts): a plan or sync of a large file starts again with glibc's huge-page
 * setting (COHORT_RELAY_HUGE_PAGES=always makes any file count, so a small one shows it here). The second process does
 * the work: same output, same exit code, and a signal sent to the first one stops both. The real built CLI (the
 * sources under tsx when it is not built); a preload records each Node process's GLIBC_TUNABLES.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BUILT = path.join(ROOT, 'out/cli/index.js');
const CLI = fs.existsSync(BUILT) ? [BUILT] : ['--import', 'tsx', path.join(ROOT, 'electron/cli/index.ts')];
let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tmpDir());
  // Each Node process writes "PID TUNABLES" when it starts, and "PID ready" once the CLI listens for SIGTERM.
  fs.writeFileSync(
    path.join(dir, 'record.cjs'),
    [
      "const fs = require('fs');",
      "fs.appendFileSync(process.env.HP_LOG, process.pid + ' ' + (process.env.GLIBC_TUNABLES || '-') + '\\n');",
      "process.on('newListener', (ev) => { if (ev === 'SIGTERM') fs.appendFileSync(process.env.HP_LOG, process.pid + ' ready\\n'); });",
    ].join('\n'),
  );
});
afterEach(() => cleanup());

function csv(rows: number): string {
  const file = path.join(dir, `c${rows}.csv`);
  const lines = ['email,plan'];
  for (let i = 0; i < rows; i++) lines.push(`person${i}@example.com,pro`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function cli(args: string[], hugePages: string) {
  const log = path.join(dir, `processes-${hugePages}.log`);
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: dir, COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off', COHORT_RELAY_HUGE_PAGES: hugePages, HP_LOG: log, NODE_OPTIONS: `--require ${path.join(dir, 'record.cjs')}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const lines = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]) : []);
  const processes = () => lines().filter((l) => l[1] !== 'ready');
  const ready = () => lines().filter((l) => l[1] === 'ready').map((l) => Number(l[0]));
  return { child, done, processes, ready };
}

it('a plan starts again with glibc.malloc.hugetlb=1 and prints what a plan in one process prints', async () => {
  const file = csv(2000);
  const args = ['plan', '--csv', file, '--key', 'email', '--json'];
  const [twice, once] = [cli(args, 'always'), cli(args, 'off')];
  const [a, b] = await Promise.all([twice.done, once.done]);
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  const started = twice.processes();
  expect(started).toHaveLength(2);
  expect(started[0]![1]).toBe('-');
  expect(started[1]![1]).toBe('glibc.malloc.hugetlb=1');
  expect(once.processes()).toEqual([[expect.any(String), '-']]);
}, 60_000);

it('the exit code and the error of the second process are the command\'s', async () => {
  const r = await cli(['plan', '--csv', path.join(dir, 'missing.csv'), '--key', 'email', '--json'], 'always').done;
  const direct = await cli(['plan', '--csv', path.join(dir, 'missing.csv'), '--key', 'email', '--json'], 'off').done;
  expect(r.code).toBe(direct.code);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe(direct.stdout);
  expect(JSON.parse(r.stdout).error.code).toBe('FILE_NOT_FOUND');
}, 60_000);

it('SIGTERM to the first process stops the second one too: it cancels the plan', async () => {
  const file = csv(400_000);
  const run = cli(['plan', '--csv', file, '--key', 'email', '--json'], 'always');
  while (run.processes().length < 2 || !run.ready().includes(Number(run.processes()[1]![0]))) await new Promise((r) => setTimeout(r, 10));
  run.child.kill('SIGTERM');
  const r = await run.done;
  expect(r.stdout).toContain('CANCELLED');
  expect(r.code).toBe(1);
  expect(() => process.kill(Number(run.processes()[1]![0]), 0)).toThrow();
}, 60_000);

it('a stop request heard twice at once (the terminal\'s Ctrl-C and the launcher\'s) cancels the plan; it does not kill it', async () => {
  const file = csv(400_000);
  const run = cli(['plan', '--csv', file, '--key', 'email', '--json'], 'off');
  while (run.ready().length < 1) await new Promise((r) => setTimeout(r, 10));
  run.child.kill('SIGINT');
  // Apart, so that the second is not merged into the first while pending.
  await new Promise((r) => setTimeout(r, 150));
  run.child.kill('SIGINT');
  const r = await run.done;
  expect(r.signal).toBeNull();
  expect(r.stdout).toContain('CANCELLED');
}, 60_000);
