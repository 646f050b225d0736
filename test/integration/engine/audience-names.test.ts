/**
 * Audience names that differ only in case ("Buyers", "buyers") count as the same for the same-name refusal, in the
 * desktop app's create and rename (tiktok-api.md does not say whether TikTok tells them apart; a user would not want
 * both). Real engine, offline sandbox, temp data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { emails } from '../../helpers/cohort';
import { engineForEachTest } from './helpers';

let dir: string;
let h: Handlers;
engineForEachTest('cohort-relay-audience-names-', (e) => ({ dir, h } = e));

async function create(name: string) {
  const file = path.join(dir, 'cohort.csv');
  fs.writeFileSync(file, `email\n${emails(0, 5).join('\n')}\n`);
  const conn = await h['connections:connectSandbox'](undefined);
  return h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
}

describe('same-name check', () => {
  it('refuses a new audience or a rename whose name differs from a saved one only in case; an audience may change the case of its own name', async () => {
    const buyers = await create('Buyers');
    await expect(create('buyers')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'An audience named "Buyers" already exists for this ad account ("buyers" differs from it only in case, which counts as the same name). Choose another name, or edit that audience.' });
    const other = await create('Lapsed');
    await expect(h['audiences:update']({ id: other.id, name: 'BUYERS' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('An audience named "Buyers" already exists for this ad account ("BUYERS" differs from it only in case') });
    expect((await h['audiences:update']({ id: buyers.id, name: 'BUYERS' })).name).toBe('BUYERS');
    expect((await h['audiences:list'](undefined)).map((a) => a.name).sort()).toEqual(['BUYERS', 'Lapsed']);
  });
});
