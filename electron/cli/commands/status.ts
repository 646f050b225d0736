import { audienceStatuses, rateText, withApp, type MatchRates } from '../../core/engine/ops';
import { flag, printJson, type CliCommand } from '../command';
import { fmt } from '../cohort-args';
import { holdNextSteps } from '../removal-args';
import { notCreatedText, scheduleWords } from '../schedule-words';

/** The match-rate line: never above 100 % (a count TikTok has not updated yet says so), per person on both sides. */
export function matchRateLine(m: MatchRates): string {
  if (m.processing) return `Match rate: matching… TikTok is still processing this audience (it takes up to 24–48 hours), so it has no final count of the ${fmt(m.sent)} sent yet; "cohort-relay status --refresh" asks again`;
  if (m.staleSince !== null) return `Match rate not shown: TikTok has not updated its matched count since ${m.staleSince} (it still shows ${fmt(m.matched ?? 0)}, more than this audience holds now); it catches up within 24–48 hours`;
  const ofRows = m.rows === null ? '' : `${rateText(m.ofRows)} of all ${fmt(m.rows)} rows in the file (invalid rows included)`;
  if (m.valuesPerPerson) return `Match rate ${ofRows || '—'}; TikTok counts people matched, and this audience sends several values per person (${fmt(m.sent)} values), so no rate of values sent is given`;
  return `Match rate ${rateText(m.ofSent)} of ${fmt(m.sent)} sent${ofRows ? `, ${ofRows}` : ''}`;
}

/** `cohort-relay status`: every audience with its state, sizes, last and next sync, and calls left today. */
const status: CliCommand = {
  summary: "Show every audience: state, TikTok's matched size, local size, last and next sync, calls left today.",
  usage: 'cohort-relay status [--refresh] [--json]',
  options: { json: { type: 'boolean' }, refresh: { type: 'boolean' } },
  async run(ctx) {
    // The same state and words as the desktop app's audiences table (unavailable: with the way out).
    const { audiences: rows, pausedAll } = await withApp(ctx.env, (app) => audienceStatuses(app, { refresh: flag(ctx, 'refresh') }));
    if (flag(ctx, 'json')) printJson(ctx, { audiences: rows, pausedAll });
    else if (rows.length === 0) ctx.stdout.write('No audiences yet. Create one with "cohort-relay sync --csv FILE --key email --advertiser ID --audience NAME".\n');
    else {
      for (const r of rows) {
        ctx.stdout.write(
          `#${r.id} ${r.name} [${r.state}] key ${r.key}, TikTok matched${r.matchRate?.processing && !r.coverNum ? ': still matching…' : ` ${r.coverNum === null ? '—' : fmt(r.coverNum)}`}, local ${fmt(r.localSize)}, ` +
            `last ${r.lastSync ? `${r.lastSync.status} ${r.lastSync.at}` : 'never'}, schedule ${scheduleWords({ cadence: r.cadence, paused: r.paused, nextRun: r.nextSync }, pausedAll)}, calls left ${r.callsLeftToday}/${r.dailyBudget}\n`,
        );
        // A sync stopped before the create leaves a local audience TikTok does not have: said plainly, with the way out.
        if (!r.tiktokAudienceId) ctx.stdout.write(`   ${notCreatedText(r.id)}\n`);
        if (r.removalMode === 'added-only') ctx.stdout.write('   Removes only people Cohort Relay added (its other members stay); sync --removal-mode mirror to make it hold exactly the file\n');
        const m = r.matchRate;
        if (m && m.matched !== null) ctx.stdout.write(`   ${matchRateLine(m)}\n`);
        if (r.stateMessage && ['unavailable', 'needs_reconnect', 'error', 'expiring', 'expired'].includes(r.state)) ctx.stdout.write(`   ${r.stateMessage}\n`);
        // A held sync needs the user: the numbers and what to run.
        if (r.hold?.state === 'held') ctx.stdout.write(`   Sync held: ${r.hold.message}\n${holdNextSteps(r.id, { sameCommand: false, reason: r.hold.reason }).map((l) => `   ${l}`).join('\n')}\n`);
      }
    }
    return 0;
  },
};
export default status;
