import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHash, loadSuppression, readCohort, subtractHashes } from '../../../../electron/core/cohort';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-suppress-')));
afterAll(() => cleanup());

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}
const sha = (s: string) => crypto.createHash('sha256').update(s).digest();

describe('suppression lists', () => {
  it('subtract converted customers from the cohort, matching after normalization', async () => {
    const cohort = await readCohort({ path: file('cohort.csv', 'email\nann@x.io\nbob@x.io\ncy@x.io\n'), key: 'email', workers: 0 });
    const suppress = await loadSuppression(file('converted.csv', 'customer,Email\n1, BOB@X.IO\n2,zed@x.io\n'), 'email', DEFAULT_PROFILE, { workers: 0 });
    const kept = subtractHashes(cohort.hashes, suppress);
    expect(kept.length / 32).toBe(2);
    expect(hasHash(kept, sha('bob@x.io'))).toBe(false);
    expect(hasHash(kept, sha('ann@x.io'))).toBe(true);
  });

  it('a list with a header and no rows suppresses no one', async () => {
    expect((await loadSuppression(file('none.csv', 'email\n'), 'email', DEFAULT_PROFILE)).length).toBe(0);
  });

  it('errors name the suppression list', async () => {
    const err = await loadSuppression(path.join(dir, 'missing.csv'), 'email', DEFAULT_PROFILE).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('FILE_NOT_FOUND');
    expect((err as AppError).message).toMatch(/^Suppression list: /);
  });
});
