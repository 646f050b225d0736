import { planCohort, writeRejects } from '../../core/engine/ops';
import { printJson, str, type CliCommand } from '../command';
import { COHORT_OPTIONS, COHORT_USAGE, fmt, parseCohortArgs } from '../cohort-args';

/**
 * `cohort-relay plan`: reads, validates, hashes and diffs a cohort against the audience's last synced
 * snapshot, locally. Nothing is sent to TikTok, nothing is written to the store.
 */
const plan: CliCommand = {
  summary: 'Read, validate and hash a cohort CSV and show what a sync would add and remove (nothing is sent).',
  usage: `cohort-relay plan ${COHORT_USAGE} [--advertiser ID --audience NAME]`,
  options: COHORT_OPTIONS,
  async run(ctx) {
    const args = parseCohortArgs(ctx);
    const { rejects: _file, json: _json, ...cohort } = args;
    const audienceName = str(ctx, 'audience');
    const p = await planCohort(ctx.env, { ...cohort, advertiserId: str(ctx, 'advertiser'), audienceName, signal: ctx.signal });
    if (args.rejects) await writeRejects(p.rejects, args.rejects);
    const { rejects: _rejects, ...counts } = p;
    const out = { ...counts, rejectsFile: args.rejects };
    if (args.json) printJson(ctx, out);
    else {
      const lines = [
        `Column${out.columns.length > 1 ? 's' : ''}: ${out.columns.map((c) => `${c.name} (${c.key ?? args.key})`).join(', ')}`,
        `Rows read: ${fmt(out.rowsRead)}   valid: ${fmt(out.valid)}   rejected: ${fmt(out.rejected)}   duplicates dropped: ${fmt(out.duplicates)}${args.suppress ? `   suppressed: ${fmt(out.suppressed)}` : ''}`,
        ...Object.entries(out.rejectReasons).map(([r, n]) => `  rejected ${r}: ${fmt(n as number)}`),
        `Against ${out.audienceKnown ? `audience "${audienceName}" (${fmt(out.currentSize)} synced)` : 'an empty audience (never synced)'}: +${fmt(out.adds)} to add, −${fmt(out.removes)} to remove → ${fmt(out.projectedSize)}`,
      ];
      if (out.wouldHold) lines.push(out.wouldHold.message);
      if (args.rejects) lines.push(`Rejects report written to ${args.rejects}`);
      ctx.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
export default plan;
