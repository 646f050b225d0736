// @vitest-environment jsdom
/**
 * A dry run that replaces the audience whole (its columns changed, or this computer lost records of calls it sent)
 * says so in the wizard, with the size before and after, beside its net change.
 */
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { audience, connection, plan, preview } from './fake-bridge';
import { useFakeEngine } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep } from './wizard-walk';

describe('a dry run that replaces the audience', () => {
  it('says it replaces all 1,454 people with 1,097, and that the counts are its net change', async () => {
    useFakeEngine({
      'connections:list': () => [connection()],
      'audiences:list': () => [audience({ id: 4 })],
      'import:preview': () => preview(),
      'import:hashLab': () => ({ rows: [], selfTest: [] }),
      'import:validate': () => ({ rowsRead: 10, valid: 10, rejected: 0, duplicates: 0, byReason: {}, rejectsSample: [] }),
      'audiences:create': () => audience({ id: 4 }),
      'sync:plan': () => plan({ audienceId: 4, adds: 0, removes: 357, currentSize: 1454, projectedSize: 1097, replace: { before: 1454, after: 1097 } }),
    });
    await openInWizard();
    await toDestinationStep();
    await nameNewAudience('Spring buyers');
    screen.getByRole('button', { name: 'Next: dry run' }).click();
    const notice = await screen.findByText(/replaces all 1,454 people with 1,097: 357 fewer/, {}, { timeout: 5000 });
    expect(notice.textContent).toContain('one full replace');
    expect(notice.textContent).toContain('net change');
  });

  it('says nothing of a replace for an ordinary dry run', async () => {
    useFakeEngine({
      'connections:list': () => [connection()],
      'audiences:list': () => [audience({ id: 4 })],
      'import:preview': () => preview(),
      'import:hashLab': () => ({ rows: [], selfTest: [] }),
      'import:validate': () => ({ rowsRead: 10, valid: 10, rejected: 0, duplicates: 0, byReason: {}, rejectsSample: [] }),
      'audiences:create': () => audience({ id: 4 }),
      'sync:plan': () => plan({ audienceId: 4, adds: 10, removes: 0, currentSize: 1454, projectedSize: 1464 }),
    });
    await openInWizard();
    await toDestinationStep();
    await nameNewAudience('Spring buyers');
    screen.getByRole('button', { name: 'Next: dry run' }).click();
    await screen.findByText('To add', {}, { timeout: 5000 });
    expect(screen.queryByText(/replaces all/)).toBeNull();
  });
});
