import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_ADVERTISERS, startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { clientFor, createAudienceOf, hashes, upload } from '../tiktok/helpers';

const ADV = SANDBOX_ADVERTISERS[0]!.advertiserId;
const dirs: string[] = [];
const sims: SimulatorHandle[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sandbox-persist-'));
  dirs.push(d);
  return d;
}
async function start(dataDir: string): Promise<SimulatorHandle> {
  const sim = await startSimulator({ dataDir, rateLimit: false, processingDelayMs: 0 });
  sims.push(sim);
  return sim;
}

describe('the sandbox data folder', () => {
  it('keeps audiences of a few thousand hashes, uploaded files and partner audiences exactly across a restart', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const { client } = clientFor(first);
    const lines = hashes(4000, 'restart');
    const { audienceId, filePath } = await createAudienceOf(client, ADV, lines);
    const more = hashes(1500, 'restart-more');
    const morePath = await upload(client, ADV, more);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [morePath] });
    const md5s = hashes(1200, 'md5').map((h) => createHash('md5').update(h).digest('hex'));
    const md5Path = (await client.fileUpload({ advertiserId: ADV, calculateType: 'IDFA_MD5', file: Buffer.from(`${md5s.join('\n')}\n`) })).filePath;
    const { audienceId: md5Audience } = await client.createAudience({ advertiserId: ADV, name: 'MD5', calculateType: 'IDFA_MD5', filePaths: [md5Path] });
    const partner = await client.segmentAudienceCreate({ advertiserId: ADV, name: 'Partner' });
    const ids = hashes(20, 'partner');
    await client.segmentMapping({ advertiserIds: [ADV], action: 'add', idSchema: ['EMAIL_SHA256'], batchData: ids.map((id) => [{ id, audienceIds: [partner.audienceId] }]) });
    const before = {
      members: first.membership(audienceId),
      md5: first.membership(md5Audience),
      partner: first.membership(partner.audienceId),
      snapshot: first.audience(audienceId),
    };
    expect(before.members?.size).toBe(5500);
    await first.close();
    sims.splice(0);

    const json = readFileSync(path.join(dir, 'sandbox-state.json'), 'utf8');
    expect(json).not.toContain(lines[0]);
    expect(json).not.toContain(ids[0]);
    for (const f of readdirSync(path.join(dir, 'sandbox-keys'))) expect(statSync(path.join(dir, 'sandbox-keys', f)).mode & 0o777).toBe(0o600);

    const second = await start(dir);
    expect(second.membership(audienceId)).toEqual(before.members);
    expect([...second.membership(audienceId)!]).toEqual([...before.members!]);
    expect(second.membership(md5Audience)).toEqual(before.md5);
    expect(second.membership(partner.audienceId)).toEqual(before.partner);
    expect(second.audience(audienceId)).toEqual(before.snapshot);
    expect(second.fileRows(filePath)).toEqual(lines);
    expect(second.fileRows(morePath)).toEqual(more);
    // The restored audience still takes changes, and they persist too.
    const { client: c2 } = clientFor(second);
    await c2.updateAudience({ advertiserId: ADV, audienceId, action: 'REMOVE', filePaths: [morePath] });
    await second.close();
    sims.splice(0);
    const third = await start(dir);
    expect(third.membership(audienceId)).toEqual(new Set(lines));
  });

  it('opens a data folder written by an older version (hashes inside sandbox-state.json)', async () => {
    const dir = tempDir();
    const members = hashes(2500, 'v1');
    const old = {
      version: 1,
      audienceCounter: 1,
      tokens: [],
      files: [{ filePath: 'a1b2c3d4e5f60718', advertiserId: ADV, calculateType: 'EMAIL_SHA256', rows: members.slice(0, 5), uploadedAt: Date.now() }],
      audiences: [
        {
          audienceId: '7300000000000007919',
          advertiserId: ADV,
          name: 'From an older version',
          kind: 'file',
          calculateType: 'EMAIL_SHA256',
          members,
          createdAt: Date.now() - 1000,
          lastModifiedAt: Date.now() - 1000,
          processingUntil: 0,
          coverBefore: 0,
          retentionInDays: null,
          history: [{ at: Date.now() - 1000, action: 'create', detail: '2500', msg: null }],
        },
      ],
      dailyCalls: [],
    };
    writeFileSync(path.join(dir, 'sandbox-state.json'), JSON.stringify(old), { mode: 0o600 });
    const sim = await start(dir);
    expect(sim.membership('7300000000000007919')).toEqual(new Set(members));
    expect(sim.fileRows('a1b2c3d4e5f60718')).toEqual(members.slice(0, 5));
    const { client } = clientFor(sim);
    const { audiences } = await client.listAudiences(ADV);
    expect(audiences.map((a) => a.name)).toContain('From an older version');
    // A new audience continues the id counter; the next save writes the new layout and still opens.
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1000, 'v1-new'));
    expect(audienceId).not.toBe('7300000000000007919');
    await sim.close();
    sims.splice(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'sandbox-state.json'), 'utf8')).version).toBe(2);
    const again = await start(dir);
    expect(again.membership('7300000000000007919')).toEqual(new Set(members));
    expect(again.membership(audienceId)?.size).toBe(1000);
  });
});
