/**
 * A cohort file read so that the read is verified, not assumed. An exporter may still be writing the
 * file, or rewrite it in place, while we read it; a short read must never pass for the end of the file,
 * because the people missing from it would be removed from the audience.
 *
 * - CsvFile.open takes the file's identity (device, inode), size, and modification and change times,
 *   and refuses what is not a regular file (a named pipe would block the read forever: it is opened
 *   non-blocking, so even that check cannot hang).
 * - CsvFile.read reads exactly the bytes asked for, up to the size seen at open; a read that comes
 *   back short is a FileChangedError, never an end of file.
 * - CsvFile.verify, after the last block: the bytes read equal the size, and the open file and the
 *   path both still show the identity, size and times seen at open.
 * - readVerified runs a whole read (sample, parse, hash) and on any change waits for the file to stay
 *   unchanged for a while, then reads it again; a file that keeps changing is refused in plain words.
 *
 * None of this adds a pass over the file: two stats at the end and a byte counter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../shared/errors';

/** What must not change while a file is read. */
export interface FileFingerprint {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

function fingerprintOf(st: fs.BigIntStats): FileFingerprint {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function sameFingerprint(a: FileFingerprint | null, b: FileFingerprint | null): boolean {
  if (!a || !b) return a === b;
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** The path's fingerprint now, or null when nothing (or something unreadable) is there. */
async function fingerprintAt(file: string): Promise<FileFingerprint | null> {
  try {
    return fingerprintOf(await fs.promises.stat(file, { bigint: true }));
  } catch {
    return null;
  }
}

/** The file changed while it was read. readVerified turns it into a new read or an AppError. */
export class FileChangedError extends Error {
  constructor(readonly what: string) {
    super(what);
    this.name = 'FileChangedError';
  }
}

/** Test seam: runs after each read from disk, before the bytes are used. */
export type AfterRead = (position: number, bytes: number) => void | Promise<void>;

/** A regular file opened for a verified read. */
export class CsvFile {
  private counted = 0;
  private readFrom = -1;

  private constructor(
    readonly path: string,
    private readonly handle: fs.promises.FileHandle,
    private readonly opened: FileFingerprint,
    private readonly afterRead: AfterRead | undefined,
  ) {}

  /** Size in bytes when the file was opened: a read never goes past it. */
  get size(): number {
    return Number(this.opened.size);
  }

  /**
   * Opens `file` for reading. Throws AppError FILE_NOT_FOUND (missing, unreadable) or INVALID_ARGUMENT
   * (a relative path; a folder, a named pipe, a device: anything but a regular file), with the fix.
   */
  static async open(file: string, afterRead?: AfterRead): Promise<CsvFile> {
    if (!path.isAbsolute(file)) {
      // Relative to the folder this process started in, which a long-lived host (daemon, app) does not choose.
      throw new AppError('INVALID_ARGUMENT', `"${file}" is a relative path, so which file it names depends on the folder Cohort Relay was started in. Give the file's full path, or pick the file again.`);
    }
    let handle: fs.promises.FileHandle;
    try {
      // Non-blocking: opening a named pipe with no writer would otherwise wait forever (and SIGINT with it).
      handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (err) {
      throw fileError(file, err);
    }
    try {
      const st = await handle.stat({ bigint: true });
      if (!st.isFile()) throw notAFile(file, st);
      return new CsvFile(file, handle, fingerprintOf(st), afterRead);
    } catch (err) {
      await handle.close();
      throw err instanceof AppError ? err : fileError(file, err);
    }
  }

  /**
   * Reads bytes [position, position + length) into buf at offset, clipped to the size seen at open,
   * and returns how many that is. Counted toward verify(). A read that ends early is a FileChangedError.
   */
  async read(buf: Buffer, offset: number, length: number, position: number): Promise<number> {
    const want = Math.max(0, Math.min(length, this.size - position));
    if (this.readFrom < 0) this.readFrom = position;
    const got = await this.readExactly(buf, offset, want, position);
    this.counted += got;
    await this.afterRead?.(position, got);
    return got;
  }

  /**
   * Reads bytes [position, position + length) into buf at offset again, clipped to the size seen at open: not counted
   * toward verify() (a second look at bytes read already, e.g. scan.ts's cut-off check).
   */
  async peek(buf: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.readExactly(buf, offset, Math.max(0, Math.min(length, this.size - position)), position);
  }

  /** The first `bytes` bytes (clipped to the size), for sniffing: not counted toward verify(). */
  async readStart(bytes: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(bytes, this.size));
    const buf = Buffer.allocUnsafe(want);
    await this.readExactly(buf, 0, want, 0);
    return buf;
  }

  private async readExactly(buf: Buffer, offset: number, want: number, position: number): Promise<number> {
    let got = 0;
    while (got < want) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.handle.read(buf, offset + got, want - got, position + got));
      } catch (err) {
        throw fileError(this.path, err);
      }
      if (n === 0) throw new FileChangedError(`it became shorter while it was read (${position + got} of ${this.size} bytes)`);
      got += n;
    }
    return got;
  }

