import crypto from 'node:crypto';
import fc from 'fast-check';
import * as phoneLib from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { createKernel, type Kernel, type PhoneLib, type TextTask } from '../../../../electron/core/cohort/kernel';
import { createBatchHasher } from '../../../../electron/core/cohort/kernel-batch';
import { sha256BytesLatin1, sha256Latin1 } from '../../../../electron/core/cohort/normalize';
import { buildSha256Wasm, SHA256_WASM_MAX_BYTES, sha256WasmModule, type WasmApi } from '../../../../electron/core/cohort/sha256-wasm';
import { DEFAULT_PROFILE, REJECT_REASONS } from '../../../../shared/domain';

const sha = (b: Uint8Array | string): string => crypto.hash('sha256', b, 'hex');
const module = sha256WasmModule();
const deps = { reasons: REJECT_REASONS, sha256Latin1, sha256BytesLatin1, phone: phoneLib as unknown as PhoneLib };
const withBatch: Kernel = createKernel({ ...deps, sha256Wasm: module });
const withoutBatch: Kernel = createKernel({ ...deps, sha256Wasm: null });

describe('the SIMD SHA-256 module and the batch hasher', () => {
  it('is available on this Node (WebAssembly SIMD), so the pipeline uses it', () => {
    expect(module).not.toBeNull();
    expect(createBatchHasher({ ...deps, sha256Wasm: module }).on).toBe(true);
  });

  it('gives node:crypto digest for every length 0–55 and any bytes, each at the place it was queued', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: SHA256_WASM_MAX_BYTES }), { minLength: 1, maxLength: 1100 }), fc.boolean(), (values, scattered) => {
        const batch = createBatchHasher({ ...deps, sha256Wasm: module });
        const out = new Uint8Array(values.length * 32 + 64);
        // In runs, or out of order (a permutation: 7919 is a prime above the length).
        const place = (i: number) => (scattered ? (i * 7919) % values.length : i) * 32;
        values.forEach((v, i) => expect(batch.pushBytes(v, v.length, out, place(i))).toBe(true));
        batch.flush();
        values.forEach((v, i) => expect(Buffer.from(out.subarray(place(i), place(i) + 32)).toString('hex')).toBe(sha(v)));
      }),
      { numRuns: 60 },
    );
    const batch = createBatchHasher({ ...deps, sha256Wasm: module });
    const out = new Uint8Array(56 * 32);
    const all = Array.from({ length: 56 }, (_, n) => crypto.randomBytes(n));
    all.forEach((v, n) => batch.pushBytes(v, n, out, n * 32));
    batch.flush();
    all.forEach((v, n) => expect(Buffer.from(out.subarray(n * 32, n * 32 + 32)).toString('hex')).toBe(sha(v)));
  });

  it('built with two groups of lanes side by side (measured slower, not used) hashes alike', () => {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const two = new api.Module(buildSha256Wasm(2));
    const batch = createBatchHasher({ ...deps, sha256Wasm: two });
    const values = Array.from({ length: 203 }, (_, i) => crypto.randomBytes(i % 56));
    const out = new Uint8Array(values.length * 32);
    values.forEach((v, i) => batch.pushBytes(v, v.length, out, i * 32));
    batch.flush();
    values.forEach((v, i) => expect(Buffer.from(out.subarray(i * 32, i * 32 + 32)).toString('hex')).toBe(sha(v)));
  });

  it('leaves to the caller a value longer than one block or with a character beyond ASCII', () => {
    const batch = createBatchHasher({ ...deps, sha256Wasm: module });
    const out = new Uint8Array(64);
    expect(batch.pushBytes(new Uint8Array(56), 56, out, 0)).toBe(false);
    expect(batch.pushString('x'.repeat(56), out, 0)).toBe(false);
    expect(batch.pushString('josé@example.com', out, 0)).toBe(false);
    expect(batch.pushString('jose@example.com', out, 32)).toBe(true);
    batch.flush();
    expect(Buffer.from(out.subarray(32)).toString('hex')).toBe(sha('jose@example.com'));
    expect(createBatchHasher({ ...deps, sha256Wasm: null }).pushString('a', out, 0)).toBe(false);
  });
});

