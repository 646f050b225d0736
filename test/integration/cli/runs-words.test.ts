/** `cohort-relay runs` says a running run is running once: "running since …, nothing sent yet". */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

describe('cohort-relay runs', () => {
  it('a running run: "running since <time>, nothing sent yet", running said once', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1200));
    expect((await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers'], env)).code).toBe(0);
    // A run another process has going right now (its row, as that process writes it).
    const store = Store.open(path.join(dir, 'home'));
    const run = store.runs.start({ audienceId: 1, trigger: 'schedule', sourcePath: csv });
    store.close();
    const out = (await cli(['runs'], env)).stdout;
    expect(out).toMatch(new RegExp(`^#${run.id} audience 1 schedule running since ${run.startedAt.replace(/\./g, '\\.')}, nothing sent yet$`, 'm'));
    expect(out.match(/running/g)).toHaveLength(1);
  });
});
