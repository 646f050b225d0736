import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { engineForEachTest } from './helpers';

let dir: string;
let h: Handlers;
engineForEachTest('cohort-relay-country-', (e) => ({ dir, h } = e));

describe('"country from column X" is saved with the audience and used by its syncs (issue #11 item 6)', () => {
  it('stores the country column in the key mapping and reads national-format phones with it', async () => {
    const file = path.join(dir, 'crm.csv');
    // 1,200 German mobile numbers in national format; the country is in a column, not in the numbers.
    const rows = Array.from({ length: 1200 }, (_, i) => `0151 ${String(20000000 + i)},DE`);
    fs.writeFileSync(file, `mobile,land\n${rows.join('\n')}\n`);
    const conn = await h['connections:connectSandbox'](undefined);
    const base = { advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' as const } };
    const withCountry = await h['audiences:create']({ ...base, name: 'DE mobiles', keys: [{ key: 'phone', column: 'mobile', countryColumn: 'land' }] });
    expect(withCountry.keys).toEqual([{ key: 'phone', column: 'mobile', countryColumn: 'land' }]);
    expect((await h['audiences:get']({ id: withCountry.id })).keys[0]).toMatchObject({ countryColumn: 'land' });
    const plan = await h['sync:plan']({ audienceId: withCountry.id });
    expect(plan).toMatchObject({ rowsRead: 1200, valid: 1200, rejected: 0 });
    const without = await h['audiences:create']({ ...base, name: 'No country', keys: [{ key: 'phone', column: 'mobile' }] });
    await expect(h['sync:plan']({ audienceId: without.id })).rejects.toThrow(/no valid|country/i);
  });
});
