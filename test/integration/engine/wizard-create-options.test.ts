/**
 * The import wizard's creation options (#14 §1) through the real engine against the offline sandbox: the wizard
 * saves a new audience (audiences:create), stores its options (use:setCreateOptions), then starts the first sync —
 * whose create at TikTok carries retention_in_days, audience_enhancement and audience_sub_type. Defaults send none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { Handlers } from '../../../shared/ipc/contract';
import { emails } from '../../helpers/cohort';
import { engineForEachTest, type TestEngine } from './helpers';

let dir: string;
let t: TestEngine;
let h: Handlers;
engineForEachTest('cohort-relay-wizard-opts-', (e) => ({ dir, t, h } = e));

/** What the wizard's "Sync now" does for a new audience: save it, store the options (when given), run the first sync. */
async function wizardSyncNow(name: string, offset: number, options: { retentionInDays: number | null; audienceEnhancement: boolean; subType: 'NORMAL' | 'REACH_FREQUENCY' } | null) {
  const file = path.join(dir, `${name}.csv`);
  fs.writeFileSync(file, `email\n${emails(offset, 1200).join('\n')}\n`);
  const conn = await h['connections:connectSandbox'](undefined);
  const a = await h['audiences:create']({ advertiserId: conn.advertisers[0]!.advertiserId, connectionId: conn.id, name, keys: [{ key: 'email', column: 'email' }], sourcePath: file, profile: DEFAULT_PROFILE, cadence: { kind: 'manual' }, api: 'file' });
  if (options) await h['use:setCreateOptions']({ id: a.id, ...options });
  const { runId } = await h['sync:run']({ audienceId: a.id });
  const done = await t.waitFor('run:finished', (p) => p.runId === runId);
  expect(done.status).toBe('done');
  const tid = (await h['audiences:get']({ id: a.id })).tiktokAudienceId;
  expect(tid).toBeTruthy();
  // What TikTok reports of the audience it created (audience/get: enhancement, sub type, expiry).
  const at = (await h['use:createOptions']({ id: a.id })).atTiktok!;
  return { id: a.id, at, daysToExpiry: Math.round((Date.parse(String(at.expiresAt)) - t.sim().now()) / 86_400_000) };
}

describe('wizard creation options', () => {
  it('the first sync creates the audience at TikTok with the retention, enhancement and sub type the wizard stored', async () => {
    const { id, at, daysToExpiry } = await wizardSyncNow('Spring-buyers', 0, { retentionInDays: 90, audienceEnhancement: true, subType: 'REACH_FREQUENCY' });
    expect(at).toMatchObject({ audienceEnhancement: true, subType: 'REACH_FREQUENCY' });
    // retention_in_days: TikTok expires it 90 days after creation, not 12 months after the last change.
    expect(daysToExpiry).toBe(90);
    // Fixed from then on, as TikTok fixes them.
    expect((await h['use:createOptions']({ id })).editable).toBe(false);
  });

  it('without options the create sends none (TikTok’s defaults)', async () => {
    const { at, daysToExpiry } = await wizardSyncNow('Churned', 500_000, null);
    expect(at.audienceEnhancement ?? false).toBe(false);
    expect(at.subType).toBe('NORMAL');
    expect(daysToExpiry).toBe(365);
  });
});
