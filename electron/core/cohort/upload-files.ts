/**
 * The files TikTok's customer-file API receives (tiktok-api.md §3.1): one lowercase hex SHA-256 per
 * line, "\n" line ends, no header, at most 50 MB each, with the MD5 of the exact bytes as
 * file_signature. Written to a private temp folder the caller removes afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REJECT_REASON_TEXT } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { REJECTS_HEADER, csvSafeCell, csvSafeLine } from './csv-write';
import { countHashes, HASH_BYTES } from './hash-set';
import { isZeroDigest, MULTI_SLOTS, SINGLE_VALUE_LAYOUT, slotPositions, type MultiSlot, type TupleLayout } from './multi-key';
import type { RejectRecord } from './read-cohort';
import type { SortedParts } from './sorted-parts';

/** TikTok's size limit per uploaded file. */
export const MAX_UPLOAD_FILE_BYTES = 50 * 1024 * 1024;
/** 64 hex characters and "\n". */
export const BYTES_PER_HASH_LINE = 65;

export interface UploadFile {
  path: string;
  /** Lowercase hex MD5 of the file's bytes (TikTok's file_signature). */
  md5: string;
  /** Hashes in the file. */
  count: number;
  bytes: number;
}

const HEX = '0123456789abcdef';

/**
 * Writes `hashes` (32-byte digests, in the given order: one buffer, or a set's parts one after the other) as upload
 * files in `dir`, each at most `maxBytes`, named `hashes-0001.csv`, `hashes-0002.csv`, … An empty set writes no file.
 */
export async function writeUploadFiles(hashes: Uint8Array | SortedParts, dir: string, opts: { maxBytes?: number; prefix?: string } = {}): Promise<UploadFile[]> {
  const maxBytes = opts.maxBytes ?? MAX_UPLOAD_FILE_BYTES;
  const perFile = Math.floor(maxBytes / BYTES_PER_HASH_LINE);
  if (perFile < 1) throw new AppError('INVALID_ARGUMENT', `An upload file of ${maxBytes} bytes cannot hold one hash line (${BYTES_PER_HASH_LINE} bytes).`);
  await fs.promises.mkdir(dir, { recursive: true });
  // Hex is encoded by table into one reused buffer (1 MiB of lines at a time), not via strings.
  const linesPerWrite = Math.min(perFile, 16_131);
  const out = Buffer.allocUnsafe(linesPerWrite * BYTES_PER_HASH_LINE);
  const files: UploadFile[] = [];
  let open: { file: string; handle: fs.promises.FileHandle; md5: crypto.Hash; count: number } | null = null;
  const close = async () => {
    if (!open) return;
    await open.handle.close();
    files.push({ path: open.file, md5: open.md5.digest('hex'), count: open.count, bytes: open.count * BYTES_PER_HASH_LINE });
    open = null;
  };
  try {
    for await (const part of hashes instanceof Uint8Array ? [hashes] : hashes.parts()) {
      const total = countHashes(part);
      for (let i = 0; i < total; ) {
        if (!open) {
          const file = path.join(dir, `${opts.prefix ?? 'hashes'}-${String(files.length + 1).padStart(4, '0')}.csv`);
          open = { file, handle: await fs.promises.open(file, 'w', 0o600), md5: crypto.createHash('md5'), count: 0 };
        }
        const lines = Math.min(linesPerWrite, perFile - open.count, total - i);
        let o = 0;
        for (let k = 0; k < lines; k++, i++) {
          const base = i * HASH_BYTES;
          for (let b = 0; b < HASH_BYTES; b++) {
            const v = part[base + b]!;
            out[o++] = HEX.charCodeAt(v >>> 4);
            out[o++] = HEX.charCodeAt(v & 15);
          }
          out[o++] = 10;
        }
        const chunk = out.subarray(0, o);
        open.md5.update(chunk);
        await open.handle.write(chunk);
        open.count += lines;
        if (open.count === perFile) await close();
      }
    }
    await close();
  } catch (err) {
    const failed = open as { file: string; handle: fs.promises.FileHandle } | null;
    await failed?.handle.close().catch(() => undefined);
    // A write error names its file, so a full disk is reported with the folder it happened in.
    if (failed && err && typeof err === 'object' && !('path' in err)) Object.assign(err, { path: failed.file });
    throw err;
  }
  return files;
}

