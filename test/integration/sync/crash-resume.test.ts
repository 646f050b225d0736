import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(__dirname, '../../..');
let sim: SimulatorHandle;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ dir, cleanup } = tmpDir());
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, matchRate: 'exact' });
});
afterAll(async () => {
  await sim.close();
  cleanup();
});

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  killedAt: number | null;
}

/**
 * Runs `cohort-relay sync` in a child process; when `killAfterRequests` is set, SIGKILLs it the moment
 * the sandbox has seen that many more requests (so the kill lands mid-sync, around that call).
 */
function runSync(csv: string, killAfterRequests: number | null): Promise<ChildResult> {
  const start = sim.requests().length;
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Crash test', '--json', '--max-removals', 'off'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      COHORT_RELAY_HOME: path.join(dir, 'data'),
      TIKTOK_ACCESS_TOKEN: sim.accessToken,
      TIKTOK_API_BASE: sim.url,
      COHORT_RELAY_KEYCHAIN: 'off',
      // Many small files and calls, so there are many instants to crash at.
      COHORT_RELAY_HASHES_PER_FILE: '100',
      COHORT_RELAY_FILES_PER_CALL: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', () => {});
  let killedAt: number | null = null;
  let exited = false;
  const watch = () => {
    if (exited || killAfterRequests === null) return;
    const seen = sim.requests().length - start;
    if (seen >= killAfterRequests) {
      killedAt = seen;
      child.kill('SIGKILL');
      return;
    }
    setImmediate(watch);
  };
  watch();
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, killedAt });
    });
  });
}

function ledger(): { used: number; audienceId: number | null; tiktokId: string | null } {
  const store = Store.open(path.join(dir, 'data'));
  try {
    const a = store.audiences.list().find((x) => x.name === 'Crash test');
    return { used: a ? store.quota.used(a.id, new Date()) : 0, audienceId: a?.id ?? null, tiktokId: a?.tiktokAudienceId ?? null };
  } finally {
    store.close();
  }
}

describe('SIGKILL at many instants of a sync, then a rerun', () => {
  it.each([
    ['the first sync (create + APPENDs)', emails(0, 1500)],
    ['an incremental sync (APPENDs + REMOVEs)', emails(500, 1500)],
  ])('%s converges to the exact membership without exceeding the cap', async (_label, list) => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, list);
    const kills: number[] = [];
    for (const k of [1, 2, 4, 6, 9, 13]) {
      const r = await runSync(csv, k);
      if (r.signal === 'SIGKILL') kills.push(r.killedAt!);
      else break; // the run finished before the kill point
    }
    expect(kills.length).toBeGreaterThan(1);
    const final = await runSync(csv, null);
    expect(final.code).toBe(0);
    const out = JSON.parse(final.stdout.trim().split('\n').at(-1)!) as { status: string; audienceId: string };
    expect(out.status).toBe('done');
    const { used, tiktokId } = ledger();
    expect(tiktokId).toBe(out.audienceId);
    expect(sim.membership(out.audienceId)).toEqual(hashSet(list));
    expect(sim.audiences(sim.advertiserIds[0]).filter((a) => a.name === 'Crash test')).toHaveLength(1);
    expect(used).toBeLessThanOrEqual(24);
    expect(sim.callsOn(out.audienceId)).toBeLessThanOrEqual(used);
  }, 120_000);
});
