/**
 * `cohort-relay sync --dry-run` changes nothing (review F1): not the audience's source, removal limit, removal mode or
 * columns, no new audience, no snapshot — every row of the database and every other file of the data folder is the
 * same after it, and `status` and `schedule list` print the same. The plan uses the options given, as a draft.
 * Also: one name rule (a name is trimmed; --audience with --audience-id is refused) and a held dry run's advice works.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cliSandboxForEachTest, type CliSandbox } from '../../helpers/cli-sandbox';
import { cli } from '../../helpers/cli';
import { emails, writeEmailCsv } from '../../helpers/cohort';

let s: CliSandbox;
cliSandboxForEachTest((x) => (s = x));

const home = () => s.env.COHORT_RELAY_HOME!;
const adv = () => s.sim.advertiserIds[0]!;
const file = (name: string) => path.join(s.dir, name);

/** Every table's rows and every other file of the data folder (by content), as one comparable value. */
function dataState(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(db|sqlite)$/.test(e.name)) {
        const db = new Database(p, { readonly: true });
        try {
          const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
          for (const t of tables) out[`${e.name}:${t.name}`] = db.prepare(`SELECT * FROM "${t.name}"`).all();
        } finally {
          db.close();
        }
      } else if (!/-(wal|shm|journal)$/.test(e.name) && !/\.lock$/.test(e.name)) {
        out[path.relative(home(), p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
      }
    }
  };
  walk(home());
  return out;
}

/** The data and what the user sees of it. */
async function everything() {
  return {
    data: dataState(),
    status: (await cli(['status', '--json'], s.env)).stdout,
    schedules: (await cli(['schedule', 'list', '--json'], s.env)).stdout,
    removals: (await cli(['removals', '--json'], s.env)).stdout,
  };
}

const sync = (csv: string, audience: string[], ...extra: string[]) => cli(['sync', '--csv', csv, '--advertiser', adv(), ...audience, ...extra], s.env);

