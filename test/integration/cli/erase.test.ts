/**
 * Issue #12.4 "Erase this person": `cohort-relay erase` against the simulator over real HTTP, in a temp data folder.
 * A person synced into two audiences is removed from both at TikTok and from both local snapshots; the preview
 * changes nothing; a spent quota queues the removal for the audience's next sync; and the raw identifier is in no
 * file of the data folder afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasHash } from '../../../electron/core/cohort';
import { Store } from '../../../electron/core/store';
import { loadDelta } from '../../../electron/core/sync/deltas';
import { DAILY_BUDGET_KEY } from '../../../electron/core/sync/sync-service';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import { cli } from '../../helpers/cli';
import { emails, sha256Hex, writeEmailCsv } from '../../helpers/cohort';
import { cliSandboxForEachTest } from '../../helpers/cli-sandbox';

let sim: SimulatorHandle;
let dir: string;
let env: NodeJS.ProcessEnv;
cliSandboxForEachTest((s) => ({ sim, dir, env } = s));

const PERSON = 'erase.me.please@example.org';
const HASH = sha256Hex(PERSON);

async function synced(name: string, from: number): Promise<{ audienceId: string; localAudienceId: number }> {
  const csv = path.join(dir, `${name}.csv`);
  writeEmailCsv(csv, [...emails(from, 1200), PERSON]);
  const r = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', name, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { audienceId: string; localAudienceId: number };
}

function withStore<T>(fn: (s: Store) => T): T {
  const store = Store.open(path.join(dir, 'home'));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Every file under `root` (the data folder: SQLite, WAL, SHM, anything else written there). */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('cohort-relay erase', () => {
  it('previews without a side effect, then removes the person from both audiences at TikTok and here; the raw identifier is in no file', async () => {
    const a = await synced('Spring buyers', 0);
    const b = await synced('Autumn buyers', 5000);
    expect(sim.membership(a.audienceId)!.has(HASH)).toBe(true);
    expect(sim.membership(b.audienceId)!.has(HASH)).toBe(true);
    const callsBefore = sim.callsOn(a.audienceId) + sim.callsOn(b.audienceId);

    // Without --yes: says what it would do, and does nothing.
    const preview = await cli(['erase', '--email', PERSON], env);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('Found in 2 audiences: Autumn buyers, Spring buyers; removes 1 person from each, uses 2 calls.');
    expect(preview.stdout).toContain('Nothing was changed or sent. Run the same command with --yes to erase.');
    expect(sim.membership(a.audienceId)!.has(HASH)).toBe(true);
    expect(sim.callsOn(a.audienceId) + sim.callsOn(b.audienceId)).toBe(callsBefore);
    withStore((s) => {
      expect(hasHash(s.snapshots.load(a.localAudienceId), HASH)).toBe(true);
      expect(s.settings.get<string[]>(`erase.queue.${a.localAudienceId}`, [])).toEqual([]);
    });

    // The key type is detected from the shape, and case and spaces are normalized as a sync would.
    const done = await cli(['erase', '--id', `  ${PERSON.toUpperCase()} `, '--yes', '--json'], env);
    expect(done.code, done.stderr).toBe(0);
    const r = JSON.parse(done.stdout) as { audiences: { name: string; outcome: string; entries: number }[]; message: string };
    expect(r.audiences.map((x) => [x.name, x.outcome, x.entries])).toEqual([
      ['Autumn buyers', 'sent', 1],
      ['Spring buyers', 'sent', 1],
    ]);
    expect(r.message).toBe('Erased from Autumn buyers, Spring buyers: removed here and at TikTok. Later syncs of these audiences leave the person out even if the cohort file still holds them (Cohort Relay keeps only a hash of what you typed, for that, until the audience is deleted). Remove them from the export too.');

    // At TikTok: gone from both, everyone else still there.
    expect(sim.membership(a.audienceId)!.has(HASH)).toBe(false);
    expect(sim.membership(b.audienceId)!.has(HASH)).toBe(false);
    expect(sim.membership(a.audienceId)!.size).toBe(1200);
    expect(sim.membership(b.audienceId)!.size).toBe(1200);
    // Here: gone from both snapshots, from every undo delta and from the queue; the sync log says only what happened.
    withStore((s) => {
      for (const id of [a.localAudienceId, b.localAudienceId]) {
        expect(hasHash(s.snapshots.load(id), HASH)).toBe(false);
        expect(s.snapshots.meta(id)!.entryCount).toBe(1200);
        for (const run of s.runs.list({ audienceId: id })) expect(hasHash(loadDelta(s, run.id, 'add'), HASH)).toBe(false);
        expect(s.settings.get<string[]>(`erase.queue.${id}`, [])).toEqual([]);
        const last = s.runs.list({ audienceId: id, limit: 1 })[0]!;
        expect(last).toMatchObject({ trigger: 'erase', status: 'done', removes: 1 });
      }
    });
    // Undo never brings the erased person back: it inverts the sync before the erasure (here, its create).
    const undo = await cli(['undo', '--audience-id', String(a.localAudienceId), '--dry-run', '--json'], env);
    expect((JSON.parse(undo.stdout) as { adds: number }).adds).toBe(0);

    // The cohort file still holds the person: the next sync and a plan leave them out (by the kept hash), so they stay erased.
    const csv = path.join(dir, 'Spring buyers.csv');
    const plan = await cli(['plan', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Spring buyers', '--json'], env);
    expect(JSON.parse(plan.stdout)).toMatchObject({ adds: 0, removes: 0, erased: 1 });
    const again = await cli(['sync', '--csv', csv, '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Spring buyers', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(sim.membership(a.audienceId)!.has(HASH)).toBe(false);
    expect(sim.membership(a.audienceId)!.size).toBe(1200);
    withStore((s) => expect(hasHash(s.snapshots.load(a.localAudienceId), HASH)).toBe(false));

    // The raw identifier, as typed or normalized, is in no file of the data folder (database, WAL, anything else).
    const files = filesUnder(path.join(dir, 'home'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      expect(bytes.includes(Buffer.from(PERSON)), f).toBe(false);
      expect(bytes.includes(Buffer.from(PERSON.toUpperCase())), f).toBe(false);
    }
  });

  it('queues the removal when the audience has used its calls today, says when, and sends it first at its next sync', async () => {
    const a = await synced('Spring buyers', 0);
    const b = await synced('Autumn buyers', 5000);
    // Spring buyers syncs once more (one more call), then the day's budget is what it has used: it has no call left.
    writeEmailCsv(path.join(dir, 'Spring buyers.csv'), [...emails(0, 1201), PERSON]);
    expect((await cli(['sync', '--csv', path.join(dir, 'Spring buyers.csv'), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Spring buyers'], env)).code).toBe(0);
    withStore((s) => {
      expect(s.quota.used(a.localAudienceId, new Date())).toBeGreaterThan(s.quota.used(b.localAudienceId, new Date()));
      s.settings.set(DAILY_BUDGET_KEY, s.quota.used(a.localAudienceId, new Date()));
    });

    const preview = await cli(['erase', '--email', PERSON], env);
    expect(preview.stdout).toMatch(/Spring buyers used its calls for today, so the removal there is queued and sent at \d{4}-\d\d-\d\dT00:00:00\.000Z/);

    const done = await cli(['erase', '--email', PERSON, '--yes', '--json'], env);
    expect(done.code, done.stderr).toBe(0);
    const r = JSON.parse(done.stdout) as { audiences: { name: string; outcome: string; sendsAt: string | null; message: string | null }[]; message: string };
    expect(r.audiences.find((x) => x.name === 'Spring buyers')).toMatchObject({ outcome: 'queued', sendsAt: expect.stringMatching(/T00:00:00\.000Z$/) });
    // The result says why it waits, in the run's own words (here the day's calls; TikTok still processing says that).
    const why = r.audiences.find((x) => x.name === 'Spring buyers')!.message!;
    expect(r.message).toContain(`Queued for Spring buyers (sent at ${r.audiences.find((x) => x.name === 'Spring buyers')!.sendsAt}: ${why.replace(/\.$/, '')})`);
    expect(r.audiences.find((x) => x.name === 'Autumn buyers')).toMatchObject({ outcome: 'sent' });
    expect(sim.membership(a.audienceId)!.has(HASH)).toBe(true);
    expect(sim.membership(b.audienceId)!.has(HASH)).toBe(false);
    withStore((s) => expect(s.settings.get<string[]>(`erase.queue.${a.localAudienceId}`, [])).toHaveLength(1));

    // The next slot (here: the budget is back): the audience's next sync sends the queued removal first, then the
    // file's own changes (a new person) in the same command.
    withStore((s) => s.settings.set(DAILY_BUDGET_KEY, 24));
    writeEmailCsv(path.join(dir, 'Spring buyers.csv'), [...emails(0, 1202), PERSON]);
    const next = await cli(['sync', '--csv', path.join(dir, 'Spring buyers.csv'), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Spring buyers', '--json'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ status: 'done', adds: 1, removes: 0 });
    expect(sim.membership(a.audienceId)!.has(HASH)).toBe(false);
    expect(sim.membership(a.audienceId)!.size).toBe(1202);
    withStore((s) => {
      expect(hasHash(s.snapshots.load(a.localAudienceId), HASH)).toBe(false);
      expect(s.settings.get<string[]>(`erase.queue.${a.localAudienceId}`, [])).toEqual([]);
    });
  });

  it('deleting an audience deletes the erasure queued for it and the kept digests of the person', async () => {
    const a = await synced('Spring buyers', 0);
    withStore((s) => s.settings.set(DAILY_BUDGET_KEY, s.quota.used(a.localAudienceId, new Date())));
    expect((await cli(['erase', '--email', PERSON, '--yes'], env)).code).toBe(0);
    withStore((s) => {
      expect(s.settings.get<string[]>(`erase.queue.${a.localAudienceId}`, [])).toHaveLength(1);
      expect(s.settings.get<string[]>(`erase.kept.${a.localAudienceId}`, [])).toEqual([`email:${HASH}`]);
    });
    // The preview says the kept hashes go with it, and that the erasure not sent yet would be dropped.
    const preview = await cli(['delete', '--audience-id', String(a.localAudienceId)], env);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('the local record of who is in it (1,201 hashed entries) and the 1 hash kept of people erased from it (what keeps them out of its syncs). This cannot be undone.');
    expect(preview.stdout).toContain('Its 1 queued erasure entry (of people erased from it) has not reached TikTok yet and would be dropped: those people would stay in the audience there. Sync it first (the removal goes out), or add --at-tiktok.');
    expect(JSON.parse((await cli(['delete', '--audience-id', String(a.localAudienceId), '--json'], env)).stdout)).toMatchObject({ erasedHashes: 1, erasureQueued: 1, done: false });
    expect((await cli(['delete', '--audience-id', String(a.localAudienceId), '--yes'], env)).code).toBe(0);
    withStore((s) => {
      expect(s.settings.all()).not.toHaveProperty(`erase.queue.${a.localAudienceId}`);
      expect(s.settings.all()).not.toHaveProperty(`erase.kept.${a.localAudienceId}`);
    });
  });

  it('a plan with other columns of a multi-key audience leaves the erased person out in the shape it reads', async () => {
    const csv = path.join(dir, 'multi.csv');
    const rows = Array.from({ length: 1200 }, (_, i) => `p${i}@example.com,q${i}@example.com,+1415555${String(1000 + i).padStart(4, '0')}`);
    fs.writeFileSync(csv, `Email 1,Email 2,phone\n${rows.join('\n')}\n`);
    const base = ['--csv', csv, '--advertiser', sim.advertiserIds[0]!, '--audience', 'Multi'];
    expect((await cli(['sync', ...base, '--keys', 'email=Email 1,phone=phone'], env)).code).toBe(0);
    expect((await cli(['erase', '--phone', '+14155551007', '--yes'], env)).code).toBe(0);
    for (const keys of ['email=Email 1,phone=phone', 'email=Email 1,email=Email 2,phone=phone']) {
      const plan = JSON.parse((await cli(['plan', ...base, '--keys', keys, '--json'], env)).stdout) as { erased: number; projectedSize: number };
      expect(plan, keys).toMatchObject({ erased: 1, projectedSize: 1199 });
    }
  });

  it('a sync after an erasure counts the erased people it left out, as plan does (text and --json)', async () => {
    await synced('Spring buyers', 0);
    expect((await cli(['erase', '--email', PERSON, '--yes'], env)).code).toBe(0);
    const args = ['sync', '--csv', path.join(dir, 'Spring buyers.csv'), '--key', 'email', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Spring buyers'];
    const text = await cli(args, env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Rows read 1,201, valid 1,201, rejected 0, duplicates 0, erased people left out 1$/m);
    expect(JSON.parse((await cli([...args, '--json'], env)).stdout)).toMatchObject({ rowsRead: 1201, erased: 1, adds: 0, removes: 0 });
    expect(JSON.parse((await cli([...args, '--dry-run', '--json'], env)).stdout)).toMatchObject({ erased: 1 });
  });

  it('a phone without its country code is refused with the fix when a phone audience has no default country; with it, the person is found', async () => {
    const csv = path.join(dir, 'phones.csv');
    const rows = Array.from({ length: 1200 }, (_, i) => `+1 415 555 ${String(1000 + i).padStart(4, '0')}`);
    fs.writeFileSync(csv, `phone\n${rows.join('\n')}\n+1 202 555 0123\n`);
    expect((await cli(['sync', '--csv', csv, '--key', 'phone', '--advertiser', sim.advertiserIds[0]!, '--audience', 'Callers'], env)).code).toBe(0);
    for (const args of [['--phone', '2025550123'], ['--id', '(202) 555-0123'], ['--phone', '2025550123', '--yes']]) {
      const r = await cli(['erase', ...args], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('The phone number has no country code, and Callers has no default country to read it with');
      expect(r.stderr).toContain('Give the number with its country code, e.g. +1 202 555 0123.');
      expect(r.stderr).not.toContain('555-0123');
    }
    const found = await cli(['erase', '--phone', '+1 202 555 0123'], env);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain('Found in 1 audience: Callers; removes 1 person from it');
  });

  it('every value of a repeated flag is erased, none silently dropped (--email twice, --id twice)', async () => {
    const a = await synced('Spring buyers', 0);
    const [other, third, fourth] = emails(7, 3) as [string, string, string];
    const preview = await cli(['erase', '--email', PERSON, '--email', other], env);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('Found in 1 audience: Spring buyers; removes 2 people from it');
    const done = await cli(['erase', '--email', PERSON, '--email', other, '--yes'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('Erased from Spring buyers: removed here and at TikTok.');
    expect(done.stdout).not.toContain('in none of the audiences');
    const ids = await cli(['erase', '--id', third, '--id', fourth, '--yes'], env);
    expect(ids.code, ids.stderr).toBe(0);
    const gone = sim.membership(a.audienceId)!;
    for (const e of [PERSON, other, third, fourth]) expect(gone.has(sha256Hex(e)), e).toBe(false);
    expect(gone.size).toBe(1197);
  });

  it('refuses an identifier it cannot read, without echoing it, and changes nothing', async () => {
    const r = await cli(['erase', '--email', 'not-an-email-at-all', '--yes'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: The Email given cannot be read/);
    expect(r.stderr).not.toContain('not-an-email-at-all');
  });
});
