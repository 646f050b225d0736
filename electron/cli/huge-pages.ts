/**
 * Huge pages for a command that reads a large cohort file (Linux).
 *
 * A 5 M-row plan first touches about 200 MB of digests and buffers. On 4 KiB pages that is some 40,000 page faults more
 * than the same plan on 2 MiB pages, and in a virtual machine a fault costs 10–15 µs: 0.4–0.6 s of a 3 s plan, measured
 * (`npm run bench`). The kernel gives a process huge pages where THP is `always`, or where it is `madvise` (the usual
 * default) for memory the process marks. Node's ArrayBuffers come from glibc's malloc, and glibc ≥ 2.35 marks its large
 * allocations when GLIBC_TUNABLES holds `glibc.malloc.hugetlb=1`, a setting it reads only when a process starts. So for
 * `plan` or `sync` of a large file the CLI starts itself once more with that setting (launch.ts); a small file, another
 * command or another system runs at once, as before. COHORT_RELAY_HUGE_PAGES=off turns it off; `always` relaunches for
 * any file, for tests.
 *
 * Plain Node only: the CLI's launcher imports this before anything else loads.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Below this size the second start (about 0.05–0.1 s) costs more than the page faults it saves. */
export const HUGE_PAGES_MIN_BYTES = 64 * 1024 * 1024;
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';
/** The commands that read a whole cohort file. */
const FILE_COMMANDS = new Set(['plan', 'sync']);
const THP_ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';

/** What the decision depends on, each read only when the previous ones have not decided already. */
export interface HugePagesProbe {
  platform: NodeJS.Platform;
  /** The THP mode the kernel is in (`always`, `madvise`, `never`), or null when it says none. */
  thpMode(): string | null;
  /** The runtime glibc version ("2.36"), or null when the process does not run on glibc (musl, Bionic). */
  glibc(): string | null;
  /** The size of the file at `p` (resolved against the current folder), or null when there is none. */
  fileSize(p: string): number | null;
}

export const systemProbe: HugePagesProbe = {
  platform: process.platform,
  thpMode() {
    try {
      return /\[(\w+)\]/.exec(fs.readFileSync(THP_ENABLED, 'utf8'))?.[1] ?? null;
    } catch {
      return null;
    }
  },
  glibc() {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return header?.glibcVersionRuntime ?? null;
  },
  fileSize(p) {
    try {
      const st = fs.statSync(path.resolve(p));
      return st.isFile() ? st.size : null;
    } catch {
      return null;
    }
  },
};

/** The command (first word that is not an option; `--workspace NAME` may stand before it) and its `--csv` file. */
export function commandAndFile(argv: readonly string[]): { command: string | null; csv: string | null } {
  let command: string | null = null;
  let csv: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--workspace' || a === '--csv') {
      if (a === '--csv') csv = argv[i + 1] ?? null;
      i++;
    } else if (a.startsWith('--csv=')) csv = a.slice('--csv='.length);
    else if (!a.startsWith('-') && command === null) command = a;
  }
  return { command, csv };
}

function atLeast(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return !!m && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/**
 * The environment to start the command again with, or null to run it in this process: `argv` is the command line
 * after the script (process.argv.slice(2)).
 */
export function hugePagesEnv(argv: readonly string[], env: NodeJS.ProcessEnv, probe: HugePagesProbe = systemProbe): NodeJS.ProcessEnv | null {
  const mode = (env.COHORT_RELAY_HUGE_PAGES ?? '').toLowerCase();
  if (mode === 'off' || mode === '0' || probe.platform !== 'linux') return null;
  // Already set (by the user, or this is the second start): never a third.
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return null;
  const { command, csv } = commandAndFile(argv);
  if (command === null || !FILE_COMMANDS.has(command) || csv === null) return null;
  if (mode !== 'always') {
    const size = probe.fileSize(csv);
    if (size === null || size < HUGE_PAGES_MIN_BYTES) return null;
    // `always`: the kernel gives huge pages without being asked; `never` (or none): asking changes nothing.
    if (probe.thpMode() !== 'madvise') return null;
    const glibc = probe.glibc();
    if (glibc === null || !atLeast(glibc, 2, 35)) return null;
  }
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES_TUNABLE}` : HUGE_PAGES_TUNABLE };
}
