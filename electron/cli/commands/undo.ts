import { callsText, runCountsText } from '../../../shared/run-counts-text';
import { undoLastSync, undoPreview, withApp } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, printJson, requireLocalAudienceId, type CliCommand } from '../command';
import { fmt } from '../cohort-args';

/**
 * `cohort-relay undo`: sends the inverse of the audience's last sync that changed TikTok (also one a crash cut short)
 * and pauses its schedule. Refused (a sync running, nothing to undo): nothing changes, exit 1 (2 for bad input).
 * `--dry-run`: what it would re-add, remove and cost, sending nothing; an undo the 1,000 floor would refuse is said
 * so, with the numbers, and exits 1 as that undo would.
 */
const undo: CliCommand = {
  summary: "Undo an audience's last sync (send the inverse change) and pause its schedule.",
  usage: 'cohort-relay undo --audience-id LOCAL_ID [--dry-run] [--json]',
  options: { 'audience-id': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const id = requireLocalAudienceId(ctx);
    return withApp(ctx.env, async (app) => {
      knownAudience(app, id);
      if (flag(ctx, 'dry-run')) {
        // What the undo would change and cost; nothing is sent and the schedule is left as it is.
        const p = await undoPreview(app, id, ctx.signal);
        // A sync cut short and finished by a later run is one change: its undo takes back every run of it.
        const sync = p.runIds.length > 1 ? `the sync of ${p.runStartedAt} (runs ${p.runIds.join(', ')}: it was cut short and finished later)` : `the sync of ${p.runStartedAt} (run ${p.runId})`;
        if (flag(ctx, 'json')) printJson(ctx, { dryRun: true, runId: p.runId, runIds: p.runIds, runStartedAt: p.runStartedAt, adds: p.adds, removes: p.removes, calls: p.calls, callsLeft: p.quotaLeft, deferredUntil: p.deferredUntil, pausesSchedule: p.pausesSchedule, warning: p.warning, refused: p.refused });
        else if (p.refused) {
          ctx.stdout.write(`Undo of ${sync} would be refused: re-adding ${fmt(p.adds)} and removing ${fmt(p.removes)} would leave the audience under TikTok's 1,000 floor, so it would send nothing and leave the schedule as it is. Nothing was sent.\n`);
          if (p.warning) ctx.stderr.write(`error: ${p.warning}\n`);
        } else {
          ctx.stdout.write(`Undo of ${sync} would re-add ${fmt(p.adds)}, remove ${fmt(p.removes)}, use ${p.calls} ${p.calls === 1 ? 'call' : 'calls'} (${p.quotaLeft} left today) and pause the schedule. Nothing was sent.\n`);
          if (p.deferredUntil) ctx.stdout.write(`Today's calls do not cover it: the rest would wait until ${p.deferredUntil}.\n`);
        }
        // A refused undo fails (exit 1); its dry run says the same.
        return p.refused ? 1 : 0;
      }
      const o = await undoLastSync(app, id, ctx.signal);
      // What the run sent (the engine reads it from the quota ledger): a cut-short undo sent only part of its plan.
      const sent = o.sent ?? undefined;
      const again = `cohort-relay undo --audience-id ${id}`;
      // A deferred undo is not finished by the scheduler (the schedule is paused, or would sync the file): it is run again.
      const rest = o.status === 'deferred' ? `The undo does not finish by itself: run "${again}" again${o.deferredUntil ? ` after ${o.deferredUntil}` : ''} to send ${o.callsUsed > 0 ? 'the rest' : 'it'}.` : null;
      if (flag(ctx, 'json')) {
        printJson(ctx, { audienceId: o.tiktokAudienceId, status: o.status, adds: o.adds, removes: o.removes, sent: sent ? { added: sent.appended, removed: sent.removed } : { added: 0, removed: 0 }, callsUsed: o.callsUsed, deferredUntil: o.deferredUntil, finish: rest, schedulePaused: o.schedulePaused, error: o.error });
      } else {
        const counts =
          o.status === 'done'
            ? `+${fmt(o.adds)} added back, −${fmt(o.removes)} removed, ${callsText(o.callsUsed, fmt)}.`
            : // Cut short: what its acknowledged calls sent, of its plan ("+200 −0 sent of +200 −200 planned, 1 call").
              `${runCountsText({ status: o.status, adds: o.adds, removes: o.removes, callsUsed: o.callsUsed, sent }, fmt)}.`;
        const why = o.status === 'deferred' && o.error ? ` ${o.error.message}` : '';
        const schedule = o.schedulePaused
          ? ` The audience's schedule is paused; resume it with "cohort-relay schedule resume --audience-id ${id}".`
          : o.status === 'deferred'
            ? ` The audience's schedule is unchanged: a scheduled sync before then sends the file again (pause it with "cohort-relay schedule pause --audience-id ${id}").`
            : ' The audience\'s schedule is unchanged.';
        ctx.stdout.write(
          o.schedulePaused || o.callsUsed > 0
            ? `Undo ${o.status}: ${counts}${why}${rest ? ` ${rest}` : ''}${schedule}\n`
            : `Undo ${o.status}: nothing was sent.${why}${rest ? ` ${rest}` : ''}${schedule}\n`,
        );
        if (o.error && o.status === 'failed') ctx.stderr.write(`error: ${o.error.message}\n`);
      }
      return o.status === 'failed' ? 1 : 0;
    });
  },
};
export default undo;
