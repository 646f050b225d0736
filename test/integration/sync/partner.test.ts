import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { openSandboxApp } from '../../helpers/sandbox-app';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: () => Promise<void>;

beforeEach(async () => ({ sim, app, dir, close } = await openSandboxApp({ runner: { partnerBatchRows: 300 } })));
afterEach(async () => close());

const partnerSet = (list: readonly string[]) => new Set(list.map((e) => `EMAIL_SHA256:${sha256Hex(e)}`));

async function syncPartner(list: readonly string[], name = 'Partner buyers') {
  const csv = path.join(dir, 'cohort.csv');
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name, key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE, api: 'segment' });
  app.store.audiences.update(a.id, { removalLimitPct: null }); // Big changes on purpose: the removal limit (held syncs) has its own tests (removal-limit.test.ts).
  return { audience: a, outcome: await app.sync.sync(a.id, 'cli') };
}

describe('partner audiences through the segment API', () => {
  it('creates a partner audience and adds everyone in batches of at most 300 rows', async () => {
    const list = emails(0, 1000);
    const { outcome } = await syncPartner(list);
    expect(outcome).toMatchObject({ status: 'done', adds: 1000, callsUsed: 5 });
    expect(sim.requests('segment/mapping')).toHaveLength(4);
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(partnerSet(list));
  });

  it('a changed file adds and deletes only the difference, beyond the 24-call file budget', async () => {
    const { outcome: first } = await syncPartner(emails(0, 1200));
    const next = emails(600, 9000); // 8,400 adds = 28 batches + 2 delete batches: more than 24 calls
    const { outcome } = await syncPartner(next);
    expect(outcome).toMatchObject({ status: 'done', adds: 8400, removes: 600 });
    expect(outcome.callsUsed).toBeGreaterThan(24);
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(partnerSet(next));
  });

  it('splits a batch TikTok finds too large (40061) and goes on', async () => {
    sim.configure({ segmentMaxBatchSize: 100 });
    const list = emails(0, 700);
    const { outcome } = await syncPartner(list);
    expect(outcome.status).toBe('done');
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(partnerSet(list));
    expect(sim.requests('segment/mapping').some((r) => r.code === 40061)).toBe(true);
  });

  it('an app not allowlisted (40118) falls back to a customer-file audience and says so', async () => {
    sim.configure({ segmentAllowlisted: false });
    const list = emails(0, 1500);
    const { audience, outcome } = await syncPartner(list);
    expect(outcome.status).toBe('done');
    expect(outcome.warnings.join(' ')).toMatch(/customer-file/);
    expect(app.store.audiences.require(audience.id).api).toBe('file');
    expect(sim.membership(outcome.tiktokAudienceId!)).toEqual(new Set(list.map(sha256Hex)));
  });

  it('faults and lost acknowledgements end with the exact membership and one audience', async () => {
    sim.faults.failNext('segment/audience', 'lost-ack');
    for (const kind of ['http5xx', 'drop', 'lost-ack', 'rate-limit'] as const) sim.faults.add({ kind, probability: 0.05, endpoint: ['segment/mapping', 'dmp/custom_audience/list'] });
    for (const list of [emails(0, 2000), emails(500, 2500)]) {
      let outcome;
      for (let i = 0; i < 10; i++) {
        ({ outcome } = await syncPartner(list));
        if (outcome.status === 'done') break;
      }
      expect(outcome!.status).toBe('done');
      expect(sim.membership(outcome!.tiktokAudienceId!)).toEqual(partnerSet(list));
    }
    expect(sim.audiences(sim.advertiserIds[0]).filter((a) => a.name === 'Partner buyers')).toHaveLength(1);
  });

  it('batches applied without an answer are undone exactly when the cohort changes back', async () => {
    const original = emails(0, 1000);
    const { outcome: first } = await syncPartner(original);
    sim.faults.failNext('segment/mapping', 'lost-ack', 20);
    const { outcome: lost } = await syncPartner(emails(0, 1300));
    expect(lost.status).toBe('failed');
    sim.faults.reset();
    const { outcome } = await syncPartner(original);
    expect(outcome.status).toBe('done');
    expect(sim.membership(first.tiktokAudienceId!)).toEqual(partnerSet(original));
  });

  it('refuses to turn a customer-file audience into a partner audience', async () => {
    const csv = path.join(dir, 'cohort.csv');
    writeEmailCsv(csv, emails(0, 1100));
    const a = await app.sync.ensureAudience({ advertiserId: sim.advertiserIds[0]!, connectionId: null, name: 'File one', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    await app.sync.sync(a.id, 'cli');
    await expect(syncPartner(emails(0, 1100), 'File one')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
