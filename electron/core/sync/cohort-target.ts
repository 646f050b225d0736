/**
 * The one read-plus-suppress target of every sync, dry run and `cohort-relay plan`: the audience's cohort (the newest
 * file of a watched folder), minus its suppression list. readCohortTargetParts hands the set over in parts, so a plan
 * of a cohort too large for memory reads it a part at a time (cohort/spill.ts); readCohortTarget joins them for a sync.
 */
import { AppError } from '../../../shared/errors';
import { loadSuppression, readCohortColumns, readCohortMulti, slotOfKey, subtractHashes, suppressEntries } from '../cohort';
import { partsOfBuffer, sliceFor, type SortedParts } from '../cohort/sorted-parts';
import type { AudienceRecord } from '../store/audiences-repo';
import { isMultiKey, layoutOf, multiKeyMappings } from './entry-layout';
import { resolveSourceFile } from './source';
import type { CohortTarget } from './sync-service';

export type CohortTargetParts = Omit<CohortTarget, 'entries'> & {
  /** The target's entries in parts (on disk for a large single-key cohort); the caller disposes them. */
  parts: SortedParts;
};

export interface ReadTargetContext {
  signal: AbortSignal;
  onRows(rows: number, fraction: number): void;
  /** Digests kept in memory before a read spills to part files (default: spill.ts's spillLimit()). */
  spillAbove?: number;
  /** A single-key file whose every row is rejected gives its counts and rejects (an empty set), not CSV_INVALID. */
  allowAllRejected?: boolean;
}

function headerOf(a: AudienceRecord): { hasHeader?: boolean } {
  return a.hasHeader === null || a.hasHeader === undefined ? {} : { hasHeader: a.hasHeader };
}

/** The audience's target, in parts: what `plan` streams. */
export async function readCohortTargetParts(audience: AudienceRecord, ctx: ReadTargetContext): Promise<CohortTargetParts> {
  const mapping = audience.keys[0];
  if (!mapping) throw new AppError('INVALID_ARGUMENT', `Audience "${audience.name}" has no key mapping.`);
  const file = resolveSourceFile({ kind: audience.sourceKind, path: audience.sourcePath, pattern: audience.sourcePattern });
  const onProgress = (p: { rows: number; bytesRead: number; totalBytes: number }) => ctx.onRows(p.rows, p.totalBytes ? p.bytesRead / p.totalBytes : 0);
  if (isMultiKey(audience)) {
    const keys = multiKeyMappings(audience);
    const res = await readCohortMulti({ path: file, keys, profile: audience.profile, signal: ctx.signal, onProgress, ...headerOf(audience) });
    let entries = res.entries;
    // A suppression list holds one key type: the audience's first mapped key. A person whose hash for it is listed is left out.
    if (audience.suppressPath) entries = suppressEntries(entries, await loadSuppression(audience.suppressPath, mapping.key, audience.profile), slotOfKey(mapping.key), res.layout);
    const width = layoutOf(audience).width;
    const suppressed = (res.entries.length - entries.length) / width;
    return { parts: partsOfBuffer(entries, width), rowsRead: res.rowsRead, valid: res.valid, rejected: res.rejected, duplicates: res.duplicates, rejectReasons: res.rejectReasons, rejects: res.rejects, perKey: res.perKey, columns: res.columns, rejectsTruncated: res.rejectsTruncated, suppressed };
  }
  const res = await readCohortColumns({
    path: file,
    key: mapping.key,
    column: mapping.column ?? undefined,
    extraColumns: mapping.extraColumns,
    countryColumn: mapping.countryColumn,
    profile: audience.profile,
    signal: ctx.signal,
    onProgress,
    keepParts: true,
    spillAbove: ctx.spillAbove,
    allowAllRejected: ctx.allowAllRejected,
    ...headerOf(audience),
  });
  const parts = res.parts!;
  try {
    const before = parts.count;
    if (audience.suppressPath) {
      const suppression = await loadSuppression(audience.suppressPath, mapping.key, audience.profile);
      // Each part meets only the listed hashes in its own range.
      await parts.filter((part) => subtractHashes(part, sliceFor(suppression, part, 32)));
    }
    return { parts, rowsRead: res.rowsRead, valid: res.valid, rejected: res.rejected, duplicates: res.duplicates, rejectReasons: res.rejectReasons as Record<string, number>, rejects: res.rejects, columns: [res.column, ...(res.extraColumns ?? [])], rejectsTruncated: res.rejectsTruncated, suppressed: before - parts.count };
  } catch (err) {
    await parts.dispose();
    throw err;
  }
}

/**
 * The audience's target for a sync: one buffer, or, for a cohort too large for memory, its part files (`parts`, with
 * `entries` empty), which the sync diffs and sends part by part (sync-runner.ts). The caller disposes `parts`.
 */
export async function readSyncTarget(audience: AudienceRecord, ctx: ReadTargetContext): Promise<CohortTarget> {
  const { parts, ...rest } = await readCohortTargetParts(audience, ctx);
  if (parts.onDisk) return { ...rest, entries: Buffer.alloc(0), parts };
  try {
    return { ...rest, entries: await parts.toBuffer() };
  } finally {
    await parts.dispose();
  }
}
