import { describe, expect, it } from 'vitest';
import { planSync, floorMessage } from '../../../../electron/core/sync/planner';

const base = { current: 0, target: 0, adds: 0, removes: 0, remoteExists: true, callsLeft: 24, replacesToday: 0 };
const perFile = Math.floor((50 * 1024 * 1024) / 65);

describe('planSync', () => {
  it('a first sync creates the audience with one call when the cohort fits in 50 files', () => {
    const p = planSync({ ...base, remoteExists: false, target: 4_800_000, adds: 4_800_000 });
    expect(p.strategy).toBe('create');
    expect(p.calls.map((c) => c.kind)).toEqual(['create']);
    expect(p.calls[0]!.files).toBe(Math.ceil(4_800_000 / perFile));
  });

  it('a cohort far over 4.8 M users still syncs: create, then APPENDs of 50 files each', () => {
    const p = planSync({ ...base, remoteExists: false, target: 100_000_000, adds: 100_000_000 });
    expect(p.calls[0]!.kind).toBe('create');
    expect(p.calls.slice(1).every((c) => c.kind === 'APPEND')).toBe(true);
    expect(p.calls.every((c) => c.files <= 50)).toBe(true);
    expect(p.calls.reduce((s, c) => s + c.entries, 0)).toBe(100_000_000);
    expect(p.calls.length).toBeLessThanOrEqual(4);
  });

  it('later syncs APPEND all adds before they REMOVE, so the audience never dips', () => {
    const p = planSync({ ...base, current: 10_000, target: 10_000, adds: 500, removes: 500 });
    expect(p.strategy).toBe('incremental');
    expect(p.calls.map((c) => c.kind)).toEqual(['APPEND', 'REMOVE']);
    expect(p.calls.map((c) => c.sizeAfter)).toEqual([10_500, 10_000]);
  });

  it('emptying the audience is never a REPLACE of nothing that reports done: it is REMOVEs, which the floor stops', () => {
    const p = planSync({ ...base, current: 1500, target: 0, removes: 1500 });
    expect(p.strategy).toBe('incremental');
    expect(p.floorBlock).toMatchObject({ current: 1500, removes: 1500, resulting: 0 });
    expect(p.now).toEqual([]);
  });

  it('nothing to do costs no call', () => {
    const p = planSync({ ...base, current: 5000, target: 5000 });
    expect(p.strategy).toBe('nothing');
    expect(p.calls).toEqual([]);
  });

  it('uses REPLACE only when cheaper and the change is most of the audience', () => {
    const big = planSync({ ...base, current: 2000, target: 2000, adds: 1500, removes: 1500 });
    expect(big.strategy).toBe('replace');
    expect(big.calls.map((c) => c.kind)).toEqual(['REPLACE']);
    const small = planSync({ ...base, current: 1_000_000, target: 1_000_000, adds: 100, removes: 100 });
    expect(small.strategy).toBe('incremental');
  });

  it('uses REPLACE when the budget cannot fit APPEND + REMOVE but one call fits', () => {
    const p = planSync({ ...base, current: 1_000_000, target: 1_000_000, adds: 100, removes: 100, callsLeft: 1 });
    expect(p.strategy).toBe('replace');
    expect(p.now).toHaveLength(1);
    expect(p.deferred).toHaveLength(0);
  });

  it('never plans a second REPLACE on the same UTC day', () => {
    const p = planSync({ ...base, current: 2000, target: 2000, adds: 1500, removes: 1500, replacesToday: 1 });
    expect(p.calls.map((c) => c.kind)).toEqual(['APPEND', 'REMOVE']);
  });

  it('sends what fits, APPEND first, and defers the rest', () => {
    const p = planSync({ ...base, current: 10_000, target: 10_000, adds: 10, removes: 10, callsLeft: 1, replacesToday: 1 });
    expect(p.now.map((c) => c.kind)).toEqual(['APPEND']);
    expect(p.deferred.map((c) => c.kind)).toEqual(['REMOVE']);
    expect(p.sizeAfterNow).toBe(10_010);
  });

  it('refuses any update that would leave fewer than 1,000, and says why with the numbers', () => {
    const p = planSync({ ...base, current: 1200, target: 900, adds: 0, removes: 300 });
    expect(p.calls).toEqual([]);
    expect(p.floorBlock).toEqual({ current: 1200, adds: 0, removes: 300, resulting: 900, floor: 1000 });
    expect(floorMessage(p.floorBlock!)).toMatch(/900 people \(now 1,200, \+0, −300\).*fewer than 1,000/);
  });

  it('a first sync under 1,000 warns that TikTok will show it unavailable but is allowed', () => {
    const p = planSync({ ...base, remoteExists: false, target: 400, adds: 400 });
    expect(p.calls.map((c) => c.kind)).toEqual(['create']);
    expect(p.warnings.join(' ')).toMatch(/unavailable/);
  });

  it('an adopted audience with unknown membership is made exact with a REPLACE', () => {
    const p = planSync({ ...base, membershipUnknown: true, target: 3000, adds: 3000 });
    expect(p.strategy).toBe('adopt');
    expect(p.calls.map((c) => c.kind)).toEqual(['REPLACE']);
  });

  it('splits by file and call size exactly', () => {
    const p = planSync({ ...base, current: 5000, target: 5000, adds: 25, removes: 0, hashesPerFile: 2, filesPerCall: 3 });
    expect(p.calls.map((c) => [c.offset, c.entries, c.files])).toEqual([[0, 6, 3], [6, 6, 3], [12, 6, 3], [18, 6, 3], [24, 1, 1]]);
  });

  it('a create that starts a multi-call plan reaches the floor by itself, so the APPENDs after it are accepted', () => {
    const p = planSync({ ...base, remoteExists: false, target: 1500, adds: 1500, hashesPerFile: 100, filesPerCall: 2 });
    expect(p.calls.map((c) => [c.kind, c.entries])).toEqual([['create', 1000], ['APPEND', 200], ['APPEND', 200], ['APPEND', 100]]);
    expect(p.calls.every((c) => c.sizeAfter >= 1000)).toBe(true);
  });
});
