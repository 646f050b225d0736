import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvText } from '../../../../electron/core/cohort/csv-parser';
import { kernelSource, type ChunkResult, type createKernel, type TextTask } from '../../../../electron/core/cohort/kernel';
import { mainKernel, sha256BytesLatin1, sha256Latin1 } from '../../../../electron/core/cohort/normalize';
import { isBlank } from '../../../../electron/core/cohort/sniff';
import { DEFAULT_PROFILE, REJECT_REASONS, type NormalizationProfile } from '../../../../shared/domain';

const k = mainKernel();
const FALLBACK = -1000;

/** Characters that matter to email rules, ASCII only (the byte path's domain). */
const emailChar = fc.constantFrom(...'abcdefABCDEFxyzXYZ0189.@+-_ \t!#%&*/=?^`{|}~"(),:;<>[]\\'.split(''));
const emailish = fc.oneof(
  fc.string({ unit: emailChar, maxLength: 40 }),
  fc.tuple(fc.string({ unit: emailChar, maxLength: 12 }), fc.string({ unit: emailChar, maxLength: 12 }), fc.constantFrom('com', 'co.uk', 'io', 'c', '1')).map(([a, b, t]) => `${a}@${b}.${t}`),
  fc.constantFrom('A'.repeat(64), 'abcdef0123456789'.repeat(4), 'ABCDEF0123456789'.repeat(2), ' Jane.Doe+x@Example.com '),
);

