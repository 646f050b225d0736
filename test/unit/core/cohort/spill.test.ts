import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { diffHashes, readCohort, sortHashes, subtractHashes } from '../../../../electron/core/cohort';
import { diffCounts, partsOfBuffer, sliceFor, type SortedParts } from '../../../../electron/core/cohort/sorted-parts';
import { DigestCollector, SPILL_DIR_PREFIX } from '../../../../electron/core/cohort/spill';
import { AppError, storageErrorShape } from '../../../../shared/errors';
import { partsAt } from '../../../helpers/sorted-parts';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let tmpRoot: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tmpDir('cohort-spill-'));
  tmpRoot = path.join(dir, 'tmp');
  fs.mkdirSync(tmpRoot);
});
afterAll(() => cleanup());

const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
const spillDirs = () => fs.readdirSync(tmpRoot).filter((n) => n.startsWith(SPILL_DIR_PREFIX));

/** A cohort of `n` people, every seventh written twice (in another case), and a few invalid rows. */
function cohort(name: string, n: number): { file: string; want: Buffer; valid: number } {
  const lines = ['email,plan'];
  const values: string[] = [];
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const e = `person${i}@example.com`;
    values.push(e);
    lines.push(`${e},pro`);
    valid++;
    if (i % 7 === 0) {
      lines.push(`PERSON${i}@Example.com ,free`);
      valid++;
    }
    if (i % 500 === 0) lines.push('not-an-email,free');
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { file, want: sortHashes(Buffer.concat(values.map(sha))), valid };
}

async function joined(set: SortedParts): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of set.parts()) parts.push(p);
  return Buffer.concat(parts);
}

describe('a cohort larger than the in-memory limit spills to part files', () => {
  it('gives the same sorted unique set and counts as the in-memory read, and leaves no file behind', async () => {
    const { file, want, valid } = cohort('big.csv', 20_000);
    const inMemory = await readCohort({ path: file, key: 'email', workers: 0, tmpRoot });
    // Spilled from the start (the file's size promises more than 1,000 digests), with and without worker threads.
    for (const workers of [0, 2]) {
      const spilled = await readCohort({ path: file, key: 'email', workers, spillAbove: 1_000, tmpRoot });
      expect(spilled.hashes.equals(want)).toBe(true);
      expect(spilled.valid).toBe(valid);
      expect(spilled.duplicates).toBe(inMemory.duplicates);
      expect(spilled.unique).toBe(20_000);
      expect(spilled.rejected).toBe(inMemory.rejected);
      expect(spilled.rejects).toEqual(inMemory.rejects);
    }
    expect(inMemory.hashes.equals(want)).toBe(true);
    expect(spillDirs()).toEqual([]);
  });

  it('keepParts hands over part files, read one at a time in order; dispose removes them', async () => {
    const { file, want } = cohort('parts.csv', 8_000);
    const res = await readCohort({ path: file, key: 'email', workers: 0, spillAbove: 500, tmpRoot, keepParts: true });
    expect(res.hashes.length).toBe(0);
    const set = res.parts!;
    expect(set.count).toBe(8_000);
    expect(spillDirs()).toHaveLength(1);
    // 64 parts by the first six bits: several, each sorted, all in order.
    let n = 0;
    let prev: Buffer | null = null;
    for await (const p of set.parts()) {
      n++;
      expect(p.equals(sortHashes(p))).toBe(true);
      if (prev) expect(Buffer.compare(prev.subarray(prev.length - 32), p.subarray(0, 32))).toBeLessThan(0);
      prev = p;
    }
    expect(n).toBeGreaterThan(32);
    expect((await joined(set)).equals(want)).toBe(true);
    expect((await set.toBuffer()).equals(want)).toBe(true);
    // The files hold digests only: no identifier of the cohort is in them.
    const folder = path.join(tmpRoot, spillDirs()[0]!);
    for (const f of fs.readdirSync(folder)) expect(fs.readFileSync(path.join(folder, f)).includes('example.com')).toBe(false);
    await set.dispose();
    expect(spillDirs()).toEqual([]);
    await expect(set.toBuffer()).rejects.toThrow(AppError);
  });

  it('switches to part files mid-read when the file holds more digests than its size promised', async () => {
    const collector = new DigestCollector(10, { spillAbove: 100, tmpRoot });
    const all = Buffer.concat(Array.from({ length: 1_000 }, (_, i) => sha(`v${i % 700}`)));
    for (let off = 0; off < all.length; off += 32 * 90) {
      const piece = all.subarray(off, Math.min(all.length, off + 32 * 90));
      collector.append(piece, piece.length / 32);
    }
    expect(spillDirs()).toHaveLength(1);
    const { set, duplicates } = await collector.finish();
    expect(duplicates).toBe(300);
    expect((await set.toBuffer()).equals(sortHashes(all))).toBe(true);
    await set.dispose();
    expect(spillDirs()).toEqual([]);
  });

  it('a file changed while it was read is read again, and the first read leaves no part files (only the result keeps its own)', async () => {
    const { file } = cohort('changing.csv', 30_000);
    let changed = false;
    const res = await readCohort({
      path: file,
      key: 'email',
      workers: 0,
      spillAbove: 1_000,
      tmpRoot,
      keepParts: true,
      verify: {
        quietMs: 20,
        maxWaitMs: 5_000,
        afterRead: () => {
          if (changed) return;
          changed = true;
          fs.appendFileSync(file, 'late@example.com,pro\n');
        },
      },
    });
    expect(res.parts!.count).toBe(30_001);
    expect(spillDirs()).toHaveLength(1);
    await res.parts!.dispose();
    expect(spillDirs()).toEqual([]);
  });

  it('a full disk under the part files is reported with the folder it happened in, and nothing is left', async () => {
    const { file } = cohort('full.csv', 30_000);
    const write = vi.spyOn(fs, 'write').mockImplementation(((...args: unknown[]) => {
      const cb = args[args.length - 1] as (err: NodeJS.ErrnoException | null, n?: number) => void;
      const err: NodeJS.ErrnoException = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      setImmediate(() => cb(err));
    }) as unknown as typeof fs.write);
    try {
      const err = await readCohort({ path: file, key: 'email', workers: 0, spillAbove: 1_000, tmpRoot }).then(() => null, (e: unknown) => e);
      const shape = storageErrorShape(err);
      expect(shape?.code).toBe('DISK_FULL');
      expect(shape?.message).toContain(path.join(tmpRoot, SPILL_DIR_PREFIX));
    } finally {
      write.mockRestore();
    }
    expect(spillDirs()).toEqual([]);
  });

  it('a cancelled read removes its part files', async () => {
    const { file } = cohort('cancel.csv', 30_000);
    const ctrl = new AbortController();
    const p = readCohort({ path: file, key: 'email', workers: 0, spillAbove: 1_000, tmpRoot, signal: ctrl.signal, onProgress: () => ctrl.abort() });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(spillDirs()).toEqual([]);
  });

  it('an every-row-invalid file refused after spilling leaves nothing behind', async () => {
    const file = path.join(dir, 'invalid.csv');
    fs.writeFileSync(file, 'email\n' + 'nope\n'.repeat(5_000));
    await expect(readCohort({ path: file, key: 'email', workers: 0, spillAbove: 10, tmpRoot })).rejects.toMatchObject({ code: 'CSV_INVALID' });
    expect(spillDirs()).toEqual([]);
  });

  it('a folder left by a process that is gone is removed by the next spill', async () => {
    const stale = path.join(tmpRoot, `${SPILL_DIR_PREFIX}999999-abc`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'part-00.bin'), Buffer.alloc(64));
    const { file } = cohort('after-crash.csv', 3_000);
    const res = await readCohort({ path: file, key: 'email', workers: 0, spillAbove: 100, tmpRoot });
    expect(res.unique).toBe(3_000);
    expect(fs.existsSync(stale)).toBe(false);
  });
});

