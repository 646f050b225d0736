import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../../electron/core/store';
import { sortHashes, unionHashes } from '../../../../electron/core/cohort';
import { addPendingAsync, clearPendingAsync, loadPending } from '../../../../electron/core/sync/pending';
import { commitDelta, loadDelta, recordDelta, stageDelta, sweepDeltas } from '../../../../electron/core/sync/deltas';
import { sweepAllOrphans, sweepOrphans } from '../../../../electron/core/sync/sync-runner';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { tmpDir } from '../../../helpers/tmp';
import { withLoopTurns } from '../../../helpers/loop-turns';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

const CHUNK = 32_768 * 32;
const newAudience = (store: Store) =>
  store.audiences.create({ connectionId: null, advertiserId: 'adv1', name: 'Buyers', keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/x.csv', profile: DEFAULT_PROFILE });
const count = (store: Store, sql: string, ...args: unknown[]) => (store.db.prepare(sql).get(...args) as { n: number }).n;

/** Runs `work` until `ready()` holds between two of its slices, then closes the store under it: a crash mid-write. */
async function crashWhen(store: Store, work: Promise<unknown>, ready: () => boolean): Promise<void> {
  const settled = work.then(
    () => 'finished',
    () => 'crashed',
  );
  for (let i = 0; i < 10_000 && !ready(); i++) await new Promise<void>((r) => setImmediate(r));
  store.close();
  expect(await settled).toBe('crashed');
}

describe('snapshots written under generations (issue #13 §1)', () => {
  it('a crash between the slices of a new snapshot leaves the old one current; the orphan is deleted at the next sync start', async () => {
    let store = Store.open(dir);
    const a = newAudience(store);
    const old = sortHashes(randomBytes(1000 * 32));
    const oldMeta = store.snapshots.replace(a.id, old);
    const next = randomBytes(12 * CHUNK);
    const orphans = () => count(store, 'SELECT count(*) AS n FROM snapshot_chunks WHERE audience_id = ? AND generation != (SELECT generation FROM snapshot_meta WHERE audience_id = ?)', a.id, a.id);
    await crashWhen(store, store.snapshots.stage(a.id, next), () => orphans() >= 4);

    store = Store.open(dir);
    expect(store.snapshots.load(a.id).equals(old)).toBe(true);
    expect(store.snapshots.meta(a.id)).toEqual(oldMeta);
    const left = orphans();
    expect(left).toBeGreaterThanOrEqual(4);
    expect(left).toBeLessThan(12);
    await sweepOrphans(store, a.id);
    expect(orphans()).toBe(0);
    expect(store.snapshots.load(a.id).equals(old)).toBe(true);
    store.close();
  });

  it('stage writes in slices that yield to the event loop; commit only moves the pointer; sweep then deletes the old chunks', async () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const old = randomBytes(3 * CHUNK);
    store.snapshots.replace(a.id, old);
    const next = randomBytes(10 * CHUNK + 64);
    const { value: generation, turns } = await withLoopTurns(() => store.snapshots.stage(a.id, next));
    expect(turns).toBeGreaterThanOrEqual(5);
    // Staged, not current.
    expect(store.snapshots.load(a.id).equals(old)).toBe(true);
    expect(() => store.snapshots.commit(a.id, generation, next.length / 32 + 1, 32, 'x')).toThrow(/expected/);
    store.transaction(() => store.snapshots.commit(a.id, generation, next.length / 32, 32, 'digest-of-next'));
    expect(store.snapshots.load(a.id).equals(next)).toBe(true);
    expect((await store.snapshots.loadAsync(a.id)).equals(next)).toBe(true);
    expect(store.snapshots.meta(a.id)).toMatchObject({ entryCount: next.length / 32, digest: 'digest-of-next' });
    expect(count(store, 'SELECT count(*) AS n FROM snapshot_chunks WHERE audience_id = ?', a.id)).toBe(3 + 11);
    expect(await store.snapshots.sweep(a.id)).toBe(3);
    expect(count(store, 'SELECT count(*) AS n FROM snapshot_chunks WHERE audience_id = ?', a.id)).toBe(11);
    expect(store.snapshots.load(a.id).equals(next)).toBe(true);
    store.close();
  });
});

describe('orphans swept when a host opens the store', () => {
  it('sweeps every audience with orphaned chunks under its lock, leaving one a live process is syncing', async () => {
    let store = Store.open(dir);
    const a = newAudience(store);
    const b = store.audiences.create({ connectionId: null, advertiserId: 'adv1', name: 'Other', keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/y.csv', profile: DEFAULT_PROFILE });
    const c = store.audiences.create({ connectionId: null, advertiserId: 'adv1', name: 'Clean', keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/z.csv', profile: DEFAULT_PROFILE });
    store.snapshots.replace(c.id, randomBytes(64));
    await store.snapshots.stage(a.id, randomBytes(3 * CHUNK)); // never committed: as after a crash
    await store.snapshots.stage(b.id, randomBytes(CHUNK));
    store.close();
    store = Store.open(dir);
    // b's lock is held by a live process (this test's parent).
    store.db.prepare('INSERT INTO audience_locks (audience_id, owner, pid, acquired_at) VALUES (?, ?, ?, ?)').run(b.id, 'other', process.ppid, new Date().toISOString());
    expect(await sweepAllOrphans(store)).toEqual([a.id]);
    expect(count(store, 'SELECT count(*) AS n FROM snapshot_chunks WHERE audience_id = ?', a.id)).toBe(0);
    expect(count(store, 'SELECT count(*) AS n FROM snapshot_chunks WHERE audience_id = ?', b.id)).toBe(1);
    expect(count(store, 'SELECT count(*) AS n FROM snapshot_chunks WHERE audience_id = ?', c.id)).toBe(1);
    expect(count(store, 'SELECT count(*) AS n FROM audience_locks WHERE audience_id = ?', a.id)).toBe(0);
    store.close();
  });
});

describe('pending changes written under generations', () => {
  it('a crash while a larger pending set is written keeps the old one; a finished write replaces it; clearing deletes it in slices', async () => {
    let store = Store.open(dir);
    const a = newAudience(store);
    const first = sortHashes(randomBytes(100 * 32));
    await addPendingAsync(store, a.id, first, Buffer.alloc(0), 32);
    expect(loadPending(store, a.id, 'add').equals(first)).toBe(true);
    const more = sortHashes(randomBytes(8 * 32_768 * 32));
    const rows = () => count(store, 'SELECT count(*) AS n FROM pending_changes WHERE audience_id = ?', a.id);
    await crashWhen(store, addPendingAsync(store, a.id, more, Buffer.alloc(0), 32), () => rows() >= 3);

    store = Store.open(dir);
    expect(loadPending(store, a.id, 'add').equals(first)).toBe(true);
    expect(rows()).toBeGreaterThan(1);
    await sweepOrphans(store, a.id);
    expect(rows()).toBe(1);
    await addPendingAsync(store, a.id, more, sortHashes(randomBytes(64)), 32);
    expect(loadPending(store, a.id, 'add').equals(unionHashes(first, more))).toBe(true);
    expect(loadPending(store, a.id, 'remove').length).toBe(64);
    expect(rows()).toBe(9 + 1);
    await clearPendingAsync(store, a.id);
    expect(rows()).toBe(0);
    expect(loadPending(store, a.id, 'add').length).toBe(0);
    store.close();
  });
});

describe('undo deltas written under generations', () => {
  it('a staged delta is invisible until committed; the earlier run’s delta goes at the commit and its chunks at the sweep', async () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    const earlier = store.runs.start({ audienceId: a.id, trigger: 'manual' });
    const e = sortHashes(randomBytes(50 * 32));
    store.transaction(() => recordDelta(store, earlier.id, e, Buffer.alloc(0)));
    const run = store.runs.start({ audienceId: a.id, trigger: 'manual' });
    const x = sortHashes(randomBytes(40 * 32));
    store.transaction(() => recordDelta(store, run.id, x, Buffer.alloc(0)));
    // recordDelta prunes the earlier run's delta at once (the synchronous path).
    expect(loadDelta(store, earlier.id, 'add').length).toBe(0);
    const y = sortHashes(randomBytes(3 * 32_768 * 32));
    const staged = await stageDelta(store, run.id, y, Buffer.alloc(0));
    expect(loadDelta(store, run.id, 'add').equals(x)).toBe(true);
    store.transaction(() => commitDelta(store, staged));
    expect(loadDelta(store, run.id, 'add').equals(unionHashes(x, y))).toBe(true);
    expect(await sweepDeltas(store, a.id)).toBe(1);
    expect(count(store, 'SELECT count(*) AS n FROM run_deltas WHERE run_id = ?', run.id)).toBe(4);
    store.close();
  });

  it('slices commit without waiting for the disk; the connection is back to synchronous = FULL after each, for every other commit', async () => {
    const store = Store.open(dir);
    const a = newAudience(store);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    const seen: number[] = [];
    const inserted = store.db.prepare('INSERT INTO snapshot_chunks (audience_id, generation, seq, data) VALUES (?, ?, ?, ?)');
    const { writeSliced, newGeneration } = await import('../../../../electron/core/store/chunk-generations');
    const generation = store.transaction(() => newGeneration(store.db));
    const between: number[] = [];
    const work = writeSliced(store.db, randomBytes(5 * 1024), 1024, (seq, chunk) => {
      seen.push(store.db.pragma('synchronous', { simple: true }) as number);
      inserted.run(a.id, generation, seq, chunk);
    });
    // Between slices (other handlers' turns on the loop), commits are FULL again.
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((r) => setImmediate(r));
      between.push(store.db.pragma('synchronous', { simple: true }) as number);
    }
    await work;
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set([1]));
    expect(new Set(between)).toEqual(new Set([2]));
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    store.close();
  });
});
