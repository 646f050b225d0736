/**
 * Overlap of two audiences (#14 §2): exact, from the hashes this computer keeps (nothing sent), and TikTok's overlap
 * of matched users (audience/insight/overlap/) answered by the offline sandbox over real HTTP; through the engine's
 * operation, the IPC channel's handler and the CLI.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CohortRelayApp } from '../../../electron/core/app';
import { audienceOverlap, overlapHandlers } from '../../../electron/core/engine/overlap';
import { localOverlap } from '../../../electron/core/sync/overlap';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { emails, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { cli } from '../../helpers/cli';
import { openSandboxApp } from '../../helpers/sandbox-app';
import { clientFor, createAudienceOf, thrown } from '../tiktok/helpers';

let sim: SimulatorHandle;
let dir: string;
let app: CohortRelayApp;
let close: (() => Promise<void>) | null = null;
const ADV = () => sim.advertiserIds[0]!;

afterEach(async () => {
  await close?.();
  close = null;
});

async function synced(name: string, list: readonly string[], key: 'email' | 'phone' = 'email') {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, list);
  const a = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name, key, column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
  const out = await app.sync.sync(a.id, 'cli');
  expect(out.status).toBe('done');
  return app.store.audiences.require(a.id);
}

describe('the exact overlap of two local audiences', () => {
  it('counts the people in both, only in each, and the shares, from the stored hashes; nothing is sent', async () => {
    ({ sim, app, dir, close } = await openSandboxApp());
    const buyers = await synced('Buyers', emails(0, 3000));
    const lapsed = await synced('Lapsed', emails(2000, 2000)); // 1,000 shared
    const before = sim.requests().length;

    const o = localOverlap(app.store, buyers.id, lapsed.id);
    expect(o).toMatchObject({ a: { id: buyers.id, size: 3000 }, b: { id: lapsed.id, size: 2000 }, both: 1000, onlyA: 2000, onlyB: 1000, shareOfA: 1000 / 3000, shareOfB: 0.5, note: null });
    expect(o.byKey).toEqual([{ key: 'email', a: 3000, b: 2000, both: 1000 }]);
    expect(sim.requests().length).toBe(before);

    // The IPC channel's handler gives the same, without asking TikTok.
    const v = await overlapHandlers(app, {})['audiences:overlap']({ ids: [buyers.id, lapsed.id] });
    expect(v).toMatchObject({ local: { both: 1000 }, localProblem: null, tiktok: null });
    expect(sim.requests().length).toBe(before);
  });

  it('refuses audiences that share no key, one never synced, or the same audience twice, saying why', async () => {
    ({ sim, app, dir, close } = await openSandboxApp());
    const buyers = await synced('Buyers', emails(0, 1500));
    const csv = path.join(dir, 'phones.csv');
    writeEmailCsv(csv, emails(0, 10));
    const phones = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Phones', key: 'phone', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    expect(() => localOverlap(app.store, buyers.id, phones.id)).toThrow(/has not been synced yet .* Sync it first, then compare/);
    app.store.snapshots.replace(phones.id, Buffer.from(sha256Hex('+15550000000'), 'hex'));
    expect(() => localOverlap(app.store, buyers.id, phones.id)).toThrow(/"Buyers" matches on Email and "Phones" on Phone: they share no key/);
    expect(() => localOverlap(app.store, buyers.id, buyers.id)).toThrow(/two different audiences/);
  });
});

describe("TikTok's overlap of matched users", () => {
  it('the sandbox answers audience/insight/overlap/ like TikTok: the benchmark, up to 4 comparisons, the share of the benchmark they hold', async () => {
    ({ sim, app, dir, close } = await openSandboxApp());
    const { client } = clientFor(sim);
    const a = await createAudienceOf(client, ADV(), emails(0, 4000).map(sha256Hex), 'A');
    const b = await createAudienceOf(client, ADV(), emails(3000, 2000).map(sha256Hex), 'B');
    const r = await client.audienceOverlap({ advertiserId: ADV(), benchmarkId: a.audienceId, comparisonIds: [b.audienceId] });
    expect(r.benchmark).toMatchObject({ audienceId: a.audienceId, name: 'A', size: 4000 });
    expect(r.comparisons).toEqual([expect.objectContaining({ audienceId: b.audienceId, size: 2000, overlapRate: 0.25, overlapRateRange: '20%-30%' })]);
    expect(sim.requests('audience/insight/overlap')).toHaveLength(1);

    const five = await thrown<{ code: string; message: string }>(() => client.audienceOverlap({ advertiserId: ADV(), benchmarkId: a.audienceId, comparisonIds: [b.audienceId, b.audienceId, b.audienceId, b.audienceId, b.audienceId] }));
    expect(five.message).toMatch(/at most 4 audiences/);
    const unknown = await thrown<{ message: string }>(() => client.audienceOverlap({ advertiserId: ADV(), benchmarkId: '9999999999', comparisonIds: [] }));
    expect(unknown.message).toBeTruthy();
  });

  it('the engine operation and the CLI ask TikTok with --tiktok, beside the exact count; audiences of other keys are compared at TikTok only', async () => {
    ({ sim, app, dir, close } = await openSandboxApp());
    const buyers = await synced('Buyers', emails(0, 3000));
    const lapsed = await synced('Lapsed', emails(2000, 2000));
    const v = await audienceOverlap(app, [buyers.id, lapsed.id], true);
    expect(v.local).toMatchObject({ both: 1000 });
    expect(v.tiktok).toMatchObject({ aMatched: 3000, bMatched: 2000, overlapRate: 0.3333 });

    // The CLI, on the same data folder.
    const env = { COHORT_RELAY_HOME: path.join(dir, 'data'), TIKTOK_API_BASE: sim.url, TIKTOK_ACCESS_TOKEN: sim.accessToken };
    const asked = sim.requests('audience/insight/overlap').length;
    const text = await cli(['overlap', '--audience-id', String(buyers.id), '--audience-id', String(lapsed.id)], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Exact overlap from the hashes kept on this computer \(nothing sent\): "Buyers" 3,000 people, "Lapsed" 2,000 people\./);
    expect(text.stdout).toMatch(/In both: 1,000 \(33\.3 % of "Buyers", 50 % of "Lapsed"\); only in "Buyers": 2,000; only in "Lapsed": 1,000\./);
    expect(sim.requests('audience/insight/overlap').length).toBe(asked);
    const withTiktok = await cli(['overlap', '--audience-id', String(buyers.id), '--audience-id', String(lapsed.id), '--tiktok'], env);
    expect(withTiktok.stdout).toMatch(/TikTok \(matched users\): "Buyers" 3,000, "Lapsed" 2,000; 33\.3 % of "Buyers"'s matched users are also in "Lapsed"/);
    const json = JSON.parse((await cli(['overlap', '--audience-id', String(buyers.id), '--audience-id', String(lapsed.id), '--json'], env)).stdout) as unknown;
    expect(json).toMatchObject({ local: { both: 1000, onlyA: 2000, onlyB: 1000 }, tiktok: null });
    expect((await cli(['overlap', '--audience-id', String(buyers.id)], env)).code).toBe(2);

    // Different keys: nothing to compare here, TikTok still compares matched users.
    const csv = path.join(dir, 'phones.csv');
    writeEmailCsv(csv, Array.from({ length: 1200 }, (_, i) => `+4917612${String(i).padStart(6, '0')}`));
    const phones = await app.sync.ensureAudience({ advertiserId: ADV(), connectionId: null, name: 'Phones', key: 'phone', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
    expect((await app.sync.sync(phones.id, 'cli')).status).toBe('done');
    const mixed = await audienceOverlap(app, [buyers.id, phones.id], true);
    expect(mixed).toMatchObject({ local: null, localProblem: expect.stringMatching(/share no key/), tiktok: { aMatched: 3000, bMatched: 1200, overlapRate: 0 } });
    await expect(audienceOverlap(app, [buyers.id, phones.id], false)).rejects.toThrow(/share no key/);
  });
});
