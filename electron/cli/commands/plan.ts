import { AppError } from '../../../shared/errors';
import { replaceText } from '../../../shared/replace-text';
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
    // With --rejects, a file whose every row is rejected still gets its report (then fails, saying where it is).
    const p = await planCohort(ctx.env, { ...cohort, advertiserId: str(ctx, 'advertiser'), audienceName, signal: ctx.signal, allowAllRejected: Boolean(args.rejects) });
    if (args.rejects) await writeRejects(p.rejects, args.rejects);
    if (p.allRejected) throw new AppError('CSV_INVALID', `${p.allRejected} The rejects report is written to ${args.rejects}.`);
    const { rejects: _rejects, allRejected: _all, ...counts } = p;
    const out = { ...counts, rejectsFile: args.rejects };
    if (args.json) printJson(ctx, out);
    else {
      const lines = [
        `Column${out.columns.length > 1 ? 's' : ''}: ${out.columns.map((c) => `${c.name} (${c.key ?? args.key})`).join(', ')}`,
        ...countLines(out, Boolean(args.suppress)),
        out.replace
          ? `Against audience "${audienceName}" (${fmt(out.currentSize)} synced, with other columns): a sync ${replaceText(out.replace, true)} (one full replace) → ${fmt(out.projectedSize)}`
          : `Against ${out.audienceKnown ? `audience "${audienceName}" (${fmt(out.currentSize)} synced)` : 'an empty audience (never synced)'}: +${fmt(out.adds)} to add, −${fmt(out.removes)} to remove → ${fmt(out.projectedSize)}`,
      ];
      if (out.wouldHold) lines.push(out.wouldHold.message);
      if (args.rejects) lines.push(`Rejects report written to ${args.rejects}`);
      ctx.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
/**
 * The counts in words that say what they count: rows for one column; for several keys a row is kept while one of its
 * keys is usable, so rejected cells are not dropped rows; for one key from several columns, values.
 */
function countLines(out: { rowsRead: number; valid: number; rejected: number; duplicates: number; suppressed: number; erased: number; perKey: unknown; columns: unknown[]; rejectReasons: Record<string, number> }, suppress: boolean): string[] {
  const tail = `   duplicates dropped: ${fmt(out.duplicates)}${suppress ? `   suppressed: ${fmt(out.suppressed)}` : ''}${out.erased ? `   erased people left out: ${fmt(out.erased)}` : ''}`;
  const reasons = Object.entries(out.rejectReasons).map(([r, n]) => `${r} ${fmt(n)}`).join(', ');
  if (out.perKey) {
    const lines = [`Rows read: ${fmt(out.rowsRead)}   kept: ${fmt(out.valid)}   dropped (no usable key): ${fmt(out.rejected)}${tail}`];
    if (reasons) lines.push(`  cells rejected (a row stays while another of its keys is usable): ${reasons}`);
    return lines;
  }
  if (out.columns.length > 1) {
    const lines = [`Rows read: ${fmt(out.rowsRead)}   values valid: ${fmt(out.valid)}   values rejected: ${fmt(out.rejected)}${tail}`];
    if (reasons) lines.push(`  values rejected: ${reasons}`);
    return lines;
  }
  return [`Rows read: ${fmt(out.rowsRead)}   valid: ${fmt(out.valid)}   rejected: ${fmt(out.rejected)}${tail}`, ...Object.entries(out.rejectReasons).map(([r, n]) => `  rejected ${r}: ${fmt(n)}`)];
}

export default plan;
