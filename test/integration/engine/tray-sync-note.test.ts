/**
 * #11 item 7 for the tray: the engine's tray snapshot carries where each audience's last sync left it (the audiences
 * screen's note), so the tray menu can say it in the same words. Real engine, SQLite and the offline sandbox.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTrayModel } from '../../../electron/main/tray-model';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-tray-note-', (e) => ({ dir, t, h } = e));

describe('the tray snapshot', () => {
  it('carries the audience note: an audience waiting for its cohort to reach 1,000 says so in the tray', async () => {
    const file = path.join(dir, 'small.csv');
    const rows = ['user_id,email'];
    for (let i = 0; i < 640; i++) rows.push(`${i},person${i}@example.com`);
    fs.writeFileSync(file, `${rows.join('\n')}\n`);
    const conn = await h['connections:connectSandbox'](undefined);
    const a = await h['audiences:create']({
      advertiserId: conn.advertisers[0]!.advertiserId,
      connectionId: conn.id,
      name: 'Small buyers',
      keys: [{ key: 'email', column: 'email' }],
      sourcePath: file,
      sourceKind: 'file',
      profile: DEFAULT_PROFILE,
      cadence: { kind: 'manual' },
      startAtFloor: true,
    });
    const { runId } = await h['sync:run']({ audienceId: a.id });
    await t.waitFor('run:finished', (p) => p.runId === runId);

    const snap = await t.engine.traySnapshot();
    expect(snap.audiences.find((x) => x.id === a.id)?.syncNote).toMatchObject({ kind: 'waiting_cohort', size: 640, runId });
    const item = buildTrayModel(snap, { now: new Date() }).items[0]!;
    expect(item.kind === 'submenu' && item.label).toBe('Small buyers — Waiting for 1,000 (has 640)');
  });
});
