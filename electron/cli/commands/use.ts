import { AppError } from '../../../shared/errors';
import { LOOKALIKE_OS, LOOKALIKE_SIZES, type ApplyMode, type LookalikeOs, type LookalikeSize } from '../../../shared/ipc/audience-use-dto';
import { LOOKALIKE_LOCATIONS, describeApply, describeDeleteAtTiktok, describeLookalike, describeRefresh, describeShare, describeUnshare, locationName } from '../../../shared/audience-use-text';
import { AudienceUse, requireAudience, withApp } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, parseLocalId, printJson, str, UsageError, type CliCommand, type CliContext } from '../command';

const USAGE = [
  'cohort-relay use adgroups --audience-id N                      campaigns and ad groups, and how each uses the audience',
  'cohort-relay use usage --audience-id N                         the ad groups the audience is applied to',
  'cohort-relay use apply --audience-id N --adgroup ID... --mode include|exclude|detach [--yes]',
  'cohort-relay use lookalike --audience-id N --name NAME --size narrow|balanced|broad --location US|ID... [--os all|android|ios] [--include-seed] [--yes]',
  'cohort-relay use lookalikes --audience-id N                    lookalikes made from it, with their reach',
  'cohort-relay use refresh --audience-id N --lookalike ID [--yes]',
  'cohort-relay use share --audience-id N... --with ACCOUNT_ID... [--yes]',
  'cohort-relay use shares --audience-id N                        the ad accounts it is shared with',
  'cohort-relay use unshare --audience-id N --with ACCOUNT_ID [--yes]',
  'cohort-relay use delete --audience-id N... [--yes]             detach from ad groups, delete at TikTok and here',
  'cohort-relay use options --audience-id N [--retention-days 1-365|none] [--enhancement on|off] [--sub-type normal|reach-frequency]',
  'Every command takes --json. Without --yes, a command that changes something at TikTok only says what it would do.',
].join('\n  ');

/** Values of a repeatable option, commas splitting too ("--with 1,2 --with 3"). */
function many(ctx: CliContext, name: string): string[] {
  const v = ctx.values[name];
  const raw = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return raw.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

function audienceIds(ctx: CliContext): number[] {
  const ids = many(ctx, 'audience-id').map(parseLocalId);
  if (ids.length === 0) throw new AppError('INVALID_ARGUMENT', 'Missing --audience-id LOCAL_ID: the audience number "cohort-relay status" shows.');
  return ids;
}

function one(ctx: CliContext): number {
  const ids = audienceIds(ctx);
  if (ids.length > 1) throw new AppError('INVALID_ARGUMENT', 'This command takes one --audience-id.');
  return ids[0] as number;
}

function choice<T extends string>(value: string | undefined, allowed: readonly T[], option: string, fallback?: T): T {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new AppError('INVALID_ARGUMENT', `Missing --${option} ${allowed.map((a) => a.toLowerCase()).join('|')}.`);
  }
  const v = value.toUpperCase().replace(/-/g, '_') as T;
  if (!allowed.includes(v)) throw new AppError('INVALID_ARGUMENT', `--${option} must be ${allowed.map((a) => a.toLowerCase()).join(', ')} (got "${value}").`);
  return v;
}

/** A location as a TikTok id or a two-letter country of the offered list. */
function locationId(x: string): string {
  if (/^\d{1,20}$/.test(x)) return x;
  const codes: Record<string, string> = { US: '6252001', GB: '2635167', UK: '2635167', CA: '6251999', AU: '2077456', DE: '2921044', FR: '3017382', MX: '3996063', BR: '3469034', JP: '1861060', ID: '1643084' };
  const id = codes[x.toUpperCase()];
  if (!id) throw new AppError('INVALID_ARGUMENT', `Unknown location "${x}". Use a TikTok location id or one of: ${Object.keys(codes).join(', ')} (${LOOKALIKE_LOCATIONS.map((l) => l.name).join(', ')}).`);
  return id;
}

