/**
 * The desktop contract for several values per key inside a multi-key audience (#14 §2): a mapping whose email has an
 * extra column (`Email 2`) beside a phone makes one MULTIPLE_TYPES audience; its sync sends one row per person, and
 * the detail screen's people per key count people, not values. The real engine, the sandbox over HTTP, real SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { sha256Hex } from '../../helpers/cohort';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-several-multi-', (e) => ({ dir, t, h } = e));

describe('audiences:create with an extra email column beside a phone', () => {
  it('makes one multi-key audience, sends both emails in a person\'s row, and counts each person once per key on the detail screen', async () => {
    const file = path.join(dir, 'crm.csv');
    // 1,200 people, each with a phone; every other one has a second email.
    const rows = Array.from({ length: 1200 }, (_, i) => `p${i}@example.com,${i % 2 ? `q${i}@example.org` : ''},+1415${String(2_000_000 + i)}`);
    fs.writeFileSync(file, `Email 1,Email 2,Phone\n${rows.join('\n')}\n`);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Two emails and a phone', keys: [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }, { key: 'phone', column: 'Phone' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
    expect(a.calculateType).toBe('MULTIPLE_TYPES');

    const { runId } = await h['sync:run']({ audienceId: a.id });
    const done = await t.waitFor('run:finished', (p) => p.runId === runId);
    expect(done.status).toBe('done');
    const detail = await h['audiences:get']({ id: a.id });
    // People, not values: the 600 with a second email count once under email.
    expect(detail.perKeySize).toEqual({ email: 1200, phone: 1200 });
    expect(detail.keys).toEqual([{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }, { key: 'phone', column: 'Phone' }]);
    const members = t.sim().membership(detail.tiktokAudienceId!)!;
    expect(members.size).toBe(1200);
    const both = [`email_sha256=${sha256Hex('p1@example.com')}`, `email_sha256=${sha256Hex('q1@example.org')}`].sort();
    expect(members.has([...both, `phone_sha256=${sha256Hex('14152000001')}`].join(','))).toBe(true);
  });
});
