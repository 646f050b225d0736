/**
 * The CLI's run log and undo say what happened (review s7 2c, 2e), through the CLI's own process against the offline
 * sandbox: a run the day's calls cut short shows what it sent of its plan; the undo of a full replace of a membership
 * not known here is refused in plain words, naming the file to sync instead, and sends nothing.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { Store } from '../../../electron/core/store';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let dir: string;
let env: NodeJS.ProcessEnv;
let sim: SimulatorHandle;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

async function sync(list: readonly string[], file: string) {
  const csv = path.join(dir, file);
  writeEmailCsv(csv, list);
  return cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers'], env);
}

/** Changes the data folder between CLI runs, as another process would. */
function withStore(use: (s: Store) => void): void {
  const s = Store.open(env.COHORT_RELAY_HOME!);
  try {
    use(s);
  } finally {
    s.close();
  }
}

describe('the CLI run log and undo', () => {
  it('shows what a cut-short run sent of its plan', async () => {
    // Calls of 2,000 people (400 a file, 5 files a call), so b.csv is cheaper as +/− than as a REPLACE.
    env = { ...env, COHORT_RELAY_HASHES_PER_FILE: '400', COHORT_RELAY_FILES_PER_CALL: '5' };
    expect((await sync(emails(0, 2000), 'a.csv')).code).toBe(0);
    // Today only one more call: b.csv needs an APPEND (200 new) and a REMOVE (120 gone).
    withStore((s) => s.settings.set('quota.dailyBudget', 2));
    const cut = await sync(emails(120, 2080), 'b.csv');
    expect(cut.stdout).toMatch(/^\+200 −0 sent of \+200 −120 planned, 1 call; 0 of 2 calls left today$/m);
    const log = (await cli(['runs'], env)).stdout;
    expect(log).toMatch(/^#2 audience 1 cli deferred \S+: rows 2,080, rejected 0, \+200 −0 sent of \+200 −120 planned, 1 call, rest at \S+/m);
    expect(log).toMatch(/^#1 audience 1 cli done \S+: rows 2,000, rejected 0, \+2,000 −0, 1 call$/m);
    expect((await cli(['runs', '--run', '2'], env)).stdout).toMatch(/^Run 2: deferred, \+200 −0 sent of \+200 −120 planned, 1 call;/);
  }, 60_000);

  it('refuses to undo a full replace of a membership not known here, and says what to do instead', async () => {
    expect((await sync(emails(0, 1500), 'a.csv')).code).toBe(0);
    withStore((s) => s.snapshots.clear(1)); // this computer loses its record of who is in the audience
    expect((await sync(emails(0, 1800), 'b.csv')).code).toBe(0);
    expect((await cli(['runs'], env)).stdout).toMatch(/^#2 audience 1 cli done \S+: rows 1,800, rejected 0, replaced: 1,800 people, 1 call$/m);
    const updates = sim.requests('dmp/custom_audience/update').length;
    for (const args of [['undo', '--audience-id', '1', '--dry-run'], ['undo', '--audience-id', '1']]) {
      const r = await cli(args, env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/replaced the whole membership of "Buyers".*cannot be undone exactly.*sync the file of the sync before it again: a\.csv/);
      expect(r.stdout).not.toMatch(/re-add/);
    }
    expect(sim.requests('dmp/custom_audience/update')).toHaveLength(updates);
  }, 60_000);
});