/** Header names of the MULTIPLE_TYPES file columns (tiktok-api.md §3.1), per slot. */
const MULTI_HEADER: Record<MultiSlot, string> = { email: 'email_SHA256', phone: 'phone_SHA256', maid: 'MAID_SHA256' };

/** Upper bound of one MULTIPLE_TYPES data row: `slots` full cells, the commas between them and "\n". */
export function multiBytesPerRow(slots: number): number {
  return slots * 64 + Math.max(0, slots - 1) + 1;
}

/**
 * Writes multi-key `entries` (tuples of `layout`, 96 bytes by default; in the given order) as MULTIPLE_TYPES upload
 * files in `dir` (tiktok-api.md §3.1): a header row naming the mapped `slots` in MULTI_SLOTS order (email_SHA256,
 * phone_SHA256, MAID_SHA256), each repeated as many times as the slot has columns — `columns[slot]` (default 1), more
 * when a tuple holds more values of it (a person synced before a column was unmapped) — then one row per tuple,
 * lowercase hex, an empty cell where a value is zero, "\n" line ends. Each file, its own header row included, is at
 * most `maxBytes`; files are named `entries-0001.csv`, … `maxEntries` also caps the tuples per file (rows are shorter
 * than multiBytesPerRow when cells are empty, so the byte limit alone may fit more). An empty set writes no file. A
 * tuple with a key in a slot that is not mapped, or with no mapped key at all, is a caller error (INTERNAL): it would
 * be lost silently.
 */
export async function writeMultiUploadFiles(entries: Buffer, dir: string, opts: { slots: MultiSlot[]; layout?: TupleLayout; columns?: Partial<Record<MultiSlot, number>>; maxBytes?: number; maxEntries?: number; prefix?: string }): Promise<UploadFile[]> {
  const maxBytes = opts.maxBytes ?? MAX_UPLOAD_FILE_BYTES;
  const maxEntries = opts.maxEntries ?? Infinity;
  const layout = opts.layout ?? SINGLE_VALUE_LAYOUT;
  const w = layout.width;
  if (!(maxEntries >= 1)) throw new AppError('INVALID_ARGUMENT', `An upload file must hold at least one entry (maxEntries ${maxEntries}).`);
  const mapped = MULTI_SLOTS.filter((slot) => opts.slots.includes(slot));
  if (mapped.length === 0) throw new AppError('INVALID_ARGUMENT', `A multi-key upload needs at least one key slot (${MULTI_SLOTS.join(', ')}).`);
  const total = countHashes(entries, w);
  // Cells per slot: the mapped columns, or more when a tuple holds more values of the slot (the header is per file,
  // so one scan decides it for all of them). A value in a slot that is not mapped is a caller error.
  const cells: Record<MultiSlot, number> = { email: 0, phone: 0, maid: 0 };
  for (const slot of mapped) cells[slot] = Math.min(layout.size[slot], Math.max(1, opts.columns?.[slot] ?? 1));
  const positions = Object.fromEntries(MULTI_SLOTS.map((s) => [s, slotPositions(layout, s)])) as Record<MultiSlot, number[]>;
  for (let i = 0; i < total; i++) {
    const base = i * w;
    let any = false;
    for (const s of MULTI_SLOTS) {
      positions[s].forEach((off, j) => {
        if (isZeroDigest(entries, base + off)) return;
        if (!mapped.includes(s)) throw new AppError('INTERNAL', `Entry ${i} has a ${s} key, but the upload maps only ${opts.slots.join(', ')}.`);
        any = true;
        if (j + 1 > cells[s]) cells[s] = j + 1;
      });
    }
    if (!any) throw new AppError('INTERNAL', `Entry ${i} has none of the mapped keys (${opts.slots.join(', ')}).`);
  }
  const order: number[] = mapped.flatMap((s) => positions[s].slice(0, cells[s]));
  const header = Buffer.from(`${mapped.flatMap((slot) => new Array<string>(cells[slot]).fill(MULTI_HEADER[slot])).join(',')}\n`, 'latin1');
  const rowMax = multiBytesPerRow(order.length);
  if (maxBytes < header.length + rowMax) throw new AppError('INVALID_ARGUMENT', `An upload file of ${maxBytes} bytes cannot hold the header row and one full row (${header.length + rowMax} bytes).`);
  await fs.promises.mkdir(dir, { recursive: true });
  const out = Buffer.allocUnsafe(1 << 20);
  const files: UploadFile[] = [];
  let i = 0;
  for (let n = 1; i < total; n++) {
    const file = path.join(dir, `${opts.prefix ?? 'entries'}-${String(n).padStart(4, '0')}.csv`);
    const md5 = crypto.createHash('md5');
    const handle = await fs.promises.open(file, 'w', 0o600);
    let bytes = 0;
    let count = 0;
    try {
      header.copy(out, 0);
      let o = header.length;
      for (; i < total; i++) {
        const base = i * w;
        let len = order.length; // commas and the line end
        for (const off of order) if (!isZeroDigest(entries, base + off)) len += 64;
        if (bytes + o + len > maxBytes || count >= maxEntries) break;
        if (o + len > out.length) {
          md5.update(out.subarray(0, o));
          await handle.write(out, 0, o);
          bytes += o;
          o = 0;
        }
        for (let c = 0; c < order.length; c++) {
          if (c > 0) out[o++] = 44;
          const off = base + order[c]!;
          if (isZeroDigest(entries, off)) continue;
          for (let b = 0; b < HASH_BYTES; b++) {
            const v = entries[off + b]!;
            out[o++] = HEX.charCodeAt(v >>> 4);
            out[o++] = HEX.charCodeAt(v & 15);
          }
        }
        out[o++] = 10;
        count++;
      }
      md5.update(out.subarray(0, o));
      await handle.write(out, 0, o);
      bytes += o;
    } finally {
      await handle.close();
    }
    files.push({ path: file, md5: md5.digest('hex'), count, bytes });
  }
  return files;
}

