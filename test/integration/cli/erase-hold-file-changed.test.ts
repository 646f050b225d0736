/**
 * An erasure plans a held sync again from the file as it is now. What the user decided about the hold ("Sync anyway
 * (once)", "Keep audience as is") stands only when that is the file they saw less the person erased: a file changed
 * since is held again with its own numbers, and a confirmation naming the old hold no longer matches. A hold that
 * cannot be planned again is said so, not claimed re-planned.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { confirmHold } from '../../../electron/core/sync/removal-guard';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

const PERSON = 'user5@example.com';
const csv = () => path.join(dir, 'cohort.csv');
const sync = (list: readonly string[] | null, ...extra: string[]) => {
  if (list) writeEmailCsv(csv(), list);
  return cli(['sync', '--csv', csv(), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', ...extra], env);
};

/** 5,000 synced, then a 1,750-row file held (exit 3); the app's "Sync anyway (once)" confirms it without syncing. */
async function heldAndConfirmed(): Promise<{ tiktokId: string; runId: number }> {
  const first = await sync(emails(0, 5000), '--json');
  expect(first.code, first.stderr).toBe(0);
  const tiktokId = (JSON.parse(first.stdout) as { audienceId: string }).audienceId;
  expect((await sync(emails(0, 1750))).code).toBe(3);
  const store = Store.open(path.join(dir, 'home'));
  try {
    const runId = store.holds.get(1)!.runId!;
    expect(confirmHold(store, 1, runId, new Date()).state).toBe('confirmed');
    return { tiktokId, runId };
  } finally {
    store.close();
  }
}

describe('erase while a held sync is confirmed', () => {
  it('a file changed since the confirmation is held again with its own numbers: nobody is removed unasked', async () => {
    const { tiktokId, runId } = await heldAndConfirmed();
    writeEmailCsv(csv(), emails(0, 1100));
    const dry = await sync(null, '--dry-run');
    expect(dry.stdout).toContain('will be held');

    const erased = await cli(['erase', '--email', PERSON, '--yes'], env);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Buyers: the file changed since you confirmed it, so that confirmation no longer applies.');
    expect(erased.stdout).toContain('cohort-relay removals confirm --audience-id 1');

    const list = await cli(['removals'], env);
    expect(list.stdout).toContain('HELD — needs you');
    expect(list.stdout).not.toContain('confirmed once');
    const hold = (JSON.parse((await cli(['removals', '--json'], env)).stdout) as { audiences: { hold: { state: string; removes: number; currentSize: number; runId: number } }[] }).audiences[0]!.hold;
    expect(hold).toMatchObject({ state: 'held', removes: 3900, currentSize: 4999 });
    expect(hold.runId).not.toBe(runId);

    // The app's confirmation of the hold it showed before (its run) no longer matches.
    const store = Store.open(path.join(dir, 'home'));
    try {
      expect(() => confirmHold(store, 1, runId, new Date())).toThrow(/changed since/);
    } finally {
      store.close();
    }

    const again = await sync(null);
    expect(again.code, again.stdout).toBe(3);
    expect(sim.membership(tiktokId)!.size).toBe(4999);
    expect(sim.membership(tiktokId)!.has(sha256Hex(PERSON))).toBe(false);
  });

  it('the same file keeps its confirmation, planned again without the person; the next sync sends it', async () => {
    const { tiktokId, runId } = await heldAndConfirmed();
    const erased = await cli(['erase', '--email', PERSON, '--yes'], env);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Buyers: its held sync stays confirmed (its next sync sends it), planned again without the person.');
    const hold = (JSON.parse((await cli(['removals', '--json'], env)).stdout) as { audiences: { hold: { state: string; removes: number; runId: number } }[] }).audiences[0]!.hold;
    expect(hold).toMatchObject({ state: 'confirmed', removes: 3250, runId });

    const done = await sync(null, '--json');
    expect(done.code, done.stdout).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ status: 'done', removes: 3250 });
    const want = hashSet(emails(0, 1750));
    want.delete(sha256Hex(PERSON));
    expect(sim.membership(tiktokId)).toEqual(want);
  });
});

describe('erase when the held sync cannot be planned again', () => {
  it('says so, with the reason, instead of claiming it was planned again', async () => {
    await heldAndConfirmed();
    fs.rmSync(csv());
    const erased = await cli(['erase', '--email', PERSON, '--yes'], env);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Buyers: its held sync could not be planned again without the person, so it stays held as it was; confirming it checks the file again. The cohort file');
    expect(erased.stdout).not.toContain('planned again without the person. ');
  });

  it('a file under the 1,000 floor is named as the reason', async () => {
    await heldAndConfirmed();
    writeEmailCsv(csv(), emails(0, 600));
    const erased = await cli(['erase', '--email', PERSON, '--yes'], env);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain("confirming it checks the file again. The file as it is now would leave the audience with 599 people, under TikTok's 1,000 floor.");
  });
});

describe('erase while a held sync of a multi-key audience is confirmed', () => {
  const idfa = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const write = (n: number) => fs.writeFileSync(csv(), `Email,IDFA\n${emails(0, n).map((e, i) => `${e},${idfa(i)}`).join('\n')}\n`);
  const syncMulti = (...extra: string[]) => cli(['sync', '--csv', csv(), '--keys', 'email=Email,idfa=IDFA', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Multi', ...extra], env);
  const confirmed = async () => {
    write(5000);
    expect((await syncMulti()).code).toBe(0);
    write(1750);
    expect((await syncMulti()).code).toBe(3);
    const store = Store.open(path.join(dir, 'home'));
    try {
      confirmHold(store, 1, store.holds.get(1)!.runId, new Date());
    } finally {
      store.close();
    }
  };
  const holdState = async () => (JSON.parse((await cli(['removals', '--json'], env)).stdout) as { audiences: { hold: { state: string; removes: number } }[] }).audiences[0]!.hold;

  it('the same file keeps its confirmation', async () => {
    await confirmed();
    expect((await cli(['erase', '--email', PERSON, '--yes'], env)).code).toBe(0);
    expect(await holdState()).toMatchObject({ state: 'confirmed', removes: 3250 });
    expect((await syncMulti()).code).toBe(0);
  });

  it('a changed file is held again', async () => {
    await confirmed();
    write(1100);
    expect((await cli(['erase', '--email', PERSON, '--yes'], env)).code).toBe(0);
    expect(await holdState()).toMatchObject({ state: 'held', removes: 3900 });
    expect((await syncMulti()).code).toBe(3);
  });
});
