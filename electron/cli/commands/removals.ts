import { AppError } from '../../../shared/errors';
import { callsText } from '../../../shared/run-counts-text';
import { confirmAndSync, keepAudience, removalHolds, setRemovalLimit, withApp } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, localAudienceId, printJson, requireLocalAudienceId, str, type CliCommand } from '../command';
import { fmt } from '../cohort-args';
import { EXIT_HELD, holdJson, holdNextSteps, limitText, parseRemovalLimit } from '../removal-args';
import { notCreatedText } from '../schedule-words';

/**
 * `cohort-relay removals list|limit|confirm|keep`: the safety net against removing people by mistake. A sync that
 * would remove more than an audience's limit (default 20 %) is held; here the user sees the held syncs, changes an
 * audience's limit, sends a held change once, or keeps the audience as it is. A sync held because TikTok shows
 * changes this app did not send is decided here too: confirm replaces the whole membership with the file, keep
 * keeps syncing changes only.
 */
const removals: CliCommand = {
  summary: "Held syncs (too many removals, or changes at TikTok this app did not send): list them, set an audience's limit, confirm once (sync anyway, or replace with the file), or keep (the audience as is, or syncing changes only).",
  usage: 'cohort-relay removals [list] [--json] | limit --audience-id N --max PCT|off | confirm --audience-id N [--json] | keep --audience-id N',
  options: { 'audience-id': { type: 'string' }, max: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx) {
    const action = ctx.positionals[0] ?? 'list';
    localAudienceId(ctx); // a malformed --audience-id is named whatever the action
    return withApp(ctx.env, async (app) => {
      const needId = () => knownAudience(app, requireLocalAudienceId(ctx));
      switch (action) {
        case 'list': {
          const rows = removalHolds(app);
          if (flag(ctx, 'json')) {
            printJson(ctx, { audiences: rows });
            return 0;
          }
          if (rows.length === 0) ctx.stdout.write('No audiences yet.\n');
          for (const r of rows) {
            const why = r.hold?.reason === 'membership' ? ' (TikTok shows changes this app did not send)' : '';
            ctx.stdout.write(`#${r.id} ${r.name}: limit ${limitText(r.removalLimitPct)}${r.hold ? `, ${r.hold.state === 'held' ? `HELD — needs you${why}` : r.hold.state === 'kept' ? 'held (kept as is)' : r.hold.reason === 'membership' ? 'full replace confirmed' : 'confirmed once'}` : ''}\n`);
            if (!r.created) ctx.stdout.write(`   ${notCreatedText(r.id)}\n`);
            if (r.hold) ctx.stdout.write(`   ${r.hold.message}\n${r.hold.state === 'confirmed' ? '' : `${holdNextSteps(r.id, { sameCommand: false, reason: r.hold.reason }).map((l) => `   ${l}`).join('\n')}\n`}`);
          }
          return 0;
        }
        case 'limit': {
          const a = needId();
          const max = str(ctx, 'max');
          if (max === undefined) throw new AppError('INVALID_ARGUMENT', 'Missing --max PCT: the largest share of the audience one sync may remove without asking (0–100), or off.');
          const next = setRemovalLimit(app, a.id, parseRemovalLimit(max, '--max'));
          ctx.stdout.write(
            next.removalLimitPct === null
              ? `Audience "${next.name}": no removal limit. Syncs are never held for the people they remove (TikTok's 1,000 floor still applies).\n`
              : `Audience "${next.name}": a sync that would remove more than ${next.removalLimitPct} % of its people is held until you confirm it.\n`,
          );
          return 0;
        }
        case 'keep': {
          const a = needId();
          const kept = keepAudience(app, a.id);
          ctx.stdout.write(
            kept.reason === 'membership'
              ? `Audience "${a.name}" keeps syncing changes only: the ${fmt(kept.foreignChanges ?? 0)} change(s) TikTok shows that this app did not send stay as they are and are not asked about again. The next sync sends only what changed in the file.\n`
              : `Audience "${a.name}" is kept as it is: the held change was not sent, and syncs of the same file stay held without asking again. A changed file is checked again.\n`,
          );
          return 0;
        }
        case 'confirm': {
          const a = needId();
          // Exactly the held change, once: the sync runs now and checks the file again (a changed file may be held again).
          const o = await confirmAndSync(app, a.id, 'cli', ctx.signal);
          if (flag(ctx, 'json')) printJson(ctx, { localAudienceId: a.id, audienceId: o.tiktokAudienceId, status: o.status, adds: o.adds, removes: o.removes, callsUsed: o.callsUsed, deferredUntil: o.deferredUntil, error: o.error, hold: holdJson(o.hold) });
          else {
            ctx.stdout.write(`Sync ${o.status}: audience "${a.name}", +${fmt(o.adds)} added, −${fmt(o.removes)} removed, ${callsText(o.callsUsed, fmt)}.\n`);
            if (o.status === 'held' && o.hold) ctx.stdout.write(`The file or TikTok's audience changed since the sync was held, so it was checked again: ${o.hold.message}\n${holdNextSteps(a.id, { sameCommand: false, reason: o.hold.reason }).join('\n')}\n`);
            if (o.deferredUntil) ctx.stdout.write(`The rest waits until ${o.deferredUntil} and is sent by the scheduler.\n`);
            if (o.error && o.status === 'failed') ctx.stderr.write(`error: ${o.error.message}\n`);
          }
          if (o.status === 'held') return EXIT_HELD;
          return o.status === 'failed' || o.status === 'cancelled' ? 1 : 0;
        }
        default:
          throw new AppError('INVALID_ARGUMENT', `Unknown removals action "${action}": use list, limit, confirm or keep.`);
      }
    });
  },
};
export default removals;
