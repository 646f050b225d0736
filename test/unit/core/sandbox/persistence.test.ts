import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readKeyFile, writeKeyFile } from '../../../../electron/core/sandbox/key-file';
import { KEYS_DIR, SandboxStateFiles, STATE_FILE } from '../../../../electron/core/sandbox/persistence';
import { mulberry32 } from '../../../../electron/core/sandbox/prng';
import { SANDBOX_ADVERTISERS } from '../../../../electron/core/sandbox/seed';
import { MemberSet, SimStore } from '../../../../electron/core/sandbox/store';

const ADV = SANDBOX_ADVERTISERS[0]!.advertiserId;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
  dirs.push(d);
  return d;
}
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const NOW = 1_700_000_000_000;
const newStore = (): SimStore => new SimStore(() => NOW, mulberry32(7));
function readAll(file: string): string[] {
  const out: string[] = [];
  readKeyFile(file, (k) => out.push(k));
  return out;
}
function audienceOf(store: SimStore, keys: Iterable<string>, name = 'a'): string {
  const members = new MemberSet();
  for (const k of keys) members.add(k);
  return store.addAudience({ advertiserId: ADV, name, kind: 'file', calculateType: 'EMAIL_SHA256', members }).audienceId;
}

describe('key files', () => {
  it('store a SHA-256 hash in 32 bytes and an MD5 hash in 16', () => {
    const dir = tempDir();
    const shas = Array.from({ length: 1000 }, (_, i) => sha256(`p${i}`));
    writeKeyFile(path.join(dir, 'sha'), shas, shas.length);
    // 8 bytes of header, one run header (7 bytes), the hashes.
    expect(statSync(path.join(dir, 'sha')).size).toBe(8 + 7 + 32 * 1000);
    expect(readAll(path.join(dir, 'sha'))).toEqual(shas);
    const md5s = Array.from({ length: 1000 }, (_, i) => md5(`p${i}`));
    writeKeyFile(path.join(dir, 'md5'), md5s, md5s.length);
    expect(statSync(path.join(dir, 'md5')).size).toBe(8 + 7 + 16 * 1000);
    expect(readAll(path.join(dir, 'md5'))).toEqual(md5s);
    expect(statSync(path.join(dir, 'md5')).mode & 0o777).toBe(0o600);
  });

  it('give back every kind of key exactly, in order, across buffer boundaries', () => {
    const dir = tempDir();
    const keys: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const h = sha256(`k${i}`);
      // Runs change often: plain hashes, partner keys, MD5, MULTIPLE_TYPES rows, keys that only look like hashes.
      if (i % 7 === 0) keys.push(`EMAIL_SHA256:${h}`);
      else if (i % 11 === 0) keys.push(`PHONE_SHA256:${h}`);
      else if (i % 13 === 0) keys.push(md5(`k${i}`));
      else if (i % 17 === 0) keys.push(`email_sha256=${h},phone_sha256=${sha256(`q${i}`)}`);
      else if (i % 19 === 0) keys.push(h.toUpperCase());
      else if (i % 23 === 0) keys.push(`maid=ünïcødé-${i}`);
      else keys.push(h);
    }
    keys.push('', 'x'.repeat(3 << 20), `${'0'.repeat(40)}${sha256('long prefix')}`);
    writeKeyFile(path.join(dir, 'mixed'), keys, keys.length);
    expect(readAll(path.join(dir, 'mixed'))).toEqual(keys);
  });

  it('refuse a file cut short, or a count that does not match', () => {
    const dir = tempDir();
    const file = path.join(dir, 'k');
    const shas = Array.from({ length: 100 }, (_, i) => sha256(`c${i}`));
    writeKeyFile(file, shas, shas.length);
    truncateSync(file, statSync(file).size - 5);
    expect(() => readAll(file)).toThrow(/cut short/);
    rmSync(file);
    expect(() => writeKeyFile(file, shas, 99)).toThrow(/100 keys listed where 99/);
    writeFileSync(file, 'not a key file');
    expect(() => readAll(file)).toThrow(/not a sandbox key file/);
  });
});

