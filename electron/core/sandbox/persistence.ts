/**
 * What `--data DIR` keeps of the sandbox across restarts of `cohort-relay sandbox` (server.ts saves after changes).
 *
 * `sandbox-state.json` holds the small state (tokens, audiences without their members, files without their rows,
 * counters, ad groups, shares); each audience's membership and each uploaded file's rows are a key file
 * (key-file.ts: 32 bytes a SHA-256 hash) in `sandbox-keys/` beside it, named in the JSON. Saving never builds one
 * string of all hashes: JSON of 8 M hashes passes V8's longest string, and the sandbox syncs 10 M-row cohorts.
 *
 * Crash safety: key files get new names (temp file + rename, 0600) before the JSON naming them replaces the old one
 * (temp file + rename); files no JSON names are removed after. A crash at any point leaves a JSON whose key files
 * all exist. A key file is written again only when its keys changed: files' rows never change, audiences count
 * their changes (MemberSet).
 *
 * Older versions wrote version 1: the same JSON with `members` and `rows` as arrays of keys. It still loads; the next
 * save writes version 2.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readKeyFile, writeKeyFile } from './key-file';
import { SANDBOX_ACCESS_TOKEN } from './seed';
import { MemberSet, type ApplyEntry, type Audience, type ShareEntry, type SimStore, type Token, type UploadedFile } from './store';

export const STATE_FILE = 'sandbox-state.json';
/** The folder beside the state file that holds the key files it names. */
export const KEYS_DIR = 'sandbox-keys';
const KEY_FILE_NAME = /^[a-z]-[0-9a-z]+-[0-9a-f]{12}\.keys$/;

interface StateBase {
  audienceCounter: number;
  tokens: Token[];
  dailyCalls: [string, number][];
  /** Audiences attached to the seeded ad groups, the latest Applies and shares (absent in states of older versions). */
  adGroups?: { adgroupId: string; include: string[]; exclude: string[] }[];
  applied?: ApplyEntry[];
  shares?: ShareEntry[];
  /** Which identifiers are one person (store.ts PersonGraph; absent in states of older versions). */
  people?: [string, string][];
}

/** The state file of older versions: every key inside the JSON. */
interface StateV1 extends StateBase {
  version: 1;
  files: UploadedFile[];
  audiences: (Omit<Audience, 'members'> & { members: string[] })[];
}

/** A key list kept in a key file: how many keys and which file (null: none, the list is empty). */
interface KeysRef {
  count: number;
  keysFile: string | null;
}

/** The state file: keys live in the key files it names. */
export interface PersistedState extends StateBase {
  version: 2;
  files: (Omit<UploadedFile, 'rows'> & { rows: KeysRef })[];
  audiences: (Omit<Audience, 'members'> & { members: KeysRef })[];
}

/** Reads and writes the sandbox's state in one data folder; one per running simulator. */
export class SandboxStateFiles {
  private readonly statePath: string;
  private readonly keysDir: string;
  /** The key file last written (or read) for a rows array or a membership, and the membership's revision then. */
  private readonly written = new WeakMap<object, { file: string; revision: number }>();

  constructor(private readonly dataDir: string) {
    this.statePath = path.join(dataDir, STATE_FILE);
    this.keysDir = path.join(dataDir, KEYS_DIR);
  }

