import { describe, expect, it } from 'vitest';
import { RateLimiter, configureProcessLimiter, processLimiter } from '../../../../electron/core/tiktok/limiter';

/** A limiter on a fake clock whose sleep advances the clock (no wall time). */
function fake(opts: { qps?: number; qpm?: number } = {}) {
  let now = 1_000_000;
  const slept: number[] = [];
  const limiter = new RateLimiter({
    ...opts,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  return { limiter, slept, clock: { get: () => now, advance: (ms: number) => (now += ms) } };
}

describe('RateLimiter', () => {
  it('lets 10 calls through in a second, then books the 11th one second after the first', () => {
    const { limiter } = fake();
    const waits = Array.from({ length: 12 }, () => limiter.reserve());
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits.slice(10)).toEqual([1000, 1000]);
  });

  it('keeps any rolling second at or under the QPS limit while calls wait their turn', async () => {
    const { limiter, clock } = fake({ qps: 3, qpm: 1000 });
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      await limiter.acquire();
      times.push(clock.get());
    }
    for (const t of times) expect(times.filter((x) => x > t - 1000 && x <= t).length).toBeLessThanOrEqual(3);
    expect(times.at(-1)! - times[0]!).toBe(3000);
  });

  it('enforces the per-minute limit on top of the per-second one', async () => {
    const { limiter, clock } = fake({ qps: 10, qpm: 20 });
    const start = clock.get();
    for (let i = 0; i < 20; i++) await limiter.acquire();
    expect(clock.get() - start).toBe(1000); // 2 seconds of 10
    await limiter.acquire();
    expect(clock.get() - start).toBe(60_000); // the 21st waits for the first to leave the minute
  });

  it('needs no wait again once the window has passed', () => {
    const { limiter, clock } = fake({ qps: 2 });
    limiter.reserve();
    limiter.reserve();
    clock.advance(1000);
    expect(limiter.reserve()).toBe(0);
  });

  it('holds every call until a pause set after TikTok answered 40100', () => {
    const { limiter, clock } = fake();
    limiter.pauseUntil(clock.get() + 700);
    expect(limiter.reserve()).toBe(700);
    expect(limiter.reserve()).toBe(700);
  });

  it('rejects a waiting acquire when its signal aborts, without waiting', async () => {
    const { limiter } = fake({ qps: 1 });
    await limiter.acquire();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(limiter.acquire(ac.signal)).rejects.toThrow('stop');
  });

  it('takes new limits from configure and refuses non-positive ones', () => {
    const { limiter } = fake({ qps: 1 });
    limiter.configure({ qps: 5 });
    expect(Array.from({ length: 5 }, () => limiter.reserve())).toEqual([0, 0, 0, 0, 0]);
    expect(() => limiter.configure({ qpm: 0 })).toThrow(RangeError);
  });

  it('reports its usage in the last second and minute', () => {
    const { limiter, clock } = fake();
    limiter.reserve();
    clock.advance(1500);
    limiter.reserve();
    expect(limiter.usage()).toEqual({ lastSecond: 1, lastMinute: 2 });
  });

  it('is one shared instance per process, 10 QPS / 600 QPM by default', () => {
    expect(processLimiter()).toBe(processLimiter());
    expect(processLimiter().limits).toEqual({ qps: 10, qpm: 600 });
    expect(configureProcessLimiter({ qps: 20 }).limits).toEqual({ qps: 20, qpm: 600 });
    configureProcessLimiter({ qps: 10 });
  });
});
