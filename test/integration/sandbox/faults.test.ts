import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TikTokClient } from '../../../electron/core/tiktok/client';
import { TikTokApiError } from '../../../electron/core/tiktok/errors';
import { FaultInjector, SANDBOX_ADVERTISERS, startSimulator, type SimulatorHandle } from '../../../electron/core/sandbox';
import { clientFor, createAudienceOf, hashes, thrown, upload } from '../tiktok/helpers';

let sim: SimulatorHandle;
const ADV = SANDBOX_ADVERTISERS[0]!.advertiserId;

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false, processingDelayMs: 0, seed: 42, matchRate: 'exact' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.faults.reset());

describe('injected faults, as the client sees them', () => {
  it('retries a read through HTTP 5xx with growing backoff and succeeds', async () => {
    const { client, calls, sleeps } = clientFor(sim);
    sim.faults.failNext('dmp/custom_audience/list', 'http5xx', 2, 502);
    const r = await client.listAudiences(ADV);
    expect(r.requestIds).toHaveLength(1);
    expect(calls.map((c) => [c.attempt, c.httpStatus, c.error?.category ?? 'ok'])).toEqual([
      [1, 502, 'retry'],
      [2, 502, 'retry'],
      [3, 200, 'ok'],
    ]);
    // random() = 0.5 → equal jitter gives 3/4 of each step: 500 ms, then 1000 ms steps
    expect(sleeps).toEqual([375, 750]);
  });

  it('retries a read through code 50000 (HTTP 200) and succeeds', async () => {
    const { client, calls } = clientFor(sim);
    sim.faults.failNext('user/info', 'code50000', 1);
    await client.userInfo();
    expect(calls.map((c) => c.code)).toEqual([50000, 0]);
  });

  it('does not resend a create after HTTP 5xx (maybe applied); nothing was applied', async () => {
    const { client, calls } = clientFor(sim);
    const fp = await upload(client, ADV, hashes(3, 'f5'));
    sim.faults.failNext('dmp/custom_audience/create', 'http5xx', 1);
    const before = sim.audiences(ADV).length;
    const err = await thrown<TikTokApiError>(() => client.createAudience({ advertiserId: ADV, name: 'five', calculateType: 'EMAIL_SHA256', filePaths: [fp] }));
    expect([err.kind, err.httpStatus, err.category, err.code, err.maybeApplied]).toEqual(['http', 503, 'retry', 'TIKTOK_UNAVAILABLE', true]);
    expect(calls.filter((c) => c.endpoint === 'dmp/custom_audience/create/')).toHaveLength(1);
    expect(sim.audiences(ADV).length).toBe(before);
  });

  it('does not resend an update after code 50000; the caller may retry it explicitly', async () => {
    const { client } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1000, 'f50'));
    const fp = await upload(client, ADV, hashes(2, 'f50-x'));
    sim.faults.failNext('dmp/custom_audience/update', 'code50000', 1);
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
    expect([err.tiktokCode, err.maybeApplied]).toEqual([50000, true]);
    expect(sim.membership(audienceId)?.size).toBe(1000);
    sim.faults.failNext('dmp/custom_audience/update', 'code50000', 1);
    await client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }, { retry: 'all' });
    expect(sim.membership(audienceId)?.size).toBe(1002);
  });

  it('reports a dropped connection as a network error that may have applied; a read is retried', async () => {
    const { client, calls } = clientFor(sim);
    sim.faults.failNext('dmp/custom_audience/list', 'drop', 1);
    await client.listAudiences(ADV);
    expect(calls[0]!.error).toMatchObject({ appCode: 'NETWORK', category: 'retry', maybeApplied: true });
    expect(calls[1]!.code).toBe(0);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1000, 'drop'));
    const fp = await upload(client, ADV, hashes(1, 'drop-x'));
    sim.faults.failNext('dmp/custom_audience/update', 'drop', 1);
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
    expect([err.kind, err.networkCode, err.maybeApplied]).toEqual(['network', 'UND_ERR_SOCKET', true]);
    expect(sim.membership(audienceId)?.size).toBe(1000);
  });

  it('loses the acknowledgement of an applied update: the change is in, the client sees a network error with maybeApplied', async () => {
    const { client, calls } = clientFor(sim);
    const { audienceId } = await createAudienceOf(client, ADV, hashes(1000, 'ack'));
    const extra = hashes(7, 'ack-x');
    const fp = await upload(client, ADV, extra);
    sim.faults.failNext('dmp/custom_audience/update', 'lost-ack', 1);
    const err = await thrown<TikTokApiError>(() => client.updateAudience({ advertiserId: ADV, audienceId, action: 'APPEND', filePaths: [fp] }));
    expect([err.kind, err.code, err.category, err.maybeApplied]).toEqual(['network', 'NETWORK', 'retry', true]);
    expect(sim.membership(audienceId)?.size).toBe(1007);
    expect(sim.callsOn(audienceId)).toBe(2);
    expect(calls.filter((c) => c.endpoint === 'dmp/custom_audience/update/')).toHaveLength(1);
    expect(sim.requests('dmp/custom_audience/update').at(-1)).toMatchObject({ code: 0, fault: 'lost-ack' });
  });

  it('loses the acknowledgement of a create: the audience exists and can be found by name', async () => {
    const { client } = clientFor(sim);
    const fp = await upload(client, ADV, hashes(3, 'ackc'));
    sim.faults.failNext('dmp/custom_audience/create', 'lost-ack', 1);
    const err = await thrown<TikTokApiError>(() => client.createAudience({ advertiserId: ADV, name: 'Lost ack create', calculateType: 'EMAIL_SHA256', filePaths: [fp] }));
    expect(err.maybeApplied).toBe(true);
    const found = (await client.listAudiences(ADV)).audiences.filter((a) => a.name === 'Lost ack create');
    expect(found).toHaveLength(1);
  });

  it('retries an injected 40100 even for a create (it certainly did not apply), after the QPS wait', async () => {
    const { client, calls, sleeps } = clientFor(sim, { now: () => Date.parse('2030-01-01T00:00:00.250Z') });
    const fp = await upload(client, ADV, hashes(3, 'rl'));
    sim.faults.failNext('dmp/custom_audience/create', 'rate-limit', 1);
    await client.createAudience({ advertiserId: ADV, name: 'after rate limit', calculateType: 'EMAIL_SHA256', filePaths: [fp] });
    expect(calls.filter((c) => c.endpoint === 'dmp/custom_audience/create/').map((c) => c.code)).toEqual([40100, 0]);
    // 750 ms to the next second + up to 100 ms jitter (random 0.5 → 50)
    expect(sleeps).toEqual([800]);
  });

  it('retries a create when the connection was refused (the request never left), then gives up after maxAttempts', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const calls: string[] = [];
    const c = new TikTokClient({ base: `http://127.0.0.1:${port}`, accessToken: 't', limiter: null, sleep: async () => {}, retry: { maxAttempts: 3 }, onCall: (e) => calls.push(e.error?.category ?? 'ok') });
    const err = await thrown<TikTokApiError>(() => c.createAudience({ advertiserId: ADV, name: 'x', calculateType: 'EMAIL_SHA256', filePaths: ['a'] }));
    expect([err.kind, err.networkCode, err.maybeApplied, err.code]).toEqual(['network', 'ECONNREFUSED', false, 'NETWORK']);
    expect(calls).toEqual(['retry', 'retry', 'retry']);
  });

  it('times out a request that gets no answer (maybeApplied) and cancels on the caller signal', async () => {
    const hang = http.createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    try {
      const c = new TikTokClient({ base: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, accessToken: 't', limiter: null, sleep: async () => {} });
      const err = await thrown<TikTokApiError>(() => c.updateAudience({ advertiserId: ADV, audienceId: '1', action: 'APPEND', filePaths: ['a'] }, { timeoutMs: 50 }));
      expect([err.kind, err.code, err.maybeApplied]).toEqual(['timeout', 'NETWORK', true]);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 20);
      const cancelled = await thrown<TikTokApiError>(() => c.userInfo({ signal: ac.signal }));
      expect([cancelled.kind, cancelled.code]).toEqual(['aborted', 'CANCELLED']);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });

  it('treats an HTML page with HTTP 200 as an unreadable answer, retried for reads', async () => {
    const proxy = http.createServer((_req, res) => res.end('<html>captive portal</html>'));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const kinds: string[] = [];
      const c = new TikTokClient({ base: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, accessToken: 't', limiter: null, sleep: async () => {}, retry: { maxAttempts: 2 }, onCall: (e) => kinds.push(e.error?.appCode ?? 'ok') });
      const err = await thrown<TikTokApiError>(() => c.userInfo());
      expect([err.kind, err.code]).toEqual(['invalid-response', 'TIKTOK_UNAVAILABLE']);
      expect(kinds).toEqual(['TIKTOK_UNAVAILABLE', 'TIKTOK_UNAVAILABLE']);
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('fires probabilistic faults deterministically from the seed', () => {
    const run = (seed: number): string[] => {
      const f = new FaultInjector(seed);
      f.add({ kind: 'lost-ack', endpoint: 'dmp/custom_audience/update', probability: 0.3 });
      f.add({ kind: 'drop', probability: 0.1 });
      return Array.from({ length: 200 }, () => f.pick('dmp/custom_audience/update')?.kind ?? '-');
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    const lost = a.filter((k) => k === 'lost-ack').length;
    expect(lost).toBeGreaterThan(40);
    expect(lost).toBeLessThan(80);
    expect(a.filter((k) => k === 'drop').length).toBeGreaterThan(0);
  });

  it('limits a rule to its endpoint and its count, and reset clears every rule', () => {
    const f = new FaultInjector(1);
    f.failNext(['dmp/custom_audience/create', 'dmp/custom_audience/update'], 'http5xx', 2);
    expect(f.pick('dmp/custom_audience/list')).toBeNull();
    expect(f.pick('dmp/custom_audience/update')?.kind).toBe('http5xx');
    expect(f.pick('dmp/custom_audience/create')?.status).toBe(503);
    expect(f.pick('dmp/custom_audience/create')).toBeNull();
    f.add({ kind: 'drop' });
    f.reset();
    expect(f.pick('user/info')).toBeNull();
  });
});
