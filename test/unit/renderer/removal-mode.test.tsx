// @vitest-environment jsdom
/**
 * Ownership-aware removal in the mapping screen (#14 §2): an adopted audience shows "Only people Cohort Relay added"
 * chosen, with how many people TikTok matched when it was adopted; "Mirror the file" is an explicit choice that warns
 * the next sync replaces the membership, and is saved with audiences:update.
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import type { AudienceView } from '../../../shared/ipc/dto';
import { audience } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

describe('who a sync may remove, in the mapping screen', () => {
  it('an adopted audience starts with "Only people Cohort Relay added"; choosing "Mirror the file" warns, and saves it', async () => {
    let saved: AudienceView['removalMode'] = 'added-only';
    const b = useFakeEngine({
      'audiences:list': () => [audience({ removalMode: saved, othersSize: 5000 })],
      'audiences:update': (req) => {
        saved = req.removalMode ?? saved;
        return audience({ removalMode: saved, othersSize: 5000 });
      },
    });
    render(<MappingScreen id={1} />);
    const form = await screen.findByRole('form', { name: 'Who a sync may remove' });
    const addedOnly = within(form).getByRole('radio', { name: 'Only people Cohort Relay added' }) as HTMLInputElement;
    const mirror = within(form).getByRole('radio', { name: 'Mirror the file' }) as HTMLInputElement;
    expect(addedOnly.checked).toBe(true);
    expect(form.textContent).toMatch(/TikTok matched 5,000 people in it when it was adopted/);
    expect((within(form).getByRole('button', { name: 'Save removal choice' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(form).queryByRole('status')).toBeNull();

    fireEvent.click(mirror);
    expect(within(form).getByRole('status').textContent).toMatch(/replaces this audience's whole membership with the file/);
    await clickWhenEnabled('Save removal choice');
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, removalMode: 'mirror' }]);
    const again = await screen.findByRole('form', { name: 'Who a sync may remove' });
    expect((within(again).getByRole('radio', { name: 'Mirror the file' }) as HTMLInputElement).checked).toBe(true);
  });

  it('an audience this app created mirrors its file; a partner audience has no such choice', async () => {
    useFakeEngine({ 'audiences:list': () => [audience({ removalMode: 'mirror', othersSize: null }), audience({ id: 2, name: 'Partner', api: 'segment' })] });
    const { unmount } = render(<MappingScreen id={1} />);
    const form = await screen.findByRole('form', { name: 'Who a sync may remove' });
    expect((within(form).getByRole('radio', { name: 'Mirror the file' }) as HTMLInputElement).checked).toBe(true);
    expect(form.textContent).not.toMatch(/when it was adopted/);
    unmount();
    render(<MappingScreen id={2} />);
    await screen.findByRole('form', { name: 'Safety net' });
    expect(screen.queryByRole('form', { name: 'Who a sync may remove' })).toBeNull();
  });
});
