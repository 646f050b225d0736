/**
 * Issue #12 item 2: when the first row is only guessed to be a header (headerDoubtful), the mapping an
 * audience is saved with names the column by index, not by that row's text. Real engine, real store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { RequestOf } from '../../../shared/ipc/contract';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from './helpers';

let dir: string;
let cleanup: () => void;
let p: TestEngine;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir('cohort-relay-header-'));
  p = await startTestEngine(dir);
});
afterEach(async () => {
  await p.engine.shutdown();
  cleanup();
});

async function create(name: string, text: string, column: string, over: Partial<RequestOf<'audiences:create'>> = {}) {
  const file = path.join(dir, `${name}.csv`);
  fs.writeFileSync(file, text);
  const conn = await p.engine.handlers['connections:connectSandbox'](undefined);
  return p.engine.handlers['audiences:create']({
    advertiserId: conn.advertisers[0]!.advertiserId,
    connectionId: conn.id,
    name,
    keys: [{ key: 'email', column }],
    sourcePath: file,
    profile: DEFAULT_PROFILE,
    cadence: { kind: 'manual' },
    ...over,
  });
}

describe('a doubtful header saves the mapping by column index (#12 item 2)', () => {
  it('stores the index when the first row is only guessed to be a header, the name when the header is clear', async () => {
    const guessed = 'Alice,Berlin\nBob,Paris\nCarol,Rome\n';
    const probe = path.join(dir, 'probe.csv');
    fs.writeFileSync(probe, guessed);
    expect(await p.engine.handlers['import:preview']({ path: probe })).toMatchObject({ hasHeader: true, headerDoubtful: true });
    const doubtful = await create('Guessed', guessed, 'Berlin');
    expect(doubtful.keys).toEqual([{ key: 'email', column: 1 }]);
    expect((await p.engine.handlers['audiences:get']({ id: doubtful.id })).keys).toEqual([{ key: 'email', column: 1 }]);

    const clear = await create('Told', 'email,city\na@example.com,Paris\nb@example.com,Rome\n', 'email');
    expect(clear.keys).toEqual([{ key: 'email', column: 'email' }]);
    // An index given by the page is kept as it is.
    const byIndex = await create('Indexed', guessed, 'Berlin', { keys: [{ key: 'email', column: 0 }] });
    expect(byIndex.keys).toEqual([{ key: 'email', column: 0 }]);
    // A phone's country column (#11 item 6) is pinned with it.
    const phones = await create('Phones', guessed, 'Berlin', { keys: [{ key: 'phone', column: 'Berlin', countryColumn: 'Alice' }] });
    expect(phones.keys).toEqual([{ key: 'phone', column: 1, countryColumn: 0 }]);
  });
});
