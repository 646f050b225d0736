/**
 * A change of a multi-key audience's columns that changes its tuple width (a second email column) makes its next sync a
 * full REPLACE. That replace is planned and shown as one, from the size this computer knows to the file's; the removal
 * limit weighs its shrink (held, confirmable, like any removal over the limit) and the 1,000 floor its new size. Nothing
 * local changes unless something is sent: the old membership stays until TikTok acknowledged the replace.
 * Real HTTP against the sandbox, real SQLite; the CLI's words and --json for the dry run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { erasePerson } from '../../../electron/core/engine/erase';
import { columnsChangeEffect } from '../../../electron/core/sync/mapping-change';
import type { KeyMapping } from '../../../electron/core/store/audiences-repo';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => ({ sim, app, dir, close } = await openSandboxApp()));
afterEach(async () => close());

/** People `from`..`to`-1: an email, a phone, every third a second email. */
function writeCsv(name: string, from: number, to: number): string {
  const file = path.join(dir, name);
  const rows: string[] = [];
  for (let i = from; i < to; i++) rows.push(`p${i}@example.com,${i % 3 === 0 ? `second${i}@example.org` : ''},+1415${String(2_000_000 + i).padStart(7, '0')}`);
  fs.writeFileSync(file, `Email,Email 2,Phone\n${rows.join('\n')}\n`);
  return file;
}

const ONE: KeyMapping[] = [{ key: 'email', column: 'Email' }, { key: 'phone', column: 'Phone' }];
const TWO: KeyMapping[] = [{ key: 'email', column: 'Email', extraColumns: ['Email 2'] }, { key: 'phone', column: 'Phone' }];

function ensure(csv: string, keys: KeyMapping[]) {
  return app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Buyers', key: 'email', column: null, keys, sourcePath: csv, profile: DEFAULT_PROFILE });
}

/** An audience of 1,454 people synced with one email column. */
async function synced() {
  const a = await ensure(writeCsv('all.csv', 0, 1454), ONE);
  const first = await app.sync.sync(a.id, 'cli');
  expect(first).toMatchObject({ status: 'done', adds: 1454 });
  return { a, tiktokId: first.tiktokAudienceId! };
}

describe('a second email column on a synced audience', () => {
  it('plans a replace from 1,454 to 1,097, holds it over the 20 % limit (nothing sent, nothing changed here), sends it once confirmed', async () => {
    const { a, tiktokId } = await synced();
    const before = sim.membership(tiktokId);
    await ensure(writeCsv('fewer.csv', 0, 1097), TWO);
    // The mapping change itself forgets nothing.
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96, entryCount: 1454 });

    const plan = await app.sync.plan(a.id);
    expect(plan).toMatchObject({ status: 'planned', strategy: 'replace', replace: { before: 1454, after: 1097 }, adds: 0, removes: 357, currentSize: 1454, projectedSize: 1097, callsPlanned: 1 });
    expect(plan.hold).toMatchObject({ reason: 'removals', removes: 357, currentSize: 1454, overLimit: true });

    const held = await app.sync.sync(a.id, 'cli');
    expect(held).toMatchObject({ status: 'held', callsUsed: 0, removes: 357, currentSize: 1454, projectedSize: 1097, error: { code: 'REMOVALS_HELD' } });
    expect(sim.membership(tiktokId)).toEqual(before);
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96, entryCount: 1454 });
    expect(app.store.quota.lastReplaceAt(a.id)).toBeNull();

    app.sync.confirmRemovals(a.id);
    const sent = await app.sync.sync(a.id, 'cli');
    expect(sent).toMatchObject({ status: 'done', strategy: 'replace', replace: { before: 1454, after: 1097 }, callsUsed: 1 });
    expect(sim.membership(tiktokId)?.size).toBe(1097);
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 192, entryCount: 1097 });
  });

  it('a replace the floor refuses sends nothing and keeps the old membership; mapping the old columns back needs no replace', async () => {
    const { a, tiktokId } = await synced();
    const before = sim.membership(tiktokId);
    await ensure(writeCsv('few.csv', 0, 700), TWO);
    const out = await app.sync.sync(a.id, 'cli');
    expect(out).toMatchObject({ status: 'failed', callsUsed: 0, error: { code: 'AUDIENCE_TOO_SMALL' } });
    expect(out.error!.message).toMatch(/would replace all 1,454 people with 700, and TikTok rejects any change that leaves fewer than 1,000/);
    expect(sim.membership(tiktokId)).toEqual(before);
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96, entryCount: 1454 });

    // Back to one email column before anything went out: the stored membership is in that shape, so a plain diff.
    const all = writeCsv('all.csv', 0, 1454);
    const back = app.store.audiences.require(a.id);
    expect(columnsChangeEffect(app.store, back, ONE)).toMatchObject({ changes: true, fullReplace: false });
    await ensure(all, ONE);
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', strategy: 'nothing', callsUsed: 0 });
  });
});

