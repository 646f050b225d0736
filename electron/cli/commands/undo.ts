import { AppError } from '../../../shared/errors';
import { CohortRelayApp } from '../../core/app';
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
    const app = await CohortRelayApp.open({ env: ctx.env });
    try {
      if (flag(ctx, 'dry-run')) {
        // What the undo would change and cost; nothing is sent and the schedule is left as it is.
        const { run, outcome: p } = await app.sync.undoPreview(id, ctx.signal);
        if (p.error && p.error.code !== 'AUDIENCE_TOO_SMALL') throw new AppError(p.error.code, p.error.message, { retryable: p.error.retryable });
        if (flag(ctx, 'json')) printJson(ctx, { dryRun: true, runId: run.id, runStartedAt: run.startedAt, adds: p.adds, removes: p.removes, calls: p.callsPlanned, callsLeft: p.callsLeft, deferredUntil: p.deferredUntil, pausesSchedule: true, warning: p.error?.message ?? p.deferredReason ?? null });
        else {
          ctx.stdout.write(`Undo of the sync of ${run.startedAt} (run ${run.id}) would re-add ${fmt(p.adds)}, remove ${fmt(p.removes)}, use ${p.callsPlanned} ${p.callsPlanned === 1 ? 'call' : 'calls'} (${p.callsLeft} left today) and pause the schedule. Nothing was sent.\n`);
          if (p.deferredUntil) ctx.stdout.write(`Today's calls do not cover it: the rest would wait until ${p.deferredUntil}.\n`);
        }
        return 0;
      }
      const o = await app.sync.undo(id, ctx.signal);
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
    } finally {
      app.close();
    }
  },
};
export default undo;
