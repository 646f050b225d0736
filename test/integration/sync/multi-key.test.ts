import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { sha256Hex } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;

beforeEach(async () => ({ sim, app, dir, close } = await openSandboxApp({ runner: { partnerBatchRows: 250 } })));
afterEach(async () => close());

interface Person {
  email?: string;
  phone?: string; // digits with country code, as normalized
  idfa?: string; // lowercase UUID
}

/** n people; every 5th has no phone, every 7th no email, every 3rd an IDFA. */
function people(from: number, n: number, phoneShift = 0): Person[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const p: Person = {};
    if (i % 7 !== 0) p.email = `person${i}@example.com`;
    if (i % 5 !== 0) p.phone = `1415${String(2_000_000 + ((i + phoneShift) % 7_999_999)).padStart(7, '0')}`;
    if (i % 3 === 0) p.idfa = `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
    if (!p.email && !p.phone && !p.idfa) p.email = `fallback${i}@example.com`;
    return p;
  });
}

function writeCsv(list: Person[], extraBadRows = 0): string {
  const file = path.join(dir, 'multi.csv');
  const rows = list.map((p, i) => `${i},${p.email ?? ''},${p.phone ? `+${p.phone}` : ''},${(p.idfa ?? '').toUpperCase()}`);
  for (let i = 0; i < extraBadRows; i++) rows.push(`bad${i},not-an-email,12,not-a-uuid`);
  fs.writeFileSync(file, `id,Email,Phone,IDFA\n${rows.join('\n')}\n`);
  return file;
}

/** The simulator's key for one MULTIPLE_TYPES row: its non-empty cells as header=value, sorted. */
const rowKey = (p: Person) =>
  [p.email && `email_sha256=${sha256Hex(p.email)}`, p.idfa && `maid_sha256=${sha256Hex(p.idfa)}`, p.phone && `phone_sha256=${sha256Hex(p.phone)}`].filter(Boolean).join(',');
const KEYS = [{ key: 'email', column: 'Email' }, { key: 'phone', column: 'Phone' }, { key: 'idfa', column: 'IDFA' }] as const;

async function syncMulti(list: Person[], opts: { api?: 'file' | 'segment'; bad?: number; name?: string } = {}) {
  const csv = writeCsv(list, opts.bad ?? 0);
  const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: opts.name ?? 'Multi', key: 'email', column: 'Email', keys: KEYS.map((k) => ({ ...k })), sourcePath: csv, profile: DEFAULT_PROFILE, api: opts.api });
  return { audience: a, outcome: await app.sync.sync(a.id, 'cli') };
}

describe('multi-key (MULTIPLE_TYPES) audiences', () => {
  it('uploads one row per person with the documented header and keeps rows with at least one valid key', async () => {
    const list = people(1, 1500);
    const { audience, outcome } = await syncMulti(list, { bad: 3 });
    expect(audience.calculateType).toBe('MULTIPLE_TYPES');
    expect(outcome).toMatchObject({ status: 'done', adds: 1500 });
    expect(outcome.counts.rejected).toBe(3);
    expect(outcome.counts.rejectReasons).toMatchObject({ INVALID_EMAIL: 3, INVALID_PHONE: 3, INVALID_MAID: 3 });
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(new Set(list.map(rowKey)));
    expect(outcome.perKey).toMatchObject({ email: { target: list.filter((p) => p.email).length }, phone: { target: list.filter((p) => p.phone).length }, maid: { target: list.filter((p) => p.idfa).length } });
    const upload = sim.requests('dmp/custom_audience/file/upload');
    expect(upload.length).toBeGreaterThan(0);
  });

  it('a person whose phone changed is removed as the old row and added as the new one; membership stays exact', async () => {
    const first = people(1, 1200);
    const { outcome: o1 } = await syncMulti(first);
    const second = first.map((p, i) => (i < 40 && p.phone ? { ...p, phone: `1415${String(3_000_000 + i).padStart(7, '0')}` } : p));
    const { outcome } = await syncMulti(second);
    const changed = first.slice(0, 40).filter((p) => p.phone).length;
    expect(outcome).toMatchObject({ status: 'done', adds: changed, removes: changed });
    expect(outcome.perKey?.phone).toMatchObject({ adds: changed, removes: changed });
    expect(outcome.perKey?.email).toMatchObject({ adds: 0, removes: 0 });
    expect(sim.membership(o1.tiktokAudienceId!)).toEqual(new Set(second.map(rowKey)));
  });

  it('the floor counts people, and undo restores the previous rows', async () => {
    const { audience, outcome: o1 } = await syncMulti(people(1, 1100));
    const small = await syncMulti(people(1, 900));
    expect(small.outcome.error?.code).toBe('AUDIENCE_TOO_SMALL');
    await syncMulti(people(50, 1100));
    const undo = await app.sync.undo(audience.id);
    expect(undo.status).toBe('done');
    expect(sim.membership(o1.tiktokAudienceId!)).toEqual(new Set(people(1, 1100).map(rowKey)));
  });

  it('refuses to change the keys of a saved multi-key audience', async () => {
    await syncMulti(people(1, 1100));
    const csv = writeCsv(people(1, 10));
    await expect(app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: 'Multi', key: 'email', column: 'Email', sourcePath: csv, profile: DEFAULT_PROFILE })).rejects.toMatchObject({ code: 'KEY_TYPE_LOCKED' });
  });

  it('a partner audience with several keys sends positional id_schema rows with {} placeholders', async () => {
    const list = people(1, 600);
    const { outcome } = await syncMulti(list, { api: 'segment', name: 'Multi partner' });
    expect(outcome.status).toBe('done');
    const expected = new Set(list.flatMap((p) => [p.email && `EMAIL_SHA256:${sha256Hex(p.email)}`, p.phone && `PHONE_SHA256:${sha256Hex(p.phone)}`, p.idfa && `IDFA_SHA256:${sha256Hex(p.idfa)}`].filter((x): x is string => Boolean(x))));
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(expected);
  });
});
