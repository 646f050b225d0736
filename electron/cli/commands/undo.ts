import { AppError } from '../../../shared/errors';
import { undoLastSync, undoPreview, withApp } from '../../core/engine/ops';
import { flag, printJson, str, type CliCommand } from '../command';
import { fmt } from '../cohort-args';

/**
 * `cohort-relay undo`: sends the inverse of the audience's last sync that changed TikTok (also one a crash cut short)
 * and pauses its schedule. Refused (a sync running, nothing to undo): nothing changes, exit 1 (2 for bad input).
 * `--dry-run`: what it would re-add, remove and cost, sending nothing.
 */
const undo: CliCommand = {
  summary: "Undo an audience's last sync (send the inverse change) and pause its schedule.",
  usage: 'cohort-relay undo --audience-id LOCAL_ID [--dry-run] [--json]',
  options: { 'audience-id': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const id = Number(str(ctx, 'audience-id'));
    if (!Number.isInteger(id) || id <= 0) throw new AppError('INVALID_ARGUMENT', 'Missing --audience-id LOCAL_ID: the audience number "cohort-relay status" shows.');
    return withApp(ctx.env, async (app) => {
      if (flag(ctx, 'dry-run')) {
        // What the undo would change and cost; nothing is sent and the schedule is left as it is.
        const p = await undoPreview(app, id, ctx.signal);
        if (flag(ctx, 'json')) printJson(ctx, { dryRun: true, runId: p.runId, runStartedAt: p.runStartedAt, adds: p.adds, removes: p.removes, calls: p.calls, callsLeft: p.quotaLeft, deferredUntil: p.deferredUntil, pausesSchedule: p.pausesSchedule, warning: p.warning });
        else {
          ctx.stdout.write(`Undo of the sync of ${p.runStartedAt} (run ${p.runId}) would re-add ${fmt(p.adds)}, remove ${fmt(p.removes)}, use ${p.calls} ${p.calls === 1 ? 'call' : 'calls'} (${p.quotaLeft} left today) and pause the schedule. Nothing was sent.\n`);
          if (p.deferredUntil) ctx.stdout.write(`Today's calls do not cover it: the rest would wait until ${p.deferredUntil}.\n`);
        }
        return 0;
      }
      const o = await undoLastSync(app, id, ctx.signal);
      if (flag(ctx, 'json')) printJson(ctx, { audienceId: o.tiktokAudienceId, status: o.status, adds: o.adds, removes: o.removes, callsUsed: o.callsUsed, deferredUntil: o.deferredUntil, schedulePaused: o.schedulePaused, error: o.error });
      else {
        const counts = `+${fmt(o.adds)} added back, −${fmt(o.removes)} removed, ${o.callsUsed} calls.`;
        ctx.stdout.write(
          o.schedulePaused
            ? `Undo ${o.status}: ${counts} The audience's schedule is paused; resume it with "cohort-relay schedule resume --audience-id ${id}".\n`
            : `Undo ${o.status}: nothing was sent, and the audience's schedule is unchanged.${o.status === 'deferred' && o.error ? ` ${o.error.message}` : ''}\n`,
        );
        if (o.error && o.status === 'failed') ctx.stderr.write(`error: ${o.error.message}\n`);
      }
      return o.status === 'failed' ? 1 : 0;
    });
  },
};
export default undo;
