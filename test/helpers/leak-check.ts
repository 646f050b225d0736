/**
 * The leak check of the test run (issue #12 §11): no token and no raw test identifier may appear in any file
 * the app wrote — data folders, temp folders, the simulator's uploads, reports. test/run.sh points TMPDIR of
 * the whole run at one folder and preloads test/leak-keep.mjs, which hard-links whatever the tests and the
 * app remove under it into `<root>/.kept/`; this script then scans everything under the root.
 *
 * Canaries: the sandbox's and the tests' token values, any token the simulator issued (`sbx` + 37 hex digits,
 * its only shape), and the raw emails the tests generate (`…@example.com` / `.org`). Allowed, precisely:
 * - anything in Vitest's or Playwright's module cache (the project's own source, transformed for the workers);
 * - raw emails in the tests' own input files: a .csv / .tsv / .txt file outside every data folder and app
 *   temp folder (the app writes its own files only there);
 * - raw emails in a rejects report (a file starting with the report's header: written only when a test asked);
 * - raw emails in a web-host upload (a copy of a test's input, under `cohort-relay-uploads-*`) that the host
 *   removed — one still there at the end is a leak;
 * - tokens in the simulator's own state (`sandbox-state.json`: TikTok's side of the wire keeps the tokens it
 *   issued).
 * A finding names the file, the byte offset and the canary — never the token itself.
 *
 * Usage: `tsx test/helpers/leak-check.ts <root>`; exit 0 when clean, 1 on a finding or when the root is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REJECTS_HEADER } from '../../electron/core/cohort/csv-write';
import { SANDBOX_ACCESS_TOKEN, SANDBOX_APP_SECRET } from '../../electron/core/sandbox/seed';

export interface Canary {
  name: string;
  kind: 'token' | 'identifier';
  /** A fixed value, a pattern (global flag) matched on the file's bytes read as latin1, or a finder of the first offset (-1: none). */
  match: string | RegExp | ((buf: Buffer) => number);
}

export const CANARIES: readonly Canary[] = [
  { name: 'sandbox access token', kind: 'token', match: SANDBOX_ACCESS_TOKEN },
  { name: 'sandbox app secret', kind: 'token', match: SANDBOX_APP_SECRET },
  { name: 'a test TIKTOK_ACCESS_TOKEN (prod-token-…)', kind: 'token', match: 'prod-token-1234567890' },
  { name: 'a test token (not-a-real-token-…)', kind: 'token', match: 'not-a-real-token-0000000000' },
  { name: 'a token the simulator issued (sbx…)', kind: 'token', match: /sbx[0-9a-f]{37}/g },
  { name: 'a raw test email (…@example.com/.org)', kind: 'identifier', match: findTestEmail },
];

const LOCAL_PART = /[A-Za-z0-9._%+-]/;

/**
 * The first `<local part>@example.com` / `.org` in `buf` (its offset), or -1. Looks for the domain with indexOf
 * and walks back over the local part: a pattern with a leading character class is quadratic on long runs of
 * letters and digits (hex digests), this is linear.
 */
export function findTestEmail(buf: Buffer): number {
  for (let at = buf.indexOf('@example.'); at >= 0; at = buf.indexOf('@example.', at + 1)) {
    const tld = buf.toString('latin1', at + 9, at + 12);
    if ((tld !== 'com' && tld !== 'org') || (at + 12 < buf.length && /[A-Za-z0-9]/.test(String.fromCharCode(buf[at + 12]!)))) continue;
    let start = at;
    while (start > 0 && LOCAL_PART.test(String.fromCharCode(buf[start - 1]!))) start--;
    if (start < at) return start;
  }
  return -1;
}

export interface Finding {
  file: string;
  offset: number;
  canary: string;
}

/** Files that mark a folder as a data folder (COHORT_RELAY_HOME, or `sandbox --data`). */
const DATA_FOLDER_MARKS = ['cohort-relay.sqlite', 'cohort-relay.installed', 'quota-ledger.jsonl', 'sandbox-state.json'];
/** The app's own temp folders (sync-runner's upload files, the web host's uploads and downloads). */
const APP_TEMP_PREFIXES = ['cohort-relay-upload-', 'cohort-relay-uploads-', 'cohort-relay-downloads-'];
const INPUT_EXTENSIONS = new Set(['.csv', '.tsv', '.txt']);
/** Above this, only fixed values are looked for (no pattern): keeps the check fast on a huge test input. */
const PATTERN_LIMIT = 64 * 1024 * 1024;