describe('sync --dry-run writes nothing', () => {
  it('of a saved audience with another file, --max-removals and --removal-mode: plans with them, saves none of them', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 1200));
    writeEmailCsv(file('b.csv'), emails(0, 1100));
    expect((await sync(file('a.csv'), ['--audience', 'Main Buyers'], '--key', 'email')).code).toBe(0);
    const before = await everything();

    const dry = await sync(file('b.csv'), ['--audience', 'Main Buyers'], '--key', 'email', '--dry-run', '--max-removals', '3', '--removal-mode', 'added-only', '--json');
    expect(dry.code).toBe(0);
    // The plan is of b.csv with the given limit and mode: 100 of 1,200 removed is over 3 %, so it would be held.
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'planned', removes: 100, adds: 0, removalLimitPct: 3, removalMode: 'added-only', hold: { removes: 100, limitPct: 3 } });
    expect(await everything()).toEqual(before);

    // The next sync reads the saved source (a.csv), with the saved limit and mode.
    const next = await sync(file('a.csv'), ['--audience', 'Main Buyers'], '--key', 'email', '--json');
    expect(JSON.parse(next.stdout)).toMatchObject({ status: 'done', removes: 0, removalLimitPct: 20, removalMode: 'mirror' });
  });

  it('of a new name: plans its creation, records no audience', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 1200));
    expect((await sync(file('a.csv'), ['--audience', 'Main Buyers'], '--key', 'email')).code).toBe(0);
    const before = await everything();
    const dry = await sync(file('a.csv'), ['--audience', 'Brand New'], '--key', 'email', '--dry-run', '--max-removals', 'off', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'planned', strategy: 'create', adds: 1200, localAudienceId: null, removalLimitPct: null, removalMode: 'mirror' });
    expect(await everything()).toEqual(before);
    const partner = await sync(file('a.csv'), ['--audience', 'Brand New Partner'], '--key', 'email', '--partner', '--dry-run', '--json');
    expect(partner.code).toBe(0);
    expect(JSON.parse(partner.stdout)).toMatchObject({ status: 'planned', adds: 1200, localAudienceId: null });
    expect(await everything()).toEqual(before);
    expect(s.sim.audiences(adv())).toHaveLength(1);
  });

  it('with --keys that set a multi-key audience\'s membership aside: plans the full replace, sets nothing aside', async () => {
    const rows = ['email,phone,email2', ...Array.from({ length: 1200 }, (_, i) => `p${i}@example.com,+1415555${String(i).padStart(4, '0')},q${i}@example.com`)];
    fs.writeFileSync(file('m.csv'), `${rows.join('\n')}\n`);
    expect((await sync(file('m.csv'), ['--audience', 'Multi'], '--keys', 'email=email,phone=phone')).code).toBe(0);
    const before = await everything();
    const dry = await sync(file('m.csv'), ['--audience', 'Multi'], '--keys', 'email=email,email=email2,phone=phone', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'planned', strategy: 'replace', replace: { before: 1200, after: 1200 }, adds: 0, removes: 0, callsPlanned: 1 });
    expect(await everything()).toEqual(before);
    // Without the new columns, the saved membership is still there: nothing to send.
    const same = await sync(file('m.csv'), ['--audience', 'Multi'], '--keys', 'email=email,phone=phone', '--dry-run', '--json');
    expect(JSON.parse(same.stdout)).toMatchObject({ adds: 0, removes: 0 });
  });

  it('of a TikTok audience by --audience-id: records no adoption; of an adopted one with --removal-mode mirror: plans the full replace, keeps its people', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 1200));
    // Made by another computer (another data folder): here it is a TikTok audience this app did not record.
    const other = { ...s.env, COHORT_RELAY_HOME: path.join(s.dir, 'other-home') };
    const made = await cli(['sync', '--csv', file('a.csv'), '--key', 'email', '--advertiser', adv(), '--audience', 'Elsewhere', '--json'], other);
    const tiktokId = (JSON.parse(made.stdout) as { audienceId: string }).audienceId;
    writeEmailCsv(file('b.csv'), emails(1100, 1200));
    expect((await sync(file('b.csv'), ['--audience', 'Mine'], '--key', 'email')).code).toBe(0);
    const before = await everything();
    const dry = await sync(file('b.csv'), ['--audience-id', tiktokId], '--key', 'email', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'planned', audienceId: tiktokId, localAudienceId: null, name: 'Elsewhere', removalMode: 'added-only' });
    expect(await everything()).toEqual(before);

    // Adopted (only people it adds are removed), then a dry run of "mirror the file": everyone is sent as a replace.
    expect((await sync(file('b.csv'), ['--audience-id', tiktokId], '--key', 'email')).code).toBe(0);
    const adopted = await everything();
    const mirror = await sync(file('b.csv'), ['--audience-id', tiktokId], '--key', 'email', '--dry-run', '--removal-mode', 'mirror', '--json');
    expect(JSON.parse(mirror.stdout)).toMatchObject({ status: 'planned', removalMode: 'mirror', strategy: 'adopt', adds: 1200, removes: 0 });
    expect(await everything()).toEqual(adopted);
    const plain = await sync(file('b.csv'), ['--audience-id', tiktokId], '--key', 'email', '--dry-run', '--json');
    expect(JSON.parse(plain.stdout)).toMatchObject({ removalMode: 'added-only', adds: 0, removes: 0 });
  });

  it('held: its advice is a command that works (a sync holds it, then --confirm-removals sends it)', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 5000));
    expect((await sync(file('a.csv'), ['--audience', 'Buyers'], '--key', 'email')).code).toBe(0);
    writeEmailCsv(file('a.csv'), emails(0, 1750));
    const dry = await sync(file('a.csv'), ['--audience', 'Buyers'], '--key', 'email', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toMatch(/run the same command again with --confirm-removals/);
    expect(dry.stdout).toMatch(/If these removals are right: run the same command without --dry-run \(the sync is held and shown; nothing is sent\), then once more with --confirm-removals\./);
    // Followed: without --dry-run it is held, then --confirm-removals sends it.
    expect((await sync(file('a.csv'), ['--audience', 'Buyers'], '--key', 'email')).code).toBe(3);
    const again = await sync(file('a.csv'), ['--audience', 'Buyers'], '--key', 'email', '--dry-run');
    expect(again.stdout).toMatch(/run the same command without --dry-run, with --confirm-removals \(or: cohort-relay removals confirm --audience-id 1, then the same command without --dry-run\)/);
    const confirmed = await sync(file('a.csv'), ['--audience', 'Buyers'], '--key', 'email', '--confirm-removals');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toMatch(/^Sync done/);
  });
});

