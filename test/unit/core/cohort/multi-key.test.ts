import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDiff,
  countHashes,
  diffHashes,
  diffHashesChunked,
  hashSetsEqual,
  hasHash,
  MULTI_ENTRY_BYTES,
  MULTI_SLOTS,
  multiBytesPerRow,
  slotHashes,
  slotOfKey,
  sortHashes,
  sortUniqueInPlace,
  subtractHashes,
  suppressEntries,
  unionHashes,
  writeMultiUploadFiles,
} from '../../../../electron/core/cohort';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

const W = MULTI_ENTRY_BYTES;
const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
const ZERO = Buffer.alloc(32);

/** Tuples from a small pool (so sets overlap and repeat); some slots empty, some sharing the email digest. */
const tupleArb = fc.record({ e: fc.integer({ min: -1, max: 12 }), p: fc.integer({ min: -1, max: 12 }), m: fc.integer({ min: -1, max: 6 }) }).map(({ e, p, m }) =>
  Buffer.concat([e < 0 ? ZERO : sha(`e${e}`), p < 0 ? ZERO : sha(`p${p}`), m < 0 ? ZERO : sha(`m${m}`)]),
);
const tuples = fc.array(tupleArb, { maxLength: 120 }).map((list) => Buffer.concat(list));

const hexList = (buf: Uint8Array, width = W) => {
  const out: string[] = [];
  for (let i = 0; i < buf.length; i += width) out.push(Buffer.from(buf.subarray(i, i + width)).toString('hex'));
  return out;
};
/** Reference: hex strings, sorted and de-duplicated the obvious way. */
const ref = (buf: Uint8Array, width = W) => [...new Set(hexList(buf, width))].sort();

describe('hash-set operations on 96-byte entries', () => {
  it('sortHashes sorts byte-wise over all 96 bytes and removes duplicates, whatever the input order', () => {
    fc.assert(
      fc.property(tuples, fc.integer(), (x, seed) => {
        const sorted = sortHashes(x, W);
        expect(hexList(sorted)).toEqual(ref(x));
        // Order independence: a shuffled copy sorts to the same bytes.
        const list = hexList(x);
        const rnd = fc.sample(fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }), { seed, numRuns: 1 })[0]!;
        expect(sortHashes(Buffer.from(rnd.join(''), 'hex'), W).equals(sorted)).toBe(true);
      }),
    );
  });

  it('sorts large sets with empty slots, shared prefixes and duplicates', () => {
    const base = crypto.randomBytes(W * 20_000);
    for (let i = 0; i < 20_000; i += 3) base.fill(0, i * W, i * W + 32);
    for (let i = 1; i < 20_000; i += 5) base.fill(9, i * W, i * W + 60);
    const withDups = Buffer.concat([base, base.subarray(0, W * 4000)]);
    expect(hexList(sortHashes(withDups, W))).toEqual(ref(withDups));
  });

  it('diff, subtract and union agree with set arithmetic; applying diff(a, b) to a gives b', () => {
    fc.assert(
      fc.property(tuples, tuples, (x, y) => {
        const a = sortHashes(x, W);
        const b = sortHashes(y, W);
        const A = new Set(hexList(a));
        const B = new Set(hexList(b));
        const { adds, removes } = diffHashes(a, b, W);
        expect(hexList(adds)).toEqual([...B].filter((h) => !A.has(h)).sort());
        expect(hexList(removes)).toEqual([...A].filter((h) => !B.has(h)).sort());
        expect(subtractHashes(a, b, W).equals(removes)).toBe(true);
        expect(hexList(unionHashes(a, b, W))).toEqual([...new Set([...A, ...B])].sort());
        expect(hashSetsEqual(applyDiff(a, { adds, removes }, W), b, W)).toBe(true);
        // Each side of the diff, and the diff of equal sets, comes out empty where it should.
        expect(diffHashes(b, b, W).adds.length + diffHashes(b, b, W).removes.length).toBe(0);
      }),
    );
  });

  it('diffHashesChunked over any split of the old set equals diffHashes', () => {
    fc.assert(
      fc.property(tuples, tuples, fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }), (x, y, cuts) => {
        const a = sortHashes(x, W);
        const b = sortHashes(y, W);
        const count = a.length / W;
        const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, count)), count])].sort((p, q) => p - q);
        const chunks = bounds.slice(1).map((end, i) => a.subarray(bounds[i]! * W, end * W));
        const streamed = diffHashesChunked(chunks, b, W);
        const whole = diffHashes(a, b, W);
        expect(streamed.adds.equals(whole.adds)).toBe(true);
        expect(streamed.removes.equals(whole.removes)).toBe(true);
      }),
    );
    const a = sortHashes(Buffer.concat([sha('a'), sha('b'), sha('c'), sha('d'), sha('e'), sha('f')]), W);
    expect(() => diffHashesChunked([a.subarray(W), a.subarray(0, W)], a, W)).toThrow(AppError);
  });

  it('hasHash finds 96-byte members, from bytes or hex, and sortUniqueInPlace matches sortHashes', () => {
    fc.assert(
      fc.property(tuples, tupleArb, (x, probe) => {
        const s = sortHashes(x, W);
        expect(hasHash(s, probe, W)).toBe(ref(x).includes(probe.toString('hex')));
        expect(hasHash(s, probe.toString('hex'), W)).toBe(hasHash(s, probe, W));
        const copy = Buffer.from(x);
        const unique = sortUniqueInPlace(copy, x.length / W, W);
        expect(copy.subarray(0, unique * W).equals(s)).toBe(true);
      }),
    );
    expect(() => hasHash(Buffer.alloc(W), Buffer.alloc(32), W)).toThrow(AppError);
  });

  it('countHashes counts by width and refuses a partial entry or an odd width', () => {
    expect(countHashes(Buffer.alloc(2 * W), W)).toBe(2);
    expect(countHashes(Buffer.alloc(2 * W))).toBe(6);
    expect(() => countHashes(Buffer.alloc(W + 32), W)).toThrow(AppError);
    expect(() => countHashes(Buffer.alloc(30), 30)).toThrow(AppError);
    expect(() => hashSetsEqual(Buffer.alloc(64), Buffer.alloc(64), W)).toThrow(AppError);
  });
});

