/**
 * A new source file for a saved audience must have the columns its keys are read from (review of session 6, A1): a
 * headerless file saved as the source of an audience read from "Email 1" made the next sync fail with 'There is no
 * column "Email 1"'. audiences:update now refuses it in plain words and keeps the old source (real engine, real store).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from './helpers';

let dir: string;
let cleanup: () => void;
let p: TestEngine;

beforeEach(async () => {
  ({ dir, cleanup } = tmpDir('cr-source-columns-'));
  p = await startTestEngine(dir);
});
afterEach(async () => {
  await p.engine.shutdown();
  cleanup();
});

const write = (name: string, lines: string[]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

describe('a new source file of a saved audience', () => {
  it('is refused when it lacks a column the keys are read from; one with the columns is saved', async () => {
    const h = p.engine.handlers;
    const people = emails(0, 20);
    const first = write('march.csv', ['Name,Email 1', ...people.map((e, i) => `P${i},${e}`)]);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Spring buyers', keys: [{ key: 'email', column: 'Email 1' }], sourcePath: first, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });

    const headerless = write('headerless.csv', people.map((e, i) => `P${i},${e}`));
    await expect(h['audiences:update']({ id: a.id, sourcePath: headerless })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'headerless.csv has no column "Email 1" (its first row is not a header row), which "Spring buyers" reads its Email from. Choose a file with the same columns, or map this file to a new audience.',
    });
    const other = write('other export.csv', ['Name,Mail', ...people.map((e, i) => `P${i},${e}`)]);
    await expect(h['audiences:update']({ id: a.id, sourcePath: other })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^other export\.csv has no column "Email 1", which "Spring buyers" reads its Email from\./) });
    expect((await h['audiences:get']({ id: a.id })).sourcePath).toBe(first);

    const april = write('april.csv', ['Email 1,Name', ...people.map((e, i) => `${e},P${i}`)]);
    expect((await h['audiences:update']({ id: a.id, sourcePath: april })).sourcePath).toBe(april);
    // Other changes do not re-read the file.
    expect((await h['audiences:update']({ id: a.id, name: 'Spring buyers 2' })).name).toBe('Spring buyers 2');
  });
});
