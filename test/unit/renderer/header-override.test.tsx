// @vitest-environment jsdom
/**
 * Issue #12 item 2, the wizard's override: "No — the first row is data" re-reads the file with hasHeader false, the
 * columns become "Column 1"…, and the answer goes with every later call and with the audience that is saved.
 */
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ValidationView } from '../../../shared/ipc/dto';
import { audience, connection, plan, preview } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';
import { nameNewAudience, openInWizard } from './wizard-walk';

const VALIDATION: ValidationView = { rowsRead: 3, valid: 3, rejected: 0, duplicates: 0, byReason: {}, rejectsSample: [] };

const JUDGED = preview({
  hasHeader: true,
  columns: [
    { index: 0, name: 'Jane Doe', detected: null, confidence: 0 },
    { index: 1, name: 'jane @ example.com', detected: 'email', confidence: 0.9 },
  ],
  rows: [['Bob', 'bob@example.com']],
  suggested: { column: 1, key: 'email' },
});
const AS_DATA = preview({
  hasHeader: false,
  columns: [
    { index: 0, name: 'Column 1', detected: null, confidence: 0 },
    { index: 1, name: 'Column 2', detected: 'email', confidence: 0.9 },
  ],
  rows: [
    ['Jane Doe', 'jane @ example.com'],
    ['Bob', 'bob@example.com'],
  ],
  suggested: { column: 1, key: 'email' },
});

function engine() {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': (req) => (req.hasHeader === false ? AS_DATA : JUDGED),
    'import:hashLab': () => ({ rows: [], selfTest: [] }),
    'import:validate': () => VALIDATION,
    'audiences:create': () => audience({ id: 4, state: 'never_synced' }),
    'sync:plan': () => plan({ audienceId: 4 }),
  });
}

describe('wizard: "No — the first row is data" (#12 item 2)', () => {
  it('re-reads the file with the first row as data, and the answer goes with validation and the saved audience', async () => {
    const b = engine();
    await openInWizard();
    expect(await screen.findByText('First row used as header.')).toBeTruthy();
    expect(screen.queryByText('Column 1')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'No — the first row is data' }));
    expect(await screen.findByText(/The first row is read as data, as you said/, {}, { timeout: 5_000 })).toBeTruthy();
    expect(b.callsTo('import:preview').at(-1)).toMatchObject({ path: '/uploads/cohort.csv', hasHeader: false });
    expect(screen.getAllByText('Column 2').length).toBeGreaterThan(0);
    expect(screen.getAllByText('jane @ example.com').length).toBeGreaterThan(0);
    expect(screen.queryByText('First row used as header.')).toBeNull();

    await clickWhenEnabled('Next: hash lab');
    await clickWhenEnabled('Next: check the whole file');
    expect(b.callsTo('import:validate').at(-1)).toMatchObject({ hasHeader: false, column: 1 });
    await clickWhenEnabled('Next: choose the audience');
    await nameNewAudience('Headerless', 'manual');
    fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));
    await screen.findByText('To add', {}, { timeout: 5_000 });
    expect((b.callsTo('sync:plan')[0] as { create: unknown }).create).toMatchObject({ hasHeader: false, keys: [{ key: 'email', column: 1 }] });
  });

  it('can be taken back: "Use the first row as header" reads it as a header again', async () => {
    const b = engine();
    await openInWizard();
    fireEvent.click(await screen.findByRole('button', { name: 'No — the first row is data' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use the first row as header' }, { timeout: 5_000 }));
    expect(await screen.findByText('First row used as header.', {}, { timeout: 5_000 })).toBeTruthy();
    expect(b.callsTo('import:preview').at(-1)).toMatchObject({ hasHeader: true });
  });
});
