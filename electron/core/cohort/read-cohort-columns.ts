/**
 * Several values per identifier (#14 §2): a person with two or three emails (or phones) in columns such as `Email 1`,
 * `Email 2`. For a single-key audience every value is one line of TikTok's file (one hash per line, TikTok matches any
 * of them), so the columns are read one after the other and their hashes joined.
 *
 * Counts: rows are the file's rows (the first column's read). valid, duplicates and rejects count values: an empty
 * cell in a further column is not a reject (most people have one email), an unusable value there is, with its row
 * and column.
 */
import { AppError } from '../../../shared/errors';
import { unionHashes } from './hash-set';
import { partsOfBuffer } from './sorted-parts';
import { readCohort, type CohortResult, type ReadCohortOptions } from './read-cohort';

/** TikTok takes a header up to 3 times in one file (help center, list of supported ids): so up to 3 columns per key. */
export const MAX_COLUMNS_PER_KEY = 3;

export async function readCohortColumns(opts: ReadCohortOptions & { extraColumns?: readonly (string | number)[] }): Promise<CohortResult> {
  const { extraColumns = [], ...base } = opts;
  if (extraColumns.length + 1 > MAX_COLUMNS_PER_KEY) {
    throw new AppError('INVALID_ARGUMENT', `Map at most ${MAX_COLUMNS_PER_KEY} columns to one key (TikTok takes up to ${MAX_COLUMNS_PER_KEY} values of a kind per person).`);
  }
  if (extraColumns.length === 0) return readCohort(base);
  // Several columns: their sets are joined in memory (keepParts then wraps the joined set).
  const { keepParts, ...one } = base;
  const first = await readCohort(one);
  let out: CohortResult = { ...first, rejectReasons: { ...first.rejectReasons }, rejects: [...first.rejects] };
  for (const column of extraColumns) {
    let more: CohortResult;
    try {
      more = await readCohort({ ...one, column, allowEmpty: true });
    } catch (err) {
      // A further column with no usable value at all: empty in every row is fine (nobody has a second email); unusable
      // values there are a wrong mapping, refused with the reader's words.
      if (err instanceof AppError && err.code === 'CSV_INVALID' && /is empty in every row/.test(err.message)) continue;
      throw err;
    }
    if (more.column.index === first.column.index) throw new AppError('INVALID_ARGUMENT', `Column "${more.column.name}" is mapped twice to the same key. Map each column once.`);
    const empty = more.rejectReasons.EMPTY ?? 0;
    const reasons = { ...out.rejectReasons };
    for (const [reason, n] of Object.entries(more.rejectReasons) as [keyof typeof reasons, number][]) {
      if (reason !== 'EMPTY') reasons[reason] = (reasons[reason] ?? 0) + n;
    }
    const hashes = unionHashes(out.hashes, more.hashes);
    const valid = out.valid + more.valid;
    out = {
      ...out,
      valid,
      rejected: out.rejected + more.rejected - empty,
      unique: hashes.length / 32,
      duplicates: valid - hashes.length / 32,
      rejectReasons: reasons,
      rejects: [...out.rejects, ...more.rejects.filter((r) => r.reason !== 'EMPTY')].sort((a, b) => a.row - b.row),
      rejectsTruncated: out.rejectsTruncated || more.rejectsTruncated,
      hashes,
      extraColumns: [...(out.extraColumns ?? []), more.column],
    };
  }
  return keepParts ? { ...out, hashes: Buffer.alloc(0), parts: partsOfBuffer(out.hashes) } : out;
}
