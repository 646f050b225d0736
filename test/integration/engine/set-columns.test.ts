/**
 * `audiences:setColumns` (#14 §2, the mapping screen): a saved audience's extra columns change; asked first, it says
 * whether the next sync becomes a full REPLACE and why a change would be refused, saving nothing. The real engine, the
 * sandbox over HTTP, real SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { acquireAudienceLock } from '../../../electron/core/sync/locks';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-set-columns-', (e) => ({ dir, t, h } = e));

const ONE_EMAIL = [{ key: 'email' as const, column: 'Email 1' }, { key: 'phone' as const, column: 'Phone' }];
const TWO_EMAILS = [{ key: 'email' as const, column: 'Email 1', extraColumns: ['Email 2'] }, { key: 'phone' as const, column: 'Phone' }];

async function syncedMultiKey() {
  const file = path.join(dir, 'crm.csv');
  const rows = Array.from({ length: 1100 }, (_, i) => `p${i}@example.com,${i % 2 ? `q${i}@example.org` : ''},+1415${String(2_000_000 + i)}`);
  fs.writeFileSync(file, `Email 1,Email 2,Phone\n${rows.join('\n')}\n`);
  const conn = await h['connections:connectSandbox'](undefined);
  const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'CRM', keys: ONE_EMAIL, sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
  const { runId } = await h['sync:run']({ audienceId: a.id });
  expect((await t.waitFor('run:finished', (p) => p.runId === runId)).status).toBe('done');
  return a;
}

describe('audiences:setColumns', () => {
  it('says a second email column makes the next sync a full REPLACE before saving anything, then saves it', async () => {
    const a = await syncedMultiKey();
    const asked = await h['audiences:setColumns']({ id: a.id, keys: TWO_EMAILS, save: false });
    expect(asked).toMatchObject({ changes: true, fullReplace: true, refusal: null });
    expect((await h['audiences:list'](undefined))[0]!.keys).toEqual(ONE_EMAIL);
    const saved = await h['audiences:setColumns']({ id: a.id, keys: TWO_EMAILS, save: true });
    expect(saved.audience.keys).toEqual(TWO_EMAILS);
    expect((await h['audiences:list'](undefined))[0]!.keys).toEqual(TWO_EMAILS);
    // The dry run shows the replace, from the size synced to the file's.
    expect(await h['sync:plan']({ audienceId: a.id })).toMatchObject({ replace: { before: 1100, after: 1100 }, adds: 0, removes: 0, calls: 1 });
    // Nothing was set aside by saving: the stored membership keeps one email per person until the next sync replaces
    // it, so a third column still means that replace, and going back to one column means none.
    const third = [{ ...TWO_EMAILS[0]!, extraColumns: ['Email 2', 'Phone'] }, TWO_EMAILS[1]!];
    expect(await h['audiences:setColumns']({ id: a.id, keys: third, save: false })).toMatchObject({ changes: true, fullReplace: true, refusal: null });
    expect(await h['audiences:setColumns']({ id: a.id, keys: ONE_EMAIL, save: false })).toMatchObject({ changes: true, fullReplace: false, refusal: null });
  });

  it('names the refusal of an "only remove people this app added" audience, and refuses other keys', async () => {
    const a = await syncedMultiKey();
    await h['audiences:update']({ id: a.id, removalMode: 'added-only' });
    const asked = await h['audiences:setColumns']({ id: a.id, keys: TWO_EMAILS, save: false });
    expect(asked.refusal).toMatch(/only loses people Cohort Relay added.*Choose "Mirror the file" for it first/);
    await expect(h['audiences:setColumns']({ id: a.id, keys: TWO_EMAILS, save: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await h['audiences:list'](undefined))[0]!.keys).toEqual(ONE_EMAIL);
    await expect(h['audiences:setColumns']({ id: a.id, keys: [{ key: 'email', column: 'Email 1' }], save: false })).rejects.toMatchObject({ code: 'KEY_TYPE_LOCKED' });
  });

  it('says a sync is running, in words, and refuses to save until it ends', async () => {
    const a = await syncedMultiKey();
    // A sync of the audience holds its lock (shared by every process through the data folder).
    const other = Store.open(path.join(dir, 'data'));
    const release = acquireAudienceLock(other, a.id, 'a-running-sync');
    try {
      expect((await h['audiences:setColumns']({ id: a.id, keys: TWO_EMAILS, save: false })).refusal).toBe('A sync of "CRM" is running, and this change sets its membership aside. Wait for the sync to finish (or cancel it), then save the columns.');
      await expect(h['audiences:setColumns']({ id: a.id, keys: TWO_EMAILS, save: true })).rejects.toMatchObject({ code: 'SYNC_RUNNING' });
    } finally {
      release();
      other.close();
    }
    expect(await h['audiences:setColumns']({ id: a.id, keys: TWO_EMAILS, save: false })).toMatchObject({ fullReplace: true, refusal: null });
  });
});