interface Place {
  /** Inside a data folder or one of the app's temp folders. */
  app: boolean;
  /** Inside a web-host upload folder. */
  upload: boolean;
}

function isDataFolder(names: readonly string[]): boolean {
  return DATA_FOLDER_MARKS.some((m) => names.includes(m));
}

/**
 * The test runners' module caches: the project's own source files (test code holding the test tokens) as they
 * were transformed for the workers, not files the app wrote. Vitest's: `<tmp>/<id>/ssr|client/<sha1>`, each starting
 * Vite's transform; Playwright's: `<tmp>/playwright-transform-cache-<uid>/<xx>/<hash>_<name>.js|.map`.
 */
function isRunnerCache(file: string, buf: Buffer): boolean {
  if (/[/\\](?:ssr|client)[/\\][0-9a-f]{40}$/.test(file) && buf.includes('__vite_ssr_')) return true;
  // tsx's transform cache (the CLI and bench run through tsx): `<tmp>/tsx-<uid>/<pid>-<sha1>`, JSON with the code.
  if (/(?:^|[/\\])tsx-\d+[/\\]\d+-[0-9a-f]{40}$/.test(file) && buf.subarray(0, 9).toString('utf8') === '{"code":"') return true;
  return /(?:^|[/\\])playwright-transform-cache(?:-\d+)?[/\\][0-9a-f]{2}[/\\][0-9a-f]{10}_[0-9a-f]{7}_[^/\\]+\.(?:js|map)$/.test(file);
}

function allowedFor(kind: Canary['kind'], file: string, buf: Buffer, place: Place, kept: boolean): boolean {
  if (isRunnerCache(file, buf)) return true;
  if (kind === 'token') return path.basename(file) === 'sandbox-state.json' && place.app;
  if (buf.subarray(0, REJECTS_HEADER.length).toString('utf8') === REJECTS_HEADER) return true;
  if (place.upload) return kept;
  return !place.app && INPUT_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** The canaries found in one file's bytes (first hit of each canary). */
export function scanBuffer(buf: Buffer, canaries: readonly Canary[] = CANARIES): { canary: Canary; offset: number }[] {
  const out: { canary: Canary; offset: number }[] = [];
  let text: string | null = null;
  for (const c of canaries) {
    if (typeof c.match === 'string' || typeof c.match === 'function') {
      const at = typeof c.match === 'string' ? buf.indexOf(c.match) : c.match(buf);
      if (at >= 0) out.push({ canary: c, offset: at });
    } else if (buf.length <= PATTERN_LIMIT) {
      text ??= buf.toString('latin1');
      c.match.lastIndex = 0;
      const m = c.match.exec(text);
      if (m) out.push({ canary: c, offset: m.index });
    }
  }
  return out;
}

/** Every finding under `root` (files left there and files kept in `root/.kept` when they were removed). */
export function scanForLeaks(root: string, canaries: readonly Canary[] = CANARIES): Finding[] {
  const findings: Finding[] = [];
  const walk = (dir: string, place: Place, kept: boolean): void => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    const here: Place = { app: place.app || isDataFolder(names), upload: place.upload };
    for (const name of names) {
      const p = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        const appTemp = APP_TEMP_PREFIXES.some((pre) => name.startsWith(pre));
        walk(p, { app: here.app || appTemp, upload: here.upload || name.startsWith('cohort-relay-uploads-') }, kept || (dir === root && name === '.kept'));
      } else if (st.isFile() && st.size > 0) {
        let buf: Buffer;
        try {
          buf = fs.readFileSync(p);
        } catch {
          continue;
        }
        for (const hit of scanBuffer(buf, canaries)) {
          if (!allowedFor(hit.canary.kind, p, buf, here, kept)) findings.push({ file: path.relative(root, p), offset: hit.offset, canary: hit.canary.name });
        }
      }
    }
  };
  walk(root, { app: false, upload: false }, false);
  return findings;
}

function main(): void {
  const root = process.argv[2];
  if (!root || !fs.existsSync(root)) {
    console.error(`leak-check: the test run's temp folder ${root ?? '(none given)'} does not exist; nothing could be checked.`);
    process.exit(1);
  }
  const findings = scanForLeaks(path.resolve(root));
  for (const f of findings) console.error(`leak: ${f.file} at byte ${f.offset}: ${f.canary}`);
  console.log(findings.length === 0 ? `leak-check: no token or raw test identifier in the files the tests and the app wrote under ${root}` : `leak-check: ${findings.length} leak(s) found`);
  process.exit(findings.length === 0 ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