describe('the CLI dry run of such a change', () => {
  it('says it replaces, with the sizes; its --json and its exit code agree with the words', async () => {
    const env = { COHORT_RELAY_HOME: path.join(dir, 'cli-home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
    const args = (csv: string, keys: string, ...more: string[]) => ['sync', '--csv', csv, '--keys', keys, '--advertiser', ADV(), '--audience', 'CLI buyers', ...more];
    expect((await cli(args(writeCsv('all.csv', 0, 1454), 'email=Email,phone=Phone'), env)).code).toBe(0);

    // Over the limit: a replace from 1,454 to 1,097 that would be held.
    const shrink = await cli(args(writeCsv('fewer.csv', 0, 1097), 'email=Email,email=Email 2,phone=Phone', '--dry-run'), env);
    expect(shrink.code).toBe(0);
    expect(shrink.stdout).toContain('Would replace all 1,454 people with 1,097: 357 fewer (+0 −357) → 1,097 people; calls needed 1');
    expect(shrink.stdout).toContain("This sync would replace all 1,454 people with 1,097: 357 fewer (25 %), more than this audience's 20 % limit, so it will be held until you confirm it");
    const shrinkJson = JSON.parse((await cli(args(path.join(dir, 'fewer.csv'), 'email=Email,email=Email 2,phone=Phone', '--dry-run', '--json'), env)).stdout);
    expect(shrinkJson).toMatchObject({ status: 'planned', strategy: 'replace', replace: { before: 1454, after: 1097 }, adds: 0, removes: 357, projectedSize: 1097, hold: { removes: 357 } });

    // Under the floor: refused, and the words never say "→ 0 people; calls needed 0" before the exit 1.
    const small = await cli(args(writeCsv('few.csv', 0, 700), 'email=Email,email=Email 2,phone=Phone', '--dry-run'), env);
    expect(small.code).toBe(1);
    expect(small.stdout).toContain('Would replace all 1,454 people with 700: 754 fewer (+0 −754): this sync would be refused, nothing would be sent; the audience stays at 1,454 people');
    expect(small.stdout).not.toMatch(/→ 0 people|calls needed 0/);
    expect(small.stderr).toMatch(/would replace all 1,454 people with 700/);
    const smallJson = JSON.parse((await cli(args(path.join(dir, 'few.csv'), 'email=Email,email=Email 2,phone=Phone', '--dry-run', '--json'), env)).stdout);
    expect(smallJson).toMatchObject({ status: 'failed', strategy: 'replace', replace: { before: 1454, after: 700 }, currentSize: 1454, error: { code: 'AUDIENCE_TOO_SMALL' } });

    // The dry runs wrote nothing: the real sync with the new columns is held the same way.
    const real = await cli(args(path.join(dir, 'fewer.csv'), 'email=Email,email=Email 2,phone=Phone'), env);
    expect(real.code).toBe(3);
    expect(real.stdout).toContain('Would replace all 1,454 people with 1,097: 357 fewer (+0 −357): nothing sent, no call spent');
    expect(real.stdout).toContain("This sync would replace all 1,454 people with 1,097: 357 fewer (25 %), more than this audience's 20 % limit, so it was held: nothing was sent");
    // Confirmed once, the same command sends exactly that replace.
    const confirmed = await cli(args(path.join(dir, 'fewer.csv'), 'email=Email,email=Email 2,phone=Phone', '--confirm-removals', '--json'), env);
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.stdout)).toMatchObject({ status: 'done', strategy: 'replace', replace: { before: 1454, after: 1097 }, callsUsed: 1 });
  });
});

describe('erasing a person between the change of columns and its replace', () => {
  it('finds them in the membership kept in the old shape, removes them at TikTok, and the replace leaves them out', async () => {
    const { a, tiktokId } = await synced();
    await ensure(writeCsv('all2.csv', 0, 1454), TWO);
    const before = sim.membership(tiktokId)!;
    const r = await erasePerson(app, [{ key: null, value: 'p9@example.com' }], (id) => app.sync.erase(id));
    expect(r.audiences).toEqual([expect.objectContaining({ audienceId: a.id, entries: 1 })]);
    const after = sim.membership(tiktokId)!;
    expect(after.size).toBe(before.size - 1);
    const replaced = await app.sync.sync(a.id, 'cli');
    expect(replaced).toMatchObject({ status: 'done', strategy: 'replace', replace: { before: 1453, after: 1453 } });
    expect(sim.membership(tiktokId)!.size).toBe(1453);
  });
});

describe('undo between the change of columns and its replace', () => {
  it('takes back the last sync in the shape TikTok holds, and the next sync is still the replace', async () => {
    const { a, tiktokId } = await synced();
    const before = sim.membership(tiktokId)!;
    const more = writeCsv('more.csv', 0, 1500);
    await ensure(more, ONE);
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', adds: 46 });
    await ensure(more, TWO);
    const undone = await app.sync.undo(a.id);
    expect(undone).toMatchObject({ status: 'done', removes: 46 });
    expect(sim.membership(tiktokId)).toEqual(before);
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96, entryCount: 1454 });
    app.store.audiences.update(a.id, { paused: false });
    expect(await app.sync.plan(a.id)).toMatchObject({ strategy: 'replace', replace: { before: 1454, after: 1500 } });
  });
});