describe('multi-key slots', () => {
  it('puts IDFA and GAID in the MAID slot', () => {
    expect(MULTI_SLOTS).toEqual(['email', 'phone', 'maid']);
    expect([slotOfKey('email'), slotOfKey('phone'), slotOfKey('idfa'), slotOfKey('gaid')]).toEqual(['email', 'phone', 'maid', 'maid']);
  });

  it('suppressEntries drops the tuples whose slot digest is suppressed and keeps sorted order', () => {
    fc.assert(
      fc.property(tuples, fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 8 }), fc.constantFrom(...MULTI_SLOTS), (x, picks, slot) => {
        const entries = sortHashes(x, W);
        const prefix = slot === 'email' ? 'e' : slot === 'phone' ? 'p' : 'm';
        const suppressed = new Set(picks.map((i) => sha(`${prefix}${i}`).toString('hex')));
        const suppression = sortHashes(Buffer.from([...suppressed].join(''), 'hex'));
        const off = MULTI_SLOTS.indexOf(slot) * 64;
        const want = hexList(entries).filter((h) => !suppressed.has(h.slice(off, off + 64)));
        expect(hexList(suppressEntries(entries, suppression, slot))).toEqual(want);
      }),
    );
  });

  it('slotHashes gives the sorted unique non-zero digests of one slot', () => {
    const entries = sortHashes(Buffer.concat([Buffer.concat([sha('x'), ZERO, sha('m')]), Buffer.concat([sha('x'), sha('p'), ZERO]), Buffer.concat([ZERO, sha('p'), sha('m2')])]), W);
    expect(hexList(slotHashes(entries, 'email'), 32)).toEqual([sha('x').toString('hex')]);
    expect(hexList(slotHashes(entries, 'phone'), 32)).toEqual([sha('p').toString('hex')]);
    expect(hexList(slotHashes(entries, 'maid'), 32)).toEqual([sha('m').toString('hex'), sha('m2').toString('hex')].sort());
  });
});

