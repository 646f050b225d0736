/**
 * The app's Cancel while a new audience's name is being checked at TikTok (`audiences:create`, or its dry run through
 * `sync:plan { create }`): `sync:cancel { cancelId }` ends the question at once as CANCELLED, however long TikTok takes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import { toErrorShape } from '../../../shared/errors';
import type { Handlers, RequestOf } from '../../../shared/ipc/contract';
import { emails } from '../../helpers/cohort';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
// TikTok takes 8 s over the audience list the same-name check reads (a stalled sandbox).
engineForEachTest('cohort-relay-cancel-create-', (e) => ({ dir, t, h } = e), { simulator: { rateLimit: false, processingDelayMs: 0, matchRate: 'exact', faults: [{ kind: 'slow', endpoint: 'dmp/custom_audience/list', delayMs: 8_000 }] } });

async function request(cancelId: string): Promise<RequestOf<'audiences:create'>> {
  const file = path.join(dir, 'cohort.csv');
  fs.writeFileSync(file, `email\n${emails(0, 1200).join('\n')}\n`);
  const conn = await h['connections:connectSandbox'](undefined);
  return { advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name: 'Spring buyers', keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' }, cancelId };
}

/** Cancels `cancelId` once TikTok has been asked for the list; the call's error and how long it took after the cancel. */
async function cancelWhileAsking(call: Promise<unknown>, cancelId: string): Promise<{ code: string; afterCancelMs: number }> {
  const outcome = call.then(
    () => ({ code: 'none', at: Date.now() }),
    (err: unknown) => ({ code: toErrorShape(err).code, at: Date.now() }),
  );
  const sim = await waitForSim();
  // The list request has reached TikTok, which is taking its time over it.
  while (!sim.faults.fired.some((f) => f.endpoint === 'dmp/custom_audience/list')) await new Promise((r) => setTimeout(r, 20));
  const cancelledAt = Date.now();
  expect(await h['sync:cancel']({ cancelId })).toEqual({ cancelled: true });
  const o = await outcome;
  return { code: o.code, afterCancelMs: o.at - cancelledAt };
}

async function waitForSim() {
  for (;;) {
    try {
      return t.sim();
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

it('audiences:create: Cancel ends the same-name check at once; nothing is saved', async () => {
  const req = await request('create-1');
  const r = await cancelWhileAsking(h['audiences:create'](req), 'create-1');
  expect(r.code).toBe('CANCELLED');
  expect(r.afterCancelMs).toBeLessThan(2_000);
  expect(await h['audiences:list'](undefined)).toEqual([]);
  expect(await h['sync:cancel']({ cancelId: 'create-1' })).toEqual({ cancelled: false });
}, 15_000);

it('sync:plan { create }: Cancel ends the dry run’s same-name check at once', async () => {
  const req = await request('plan-1');
  const r = await cancelWhileAsking(h['sync:plan']({ create: req }), 'plan-1');
  expect(r.code).toBe('CANCELLED');
  expect(r.afterCancelMs).toBeLessThan(2_000);
}, 15_000);
