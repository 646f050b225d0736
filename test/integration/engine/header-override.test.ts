/**
 * Issue #12 item 2, the wizard's override: "No — the first row is data". A headerless file whose first row the
 * reader takes for a header (its email is written "jane @ example.com", which normalizes to a valid address but does
 * not look like one) loses that person unless the user says otherwise; with hasHeader false the preview names the
 * columns "Column 1", "Column 2", validation counts the first row, and the choice is stored with the audience so its
 * syncs read the file the same way (real engine, real store, the offline sandbox over real HTTP).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { Store } from '../../../electron/core/store';
import { sha256Hex } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from './helpers';

let dir: string;
let cleanup: () => void;
let p: TestEngine;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir('cr-header-override-'));
  p = await startTestEngine(dir);
});
afterEach(async () => {
  await p.engine.shutdown();
  cleanup();
});

const FIRST = 'jane @ example.com';
// The first row's number columns hold words (a header's look) and its email does not look like one: taken for a header.
const ROWS = [`Jane Doe,gold,${FIRST}`, ...Array.from({ length: 1100 }, (_, i) => `${1000 + i},${i * 7},p${i}@example.com`)];

describe('"No — the first row is data" (#12 item 2)', () => {
  it('keeps the first person of a headerless file in the preview, the validation and every sync of the saved audience', async () => {
    const h = p.engine.handlers;
    const file = path.join(dir, 'no header.csv');
    fs.writeFileSync(file, `${ROWS.join('\n')}\n`);

    // Judged by the reader: the first row is taken for a header, and Jane is lost.
    const judged = await h['import:preview']({ path: file });
    expect(judged.hasHeader).toBe(true);
    expect(judged.columns.map((c) => c.name)).toContain('Jane Doe');
    const lost = await h['import:validate']({ path: file, key: 'email', column: 2, profile: DEFAULT_PROFILE });
    expect(lost.valid).toBe(1100);

    // The user's answer: the first row is data.
    const told = await h['import:preview']({ path: file, hasHeader: false });
    expect(told.hasHeader).toBe(false);
    expect(told.columns.map((c) => c.name)).toEqual(['Column 1', 'Column 2', 'Column 3']);
    expect(told.rows[0]).toEqual(['Jane Doe', 'gold', FIRST]);
    const kept = await h['import:validate']({ path: file, key: 'email', column: 2, profile: DEFAULT_PROFILE, hasHeader: false });
    expect(kept).toMatchObject({ rowsRead: 1101, valid: 1101 });
    const lab = await h['import:hashLab']({ path: file, key: 'email', column: 2, profile: DEFAULT_PROFILE, hasHeader: false, limit: 1 });
    expect(lab.rows[0]).toMatchObject({ line: 1, normalized: 'jane@example.com' });

    const conn = await h['connections:connectSandbox'](undefined);
    const create = { advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Headerless', keys: [{ key: 'email' as const, column: 2 }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' as const }, hasHeader: false };
    expect((await h['sync:plan']({ create })).adds).toBe(1101);
    const a = await h['audiences:create'](create);
    expect(a.keys).toEqual([{ key: 'email', column: 2 }]);
    // Stored with the audience, so a scheduled sync reads the file as the user saw it.
    const store = Store.open(path.join(dir, 'data'));
    try {
      expect(store.audiences.require(a.id).hasHeader).toBe(false);
    } finally {
      store.close();
    }
    const { runId } = await h['sync:run']({ audienceId: a.id });
    await expect(p.waitFor('run:finished', (e) => e.runId === runId)).resolves.toMatchObject({ status: 'done' });
    const at = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    expect(p.sim().membership(at)!.has(sha256Hex('jane@example.com'))).toBe(true);
    expect(p.sim().membership(at)!.size).toBe(1101);

    // The answer can be taken back (null: judged again), as audiences:update allows.
    await h['audiences:update']({ id: a.id, hasHeader: null });
    const again = Store.open(path.join(dir, 'data'));
    try {
      expect(again.audiences.require(a.id).hasHeader).toBeNull();
    } finally {
      again.close();
    }
  });
});
