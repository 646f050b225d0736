import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;

beforeEach(async () => {
  const clock = new Date('2026-11-24T10:00:00Z');
  ({ sim, app, dir, close } = await openSandboxApp({ now: () => clock }));
});
afterEach(async () => close());

async function syncFile(list: readonly string[], name = 'Buyers') {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
  return { audience: a, outcome: await app.sync.sync(a.id, 'cli') };
}

/** The runs that still hold hashes of people for undo. */
const runsWithDeltas = () => (app.store.db.prepare('SELECT DISTINCT run_id AS id FROM run_deltas ORDER BY run_id').all() as { id: number }[]).map((r) => r.id);

describe('hashes kept for undo live no longer than undo needs them', () => {
  it("keeps only the newest sync's delta per audience; undo still inverts it exactly", async () => {
    const first = await syncFile(emails(0, 2000));
    const other = await syncFile(emails(5000, 6500), 'Other audience');
    const second = await syncFile(emails(100, 2000));
    expect(runsWithDeltas()).toEqual([other.outcome.runId, second.outcome.runId]);
    const third = await syncFile(emails(200, 2100));
    expect(runsWithDeltas()).toEqual([other.outcome.runId, third.outcome.runId]);

    const undo = await app.sync.undo(first.audience.id);
    expect(undo).toMatchObject({ status: 'done', adds: 100, removes: 200 });
    expect(sim.membership(first.outcome.tiktokAudienceId!)).toEqual(hashSet(emails(100, 2000)));
    // The undo's own change does not drop the delta it inverted; the next real sync drops both.
    expect(runsWithDeltas()).toEqual([other.outcome.runId, third.outcome.runId, undo.runId]);
    const fourth = await syncFile(emails(150, 2050));
    expect(runsWithDeltas()).toEqual([other.outcome.runId, fourth.outcome.runId]);
  });
});
