import { AppError } from '../../../shared/errors';
import { replaceText } from '../../../shared/replace-text';
import { runCountsText } from '../../../shared/run-counts-text';
import { AudienceUse, audienceUnderOtherAccount, confirmRemovals, type App, type AudienceRecord, draftAudience, findOrCreateAudience, holdOf, planAudience, quotaOf, requireAudience, setRemovalLimit, syncAudience, withApp, writeRejects, type RunSent, type SyncOutcome } from '../../core/engine/ops';
import { printJson, flag, str, type CliCommand } from '../command';
import { COHORT_OPTIONS, COHORT_USAGE, fmt, parseCohortArgs } from '../cohort-args';
import { EXIT_HELD, holdJson, holdNextSteps, parseRemovalLimit, parseRemovalMode } from '../removal-args';
import { CREATE_OPTION_FLAGS, setCreateOptionsFromFlags } from './use';

/**
 * `sync --audience-id` takes TikTok's audience id, while `status` and the other commands number audiences locally (#1):
 * when TikTok has no audience of that id, the error says so, and names the local audience of that number, if any, with
 * the way to sync it (--audience NAME). Any other error passes unchanged.
 */
function tiktokIdHint(app: App, tiktokAudienceId: string | undefined, advertiserId: string): (err: unknown) => never {
  return (err) => {
    if (!(err instanceof AppError) || err.code !== 'AUDIENCE_NOT_FOUND' || tiktokAudienceId === undefined) throw err;
    // The id is a TikTok audience of this app under another ad account: name that account, not the local-number mix-up.
    const elsewhere = audienceUnderOtherAccount(app, tiktokAudienceId, advertiserId);
    if (elsewhere) throw new AppError('AUDIENCE_NOT_FOUND', `TikTok audience ${tiktokAudienceId} belongs to ad account ${elsewhere.advertiserId} (it is "${elsewhere.name}" here), not to ${advertiserId}: give --advertiser ${elsewhere.advertiserId}.`, { cause: err });
    const head = `TikTok has no audience ${tiktokAudienceId} for advertiser ${advertiserId}. --audience-id here takes TikTok's audience id (the "TikTok id" a sync prints), not the local number "cohort-relay status" shows.`;
    let local: AudienceRecord | null = null;
    try {
      if (/^\d{1,15}$/.test(tiktokAudienceId)) local = requireAudience(app, Number(tiktokAudienceId));
    } catch {
      local = null;
    }
    const how = local
      ? ` Local audience #${local.id} is "${local.name}"${local.tiktokAudienceId ? ` (TikTok id ${local.tiktokAudienceId})` : ''}: to sync it, give --audience "${local.name}" --advertiser ${local.advertiserId} instead of --audience-id ${tiktokAudienceId}.`
      : ' Check the id, or give --audience NAME to create an audience.';
    throw new AppError('AUDIENCE_NOT_FOUND', `${head}${how}`, { cause: err });
  };
}

/**
 * `cohort-relay sync`: creates the audience when it does not exist, else sends the diff — inside the
 * daily call budget. Exit 0 when done or deferred (the rest goes in the next window), 1 when failed, 3 when held:
 * the sync would remove more of the audience than its limit allows (nothing sent; --confirm-removals, run again,
 * sends exactly that change once), or TikTok shows changes to the audience this app did not send (--confirm-removals
 * replaces its whole membership with the file; `removals keep` keeps syncing changes only).
 */
