import { BYTES_PER_HASH_LINE, MAX_UPLOAD_FILE_BYTES, MULTI_SLOTS, multiBytesPerRow, slotOfKey, tupleLayout, writeMultiUploadFiles, writeUploadFiles, type MultiSlot, type TupleLayout, type UploadFile } from '../cohort';
import { KEY_LABELS } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { MultiKeyMapping } from '../cohort';
import type { Entries } from '../cohort/sorted-parts';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';

const MULTI_HEADERS: Record<MultiSlot, string> = { email: 'email_SHA256', phone: 'phone_SHA256', maid: 'MAID_SHA256' };

/**
 * How an audience's members are held and uploaded. Single-key audiences: 32-byte digests, one hash per
 * line. Multi-key (MULTIPLE_TYPES) audiences: tuples (email, phone, MAID; zeros where missing), uploaded
 * with a header row — 96 bytes with one column per key, wider when a key has several columns (`Email 1`,
 * `Email 2`: multi-key.ts TupleLayout). Derived from the saved mapping, so it changes only when the mapping's
 * columns do: SyncService.ensureAudience then sets the stored membership aside (a full REPLACE follows) when
 * the width changes. Everything else in the engine is the same for all.
 */
export interface EntryLayout {
  width: number;
  /** The mapped slots of a multi-key audience, in file order; null for single-key. */
  slots: MultiSlot[] | null;
  /** Where a multi-key tuple holds each key's values; null for single-key. */
  tuple: TupleLayout | null;
  /** Most bytes one entry takes in an upload file. */
  bytesPerRow: number;
  headerBytes: number;
  /** Entries in parts (a cohort too large for memory) are single-key digests, written part after part. */
  writeFiles(entries: Entries, dir: string, entriesPerFile: number): Promise<UploadFile[]>;
}

export function isMultiKey(a: Pick<AudienceRecord, 'calculateType'>): boolean {
  return a.calculateType === 'MULTIPLE_TYPES';
}

export function layoutOf(a: Pick<AudienceRecord, 'calculateType' | 'keys'>): EntryLayout {
  if (!isMultiKey(a)) {
    return {
      width: 32,
      slots: null,
      tuple: null,
      bytesPerRow: BYTES_PER_HASH_LINE,
      headerBytes: 0,
      writeFiles: (entries, dir, perFile) => writeUploadFiles(entries, dir, { maxBytes: perFile * BYTES_PER_HASH_LINE }),
    };
  }
  const columns = columnsPerSlot(a);
  const tuple = tupleLayout(columns);
  const slots = MULTI_SLOTS.filter((s) => (columns[s] ?? 0) > 0);
  // One column per key: as before. Several: room for every value a tuple may hold (a file that removes people synced
  // with more columns than are mapped now carries their extra cells), and at most perFile rows per file.
  const cells = slots.map((s) => tuple.size[s]);
  const bytesPerRow = multiBytesPerRow(cells.reduce((x, y) => x + y, 0));
  const headerBytes = `${slots.flatMap((s, i) => new Array<string>(cells[i]!).fill(MULTI_HEADERS[s])).join(',')}\n`.length;
  const several = slots.some((s) => (columns[s] ?? 0) > 1 || tuple.size[s] > 1);
  return {
    width: tuple.width,
    slots,
    tuple,
    bytesPerRow,
    headerBytes,
    writeFiles: async (entries, dir, perFile) => writeMultiUploadFiles(Buffer.isBuffer(entries) ? entries : await entries.toBuffer(), dir, { slots, layout: tuple, columns, maxBytes: headerBytes + perFile * bytesPerRow, ...(several ? { maxEntries: perFile } : {}) }),
  };
}

/**
 * The layout a multi-key audience's stored membership was written in, when that is `width` bytes and not the width its
 * columns make now (its columns changed, and the replace that re-lays it has not gone out: mapping-change.ts). The
 * keys stay; only how many columns each has decides the width (one each: 96 bytes; several: the wide layout). Null when
 * no layout of these keys has that width.
 */
export function layoutForWidth(a: Pick<AudienceRecord, 'calculateType' | 'keys'>, width: number): EntryLayout | null {
  const now = layoutOf(a);
  if (now.width === width) return now;
  if (!isMultiKey(a)) return null;
  const one = layoutOf({ ...a, keys: a.keys.map(({ extraColumns: _extra, ...k }) => k) });
  if (one.width === width) return one;
  const several = layoutOf({ ...a, keys: a.keys.map((k) => ({ ...k, extraColumns: [`${k.column ?? ''} 2`] })) });
  return several.width === width ? several : null;
}

/**
 * The layout the audience's stored membership is in: its columns' layout, or, while a change of columns waits for the
 * replace that re-lays it (mapping-change.ts), the old one: an erasure removes the person from what TikTok holds now,
 * in that shape.
 */
export function membershipLayout(store: Store, a: Pick<AudienceRecord, 'id' | 'calculateType' | 'keys'>): EntryLayout {
  const stored = store.snapshots.meta(a.id);
  const now = layoutOf(a);
  if (!stored || stored.entryCount === 0 || stored.entryWidth === now.width) return now;
  return layoutForWidth(a, stored.entryWidth) ?? now;
}

/** Mapped columns per slot of a multi-key audience: a key's column and its extra columns (`Email 2`, `Email 3`). */
export function columnsPerSlot(a: Pick<AudienceRecord, 'keys'>): Partial<Record<MultiSlot, number>> {
  const out: Partial<Record<MultiSlot, number>> = {};
  for (const k of a.keys) {
    const slot = slotOfKey(k.key);
    out[slot] = (out[slot] ?? 0) + 1 + (k.extraColumns?.length ?? 0);
  }
  return out;
}

/** Entries per upload file: as many as fit in 50 MB with the header. */
export function entriesPerFile(layout: EntryLayout): number {
  return Math.floor((MAX_UPLOAD_FILE_BYTES - layout.headerBytes) / layout.bytesPerRow);
}

/**
 * The columns readCohortMulti reads for a multi-key audience: each key's column, then its extra columns (`Email 2`,
 * `Email 3`) as the same key again; a phone's country column applies to all its columns.
 */
export function multiKeyMappings(a: Pick<AudienceRecord, 'name' | 'keys' | 'api'>): MultiKeyMapping[] {
  // The segment API's id_schema names one id per key (partner-sync.ts): several values of a key go only in a file.
  if (a.api === 'segment' && a.keys.some((k) => (k.extraColumns?.length ?? 0) > 0)) {
    throw new AppError('INVALID_ARGUMENT', `Audience "${a.name}" is a partner audience, which takes one value per key: map one column per key for it, or sync the columns to a customer-file audience.`);
  }
  return a.keys.flatMap((k) => {
    if (k.column === null) throw new AppError('INVALID_ARGUMENT', `Audience "${a.name}" maps ${KEY_LABELS[k.key]} without a column. Map a column for each key.`);
    const country = k.countryColumn !== undefined ? { countryColumn: k.countryColumn } : {};
    return [k.column, ...(k.extraColumns ?? [])].map((column) => ({ key: k.key, column, ...country }));
  });
}
