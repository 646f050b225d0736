/**
 * The one read-plus-suppress target of every sync, dry run and `cohort-relay plan`: the audience's cohort (the newest
 * file of a watched folder), minus its suppression list and the people erased from it. readCohortTargetParts hands the set over in parts, so a plan
 * of a cohort too large for memory reads it a part at a time (cohort/spill.ts); readCohortTarget joins them for a sync.
 */
import type { KeyType } from '../../../shared/domain';
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
  /** Entries left out because they hold a person erased from the audience (`erased` of the context). */
  erased: number;
};

export interface ReadTargetContext {
  signal: AbortSignal;
  onRows(rows: number, fraction: number): void;
  /** Digests kept in memory before a read spills to part files (default: spill.ts's spillLimit()). */
  spillAbove?: number;
  /** A single-key file whose every row is rejected gives its counts and rejects (an empty set), not CSV_INVALID. */
  allowAllRejected?: boolean;
  /** Digests (sorted, per key) of people erased from the audience (erasure.ts erasedDigests): left out like suppressed ones. */
  erased?: Partial<Record<KeyType, Buffer>>;
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
    const parts = partsOfBuffer(entries, width);
    const erased = await leaveOutErased(parts, audience, ctx.erased);
    return { parts, rowsRead: res.rowsRead, valid: res.valid, rejected: res.rejected, duplicates: res.duplicates, rejectReasons: res.rejectReasons, rejects: res.rejects, perKey: res.perKey, columns: res.columns, rejectsTruncated: res.rejectsTruncated, suppressed, erased };
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
    const suppressed = before - parts.count;
    const erased = await leaveOutErased(parts, audience, ctx.erased);
    return { parts, rowsRead: res.rowsRead, valid: res.valid, rejected: res.rejected, duplicates: res.duplicates, rejectReasons: res.rejectReasons as Record<string, number>, rejects: res.rejects, columns: [res.column, ...(res.extraColumns ?? [])], rejectsTruncated: res.rejectsTruncated, suppressed, erased };
  } catch (err) {
    await parts.dispose();
    throw err;
  }
}

/**
 * Leaves out of `parts` (the audience's target) every entry that holds a person erased from the audience: a digest of
 * `erased` in its key's place (a multi-key tuple goes whole). Returns how many entries were left out.
 */
export async function leaveOutErased(parts: SortedParts, audience: AudienceRecord, erased: Partial<Record<KeyType, Buffer>> | undefined): Promise<number> {
  if (!erased) return 0;
  const before = parts.count;
  const tuple = layoutOf(audience).tuple;
  for (const key of new Set(audience.keys.map((k) => k.key))) {
    const digests = erased[key];
    if (!digests?.length) continue;
    await parts.filter((part) => (tuple ? suppressEntries(part, digests, slotOfKey(key), tuple) : subtractHashes(part, sliceFor(digests, part, 32))));
  }
  return before - parts.count;
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
