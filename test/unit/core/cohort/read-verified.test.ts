import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCohort, readCohortMulti, type CohortResult, type MultiCohortResult } from '../../../../electron/core/cohort';
import type { AfterRead } from '../../../../electron/core/cohort/csv-file';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

// A file caught by a slow exporter must never be taken for the whole cohort: the people missing from
// a partial read would be removed from the audience. Each test changes the file from the reader's own
// seam (afterRead runs after each block is read from disk), so the timing is deterministic.

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tmpDir('cohort-verified-')));
afterAll(() => cleanup());

let n = 0;
function file(content: string | Buffer): string {
  const p = path.join(dir, `v${n++}.csv`);
  fs.writeFileSync(p, content);
  return p;
}

const ROWS = 100_000;
/** ~3.4 MB: two blocks of the reader. `quoted`: quotes from the start, so the parser path reads it. */
function cohort(quoted: boolean, rows = ROWS): string {
  const lines = Array.from({ length: rows }, (_, i) => (quoted ? `"person.${i}@example.com","${i}"` : `person.${i}@example.com,${i}`));
  return `email,n\n${lines.join('\n')}\n`;
}

/** Quiet periods short enough for a test; the reader waits for them between reads. */
const FAST = { quietMs: 20, maxWaitMs: 5_000 };

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** An afterRead that runs `change` once, after the first block, and records where each read started. */
function once(change: () => void): { hook: AfterRead; starts: number[] } {
  const starts: number[] = [];
  let done = false;
  return {
    starts,
    hook: (position) => {
      starts.push(position);
      if (!done) {
        done = true;
        change();
      }
    },
  };
}

/** How many times the whole file was read: each pass starts again at the first data byte. */
const passes = (starts: number[]) => starts.filter((s) => s === starts[0]).length;

describe.each([
  ['the fast path (no quotes)', false],
  ['the parser path (quoted cells)', true],
])('a file that changes while it is read, on %s', (_label, quoted) => {
  const content = cohort(quoted);
  let reference: CohortResult;
  beforeAll(async () => {
    reference = await readCohort({ path: file(content), key: 'email', workers: 0 });
    expect(reference.rowsRead).toBe(ROWS);
  });

  it('truncated mid-read: refused, never a partial result (a short read is not the end of the file)', async () => {
    const p = file(content);
    const { hook } = once(() => fs.truncateSync(p, Math.floor(content.length / 3)));
    const err = await rejection(readCohort({ path: p, key: 'email', workers: 0, verify: { ...FAST, attempts: 1, afterRead: hook } }));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(new RegExp(`^${path.basename(p)} changed while it was being read .*Nothing from it was used or sent\\. Wait until the export has finished, then sync again\\.$`));
  });

  it('rewritten in place with the same content mid-read: read again once quiet, every row', async () => {
    const p = file(content);
    const { hook, starts } = once(() => fs.writeFileSync(p, content));
    const r = await readCohort({ path: p, key: 'email', workers: 2, verify: { ...FAST, afterRead: hook } });
    expect(passes(starts)).toBe(2);
    expect(r.rowsRead).toBe(ROWS);
    expect(Buffer.compare(r.hashes, reference.hashes)).toBe(0);
  });

  it('appended to mid-read: the second read has the new row', async () => {
    const p = file(content);
    const { hook, starts } = once(() => fs.appendFileSync(p, quoted ? '"late@example.com","x"\n' : 'late@example.com,x\n'));
    const r = await readCohort({ path: p, key: 'email', workers: 0, verify: { ...FAST, afterRead: hook } });
    expect(passes(starts)).toBe(2);
    expect(r.rowsRead).toBe(ROWS + 1);
  });

  it('replaced by another file (renamed over it) mid-read: the new file is read', async () => {
    const p = file(content);
    const next = cohort(quoted, 1_000);
    const { hook, starts } = once(() => {
      fs.writeFileSync(`${p}.tmp`, next);
      fs.renameSync(`${p}.tmp`, p);
    });
    const r = await readCohort({ path: p, key: 'email', workers: 0, verify: { ...FAST, afterRead: hook } });
    expect(passes(starts)).toBe(2);
    expect(r.rowsRead).toBe(1_000);
  });
});

