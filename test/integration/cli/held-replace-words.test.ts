/**
 * A sync held for a full replace (the audience's columns changed) is shown as a replace wherever it is listed: the
 * hold in `removals` and `status`, and the held run in `runs` — "replaces all 1,454 people with 1,097", never a bare
 * "−357" as if 357 named people were removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

/** People `from`..`to`-1: an email, a phone, every third a second email. */
function writeCsv(name: string, from: number, to: number): string {
  const file = path.join(dir, name);
  const rows: string[] = [];
  for (let i = from; i < to; i++) rows.push(`p${i}@example.com,${i % 3 === 0 ? `second${i}@example.org` : ''},+1415${String(2_000_000 + i).padStart(7, '0')}`);
  fs.writeFileSync(file, `Email,Email 2,Phone\n${rows.join('\n')}\n`);
  return file;
}
const args = (csv: string, keys: string, ...more: string[]) => ['sync', '--csv', csv, '--keys', keys, '--advertiser', sim.advertiserIds[0]!, '--audience', 'Buyers', ...more];

describe('a held full replace in the lists', () => {
  it('removals, status and runs say it replaces all 1,454 people with 1,097', async () => {
    expect((await cli(args(writeCsv('all.csv', 0, 1454), 'email=Email,phone=Phone'), env)).code).toBe(0);
    const held = await cli(args(writeCsv('fewer.csv', 0, 1097), 'email=Email,email=Email 2,phone=Phone'), env);
    expect(held.code).toBe(3);
    const replace = 'This sync would replace all 1,454 people with 1,097: 357 fewer (25 %), more than this audience\'s 20 % limit, so it was held';
    const removals = await cli(['removals'], env);
    expect(removals.stdout).toContain(replace);
    expect(removals.stdout).not.toContain('remove 357');
    const status = await cli(['status'], env);
    expect(status.stdout).toContain(`Sync held: ${replace}`);
    expect(JSON.parse((await cli(['removals', '--json'], env)).stdout).audiences[0].hold.message).toContain(replace);
    const runs = await cli(['runs'], env);
    expect(runs.stdout).toMatch(/^#2 audience 1 cli held \S+: rows 1,097, rejected 0, nothing sent, 0 calls — This sync would replace all 1,454 people with 1,097/m);
    expect(runs.stdout).not.toContain('−357');
    expect((await cli(['runs', '--run', '2'], env)).stdout).toMatch(/^Run 2: held, nothing sent, 0 calls; This sync would replace all 1,454 people with 1,097/);
  });
});
