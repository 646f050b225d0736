/**
 * Several values per key inside a multi-key (MULTIPLE_TYPES) audience (#14 §2): `Email 1`, `Email 2` beside `Phone`.
 * One row per person, the email header twice; the diff is exact and blind to the order of a person's emails; an
 * audience saved with one column per key keeps its 96-byte tuples, and gaining a column is one full REPLACE; erasure
 * and overlap see a person's second email. Real HTTP against the sandbox, real SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import { erasePerson } from '../../../electron/core/engine/erase';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { hasQueuedErasure, queueErasure } from '../../../electron/core/sync/erasure';
import { acquireAudienceLock } from '../../../electron/core/sync/locks';
import { localOverlap } from '../../../electron/core/sync/overlap';
import type { KeyMapping } from '../../../electron/core/store/audiences-repo';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { sha256Hex } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => ({ sim, app, dir, close } = await openSandboxApp()));
afterEach(async () => close());

interface Person {
  emails: (string | null)[];
  phone: string | null; // with country code, digits only
}

/** n people with a phone; every third has a second email, every fifth a third one. */
function people(n: number): Person[] {
  return Array.from({ length: n }, (_, i) => ({
    emails: [`p${i}@example.com`, i % 3 === 0 ? `second${i}@example.org` : null, i % 5 === 0 ? `third${i}@example.net` : null],
    phone: `1415${String(2_000_000 + i).padStart(7, '0')}`,
  }));
}

function writeCsv(list: Person[], extra = ''): string {
  const file = path.join(dir, 'people.csv');
  const rows = list.map((p, i) => `${i},${p.emails.map((e) => e ?? '').join(',')},${p.phone ? `+${p.phone}` : ''}`);
  fs.writeFileSync(file, `id,Email 1,Email 2,Email 3,Phone\n${rows.join('\n')}\n${extra}`);
  return file;
}

/** The sandbox's key for one MULTIPLE_TYPES row: its non-empty cells as header=value, sorted (columns up to `emailCols`). */
const rowKey = (p: Person, emailCols = 2) =>
  [...new Set(p.emails.slice(0, emailCols).filter((e): e is string => e !== null))]
    .map((e) => `email_sha256=${sha256Hex(e)}`)
    .concat(p.phone ? [`phone_sha256=${sha256Hex(p.phone)}`] : [])
    .sort()
    .join(',');

const keysFor = (emailCols: number): KeyMapping[] => [...Array.from({ length: emailCols }, (_, i) => ({ key: 'email' as const, column: `Email ${i + 1}` })), { key: 'phone', column: 'Phone' }];

function ensure(csv: string, emailCols: number, name = 'Several emails') {
  return app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name, key: 'email', column: null, keys: keysFor(emailCols), sourcePath: csv, profile: DEFAULT_PROFILE });
}

