// @vitest-environment jsdom
/**
 * Nothing runs that the user did not confirm (PRODUCT.md; review of session 6, A2): the wizard's cadence is manual
 * unless the user picks one, so a cancelled first sync leaves nothing scheduled; when the user did pick a schedule,
 * a cancelled sync says the schedule stays and when it next runs, and offers to turn it off.
 */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { wireEvents } from '../../../renderer/src/app/engine-events';
import { fmtDateTime } from '../../../renderer/src/app/format';
import type { Cadence } from '../../../shared/ipc/dto';
import { audience, detail, plan } from './fake-bridge';
import { clickWhenEnabled } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep, wizardEngine } from './wizard-walk';

const NEXT = '2026-12-03T06:00:00Z';

function engine(cadence: () => Cadence) {
  return wizardEngine({
    'audiences:create': (req) => audience({ id: 4, state: 'never_synced', tiktokAudienceId: null, cadence: req.cadence }),
    'audiences:get': () => detail({ id: 4, state: 'never_synced', tiktokAudienceId: null, lastSync: null, cadence: cadence(), nextSync: cadence().kind === 'manual' ? null : NEXT }),
    'audiences:update': (req) => audience({ id: 4, cadence: req.cadence }),
    'sync:plan': () => plan({ audienceId: 4, adds: 1500, removes: 0, calls: 1, quotaLeft: 24, dailyBudget: 24 }),
    'runs:get': () => ({ id: 9, audienceId: 4, audienceName: 'Spring buyers', trigger: 'manual', status: 'cancelled', dryRun: false, startedAt: '2026-12-02T03:00:00Z', finishedAt: '2026-12-02T03:00:01Z', adds: 0, removes: 0, callsUsed: 0, rowsRead: 0, rejected: 0, error: null, calls: [] }) as never,
  });
}

async function syncThenCancel(b: ReturnType<typeof engine>, cadence?: string) {
  await openInWizard('spring buyers.csv');
  await toDestinationStep();
  await nameNewAudience('Spring buyers', cadence);
  await clickWhenEnabled('Next: dry run');
  await clickWhenEnabled('Sync now');
  await screen.findByRole('button', { name: 'Cancel sync' });
  b.emit('run:finished', { runId: 9, audienceId: 4, status: 'cancelled', trigger: 'manual', error: { code: 'CANCELLED', message: 'Cancelled before anything was sent to TikTok.', retryable: false } });
  expect(await screen.findByText('Cancelled before anything was sent to TikTok.')).toBeTruthy();
}

describe('the wizard schedules nothing the user did not choose', () => {
  it('starts at a manual sync until the user picks a schedule: the audience is saved unscheduled', async () => {
    const b = engine(() => ({ kind: 'manual' }));
    const off = wireEvents(b);
    await openInWizard('spring buyers.csv');
    await toDestinationStep();
    expect((screen.getByLabelText('Cadence') as HTMLSelectElement).value).toBe('manual');
    await nameNewAudience('Spring buyers');
    await clickWhenEnabled('Next: dry run');
    expect((await screen.findByLabelText('Dry run recap')).textContent).toContain('CadenceManual only');
    await clickWhenEnabled('Sync now');
    await waitFor(() => expect(b.callsTo('audiences:create')).toHaveLength(1), { timeout: 5_000 });
    expect(b.callsTo('audiences:create')[0]).toMatchObject({ cadence: { kind: 'manual' } });
    off();
  });

  it('a chosen schedule that stays after a cancelled first sync says when it runs, and can be turned off', async () => {
    const b = engine(() => ({ kind: 'daily', at: '06:00' }));
    const off = wireEvents(b);
    await syncThenCancel(b, 'daily');
    expect(b.callsTo('audiences:create')[0]).toMatchObject({ cadence: { kind: 'daily', at: '06:00' } });
    expect(await screen.findByText(`The schedule stays (Daily at 06:00); its next run is ${fmtDateTime(NEXT)}, and creates the audience at TikTok. To sync only when you press Sync now, turn it off.`)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Turn the schedule off' }));
    expect(await screen.findByText('The schedule is off: this audience syncs only when you press Sync now.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 4, cadence: { kind: 'manual' } }]);
    off();
  });

  it('says nothing about a schedule when the audience has none', async () => {
    const b = engine(() => ({ kind: 'manual' }));
    const off = wireEvents(b);
    await syncThenCancel(b);
    await waitFor(() => expect(b.callsTo('audiences:get').length).toBeGreaterThan(0), { timeout: 5_000 });
    expect(screen.queryByText(/The schedule stays/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Turn the schedule off' })).toBeNull();
    off();
  });
});
