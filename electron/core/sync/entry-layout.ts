import { BYTES_PER_HASH_LINE, MAX_UPLOAD_FILE_BYTES, MULTI_ENTRY_BYTES, MULTI_SLOTS, multiBytesPerRow, slotOfKey, writeMultiUploadFiles, writeUploadFiles, type MultiSlot, type UploadFile } from '../cohort';
import type { AudienceRecord } from '../store/audiences-repo';

const MULTI_HEADERS: Record<MultiSlot, string> = { email: 'email_SHA256', phone: 'phone_SHA256', maid: 'MAID_SHA256' };

/**
 * How an audience's members are held and uploaded. Single-key audiences: 32-byte digests, one hash per
 * line. Multi-key (MULTIPLE_TYPES) audiences: 96-byte tuples (email, phone, MAID; zeros where missing),
 * uploaded with a header row. Everything else in the engine is the same for both.
 */
export interface EntryLayout {
  width: number;
  /** The mapped slots of a multi-key audience, in file order; null for single-key. */
  slots: MultiSlot[] | null;
  /** Most bytes one entry takes in an upload file. */
  bytesPerRow: number;
  headerBytes: number;
  writeFiles(entries: Buffer, dir: string, entriesPerFile: number): Promise<UploadFile[]>;
}

export function isMultiKey(a: Pick<AudienceRecord, 'calculateType'>): boolean {
  return a.calculateType === 'MULTIPLE_TYPES';
}

export function layoutOf(a: Pick<AudienceRecord, 'calculateType' | 'keys'>): EntryLayout {
  if (!isMultiKey(a)) {
    return {
      width: 32,
      slots: null,
      bytesPerRow: BYTES_PER_HASH_LINE,
      headerBytes: 0,
      writeFiles: (entries, dir, perFile) => writeUploadFiles(entries, dir, { maxBytes: perFile * BYTES_PER_HASH_LINE }),
    };
  }
  const mapped = new Set(a.keys.map((k) => slotOfKey(k.key)));
  const slots = MULTI_SLOTS.filter((s) => mapped.has(s));
  const bytesPerRow = multiBytesPerRow(slots.length);
  const headerBytes = `${slots.map((s) => MULTI_HEADERS[s]).join(',')}\n`.length;
  return {
    width: MULTI_ENTRY_BYTES,
    slots,
    bytesPerRow,
    headerBytes,
    writeFiles: (entries, dir, perFile) => writeMultiUploadFiles(entries, dir, { slots, maxBytes: headerBytes + perFile * bytesPerRow }),
  };
}

/** Entries per upload file: as many as fit in 50 MB with the header. */
export function entriesPerFile(layout: EntryLayout): number {
  return Math.floor((MAX_UPLOAD_FILE_BYTES - layout.headerBytes) / layout.bytesPerRow);
}
