/**
 * An erasure between a held sync and its confirmation: the hold survives, re-planned without the erased person, and
 * both the erase and `removals confirm` say so; the confirmed sync then sends the file without them.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { DAILY_BUDGET_KEY } from '../../../electron/core/sync/sync-service';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

const PERSON = 'erase.me.please@example.org';

const csv = () => path.join(dir, 'cohort.csv');
const sync = (list: readonly string[] | null, ...extra: string[]) => {
  if (list) writeEmailCsv(csv(), list);
  return cli(['sync', '--csv', csv(), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', ...extra], env);
};

describe('erase between a held sync and its confirmation', () => {
  it('keeps the hold, re-planned without the person; removals confirm then sends the file without them', async () => {
    const first = await sync([...emails(0, 5000), PERSON], '--json');
    expect(first.code, first.stderr).toBe(0);
    const tiktokId = (JSON.parse(first.stdout) as { audienceId: string }).audienceId;
    const smaller = [...emails(0, 1750), PERSON];
    const held = await sync(smaller);
    expect(held.code, held.stdout).toBe(3);

    const erased = await cli(['erase', '--email', PERSON, '--yes'], env);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Buyers: its held sync stays held');
    expect(erased.stdout).toContain('cohort-relay removals confirm --audience-id 1');
    const list = await cli(['removals', '--json'], env);
    expect(JSON.parse(list.stdout).audiences[0].hold).toMatchObject({ state: 'held', removes: 3250 });

    const confirm = await cli(['removals', 'confirm', '--audience-id', '1', '--json'], env);
    expect(confirm.code, confirm.stdout + confirm.stderr).toBe(0);
    expect(JSON.parse(confirm.stdout)).toMatchObject({ status: 'done', removes: 3250 });
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 1750)));
    expect(sim.membership(tiktokId)!.has(sha256Hex(PERSON))).toBe(false);
  });

  it('an erasure queued for the day\'s calls leaves the hold as it was; confirming sends the erasure first, then the held sync without the person', async () => {
    const tiktokId = (JSON.parse((await sync([...emails(0, 5000), PERSON], '--json')).stdout) as { audienceId: string }).audienceId;
    expect((await sync([...emails(0, 1750), PERSON])).code).toBe(3);
    const store = () => Store.open(path.join(dir, 'home'));
    let s = store();
    s.settings.set(DAILY_BUDGET_KEY, s.quota.used(1, new Date()));
    s.close();

    const preview = await cli(['erase', '--email', PERSON], env);
    expect(preview.stdout).toContain('Buyers has a sync held for your choice: it stays held, planned again without the person.');
    const erased = await cli(['erase', '--email', PERSON, '--yes', '--json'], env);
    expect(erased.code, erased.stderr).toBe(0);
    const r = JSON.parse(erased.stdout) as { message: string; audiences: { outcome: string; hold: unknown }[] };
    expect(r.message).toContain('Buyers: its held sync stays held until you choose; the removal of the person goes out first.');
    expect(r.audiences[0]).toMatchObject({ outcome: 'queued', hold: { reason: 'removals', state: 'held', removes: 3250 } });
    expect(sim.membership(tiktokId)!.has(sha256Hex(PERSON))).toBe(true);

    s = store();
    s.settings.set(DAILY_BUDGET_KEY, 24);
    s.close();
    const confirm = await cli(['removals', 'confirm', '--audience-id', '1', '--json'], env);
    expect(confirm.code, confirm.stdout + confirm.stderr).toBe(0);
    expect(JSON.parse(confirm.stdout)).toMatchObject({ status: 'done', removes: 3250 });
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 1750)));
  });
});