describe('sync: one name rule', () => {
  it('"Acme Buyers " is "Acme Buyers": refused as TikTok\'s namesake, and the same local audience', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 1200));
    expect((await sync(file('a.csv'), ['--audience', 'Acme Buyers'], '--key', 'email')).code).toBe(0);
    // Another computer (another data folder) of the same ad account: the trailing space does not make a second audience.
    const other = { ...s.env, COHORT_RELAY_HOME: path.join(s.dir, 'other-home') };
    const refused = await cli(['sync', '--csv', file('a.csv'), '--key', 'email', '--advertiser', adv(), '--audience', 'Acme Buyers '], other);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/TikTok already has an audience named "Acme Buyers"/);
    expect(s.sim.audiences(adv())).toHaveLength(1);
    // Here: the same audience, not a new one.
    const same = await sync(file('a.csv'), ['--audience', '  Acme Buyers '], '--key', 'email', '--json');
    expect(JSON.parse(same.stdout)).toMatchObject({ status: 'done', localAudienceId: 1, name: 'Acme Buyers', adds: 0 });
    expect(s.sim.audiences(adv())).toHaveLength(1);
  });

  it('"acme BUYERS" is "Acme Buyers" too: refused here and as TikTok\'s namesake, naming the saved spelling; nothing created', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 1200));
    expect((await sync(file('a.csv'), ['--audience', 'Acme Buyers'], '--key', 'email')).code).toBe(0);
    const here = await sync(file('a.csv'), ['--audience', 'acme BUYERS'], '--key', 'email');
    expect(here.code).toBe(2);
    expect(here.stderr).toContain('An audience named "Acme Buyers" already exists for this ad account ("acme BUYERS" differs from it only in case, which counts as the same name). To sync into it, give its name as saved ("Acme Buyers")');
    const other = { ...s.env, COHORT_RELAY_HOME: path.join(s.dir, 'other-home') };
    const refused = await cli(['sync', '--csv', file('a.csv'), '--key', 'email', '--advertiser', adv(), '--audience', 'acme BUYERS'], other);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/TikTok already has an audience named "Acme Buyers".* Names that differ only in case \("acme BUYERS", "Acme Buyers"\) count as the same\./);
    expect(s.sim.audiences(adv())).toHaveLength(1);
  });

  it('plan --audience "Acme Buyers " diffs against "Acme Buyers"', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 1200));
    expect((await sync(file('a.csv'), ['--audience', 'Acme Buyers'], '--key', 'email')).code).toBe(0);
    const p = await cli(['plan', '--csv', file('a.csv'), '--key', 'email', '--advertiser', adv(), '--audience', 'Acme Buyers ', '--json'], s.env);
    expect(JSON.parse(p.stdout)).toMatchObject({ audienceKnown: true, adds: 0, removes: 0, currentSize: 1200 });
  });

  it('--audience with --audience-id is refused in one line, nothing saved', async () => {
    writeEmailCsv(file('a.csv'), emails(0, 1200));
    const first = await sync(file('a.csv'), ['--audience', 'Acme Buyers'], '--key', 'email', '--json');
    const tiktokId = (JSON.parse(first.stdout) as { audienceId: string }).audienceId;
    const before = await everything();
    const both = await sync(file('a.csv'), ['--audience', 'Other Name', '--audience-id', tiktokId], '--key', 'email');
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    expect(both.stderr).toMatch(/Give --audience NAME or --audience-id ID, not both/);
    expect(await everything()).toEqual(before);
  });
});
