import { AppError } from '../../../shared/errors';
import { KEY_LABELS } from '../../../shared/domain';
import { readCohortColumns, readCohortMulti, diffHashesChunked, loadSuppression, slotOfKey, subtractHashes, suppressEntries, writeRejectsCsv, MULTI_ENTRY_BYTES } from '../../core/cohort';
import { resolveDataDir } from '../../core/paths';
import { Store } from '../../core/store';
import { printJson, str, type CliCommand } from '../command';
import { COHORT_OPTIONS, COHORT_USAGE, fmt, parseCohortArgs } from '../cohort-args';
import { holdMessage, overLimit, targetDigest } from '../../core/sync/removal-guard';

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
    // --keys email=Email 1,email=Email 2: several columns of one key (a person with two emails), a single-key read.
    const sameKey = args.keys && new Set(args.keys.map((k) => k.key)).size === 1 ? args.keys : null;
    const multi = sameKey ? null : args.keys;
    const width = multi ? MULTI_ENTRY_BYTES : 32;
    const res = multi
      ? await readCohortMulti({ path: args.csv, keys: multi, profile: args.profile, signal: ctx.signal })
      : await readCohortColumns({ path: args.csv, key: args.key, column: sameKey ? sameKey[0]!.column : (args.column ?? undefined), extraColumns: sameKey?.slice(1).map((k) => k.column), profile: args.profile, signal: ctx.signal });
    let entries = 'entries' in res ? res.entries : res.hashes;
    let suppressed = 0;
    if (args.suppress) {
      const before = entries.length / width;
      const list = await loadSuppression(args.suppress, args.key, args.profile);
      entries = multi ? suppressEntries(entries, list, slotOfKey(args.key)) : subtractHashes(entries, list);
      suppressed = before - entries.length / width;
    }
    let diff: { adds: Buffer; removes: Buffer } | null = null;
    let currentSize = 0;
    let audienceKnown = false;
    let removalLimitPct: number | null = null;
    let confirmedDigest: string | null = null;
    if (advertiser && audienceName) {
      const store = Store.open(resolveDataDir(ctx.env));
      try {
        const a = store.audiences.findByName(advertiser, audienceName);
        if (a) {
          audienceKnown = true;
          const saved = a.keys.map((k) => k.key).sort().join();
          const asked = [...new Set((args.keys ?? [{ key: args.key }]).map((k) => k.key))].sort().join();
          if (saved !== asked) throw new AppError('KEY_TYPE_LOCKED', `Audience "${audienceName}" matches on ${a.keys.map((k) => KEY_LABELS[k.key]).join(' + ')}; an audience's key cannot change. Plan against a new audience name instead.`);
          // The stored snapshot is streamed chunk by chunk into the diff: never held whole.
          diff = diffHashesChunked(store.snapshots.chunks(a.id), entries, width);
          currentSize = store.snapshots.meta(a.id)?.entryCount ?? 0;
          removalLimitPct = a.removalLimitPct;
          const hold = store.holds.get(a.id);
          confirmedDigest = hold?.reason === 'removals' && hold.state === 'confirmed' ? hold.targetDigest : null;
        }
      } finally {
        store.close();
      }
    }
    const { adds, removes } = diff ?? diffHashesChunked([], entries, width);
    // The removal limit, as a sync would apply it (nothing is held by a plan).
    const over = audienceKnown && overLimit(currentSize, removes.length / width, removalLimitPct);
    const confirmed = over && confirmedDigest === targetDigest(entries);
    const base = { currentSize, adds: adds.length / width, removes: removes.length / width, limitPct: removalLimitPct ?? 0, percent: currentSize ? (removes.length / width / currentSize) * 100 : 0, rowsRead: res.rowsRead, lastRowsRead: null, runId: null, heldAt: null, repeated: false, confirmed, kept: false };
    const wouldHold = over ? { removes: base.removes, currentSize, percent: Math.round(base.percent * 100) / 100, limitPct: base.limitPct, confirmed, message: holdMessage(base, 'preview') } : null;
    if (args.rejects) await writeRejectsCsv(res.rejects, args.rejects);
    const out = {
      rowsRead: res.rowsRead,
      valid: res.valid,
      rejected: res.rejected,
      duplicates: res.duplicates,
      suppressed,
      adds: adds.length / width,
      removes: removes.length / width,
      currentSize,
      projectedSize: entries.length / width,
      rejectReasons: res.rejectReasons,
      columns: 'columns' in res ? res.columns : [res.column],
      perKey: 'perKey' in res ? res.perKey : null,
      audienceKnown,
      removalLimitPct: audienceKnown ? removalLimitPct : null,
      wouldHold,
      rejectsFile: args.rejects,
      rejectsTruncated: res.rejectsTruncated,
    };
    if (args.json) printJson(ctx, out);
    else {
      const lines = [
        `Column${out.columns.length > 1 ? 's' : ''}: ${'columns' in res ? res.columns.map((c) => `${c.name} (${c.key})`).join(', ') : `${res.column.name} (${args.key})`}`,
        `Rows read: ${fmt(out.rowsRead)}   valid: ${fmt(out.valid)}   rejected: ${fmt(out.rejected)}   duplicates dropped: ${fmt(out.duplicates)}${args.suppress ? `   suppressed: ${fmt(suppressed)}` : ''}`,
        ...Object.entries(out.rejectReasons).map(([r, n]) => `  rejected ${r}: ${fmt(n as number)}`),
        `Against ${audienceKnown ? `audience "${audienceName}" (${fmt(out.currentSize)} synced)` : 'an empty audience (never synced)'}: +${fmt(out.adds)} to add, −${fmt(out.removes)} to remove → ${fmt(out.projectedSize)}`,
      ];
      if (wouldHold) lines.push(wouldHold.message);
      if (args.rejects) lines.push(`Rejects report written to ${args.rejects}`);
      ctx.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
export default plan;
