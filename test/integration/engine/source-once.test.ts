/**
 * #11 item 9 in the engine: `sync:run` with `sourceOnce` syncs that file into an audience that reads a watched folder,
 * and the audience keeps its folder; the next sync reads the folder again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-once-', (e) => ({ dir, t, h } = e));

function cohort(file: string, from: number, count: number): void {
  const rows = ['user_id,email'];
  for (let i = from; i < from + count; i++) rows.push(`${i},person${i}@example.com`);
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
}

async function runToEnd(req: { audienceId: number; sourceOnce?: string }) {
  const { runId } = await h['sync:run'](req);
  return t.waitFor('run:finished', (p) => p.runId === runId);
}

describe('sync:run with sourceOnce', () => {
  it('syncs the one file and leaves the watched folder as the source', async () => {
    const folder = path.join(dir, 'exports');
    fs.mkdirSync(folder);
    cohort(path.join(folder, 'buyers-1.csv'), 0, 1200);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({
      advertiserId: conn.advertisers[0]!.advertiserId,
      connectionId: conn.id,
      name: 'Folder buyers',
      keys: [{ key: 'email', column: 'email' }],
      sourcePath: folder,
      sourceKind: 'folder',
      sourcePattern: 'buyers-*.csv',
      profile: DEFAULT_PROFILE,
      cadence: { kind: 'manual' },
    });
    expect((await runToEnd({ audienceId: a.id })).status).toBe('done');

    const once = path.join(dir, 'dropped.csv');
    cohort(once, 0, 1250);
    const finished = await runToEnd({ audienceId: a.id, sourceOnce: once });
    expect(finished.status).toBe('done');
    const after = await h['audiences:get']({ id: a.id });
    expect(after).toMatchObject({ sourceKind: 'folder', sourcePath: folder, sourcePattern: 'buyers-*.csv', localSize: 1250 });
    const runs = await h['runs:list']({ audienceId: a.id });
    expect(runs[0]).toMatchObject({ adds: 50, removes: 0 });

    // The next sync reads the folder again: the 50 people only in the dropped file go.
    const back = await runToEnd({ audienceId: a.id });
    expect(back.status).toBe('done');
    expect((await h['runs:list']({ audienceId: a.id }))[0]).toMatchObject({ adds: 0, removes: 50 });
  });

  it('refuses a one-off file that does not exist, in words', async () => {
    const folder = path.join(dir, 'exports');
    fs.mkdirSync(folder);
    cohort(path.join(folder, 'buyers-1.csv'), 0, 1200);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({
      advertiserId: conn.advertisers[0]!.advertiserId,
      connectionId: conn.id,
      name: 'Folder buyers',
      keys: [{ key: 'email', column: 'email' }],
      sourcePath: folder,
      sourceKind: 'folder',
      profile: DEFAULT_PROFILE,
      cadence: { kind: 'manual' },
    });
    await expect(h['sync:run']({ audienceId: a.id, sourceOnce: path.join(dir, 'gone.csv') })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('a "use this file once" run in the sync log', () => {
  it('is logged with the file it read, so its "Export rejects" re-reads that file, not the folder\'s newest one', async () => {
    const folder = path.join(dir, 'exports');
    fs.mkdirSync(folder);
    const inFolder = path.join(folder, 'buyers-1.csv');
    cohort(inFolder, 0, 1200);
    fs.appendFileSync(inFolder, '9001,not-an-email\n');
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({
      advertiserId: conn.advertisers[0]!.advertiserId,
      connectionId: conn.id,
      name: 'Folder buyers',
      keys: [{ key: 'email', column: 'email' }],
      sourcePath: folder,
      sourceKind: 'folder',
      sourcePattern: 'buyers-*.csv',
      profile: DEFAULT_PROFILE,
      cadence: { kind: 'manual' },
    });
    expect((await runToEnd({ audienceId: a.id })).status).toBe('done');

    // The dropped file has three rows that are no email; the folder's newest file has one.
    const once = path.join(dir, 'dropped.csv');
    cohort(once, 0, 1250);
    fs.appendFileSync(once, '9101,first-bad\n9102,second-bad@\n9103,@third-bad\n');
    const finished = await runToEnd({ audienceId: a.id, sourceOnce: once });
    expect(finished.status).toBe('done');
    const run = (await h['runs:list']({ audienceId: a.id }))[0]!;
    expect(run).toMatchObject({ id: finished.runId, rejected: 3, sourcePath: once });

    const outPath = path.join(dir, 'once-rejects.csv');
    expect(await h['runs:exportRejects']({ runId: run.id, outPath })).toMatchObject({ written: 3 });
    expect(fs.readFileSync(outPath, 'utf8')).toMatch(/9102/);
  });
});
