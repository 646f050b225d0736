/** Walks the import wizard as a user does, for the tests of its later steps. */
import { fireEvent, render, screen } from '@testing-library/react';
import { useApp } from '../../../renderer/src/app/store';
import { ImportWizard } from '../../../renderer/src/features/import/import-wizard';
import { clickWhenEnabled } from './setup';

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
