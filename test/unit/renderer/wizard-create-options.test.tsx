// @vitest-environment jsdom
/**
 * Wizard → Destination, a new audience (#14 §1): retention in days, Custom Audience Enhancement and Reach & Frequency
 * are offered, checked, and stored for the audience once "Sync now" saves it, before its first sync (whose create
 * at TikTok sends them). Defaults store nothing; an existing or partner audience is offered none.
 */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { AppError } from '../../../shared/errors';
import type { ValidationView } from '../../../shared/ipc/dto';
import { audience, connection, plan, preview } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep } from './wizard-walk';

const VALIDATION: ValidationView = { rowsRead: 3, valid: 3, rejected: 0, duplicates: 0, byReason: {}, rejectsSample: [] };

function engine() {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': () => preview(),
    'import:hashLab': () => ({ rows: [], selfTest: [] }),
    'import:validate': () => VALIDATION,
    'audiences:create': () => audience({ id: 4, state: 'never_synced', tiktokAudienceId: null }),
    'use:setCreateOptions': ({ id, retentionInDays, audienceEnhancement, subType }) => ({ audienceId: id, retentionInDays, audienceEnhancement, subType, editable: true, atTiktok: null }),
    'sync:plan': () => plan({ audienceId: 4 }),
    'sync:run': () => ({ runId: 7 }),
  });
}

async function toDestination() {
  await openInWizard();
  await toDestinationStep();
  await nameNewAudience('Spring buyers', 'manual');
}

describe('wizard: creation options of a new audience', () => {
  it('are stored for the audience "Sync now" creates, before its first sync starts', async () => {
    const b = engine();
    await toDestination();
    const retention = screen.getByLabelText(/^Retention in days/);
    fireEvent.change(retention, { target: { value: '400' } });
    expect(screen.getAllByText(/Retention must be a whole number of days from 1 to 365/).length).toBeGreaterThan(0);
    expect((screen.getByRole('button', { name: 'Next: dry run' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(retention, { target: { value: '90' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Custom Audience Enhancement' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'For Reach & Frequency ads' }));
    await clickWhenEnabled('Next: dry run');
    await screen.findByText('To add', {}, { timeout: 5_000 });
    expect(b.callsTo('use:setCreateOptions')).toEqual([]);
    await clickWhenEnabled('Sync now');
    await waitFor(() => expect(b.callsTo('sync:run')).toHaveLength(1), { timeout: 5_000 });
    expect(b.callsTo('use:setCreateOptions')).toEqual([{ id: 4, retentionInDays: 90, audienceEnhancement: true, subType: 'REACH_FREQUENCY' }]);
    const order = b.calls.map((c) => c.channel).filter((c) => c === 'audiences:create' || c === 'use:setCreateOptions' || c === 'sync:run');
    expect(order).toEqual(['audiences:create', 'use:setCreateOptions', 'sync:run']);
  });

  it('"Save" (no sync now) stores them too, and starts no sync', async () => {
    const b = engine();
    await toDestination();
    fireEvent.change(screen.getByLabelText(/^Retention in days/), { target: { value: '180' } });
    await clickWhenEnabled('Next: dry run');
    await screen.findByText('To add', {}, { timeout: 5_000 });
    await clickWhenEnabled(/^Save$/);
    await waitFor(() => expect(b.callsTo('use:setCreateOptions')).toEqual([{ id: 4, retentionInDays: 180, audienceEnhancement: false, subType: 'NORMAL' }]), { timeout: 5_000 });
    expect(b.callsTo('sync:run')).toEqual([]);
  });

  it('left at their defaults store nothing; a partner audience is offered none', async () => {
    const b = engine();
    await toDestination();
    expect(screen.getByRole('group', { name: 'Creation options' })).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: 'Partner audience (segment API)' }));
    expect(screen.queryByRole('group', { name: 'Creation options' })).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: 'Customer-file audience' }));
    await clickWhenEnabled('Next: dry run');
    await screen.findByText('To add', {}, { timeout: 5_000 });
    await clickWhenEnabled('Sync now');
    await waitFor(() => expect(b.callsTo('sync:run')).toHaveLength(1), { timeout: 5_000 });
    expect(b.callsTo('use:setCreateOptions')).toEqual([]);
  });

  it('a refusal to store them stops before the sync, in the engine’s words; Sync now again stores them, then syncs', async () => {
    const b = engine();
    let refuse = true;
    const store = b.handlers['use:setCreateOptions']!;
    b.handlers['use:setCreateOptions'] = (req) => {
      if (refuse) throw new AppError('INVALID_ARGUMENT', 'Retention must be 1 to 365 days, or none.');
      return store(req);
    };
    await toDestination();
    fireEvent.change(screen.getByLabelText(/^Retention in days/), { target: { value: '30' } });
    await clickWhenEnabled('Next: dry run');
    await screen.findByText('To add', {}, { timeout: 5_000 });
    await clickWhenEnabled('Sync now');
    expect(await screen.findByText('Retention must be 1 to 365 days, or none.')).toBeTruthy();
    expect(b.callsTo('sync:run')).toEqual([]);
    refuse = false;
    await useApp.getState().startSync();
    expect(b.callsTo('audiences:create')).toHaveLength(1);
    expect(b.callsTo('use:setCreateOptions').at(-1)).toEqual({ id: 4, retentionInDays: 30, audienceEnhancement: false, subType: 'NORMAL' });
    expect(b.callsTo('sync:run')).toHaveLength(1);
  });
});