  /**
   * After the last read: every byte from the first read position to the size was read, and neither
   * the open file nor the path changed since open. Throws FileChangedError otherwise.
   */
  async verify(): Promise<void> {
    const expected = this.readFrom < 0 ? 0 : this.size - this.readFrom;
    if (this.counted !== expected) throw new FileChangedError(`${this.counted} of ${expected} bytes were read`);
    const now = fingerprintOf(await this.handle.stat({ bigint: true }));
    if (!sameFingerprint(now, this.opened)) throw new FileChangedError(now.size === this.opened.size ? 'it was written to while it was read' : `its size went from ${this.opened.size} to ${now.size} bytes while it was read`);
    if (!sameFingerprint(await fingerprintAt(this.path), this.opened)) throw new FileChangedError('another file took its place while it was read');
  }

  /** Whether the file (or what its path names) differs from what was opened. */
  async changed(): Promise<boolean> {
    const now = fingerprintOf(await this.handle.stat({ bigint: true }));
    return !sameFingerprint(now, this.opened) || !sameFingerprint(await fingerprintAt(this.path), this.opened);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** How readVerified waits for a changing file. */
export interface VerifyOptions {
  /** The file must stay unchanged this long before it is read again (default 2 s). */
  quietMs?: number;
  /** Reads of a changing file before giving up (default 3). */
  attempts?: number;
  /** The longest wait for the file to settle, each time (default 60 s). */
  maxWaitMs?: number;
  /** Test seam: runs after each read from disk. */
  afterRead?: AfterRead;
}

const DEFAULT_QUIET_MS = 2000;
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_MAX_WAIT_MS = 60_000;

/**
 * Runs `attempt` on the opened file and verifies the read (attempt may verify earlier itself, before
 * costly work). When the file changed during an attempt (also when the attempt failed on what it
 * read, e.g. a row cut in half), waits until the file has been quiet for `quietMs` and tries again.
 * Throws AppError CSV_INVALID (retryable) when the file keeps changing, CANCELLED on `signal`.
 */
export async function readVerified<T>(file: string, opts: VerifyOptions & { signal?: AbortSignal }, attempt: (src: CsvFile) => Promise<T>): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS);
  for (let n = 1; ; n++) {
    const src = await CsvFile.open(file, opts.afterRead);
    let what: string;
    try {
      const out = await attempt(src);
      await src.verify();
      return out;
    } catch (err) {
      if (err instanceof FileChangedError) what = err.what;
      else if (err instanceof AppError && err.code !== 'CANCELLED' && (await src.changed().catch(() => true))) what = 'it was written to while it was read';
      else throw err;
    } finally {
      await src.close();
    }
    if (n >= attempts) throw keptChanging(file, what, n === 1 ? '' : `, ${n} times in a row`);
    const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    await waitForQuiet(file, opts.quietMs ?? DEFAULT_QUIET_MS, maxWaitMs, opts.signal, () => keptChanging(file, what, ` and did not settle within ${seconds(maxWaitMs)}`));
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function keptChanging(file: string, what: string, detail: string): AppError {
  return new AppError('CSV_INVALID', `${path.basename(file)} changed while it was being read (${what})${detail}: it is probably still being written. Nothing from it was used or sent. Wait until the export has finished, then sync again.`, { retryable: true });
}

/** Resolves once the file's fingerprint has not changed for `quietMs`; throws `tooLong()` after `maxWaitMs`. */
async function waitForQuiet(file: string, quietMs: number, maxWaitMs: number, signal: AbortSignal | undefined, tooLong: () => AppError): Promise<void> {
  const start = Date.now();
  const step = Math.max(1, Math.min(250, Math.ceil(quietMs / 4)));
  let last = await fingerprintAt(file);
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() - start > maxWaitMs) throw tooLong();
    try {
      await sleep(step, undefined, { signal });
    } catch {
      throw new AppError('CANCELLED', 'Reading the cohort file was cancelled.');
    }
    const now = await fingerprintAt(file);
    if (!sameFingerprint(now, last)) {
      last = now;
      since = Date.now();
    }
  }
}

/** OS errors of opening or reading, in words with the fix. */
export function fileError(file: string, err: unknown): AppError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new AppError('FILE_NOT_FOUND', `No file at ${file}. Check the path, or pick the file again.`, { cause: err });
  if (code === 'EISDIR') return new AppError('INVALID_ARGUMENT', `${file} is a folder, not a CSV file. Pick the cohort file inside it.`, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') return new AppError('FILE_NOT_FOUND', `${file} cannot be read (permission denied). Give your user read access to it, or copy it somewhere readable.`, { cause: err });
  return new AppError('FILE_NOT_FOUND', `${file} cannot be read (${code ?? 'unknown error'}). Check the path and try again.`, { cause: err });
}

function notAFile(file: string, st: fs.BigIntStats): AppError {
  if (st.isDirectory()) return new AppError('INVALID_ARGUMENT', `${file} is a folder, not a CSV file. Pick the cohort file inside it.`);
  const kind = st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : 'a device';
  return new AppError('INVALID_ARGUMENT', `${file} is ${kind}, not a file. Cohort Relay reads a saved file, so it can check that the whole file was read: export the cohort to a file and pick that file.`);
}
