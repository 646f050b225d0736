// @vitest-environment jsdom
/**
 * #11 item 18: focus moves to the step heading on each wizard step ("Step 4, Validation"), and a double press of
 * "Sync now" does not cancel the sync it started (the second click lands where Cancel appears).
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { ImportWizard } from '../../../renderer/src/features/import/import-wizard';
import { CANCEL_ARM_MS } from '../../../renderer/src/features/import/step-sync';
import { useFakeEngine } from './setup';

describe('wizard focus', () => {
  it('moves focus to the new step heading, read as "Step N, Label"', async () => {
    useFakeEngine({ 'connections:list': () => [] });
    render(<ImportWizard />);
    const first = screen.getByRole('heading', { level: 2, name: 'Step 1, File' });
    expect(document.activeElement).not.toBe(first);
    act(() => useApp.setState({ step: 'destination' }));
    const heading = screen.getByRole('heading', { level: 2, name: 'Step 5, Destination' });
    expect(document.activeElement).toBe(heading);
    act(() => useApp.setState({ step: 'sync', runId: 7 }));
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2, name: 'Step 7, Sync' }));
  });
});

describe('Sync now then Cancel', () => {
  it('ignores a click on Cancel that comes right after the step appeared (the second click of a double press)', async () => {
    const b = useFakeEngine({ 'sync:cancel': () => ({ cancelled: true }) as never });
    act(() => useApp.setState({ step: 'sync', runId: 7, runStarting: false, draftAudienceId: 1 }));
    render(<ImportWizard />);
    const cancel = screen.getByRole('button', { name: 'Cancel sync' });
    fireEvent.click(cancel);
    expect(b.callsTo('sync:cancel')).toEqual([]);
    await new Promise((r) => setTimeout(r, CANCEL_ARM_MS + 100));
    await waitFor(() => expect((cancel as HTMLButtonElement).disabled).toBe(false), { timeout: 5_000 });
    fireEvent.click(cancel);
    await waitFor(() => expect(b.callsTo('sync:cancel')).toEqual([{ runId: 7 }]), { timeout: 5_000 });
  });
});
