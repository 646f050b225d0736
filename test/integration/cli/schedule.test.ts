/**
 * #13 §2: `cohort-relay schedule` calls the engine's schedule operations (electron/core/engine/schedule.ts)
 * instead of writing the store itself. Real store in a temp home, the CLI run in process.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { setSchedule } from '../../../electron/core/engine';
import { Store } from '../../../electron/core/store';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let id: number;

beforeEach(() => {
  ({ dir, cleanup } = tmpDir());
  env = { COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' };
  const store = Store.open(path.join(dir, 'home'));
  id = store.audiences.create({ connectionId: null, advertiserId: 'adv1', name: 'Buyers', keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/x.csv', profile: DEFAULT_PROFILE }).id;
  store.close();
});
afterEach(() => cleanup());

type ListJson = { pausedAll: boolean; schedules: { id: number; name: string; cadence: { kind: string; at?: string }; paused: boolean; nextRun: string | null }[] };
const list = async (): Promise<ListJson> => JSON.parse((await cli(['schedule', 'list', '--json'], env)).stdout) as ListJson;

describe('cohort-relay schedule', () => {
  it('adds, pauses and resumes one audience, pauses everything, and removes the schedule', async () => {
    const add = await cli(['schedule', 'add', '--audience-id', String(id), '--every', 'weekly@mon@09:00'], env);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/Audience "Buyers" now syncs weekly@mon@09:00; next run \d{4}-/);
    let l = await list();
    expect(l.pausedAll).toBe(false);
    expect(l.schedules).toEqual([{ id, name: 'Buyers', cadence: { kind: 'weekly', weekday: 1, at: '09:00' }, paused: false, nextRun: expect.stringMatching(/^\d{4}-/) }]);

    expect((await cli(['schedule', 'pause', '--audience-id', String(id)], env)).stdout).toBe(`Paused audience ${id}.\n`);
    l = await list();
    expect(l.schedules[0]).toMatchObject({ paused: true, nextRun: null });
    expect(l.pausedAll).toBe(false);

    expect((await cli(['schedule', 'resume', '--audience-id', String(id)], env)).code).toBe(0);
    expect((await list()).schedules[0]).toMatchObject({ paused: false, nextRun: expect.stringMatching(/^\d{4}-/) });

    expect((await cli(['schedule', 'pause'], env)).stdout).toBe('Paused all scheduled syncs.\n');
    l = await list();
    expect(l.pausedAll).toBe(true);
    expect(l.schedules[0]).toMatchObject({ paused: false, nextRun: null });
    expect((await cli(['schedule', 'resume'], env)).code).toBe(0);
    expect((await list()).pausedAll).toBe(false);

    expect((await cli(['schedule', 'remove', '--audience-id', String(id)], env)).stdout).toBe('Audience "Buyers" is no longer scheduled.\n');
    expect((await list()).schedules[0]).toMatchObject({ cadence: { kind: 'manual' }, nextRun: null });
  });

  it('names an unknown audience and leaves the store as it was', async () => {
    const r = await cli(['schedule', 'add', '--audience-id', String(id + 1), '--every', 'hourly'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No audience with local id/);
    expect((await list()).schedules[0]).toMatchObject({ cadence: { kind: 'manual' } });
  });

  it('the engine operation refuses a cadence that cannot run, whoever calls it', async () => {
    const app = await CohortRelayApp.open({ env });
    try {
      expect(() => setSchedule(app, id, { kind: 'daily', at: '25:00' })).toThrow(/HH:MM/);
      expect(app.store.audiences.require(id).cadence).toEqual({ kind: 'manual' });
    } finally {
      app.close();
    }
  });
});
