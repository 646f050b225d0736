/**
 * One reading of `--audience-id LOCAL_ID` for every command that names a local audience (electron/cli/command.ts):
 * a value that is not a number is named as given, an id that names no audience is named too, and both are bad input
 * (exit 2, as `runs --run` of a run that does not exist). Real store in a temp home, the CLI run in process.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { cli } from '../../helpers/cli';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  ({ dir, cleanup } = tmpDir());
  env = { COHORT_RELAY_HOME: path.join(dir, 'home'), COHORT_RELAY_KEYCHAIN: 'off' };
});
afterEach(() => cleanup());

function addAudience(name: string): number {
  const store = Store.open(path.join(dir, 'home'));
  try {
    return store.audiences.create({ connectionId: null, advertiserId: 'adv1', name, keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/x.csv', profile: DEFAULT_PROFILE }).id;
  } finally {
    store.close();
  }
}

const NOT_A_NUMBER = (v: string) => `error: --audience-id must be a number: the audience number "cohort-relay status" shows, not "${v}".\n`;
const UNKNOWN = (id: number) => `error: No audience with local id ${id}. Run "cohort-relay status" to list audiences.\n`;

describe('--audience-id LOCAL_ID, read once for every command', () => {
  it('runs: a value that is not a number and an unknown audience are refused (exit 2), not shown as an empty log', async () => {
    const id = addAudience('Buyers');
    const abc = await cli(['runs', '--audience-id', 'abc'], env);
    expect(abc).toEqual({ code: 2, stdout: '', stderr: NOT_A_NUMBER('abc') });
    const unknown = await cli(['runs', '--audience-id', String(id + 98)], env);
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: UNKNOWN(id + 98) });
    const known = await cli(['runs', '--audience-id', String(id)], env);
    expect(known).toEqual({ code: 0, stdout: 'No sync has run yet.\n', stderr: '' });
  });

  it('every command taking a local id says the same for the same input, with the same exit code as `runs --run` of no run', async () => {
    const id = addAudience('Buyers');
    const missing = id + 1;
    const noRun = await cli(['runs', '--run', '2'], env);
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toMatch(/^error: No run 2\./);
    const commands = [
      ['undo', '--audience-id'],
      ['undo', '--dry-run', '--audience-id'],
      ['schedule', 'add', '--every', 'hourly', '--audience-id'],
      ['schedule', 'remove', '--audience-id'],
      ['schedule', 'pause', '--audience-id'],
      ['delete', '--audience-id'],
      ['removals', 'limit', '--max', '10', '--audience-id'],
      ['removals', 'keep', '--audience-id'],
    ];
    for (const args of commands) {
      expect({ args, ...(await cli([...args, String(missing)], env)) }).toEqual({ args, code: 2, stdout: '', stderr: UNKNOWN(missing) });
      expect({ args, ...(await cli([...args, 'x'], env)) }).toEqual({ args, code: 2, stdout: '', stderr: NOT_A_NUMBER('x') });
    }
    // Nothing changed: the audience is still there, unscheduled and not paused.
    const store = Store.open(path.join(dir, 'home'));
    try {
      expect(store.audiences.require(id)).toMatchObject({ name: 'Buyers', cadence: { kind: 'manual' }, paused: false });
    } finally {
      store.close();
    }
  });

  it('use and overlap, which take several, read each the same way', async () => {
    const id = addAudience('Buyers');
    const cases: [string[], string][] = [
      [['use', 'adgroups', '--audience-id', String(id + 1)], UNKNOWN(id + 1)],
      [['use', 'share', '--audience-id', `${id},x`, '--with', '1'], NOT_A_NUMBER('x')],
      [['use', 'delete', '--audience-id', String(id), '--audience-id', String(id + 5)], UNKNOWN(id + 5)],
      [['overlap', '--audience-id', String(id), '--audience-id', String(id + 1)], UNKNOWN(id + 1)],
      [['overlap', '--audience-id', 'abc', '--audience-id', String(id)], NOT_A_NUMBER('abc')],
    ];
    for (const [args, stderr] of cases) expect({ args, ...(await cli(args, env)) }).toEqual({ args, code: 2, stdout: '', stderr });
  });

  it('a command that needs one says it is missing', async () => {
    addAudience('Buyers');
    for (const args of [['undo'], ['delete'], ['schedule', 'add', '--every', 'hourly'], ['removals', 'keep']]) {
      const r = await cli(args, env);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toBe('error: Missing --audience-id LOCAL_ID: the audience number "cohort-relay status" shows.\n');
    }
  });
});

describe('cohort-relay schedule list', () => {
  it('with no audiences says none has a schedule, and how to make one', async () => {
    const r = await cli(['schedule', 'list'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No audience has a schedule: there are no audiences yet\. Create one with "cohort-relay sync .*", then schedule it with "cohort-relay schedule add --audience-id N --every daily@06:00"\.\n$/);
  });

  it('says when every scheduled sync is paused', async () => {
    const id = addAudience('Buyers');
    expect((await cli(['schedule', 'pause'], env)).code).toBe(0);
    const r = await cli(['schedule', 'list'], env);
    expect(r.stdout).toBe(`All scheduled syncs are paused; resume them with "cohort-relay schedule resume".\n#${id} Buyers: manual, next none (only when you run sync)\n   Not created at TikTok yet: the next sync creates it, or remove it with "cohort-relay delete --audience-id ${id}".\n`);
  });
});