  /** Restores the saved state into `store`; nothing when there is none. A version it does not know is ignored (a fresh sandbox). */
  load(store: SimStore): void {
    let text: string;
    try {
      text = readFileSync(this.statePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const p = JSON.parse(text) as PersistedState | StateV1;
    if (p.version === 1) {
      for (const f of p.files) store.files.set(f.filePath, store.now() - f.uploadedAt <= store.settings.fileTtlMs ? f : { ...f, rows: [] });
      for (const a of p.audiences) {
        const members = new MemberSet();
        for (const k of a.members) members.add(k);
        store.audiences.set(a.audienceId, { ...a, members });
      }
    } else if (p.version === 2) {
      for (const f of p.files) {
        const rows: string[] = [];
        // An expired file keeps its entry (later use answers 40910) but not its rows, as file upload releases them.
        if (f.rows.keysFile && store.now() - f.uploadedAt <= store.settings.fileTtlMs) {
          this.readKeys(f.rows, (k) => rows.push(k));
          this.written.set(rows, { file: f.rows.keysFile, revision: 0 });
        }
        store.files.set(f.filePath, { ...f, rows });
      }
      for (const a of p.audiences) {
        const members = new MemberSet();
        this.readKeys(a.members, (k) => members.add(k));
        store.audiences.set(a.audienceId, { ...a, members });
        if (a.members.keysFile) this.written.set(members, { file: a.members.keysFile, revision: members.revision });
      }
    } else {
      return;
    }
    store.audienceCounter = p.audienceCounter;
    for (const t of p.tokens) store.tokens.set(t.token, t);
    for (const [k, v] of p.dailyCalls) store.dailyCalls.set(k, v);
    for (const g of p.adGroups ?? []) {
      const cur = store.adGroups.get(g.adgroupId);
      if (cur) Object.assign(cur, { include: g.include, exclude: g.exclude });
    }
    for (const e of p.applied ?? []) store.applied.set(`${e.adgroupId}|${e.audienceId}`, e);
    for (const e of p.shares ?? []) store.shares.set(`${e.audienceId}|${e.advertiserId}`, e);
    if (p.people) store.people.restore(p.people);
  }

  /**
   * Writes the state of `store` (the seeded token is seeded again, not kept). Throws ENOENT when the data folder is
   * gone (it is not made again: a deleted workspace stays deleted).
   */
  save(store: SimStore): void {
    const state: PersistedState = {
      version: 2,
      audienceCounter: store.audienceCounter,
      tokens: [...store.tokens.values()].filter((t) => t.token !== SANDBOX_ACCESS_TOKEN),
      files: [...store.files.values()].map(({ rows, ...f }) => ({ ...f, rows: this.keysOf('f', f.filePath, rows, rows.length, 0) })),
      audiences: [...store.audiences.values()].map(({ members, ...a }) => ({
        ...a,
        members: this.keysOf('a', a.audienceId, members, members.size, members instanceof MemberSet ? members.revision : null),
      })),
      dailyCalls: [...store.dailyCalls.entries()],
      adGroups: [...store.adGroups.values()].map((g) => ({ adgroupId: g.adgroupId, include: g.include, exclude: g.exclude })),
      applied: [...store.applied.values()],
      shares: [...store.shares.values()],
      people: store.people.links(),
    };
    const tmp = `${this.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.statePath);
    // Key files of earlier saves (and temp files of an interrupted one) that the state no longer names.
    const named = new Set<string>();
    for (const x of [...state.files.map((f) => f.rows), ...state.audiences.map((a) => a.members)]) if (x.keysFile) named.add(x.keysFile);
    let names: string[];
    try {
      names = readdirSync(this.keysDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) if (!named.has(name)) rmSync(path.join(this.keysDir, name), { force: true });
  }

  /**
   * The key file of a key list: the one written before when the list is the same object, unchanged since (a
   * `revision` of null: it cannot tell, so always written), and still there; else a new one.
   */
  private keysOf(tag: string, id: string, keys: Iterable<string> & object, count: number, revision: number | null): KeysRef {
    if (count === 0) return { count, keysFile: null };
    const before = this.written.get(keys);
    if (before && revision !== null && before.revision === revision && existsSync(path.join(this.keysDir, before.file))) return { count, keysFile: before.file };
    this.makeKeysDir();
    const file = `${tag}-${id.replace(/[^0-9a-z]/gi, '').toLowerCase() || 'x'}-${randomBytes(6).toString('hex')}.keys`;
    const tmp = path.join(this.keysDir, `${file}.tmp`);
    writeKeyFile(tmp, keys, count);
    renameSync(tmp, path.join(this.keysDir, file));
    this.written.set(keys, { file, revision: revision ?? -1 });
    return { count, keysFile: file };
  }

  /**
   * The key folder, owner-only (made on the first key file: a sandbox without audiences keeps one file). Not the
   * data folder: a data folder deleted while the sandbox runs (its workspace removed) stays deleted (ENOENT).
   */
  private makeKeysDir(): void {
    try {
      mkdirSync(this.keysDir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // mkdir's mode applies to a new folder only (a copied data folder may have a wider one).
    chmodSync(this.keysDir, 0o700);
  }

  /** Reads the keys of `ref` into `into` through `add`; a missing or damaged key file stops the sandbox with what to do. */
  private readKeys(ref: KeysRef, add: (key: string) => void): void {
    if (!ref.keysFile) return;
    const fix = `delete ${STATE_FILE} and ${KEYS_DIR} in ${this.dataDir} to start the sandbox afresh (its audiences are lost)`;
    if (!KEY_FILE_NAME.test(ref.keysFile)) throw new Error(`The sandbox's saved state names a key file "${ref.keysFile}" it never writes: ${fix}.`);
    const file = path.join(this.keysDir, ref.keysFile);
    let count: number;
    try {
      count = readKeyFile(file, add);
    } catch (err) {
      // A plain error: an ENOENT code here would read as "no saved state" to a caller.
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} is missing` : (err as Error).message;
      throw new Error(`The sandbox's saved state cannot be read: ${why}. ${fix}.`);
    }
    if (count !== ref.count) throw new Error(`The sandbox's saved state cannot be read: ${file} holds ${count} keys where ${ref.count} were saved. ${fix}.`);
  }
}
