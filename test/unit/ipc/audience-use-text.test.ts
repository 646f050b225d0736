/** The words of #14 §1's confirmations (desktop dialogs and CLI previews share them). */
import { describe, expect, it } from 'vitest';
import { describeApply, describeDeleteAtTiktok, describeLookalike, describeShare } from '../../../shared/audience-use-text';

describe('what each action will do, in words', () => {
  it('says how many share requests 10 × 10 batching takes, only when more than one', () => {
    const accounts = (n: number) => Array.from({ length: n }, (_, i) => `70000000${i}`);
    expect(describeShare(['A'], accounts(10))).not.toMatch(/requests/);
    expect(describeShare(['A'], accounts(11))).toMatch(/sent as 2 requests/);
    expect(describeShare(Array.from({ length: 21 }, (_, i) => `A${i}`), accounts(11))).toMatch(/sent as 6 requests/);
  });

  it('a delete names the ad groups it detaches from, the lookalikes that stop refreshing, and 100 per request', () => {
    const one = describeDeleteAtTiktok([{ name: 'Buyers', adGroups: 3, lookalikes: 1 }]);
    expect(one).toMatch(/^Delete 1 audience at TikTok \(Buyers\) and here/);
    expect(one).toMatch(/"Buyers" from 3 ad groups/);
    expect(one).toMatch(/Lookalikes made from "Buyers" stay, but can no longer be refreshed\./);
    expect(one).not.toMatch(/requests/);
    const many = describeDeleteAtTiktok(Array.from({ length: 101 }, (_, i) => ({ name: `A${i}`, adGroups: 0, lookalikes: 0 })));
    expect(many).toMatch(/No ad group uses them\./);
    expect(many).toMatch(/and 96 more/);
    expect(many).toMatch(/2 requests/);
  });

  it('exclude reads as a suppression list; a lookalike warns that deleting its seed stops refreshes', () => {
    expect(describeApply('Buyers', 'Exclude', ['G1'])).toBe('Exclude "Buyers" from 1 ad group (G1) at TikTok: its people stop seeing these ads (a suppression list). Ad delivery changes at once.');
    expect(describeLookalike('Buyers', { name: 'LAL', audienceSize: 'BROAD', mobileOs: 'ANDROID', locationIds: ['6252001', '123'], includeSource: true })).toBe(
      'Create the lookalike audience "LAL" at TikTok from "Buyers": broad (widest reach, loosest match), Android only, in United States, location 123, including the seed’s own people. Deleting "Buyers" later stops this lookalike’s refreshes.',
    );
  });
});
