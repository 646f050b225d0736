/**
 * The streamed diff and the streamed next snapshot (a sync never holds the snapshot it changes) against the in-memory
 * set operations they replace, for any chunking of the stored snapshot and any parts of the target.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortHashes, subtractHashes, unionHashes } from '../../../../electron/core/cohort';
import type { SortedParts } from '../../../../electron/core/cohort/sorted-parts';
import { Store } from '../../../../electron/core/store';
import { digestOf } from '../../../../electron/core/store/snapshot-repo';
import { addPending, diffWithPending, diffWithPendingStreamed } from '../../../../electron/core/sync/pending';
import { stageAfter } from '../../../../electron/core/sync/snapshot-merge';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { partsAt } from '../../../helpers/sorted-parts';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let store: Store;
beforeAll(() => {
  ({ dir, cleanup } = tmpDir());
  store = Store.open(dir);
});
afterAll(() => {
  store.close();
  cleanup();
});

const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
const setArb = fc.uniqueArray(fc.integer({ min: 0, max: 299 }), { maxLength: 150 }).map((ids) => sortHashes(Buffer.concat(ids.map((i) => sha(`p${i}`)))));
const cutsArb = fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 5 });

let n = 0;
/** A fresh audience whose stored snapshot is `set`, in chunks cut at `cuts` (stage writes one part after another). */
async function audienceHolding(set: Buffer, cuts: number[]): Promise<number> {
  const a = store.audiences.create({ connectionId: null, advertiserId: 'adv', name: `A${n++}`, keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/x.csv', profile: DEFAULT_PROFILE });
  if (set.length > 0) {
    const generation = await store.snapshots.stage(a.id, partsAt(set, cuts, true), 32);
    store.snapshots.commit(a.id, generation, set.length / 32, 32, digestOf(set));
  }
  return a.id;
}

describe('diffWithPendingStreamed', () => {
  it('equals diffWithPending over the whole snapshot, with and without pending changes', async () => {
    await fc.assert(
      fc.asyncProperty(setArb, cutsArb, setArb, cutsArb, setArb, setArb, async (stored, storedCuts, target, targetCuts, maybeAdded, maybeRemoved) => {
        const id = await audienceHolding(stored, storedCuts);
        store.transaction(() => addPending(store, id, maybeAdded, maybeRemoved, 32));
        const want = diffWithPending(store, id, stored, target, 32);
        const got = await diffWithPendingStreamed(store, id, partsAt(target, targetCuts), 32);
        const buf = (e: Buffer | SortedParts) => (Buffer.isBuffer(e) ? e : e.toBufferSync());
        expect(buf(got.adds).equals(want.adds)).toBe(true);
        expect(got.removes.equals(want.removes)).toBe(true);
        expect(buf(got.plainAdds).equals(subtractHashes(target, stored))).toBe(true);
        expect(got.plainRemoves.equals(subtractHashes(stored, target))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('against no stored snapshot and nothing pending, the adds are the target itself, not a copy', async () => {
    const id = await audienceHolding(Buffer.alloc(0), []);
    const target = partsAt(sortHashes(Buffer.concat([sha('a'), sha('b')])), [1]);
    const got = await diffWithPendingStreamed(store, id, target, 32);
    expect(got.adds).toBe(target);
    expect(got.removes.length).toBe(0);
  });
});

describe('stageAfter: the next snapshot streamed from the stored one', () => {
  it('is exactly what the in-memory union / difference / replacement gives, with its count, digest and change', async () => {
    await fc.assert(
      fc.asyncProperty(setArb, cutsArb, setArb, fc.constantFrom('APPEND' as const, 'REMOVE' as const, 'REPLACE' as const, 'create' as const), async (stored, cuts, sent, kind) => {
        const id = await audienceHolding(stored, cuts);
        const next = await stageAfter(store, id, kind, sent, 32);
        const want = kind === 'APPEND' ? unionHashes(stored, sent) : kind === 'REMOVE' ? subtractHashes(stored, sent) : sent;
        store.transaction(() => store.snapshots.commit(id, next.generation, next.count, 32, next.digest));
        expect(store.snapshots.load(id).equals(want)).toBe(true);
        expect(next.count).toBe(want.length / 32);
        expect(next.digest).toBe(digestOf(want));
        const added = Buffer.isBuffer(next.added) ? next.added : next.added.toBufferSync();
        const wantAdded = kind === 'REMOVE' ? Buffer.alloc(0) : subtractHashes(sent, stored);
        const wantRemoved = kind === 'APPEND' ? Buffer.alloc(0) : kind === 'REMOVE' ? subtractHashes(sent, subtractHashes(sent, stored)) : subtractHashes(stored, sent);
        expect(added.equals(wantAdded)).toBe(true);
        expect(next.removed.equals(wantRemoved)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
