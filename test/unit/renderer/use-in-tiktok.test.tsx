// @vitest-environment jsdom
/**
 * Audience detail → "Use in TikTok" (#14 §1): nothing is read from TikTok until a section is opened, and nothing
 * changes at TikTok before the user confirms the words that say what will happen.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { UseInTiktok } from '../../../renderer/src/features/audiences/use-in-tiktok';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { AppError } from '../../../shared/errors';
import type { AdGroupsView } from '../../../shared/ipc/audience-use-dto';
import { useApp } from '../../../renderer/src/app/store';
import { ADVERTISER, audience, connection, detail } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

function adGroups(usage: 'Include' | 'Exclude' | null = null): AdGroupsView {
  return {
    audienceId: 1,
    tiktokAudienceId: '9000000001',
    advertiserId: '7000000000000000001',
    campaigns: [
      {
        campaignId: 'c1',
        name: 'Always-on retargeting',
        status: 'ENABLE',
        adGroups: [
          { adgroupId: 'g1', name: 'Cart abandoners', status: 'ENABLE', usage },
          { adgroupId: 'g2', name: 'Past buyers', status: 'ENABLE', usage: null },
        ],
      },
    ],
  };
}

const useCalls = (b: ReturnType<typeof useFakeEngine>) => b.calls.filter((c) => c.channel.startsWith('use:'));

describe('Use in TikTok', () => {
  it('opening the audience reads nothing from TikTok; a section reads only when opened', async () => {
    const b = useFakeEngine({ 'audiences:get': () => detail() });
    render(<AudienceDetail id={1} />);
    await screen.findByRole('heading', { name: 'Use in TikTok' });
    expect(useCalls(b)).toEqual([]);
  });

  it('excluding from ad groups asks first with what it will do; Cancel sends nothing; confirming sends one apply and reloads', async () => {
    let excluded = false;
    const apply = vi.fn(() => {
      excluded = true;
      return { audienceId: 1, mode: 'Exclude' as const, adgroupIds: ['g1', 'g2'], requestIds: ['r1'] };
    });
    const b = useFakeEngine({ 'use:adGroups': () => adGroups(excluded ? 'Exclude' : null), 'use:apply': apply });
    render(<UseInTiktok a={audience()} />);
    fireEvent.click(screen.getByRole('button', { name: /Ad groups/ }));
    fireEvent.click(await screen.findByRole('checkbox', { name: /Cart abandoners/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /Past buyers/ }));
    await clickWhenEnabled('Exclude from selected…');
    let dialog = await screen.findByRole('dialog', { name: 'Exclude Spring buyers from ad groups?' });
    expect(within(dialog).getByText(/^Exclude "Spring buyers" from 2 ad groups \(Cart abandoners, Past buyers\) at TikTok: its people stop seeing these ads \(a suppression list\)\./)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 5_000 });
    expect(apply).not.toHaveBeenCalled();

    await clickWhenEnabled('Exclude from selected…');
    dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Exclude' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 5_000 });
    expect(b.callsTo('use:apply')).toEqual([{ id: 1, adgroupIds: ['g1', 'g2'], mode: 'Exclude' }]);
    expect(await screen.findByText(/Used by Cart abandoners \(excluded\)/)).toBeTruthy();
    expect(b.callsTo('use:adGroups')).toHaveLength(2);
  });

  it('the confirmation keeps focus inside: it starts on Cancel, Tab wraps at both ends, Escape cancels and focus returns', async () => {
    const b = useFakeEngine({ 'use:adGroups': () => adGroups() });
    render(<UseInTiktok a={audience()} />);
    fireEvent.click(screen.getByRole('button', { name: /Ad groups/ }));
    fireEvent.click(await screen.findByRole('checkbox', { name: /Cart abandoners/ }));
    const opener = screen.getByRole('button', { name: 'Exclude from selected…' });
    await waitFor(() => expect((opener as HTMLButtonElement).disabled).toBe(false), { timeout: 5_000 });
    opener.focus();
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'Exclude Spring buyers from ad groups?' });
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    const exclude = within(dialog).getByRole('button', { name: 'Exclude' });
    await waitFor(() => expect(document.activeElement).toBe(cancel), { timeout: 5_000 });
    fireEvent.keyDown(cancel, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(exclude);
    fireEvent.keyDown(exclude, { key: 'Tab' });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 5_000 });
    expect(document.activeElement).toBe(opener);
    expect(b.callsTo('use:apply')).toEqual([]);
  });

  it('while it is sending, focus rests on the dialog and Tab keeps it there; when sending ends it is back on the button', async () => {
    let refuse!: (err: Error) => void;
    useFakeEngine({
      'use:adGroups': () => adGroups(),
      'use:apply': () =>
        new Promise<never>((_resolve, reject) => {
          refuse = reject;
        }),
    });
    render(<UseInTiktok a={audience()} />);
    fireEvent.click(screen.getByRole('button', { name: /Ad groups/ }));
    fireEvent.click(await screen.findByRole('checkbox', { name: /Cart abandoners/ }));
    await clickWhenEnabled('Exclude from selected…');
    const dialog = await screen.findByRole('dialog', { name: 'Exclude Spring buyers from ad groups?' });
    const exclude = within(dialog).getByRole('button', { name: 'Exclude' }) as HTMLButtonElement;
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' })), { timeout: 5_000 });
    exclude.focus();
    fireEvent.click(exclude);
    await waitFor(() => expect(exclude.disabled).toBe(true), { timeout: 5_000 });
    expect(document.activeElement).toBe(dialog);
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(dialog);
    fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(dialog);
    // Focus that falls to <body> (as a browser drops a disabled button's) is taken back at the dialog's next render.
    dialog.blur();
    expect(document.activeElement).toBe(document.body);
    refuse(new AppError('TIKTOK_REJECTED', 'Ad group g1 does not exist under advertiser 7000000000000000001.'));
    expect(await within(dialog).findByText(/Ad group g1 does not exist/)).toBeTruthy();
    await waitFor(() => expect(exclude.disabled).toBe(false), { timeout: 5_000 });
    expect(document.activeElement).toBe(exclude);
  });

  it('a refusal stays in the dialog in the engine’s words, and nothing is marked done', async () => {
    useFakeEngine({
      'use:adGroups': () => adGroups(),
      'use:apply': () => {
        throw new AppError('TIKTOK_REJECTED', 'Ad group g1 does not exist under advertiser 7000000000000000001.');
      },
    });
    render(<UseInTiktok a={audience()} />);
    fireEvent.click(screen.getByRole('button', { name: /Ad groups/ }));
    fireEvent.click(await screen.findByRole('checkbox', { name: /Cart abandoners/ }));
    await clickWhenEnabled('Include in selected…');
    const dialog = await screen.findByRole('dialog', { name: 'Target Spring buyers in ad groups?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Include' }));
    expect(await within(dialog).findByText(/Ad group g1 does not exist/)).toBeTruthy();
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(screen.queryByText(/^Done\./)).toBeNull();
  });

  it('a lookalike of a seed under 100 is refused with the reason before anything is sent', async () => {
    const b = useFakeEngine({ 'use:lookalikes': () => [] });
    render(<UseInTiktok a={audience({ coverNum: 60 })} />);
    fireEvent.click(screen.getByRole('button', { name: /Lookalikes/ }));
    expect(await screen.findByText(/matched 60 people of this audience; a lookalike needs a seed of at least 100/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Create lookalike…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(b.callsTo('use:createLookalike')).toEqual([]);
  });

  it('a lookalike’s confirmation names its size, devices, places and the seed-deletion warning', async () => {
    const b = useFakeEngine({
      'use:lookalikes': () => [],
      'use:createLookalike': (r) => ({ tiktokAudienceId: 'l1', name: r.name, audienceSize: r.audienceSize, mobileOs: r.mobileOs, locationIds: r.locationIds, includeSource: false, createdAt: '2026-12-01T00:00:00Z', refreshedAt: null, coverNum: null, isValid: null, existsAtTiktok: true, seedDeleted: false }),
    });
    render(<UseInTiktok a={audience()} />);
    fireEvent.click(screen.getByRole('button', { name: /Lookalikes/ }));
    fireEvent.click(await screen.findByRole('radio', { name: 'Narrow' }));
    fireEvent.change(screen.getByLabelText('Devices'), { target: { value: 'IOS' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'United Kingdom' }));
    await clickWhenEnabled('Create lookalike…');
    const dialog = await screen.findByRole('dialog', { name: 'Create a lookalike?' });
    expect(within(dialog).getByText(/narrow \(closest match, smallest reach\), iOS only, in United States, United Kingdom\. Deleting "Spring buyers" later stops this lookalike’s refreshes\./)).toBeTruthy();
    expect(b.callsTo('use:createLookalike')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create lookalike' }));
    await waitFor(() => expect(b.callsTo('use:createLookalike')).toEqual([{ id: 1, name: 'Spring buyers lookalike', audienceSize: 'NARROW', mobileOs: 'IOS', locationIds: ['6252001', '2635167'], includeSource: false }]), { timeout: 5_000 });
  });

  it('delete at TikTok says it detaches from the ad groups using it, then deletes; confirming calls the engine once and leaves', async () => {
    const onDeleted = vi.fn();
    const b = useFakeEngine({
      'use:usage': () => [
        { adgroupId: 'g1', adgroupName: 'Cart abandoners', usage: 'Exclude', appliedAt: null },
        { adgroupId: 'g2', adgroupName: 'Past buyers', usage: 'Include', appliedAt: null },
      ],
      'use:lookalikes': () => [],
      'use:deleteAtTiktok': () => ({ deleted: [{ id: 1, name: 'Spring buyers', detachedFrom: 2 }], deleteRequests: 1 }),
    });
    render(<UseInTiktok a={audience()} onDeleted={onDeleted} />);
    fireEvent.click(screen.getByRole('button', { name: 'Delete at TikTok…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete Spring buyers at TikTok?' });
    expect(within(dialog).getByText(/Delete 1 audience at TikTok \(Spring buyers\) and here .*This cannot be undone\. First detach them from the ad groups using them: "Spring buyers" from 2 ad groups/)).toBeTruthy();
    expect(b.callsTo('use:deleteAtTiktok')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Detach and delete' }));
    await waitFor(() => expect(onDeleted).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    expect(b.callsTo('use:deleteAtTiktok')).toEqual([{ ids: [1] }]);
  });

  it('sharing offers the connection’s other ad accounts, takes typed ids, and asks before sending one share call', async () => {
    const b = useFakeEngine({
      'connections:list': () => [connection({ advertisers: [ADVERTISER, { advertiserId: '7000000002', name: 'Second Shop' }] })],
      'use:shares': () => [],
      'use:share': () => ({ pairs: 2, requests: 1 }),
    });
    await useApp.getState().loadConnections();
    render(<UseInTiktok a={audience()} />);
    fireEvent.click(screen.getByRole('button', { name: /Share with other ad accounts/ }));
    expect(await screen.findByText('Not shared with any ad account.')).toBeTruthy();
    expect(screen.queryByRole('checkbox', { name: /Sandbox Shop/ })).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: /Second Shop/ }));
    fireEvent.change(screen.getByLabelText(/Other ad account ids/), { target: { value: '7000000099' } });
    await clickWhenEnabled('Share…');
    const dialog = await screen.findByRole('dialog', { name: 'Share Spring buyers?' });
    expect(within(dialog).getByText(/^Share 1 audience \(Spring buyers\) with 2 ad accounts of the same Business Center \(Second Shop, 7000000099\)/)).toBeTruthy();
    expect(b.callsTo('use:share')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(b.callsTo('use:share')).toEqual([{ ids: [1], advertiserIds: ['7000000002', '7000000099'] }]), { timeout: 5_000 });
  });
});
