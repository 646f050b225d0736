/**
 * `status`, `schedule list` and `removals list` tell one truth (review s7 3): a failed audience shows why, the next
 * run reads the same in status and the schedule list, and an audience a sync never created at TikTok says so with the
 * way out — against the offline sandbox over real HTTP, through the CLI's own process.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cadenceWords, scheduleWords } from '../../../electron/cli/schedule-words';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let dir: string;
let env: NodeJS.ProcessEnv;
let sim: SimulatorHandle;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

const sync = (csv: string, name: string) => cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', name], env);

describe('status, schedule list and removals list', () => {
  it('name an audience a sync never created at TikTok, with what happens next and the way out', async () => {
    const csv = path.join(dir, 'a.csv');
    writeEmailCsv(csv, emails(0, 1200));
    sim.faults.add({ kind: 'tiktok-code', endpoint: 'dmp/custom_audience/create', code: 40001, message: 'Invalid parameter', times: 1 });
    expect((await sync(csv, 'Never made')).code).not.toBe(0);
    const line = /Not created at TikTok yet: the next sync creates it, or remove it with "cohort-relay delete --audience-id 1"\./;
    const status = await cli(['status'], env);
    expect(status.stdout).toMatch(line);
    expect((await cli(['schedule', 'list'], env)).stdout).toMatch(line);
    expect((await cli(['removals', 'list'], env)).stdout).toMatch(line);
    // The run log: TikTok refused the create before it reached an audience, so no call counts (the quota ledger released it).
    expect((await cli(['runs'], env)).stdout).toMatch(/^#1 audience 1 cli failed \S+: rows 1,200, rejected 0, \+1,200 −0 planned, nothing sent, 0 calls — /);
    // Once a sync creates it, the line goes.
    expect((await sync(csv, 'Never made')).code).toBe(0);
    expect((await cli(['status'], env)).stdout).not.toMatch(/Not created at TikTok/);
  }, 60_000);

  it('say the same of the next run, and a failed audience shows why', async () => {
    const csv = path.join(dir, 'a.csv');
    writeEmailCsv(csv, emails(0, 1200));
    expect((await sync(csv, 'Buyers')).code).toBe(0);
    expect((await cli(['schedule', 'add', '--audience-id', '1', '--every', 'daily@06:00'], env)).code).toBe(0);
    const status = (await cli(['status'], env)).stdout;
    const list = (await cli(['schedule', 'list'], env)).stdout;
    const words = /daily at 06:00, next \d{4}-\d{2}-\d{2}T[\d:.]+Z/;
    expect(status.match(words)?.[0]).toBe(list.match(words)?.[0]);
    expect(status).toMatch(words);
    // A sync the floor refuses leaves the audience in error: the reason is in the text, not only in --json.
    writeEmailCsv(csv, emails(0, 900));
    expect((await sync(csv, 'Buyers')).code).toBe(1);
    const failed = (await cli(['status'], env)).stdout;
    expect(failed).toMatch(/\[error\]/);
    expect(failed).toMatch(/900 people/);
  }, 60_000);

  it('word every cadence the same way, and a once schedule that already ran as such', () => {
    expect(cadenceWords({ kind: 'weekly', weekday: 1, at: '09:00' })).toBe('weekly on Monday at 09:00');
    expect(scheduleWords({ cadence: { kind: 'once', at: '2026-12-01T09:00:00.000Z' }, paused: false, nextRun: null })).toBe('once at 2026-12-01T09:00:00.000Z, next none (it already ran)');
    expect(scheduleWords({ cadence: { kind: 'manual' }, paused: false, nextRun: null }, true)).toBe('manual, next none (only when you run sync)');
    expect(scheduleWords({ cadence: { kind: 'daily', at: '06:00' }, paused: true, nextRun: null })).toBe('daily at 06:00, next paused');
    expect(scheduleWords({ cadence: { kind: 'hourly' }, paused: false, nextRun: null }, true)).toBe('hourly, next paused (all scheduled syncs are)');
  });
});
