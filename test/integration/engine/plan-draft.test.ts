/**
 * #11: a dry run writes nothing. `sync:plan` of an unsaved draft — a new audience, or a saved audience's new
 * source and schedule — plans it on the real engine and the offline sandbox, and leaves the store as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers, RequestOf } from '../../../shared/ipc/contract';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-plan-draft-', (e) => ({ dir, t, h } = e));

function writeCohort(name: string, from: number, count: number): string {
  const file = path.join(dir, name);
  const rows = ['user_id,email'];
  for (let i = from; i < from + count; i++) rows.push(`${i},user${i}@example.com`);
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

async function newAudience(file: string, over: Partial<RequestOf<'audiences:create'>> = {}): Promise<RequestOf<'audiences:create'>> {
  const conn = await h['connections:connectSandbox'](undefined);
  return { advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Buyers', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'hourly' }, ...over };
}

describe('sync:plan of an unsaved draft', () => {
  it('plans a new audience without saving it: nothing is listed, nothing scheduled, and saving it afterwards still works', async () => {
    const req = await newAudience(writeCohort('buyers.csv', 0, 1500));
    const plan = await h['sync:plan']({ create: req });
    expect(plan).toMatchObject({ audienceId: 0, adds: 1500, removes: 0, currentSize: 0, floorWarning: null });
    expect(await h['audiences:list'](undefined)).toEqual([]);
    expect((await t.engine.traySnapshot()).audiences).toEqual([]);
    expect(await h['runs:list'](undefined)).toEqual([]);
    const saved = await h['audiences:create'](req);
    expect(saved).toMatchObject({ name: 'Buyers', cadence: { kind: 'hourly' } });
  });

  it("plans a saved audience with a new source and schedule, and keeps the saved ones until they are saved", async () => {
    const big = writeCohort('big.csv', 0, 1500);
    const a = await h['audiences:create'](await newAudience(big, { cadence: { kind: 'daily', at: '06:00' } }));
    const { runId } = await h['sync:run']({ audienceId: a.id });
    await t.waitFor('run:finished', (p) => p.runId === runId);

    const small = writeCohort('small.csv', 0, 563);
    const plan = await h['sync:plan']({ audienceId: a.id, draft: { sourcePath: small, sourceKind: 'file', sourcePattern: null, cadence: { kind: 'hourly' } } });
    // The plan is of the draft's file (937 removed, under the floor) ...
    expect(plan).toMatchObject({ audienceId: a.id, rowsRead: 563, removes: 937, currentSize: 1500 });
    expect(plan.floorWarning).toMatch(/1,000/);
    // ... and the audience still reads the big file, daily.
    const [after] = await h['audiences:list'](undefined);
    expect(after).toMatchObject({ id: a.id, sourcePath: big, cadence: { kind: 'daily', at: '06:00' } });

    // A draft naming a missing file is refused in words, and changes nothing either.
    await expect(h['sync:plan']({ audienceId: a.id, draft: { sourcePath: path.join(dir, 'gone.csv') } })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect((await h['audiences:list'](undefined))[0]).toMatchObject({ sourcePath: big });
  });

  it('refuses a new-audience draft the save would refuse (a name already used)', async () => {
    const req = await newAudience(writeCohort('buyers.csv', 0, 1500));
    await h['audiences:create'](req);
    await expect(h['sync:plan']({ create: req })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/already exists/) });
  });
});
