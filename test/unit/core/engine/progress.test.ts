import { describe, expect, it } from 'vitest';
import { RateMeter, runPhase } from '../../../../electron/core/engine/progress';

describe('run progress', () => {
  it("maps the runner's phases onto the contract's", () => {
    expect(runPhase({ phase: 'reading', rows: undefined })).toBe('reading');
    expect(runPhase({ phase: 'reading', rows: 0 })).toBe('reading');
    expect(runPhase({ phase: 'reading', rows: 10 })).toBe('hashing');
    expect(runPhase({ phase: 'planning' })).toBe('diffing');
    expect(runPhase({ phase: 'uploading' })).toBe('uploading');
    expect(runPhase({ phase: 'sending' })).toBe('updating');
    expect(runPhase({ phase: 'verifying' })).toBe('verifying');
  });

  it('measures rows per second and the time left on an injected clock', () => {
    let now = 1_000;
    const meter = new RateMeter(() => now);
    expect(meter.measure(100, 0.1)).toEqual({});
    now += 2_000;
    expect(meter.measure(50_000, 0.25)).toEqual({ rowsPerSec: 25_000, etaSec: 6 });
    expect(meter.measure(200_000, 1)).toEqual({ rowsPerSec: 100_000 });
    expect(meter.measure(0, 0.5)).toEqual({});
    expect(meter.measure(10, null)).toEqual({ rowsPerSec: 5 });
  });
});
