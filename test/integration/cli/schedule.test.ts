/**
 * #13 §2: `cohort-relay schedule` calls the engine's schedule operations (electron/core/engine/schedule.ts)
 * instead of writing the store itself. Real store in a temp home, the CLI run in process.
 */
import { describe, expect, it } from 'vitest';
import { CohortRelayApp } from '../../../electron/core/app';
import { setSchedule } from '../../../electron/core/engine';
import { cli } from '../../helpers/cli';
import { cliHomeWithAudienceForEachTest } from '../../helpers/cli-home';

let env: NodeJS.ProcessEnv;
let id: number;
cliHomeWithAudienceForEachTest((home) => ({ env, id } = home));

type ListJson = { pausedAll: boolean; schedules: { id: number; name: string; cadence: { kind: string; at?: string }; paused: boolean; nextRun: string | null }[] };
const list = async (): Promise<ListJson> => JSON.parse((await cli(['schedule', 'list', '--json'], env)).stdout) as ListJson;

describe('cohort-relay schedule', () => {
  it('adds, pauses and resumes one audience, pauses everything, and removes the schedule', async () => {
    const add = await cli(['schedule', 'add', '--audience-id', String(id), '--every', 'weekly@mon@09:00'], env);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/Audience "Buyers" now syncs weekly@mon@09:00; next run \d{4}-/);
    let l = await list();
    expect(l.pausedAll).toBe(false);
    expect(l.schedules).toEqual([{ id, name: 'Buyers', cadence: { kind: 'weekly', weekday: 1, at: '09:00' }, paused: false, nextRun: expect.stringMatching(/^\d{4}-/), created: false }]);

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

  it('refuses a once@ that is no date, or empty, as bad input naming the accepted forms (not an internal error)', async () => {
    for (const every of ['once@garbage', 'once@', 'once@5']) {
      const r = await cli(['schedule', 'add', '--audience-id', String(id), '--every', every], env);
      expect(r.code, every).toBe(2);
      expect(r.stderr, every).toMatch(new RegExp(`^error: Cadence "${every}": ".*" is not a date and time: use once@YYYY-MM-DDTHH:MM \\(local time\\), e\\.g\\. once@\\d{4}-.*Accepted: hourly, daily@HH:MM, weekly@DAY@HH:MM`));
      expect(r.stderr, every).not.toMatch(/Something went wrong/);
    }
    expect((await list()).schedules[0]).toMatchObject({ cadence: { kind: 'manual' } });
  });

  it('refuses a once@ time in the past, and takes one still to come', async () => {
    const past = await cli(['schedule', 'add', '--audience-id', String(id), '--every', 'once@2020-01-01T00:00'], env);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/^error: Cadence "once@2020-01-01T00:00": 2020-01-01T00:00 is in the past \(it is now \d{4}-\d\d-\d\dT\d\d:\d\d\): give a time still to come/);
    expect((await list()).schedules[0]).toMatchObject({ cadence: { kind: 'manual' }, nextRun: null });

    // A day the month does not have is refused, never rolled over into the next month.
    for (const day of ['02-30', '04-31', '13-01']) {
      const every = `once@${new Date().getFullYear() + 1}-${day}T10:00`;
      const r = await cli(['schedule', 'add', '--audience-id', String(id), '--every', every], env);
      expect(r.code, every).toBe(2);
      expect(r.stderr, every).toMatch(/is not a (day of the calendar|date and time)/);
    }
    expect((await list()).schedules[0]).toMatchObject({ cadence: { kind: 'manual' } });

    const future = await cli(['schedule', 'add', '--audience-id', String(id), '--every', `once@${new Date().getFullYear() + 1}-06-01T09:00`], env);
    expect(future.code).toBe(0);
    expect((await list()).schedules[0]).toMatchObject({ cadence: { kind: 'once', at: new Date(`${new Date().getFullYear() + 1}-06-01T09:00`).toISOString() } });
  });

  it('takes the weekday as the README writes it (mon, monday) or as 0-6, and names both forms when it is neither', async () => {
    for (const [every, weekday] of [['weekly@mon@10:00', 1], ['weekly@Friday@10:00', 5], ['weekly@0@10:00', 0], ['weekly@sat@10:00', 6]] as const) {
      const r = await cli(['schedule', 'add', '--audience-id', String(id), '--every', every], env);
      expect(r.code, every).toBe(0);
      expect((await list()).schedules[0]!.cadence, every).toEqual({ kind: 'weekly', weekday, at: '10:00' });
    }
    for (const every of ['weekly@xyz@10:00', 'weekly@7@10:00', 'weekly@mo@10:00']) {
      const r = await cli(['schedule', 'add', '--audience-id', String(id), '--every', every], env);
      expect(r.code, every).toBe(2);
      expect(r.stderr, every).toContain(`Cadence "${every}": the weekday must be a day's name (sun, mon, tue, wed, thu, fri, sat, or in full) or its number, 0 (Sunday) to 6 (Saturday)`);
    }
    expect((await list()).schedules[0]!.cadence).toEqual({ kind: 'weekly', weekday: 6, at: '10:00' });
  });

  it('refuses a daily or weekly cadence without its time, naming the full form (no hour is made up)', async () => {
    for (const [every, form] of [['weekly@fri', 'weekly@fri@HH:MM (24-hour, local time), e.g. weekly@fri@09:00'], ['weekly@friday@', 'weekly@friday@HH:MM'], ['daily', 'daily@HH:MM (24-hour, local time), e.g. daily@06:30']] as const) {
      const r = await cli(['schedule', 'add', '--audience-id', String(id), '--every', every], env);
      expect(r.code, every).toBe(2);
      expect(r.stderr, every).toContain(`Cadence "${every}": the time is missing: use ${form}`);
    }
    expect((await list()).schedules[0]).toMatchObject({ cadence: { kind: 'manual' } });
  });

  it('add --json prints the created schedule as list --json shows it', async () => {
    const r = await cli(['schedule', 'add', '--audience-id', String(id), '--every', 'daily@06:30', '--json'], env);
    expect(r.code).toBe(0);
    const made = JSON.parse(r.stdout) as unknown;
    expect(made).toEqual({ id, name: 'Buyers', cadence: { kind: 'daily', at: '06:30' }, paused: false, nextRun: expect.stringMatching(/^\d{4}-/), created: false });
    expect((await list()).schedules[0]).toEqual(made);
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
