/**
 * `import:validate` with a key's further columns (#14 §2): the wizard's validation reads `Email 2` too — every value
 * counted, an empty further cell no reject, an unusable one a reject naming its row and column. Real engine, real file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { engineForEachTest } from './helpers';

let dir: string;
let h: Handlers;
engineForEachTest('cohort-relay-validate-extra-', (e) => ({ dir, h } = e));

describe('import:validate with extra columns', () => {
  it('counts every value of the key and names the column of a reject in a further column', async () => {
    const file = path.join(dir, 'two-emails.csv');
    fs.writeFileSync(file, 'id,Email 1,Email 2\n1,a@example.com,b@example.com\n2,c@example.com,\n3,d@example.com,not an email\n');
    const one = await h['import:validate']({ path: file, key: 'email', column: 'Email 1', profile: DEFAULT_PROFILE });
    expect(one).toMatchObject({ rowsRead: 3, valid: 3, rejected: 0 });
    const both = await h['import:validate']({ path: file, key: 'email', column: 'Email 1', extraColumns: ['Email 2'], profile: DEFAULT_PROFILE });
    expect(both).toMatchObject({ rowsRead: 3, valid: 4, rejected: 1, byReason: { INVALID_EMAIL: 1 } });
    expect(both.rejectsSample).toEqual([expect.objectContaining({ line: 4, reason: 'INVALID_EMAIL' })]);
  });
});