describe('two email columns beside a phone', () => {
  it('sends one row per person with email_SHA256 twice; a changed second email is removed and re-added, swapped emails change nothing', async () => {
    const list = people(1200);
    const csv = writeCsv(list);
    const a = await ensure(csv, 2);
    expect(a).toMatchObject({ calculateType: 'MULTIPLE_TYPES', keys: [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }, { key: 'phone', column: 'Phone' }] });

    const first = await app.sync.sync(a.id, 'cli');
    expect(first).toMatchObject({ status: 'done', strategy: 'create', adds: 1200, counts: { rowsRead: 1200, rejected: 0 } });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(new Set(list.map((p) => rowKey(p))));
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 192, entryCount: 1200 });
    // Per key: people, not values — the 400 with two emails count once under email.
    expect(first.perKey).toEqual({ email: { target: 1200, adds: 1200, removes: 0 }, phone: { target: 1200, adds: 1200, removes: 0 } });

    const next = list.map((p) => ({ ...p, emails: [...p.emails] }));
    next[0]!.emails[1] = 'changed0@example.org'; // a changed second email
    next[3]!.emails = [next[3]!.emails[1]!, next[3]!.emails[0]!, null]; // the same two emails, swapped
    next[6]!.emails[1] = null; // the second email gone
    next[1]!.emails[1] = 'not an email'; // unusable: a reject naming row and column; the person stays as they were
    const again = await app.sync.sync(a.id, 'cli', undefined, { sourceOnce: writeCsv(next) });
    expect(again).toMatchObject({ status: 'done', adds: 2, removes: 2, counts: { rowsRead: 1200, rejected: 0 } });
    // Two people's emails changed (the swap changes nothing): each leaves and joins once under email; no phone moved.
    expect(again.perKey).toEqual({ email: { target: 1200, adds: 2, removes: 2 }, phone: { target: 1200, adds: 0, removes: 0 } });
    expect(again.rejects).toEqual([expect.objectContaining({ row: 3, column: 'Email 2', reason: 'INVALID_EMAIL' })]);
    expect(again.counts.rejectReasons).toEqual({ INVALID_EMAIL: 1 });
    next[1]!.emails[1] = null;
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(new Set(next.map((p) => rowKey(p))));
  });

  it('the CLI maps them with --keys "email=Email 1,email=Email 2,phone=Phone"', async () => {
    const list = people(1100);
    const csv = writeCsv(list);
    const env = { COHORT_RELAY_HOME: path.join(dir, 'cli-home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
    const r = await cli(['sync', '--csv', csv, '--keys', 'email=Email 1,email=Email 2,phone=Phone', '--advertiser', ADV(), '--audience', 'From the CLI', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { audienceId: string; adds: number };
    expect(out.adds).toBe(1100);
    expect(sim.membership(out.audienceId)).toEqual(new Set(list.map((p) => rowKey(p))));

    // plan reads them the same way and diffs against the saved audience: one person's second email changed.
    const next = list.map((p, i) => (i === 0 ? { ...p, emails: [p.emails[0]!, 'changed0@example.org', null] } : p));
    const plan = await cli(['plan', '--csv', writeCsv(next), '--keys', 'email=Email 1,email=Email 2,phone=Phone', '--advertiser', ADV(), '--audience', 'From the CLI', '--json'], env);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ rowsRead: 1100, adds: 1, removes: 1, currentSize: 1100, projectedSize: 1100 });

    // Against an audience saved with one email column: its 96-byte snapshot is never diffed at the new width; the
    // sync with these columns replaces the audience whole, which the plan shows as a replace from its size.
    const one = await cli(['sync', '--csv', csv, '--keys', 'email=Email 1,phone=Phone', '--advertiser', ADV(), '--audience', 'One column', '--json'], env);
    expect(one.code).toBe(0);
    const wider = await cli(['plan', '--csv', csv, '--keys', 'email=Email 1,email=Email 2,phone=Phone', '--advertiser', ADV(), '--audience', 'One column', '--json'], env);
    expect(wider.stderr).toBe('');
    expect(JSON.parse(wider.stdout)).toMatchObject({ replace: { before: 1100, after: 1100 }, adds: 0, removes: 0, currentSize: 1100, projectedSize: 1100 });
  });
});

describe('a partner (segment API) audience', () => {
  it('takes one value per key: several columns of a key are refused with the way out', async () => {
    const csv = writeCsv(people(1100));
    const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Partner', key: 'email', column: null, keys: keysFor(2), sourcePath: csv, profile: DEFAULT_PROFILE, api: 'segment' });
    const out = await app.sync.sync(a.id, 'cli');
    expect(out).toMatchObject({ status: 'failed', callsUsed: 0, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/partner audience, which takes one value per key: map one column per key/) } });
  });
});