describe('a kernel hashing by the batch gives what one hashing each value gives', () => {
  const long = `${'l'.repeat(60)}@example.com`;
  const lines = [
    'email,name',
    ...Array.from({ length: 3000 }, (_, i) => `${i % 5 === 0 ? ' User' : 'user'}.${i}@example${i % 7}.com,n${i}`),
    `${long},long`,
    'josé@example.com,accent',
    `${sha('prehashed@example.com')},prehashed`,
    'not-an-email,bad',
  ];
  const text = Buffer.from(lines.slice(1).join('\n'));

  it('for a block of emails: the same digests, each the SHA-256 of its normalized value, even when the digest buffer grows', () => {
    // bytesPerRecord far too large: the sink starts small and grows many times, flushing the batch each time.
    const task: TextTask = { key: 'email', profile: DEFAULT_PROFILE, maxRejects: 10, column: 0, delimiter: ',', bytesPerRecord: 100_000 };
    const a = withBatch.processBytes(text, task);
    const b = withoutBatch.processBytes(text, task);
    expect(a.hashCount).toBe(3003);
    expect(Buffer.from(a.hashes, 0, a.hashCount * 32)).toEqual(Buffer.from(b.hashes, 0, b.hashCount * 32));
    const expected = lines.slice(1, 3004).map((l) => {
      const cell = l.split(',')[0]!;
      const n = withoutBatch.norm('email', cell, DEFAULT_PROFILE);
      return typeof n === 'string' && withoutBatch.wasPrehashed() ? n : sha(n as string);
    });
    const got = Array.from({ length: a.hashCount }, (_, i) => Buffer.from(a.hashes, i * 32, 32).toString('hex'));
    expect(got).toEqual(expected);
  });

  it('for phones, ad ids and multi-key rows', () => {
    const phones = ['+1 415 555 0100', '(415) 555-0101', '+44 20 7946 0958', 'bad', ''];
    const ids = ['5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25', '5F3A2B189C4D4E7FB8E217D3A1E69B26', 'nope'];
    const profile = { ...DEFAULT_PROFILE, defaultCountry: 'US' };
    for (const [key, values] of [['phone', phones], ['idfa', ids]] as const) {
      const task = { key, profile, maxRejects: 10 };
      const rows = values.map((_, i) => i + 2);
      const a = withBatch.processValues(values, rows, task, null);
      const b = withoutBatch.processValues(values, rows, task, null);
      expect(a.hashCount).toBeGreaterThan(0);
      expect(Buffer.from(a.hashes, 0, a.hashCount * 32)).toEqual(Buffer.from(b.hashes, 0, b.hashCount * 32));
    }
    const cells = ['jane@example.com', '+1 415 555 0100', '', 'bad', '+1 415 555 0101', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25'];
    const multi = { keys: ['email', 'phone'] as ('email' | 'phone')[], slots: [0, 1], profile, maxRejects: 10 };
    const rows = Array.from({ length: 200 }, (_, i) => i);
    const many = rows.flatMap((i) => [cells[(2 * i) % 6]!, cells[(2 * i + 1) % 6]!]);
    const a = withBatch.processMulti(many, rows, multi, null);
    const b = withoutBatch.processMulti(many, rows, multi, null);
    expect(a.entryCount).toBe(b.entryCount);
    expect(Buffer.from(a.entries, 0, a.entryCount * 96)).toEqual(Buffer.from(b.entries, 0, b.entryCount * 96));
    expect(Buffer.from(a.entries, 0, 32).toString('hex')).toBe(sha('jane@example.com'));
  });

  it('a block that threw mid-way leaves nothing queued to land in the next one', () => {
    // No phone library: the phone cell throws after the row's email was queued.
    const k = createKernel({ ...deps, phone: null, sha256Wasm: module });
    const shared = new ArrayBuffer(96 * 8);
    const multi = { keys: ['email', 'phone'] as ('email' | 'phone')[], slots: [0, 1], profile: DEFAULT_PROFILE, maxRejects: 10 };
    expect(() => k.processMulti(['a@x.com', '+1 415 555 0100'], [0], multi, shared)).toThrow();
    // The next batch on the same memory: its first values are too long for the batch, so they are written at once.
    const longs = [0, 1, 2].map((i) => `${'l'.repeat(60)}${i}@example.com`);
    const r = k.processValues([...longs, 'short@x.com'], [0, 1, 2, 3], { key: 'email', profile: DEFAULT_PROFILE, maxRejects: 10 }, shared);
    const got = Array.from({ length: r.hashCount }, (_, i) => Buffer.from(r.hashes, i * 32, 32).toString('hex'));
    expect(got).toEqual([...longs, 'short@x.com'].map((v) => sha(v)));
  });
});
