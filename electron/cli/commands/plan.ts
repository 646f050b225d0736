import { AppError } from '../../../shared/errors';
import { readCohort, diffHashes, loadSuppression, subtractHashes, writeRejectsCsv } from '../../core/cohort';
import { resolveDataDir } from '../../core/paths';
import { Store } from '../../core/store';
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
    const advertiser = str(ctx, 'advertiser');
    const audienceName = str(ctx, 'audience');
    if (Boolean(advertiser) !== Boolean(audienceName)) throw new AppError('INVALID_ARGUMENT', 'Give --advertiser ID and --audience NAME together to diff against that audience, or neither.');
    const res = await readCohort({ path: args.csv, key: args.key, column: args.column ?? undefined, profile: args.profile, signal: ctx.signal });
    let hashes = res.hashes;
    let suppressed = 0;
    if (args.suppress) {
      const before = hashes.length / 32;
      hashes = subtractHashes(hashes, await loadSuppression(args.suppress, args.key, args.profile));
      suppressed = before - hashes.length / 32;
    }
    let snapshot: Uint8Array = Buffer.alloc(0);
    let audienceKnown = false;
    if (advertiser && audienceName) {
      const store = Store.open(resolveDataDir(ctx.env));
      try {
        const a = store.audiences.findByName(advertiser, audienceName);
        if (a) {
          audienceKnown = true;
          if (a.keys[0]?.key !== args.key) throw new AppError('KEY_TYPE_LOCKED', `Audience "${audienceName}" matches on ${a.keys[0]?.key ?? a.calculateType}, not ${args.key}; an audience's key cannot change. Plan against a new audience name instead.`);
          snapshot = store.snapshots.load(a.id);
        }
      } finally {
        store.close();
      }
    }
    const { adds, removes } = diffHashes(snapshot, hashes);
    if (args.rejects) await writeRejectsCsv(res.rejects, args.rejects);
    const out = {
      rowsRead: res.rowsRead,
      valid: res.valid,
      rejected: res.rejected,
      duplicates: res.duplicates,
      suppressed,
      adds: adds.length / 32,
      removes: removes.length / 32,
      currentSize: snapshot.length / 32,
      projectedSize: hashes.length / 32,
      rejectReasons: res.rejectReasons,
      column: res.column,
      audienceKnown,
      rejectsFile: args.rejects,
      rejectsTruncated: res.rejectsTruncated,
    };
    if (args.json) printJson(ctx, out);
    else {
      const lines = [
        `Column: ${res.column.name} (${args.key})`,
        `Rows read: ${fmt(out.rowsRead)}   valid: ${fmt(out.valid)}   rejected: ${fmt(out.rejected)}   duplicates dropped: ${fmt(out.duplicates)}${args.suppress ? `   suppressed: ${fmt(suppressed)}` : ''}`,
        ...Object.entries(out.rejectReasons).map(([r, n]) => `  rejected ${r}: ${fmt(n as number)}`),
        `Against ${audienceKnown ? `audience "${audienceName}" (${fmt(out.currentSize)} synced)` : 'an empty audience (never synced)'}: +${fmt(out.adds)} to add, −${fmt(out.removes)} to remove → ${fmt(out.projectedSize)}`,
      ];
      if (args.rejects) lines.push(`Rejects report written to ${args.rejects}`);
      ctx.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
export default plan;