/** The creation-option flags `use options` and `sync` take. */
export const CREATE_OPTION_FLAGS = { 'retention-days': { type: 'string' }, enhancement: { type: 'string' }, 'sub-type': { type: 'string' } } as const;

/**
 * Saves --retention-days / --enhancement / --sub-type for an audience (the rest as saved before); nothing when none
 * is given. Refused (INVALID_ARGUMENT) once the audience exists at TikTok, unless `onlyBeforeCreate` (then skipped).
 */
export async function setCreateOptionsFromFlags(ctx: CliContext, u: AudienceUse, id: number, o: { onlyBeforeCreate?: boolean } = {}): Promise<'none' | 'saved' | 'already-created'> {
  if (!['retention-days', 'enhancement', 'sub-type'].some((k) => str(ctx, k) !== undefined)) return 'none';
  // A repeated `sync --retention-days …` (cron) keeps working once the audience exists: the options are set then.
  if (o.onlyBeforeCreate && u.isCreatedAtTiktok(id)) return 'already-created';
  const cur = await u.createOptions(id);
  const rd = str(ctx, 'retention-days');
  const retentionInDays = rd === undefined ? cur.retentionInDays : rd.toLowerCase() === 'none' ? null : Number(rd);
  if (retentionInDays !== null && !Number.isInteger(retentionInDays)) throw new AppError('INVALID_ARGUMENT', `--retention-days must be a whole number from 1 to 365, or none (got "${rd}").`);
  const en = str(ctx, 'enhancement');
  const audienceEnhancement = en === undefined ? cur.audienceEnhancement : choice(en, ['ON', 'OFF'] as const, 'enhancement') === 'ON';
  const subType = choice(str(ctx, 'sub-type'), ['NORMAL', 'REACH_FREQUENCY'] as const, 'sub-type', cur.subType);
  await u.setCreateOptions(id, { retentionInDays, audienceEnhancement, subType });
  return 'saved';
}

/** Prints the preview and says nothing was sent; the exit code is 0 (as `erase` without --yes). */
function preview(ctx: CliContext, what: string, verb: string): number {
  if (flag(ctx, 'json')) printJson(ctx, { done: false, preview: what });
  else ctx.stdout.write(`${what}\nNothing was changed or sent. Run the same command with --yes to ${verb}.\n`);
  return 0;
}

function done(ctx: CliContext, json: unknown, text: string): number {
  if (flag(ctx, 'json')) printJson(ctx, json);
  else ctx.stdout.write(`${text}\n`);
  return 0;
}

/**
 * `cohort-relay use …`: puts synced audiences to work at TikTok (issue #14 §1) — ad groups (include / exclude /
 * detach), lookalikes, sharing with ad accounts of the Business Center, deleting at TikTok, creation options.
 */
