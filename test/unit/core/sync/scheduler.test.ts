import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../../electron/core/store';
import { Scheduler } from '../../../../electron/core/sync/scheduler';
import type { SyncOutcome } from '../../../../electron/core/sync/sync-runner';
import type { RunTrigger } from '../../../../electron/core/store/runs-repo';
import { DEFAULT_PROFILE } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { tmpDir } from '../../../helpers/tmp';

let store: Store;
let cleanup: () => void;
let now: Date;
let ran: { id: number; trigger: RunTrigger }[];
let health: { ok: boolean; message?: string };
let refreshed: number[];

function scheduler() {
  return new Scheduler({
    store,
    now: () => now,
    runAudience: async (id, trigger) => {
      ran.push({ id, trigger });
      const run = store.runs.start({ audienceId: id, trigger });
      store.runs.finish(run.id, 'done');
      return { status: 'done' } as SyncOutcome;
    },
    healthCheck: async () => health,
    refreshStatus: async (id) => refreshed.push(id),
  });
}

function audience(cadence: Parameters<Store['audiences']['update']>[1]['cadence'], createdAt = '2026-11-20T00:00:00.000Z') {
  const a = store.audiences.create({ connectionId: null, advertiserId: 'adv', name: `A${Math.random()}`, keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/x.csv', profile: DEFAULT_PROFILE, cadence });
  store.db.prepare('UPDATE audiences SET created_at = ? WHERE id = ?').run(createdAt, a.id);
  return store.audiences.require(a.id);
}

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tmpDir());
  store = Store.open(dir);
  now = new Date(2026, 10, 24, 9, 0);
  ran = [];
  health = { ok: true };
  refreshed = [];
});
afterEach(() => {
  store.close();
  cleanup();
});

