/**
 * The engine is the one judge of a cadence (the wizard, the schedule editor and the CLI all reach it): a one-off time
 * already past, or on a day the month lacks, is refused before anything is saved.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers, RequestOf } from '../../../shared/ipc/contract';
import { emails } from '../../helpers/cohort';
import { engineForEachTest } from './helpers';

let dir: string;
let h: Handlers;
let offset = 0;
engineForEachTest('cohort-relay-cadence-once-', (e) => ({ dir, h } = e), { now: () => new Date(Date.now() + offset) });

async function create(cadence: RequestOf<'audiences:create'>['cadence'], name = 'Spring buyers') {
  const file = path.join(dir, 'cohort.csv');
  fs.writeFileSync(file, `email\n${emails(0, 5).join('\n')}\n`);
  const conn = await h['connections:connectSandbox'](undefined);
  return h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence });
}

describe('a one-off cadence', () => {
  it('is refused when its time has passed, or its day does not exist, as the CLI refuses it; nothing is saved', async () => {
    offset = 0;
    await expect(create({ kind: 'once', at: new Date(Date.now() - 60_000).toISOString() })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/ is in the past \(it is now .*\): give a time still to come, or sync now instead\.$/) });
    await expect(create({ kind: 'once', at: `${new Date().getFullYear() + 1}-02-30T09:00` })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/-02-30 is not a day of the calendar: give a date that exists/) });
    expect(await h['audiences:list'](undefined)).toEqual([]);

    const a = await create({ kind: 'manual' });
    await expect(h['audiences:update']({ id: a.id, cadence: { kind: 'once', at: `${new Date().getFullYear() + 1}-04-31T09:00` } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('-04-31 is not a day of the calendar') });
    await expect(h['audiences:update']({ id: a.id, cadence: { kind: 'once', at: '2020-01-01T00:00:00.000Z' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('is in the past') });
    expect((await h['audiences:get']({ id: a.id })).cadence).toEqual({ kind: 'manual' });
  });

  it('is judged by the engine clock, and one that has since passed can still be sent back unchanged with another edit', async () => {
    offset = 0;
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const a = await create({ kind: 'once', at });
    offset = 2 * 3_600_000; // the engine's clock is now past the one-off time
    await expect(h['audiences:update']({ id: a.id, cadence: { kind: 'once', at: new Date(Date.now() + 3_600_000 + 60_000).toISOString() } })).rejects.toMatchObject({ message: expect.stringContaining('is in the past') });
    // A dry run of an edit (the mapping screen's) with the cadence unchanged, then with a past one.
    const file = path.join(dir, 'cohort.csv');
    await expect(h['sync:plan']({ audienceId: a.id, draft: { sourcePath: file, cadence: { kind: 'once', at } } })).resolves.toMatchObject({ audienceId: a.id });
    await expect(h['sync:plan']({ audienceId: a.id, draft: { sourcePath: file, cadence: { kind: 'once', at: '2020-01-01T00:00:00.000Z' } } })).rejects.toMatchObject({ message: expect.stringContaining('is in the past') });
    const renamed = await h['audiences:update']({ id: a.id, name: 'Autumn buyers', cadence: { kind: 'once', at } });
    expect(renamed).toMatchObject({ name: 'Autumn buyers', cadence: { kind: 'once', at } });
  });
});
