/**
 * The words of `undo` claim only what it did: an undo the day's calls cut short says what it sent of its plan and that
 * it does not finish by itself (run undo again after the calls come back); a refused undo exits 1, as the README says.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { DAILY_BUDGET_KEY } from '../../../electron/core/sync/sync-service';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s), { COHORT_RELAY_HASHES_PER_FILE: '100', COHORT_RELAY_FILES_PER_CALL: '2' });

const csv = () => path.join(dir, 'cohort.csv');
const sync = (list: readonly string[]) => {
  writeEmailCsv(csv(), list);
  return cli(['sync', '--csv', csv(), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', '--json'], env);
};
const withStore = <T>(fn: (s: Store) => T): T => {
  const s = Store.open(path.join(dir, 'home'));
  try {
    return fn(s);
  } finally {
    s.close();
  }
};

describe('cohort-relay undo words', () => {
  it('an undo cut short by the day\'s calls says what it sent, not its plan, and to run undo again', async () => {
    const tiktokId = (JSON.parse((await sync(emails(0, 1500))).stdout) as { audienceId: string }).audienceId;
    expect((await sync([...emails(0, 1300), ...emails(5000, 200)])).code).toBe(0);
    // One call left today: the undo needs two (put back 200, take out 200).
    withStore((s) => s.settings.set(DAILY_BUDGET_KEY, s.quota.used(1, new Date()) + 1));
    const undo = await cli(['undo', '--audience-id', '1'], env);
    expect(undo.code, undo.stderr).toBe(0);
    // One call went out (the 200 put back); the 200 to take out did not: the words say so, never "−200 removed".
    expect(undo.stdout).toMatch(/^Undo deferred: \+200 −0 sent of \+200 −200 planned, 1 call\. Today's \d+ calls for this audience are used/);
    expect(undo.stdout).not.toContain('−200 removed');
    expect(undo.stdout).toMatch(/The undo does not finish by itself: run "cohort-relay undo --audience-id 1" again after \d{4}-\d\d-\d\dT00:00:00\.000Z to send the rest\./);
    expect(undo.stdout).toContain('The audience\'s schedule is paused');
    expect(sim.membership(tiktokId)!.size).toBe(1700);
    expect((await cli(['runs'], env)).stdout).toMatch(/^#3 audience 1 undo deferred \S+: rows 0, rejected 0, \+200 −0 sent of \+200 −200 planned, 1 call, the rest when undo is run again after \S+T00:00:00\.000Z — /m);

    // Run again once the calls are back: it finishes, back to the first file.
    withStore((s) => s.settings.set(DAILY_BUDGET_KEY, 24));
    const again = await cli(['undo', '--audience-id', '1', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'done', adds: 0, removes: 200, sent: { added: 0, removed: 200 }, finish: null });
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 1500)));
  });

  it('a refused undo (nothing to undo, a full replace of a membership not known here) exits 1 as failed work, not 2 as bad input', async () => {
    expect((await sync(emails(0, 1500))).code).toBe(0);
    withStore((s) => s.snapshots.clear(1)); // this computer loses its record of who is in the audience
    expect((await sync(emails(0, 1800))).code).toBe(0); // a full replace
    for (const args of [['undo', '--audience-id', '1'], ['undo', '--audience-id', '1', '--dry-run']]) {
      const r = await cli(args, env);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/cannot be undone exactly/);
      const j = await cli([...args, '--json'], env);
      expect(j.code).toBe(1);
      expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'UNDO_REFUSED' } });
    }
    // An unknown audience is still bad input.
    expect((await cli(['undo', '--audience-id', '9'], env)).code).toBe(2);
  });

  it('nothing to undo exits 1', async () => {
    expect((await sync(emails(0, 1500))).code).toBe(0);
    expect((await sync(emails(0, 1600))).code).toBe(0);
    expect((await cli(['undo', '--audience-id', '1'], env)).code).toBe(0);
    const r = await cli(['undo', '--audience-id', '1'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/There is no sync to undo for this audience/);
  });
});
