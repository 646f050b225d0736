/** When the CLI starts itself again with glibc's huge-page setting (electron/cli/huge-pages.ts), and when it does not. */
import { describe, expect, it } from 'vitest';
import { HUGE_PAGES_MIN_BYTES, HUGE_PAGES_TUNABLE, commandAndFile, hugePagesEnv, type HugePagesProbe } from '../../../electron/cli/huge-pages';

const BIG = HUGE_PAGES_MIN_BYTES;

/** A Linux machine with THP `madvise`, glibc 2.36 and one file of `size` bytes at big.csv. */
function probe(over: Partial<{ platform: NodeJS.Platform; thp: string | null; glibc: string | null; size: number }> = {}): HugePagesProbe & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    platform: over.platform ?? 'linux',
    thpMode: () => (asked.push('thp'), over.thp === undefined ? 'madvise' : over.thp),
    glibc: () => (asked.push('glibc'), over.glibc === undefined ? '2.36' : over.glibc),
    fileSize: (p) => (asked.push(`size ${p}`), p === 'big.csv' ? (over.size ?? BIG) : null),
  };
}

const PLAN = ['plan', '--csv', 'big.csv', '--key', 'email'];

describe('commandAndFile', () => {
  it('finds the command and its --csv in either form, after a --workspace', () => {
    expect(commandAndFile(PLAN)).toEqual({ command: 'plan', csv: 'big.csv' });
    expect(commandAndFile(['--workspace', 'plan', 'sync', '--csv=a b.csv'])).toEqual({ command: 'sync', csv: 'a b.csv' });
    expect(commandAndFile(['status', '--json'])).toEqual({ command: 'status', csv: null });
    expect(commandAndFile(['plan', '--', '--csv', 'x'])).toEqual({ command: 'plan', csv: null });
  });
});

describe('hugePagesEnv', () => {
  it('starts plan or sync of a large file again with the tunable, keeping the rest of the environment', () => {
    for (const command of ['plan', 'sync']) {
      const env = hugePagesEnv([command, ...PLAN.slice(1)], { PATH: '/bin' }, probe());
      expect(env).toEqual({ PATH: '/bin', GLIBC_TUNABLES: HUGE_PAGES_TUNABLE });
    }
  });

  it('adds the tunable to ones already set', () => {
    expect(hugePagesEnv(PLAN, { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, probe())?.GLIBC_TUNABLES).toBe(`glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}`);
  });

  it('never starts a third time: the tunable set (by the user or by the first start) means run here', () => {
    expect(hugePagesEnv(PLAN, { GLIBC_TUNABLES: HUGE_PAGES_TUNABLE }, probe())).toBeNull();
    expect(hugePagesEnv(PLAN, { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, probe())).toBeNull();
  });

  it('runs here for a small or missing file, another command, another system, THP always or never, an old or no glibc', () => {
    expect(hugePagesEnv(PLAN, {}, probe({ size: BIG - 1 }))).toBeNull();
    expect(hugePagesEnv(['plan', '--csv', 'missing.csv', '--key', 'email'], {}, probe())).toBeNull();
    expect(hugePagesEnv(['status', '--csv', 'big.csv'], {}, probe())).toBeNull();
    expect(hugePagesEnv(['sync', '--audience-id', '3'], {}, probe())).toBeNull();
    expect(hugePagesEnv(PLAN, {}, probe({ platform: 'darwin' }))).toBeNull();
    expect(hugePagesEnv(PLAN, {}, probe({ thp: 'always' }))).toBeNull();
    expect(hugePagesEnv(PLAN, {}, probe({ thp: 'never' }))).toBeNull();
    expect(hugePagesEnv(PLAN, {}, probe({ thp: null }))).toBeNull();
    expect(hugePagesEnv(PLAN, {}, probe({ glibc: '2.31' }))).toBeNull();
    expect(hugePagesEnv(PLAN, {}, probe({ glibc: null }))).toBeNull();
    expect(hugePagesEnv(PLAN, {}, probe({ glibc: '3.0' }))).not.toBeNull();
  });

  it('asks nothing of the system for a command that reads no file (every other command starts at once)', () => {
    const p = probe();
    expect(hugePagesEnv(['status'], {}, p)).toBeNull();
    expect(p.asked).toEqual([]);
  });

  it('COHORT_RELAY_HUGE_PAGES=off turns it off; =always relaunches for any file', () => {
    expect(hugePagesEnv(PLAN, { COHORT_RELAY_HUGE_PAGES: 'off' }, probe())).toBeNull();
    const p = probe({ size: 10, thp: 'never' });
    expect(hugePagesEnv(PLAN, { COHORT_RELAY_HUGE_PAGES: 'always' }, p)?.GLIBC_TUNABLES).toBe(HUGE_PAGES_TUNABLE);
    expect(hugePagesEnv(PLAN, { COHORT_RELAY_HUGE_PAGES: 'always' }, probe({ platform: 'win32' }))).toBeNull();
  });
});
