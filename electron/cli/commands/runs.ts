import { AppError } from '../../../shared/errors';
import { callsText, countsApplied, runCalls, runCountsText } from '../../../shared/run-counts-text';
import { listRuns, runWithCalls, withApp, type RunRecord } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, localAudienceId, printJson, str, type CliCommand } from '../command';
import { fmt } from '../cohort-args';

/** ", 3 calls" after a run's counts, unless the counts already say how many calls went out (a run that stopped part-way). */
function callsTail(r: RunRecord): string {
  const n = runCalls(r);
  return countsApplied(r) || n === 0 ? `, ${callsText(n, fmt)}` : '';
}

/** `cohort-relay runs`: the sync log; with --run ID, one run and its API calls. */
const runs: CliCommand = {
  summary: 'Show the sync log: every run with its counts, calls and errors; --run ID shows its API calls.',
  usage: 'cohort-relay runs [--audience-id LOCAL_ID] [--run ID] [--limit N] [--json]',
  options: { json: { type: 'boolean' }, 'audience-id': { type: 'string' }, run: { type: 'string' }, limit: { type: 'string' } },
  async run(ctx) {
    const audienceId = localAudienceId(ctx);
    return withApp(ctx.env, async (app) => {
      // An audience that does not exist is named, not shown as an empty log.
      if (audienceId !== undefined) knownAudience(app, audienceId);
      const runId = str(ctx, 'run');
      if (runId) {
        const found = runWithCalls(app, Number(runId));
        if (!found) throw new AppError('INVALID_ARGUMENT', `No run ${runId}. Run "cohort-relay runs" to list them.`);
        const { run, calls } = found;
        if (flag(ctx, 'json')) printJson(ctx, { run, calls });
        else {
          const counts = runCountsText(run, fmt);
          // A run still going says so itself ("running: …"); its calls are in the words already.
          const head = run.status === 'running' ? counts : run.status === 'held' && run.errorMessage ? `held, nothing sent, ${callsText(runCalls(run), fmt)}` : `${run.status}, ${counts}${callsTail(run)}`;
          ctx.stdout.write(`Run ${run.id}: ${head}${run.errorMessage ? `; ${run.errorMessage}` : ''}\n`);
          for (const c of calls) ctx.stdout.write(`  ${c.startedAt} ${c.method} ${c.endpoint} code ${c.code ?? '—'} request ${c.requestId ?? '—'} ${c.durationMs} ms${c.detail ? ` — ${c.detail}` : ''}\n`);
        }
        return 0;
      }
      const list = listRuns(app, { audienceId, limit: Number(str(ctx, 'limit') ?? 50) });
      if (flag(ctx, 'json')) printJson(ctx, { runs: list });
      else if (list.length === 0) ctx.stdout.write('No sync has run yet.\n');
      else
        for (const r of list) {
          // An undo cut short is not finished by the scheduler: the rest goes when undo is run again.
          // A run still going has read nothing final yet: "running since …" and what it sent so far ("running" said once).
          // A held run sent nothing, and its message has the numbers in the right words (a full replace as a replace,
          // "replace all 1,454 people with 1,097", never as "−357" removed).
          const line =
            r.status === 'running'
              ? `running since ${r.startedAt}${runCountsText(r, fmt).replace(/^running/, '')}`
              : `${r.status} ${r.startedAt}: rows ${fmt(r.rowsRead)}, rejected ${fmt(r.rejected)}, ${r.status === 'held' && r.errorMessage ? `nothing sent, ${callsText(runCalls(r), fmt)}` : `${runCountsText(r, fmt)}${callsTail(r)}`}`;
          ctx.stdout.write(`#${r.id} audience ${r.audienceId ?? '—'} ${r.trigger} ${line}${r.deferredUntil ? (r.trigger === 'undo' ? `, the rest when undo is run again after ${r.deferredUntil}` : `, rest at ${r.deferredUntil}`) : ''}${r.errorMessage ? ` — ${r.errorMessage}` : ''}\n`);
        }
      return 0;
    });
  },
};
export default runs;