describe('the saved state', () => {
  it('keeps no key inside the JSON: its size does not grow with the audiences, the keys sit in key files (0600)', () => {
    const dir = tempDir();
    const store = newStore();
    const keys = Array.from({ length: 5000 }, (_, i) => sha256(`m${i}`));
    const id = audienceOf(store, keys);
    store.files.set('f1', { filePath: 'f1', advertiserId: ADV, calculateType: 'EMAIL_SHA256', rows: keys.slice(0, 2000), uploadedAt: NOW });
    const files = new SandboxStateFiles(dir);
    files.save(store);
    const json = readFileSync(path.join(dir, STATE_FILE), 'utf8');
    expect(json.length).toBeLessThan(10_000);
    expect(json).not.toContain(keys[0]);
    expect(json).not.toContain(keys[4999]);
    const keyFiles = readdirSync(path.join(dir, KEYS_DIR)).sort();
    expect(keyFiles).toHaveLength(2);
    for (const f of keyFiles) expect(statSync(path.join(dir, KEYS_DIR, f)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, KEYS_DIR)).mode & 0o777).toBe(0o700);

    const back = newStore();
    new SandboxStateFiles(dir).load(back);
    expect([...(back.audiences.get(id)?.members ?? [])]).toEqual(keys);
    expect(back.files.get('f1')?.rows).toEqual(keys.slice(0, 2000));
    expect(back.audiences.get(id)?.members).toBeInstanceOf(MemberSet);
  });

  it('never stringifies the keys: no JSON.stringify output holds a hash while saving', () => {
    const dir = tempDir();
    const store = newStore();
    const keys = Array.from({ length: 3000 }, (_, i) => sha256(`s${i}`));
    audienceOf(store, keys);
    const original = JSON.stringify;
    let longest = 0;
    JSON.stringify = ((...args: Parameters<typeof original>) => {
      const out = original(...args);
      longest = Math.max(longest, out?.length ?? 0);
      return out;
    }) as typeof original;
    try {
      new SandboxStateFiles(dir).save(store);
    } finally {
      JSON.stringify = original;
    }
    expect(longest).toBeGreaterThan(0);
    // 3,000 hashes as JSON would be some 200,000 characters.
    expect(longest).toBeLessThan(10_000);
  });

  it('writes a key file again only when its keys changed, and removes the ones no state names', () => {
    const dir = tempDir();
    const store = newStore();
    const a = audienceOf(store, Array.from({ length: 1200 }, (_, i) => sha256(`a${i}`)), 'a');
    const b = audienceOf(store, Array.from({ length: 1200 }, (_, i) => sha256(`b${i}`)), 'b');
    const files = new SandboxStateFiles(dir);
    const named = (): Record<string, string | null> => {
      const s = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as { audiences: { audienceId: string; members: { keysFile: string | null } }[] };
      return Object.fromEntries(s.audiences.map((x) => [x.audienceId, x.members.keysFile]));
    };
    files.save(store);
    const first = named();
    store.audiences.get(b)!.members.add(sha256('new'));
    files.save(store);
    const second = named();
    expect(second[a]).toBe(first[a]);
    expect(second[b]).not.toBe(first[b]);
    expect(readdirSync(path.join(dir, KEYS_DIR)).sort()).toEqual([second[a], second[b]].sort());
    // Same size, other contents: still written again.
    const members = store.audiences.get(a)!.members;
    members.delete(sha256('a0'));
    members.add(sha256('a-other'));
    files.save(store);
    expect(named()[a]).not.toBe(second[a]);
    // A plain Set (no change count) is written on every save.
    store.audiences.get(b)!.members = new Set(store.audiences.get(b)!.members);
    files.save(store);
    const third = named();
    files.save(store);
    expect(named()[b]).not.toBe(third[b]);
    store.audiences.delete(a);
    files.save(store);
    expect(readdirSync(path.join(dir, KEYS_DIR))).toEqual([named()[b]]);
    const back = newStore();
    new SandboxStateFiles(dir).load(back);
    expect(new Set(back.audiences.get(b)?.members)).toEqual(new Set(store.audiences.get(b)?.members));
  });

  it('does not read back the rows of an uploaded file that expired meanwhile (its entry stays)', () => {
    const dir = tempDir();
    let now = NOW;
    const store = new SimStore(() => now, mulberry32(7));
    const rows = Array.from({ length: 1000 }, (_, i) => sha256(`e${i}`));
    store.files.set('old', { filePath: 'old', advertiserId: ADV, calculateType: 'EMAIL_SHA256', rows, uploadedAt: now - store.settings.fileTtlMs - 1 });
    store.files.set('new', { filePath: 'new', advertiserId: ADV, calculateType: 'EMAIL_SHA256', rows, uploadedAt: now });
    new SandboxStateFiles(dir).save(store);
    now += 1;
    const back = new SimStore(() => now, mulberry32(7));
    const files = new SandboxStateFiles(dir);
    files.load(back);
    expect(back.files.get('old')?.rows).toEqual([]);
    expect(back.files.get('new')?.rows).toEqual(rows);
    files.save(back);
    expect(readdirSync(path.join(dir, KEYS_DIR))).toHaveLength(1);
  });

  it('loads a state file of older versions (keys inside the JSON), then saves it in key files', () => {
    const dir = tempDir();
    const members = Array.from({ length: 1500 }, (_, i) => sha256(`old${i}`));
    const old = {
      version: 1,
      audienceCounter: 4,
      tokens: [{ token: 'sbx-old', appId: 'app', advertiserIds: [ADV], scope: [1], state: 'ok' }],
      files: [{ filePath: 'oldfile', advertiserId: ADV, calculateType: 'EMAIL_SHA256', rows: members.slice(0, 10), uploadedAt: NOW - 5 }],
      audiences: [
        { audienceId: '42', advertiserId: ADV, name: 'Old', kind: 'file', calculateType: 'EMAIL_SHA256', members, createdAt: 1, lastModifiedAt: 2, processingUntil: 3, coverBefore: 0, retentionInDays: null, history: [] },
        { audienceId: '43', advertiserId: ADV, name: 'Partner', kind: 'partner', calculateType: 'MULTIPLE_TYPES', members: [`EMAIL_SHA256:${members[0]}`], createdAt: 1, lastModifiedAt: 2, processingUntil: 3, coverBefore: 0, retentionInDays: null, history: [] },
      ],
      dailyCalls: [['42|2026-01-01', 3]],
    };
    writeFileSync(path.join(dir, STATE_FILE), JSON.stringify(old));
    const store = newStore();
    const files = new SandboxStateFiles(dir);
    files.load(store);
    expect([...store.audiences.get('42')!.members]).toEqual(members);
    expect([...store.audiences.get('43')!.members]).toEqual([`EMAIL_SHA256:${members[0]}`]);
    expect(store.files.get('oldfile')?.rows).toEqual(members.slice(0, 10));
    expect(store.tokens.get('sbx-old')?.advertiserIds).toEqual([ADV]);
    expect(store.dailyCalls.get('42|2026-01-01')).toBe(3);
    expect(store.audienceCounter).toBe(4);

    files.save(store);
    const saved = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as { version: number };
    expect(saved.version).toBe(2);
    expect(readFileSync(path.join(dir, STATE_FILE), 'utf8')).not.toContain(members[1]);
    const again = newStore();
    new SandboxStateFiles(dir).load(again);
    expect([...again.audiences.get('42')!.members]).toEqual(members);
    expect(again.files.get('oldfile')?.rows).toEqual(members.slice(0, 10));
  });

  it('refuses to start on a missing or damaged key file, naming what to delete (never a silent fresh start)', () => {
    const dir = tempDir();
    const store = newStore();
    audienceOf(store, Array.from({ length: 1000 }, (_, i) => sha256(`d${i}`)));
    new SandboxStateFiles(dir).save(store);
    const [name] = readdirSync(path.join(dir, KEYS_DIR));
    const file = path.join(dir, KEYS_DIR, name!);
    truncateSync(file, 100);
    expect(() => new SandboxStateFiles(dir).load(newStore())).toThrow(/cut short.*delete sandbox-state\.json and sandbox-keys/);
    rmSync(file);
    expect(() => new SandboxStateFiles(dir).load(newStore())).toThrow(/is missing.*to start the sandbox afresh/);
  });
});
