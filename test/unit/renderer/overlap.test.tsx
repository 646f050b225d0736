// @vitest-environment jsdom
/**
 * Audience detail → "Overlap with…" (#14 §2): pick another audience, see the exact overlap from local hashes (key by
 * key for multi-key audiences), the engine's refusal in its own words, and TikTok's matched-user overlap only when
 * asked, after saying that is a read at TikTok.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { countRangeText } from '../../../renderer/src/features/audiences/overlap-panel';
import { AppError } from '../../../shared/errors';
import type { OverlapView } from '../../../shared/ipc/overlap-dto';
import { audience, detail } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

const list = () => [audience(), audience({ id: 2, name: 'Churned' }), audience({ id: 3, name: 'Newsletter' })];

const exact: OverlapView = {
  local: {
    a: { id: 1, name: 'Spring buyers', size: 10_033 },
    b: { id: 2, name: 'Churned', size: 4_013 },
    byKey: [{ key: 'email', a: 10_033, b: 4_013, both: 1_204 }],
    both: 1_204,
    onlyA: 8_829,
    onlyB: 2_809,
    shareOfA: 0.12,
    shareOfB: 0.3,
    note: null,
  },
  localProblem: null,
  tiktok: null,
};

async function pick(name: string) {
  const select = await screen.findByLabelText('Compare with');
  await screen.findByRole('option', { name });
  fireEvent.change(select, { target: { value: String(list().find((x) => x.name === name)!.id) } });
}

describe('Overlap with…', () => {
  it('compares with the picked audience from local hashes only, and says how many are in both with both shares', async () => {
    const b = useFakeEngine({ 'audiences:get': () => detail(), 'audiences:list': list, 'audiences:overlap': () => exact });
    render(<AudienceDetail id={1} />);
    await screen.findByRole('heading', { name: 'Overlap with…' });
    expect(screen.queryByRole('option', { name: 'Spring buyers' })).toBeNull();
    await pick('Churned');
    await clickWhenEnabled('Compare');
    expect(await screen.findByText(/^1,204 people are in both \(12\s?% of Spring buyers, 30\s?% of Churned\)\.$/)).toBeTruthy();
    expect(screen.getByText(/Only in Spring buyers: 8,829 · only in Churned: 2,809/)).toBeTruthy();
    expect(b.callsTo('audiences:overlap')).toEqual([{ ids: [1, 2], atTiktok: false }]);
  });

  it('multi-key audiences are shown key by key, with the engine’s note', async () => {
    useFakeEngine({
      'audiences:get': () => detail(),
      'audiences:list': list,
      'audiences:overlap': () => ({
        ...exact,
        local: {
          ...exact.local!,
          byKey: [
            { key: 'email', a: 800, b: 400, both: 200 },
            { key: 'phone', a: 500, b: 250, both: 50 },
          ],
          both: null,
          onlyA: null,
          onlyB: null,
          shareOfA: null,
          shareOfB: null,
          note: 'Several keys per person: counted key by key (a person may share one key and not another).',
        },
      }),
    });
    render(<AudienceDetail id={1} />);
    await pick('Churned');
    await clickWhenEnabled('Compare');
    expect(await screen.findByText(/^Email: 200 in both \(25\s?% of 800 in Spring buyers, 50\s?% of 400 in Churned\)\.$/)).toBeTruthy();
    expect(screen.getByText(/^Phone: 50 in both \(10\s?% of 500 in Spring buyers, 20\s?% of 250 in Churned\)\.$/)).toBeTruthy();
    expect(screen.getByText(/Several keys per person: counted key by key/)).toBeTruthy();
    expect(screen.queryByText(/people are in both/)).toBeNull();
  });

  it('a refusal is shown in the engine’s words', async () => {
    const words = '"Spring buyers" matches on Email and "Newsletter" on Phone: they share no key, so their people cannot be compared. Compare audiences that match on the same key.';
    useFakeEngine({
      'audiences:get': () => detail(),
      'audiences:list': list,
      'audiences:overlap': () => {
        throw new AppError('INVALID_ARGUMENT', words);
      },
    });
    render(<AudienceDetail id={1} />);
    await pick('Newsletter');
    await clickWhenEnabled('Compare');
    const alert = await screen.findByText(words);
    expect(alert.closest('[role="alert"]')).toBeTruthy();
  });

  it('when only TikTok can compare, the engine’s reason for no local count is shown beside TikTok’s answer', async () => {
    const why = 'Audience "Churned" has not been synced yet (or its record is being rebuilt from TikTok), so this computer holds none of its hashes. Sync it first, then compare.';
    useFakeEngine({
      'audiences:get': () => detail(),
      'audiences:list': list,
      'audiences:overlap': () => ({ local: null, localProblem: why, tiktok: { aMatched: 9_500, bMatched: null, overlapRate: null, overlapRateRange: '10%-20%', overlapCountRange: null, requestId: 'r2' } }),
    });
    render(<AudienceDetail id={1} />);
    await pick('Churned');
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Ask TikTok for its matched-user overlap' }));
    await clickWhenEnabled('Compare');
    expect(await screen.findByText(`Not counted here: ${why}`)).toBeTruthy();
    expect(screen.getByText(/^TikTok: 10%-20% of the users TikTok matched in Spring buyers \(9,500\) are also in Churned\.$/)).toBeTruthy();
    expect(screen.queryByText(/people are in both/)).toBeNull();
  });

  it('asking TikTok says first it is a read at TikTok, then sends atTiktok and shows TikTok’s matched-user overlap', async () => {
    const b = useFakeEngine({
      'audiences:get': () => detail(),
      'audiences:list': list,
      'audiences:overlap': ({ atTiktok }) => ({
        ...exact,
        tiktok: atTiktok ? { aMatched: 9_500, bMatched: 3_900, overlapRate: 0.11, overlapRateRange: null, overlapCountRange: '1600-1700', requestId: 'r1' } : null,
      }),
    });
    render(<AudienceDetail id={1} />);
    const box = await screen.findByRole('checkbox', { name: 'Ask TikTok for its matched-user overlap' });
    expect(box.getAttribute('aria-describedby') && document.getElementById(box.getAttribute('aria-describedby')!)?.textContent).toMatch(/^A read at TikTok:/);
    await pick('Churned');
    fireEvent.click(box);
    await clickWhenEnabled('Compare');
    expect(await screen.findByText(/^TikTok: 11\s?% of the users TikTok matched in Spring buyers \(9,500\) are also in Churned \(3,900 matched\), about 1,600-1,700 people\.$/)).toBeTruthy();
    await waitFor(() => expect(b.callsTo('audiences:overlap')).toEqual([{ ids: [1, 2], atTiktok: true }]), { timeout: 5_000 });
  });
});

describe("TikTok's overlap count range", () => {
  it('reads with thousands separators, and keeps a range TikTok gives in K', () => {
    expect(countRangeText('1600-1700')).toBe('1,600-1,700');
    expect(countRangeText('12000-150000')).toBe('12,000-150,000');
    expect(countRangeText('1K-5K')).toBe('1K-5K');
  });
});
