/**
 * Undo takes back the whole change the user made (review s7 2a, 2c), against the offline sandbox over real HTTP with
 * real SQLite files: a sync the day's calls cut short (deferred) and the run that finished it are one sync, and undo
 * puts the audience back to the file before; a full replace of a membership not known here is refused in plain words
 * with what can be done instead, while a REPLACE chosen as the cheaper way (its change is known) is undone exactly.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import { undoPreview } from '../../../electron/core/engine/ops';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { runCountsText } from '../../../shared/run-counts-text';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let clock: Date;
let app: CohortRelayApp;
let close: () => Promise<void>;
const fmt = (n: number) => n.toLocaleString('en-US');

beforeEach(async () => {
  clock = new Date('2026-11-24T10:00:00Z');
  ({ sim, app, dir, close } = await openSandboxApp({ now: () => clock }));
});
afterEach(async () => close());

async function syncFile(list: readonly string[], file: string) {
  const csv = path.join(dir, file);
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: 'Buyers', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
  app.store.audiences.update(a.id, { sourcePath: csv });
  return { audience: a, outcome: await app.sync.sync(a.id, 'cli') };
}

describe('undo of a sync that took several runs', () => {
  it('takes back the deferred run and the run that finished it: the audience holds the file before again', async () => {
    const a = emails(0, 2000);
    const { audience, outcome: first } = await syncFile(a, 'a.csv');
    const tiktokId = first.tiktokAudienceId!;
    // b.csv: 200 new people (one APPEND) and 120 gone (one REMOVE); today only one call is left.
    app.store.settings.set('quota.dailyBudget', 2);
    const { outcome: cut } = await syncFile(emails(120, 2080), 'b.csv');
    expect(cut).toMatchObject({ status: 'deferred', callsUsed: 1 });
    // The run log says what the cut-short run did, not only what it planned.
    expect(runCountsText(app.store.runs.get(cut.runId!)!, fmt)).toBe('+200 −0 sent of +200 −120 planned, 1 call');
    clock = new Date('2026-11-25T00:00:01Z');
    app.store.settings.set('quota.dailyBudget', 24);
    const rest = await app.sync.sync(audience.id, 'catch-up');
    expect(rest).toMatchObject({ status: 'done', callsUsed: 1 });
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(120, 2080)));

    const p = await undoPreview(app, audience.id);
    expect(p).toMatchObject({ runId: rest.runId, runIds: [cut.runId, rest.runId], adds: 120, removes: 200, refused: false });
    const undo = await app.sync.undo(audience.id);
    expect(undo).toMatchObject({ status: 'done', adds: 120, removes: 200 });
    expect(sim.membership(tiktokId)).toEqual(hashSet(a));
    await expect(app.sync.undoPreview(audience.id)).rejects.toMatchObject({ message: expect.stringMatching(/already undone/) });
  });

  it('keeps the deferred runs’ hashes only while they are part of the newest sync', async () => {
    const { audience } = await syncFile(emails(0, 2000), 'a.csv');
    app.store.settings.set('quota.dailyBudget', 2);
    const { outcome: cut } = await syncFile(emails(120, 2080), 'b.csv');
    clock = new Date('2026-11-25T00:00:01Z');
    app.store.settings.set('quota.dailyBudget', 24);
    const rest = await app.sync.sync(audience.id, 'catch-up');
    const withDeltas = () => (app.store.db.prepare('SELECT DISTINCT run_id AS id FROM run_delta_heads ORDER BY run_id').all() as { id: number }[]).map((r) => r.id);
    expect(withDeltas()).toEqual([cut.runId, rest.runId]);
    // The next sync is a change of its own: undo inverts only it, and the older runs' hashes go.
    const { outcome: next } = await syncFile(emails(150, 2080), 'c.csv');
    expect(next.status).toBe('done');
    expect(withDeltas()).toEqual([next.runId]);
    expect((await undoPreview(app, audience.id)).runIds).toEqual([next.runId]);
  });
});

describe('undo of a full replace', () => {
  it('is refused in plain words when who was in the audience before is not known, naming the file to sync instead', async () => {
    const { audience, outcome: first } = await syncFile(emails(0, 1500), 'a.csv');
    // This computer loses its record of who is in the audience: the next sync replaces the whole membership.
    app.store.snapshots.clear(audience.id);
    const { outcome: replace } = await syncFile(emails(0, 1800), 'b.csv');
    expect(replace.status).toBe('done');
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 1800)));
    const r = app.store.runs.get(replace.runId!)!;
    expect(runCountsText(r, fmt)).toBe('replaced: 1,800 people');
    const refusal = { code: 'UNDO_REFUSED', message: expect.stringMatching(/replaced the whole membership .*cannot be undone exactly.*sync the file of the sync before it again: a\.csv/s) };
    await expect(undoPreview(app, audience.id)).rejects.toMatchObject(refusal);
    const before = sim.requests('dmp/custom_audience/update').length;
    await expect(app.sync.undo(audience.id)).rejects.toMatchObject(refusal);
    expect(sim.requests('dmp/custom_audience/update')).toHaveLength(before);
    expect(app.store.audiences.require(audience.id).paused).toBe(false);
  });

  it('is undone exactly when the replace was only the cheaper way to send a known change', async () => {
    const { audience, outcome: first } = await syncFile(emails(0, 2000), 'a.csv');
    app.sync.setRemovalLimit(audience.id, null);
    const { outcome: replace } = await syncFile(emails(1500, 2000), 'b.csv');
    expect(replace).toMatchObject({ status: 'done', strategy: 'replace', callsUsed: 1 });
    expect(await undoPreview(app, audience.id)).toMatchObject({ adds: 1500, removes: 1500, refused: false });
    expect(await app.sync.undo(audience.id)).toMatchObject({ status: 'done' });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet(emails(0, 2000)));
  });
});
