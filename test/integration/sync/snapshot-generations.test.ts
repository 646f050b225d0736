/**
 * Issue #13 §1: an acknowledged call's new snapshot is written in slices under a new generation before the short
 * transaction that makes it current. A crash between those slices (here: the store closed under the running sync, in
 * the same process, against the offline sandbox over real HTTP) leaves the old snapshot current; the next start deletes
 * the half-written generation and the next sync brings TikTok to the file.
 */
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { Store } from '../../../electron/core/store';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp, type SandboxApp } from '../../helpers/sandbox-app';

let box: SandboxApp;
beforeEach(async () => {
  box = await openSandboxApp({ runner: { hashesPerFile: 50_000, filesPerCall: 5 } });
});
afterEach(async () => box.close());

const orphanSql = 'SELECT count(*) AS n FROM snapshot_chunks WHERE audience_id = ? AND generation IS NOT (SELECT generation FROM snapshot_meta WHERE audience_id = ?)';

it('a crash while the new snapshot is written keeps the old one current; opening the app deletes the orphan and the next sync finishes', async () => {
  const { sim, app, dir } = box;
  const csv = path.join(dir, 'buyers.csv');
  // 120,000 entries: 4 chunks of 1 MiB, written in 2 slices.
  writeEmailCsv(csv, emails(0, 120_000));
  const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: 'Buyers', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
  expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done' });
  const before = app.store.snapshots.meta(a.id)!;
  expect(before.entryCount).toBe(120_000);

  const list = emails(0, 130_000);
  writeEmailCsv(csv, list);
  const orphans = (store: Store) => (store.db.prepare(orphanSql).get(a.id, a.id) as { n: number }).n;
  const running = app.sync.sync(a.id, 'cli').then(
    (o) => o.status,
    () => 'threw',
  );
  let seen = 0;
  for (let i = 0; i < 200_000 && seen === 0; i++) {
    await new Promise<void>((r) => setImmediate(r));
    seen = orphans(app.store);
  }
  expect(seen).toBeGreaterThan(0);
  app.store.close(); // the crash: nothing after this instant reaches the database
  expect(await running).not.toBe('done');

  const after = Store.open(path.join(dir, 'data'));
  expect(after.snapshots.meta(a.id)).toEqual(before);
  expect(after.snapshots.load(a.id).length).toBe(120_000 * 32);
  expect(orphans(after)).toBeGreaterThan(0);
  after.close();

  const again = await CohortRelayApp.open({
    dataDir: path.join(dir, 'data'),
    env: { TIKTOK_ACCESS_TOKEN: sim.accessToken, TIKTOK_API_BASE: sim.url, COHORT_RELAY_KEYCHAIN: 'off' },
    runner: { hashesPerFile: 50_000, filesPerCall: 5, sleep: async () => {}, maxAttempts: 8 },
  });
  try {
    // Opening the store deletes the orphan (sweepAllOrphans), before any sync.
    expect(orphans(again.store)).toBe(0);
    expect(again.store.snapshots.meta(a.id)).toEqual(before);
    expect(await again.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done' });
    expect(orphans(again.store)).toBe(0);
    expect(again.store.snapshots.meta(a.id)!.entryCount).toBe(130_000);
    expect(sim.membership(again.store.audiences.require(a.id).tiktokAudienceId!)).toEqual(hashSet(list));
  } finally {
    again.close();
  }
}, 120_000);