describe('writeMultiUploadFiles', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-multi-upload-')));
  afterAll(() => cleanup());

  const entries = sortHashes(
    Buffer.concat([
      Buffer.concat([sha('e1'), sha('p1'), sha('m1')]),
      Buffer.concat([sha('e2'), ZERO, ZERO]),
      Buffer.concat([ZERO, sha('p3'), ZERO]),
      Buffer.concat([ZERO, ZERO, sha('m4')]),
      Buffer.concat([sha('e5'), ZERO, sha('m5')]),
    ]),
    W,
  );

  it('writes the header of the mapped slots, lowercase hex, empty cells and equal field counts', async () => {
    const files = await writeMultiUploadFiles(entries, path.join(dir, 'all'), { slots: ['maid', 'email', 'phone'] });
    expect(files).toHaveLength(1);
    const text = fs.readFileSync(files[0]!.path, 'latin1');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('\r');
    const lines = text.slice(0, -1).split('\n');
    expect(lines[0]).toBe('email_SHA256,phone_SHA256,MAID_SHA256');
    const rows = lines.slice(1);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      const cells = row.split(',');
      expect(cells).toHaveLength(3);
      for (const c of cells) expect(c).toMatch(/^(|[0-9a-f]{64})$/);
    }
    // Rows in entry order, each cell the slot's digest or empty where it is zero.
    const want = hexList(entries).map((h) => [0, 1, 2].map((s) => (h.slice(s * 64, s * 64 + 64) === '0'.repeat(64) ? '' : h.slice(s * 64, s * 64 + 64))).join(','));
    expect(rows).toEqual(want);
    expect(files[0]!.count).toBe(5);
    expect(files[0]!.bytes).toBe(Buffer.byteLength(text));
    expect(files[0]!.md5).toBe(crypto.createHash('md5').update(fs.readFileSync(files[0]!.path)).digest('hex'));
  });

  it('names only the mapped slots in MULTI_SLOTS order', async () => {
    const two = sortHashes(Buffer.concat([Buffer.concat([sha('e'), ZERO, sha('m')]), Buffer.concat([ZERO, ZERO, sha('m2')])]), W);
    const [f] = await writeMultiUploadFiles(two, path.join(dir, 'two'), { slots: ['maid', 'email'] });
    const lines = fs.readFileSync(f!.path, 'latin1').split('\n');
    expect(lines[0]).toBe('email_SHA256,MAID_SHA256');
    expect(lines.slice(1, -1).every((l) => l.split(',').length === 2)).toBe(true);
    expect(lines).toContain(`,${sha('m2').toString('hex')}`);
  });

  it('splits at maxBytes with the header repeated in every file, each file within the limit', async () => {
    const header = 'email_SHA256,phone_SHA256,MAID_SHA256\n'.length;
    const maxBytes = header + multiBytesPerRow(3) + 70;
    const files = await writeMultiUploadFiles(entries, path.join(dir, 'split'), { slots: ['email', 'phone', 'maid'], maxBytes });
    expect(files.length).toBeGreaterThan(1);
    let rows: string[] = [];
    for (const f of files) {
      const bytes = fs.readFileSync(f.path);
      expect(bytes.length).toBeLessThanOrEqual(maxBytes);
      expect(f.bytes).toBe(bytes.length);
      expect(f.md5).toBe(crypto.createHash('md5').update(bytes).digest('hex'));
      const lines = bytes.toString('latin1').slice(0, -1).split('\n');
      expect(lines[0]).toBe('email_SHA256,phone_SHA256,MAID_SHA256');
      expect(f.count).toBe(lines.length - 1);
      rows = rows.concat(lines.slice(1));
    }
    const whole = fs.readFileSync(path.join(dir, 'all', 'entries-0001.csv'), 'latin1').slice(0, -1).split('\n').slice(1);
    expect(rows).toEqual(whole);
  });

  it('caps the entries per file when maxEntries is given', async () => {
    const files = await writeMultiUploadFiles(entries, path.join(dir, 'capped'), { slots: ['email', 'phone', 'maid'], maxEntries: 2 });
    expect(files.map((f) => f.count)).toEqual([2, 2, 1]);
    const rows = files.flatMap((f) => fs.readFileSync(f.path, 'latin1').slice(0, -1).split('\n').slice(1));
    expect(rows).toEqual(fs.readFileSync(path.join(dir, 'all', 'entries-0001.csv'), 'latin1').slice(0, -1).split('\n').slice(1));
  });

  it('refuses a limit below one full row, and tuples with keys outside the mapped slots', async () => {
    await expect(writeMultiUploadFiles(entries, path.join(dir, 'tiny'), { slots: ['email', 'phone', 'maid'], maxBytes: 100 })).rejects.toThrow(AppError);
    await expect(writeMultiUploadFiles(entries, path.join(dir, 'unmapped'), { slots: ['email'] })).rejects.toThrow(/maps only email/);
    expect(await writeMultiUploadFiles(Buffer.alloc(0), path.join(dir, 'empty'), { slots: ['email'] })).toEqual([]);
  });

  it('bounds a row by slots × 64 + commas + newline', () => {
    expect(multiBytesPerRow(1)).toBe(65);
    expect(multiBytesPerRow(2)).toBe(130);
    expect(multiBytesPerRow(3)).toBe(195);
  });
});