describe('Scheduler', () => {
  it('runs a due daily audience once per slot, even when ticked repeatedly', async () => {
    const a = audience({ kind: 'daily', at: '06:00' });
    const s = scheduler();
    await s.tick();
    await s.tick();
    expect(ran).toEqual([{ id: a.id, trigger: 'schedule' }]);
    now = new Date(2026, 10, 25, 6, 30);
    await s.tick();
    expect(ran).toHaveLength(2);
  });

  it('a machine that slept three days catches up once', async () => {
    audience({ kind: 'daily', at: '06:00' });
    const s = scheduler();
    await s.tick();
    now = new Date(2026, 10, 27, 12, 0);
    await s.tick();
    await s.tick();
    expect(ran).toHaveLength(2);
  });

  it('skips every run while paused, and manual audiences never run', async () => {
    audience({ kind: 'hourly' });
    audience({ kind: 'manual' });
    const s = scheduler();
    s.setPaused(true);
    await s.tick();
    expect(ran).toEqual([]);
    expect(s.paused).toBe(true);
    s.setPaused(false);
    await s.tick();
    expect(ran).toHaveLength(1);
  });

  it('checks the token before a scheduled run and skips with the reason when it fails', async () => {
    const a = audience({ kind: 'hourly' });
    store.connections.upsert({ id: 'c', label: 'Acme', kind: 'token', appId: null, apiBase: 'http://x' });
    store.audiences.update(a.id, { connectionId: 'c' });
    health = { ok: false, message: 'Re-connect Acme' };
    const skipped: string[] = [];
    const s = new Scheduler({ store, now: () => now, runAudience: async () => ({}) as SyncOutcome, healthCheck: async () => health, onSkipped: (_id, why) => skipped.push(why) });
    await s.tick();
    expect(skipped).toEqual(['Re-connect Acme']);
  });

  it('resumes deferred work once its window opens', async () => {
    const a = audience({ kind: 'manual' });
    const run = store.runs.start({ audienceId: a.id, trigger: 'cli' });
    store.runs.finish(run.id, 'deferred', { deferredUntil: '2026-11-25T00:00:00.000Z' });
    const s = scheduler();
    now = new Date('2026-11-24T23:00:00Z');
    await s.tick();
    expect(ran).toEqual([]);
    expect(s.nextRun(a, now)?.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    now = new Date('2026-11-25T00:00:05Z');
    await s.tick();
    expect(ran).toEqual([{ id: a.id, trigger: 'catch-up' }]);
  });

  it('a paused audience waits, except for a queued erasure once its deferral ends (#12.4)', async () => {
    const a = audience({ kind: 'daily', at: '06:00' });
    store.audiences.update(a.id, { paused: true });
    const run = store.runs.start({ audienceId: a.id, trigger: 'erase' });
    store.runs.finish(run.id, 'deferred', { deferredUntil: '2026-11-25T00:00:00.000Z' });
    const s = scheduler();
    now = new Date('2026-11-25T00:00:05Z');
    await s.tick();
    expect(ran).toEqual([]);
    store.settings.set(`erase.queue.${a.id}`, ['ab'.repeat(32)]);
    await s.tick();
    expect(ran.map((r) => r.id)).toEqual([a.id]);
  });

  it('retries a run that failed for a transient reason after 15 minutes', async () => {
    const a = audience({ kind: 'manual' });
    const run = store.runs.start({ audienceId: a.id, trigger: 'schedule' });
    store.runs.finish(run.id, 'failed', { errorCode: 'NETWORK' });
    const finished = Date.parse(store.runs.get(run.id)!.finishedAt!);
    now = new Date(finished + 5 * 60_000);
    const s = scheduler();
    await s.tick();
    expect(ran).toEqual([]);
    now = new Date(finished + 16 * 60_000);
    await s.tick();
    expect(ran).toEqual([{ id: a.id, trigger: 'catch-up' }]);
  });

  it('refreshes TikTok status of synced audiences not checked within the hour', async () => {
    const a = audience({ kind: 'manual' });
    store.audiences.setTiktokId(a.id, '123');
    const s = scheduler();
    await s.tick();
    expect(refreshed).toEqual([a.id]);
  });
});

describe('a slot whose run did not happen', () => {
  function recording(outcome: (signal: AbortSignal) => Promise<SyncOutcome>) {
    return new Scheduler({
      store,
      now: () => now,
      runAudience: async (id, trigger, signal) => {
        ran.push({ id, trigger });
        return outcome(signal);
      },
      healthCheck: async () => health,
    });
  }

  it('refused because another sync of the audience was running is not served: it runs on a later tick', async () => {
    const a = audience({ kind: 'daily', at: '06:00' });
    let busy = true;
    const s = recording(async () => {
      if (busy) throw new AppError('SYNC_RUNNING', 'A sync of this audience is already running.');
      return { status: 'done' } as SyncOutcome;
    });
    await s.tick();
    expect(ran).toHaveLength(1);
    busy = false;
    await s.tick();
    await s.tick();
    expect(ran).toEqual([{ id: a.id, trigger: 'schedule' }, { id: a.id, trigger: 'schedule' }]);
  });

  it("cancelled by the scheduler's stop (shutdown, SIGTERM) runs at the next start; cancelled by the user it is served", async () => {
    audience({ kind: 'daily', at: '06:00' });
    let started = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const untilAborted = (signal: AbortSignal) => {
      started();
      return new Promise<SyncOutcome>((resolve) => signal.addEventListener('abort', () => resolve({ status: 'cancelled' } as SyncOutcome), { once: true }));
    };
    const s = recording(untilAborted);
    const ticking = s.tick();
    await running;
    await s.stop();
    await ticking;
    expect(ran).toHaveLength(1);
    const again = recording(async () => ({ status: 'cancelled' }) as SyncOutcome); // the user's cancel
    await again.tick();
    await again.tick();
    expect(ran).toHaveLength(2);
  });
});

describe('Scheduler and TikTok processing', () => {
  it('resumes a run deferred by processing as soon as a later status check says processing ended', async () => {
    const a = audience({ kind: 'manual' });
    const run = store.runs.start({ audienceId: a.id, trigger: 'cli' });
    store.runs.finish(run.id, 'deferred', { deferredUntil: '2099-01-01T00:00:00.000Z', errorCode: 'AUDIENCE_PROCESSING' });
    const s = scheduler();
    const status = (state: string) =>
      store.db.prepare("INSERT INTO audience_status (audience_id, checked_at, local_size, state) VALUES (?, ?, 0, ?)").run(a.id, new Date(Date.now() + 1000).toISOString(), state);
    status('processing');
    now = new Date(Date.now() + 2000);
    await s.tick();
    expect(ran).toEqual([]);
    status('available');
    await s.tick();
    expect(ran).toEqual([{ id: a.id, trigger: 'catch-up' }]);
  });
});
