/**
 * Deleting an audience (here only, or at TikTok too) and previewing an undo, through the real engine against the
 * offline sandbox on a temp data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers, RequestOf } from '../../../shared/ipc/contract';
import { emails, sha256Hex } from '../../helpers/cohort';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-lifecycle-', (e) => ({ dir, t, h } = e));

function writeCohort(file: string, list: readonly string[]): void {
  fs.writeFileSync(file, `user_id,email\n${list.map((e, i) => `${i},${e}`).join('\n')}\n`);
}

async function runToEnd(channel: 'sync:run' | 'sync:undo', audienceId: number) {
  const { runId } = await h[channel]({ audienceId });
  return t.waitFor('run:finished', (p) => p.runId === runId);
}

async function createAudience(file: string, over: Partial<RequestOf<'audiences:create'>> = {}) {
  const conn = await h['connections:connectSandbox'](undefined);
  return h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Spring buyers', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' }, ...over });
}

/** The data folder's database files (main file and write-ahead log), as bytes. */
function databaseBytes(): Buffer {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(db|sqlite|sqlite3)(-wal)?$/.test(e.name)) files.push(p);
    }
  };
  walk(path.join(dir, 'data'));
  expect(files.length).toBeGreaterThan(0);
  return Buffer.concat(files.map((f) => fs.readFileSync(f)));
}

function databasePath(): string {
  const found = fs.readdirSync(path.join(dir, 'data'), { recursive: true, encoding: 'utf8' }).find((n) => /\.(db|sqlite|sqlite3)$/.test(n));
  return path.join(dir, 'data', found!);
}

function count(sql: string, ...args: unknown[]): number {
  const db = new Database(databasePath(), { readonly: true });
  try {
    return (db.prepare(sql).get(...args) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('deleting an audience', () => {
  it('"Delete from Cohort Relay" erases its runs, deltas, snapshot and pending changes, and leaves TikTok as it is', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1200));
    const a = await createAudience(file);
    expect((await runToEnd('sync:run', a.id)).status).toBe('done');
    writeCohort(file, emails(100, 1200));
    expect((await runToEnd('sync:run', a.id)).status).toBe('done');
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    const runIds = (await h['runs:list']({ audienceId: a.id })).map((r) => r.id);
    expect(runIds.length).toBe(2);
    expect(count(`SELECT COUNT(*) AS n FROM run_deltas WHERE run_id IN (${runIds.join(',')})`)).toBeGreaterThan(0);
    // A hash that only the deltas and the snapshot hold (user1250 was added by the second sync).
    const hash = Buffer.from(sha256Hex('user1250@example.com'), 'hex');
    expect(databaseBytes().includes(hash)).toBe(true);

    expect(await h['audiences:delete']({ id: a.id, atTiktok: false })).toEqual({ deletedAtTiktok: false });

    expect(await h['audiences:list'](undefined)).toEqual([]);
    expect(count('SELECT COUNT(*) AS n FROM sync_runs WHERE audience_id = ? OR audience_id IS NULL', a.id)).toBe(0);
    expect(count(`SELECT COUNT(*) AS n FROM run_deltas WHERE run_id IN (${runIds.join(',')})`)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM snapshot_chunks WHERE audience_id = ?', a.id)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM pending_changes WHERE audience_id = ?', a.id)).toBe(0);
    expect(databaseBytes().includes(hash)).toBe(false);
    expect(t.sim().membership(tiktokId)?.size).toBe(1200);
    expect(t.sim().requests('dmp/custom_audience/delete')).toHaveLength(0);

    // Ids are not handed out again: the next audience and its runs are new to the screens, events and the quota.
    const next = await createAudience(file, { name: 'Autumn buyers' });
    expect(next.id).toBeGreaterThan(a.id);
    const { runId } = await h['sync:run']({ audienceId: next.id });
    expect(runId).toBeGreaterThan(Math.max(...runIds));
    await t.waitFor('run:finished', (p) => p.runId === runId);
  });

  it('"also delete at TikTok" deletes a customer-file audience through dmp/custom_audience/delete/', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1100));
    const a = await createAudience(file);
    await runToEnd('sync:run', a.id);
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    expect(await h['audiences:delete']({ id: a.id, atTiktok: true })).toEqual({ deletedAtTiktok: true });
    expect(t.sim().requests('dmp/custom_audience/delete')).toHaveLength(1);
    expect(t.sim().membership(tiktokId)).toBeUndefined();
    expect(await h['audiences:list'](undefined)).toEqual([]);
  });

  it('deletes a partner audience at TikTok through the segment API delete action', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 50));
    const a = await createAudience(file, { name: 'Partner buyers', api: 'segment' });
    expect((await runToEnd('sync:run', a.id)).status).toBe('done');
    const tiktokId = (await h['audiences:get']({ id: a.id })).tiktokAudienceId!;
    const segmentCalls = t.sim().requests('segment/audience').length;
    expect(t.sim().membership(tiktokId)?.size).toBe(50);
    expect(await h['audiences:delete']({ id: a.id, atTiktok: true })).toEqual({ deletedAtTiktok: true });
    expect(t.sim().requests('segment/audience')).toHaveLength(segmentCalls + 1);
    expect(t.sim().requests('dmp/custom_audience/delete')).toHaveLength(0);
    expect(t.sim().membership(tiktokId)).toBeUndefined();
  });

  it('is refused, with nothing deleted, while a sync of the audience runs', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1100));
    const a = await createAudience(file);
    const { runId } = await h['sync:run']({ audienceId: a.id });
    await expect(h['audiences:delete']({ id: a.id, atTiktok: true })).rejects.toMatchObject({ code: 'SYNC_RUNNING', message: expect.stringContaining('"Spring buyers" is syncing right now') });
    await t.waitFor('run:finished', (p) => p.runId === runId);
    expect((await h['audiences:list'](undefined)).map((x) => x.id)).toEqual([a.id]);
    expect(t.sim().requests('dmp/custom_audience/delete')).toHaveLength(0);
  });
});

describe('previewing an undo', () => {
  it('says what the undo would add back, remove and cost, and sends nothing', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1500));
    const a = await createAudience(file);
    await runToEnd('sync:run', a.id);
    writeCohort(file, emails(200, 1500)); // removes user0..199, adds user1500..1699
    const second = await runToEnd('sync:run', a.id);
    // Reading the audience back from TikTok is not a change; anything else would be.
    const changes = () => t.sim().requests().filter((r) => r.endpoint !== 'dmp/custom_audience/get' && r.endpoint !== 'dmp/custom_audience/list').length;
    const sent = changes();

    const p = await h['sync:undoPreview']({ audienceId: a.id });
    expect(p).toMatchObject({ audienceId: a.id, runId: second.runId, adds: 200, removes: 200, calls: 2, fitsToday: true, pausesSchedule: true });
    expect(p.quotaLeft).toBeGreaterThanOrEqual(2);
    expect(changes()).toBe(sent);
    expect((await h['runs:list']({ audienceId: a.id })).length).toBe(2);
    expect((await h['audiences:get']({ id: a.id })).paused).toBe(false);
  });

  it('is refused when there is nothing to undo', async () => {
    const file = path.join(dir, 'cohort.csv');
    writeCohort(file, emails(0, 1100));
    const a = await createAudience(file);
    await expect(h['sync:undoPreview']({ audienceId: a.id })).rejects.toMatchObject({ code: 'UNDO_REFUSED', message: expect.stringContaining('no sync to undo') });
  });
});
