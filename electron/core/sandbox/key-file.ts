/**
 * The binary file of one key list of the sandbox's saved state (an audience's membership, an uploaded file's rows):
 * a hash takes its 32 (SHA-256) or 16 (MD5) bytes instead of 64 or 32 hex characters plus JSON quotes, and the file
 * is written and read through a small buffer, so saving never builds one string of every key (V8 caps a string at
 * about 512 M characters: some 8 M hashes as JSON).
 *
 * Layout, little-endian: "CRK1", u32 key count, then runs until the end of the file. A run: u8 kind, u32 count,
 * u16 prefix length, the prefix (UTF-8), then its `count` keys:
 * - kind 1: each key is the prefix + 64 lowercase hex digits, stored as 32 bytes;
 * - kind 2: each key is the prefix + 32 lowercase hex digits, stored as 16 bytes;
 * - kind 3: (no prefix) each key is u32 byte length + UTF-8 bytes (MULTIPLE_TYPES rows, anything else).
 * Consecutive keys of the same kind and prefix share a run ("EMAIL_SHA256:" of partner keys is stored once a run).
 * Keys come back exactly as written, in the order written.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

const MAGIC = Buffer.from('CRK1', 'latin1');
const KIND_SHA256 = 1;
const KIND_MD5 = 2;
const KIND_TEXT = 3;
/** A run header: kind, count, prefix length. */
const RUN_HEADER = 1 + 4 + 2;
/** Longer prefixes are stored as text: a key of several hashes (a MULTIPLE_TYPES row) would get a run each. */
const MAX_PREFIX = 32;
const BUFFER_BYTES = 1 << 20;
const SHA256_TAIL = /^[0-9a-f]{64}$/;
const MD5_TAIL = /^[0-9a-f]{32}$/;

/** How one key is stored: the kind of its run and the prefix before its hex digits (a hash tail must be lowercase to come back the same). */
function classify(key: string): { kind: number; prefix: string } {
  if (key.length >= 64 && key.length - 64 <= MAX_PREFIX && SHA256_TAIL.test(key.length === 64 ? key : key.slice(-64))) return { kind: KIND_SHA256, prefix: key.slice(0, -64) };
  if (key.length >= 32 && key.length - 32 <= MAX_PREFIX && MD5_TAIL.test(key.length === 32 ? key : key.slice(-32))) return { kind: KIND_MD5, prefix: key.slice(0, -32) };
  return { kind: KIND_TEXT, prefix: '' };
}

/**
 * Writes `keys` (`count` of them) to `file`, created with mode 0600 (it must not exist: the caller writes a temp
 * file and renames it). The data reaches the disk (fsync) before this returns.
 */
export function writeKeyFile(file: string, keys: Iterable<string>, count: number): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    let buf = Buffer.allocUnsafe(BUFFER_BYTES);
    let pos = 0;
    let runKind = 0;
    let runPrefix = '';
    /** Where the open run's header is in `buf` (-1: none); its count is written when it closes. */
    let runAt = -1;
    let runCount = 0;
    const closeRun = (): void => {
      if (runAt >= 0) buf.writeUInt32LE(runCount, runAt + 1);
      runAt = -1;
    };
    // A run never spans two writes of the buffer: its count is patched in the buffer before it goes out.
    const drain = (): void => {
      closeRun();
      let off = 0;
      while (off < pos) off += writeSync(fd, buf, off, pos - off);
      pos = 0;
    };
    MAGIC.copy(buf, 0);
    buf.writeUInt32LE(count, 4);
    pos = 8;
    let written = 0;
    for (const key of keys) {
      const { kind, prefix } = classify(key);
      const size = kind === KIND_SHA256 ? 32 : kind === KIND_MD5 ? 16 : 4 + Buffer.byteLength(key, 'utf8');
      if (pos + size > buf.length) drain();
      if (runAt < 0 || kind !== runKind || prefix !== runPrefix) {
        closeRun();
        const prefixBytes = Buffer.byteLength(prefix, 'utf8');
        if (pos + RUN_HEADER + prefixBytes + size > buf.length) drain();
        if (RUN_HEADER + prefixBytes + size > buf.length) buf = Buffer.allocUnsafe(RUN_HEADER + prefixBytes + size);
        runAt = pos;
        runCount = 0;
        runKind = kind;
        runPrefix = prefix;
        buf.writeUInt8(kind, pos);
        buf.writeUInt16LE(prefixBytes, pos + 5);
        buf.write(prefix, pos + RUN_HEADER, 'utf8');
        pos += RUN_HEADER + prefixBytes;
      }
      if (kind === KIND_TEXT) {
        const n = buf.write(key, pos + 4, 'utf8');
        buf.writeUInt32LE(n, pos);
        pos += 4 + n;
      } else {
        pos += buf.write(prefix.length === 0 ? key : key.slice(prefix.length), pos, 'hex');
      }
      runCount++;
      written++;
    }
    if (written !== count) throw new Error(`sandbox state: ${written} keys listed where ${count} were announced`);
    drain();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a file written by `writeKeyFile`, calling `onKey` with each key in order; returns how many. Throws when
 * the file is not one, is cut short, or holds more or fewer keys than its header says.
 */
export function readKeyFile(file: string, onKey: (key: string) => void): number {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(BUFFER_BYTES);
    let start = 0;
    let end = 0;
    let eof = false;
    /** Makes `n` bytes available at `start`; false at the end of the file with none left. */
    const have = (n: number): boolean => {
      while (end - start < n) {
        if (eof) {
          if (end === start) return false;
          throw new Error(`${file} is cut short`);
        }
        if (start > 0) {
          buf.copy(buf, 0, start, end);
          end -= start;
          start = 0;
        }
        if (n > buf.length) {
          const bigger = Buffer.allocUnsafe(n);
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
        }
        const got = readSync(fd, buf, end, buf.length - end, null);
        if (got === 0) eof = true;
        end += got;
      }
      return true;
    };
    const need = (n: number): void => {
      if (!have(n)) throw new Error(`${file} is cut short`);
    };
    if (!have(8) || !buf.subarray(start, start + 4).equals(MAGIC)) throw new Error(`${file} is not a sandbox key file`);
    const announced = buf.readUInt32LE(start + 4);
    start += 8;
    let count = 0;
    while (have(RUN_HEADER)) {
      const kind = buf.readUInt8(start);
      const runCount = buf.readUInt32LE(start + 1);
      const prefixBytes = buf.readUInt16LE(start + 5);
      start += RUN_HEADER;
      need(prefixBytes);
      const prefix = buf.toString('utf8', start, start + prefixBytes);
      start += prefixBytes;
      if (kind === KIND_SHA256 || kind === KIND_MD5) {
        const width = kind === KIND_SHA256 ? 32 : 16;
        for (let i = 0; i < runCount; i++) {
          need(width);
          const hex = buf.toString('hex', start, start + width);
          onKey(prefix.length === 0 ? hex : prefix + hex);
          start += width;
        }
      } else if (kind === KIND_TEXT) {
        for (let i = 0; i < runCount; i++) {
          need(4);
          const n = buf.readUInt32LE(start);
          start += 4;
          need(n);
          onKey(buf.toString('utf8', start, start + n));
          start += n;
        }
      } else {
        throw new Error(`${file} holds a run of unknown kind ${kind}: it was not written by this version`);
      }
      count += runCount;
    }
    if (count !== announced) throw new Error(`${file} holds ${count} keys where its header says ${announced}`);
    return count;
  } finally {
    closeSync(fd);
  }
}
