/**
 * Issue #12.4 through the engine's contract (what the Settings screen calls): privacy:erasePreview has no side effect,
 * privacy:erase removes the person from both audiences at TikTok (the offline sandbox over real HTTP) and from both
 * snapshots, each as an "erase" run in the sync log; a multi-key audience loses the person's tuple.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { sha256Hex } from '../../helpers/cohort';
import { tmpDir } from '../../helpers/tmp';
import { startTestEngine, type TestEngine } from './helpers';

let dir: string;
let cleanup: () => void;
let t: TestEngine;

beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cr-erase-engine-'));
});
afterEach(async () => {
  await t?.engine.shutdown();
  cleanup();
});

const PERSON = 'sam.erase@example.net';
const PHONE = '+14155550123';

async function syncedAudience(name: string, keys: { key: 'email' | 'phone'; column: string }[], rows: string[], header: string) {
  const h = t.engine.handlers;
  const file = path.join(dir, `${name}.csv`);
  fs.writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
  const conn = await h['connections:connectSandbox'](undefined);
  const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys, sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' } });
  const { runId } = await h['sync:run']({ audienceId: a.id });
  await expect(t.waitFor('run:finished', (p) => p.runId === runId)).resolves.toMatchObject({ status: 'done' });
  return (await h['audiences:get']({ id: a.id })) as { id: number; tiktokAudienceId: string | null; localSize: number | null };
}

describe('privacy:erasePreview and privacy:erase (#12.4)', () => {
  it('previews with no side effect, then erases from a single-key and a multi-key audience at TikTok and here', async () => {
    t = await startTestEngine(dir);
    const h = t.engine.handlers;
    const others = Array.from({ length: 1100 }, (_, i) => `p${i}@example.com`);
    const single = await syncedAudience('Newsletter', [{ key: 'email', column: 'email' }], [...others, PERSON], 'email');
    const multi = await syncedAudience(
      'Buyers both keys',
      [
        { key: 'email', column: 'email' },
        { key: 'phone', column: 'phone' },
      ],
      [...others.map((e, i) => `${e},+1415555${String(1000 + i).padStart(4, '0')}`), `${PERSON},${PHONE}`],
      'email,phone',
    );
    const sim = t.sim();
    const emailHash = sha256Hex(PERSON);
    const inMulti = () => [...sim.membership(multi.tiktokAudienceId!)!].some((k) => k.includes(emailHash));
    expect(sim.membership(single.tiktokAudienceId!)!.has(emailHash)).toBe(true);
    expect(inMulti()).toBe(true);
    const runsBefore = (await h['runs:list']({})).length;

    const preview = await h['privacy:erasePreview']({ identifiers: [{ key: 'email', value: PERSON }] });
    // Erasure cannot change the user's file: the words say later syncs leave the person out all the same.
    expect(preview.message).toBe('Found in 2 audiences: Buyers both keys, Newsletter; removes 1 person from each, uses 2 calls. Later syncs of these audiences leave the person out even if the cohort file still holds them (Cohort Relay keeps only a hash of what you typed, for that, until the audience is deleted). Remove them from the export too.');
    expect(preview.audiences.map((a) => [a.name, a.entries, a.sendsAt])).toEqual([
      ['Buyers both keys', 1, null],
      ['Newsletter', 1, null],
    ]);
    expect((await h['runs:list']({})).length).toBe(runsBefore);
    expect(sim.membership(single.tiktokAudienceId!)!.has(emailHash)).toBe(true);

    // The phone alone finds the person only where phones are a key; both identifiers together find them everywhere.
    expect((await h['privacy:erasePreview']({ identifiers: [{ key: null, value: PHONE }] })).audiences.map((a) => a.name)).toEqual(['Buyers both keys']);

    const done = await h['privacy:erase']({ identifiers: [{ key: null, value: PERSON }, { key: 'phone', value: PHONE }] });
    expect(done.audiences.map((a) => [a.name, a.outcome])).toEqual([
      ['Buyers both keys', 'sent'],
      ['Newsletter', 'sent'],
    ]);
    expect(done.message).toMatch(/removed here and at TikTok\. Later syncs of these audiences leave the person out even if the cohort file still holds them \(Cohort Relay keeps only a hash of what you typed, for that, until the audience is deleted\)\. Remove them from the export too\.$/);
    expect(sim.membership(single.tiktokAudienceId!)!.has(emailHash)).toBe(false);
    expect(inMulti()).toBe(false);
    expect(sim.membership(single.tiktokAudienceId!)!.size).toBe(1100);
    expect(sim.membership(multi.tiktokAudienceId!)!.size).toBe(1100);
    for (const a of [single, multi]) expect((await h['audiences:get']({ id: a.id })).localSize).toBe(1100);
    const runs = await h['runs:list']({});
    expect(runs.filter((r) => r.trigger === 'erase').map((r) => [r.status, r.removes])).toEqual([
      ['done', 1],
      ['done', 1],
    ]);
    // Nothing is left to find.
    expect((await h['privacy:erasePreview']({ identifiers: [{ key: 'email', value: PERSON }] })).audiences).toEqual([]);

    // Both files still hold the person: the next syncs leave them out (the multi-key row goes whole), so they stay erased.
    for (const a of [single, multi]) {
      const { runId } = await h['sync:run']({ audienceId: a.id });
      await expect(t.waitFor('run:finished', (p) => p.runId === runId)).resolves.toMatchObject({ status: 'done' });
    }
    expect(sim.membership(single.tiktokAudienceId!)!.has(emailHash)).toBe(false);
    expect(inMulti()).toBe(false);
    expect(sim.membership(multi.tiktokAudienceId!)!.size).toBe(1100);
    for (const a of [single, multi]) expect((await h['audiences:get']({ id: a.id })).localSize).toBe(1100);
  });

  it('refuses an identifier it cannot read through the contract, naming the problem and not the value', async () => {
    t = await startTestEngine(dir);
    await expect(t.engine.handlers['privacy:erasePreview']({ identifiers: [{ key: null, value: 'hello world' }] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^The identifier is not recognizably an email address/),
    });
  });
});