describe('a file opened while its exporter is in the middle of a row', () => {
  it.each([
    ['the fast path', false],
    ['the parser path', true],
  ])('is read again once the exporter has finished it, every row, on %s', async (_label, quoted) => {
    const content = cohort(quoted);
    // Cut in the middle of the last row's email: what a reader opening the file at that moment sees.
    const cutAt = content.lastIndexOf('@') - 3;
    const p = file(content.slice(0, cutAt));
    const { hook, starts } = once(() => fs.appendFileSync(p, content.slice(cutAt)));
    const r = await readCohort({ path: p, key: 'email', workers: 0, verify: { ...FAST, afterRead: hook } });
    expect(passes(starts)).toBe(2);
    expect(r.rowsRead).toBe(ROWS);
  });

  it('is refused with the row when it stays cut off (the exporter stopped)', async () => {
    const content = cohort(false);
    const p = file(content.slice(0, content.lastIndexOf('@') - 3));
    const err = await rejection(readCohort({ path: p, key: 'email', workers: 0, verify: FAST }));
    expect(err.message).toMatch(/ends in the middle of row 100,001 \(it has 1 of the 2 cells a row has/);
  });
});

describe('a file that keeps changing', () => {
  it('is refused after the reads allowed, saying it is probably still being written', async () => {
    const p = file(cohort(false));
    let reads = 0;
    const grow: AfterRead = () => {
      reads++;
      fs.appendFileSync(p, `more${reads}@example.com,x\n`);
    };
    const err = await rejection(readCohort({ path: p, key: 'email', workers: 0, verify: { ...FAST, attempts: 3, afterRead: grow } }));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/changed while it was being read .*3 times in a row.*still being written/);
  });

  it('is refused when it does not settle within the longest wait', async () => {
    const p = file(cohort(false));
    const timer = setInterval(() => fs.appendFileSync(p, 'more@example.com,x\n'), 5);
    try {
      const { hook } = once(() => fs.appendFileSync(p, 'first@example.com,x\n'));
      // The quiet period can never come within the longest wait: the refusal does not depend on timer jitter.
      const err = await rejection(readCohort({ path: p, key: 'email', workers: 0, verify: { quietMs: 2_000, maxWaitMs: 300, afterRead: hook } }));
      expect(err.code).toBe('CSV_INVALID');
      expect(err.message).toMatch(/changed while it was being read .* and did not settle within 0\.3 s: it is probably still being written/);
    } finally {
      clearInterval(timer);
    }
  });

  it('stops waiting for it at once when cancelled', async () => {
    const p = file(cohort(false));
    const abort = new AbortController();
    const { hook } = once(() => {
      fs.appendFileSync(p, 'late@example.com,x\n');
      setTimeout(() => abort.abort(), 20);
    });
    const started = Date.now();
    const err = await rejection(readCohort({ path: p, key: 'email', workers: 0, signal: abort.signal, verify: { quietMs: 60_000, afterRead: hook } }));
    expect(err.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('caught half-written (a row cut inside a quote) is read again, not refused as broken', async () => {
    // Larger than the sample, so the cut row is met by the full read, after the first block.
    const content = cohort(true, 20_000);
    const p = file(content.slice(0, content.indexOf('"person.15000@') + 5));
    // The exporter finishes the file right after that first block was read.
    const { hook, starts } = once(() => fs.writeFileSync(p, content));
    const r = await readCohort({ path: p, key: 'email', workers: 0, verify: { ...FAST, afterRead: hook } });
    expect(passes(starts)).toBe(2);
    expect(r.rowsRead).toBe(20_000);
  });
});

describe('the multi-key reader verifies its read the same way', () => {
  const lines = Array.from({ length: ROWS }, (_, i) => `person.${i}@example.com,5f3a2b18-9c4d-4e7f-b8e2-${String(i).padStart(12, '0')}`);
  const content = `email,idfa\n${lines.join('\n')}\n`;
  const read = (p: string, afterRead: AfterRead, attempts?: number): Promise<MultiCohortResult> =>
    readCohortMulti({ path: p, keys: [{ key: 'email', column: 'email' }, { key: 'idfa', column: 'idfa' }], profile: DEFAULT_PROFILE, workers: 0, verify: { ...FAST, attempts, afterRead } });

  it('truncated mid-read: refused', async () => {
    const p = file(content);
    const { hook } = once(() => fs.truncateSync(p, Math.floor(content.length / 3)));
    const err = await rejection(read(p, hook, 1));
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toMatch(/changed while it was being read/);
  });

  it('rewritten in place mid-read: read again, every row', async () => {
    const p = file(content);
    const { hook, starts } = once(() => fs.writeFileSync(p, content));
    const r = await read(p, hook);
    expect(passes(starts)).toBe(2);
    expect(r.rowsRead).toBe(ROWS);
  });
});
