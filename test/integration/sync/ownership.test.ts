/**
 * Ownership-aware removal and the volume-drop breaker (#14 §2), against the offline sandbox over real HTTP with a real
 * store: an audience adopted from TikTok (members uploaded by hand or by another tool) only ever loses people this app
 * added, unless the user chooses "mirror the file"; a file whose rows fall by more than the audience's limit is held
 * even when its removals are a small share of a partly owned audience.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import type { RemovalMode } from '../../../electron/core/store/audiences-repo';
import { latestMatchRates } from '../../../electron/core/sync/match-rate';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, hashSet, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, createAudienceOf } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => {
  ({ sim, app, dir, close } = await openSandboxApp());
});
afterEach(async () => close());

/** 5,000 people uploaded to TikTok by another tool (not by Cohort Relay). */
const OTHERS = emails(100_000, 5000);

async function adoptedAudience(removalMode?: RemovalMode) {
  const { client } = clientFor(sim);
  const { audienceId } = await createAudienceOf(client, ADV(), [...hashSet(OTHERS)], 'Uploaded by hand');
  return { tiktokId: audienceId, sync: (list: readonly string[], dryRun = false) => syncTo(audienceId, list, removalMode, dryRun) };
}

async function syncTo(tiktokAudienceId: string, list: readonly string[], removalMode: RemovalMode | undefined, dryRun: boolean) {
  const csv = path.join(dir, 'cohort.csv');
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, tiktokAudienceId, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE, removalMode });
  return { audience: app.store.audiences.require(a.id), outcome: dryRun ? await app.sync.plan(a.id) : await app.sync.sync(a.id, 'cli') };
}

const union = (...lists: (readonly string[])[]) => hashSet(lists.flat());

describe('an audience adopted from TikTok', () => {
  it('defaults to "only remove people this app added": syncing a file of 1,200 into 5,000 members uploaded elsewhere removes none of them', async () => {
    const { tiktokId, sync } = await adoptedAudience();
    const first = await sync(emails(0, 1200));
    expect(first.audience).toMatchObject({ removalMode: 'added-only', othersSize: 5000 });
    // No REPLACE: the file's people are appended; nobody is removed.
    expect(first.outcome).toMatchObject({ status: 'done', strategy: 'incremental', adds: 1200, removes: 0, currentSize: 5000, projectedSize: 6200 });
    expect(app.store.db.prepare("SELECT kind, count(*) AS n FROM quota_calls GROUP BY kind").all()).toEqual([{ kind: 'APPEND', n: 1 }]);
    expect(sim.membership(tiktokId)).toEqual(union(OTHERS, emails(0, 1200)));

    // The next file drops 200 of the people this app added (within the limits): exactly those go, nobody else.
    const second = await sync(emails(0, 1000));
    expect(second.outcome).toMatchObject({ status: 'done', adds: 0, removes: 200 });
    expect(sim.membership(tiktokId)).toEqual(union(OTHERS, emails(0, 1000)));
    expect(app.store.snapshots.meta(second.audience.id)?.entryCount).toBe(1000);

    // Its match rate counts the people others uploaded, and is not set against the file's rows (they are not in it).
    await app.sync.refreshStatus(second.audience.id);
    expect(latestMatchRates(app.store, second.audience.id)).toMatchObject({ matched: 6000, sent: 6000, ofSent: 1, rows: null, ofRows: null });
  });

  it('a file that also lists people uploaded elsewhere never removes the others that are not in it', async () => {
    const { tiktokId, sync } = await adoptedAudience();
    await sync([...emails(0, 1200), ...OTHERS.slice(0, 100)]);
    const again = await sync([...emails(0, 1200), ...OTHERS.slice(0, 50)]);
    // The 50 this app sent (and so added as far as it knows) may go; the 4,900 it never sent stay.
    expect(again.outcome).toMatchObject({ status: 'done', removes: 50 });
    expect(sim.membership(tiktokId)).toEqual(union(OTHERS.slice(0, 50), OTHERS.slice(100), emails(0, 1200)));
  });

  it('"mirror the file" is an explicit choice: the audience is replaced with exactly the file', async () => {
    const { tiktokId, sync } = await adoptedAudience('mirror');
    const { audience, outcome } = await sync(emails(0, 1200));
    expect(audience.removalMode).toBe('mirror');
    expect(outcome).toMatchObject({ status: 'done', strategy: 'adopt' });
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 1200)));
  });

  it('switching an added-only audience to mirror makes its next sync replace it with the file; back to added-only keeps what it added', async () => {
    const { tiktokId, sync } = await adoptedAudience();
    const { audience } = await sync(emails(0, 1200));
    expect(sim.membership(tiktokId)!.size).toBe(6200);

    app.sync.setRemovalMode(audience.id, 'mirror');
    // Who else is in it is not known here: the next sync is an adoption (one REPLACE with the file), as the user chose.
    const mirrored = await app.sync.sync(audience.id, 'cli');
    expect(mirrored).toMatchObject({ status: 'done', strategy: 'adopt' });
    expect(sim.membership(tiktokId)).toEqual(hashSet(emails(0, 1200)));

    app.sync.setRemovalMode(audience.id, 'added-only');
    expect(app.store.audiences.require(audience.id).removalMode).toBe('added-only');
  });

  it('an audience this app creates mirrors its file by default', async () => {
    const csv = path.join(dir, 'new.csv');
    writeEmailCsv(csv, emails(0, 1500));
    const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Brand new', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    expect(a).toMatchObject({ removalMode: 'mirror', othersSize: null });
  });

  it('a name alone never adopts the TikTok audience of that name: only its TikTok id does (the creation rule refuses the name first)', async () => {
    const { tiktokId } = await adoptedAudience();
    const csv = path.join(dir, 'new.csv');
    writeEmailCsv(csv, emails(0, 1500));
    const asked = sim.requests().length;
    const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Uploaded by hand', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    expect(a).toMatchObject({ tiktokAudienceId: null, removalMode: 'mirror', othersSize: null });
    // Nothing is asked of TikTok for a new name: its first sync creates it.
    expect(sim.requests().length).toBe(asked);
    expect((await app.sync.draftAudience({ advertiserId: ADV(), connectionId: null, tiktokAudienceId: tiktokId, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE })).audience).toMatchObject({ id: 0, tiktokAudienceId: tiktokId, name: 'Uploaded by hand', removalMode: 'added-only', othersSize: 5000 });
  });
});

