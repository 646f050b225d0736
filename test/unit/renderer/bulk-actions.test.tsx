// @vitest-environment jsdom
/**
 * Audiences list → multi-select (#14 §1): a checkbox per row and a "Select all", and a bar that shares the ticked
 * audiences or deletes them at TikTok in one go, each behind the same confirmation words as the audience detail.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import { describeDeleteAtTiktok, describeShare } from '../../../shared/audience-use-text';
import type { AudienceView } from '../../../shared/ipc/dto';
import { ADVERTISER, audience, connection } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

const OTHER = { advertiserId: '7000000002', name: 'Second shop' };

function engine(list: () => AudienceView[]) {
  return useFakeEngine({
    'audiences:list': list,
    'connections:list': () => [connection({ advertisers: [ADVERTISER, OTHER] })],
    'settings:get': () => ({ environment: 'offline-sandbox', defaultCountry: null, dailyCallBudget: 24, rateLimits: { qps: 10, qpm: 600 }, notifications: true, launchAtLogin: false, theme: 'system', dataFolder: '/d', pausedAll: false }),
    'use:share': ({ ids, advertiserIds }) => ({ pairs: ids.length * advertiserIds.length, requests: 1 }),
    'use:usage': ({ id }) => (id === 1 ? [{ adgroupId: 'g1', adgroupName: 'Cart abandoners', usage: 'Exclude' as const, appliedAt: null }] : []),
    'use:lookalikes': () => [],
    'use:deleteAtTiktok': ({ ids }) => ({ deleted: ids.map((id) => ({ id, name: `#${id}`, detachedFrom: 0 })), deleteRequests: 1 }),
  });
}

const THREE = [audience(), audience({ id: 2, name: 'Churned', tiktokAudienceId: '9000000002' }), audience({ id: 3, name: 'Newsletter', tiktokAudienceId: null })];

async function screenWithList(list: () => AudienceView[]) {
  const b = engine(list);
  await useApp.getState().loadConnections();
  render(<AudiencesScreen />);
  await screen.findByRole('checkbox', { name: 'Select Spring buyers' });
  return b;
}

describe('audiences list: multi-select', () => {
  it('ticking rows shows the bar; sharing asks in the shared words, Cancel sends nothing, confirming shares all ticked in one call', async () => {
    const b = await screenWithList(() => THREE);
    expect(screen.queryByRole('region', { name: 'Selected audiences' })).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Spring buyers' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Churned' }));
    const bar = screen.getByRole('region', { name: 'Selected audiences' });
    expect(within(bar).getByText('2 selected')).toBeTruthy();
    fireEvent.click(within(bar).getByRole('button', { name: 'Share selected…' }));
    fireEvent.click(within(bar).getByRole('checkbox', { name: /Second shop/ }));
    await clickWhenEnabled('Share 2 audiences…');
    let dialog = await screen.findByRole('dialog', { name: 'Share 2 audiences?' });
    expect(within(dialog).getByText(describeShare(['Spring buyers', 'Churned'], ['Second shop']))).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 5_000 });
    expect(b.callsTo('use:share')).toEqual([]);

    await clickWhenEnabled('Share 2 audiences…');
    dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Share' }));
    expect(await screen.findByText('Shared 2 audiences with 1 ad account.')).toBeTruthy();
    expect(b.callsTo('use:share')).toEqual([{ ids: [1, 2], advertiserIds: ['7000000002'] }]);
    // Done: the selection is cleared and the list read again.
    expect((screen.getByRole('checkbox', { name: 'Select Spring buyers' }) as HTMLInputElement).checked).toBe(false);
    expect(b.callsTo('audiences:list').length).toBeGreaterThanOrEqual(2);
  });

  it('"Select all" ticks every row; deleting at TikTok reads usage first, names it, leaves out audiences not at TikTok, and deletes in one call', async () => {
    let deleted = false;
    const b = await screenWithList(() => (deleted ? [THREE[2]!] : THREE));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    for (const name of ['Spring buyers', 'Churned', 'Newsletter']) expect((screen.getByRole('checkbox', { name: `Select ${name}` }) as HTMLInputElement).checked).toBe(true);
    const bar = screen.getByRole('region', { name: 'Selected audiences' });
    expect(within(bar).getByText('3 selected')).toBeTruthy();
    expect(within(bar).getByText('1 selected audience not created at TikTok yet is left out.')).toBeTruthy();
    b.handlers['use:deleteAtTiktok'] = ({ ids }) => {
      deleted = true;
      return { deleted: ids.map((id) => ({ id, name: `#${id}`, detachedFrom: 0 })), deleteRequests: 1 };
    };
    await clickWhenEnabled('Delete selected at TikTok…');
    const dialog = await screen.findByRole('dialog', { name: 'Delete 2 audiences at TikTok?' });
    expect(within(dialog).getByText(describeDeleteAtTiktok([{ name: 'Spring buyers', adGroups: 1, lookalikes: 0 }, { name: 'Churned', adGroups: 0, lookalikes: 0 }]))).toBeTruthy();
    expect(b.callsTo('use:deleteAtTiktok')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Detach and delete' }));
    expect(await screen.findByText('Deleted 2 audiences at TikTok and here.')).toBeTruthy();
    expect(b.callsTo('use:deleteAtTiktok')).toEqual([{ ids: [1, 2] }]);
    await waitFor(() => expect(screen.queryByRole('checkbox', { name: 'Select Spring buyers' })).toBeNull(), { timeout: 5_000 });
    // Unticking "Select all" clears the selection.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    expect(screen.queryByRole('region', { name: 'Selected audiences' })).toBeNull();
  });

  it('a row’s checkbox does not open the audience (the row click is for that)', async () => {
    await screenWithList(() => THREE);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Churned' }));
    expect(useApp.getState().route).not.toEqual({ name: 'audience', id: 2 });
  });
});