describe('the byte path for emails equals the string path', () => {
  it('for any ASCII cell, with and without stripping "+tag" and dots', () => {
    fc.assert(
      fc.property(emailish, fc.boolean(), (s, strip) => {
        const profile: NormalizationProfile = { ...DEFAULT_PROFILE, emailStripPlusAndDots: strip };
        const bytes = Buffer.from(s, 'latin1');
        const viaBytes = k.emailBytes(bytes, 0, bytes.length, strip);
        const bytesPrehashed = k.wasPrehashed();
        const viaString = k.norm('email', s, profile);
        expect(viaBytes).not.toBe(FALLBACK);
        if (viaBytes >= 0) {
          expect(Buffer.from(k.scratch.subarray(0, viaBytes)).toString('latin1')).toBe(viaString);
          expect(bytesPrehashed).toBe(k.wasPrehashed());
        } else {
          expect(REJECT_REASONS[-1 - viaBytes]).toBe(typeof viaString === 'number' ? REJECT_REASONS[viaString] : `accepted ${viaString}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('isEmailBytes agrees with isEmail on ASCII', () => {
    fc.assert(
      fc.property(emailish, (s) => {
        const lower = s.toLowerCase();
        expect(k.isEmailBytes(Buffer.from(lower, 'latin1'), lower.length)).toBe(k.isEmail(lower));
      }),
      { numRuns: 3000 },
    );
  });

  it('hands non-ASCII cells to the string path', () => {
    const b = Buffer.from('josé@example.com');
    expect(k.emailBytes(b, 0, b.length, false)).toBe(FALLBACK);
  });
});

// ── The fast path splits like CsvParser (and Python's csv module) ──────────────────

const field = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', ' ', 'jane@example.com', 'JOHN@EXAMPLE.COM ', 'bad', 'x@y.co', 'a@b') },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'ab@.c om\t1'.split('')), maxLength: 12 }) },
  // Cells the byte path hands to the string path (not ASCII, longer than its scratch) or reads as hashes already.
  {
    weight: 1,
    arbitrary: fc.constantFrom('José@Exämple.com', 'a@b.co\u00a0', ' '.repeat(301), `${' '.repeat(300)}X@y.co`, `${'a'.repeat(64)}@${'b'.repeat(240)}.com`, `${'a'.repeat(60)}@${'b'.repeat(64)}.com`, 'AB'.repeat(32), 'ab'.repeat(16), 'a-b@c-d.e-f.gh', 'a@1.23', 'a@b-.co', '.a@b.co', 'a.@b.co'),
  },
);

function expectedFromParser(text: string, task: TextTask): { counts: number[]; valid: number; rejRows: number[]; rejMasked: string[]; hashes: string } {
  const records = parseCsvText(text, task.delimiter, true);
  const values: (string | null)[] = [];
  const rows: number[] = [];
  records.forEach((rec, i) => {
    if (isBlank(rec)) return;
    values.push(task.column < rec.length ? rec[task.column]! : null);
    rows.push(i);
  });
  const r = k.processValues(values, rows, task);
  return { counts: r.counts, valid: r.valid, rejRows: r.rejRows, rejMasked: r.rejMasked, hashes: digests(r) };
}

function digests(r: ChunkResult): string {
  return Buffer.from(r.hashes, 0, r.hashCount * 32).toString('hex');
}

describe('processBytes (the quote-free fast path)', () => {
  it('finds the same records, cells, rejects and digests as CsvParser, whatever mix of CRLF, LF and CR ends the lines', () => {
    const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
    fc.assert(
      fc.property(
        fc.constantFrom(',', ';', '\t', '|'),
        fc.array(fc.tuple(fc.array(field, { minLength: 0, maxLength: 4 }), lineEnd), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.boolean(),
        (delimiter, records, column, trailing, strip) => {
          const clean = records.map(([r, nl]) => [r.map((f) => f.split(delimiter).join('')).join(delimiter), nl] as const);
          const text = clean.map(([line, nl], i) => line + (i + 1 < clean.length || trailing ? nl : '')).join('');
          const task: TextTask = { key: 'email', profile: { ...DEFAULT_PROFILE, emailStripPlusAndDots: strip }, maxRejects: 1000, column, delimiter, bytesPerRecord: 20 };
          const got = k.processBytes(Buffer.from(text, 'utf8'), task);
          const want = expectedFromParser(text, task);
          expect(got.valid).toBe(want.valid);
          expect(got.counts).toEqual(want.counts);
          expect(got.rejRows).toEqual(want.rejRows);
          expect(got.rejMasked).toEqual(want.rejMasked);
          expect(digests(got)).toBe(want.hashes);
          expect(got.records - got.blank).toBe(want.valid + want.counts.reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('reads the key from any column and reports rows too short for it as MISSING_COLUMN', () => {
    const task: TextTask = { key: 'email', profile: DEFAULT_PROFILE, maxRejects: 10, column: 2, delimiter: ';', bytesPerRecord: 20 };
    const r = k.processBytes(Buffer.from('1;x;a@b.co\n2;y\n;;\n3;z;\n'), task);
    expect(r.records).toBe(4);
    expect(r.blank).toBe(1);
    expect(r.valid).toBe(1);
    expect(r.rejRows).toEqual([1, 3]);
    expect(r.rejReasons.map((i) => REJECT_REASONS[i])).toEqual(['MISSING_COLUMN', 'EMPTY']);
  });

  it('grows its digest buffer past a too-small estimate and reuses a handed-back one', () => {
    const text = Array.from({ length: 500 }, (_, i) => `u${i}@x.io`).join('\n');
    const task: TextTask = { key: 'email', profile: DEFAULT_PROFILE, maxRejects: 0, column: 0, delimiter: ',', bytesPerRecord: 4000 };
    const first = k.processBytes(Buffer.from(text), task, new ArrayBuffer(64));
    expect(first.hashCount).toBe(500);
    const again = k.processBytes(Buffer.from(text), task, first.hashes);
    expect(again.hashes).toBe(first.hashes);
    expect(digests(again)).toBe(digests(first));
  });
});

describe('the kernel is made of self-contained parts', () => {
  it('its worker source runs on its own, with no module around it, and gives exactly what the main thread gives', () => {
    // A part that used an import or a module-level binding would throw a ReferenceError here (and in every worker).
    const make = new Function('__name', `${kernelSource()}return createKernel;`)((f: unknown) => f) as typeof createKernel;
    const alone = make({ reasons: REJECT_REASONS, sha256Latin1, sha256BytesLatin1, phone: null });
    const rows = ['email,name', ' Jane.Doe@Example.com ,a', 'not-an-email,b', `${'ab'.repeat(32)},c`, ',d', 'José@exämple.com,e', 'x@y.z,f'];
    const block = Buffer.from(rows.slice(1).join('\n'));
    const task: TextTask = { key: 'email', profile: DEFAULT_PROFILE, maxRejects: 10, column: 0, delimiter: ',', bytesPerRecord: 20 };
    const digests = (r: ChunkResult) => Buffer.from(r.hashes, 0, r.hashCount * 32).toString('hex');
    const a = alone.processBytes(block, task);
    const b = k.processBytes(block, task);
    expect(a.hashCount).toBe(3);
    expect(digests(a)).toBe(digests(b));
    expect([a.counts, a.rejRows, a.rejReasons, a.rejMasked]).toEqual([b.counts, b.rejRows, b.rejReasons, b.rejMasked]);
    expect(alone.norm('idfa', '{6D92078A-8246-4BA4-AE5B-76104861E7DC}', DEFAULT_PROFILE)).toBe(k.norm('idfa', '{6D92078A-8246-4BA4-AE5B-76104861E7DC}', DEFAULT_PROFILE));
    expect(alone.mask('phone', '+44 20 7946 0958')).toBe(k.mask('phone', '+44 20 7946 0958'));
  });
});