/** A sorted unique set of `n` random digests drawn from a pool of `of` values (so two sets overlap). */
const setArb = (of: number) => fc.uniqueArray(fc.integer({ min: 0, max: of - 1 }), { maxLength: 400 }).map((ids) => sortHashes(Buffer.concat(ids.map((i) => sha(`p${i}`)))));

/** Cuts a sorted set into chunks of the given sizes (entries), as a snapshot's stored chunks. */
function chunksOf(set: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < set.length; off += size * 32) out.push(set.subarray(off, Math.min(set.length, off + size * 32)));
  return out;
}

describe('diffCounts streams a stored snapshot against a set in parts', () => {
  it('counts exactly what diffHashes finds, for any chunking of either side', async () => {
    await fc.assert(
      fc.asyncProperty(setArb(600), setArb(600), fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }), async (prev, next, chunk, cuts) => {
        const want = diffHashes(prev, next);
        const seen: Buffer[] = [];
        const got = await diffCounts(chunksOf(prev, chunk), partsAt(next, cuts), 32, (p) => seen.push(p));
        expect(got).toEqual({ adds: want.adds.length / 32, removes: want.removes.length / 32 });
        expect(Buffer.concat(seen).equals(next)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a snapshot whose chunks are out of order', async () => {
    const set = sortHashes(Buffer.concat([sha('a'), sha('b'), sha('c')]));
    await expect(diffCounts([set.subarray(32), set.subarray(0, 32)], partsOfBuffer(set), 32)).rejects.toThrow(/not sorted/);
  });

  it('sliceFor gives the entries of a set within a part’s range (a suppression list cut to one part)', () => {
    fc.assert(
      fc.property(setArb(300), setArb(300), (set, part) => {
        const slice = Buffer.from(sliceFor(set, part, 32));
        expect(subtractHashes(part, slice).equals(subtractHashes(part, set))).toBe(true);
        expect(slice.length).toBeLessThanOrEqual(set.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('upload files written from a set in parts', () => {
  it('are byte for byte the files written from the joined buffer, whatever the part boundaries', async () => {
    const { writeUploadFiles } = await import('../../../../electron/core/cohort/upload-files');
    const set = sortHashes(Buffer.concat(Array.from({ length: 50 }, (_, i) => sha(`u${i}`))));
    const maxBytes = 7 * 65;
    const want = await writeUploadFiles(set, path.join(dir, 'up-buffer'), { maxBytes });
    const got = await writeUploadFiles(partsAt(set, [3, 7, 8, 30]), path.join(dir, 'up-parts'), { maxBytes });
    expect(got.map((f) => [f.count, f.md5, f.bytes])).toEqual(want.map((f) => [f.count, f.md5, f.bytes]));
    expect(got).toHaveLength(8);
    for (let i = 0; i < got.length; i++) expect(fs.readFileSync(got[i]!.path).equals(fs.readFileSync(want[i]!.path))).toBe(true);
  });
});
