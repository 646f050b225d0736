/** Walks the import wizard as a user does, for the tests of its later steps. */
import { fireEvent, render, screen } from '@testing-library/react';
import { useApp } from '../../../renderer/src/app/store';
import { ImportWizard } from '../../../renderer/src/features/import/import-wizard';
import { audience, connection, plan, preview } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

/**
 * A fake engine for a walk through the wizard: one connection, a file of 1,503 rows (1,500 valid), a new audience #4
 * and a dry run of +150 −50; `over` replaces any answer.
 */
export function wizardEngine(over: Parameters<typeof useFakeEngine>[0] = {}) {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': () => preview(),
    'import:hashLab': () => ({ rows: [], selfTest: [] }),
    'import:validate': () => ({ rowsRead: 1503, valid: 1500, rejected: 3, duplicates: 0, byReason: {}, rejectsSample: [] }),
    'audiences:create': () => audience({ id: 4, state: 'never_synced', tiktokAudienceId: null }),
    'sync:plan': () => plan({ audienceId: 4, adds: 150, removes: 50, unchanged: 2800, calls: 2, quotaLeft: 22, dailyBudget: 24 }),
    'sync:run': () => ({ runId: 9 }),
    ...over,
  });
}

/** Loads the connections, shows the wizard and opens `fileName` as if it was dropped; the columns step follows. */
export async function openInWizard(fileName = 'cohort.csv'): Promise<void> {
  await useApp.getState().loadConnections();
  render(<ImportWizard />);
  await useApp.getState().openFile(new File(['x'], fileName));
}

/** From the columns step through the hash lab and the validation to the destination step. */
export async function toDestinationStep(): Promise<void> {
  await clickWhenEnabled('Next: hash lab');
  await clickWhenEnabled('Next: check the whole file');
  await clickWhenEnabled('Next: choose the audience');
}

/** On the destination step: names the new audience and, when given, picks the cadence (`manual`, `daily`, …). */
export async function nameNewAudience(name: string, cadence?: string): Promise<void> {
  fireEvent.change(await screen.findByLabelText('Audience name'), { target: { value: name } });
  if (cadence !== undefined) fireEvent.change(screen.getByLabelText('Cadence'), { target: { value: cadence } });
}
