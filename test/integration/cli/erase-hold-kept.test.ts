/**
 * "Keep audience as is" is for the file, whatever its numbers: an erasure that takes the held sync's removals under
 * the limit does not drop that choice. The same file stays held (kept, with the new numbers) and the next sync removes
 * nobody the user chose to keep; `removals confirm` still sends it when the user wants it after all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

const csv = () => path.join(dir, 'cohort.csv');
const sync = (list: readonly string[] | null, ...extra: string[]) => {
  if (list) writeEmailCsv(csv(), list);
  return cli(['sync', '--csv', csv(), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', ...extra], env);
};

describe('erase while a held sync is kept as is', () => {
  it('an erasure that brings the same file under the limit keeps the choice: the next sync stays held and removes nobody', async () => {
    const first = await sync(emails(0, 5000), '--json');
    expect(first.code, first.stderr).toBe(0);
    const tiktokId = (JSON.parse(first.stdout) as { audienceId: string }).audienceId;
    // Same size, 1,001 people swapped: 20.02 % removed, over the 20 % limit.
    const swapped = [...emails(0, 3999), ...emails(10000, 1001)];
    expect((await sync(swapped)).code).toBe(3);
    const keep = await cli(['removals', 'keep', '--audience-id', '1'], env);
    expect(keep.code, keep.stdout + keep.stderr).toBe(0);
    expect((await sync(null)).code).toBe(3);

    // Two of the people the held sync would remove: 999 left, 19.99 %, within the limit.
    const erased = await cli(['erase', '--email', 'user4500@example.com', '--id', 'user4501@example.com', '--yes'], env);
    expect(erased.code, erased.stdout + erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Buyers: its held sync stays held (kept as is, as you chose), planned again without the person.');
    expect(erased.stdout).not.toContain('no longer needs your choice');
    expect(erased.stdout).toContain('This sync would remove 999 of 4,998 people, but you chose to keep the audience as is for this file');
    const list = await cli(['removals', '--json'], env);
    expect(JSON.parse(list.stdout).audiences[0].hold).toMatchObject({ state: 'kept', currentSize: 4998, removes: 999 });

    const next = await sync(null);
    expect(next.code, next.stdout + next.stderr).toBe(3);
    expect(next.stdout + next.stderr).toContain('you chose to keep the audience as is for this file');
    const kept = [...emails(0, 4500), ...emails(4502, 498)];
    expect(sim.membership(tiktokId)).toEqual(hashSet(kept));

    // Wanted after all: confirming sends it.
    const confirm = await cli(['removals', 'confirm', '--audience-id', '1', '--json'], env);
    expect(confirm.code, confirm.stdout + confirm.stderr).toBe(0);
    expect(JSON.parse(confirm.stdout)).toMatchObject({ status: 'done', removes: 999 });
    expect(sim.membership(tiktokId)).toEqual(hashSet(swapped));
  });

  it('a changed file is checked again: within the limit, its sync goes ahead', async () => {
    expect((await sync(emails(0, 5000))).code).toBe(0);
    expect((await sync([...emails(0, 3999), ...emails(10000, 1001)])).code).toBe(3);
    expect((await cli(['removals', 'keep', '--audience-id', '1'], env)).code).toBe(0);
    expect((await cli(['erase', '--email', 'user4500@example.com', '--email', 'user4501@example.com', '--yes'], env)).code).toBe(0);
    const changed = await sync([...emails(0, 4100), ...emails(10000, 900)], '--json');
    expect(changed.code, changed.stdout + changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ status: 'done', removes: 898 });
  });

  it('a person named now who is in the held file but not yet in the audience does not make the same file look changed', async () => {
    expect((await sync(emails(0, 5000))).code).toBe(0);
    const NEWCOMER = 'newcomer@example.org';
    expect((await sync([...emails(0, 1750), NEWCOMER])).code).toBe(3);
    expect((await cli(['removals', 'keep', '--audience-id', '1'], env)).code).toBe(0);
    const erased = await cli(['erase', '--email', 'user5@example.com', '--email', NEWCOMER, '--yes'], env);
    expect(erased.code, erased.stdout + erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Buyers: its held sync stays held (kept as is, as you chose), planned again without the person.');
    expect(erased.stdout).not.toContain('the file changed');
    expect(JSON.parse((await cli(['removals', '--json'], env)).stdout).audiences[0].hold).toMatchObject({ state: 'kept', removes: 3250 });
    expect((await sync(null)).code).toBe(3);
  });

  it('when the file as held cannot be planned again (its columns changed), the erasure says it could not be checked, not that the file changed', async () => {
    const file = path.join(dir, 'wide.csv');
    const write = (n: number) => fs.writeFileSync(file, `Email,Email 2,Phone\n${Array.from({ length: n }, (_, i) => `p${i}@example.com,${i % 3 === 0 ? `second${i}@example.org` : ''},+1415${String(2_000_000 + i).padStart(7, '0')}`).join('\n')}\n`);
    const syncKeys = (keys: string) => cli(['sync', '--csv', file, '--keys', keys, '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers'], env);
    write(1454);
    expect((await syncKeys('email=Email,phone=Phone')).code).toBe(0);
    write(1097);
    expect((await syncKeys('email=Email,email=Email 2,phone=Phone')).code).toBe(3);
    const erased = await cli(['erase', '--email', 'p5@example.com', '--yes'], env);
    expect(erased.code, erased.stdout + erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Buyers: whether the file is still the one held could not be checked. Planned again from the file as it is now, without the person, the sync is held until you choose.');
    expect(erased.stdout).not.toContain('the file changed');
  });
});
