// @vitest-environment jsdom
/** Issue #12 item 2 in the wizard: "First row used as header", and a doubtful header saves the column index. */
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PreviewView, ValidationView } from '../../../shared/ipc/dto';
import { audience, connection, plan, preview } from './fake-bridge';
import { useFakeEngine } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep } from './wizard-walk';

const VALIDATION: ValidationView = { rowsRead: 3, valid: 3, rejected: 0, duplicates: 0, byReason: {}, rejectsSample: [] };

function engine(p: PreviewView) {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': () => p,
    'import:hashLab': () => ({ rows: [], selfTest: [] }),
    'import:validate': () => VALIDATION,
    'audiences:create': () => audience({ id: 4, state: 'never_synced' }),
    'sync:plan': () => plan({ audienceId: 4 }),
  });
}

/** Drops the file and walks to the dry run; the keys the unsaved audience is planned (and saved) with. */
async function plannedKeys(b: ReturnType<typeof engine>) {
  await toDestinationStep();
  await nameNewAudience('Guessed', 'manual');
  fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));
  await screen.findByText('To add');
  return (b.callsTo('sync:plan')[0] as { create: { keys: unknown } }).create.keys;
}

describe('wizard: the first row as header (#12 item 2)', () => {
  it('says the first row is used as header and, when that is a guess, saves the key column by its index', async () => {
    const b = engine(
      preview({
        headerDoubtful: true,
        columns: [
          { index: 0, name: 'Alice', detected: null, confidence: 0 },
          { index: 1, name: 'alice@example.com', detected: 'email', confidence: 0.9 },
        ],
        rows: [['Bob', 'bob@example.com']],
      }),
    );
    await openInWizard();
    expect(await screen.findByText(/First row used as header\./)).toBeTruthy();
    expect(screen.getByText(/saved by column position/)).toBeTruthy();
    expect(await plannedKeys(b)).toEqual([{ key: 'email', column: 1 }]);
  });

  it('a clear header is named by its text, and a file without a header shows no such line', async () => {
    const b = engine(preview());
    await openInWizard();
    expect(await screen.findByText('First row used as header.')).toBeTruthy();
    expect(screen.queryByText(/saved by column position/)).toBeNull();
    expect(await plannedKeys(b)).toEqual([{ key: 'email', column: 'email' }]);
  });

  it('shows no header line when the first row is data', async () => {
    engine(preview({ hasHeader: false }));
    await openInWizard();
    await screen.findByText('no header row');
    expect(screen.queryByText(/First row used as header/)).toBeNull();
  });
});
