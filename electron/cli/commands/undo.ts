import { AppError } from '../../../shared/errors';
import { CohortRelayApp } from '../../core/app';
import { flag, printJson, str, type CliCommand } from '../command';
import { fmt } from '../cohort-args';

/** `cohort-relay undo`: sends the inverse of the audience's last sync and pauses its schedule. */
const undo: CliCommand = {
  summary: "Undo an audience's last sync (send the inverse change) and pause its schedule.",
  usage: 'cohort-relay undo --audience-id LOCAL_ID [--json]',
  options: { 'audience-id': { type: 'string' }, json: { type: 'boolean' } },
  async run(ctx) {
    const id = Number(str(ctx, 'audience-id'));
    if (!Number.isInteger(id) || id <= 0) throw new AppError('INVALID_ARGUMENT', 'Missing --audience-id LOCAL_ID: the audience number "cohort-relay status" shows.');
    const app = await CohortRelayApp.open({ env: ctx.env });
    try {
      const o = await app.sync.undo(id, ctx.signal);
      if (flag(ctx, 'json')) printJson(ctx, { audienceId: o.tiktokAudienceId, status: o.status, adds: o.adds, removes: o.removes, callsUsed: o.callsUsed, deferredUntil: o.deferredUntil, error: o.error });
      else {
        ctx.stdout.write(`Undo ${o.status}: +${fmt(o.adds)} added back, −${fmt(o.removes)} removed, ${o.callsUsed} calls. The audience's schedule is paused; resume it with "cohort-relay schedule resume --audience-id ${id}".\n`);
        if (o.error && o.status === 'failed') ctx.stderr.write(`error: ${o.error.message}\n`);
      }
      return o.status === 'failed' ? 1 : 0;
    } finally {
      app.close();
    }
  },
};
export default undo;