describe('an audience saved with one column per key', () => {
  it('keeps its 96-byte tuples; a second email column is one full REPLACE, a third one a plain diff', async () => {
    const list = people(1100);
    const csv = writeCsv(list);
    const a = await ensure(csv, 1);
    const first = await app.sync.sync(a.id, 'cli');
    expect(first).toMatchObject({ status: 'done', adds: 1100 });
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96 });
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', strategy: 'nothing', adds: 0, removes: 0 });
    const id = first.tiktokAudienceId!;
    expect(sim.membership(id)).toEqual(new Set(list.map((p) => rowKey(p, 1))));

    // Email 2 mapped: the stored 96-byte membership stays until the next sync replaces the audience's people.
    const two = await ensure(csv, 2);
    expect(two.keys[0]).toMatchObject({ column: 'Email 1', extraColumns: ['Email 2'] });
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96, entryCount: 1100 });
    const replaced = await app.sync.sync(a.id, 'cli');
    expect(replaced).toMatchObject({ status: 'done', strategy: 'replace', replace: { before: 1100, after: 1100 }, adds: 0, removes: 0 });
    expect(sim.membership(id)).toEqual(new Set(list.map((p) => rowKey(p, 2))));
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 192, entryCount: 1100 });

    // Email 3 as well: the same tuple width, so only the people with a third email are removed and re-added.
    await ensure(csv, 3);
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 192 });
    const withThird = list.filter((p) => p.emails[2] !== null).length;
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', strategy: 'incremental', adds: withThird, removes: withThird });
    expect(sim.membership(id)).toEqual(new Set(list.map((p) => rowKey(p, 3))));

    // Back to one column: the 96-byte layout again, by a full REPLACE (no tuple with several emails is left behind) —
    // which waits out TikTok's one replace a day, as the one above went out less than 24 hours ago.
    await ensure(csv, 1);
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 192, entryCount: 1100 });
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'deferred', strategy: 'replace', callsUsed: 0, deferredReason: expect.stringMatching(/one full replace of an audience a day/) });
    // Waiting changed nothing here: the 192-byte membership is still what TikTok holds.
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 192, entryCount: 1100 });
  });

  it('never diffs a stored membership at another width than it was written in: the sync replaces the audience whole', async () => {
    const list = people(1100);
    const csv = writeCsv(list);
    const a = await ensure(csv, 2);
    const { tiktokAudienceId } = await app.sync.sync(a.id, 'cli');
    // A 96-byte snapshot of 1,050 people under 192-byte columns (as after a change of columns).
    app.store.snapshots.replace(a.id, app.store.snapshots.load(a.id).subarray(0, 96 * 1050), 96);
    const out = await app.sync.sync(a.id, 'cli');
    expect(out).toMatchObject({ status: 'done', strategy: 'replace', replace: { before: 1050, after: 1100 }, adds: 50, removes: 0, callsUsed: 1 });
    expect(sim.membership(tiktokAudienceId!)).toEqual(new Set(list.map((p) => rowKey(p))));
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 192, entryCount: 1100 });
  });

  it('refuses a column change that would forget who an "only remove what this app added" audience holds', async () => {
    const csv = writeCsv(people(1100));
    const a = await ensure(csv, 1);
    await app.sync.sync(a.id, 'cli');
    app.sync.setRemovalMode(a.id, 'added-only');
    await expect(ensure(csv, 2)).rejects.toThrow(/only loses people Cohort Relay added.*Mirror the file/);
    expect(app.store.audiences.require(a.id).keys[0]!.extraColumns).toBeUndefined();
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96 });
  });

  it('refuses the change while a sync of the audience runs, or while an erasure waits in the old shape', async () => {
    const csv = writeCsv(people(1100));
    const a = await ensure(csv, 1);
    await app.sync.sync(a.id, 'cli');
    const release = acquireAudienceLock(app.store, a.id, 'a-running-sync');
    await expect(ensure(csv, 2)).rejects.toMatchObject({ code: 'SYNC_RUNNING' });
    release();
    queueErasure(app.store, a, app.store.snapshots.load(a.id).subarray(0, 96));
    await expect(ensure(csv, 2)).rejects.toThrow(/erasure request waiting to be sent. Sync it once with its current columns/);
    expect(app.store.snapshots.meta(a.id)).toMatchObject({ entryWidth: 96, entryCount: 1100 });
    // Once the erasure went out (the sync sends it first, then syncs the file), the change is taken.
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done' });
    expect(hasQueuedErasure(app.store, a.id)).toBe(false);
    expect(app.store.runs.list({ audienceId: a.id, limit: 2 }).map((r) => [r.trigger, r.status, r.removes])).toContainEqual(['erase', 'done', 1]);
    expect((await ensure(csv, 2)).keys[0]).toMatchObject({ extraColumns: ['Email 2'] });
  });
});

describe('erasure and overlap over wider tuples', () => {
  it('erasing an email a person has in the second column removes that person only', async () => {
    const list = people(1100);
    const a = await ensure(writeCsv(list), 2);
    const { tiktokAudienceId } = await app.sync.sync(a.id, 'cli');
    const r = await erasePerson(app, [{ key: null, value: 'second9@example.org' }], (id) => app.sync.erase(id));
    expect(r.audiences).toEqual([expect.objectContaining({ audienceId: a.id, entries: 1 })]);
    expect(sim.membership(tiktokAudienceId!)).toEqual(new Set(list.filter((_, i) => i !== 9).map((p) => rowKey(p))));
  });

  it('counts a person\'s second email in the overlap with an email audience', async () => {
    const list = people(1100);
    const wide = await ensure(writeCsv(list), 2);
    await app.sync.sync(wide.id, 'cli');
    // Another audience holding only the second emails (and 800 others, to pass TikTok's floor).
    const seconds = list.map((p) => p.emails[1]).filter((e): e is string => e !== null);
    const file = path.join(dir, 'seconds.csv');
    fs.writeFileSync(file, `Email\n${[...seconds, ...Array.from({ length: 800 }, (_, i) => `other${i}@example.com`)].join('\n')}\n`);
    const b = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Seconds', key: 'email', column: 'Email', sourcePath: file, profile: DEFAULT_PROFILE });
    await app.sync.sync(b.id, 'cli');
    const o = localOverlap(app.store, wide.id, b.id);
    expect(o.byKey).toEqual([{ key: 'email', a: 1100 + seconds.length, b: seconds.length + 800, both: seconds.length }]);
  });
});