const use: CliCommand = {
  summary: 'Use audiences at TikTok: exclude or include them in ad groups, lookalikes, sharing, delete at TikTok, create options.',
  usage: USAGE,
  allowPositionals: true,
  options: {
    'audience-id': { type: 'string', multiple: true },
    adgroup: { type: 'string', multiple: true },
    mode: { type: 'string' },
    name: { type: 'string' },
    size: { type: 'string' },
    location: { type: 'string', multiple: true },
    os: { type: 'string' },
    'include-seed': { type: 'boolean' },
    lookalike: { type: 'string' },
    with: { type: 'string', multiple: true },
    ...CREATE_OPTION_FLAGS,
    yes: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if (!sub || extra.length > 0) throw new UsageError(sub ? `"use ${sub}" takes no more words (got "${extra.join(' ')}")` : 'Say what to do with "use"');
    return withApp(ctx.env, async (app) => {
      // Every id given names an audience here, or the command is refused as bad input before anything is asked of TikTok.
      for (const id of many(ctx, 'audience-id').map(parseLocalId)) knownAudience(app, id);
      const u = new AudienceUse(app);
      const name = (id: number): string => requireAudience(app, id).name;
      switch (sub) {
        case 'adgroups': {
          const v = await u.adGroups(one(ctx));
          const lines = v.campaigns.flatMap((c) => [`${c.name} (campaign ${c.campaignId})`, ...c.adGroups.map((g) => `  ${g.adgroupId}  ${g.name}${g.usage ? `  [${g.usage === 'Exclude' ? 'excludes' : 'includes'} this audience]` : ''}`)]);
          return done(ctx, v, lines.length ? lines.join('\n') : 'This ad account has no ad groups.');
        }
        case 'usage': {
          const id = one(ctx);
          const v = await u.usage(id);
          return done(ctx, v, v.length ? v.map((e) => `${e.adgroupId}  ${e.adgroupName ?? ''}  ${e.usage ?? ''}  since ${e.appliedAt ?? '?'}`).join('\n') : `No ad group uses "${name(id)}".`);
        }
        case 'apply': {
          const id = one(ctx);
          const groups = many(ctx, 'adgroup');
          if (groups.length === 0) throw new AppError('INVALID_ARGUMENT', 'Name the ad groups with --adgroup ID (see "cohort-relay use adgroups").');
          const m = choice(str(ctx, 'mode'), ['INCLUDE', 'EXCLUDE', 'DETACH'] as const, 'mode');
          const mode: ApplyMode = m === 'INCLUDE' ? 'Include' : m === 'EXCLUDE' ? 'Exclude' : 'Disconnect';
          const what = describeApply(name(id), mode, groups);
          if (!flag(ctx, 'yes')) return preview(ctx, what, mode === 'Disconnect' ? 'detach it' : 'apply it');
          const r = await u.apply(id, groups, mode);
          return done(ctx, { done: true, ...r }, `Done. ${what}`);
        }
        case 'lookalike': {
          const id = one(ctx);
          const lname = str(ctx, 'name');
          if (!lname) throw new AppError('INVALID_ARGUMENT', 'Name the lookalike with --name NAME.');
          const locations = many(ctx, 'location').map(locationId);
          if (locations.length === 0) throw new AppError('INVALID_ARGUMENT', 'Give at least one --location (e.g. --location US).');
          const p = { name: lname, audienceSize: choice<LookalikeSize>(str(ctx, 'size'), LOOKALIKE_SIZES, 'size'), mobileOs: choice<LookalikeOs>(str(ctx, 'os'), LOOKALIKE_OS, 'os', 'ALL'), locationIds: locations, includeSource: flag(ctx, 'include-seed') };
          const what = describeLookalike(name(id), p);
          if (!flag(ctx, 'yes')) return preview(ctx, what, 'create it');
          const r = await u.createLookalike(id, p);
          return done(ctx, { done: true, ...r }, `Created lookalike "${r.name}" (TikTok id ${r.tiktokAudienceId}). Deleting "${name(id)}" later stops its refreshes.`);
        }
        case 'lookalikes': {
          const id = one(ctx);
          const v = await u.lookalikes(id);
          const lines = v.map((l) => `${l.tiktokAudienceId}  ${l.name}  ${l.audienceSize.toLowerCase()}, ${l.mobileOs.toLowerCase()}, ${l.locationIds.map(locationName).join('/')}  reach ${l.coverNum ?? '?'}${l.existsAtTiktok ? '' : '  (gone at TikTok)'}`);
          if (v.some((l) => l.seedDeleted)) lines.push(`The seed "${name(id)}" no longer exists at TikTok: these lookalikes can no longer be refreshed.`);
          return done(ctx, v, lines.length ? lines.join('\n') : `No lookalike was made from "${name(id)}" here.`);
        }
        case 'refresh': {
          const id = one(ctx);
          const lid = str(ctx, 'lookalike');
          if (!lid) throw new AppError('INVALID_ARGUMENT', 'Name the lookalike with --lookalike TIKTOK_ID (see "cohort-relay use lookalikes").');
          const l = (await u.lookalikes(id)).find((x) => x.tiktokAudienceId === lid);
          const what = describeRefresh(l?.name ?? lid);
          if (!flag(ctx, 'yes')) return preview(ctx, what, 'refresh it');
          const r = await u.refreshLookalike(id, lid);
          return done(ctx, { done: true, ...r }, `Refreshing "${r.name}" at TikTok.`);
        }
        case 'share': {
          const ids = audienceIds(ctx);
          const targets = many(ctx, 'with');
          if (targets.length === 0 || targets.some((t) => !/^\d{1,20}$/.test(t))) throw new AppError('INVALID_ARGUMENT', 'Name the ad accounts to share with: --with ACCOUNT_ID (digits), repeated or comma-separated.');
          const what = describeShare(ids.map(name), targets);
          if (!flag(ctx, 'yes')) return preview(ctx, what, 'share');
          const r = await u.share(ids, targets);
          return done(ctx, { done: true, ...r }, `Shared: ${r.pairs} audience × account pairs in ${r.requests} request${r.requests === 1 ? '' : 's'}.`);
        }
        case 'shares': {
          const id = one(ctx);
          const v = await u.shares(id);
          return done(ctx, v, v.length ? v.map((s) => `${s.advertiserId}  ${s.advertiserName ?? ''}  ${s.status ?? ''}`).join('\n') : `"${name(id)}" is not shared with any ad account.`);
        }
        case 'unshare': {
          const id = one(ctx);
          const [target, ...more] = many(ctx, 'with');
          if (!target || more.length > 0) throw new AppError('INVALID_ARGUMENT', 'Name one ad account: --with ACCOUNT_ID.');
          const what = describeUnshare(name(id), target);
          if (!flag(ctx, 'yes')) return preview(ctx, what, 'stop sharing');
          await u.unshare(id, target);
          return done(ctx, { done: true, audienceId: id, advertiserId: target }, `Done. ${what}`);
        }
        case 'delete': {
          const ids = [...new Set(audienceIds(ctx))];
          if (!flag(ctx, 'yes')) {
            // The preview reads who uses each audience (apply log) and counts lookalikes seeded from it: nothing changes.
            return preview(ctx, describeDeleteAtTiktok(await u.deleteFacts(ids)), 'delete them');
          }
          const r = await u.deleteAtTiktok(ids);
          return done(ctx, { done: true, ...r }, r.deleted.map((d) => `Deleted "${d.name}" at TikTok and here${d.detachedFrom ? ` (detached from ${d.detachedFrom} ad group${d.detachedFrom === 1 ? '' : 's'} first)` : ''}.`).join('\n'));
        }
        case 'options': {
          const id = one(ctx);
          await setCreateOptionsFromFlags(ctx, u, id);
          const v = await u.createOptions(id);
          const lines = [
            `Retention: ${v.retentionInDays === null ? "TikTok's default (expires 12 months after it was last used or changed)" : `${v.retentionInDays} days from creation`}`,
            `Custom Audience Enhancement: ${v.audienceEnhancement ? 'on' : 'off'}`,
            `Sub type: ${v.subType === 'REACH_FREQUENCY' ? 'Reach & Frequency' : 'normal'}`,
            v.editable ? 'Sent when the first sync creates the audience at TikTok.' : 'The audience exists at TikTok: these were set when it was created and cannot change.',
            ...(v.atTiktok ? [`At TikTok: enhancement ${v.atTiktok.audienceEnhancement === null ? 'not reported' : v.atTiktok.audienceEnhancement ? 'on' : 'off'}${v.atTiktok.enhancementStatus ? ` (${v.atTiktok.enhancementStatus})` : ''}, sub type ${v.atTiktok.subType ?? '?'}, expires ${v.atTiktok.expiresAt ?? '?'}`] : []),
          ];
          return done(ctx, v, lines.join('\n'));
        }
        default:
          throw new UsageError(`Unknown "use ${sub}"`);
      }
    });
  },
};
export default use;