/** A private temp folder for upload files (mode 0700 under os.tmpdir()). Remove it with removeUploadDir. */
export async function makeTempUploadDir(root: string = os.tmpdir()): Promise<string> {
  return fs.promises.mkdtemp(path.join(root, 'cohort-relay-upload-'));
}

/** Removes a folder made by makeTempUploadDir, with everything in it. Missing is fine. */
export async function removeUploadDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
}

/** Runs `fn` with a fresh temp upload folder that is removed afterwards, whatever happens. */
export async function withTempUploadDir<T>(fn: (dir: string) => Promise<T>, root?: string): Promise<T> {
  const dir = await makeTempUploadDir(root);
  try {
    return await fn(dir);
  } finally {
    await removeUploadDir(dir);
  }
}

/** The multi-key report's `row_outcome`: what became of the row of a rejected cell. */
export const ROW_OUTCOME = { dropped: 'row dropped: no usable key', kept: 'cell rejected, row kept' } as const;

/**
 * Writes the rejects report: `row,column,reason,masked_value,explanation` (UTF-8, "\n"). Values are
 * masked; the explanation says in plain words what is wrong and what to do. A multi-key report (its rejects say
 * rowKept) adds `row_outcome`: whether the person was still sent with another key, or the row was dropped.
 */
export async function writeRejectsCsv(rejects: readonly RejectRecord[], file: string, records?: { column: string; values: ReadonlyMap<number, string> }): Promise<void> {
  // Every cell is neutralized (csvSafeCell): the column name comes from the user's file and could be a formula.
  // A carried record column (issue #11 item 15) comes last, so the report's first columns stay REJECTS_HEADER.
  const outcome = rejects.some((r) => r.rowKept !== undefined);
  const lines = [[REJECTS_HEADER, ...(outcome ? ['row_outcome'] : []), ...(records ? [csvSafeCell(records.column)] : [])].join(',')];
  for (const r of rejects) {
    const cells = [String(r.row), r.column, r.reason, r.masked, REJECT_REASON_TEXT[r.reason].explanation];
    if (outcome) cells.push(r.rowKept === undefined ? '' : r.rowKept ? ROW_OUTCOME.kept : ROW_OUTCOME.dropped);
    if (records) cells.push(records.values.get(r.row) ?? '');
    lines.push(csvSafeLine(cells));
  }
  // A fresh temp file beside the target (exclusive create), then a rename: a symlink or file already at the
  // target is replaced, never written through.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.promises.writeFile(tmp, `${lines.join('\n')}\n`, { encoding: 'utf8', flag: 'wx', mode: 0o600 });
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new AppError('INVALID_ARGUMENT', `The rejects report cannot be written to ${file} (${code}). Choose a folder you can write to.`, { cause: err });
  }
}
