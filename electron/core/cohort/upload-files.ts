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
import { countHashes, HASH_BYTES } from './hash-set';
import type { RejectRecord } from './read-cohort';

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
 * Writes `hashes` (32-byte digests, in the given order) as upload files in `dir`, each at most
 * `maxBytes`, named `hashes-0001.csv`, `hashes-0002.csv`, … An empty set writes no file.
 */
export async function writeUploadFiles(hashes: Uint8Array, dir: string, opts: { maxBytes?: number; prefix?: string } = {}): Promise<UploadFile[]> {
  const maxBytes = opts.maxBytes ?? MAX_UPLOAD_FILE_BYTES;
  const perFile = Math.floor(maxBytes / BYTES_PER_HASH_LINE);
  if (perFile < 1) throw new AppError('INVALID_ARGUMENT', `An upload file of ${maxBytes} bytes cannot hold one hash line (${BYTES_PER_HASH_LINE} bytes).`);
  const total = countHashes(hashes);
  await fs.promises.mkdir(dir, { recursive: true });
  // Hex is encoded by table into one reused buffer (1 MiB of lines at a time), not via strings.
  const linesPerWrite = Math.min(perFile, 16_131);
  const out = Buffer.allocUnsafe(linesPerWrite * BYTES_PER_HASH_LINE);
  const files: UploadFile[] = [];
  for (let first = 0, n = 1; first < total; first += perFile, n++) {
    const count = Math.min(perFile, total - first);
    const file = path.join(dir, `${opts.prefix ?? 'hashes'}-${String(n).padStart(4, '0')}.csv`);
    const md5 = crypto.createHash('md5');
    const handle = await fs.promises.open(file, 'w', 0o600);
    try {
      for (let i = first; i < first + count; ) {
        const lines = Math.min(linesPerWrite, first + count - i);
        let o = 0;
        for (let k = 0; k < lines; k++, i++) {
          const base = i * HASH_BYTES;
          for (let b = 0; b < HASH_BYTES; b++) {
            const v = hashes[base + b]!;
            out[o++] = HEX.charCodeAt(v >>> 4);
            out[o++] = HEX.charCodeAt(v & 15);
          }
          out[o++] = 10;
        }
        const chunk = out.subarray(0, o);
        md5.update(chunk);
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    files.push({ path: file, md5: md5.digest('hex'), count, bytes: count * BYTES_PER_HASH_LINE });
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

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes the rejects report: `row,column,reason,masked_value,explanation` (UTF-8, "\n"). Values are
 * masked; the explanation says in plain words what is wrong and what to do.
 */
export async function writeRejectsCsv(rejects: readonly RejectRecord[], file: string): Promise<void> {
  const lines = ['row,column,reason,masked_value,explanation'];
  for (const r of rejects) lines.push([String(r.row), csvCell(r.column), r.reason, csvCell(r.masked), csvCell(REJECT_REASON_TEXT[r.reason].explanation)].join(','));
  try {
    await fs.promises.writeFile(file, `${lines.join('\n')}\n`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new AppError('INVALID_ARGUMENT', `The rejects report cannot be written to ${file} (${code}). Choose a folder you can write to.`, { cause: err });
  }
}
