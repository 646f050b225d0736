import { describe, expect, it } from 'vitest';
import { mainKernel } from '../../../../electron/core/cohort/normalize';
import { HashPool, workerSource } from '../../../../electron/core/cohort/worker-pool';
import type { TextTask } from '../../../../electron/core/cohort/kernel';
import { DEFAULT_PROFILE } from '../../../../shared/domain';

const text = ['jane@example.com', 'BAD', '+1 415 555 0100', ' John@Example.org ', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25'].join('\n');

describe('hashing workers', () => {
  it('are built from the kernel and sorter source, with no imports left in it', () => {
    const src = workerSource();
    expect(src).toContain('createKernel');
    expect(src).toContain('createSorter');
    expect(src).not.toMatch(/\bimport\s|__vite_ssr_import|__vi_import/);
  });

  it('start, pass their probe, and compute exactly what the main thread computes, for every key', async () => {
    const pool = await HashPool.open(2, { phone: true });
    try {
      expect(pool.size).toBe(2);
      for (const key of ['email', 'phone', 'idfa'] as const) {
        const task: TextTask = { key, profile: { ...DEFAULT_PROFILE, defaultCountry: 'US' }, maxRejects: 100, column: 0, delimiter: ',', bytesPerRecord: 20 };
        const bytes = Buffer.from(text);
        const { result } = await pool.run({ id: pool.id(), kind: 'text', buffer: new Uint8Array(bytes).buffer, start: 0, end: bytes.length, task, out: null });
        const local = mainKernel().processBytes(Buffer.from(text), task);
        expect({ ...result, hashes: Buffer.from(result.hashes, 0, result.hashCount * 32) }).toEqual({ ...local, hashes: Buffer.from(local.hashes, 0, local.hashCount * 32) });
        const values = await pool.run({ id: pool.id(), kind: 'values', values: text.split('\n'), rows: Float64Array.from([2, 3, 4, 5, 6]), task, out: null });
        expect(values.result.valid).toBe(local.valid);
      }
    } finally {
      await pool.close();
    }
  });

  it('with size 0 run the same tasks on the calling thread', async () => {
    const pool = await HashPool.open(0, { phone: false });
    expect(pool.size).toBe(0);
    const task: TextTask = { key: 'email', profile: DEFAULT_PROFILE, maxRejects: 100, column: 0, delimiter: ',', bytesPerRecord: 20 };
    const bytes = Buffer.from(text);
    const { result, block } = await pool.run({ id: pool.id(), kind: 'text', buffer: bytes.buffer as ArrayBuffer, start: bytes.byteOffset, end: bytes.byteOffset + bytes.length, task, out: null });
    expect(result.valid).toBe(2);
    expect(block).toBe(bytes.buffer);
    await pool.close();
  });
});
