// @vitest-environment jsdom
/**
 * "Sync now" on a new audience first saves it, and the engine asks TikTok whether an audience of that name exists.
 * The sync step's Cancel ends that question at once (sync:cancel { cancelId }), instead of staying disabled until
 * TikTok answers; nothing is synced.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { ImportWizard } from '../../../renderer/src/features/import/import-wizard';
import { CANCEL_ARM_MS } from '../../../renderer/src/features/import/step-sync';
import { AppError } from '../../../shared/errors';
import { connection, plan, preview } from './fake-bridge';
import { useFakeEngine } from './setup';

const s = () => useApp.getState();
const csv = () => new File(['user_id,email\n0,user0@example.com\n'], 'cohort.csv', { type: 'text/csv' });

it('Cancel while a new audience is being saved ends TikTok’s same-name check; no sync starts', async () => {
  let refuse: (err: Error) => void = () => {};
  const b = useFakeEngine({
    'import:preview': () => preview(),
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'sync:plan': () => plan({ audienceId: 4 }),
    'audiences:create': () =>
      new Promise<never>((_resolve, reject) => {
        refuse = reject;
      }),
    'sync:cancel': () => {
      refuse(new AppError('CANCELLED', 'The request to TikTok was cancelled.'));
      return { cancelled: true };
    },
  });
  await s().loadConnections();
  await s().openFile(csv());
  await s().setDestination('tt-sandbox', '7000000001');
  await s().prepareDryRun();
  render(<ImportWizard />);
  let started!: Promise<void>;
  act(() => {
    started = s().startSync();
  });
  const cancel = (await screen.findByRole('button', { name: 'Cancel sync' })) as HTMLButtonElement;
  await waitFor(() => expect(b.callsTo('audiences:create')).toHaveLength(1), { timeout: 5_000 });
  await new Promise((r) => setTimeout(r, CANCEL_ARM_MS + 100));
  await waitFor(() => expect(cancel.disabled).toBe(false), { timeout: 5_000 });
  fireEvent.click(cancel);
  const { cancelId } = b.callsTo('audiences:create')[0] as { cancelId: string };
  expect(cancelId).toMatch(/\S/);
  await waitFor(() => expect(b.callsTo('sync:cancel')).toEqual([{ cancelId }]), { timeout: 5_000 });
  await act(() => started);
  expect(b.callsTo('sync:run')).toEqual([]);
  expect(s()).toMatchObject({ runStarting: false, createCancelId: null, runId: null, runError: { code: 'CANCELLED' } });
});