describe('the volume-drop breaker', () => {
  it('holds a file whose rows fell by more than the limit even when its removals are a small share of a partly owned audience', async () => {
    const { tiktokId, sync } = await adoptedAudience();
    await sync(emails(0, 1200));
    const spentBefore = sim.requests('dmp/custom_audience/update').length;

    // A broken export: 300 rows instead of 1,200. It removes 900 of 6,200 people (14.5 %, under the 20 % limit),
    // but the file shrank by 75 %.
    const { outcome } = await sync(emails(0, 300));
    expect(outcome).toMatchObject({ status: 'held', callsUsed: 0, removes: 900, currentSize: 6200, error: { code: 'REMOVALS_HELD' } });
    expect(outcome.hold).toMatchObject({ reason: 'removals', overLimit: false, rowsRead: 300, lastRowsRead: 1200, limitPct: 20 });
    expect(outcome.error!.message).toMatch(/The file has 300 rows, 75 % fewer than the 1,200 of the file last synced: more than this audience's 20 % limit, and this sync would remove 900 people, so it was held: nothing was sent/);
    expect(sim.requests('dmp/custom_audience/update').length).toBe(spentBefore);
    expect(sim.membership(tiktokId)).toEqual(union(OTHERS, emails(0, 1200)));

    // A dry run says so too; "Sync anyway (once)" sends it.
    const plan = (await sync(emails(0, 300), true)).outcome;
    expect(plan.hold).toMatchObject({ overLimit: false, confirmed: false });
    expect(plan.hold!.message).toMatch(/so it will be held until you confirm it/);
    app.sync.confirmRemovals(outcome.audienceId, outcome.runId);
    const sent = await app.sync.sync(outcome.audienceId, 'manual');
    expect(sent).toMatchObject({ status: 'done', removes: 900, hold: { confirmed: true } });
    expect(sim.membership(tiktokId)).toEqual(union(OTHERS, emails(0, 300)));
  });

  it('a drop in rows within the limit, or one that removes nobody, is not held', async () => {
    const { sync } = await adoptedAudience();
    await sync(emails(0, 1200));
    expect((await sync(emails(0, 1000))).outcome).toMatchObject({ status: 'done', removes: 200 }); // 16.7 % fewer rows
    // Fewer rows, nobody removed (the same people, duplicates gone): nothing to hold.
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, [...emails(0, 1000), ...emails(0, 1000)]);
    const a = app.store.audiences.list()[0]!;
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', removes: 0 });
    writeEmailCsv(csv, emails(0, 1000));
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', removes: 0, hold: null });
  });
});