const sync: CliCommand = {
  summary: 'Sync a cohort CSV to a TikTok audience: create it, or send only what changed. Exit 0 done or deferred, 1 failed, 3 held (it would remove more than the audience allows, or TikTok shows changes this app did not send).',
  usage: `cohort-relay sync ${COHORT_USAGE} --advertiser ID (--audience NAME | --audience-id ID) [--partner] [--dry-run] [--max-removals PCT|off] [--removal-mode added-only|mirror] [--confirm-removals] [--retention-days 1-365|none] [--enhancement on|off] [--sub-type normal|reach-frequency]`,
  options: { ...COHORT_OPTIONS, 'audience-id': { type: 'string' }, 'dry-run': { type: 'boolean' }, partner: { type: 'boolean' }, 'max-removals': { type: 'string' }, 'removal-mode': { type: 'string' }, 'confirm-removals': { type: 'boolean' }, ...CREATE_OPTION_FLAGS },
  async run(ctx) {
    const args = parseCohortArgs(ctx, flag(ctx, 'partner') ? 'segment' : 'file');
    const advertiserId = str(ctx, 'advertiser');
    if (!advertiserId) throw new AppError('INVALID_ARGUMENT', 'Missing --advertiser ID: the TikTok advertiser account (see "cohort-relay accounts").');
    // A name of only spaces is no name; "Acme Buyers " is the audience "Acme Buyers" (never a second one at TikTok).
    const name = str(ctx, 'audience')?.trim() || undefined;
    const tiktokAudienceId = str(ctx, 'audience-id');
    if (!name && !tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', 'Name the audience: --audience NAME (created when missing) or --audience-id ID (an existing TikTok audience).');
    if (name && tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', 'Give --audience NAME or --audience-id ID, not both: --audience names an audience of this app (created when missing), --audience-id an existing TikTok audience (it keeps its own name).');
    const dryRun = flag(ctx, 'dry-run');
    if (dryRun && flag(ctx, 'confirm-removals')) throw new AppError('INVALID_ARGUMENT', '--confirm-removals sends the held change and --dry-run sends nothing: give one of them.');
    // An audience that exists at TikTok only loses people this app added unless --removal-mode mirror is chosen.
    const removalMode = parseRemovalMode(str(ctx, 'removal-mode'));
    const maxRemovals = str(ctx, 'max-removals');
    const removalLimit = maxRemovals === undefined ? undefined : parseRemovalLimit(maxRemovals);
    return withApp(ctx.env, async (app) => {
      const spec = { advertiserId, name, tiktokAudienceId, key: args.key, column: args.column, keys: args.keys ?? undefined, countryColumn: args.countryColumn, sourcePath: args.csv, suppressPath: args.suppress, profile: args.profile, api: flag(ctx, 'partner') ? ('segment' as const) : undefined, removalMode };
      // A dry run writes nothing (no audience, source, limit, mode or mapping): it plans the audience as this sync would save it.
      const draft = dryRun ? await draftAudience(app, spec, removalLimit, {}, ctx.signal).catch(tiktokIdHint(app, tiktokAudienceId, advertiserId)) : null;
      // The desktop app's rule: an audience TikTok already has is synced into only when named by --audience-id.
      const audience = draft ? draft.audience : await findOrCreateAudience(app, spec, {}, ctx.signal).catch(tiktokIdHint(app, tiktokAudienceId, advertiserId));
      // Creation options (#14 §1): kept with the audience and sent when this sync creates it at TikTok.
      if (!draft && (await setCreateOptionsFromFlags(ctx, new AudienceUse(app), audience.id, { onlyBeforeCreate: true })) === 'already-created') {
        ctx.stderr.write(`note: "${audience.name}" already exists at TikTok; --retention-days, --enhancement and --sub-type apply only when it is created.\n`);
      }
      // The audience's removal limit is kept with it, like its source; scheduled syncs use it too.
      if (!draft && removalLimit !== undefined) setRemovalLimit(app, audience.id, removalLimit);
      let confirmNote: string | null = null;
      if (flag(ctx, 'confirm-removals')) {
        // Exactly the change that was held and shown; if the file changed since, the run checks it again.
        if (holdOf(app, audience.id)) confirmRemovals(app, audience.id);
        else confirmNote = 'No sync of this audience was held, so --confirm-removals had nothing to confirm (it confirms a sync that was held and shown to you).';
      }
      // A sync says what its acknowledged calls sent (`sent`, from the run log); a dry run sends nothing.
      const outcome: SyncOutcome & { sent?: RunSent | null } = draft ? await planAudience(app, audience.id, ctx.signal, draft) : await syncAudience(app, audience.id, 'cli', ctx.signal);
      const saved = draft ? audience : requireAudience(app, audience.id);
      if (args.rejects) await writeRejects(outcome.rejects, args.rejects);
      const quota = quotaOf(app, audience.id);
      const out = {
        audienceId: outcome.tiktokAudienceId,
        localAudienceId: audience.id || null,
        name: audience.name,
        status: outcome.status,
        strategy: outcome.strategy,
        replace: outcome.replace ?? null,
        adds: outcome.adds,
        removes: outcome.removes,
        callsPlanned: outcome.callsPlanned,
        callsUsed: outcome.callsUsed,
        callsLeftToday: quota.left,
        currentSize: outcome.currentSize,
        projectedSize: outcome.projectedSize,
        deferredUntil: outcome.deferredUntil,
        deferredReason: outcome.deferredReason ?? null,
        warnings: outcome.warnings,
        error: outcome.error,
        runId: outcome.runId,
        perKey: outcome.perKey,
        removalLimitPct: saved.removalLimitPct,
        removalMode: saved.removalMode,
        hold: holdJson(outcome.hold),
        ...outcome.counts,
        erased: outcome.counts.erased ?? 0,
      };
      if (args.json) printJson(ctx, out);
      else {
        const head = dryRun ? 'Dry run (nothing sent)' : `Sync ${outcome.status}`;
        // A replace says so, with the size before and after; "+N −M" then is its net change.
        const change = outcome.replace ? `${replaceText(outcome.replace, dryRun || outcome.status !== 'done').replace(/^./, (c) => c.toUpperCase())} (+${fmt(out.adds)} −${fmt(out.removes)})` : `+${fmt(out.adds)} ${dryRun ? 'to add' : 'added'}, −${fmt(out.removes)} ${dryRun ? 'to remove' : 'removed'}`;
        const lines = [
          `${head}: audience "${audience.name}"${outcome.tiktokAudienceId ? ` (TikTok id ${outcome.tiktokAudienceId})` : ''}`,
          // People erased from the audience (erase) stay out of every sync, as the plan says.
          `Rows read ${fmt(out.rowsRead)}, valid ${fmt(out.valid)}, rejected ${fmt(out.rejected)}, duplicates ${fmt(out.duplicates)}${out.erased ? `, erased people left out ${fmt(out.erased)}` : ''}`,
          outcome.status === 'held'
            ? `${outcome.replace ? change : `+${fmt(out.adds)} to add, −${fmt(out.removes)} to remove`}: nothing sent, no call spent (${quota.left} of ${quota.budget} left today)`
            : dryRun && outcome.status === 'failed'
              ? // A dry run that would be refused says so, never "→ N people" of a sync that would not happen (the reason follows).
                `${change}: this sync would be refused, nothing would be sent; the audience stays at ${fmt(out.currentSize)} people`
              : dryRun || outcome.status === 'done'
                ? `${change} → ${fmt(out.projectedSize)} people; calls ${dryRun ? `needed ${out.callsPlanned}` : `used ${out.callsUsed}`}, ${quota.left} of ${quota.budget} left today`
                : // What a cut-short run sent of its plan, from the run log (the quota ledger); a replace is worded above.
                  `${outcome.replace ? `${change}; ` : ''}${runCountsText({ ...outcome, dryRun, sent: outcome.replace ? undefined : (outcome.sent ?? undefined) }, fmt)}; ${quota.left} of ${quota.budget} calls left today`,
          ...outcome.warnings.map((w) => `Warning: ${w}`),
        ];
        if (out.removalMode === 'added-only') lines.push('Removes only people Cohort Relay added: the audience\'s other members stay. To make it hold exactly the file: --removal-mode mirror.');
        if (outcome.deferredUntil) lines.push(`${outcome.deferredReason ? `${outcome.deferredReason} ` : ''}The rest waits until ${outcome.deferredUntil} and is sent by the scheduler (or run this again then).`);
        if (confirmNote) lines.push(confirmNote);
        if (outcome.hold && !outcome.hold.confirmed) lines.push(outcome.hold.message, ...holdNextSteps(audience.id, { sameCommand: true, dryRun, recorded: outcome.hold.runId !== null, reason: outcome.hold.reason }));
        ctx.stdout.write(`${lines.join('\n')}\n`);
        if (outcome.error && outcome.status === 'failed') ctx.stderr.write(`error: ${outcome.error.message}\n`);
      }
      if (outcome.status === 'held') return EXIT_HELD;
      return outcome.status === 'failed' || outcome.status === 'cancelled' ? 1 : 0;
    });
  },
};
export default sync;
