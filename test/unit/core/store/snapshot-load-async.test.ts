import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../../electron/core/store';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { tmpDir } from '../../../helpers/tmp';
import { withLoopTurns } from '../../../helpers/loop-turns';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

describe('snapshots read in slices (loadAsync)', () => {
  it('loads exactly what load() loads, yielding to the event loop between reads, and reports a corrupt snapshot', async () => {
    const store = Store.open(dir);
    const a = store.audiences.create({ connectionId: null, advertiserId: 'adv1', name: 'Buyers', keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/x.csv', profile: DEFAULT_PROFILE });
    expect((await store.snapshots.loadAsync(a.id)).length).toBe(0);
    // 40 chunks of 1 MiB and a partial one: several reads.
    const buf = randomBytes((40 * 32_768 + 123) * 32);
    store.snapshots.replace(a.id, buf);
    const { value: loaded, turns } = await withLoopTurns(() => store.snapshots.loadAsync(a.id));
    expect(loaded.equals(buf)).toBe(true);
    expect(loaded.equals(store.snapshots.load(a.id))).toBe(true);
    expect(turns).toBeGreaterThanOrEqual(2);

    store.db.prepare('DELETE FROM snapshot_chunks WHERE audience_id = ? AND seq = 20').run(a.id);
    await expect(store.snapshots.loadAsync(a.id)).rejects.toThrow(/corrupt/);
    store.close();
  });
});
