/**
 * Several values per identifier (#14 §2): a person with two emails — columns `Email 1`, `Email 2` — maps both to the
 * one email key of an audience; every value is sent (one hash per line, as TikTok's single-type file takes them), an
 * empty second cell is no reject, an unusable one is (with its row and column). The sandbox takes a MULTIPLE_TYPES
 * header up to 3 times, as TikTok does, and refuses a fourth. Real HTTP against the sandbox, real SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { contract } from '../../../shared/ipc/contract';
import { cli } from '../../helpers/cli';
import { emails, hashSet, sha256Hex } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, thrown } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;
const ADV = () => sim.advertiserIds[0]!;

beforeEach(async () => {
  ({ sim, app, dir, close } = await openSandboxApp());
});
afterEach(async () => close());

/** `user_id,Email 1,Email 2`: everyone has a first email, every third person a second one. */
function writeTwoEmails(file: string, firsts: readonly string[], seconds: (string | null)[]): void {
  fs.writeFileSync(file, `user_id,Email 1,Email 2\n${firsts.map((e, i) => `${i},${e},${seconds[i] ?? ''}`).join('\n')}\n`);
}

const FIRST = emails(0, 1200);
const SECOND = FIRST.map((_, i) => (i % 3 === 0 ? `second${i}@example.org` : null));
const seconds = () => SECOND.filter((e): e is string => e !== null);

describe('two email columns mapped to the one email key', () => {
  it('sends every value of both columns; an empty second cell is not a reject; a changed second email is added and removed', async () => {
    const csv = path.join(dir, 'people.csv');
    writeTwoEmails(csv, FIRST, SECOND);
    const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Two emails', key: 'email', column: null, keys: [{ key: 'email', column: 'Email 1' }, { key: 'email', column: 'Email 2' }], sourcePath: csv, profile: DEFAULT_PROFILE });
    expect(a).toMatchObject({ calculateType: 'EMAIL_SHA256', keys: [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }] });

    const first = await app.sync.sync(a.id, 'cli');
    expect(first).toMatchObject({ status: 'done', strategy: 'create', adds: 1600, counts: { rowsRead: 1200, rejected: 0 } });
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet([...FIRST, ...seconds()]));

    // Person 0 changes their second email; person 3 loses theirs; person 1 gets an unusable one.
    const next = [...SECOND];
    next[0] = 'changed0@example.org';
    next[3] = null;
    next[1] = 'not an email';
    writeTwoEmails(csv, FIRST, next);
    const again = await app.sync.sync(a.id, 'cli');
    expect(again).toMatchObject({ status: 'done', adds: 1, removes: 2, counts: { rowsRead: 1200, rejected: 1 } });
    expect(again.rejects).toEqual([expect.objectContaining({ row: 3, column: 'Email 2', reason: 'INVALID_EMAIL' })]);
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(hashSet([...FIRST, ...next.filter((e): e is string => e !== null && e.includes('@'))]));
  });

  it('a second column empty in every row adds nothing and is no error', async () => {
    const csv = path.join(dir, 'people.csv');
    writeTwoEmails(csv, FIRST, []);
    const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Only firsts', key: 'email', column: null, keys: [{ key: 'email', column: 'Email 1' }, { key: 'email', column: 'Email 2' }], sourcePath: csv, profile: DEFAULT_PROFILE });
    expect(await app.sync.sync(a.id, 'cli')).toMatchObject({ status: 'done', adds: 1200, counts: { rejected: 0 } });
  });

  it('refuses four columns of one key; beside another key, several columns make one multi-key audience (multi-key-several-values.test.ts)', async () => {
    const csv = path.join(dir, 'people.csv');
    writeTwoEmails(csv, FIRST, SECOND);
    const four = [1, 2, 3, 4].map((n) => ({ key: 'email' as const, column: `Email ${n}` }));
    await expect(app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Four', key: 'email', column: null, keys: four, sourcePath: csv, profile: DEFAULT_PROFILE })).rejects.toThrow(/at most 3 columns to one key/);
    const mixed = [{ key: 'email' as const, column: 'Email 1' }, { key: 'email' as const, column: 'Email 2' }, { key: 'phone' as const, column: 'user_id' }];
    const both = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Mixed', key: 'email', column: null, keys: mixed, sourcePath: csv, profile: DEFAULT_PROFILE });
    expect(both).toMatchObject({ calculateType: 'MULTIPLE_TYPES', keys: [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }, { key: 'phone', column: 'user_id' }] });
  });

  it('the CLI maps them with --keys "email=Email 1,email=Email 2"', async () => {
    const csv = path.join(dir, 'people.csv');
    writeTwoEmails(csv, FIRST, SECOND);
    const env = { COHORT_RELAY_HOME: path.join(dir, 'cli-home'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
    const r = await cli(['sync', '--csv', csv, '--keys', 'email=Email 1,email=Email 2', '--advertiser', ADV(), '--audience', 'From the CLI', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { audienceId: string; adds: number; rowsRead: number };
    expect(out).toMatchObject({ adds: 1600, rowsRead: 1200 });
    expect(sim.membership(out.audienceId)).toEqual(hashSet([...FIRST, ...seconds()]));

    // plan reads them the same way, and diffs against the saved audience: nothing to change.
    const plan = await cli(['plan', '--csv', csv, '--keys', 'email=Email 1,email=Email 2', '--advertiser', ADV(), '--audience', 'From the CLI', '--json'], env);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ rowsRead: 1200, adds: 0, removes: 0 });
    // Both columns it read are listed, not only the first.
    expect(JSON.parse(plan.stdout).columns.map((c: { name: string }) => c.name)).toEqual(['Email 1', 'Email 2']);
  });
});

describe('the desktop contract', () => {
  it('takes up to two further columns of a key in a mapping (audiences:create), not three', () => {
    const base = { advertiserId: '7000000001', name: 'Two emails', sourcePath: '/tmp/people.csv', profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } };
    const parse = (extraColumns: string[]) => contract['audiences:create'].request.safeParse({ ...base, keys: [{ key: 'email', column: 'Email 1', extraColumns }] }).success;
    expect(parse(['Email 2'])).toBe(true);
    expect(parse(['Email 2', 'Email 3'])).toBe(true);
    expect(parse(['Email 2', 'Email 3', 'Email 4'])).toBe(false);
  });
});

describe('the sandbox takes a MULTIPLE_TYPES header up to 3 times, as TikTok', () => {
  it('accepts email_SHA256 twice in one file, and refuses it four times', async () => {
    const { client } = clientFor(sim);
    const [e1, e2, p] = [sha256Hex('a@example.com'), sha256Hex('b@example.com'), sha256Hex('+4917612000000')];
    const ok = await client.fileUpload({ advertiserId: ADV(), calculateType: 'MULTIPLE_TYPES', file: Buffer.from(`email_SHA256,email_SHA256,phone_SHA256\n${e1},${e2},${p}\n${e2},,\n`) });
    expect(ok.filePath).toHaveLength(16);
    const four = await thrown<{ message: string }>(() => client.fileUpload({ advertiserId: ADV(), calculateType: 'MULTIPLE_TYPES', file: Buffer.from(`email_SHA256,email_SHA256,email_SHA256,email_SHA256\n${e1},${e2},,\n`) }));
    expect(four.message).toMatch(/appears more than 3 times/);
  });
});
