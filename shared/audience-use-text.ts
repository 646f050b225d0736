/**
 * What each "put the audience to work" action will do at TikTok, in words, written once: the desktop's confirm
 * dialogs and the CLI's preview (without --yes) show the same sentences (issue #14 §1).
 */
import type { ApplyMode, LookalikeOs, LookalikeSize } from './ipc/audience-use-dto';
import { DELETE_BATCH, SHARE_BATCH } from './ipc/audience-use-dto';

/** Countries offered for lookalikes, with TikTok's location ids (GeoNames country ids). */
export const LOOKALIKE_LOCATIONS: readonly { id: string; name: string }[] = [
  { id: '6252001', name: 'United States' },
  { id: '2635167', name: 'United Kingdom' },
  { id: '6251999', name: 'Canada' },
  { id: '2077456', name: 'Australia' },
  { id: '2921044', name: 'Germany' },
  { id: '3017382', name: 'France' },
  { id: '3996063', name: 'Mexico' },
  { id: '3469034', name: 'Brazil' },
  { id: '1861060', name: 'Japan' },
  { id: '1643084', name: 'Indonesia' },
];

const SIZE_WORDS: Record<LookalikeSize, string> = { NARROW: 'narrow (closest match, smallest reach)', BALANCED: 'balanced', BROAD: 'broad (widest reach, loosest match)' };
const OS_WORDS: Record<LookalikeOs, string> = { ALL: 'Android and iOS', ANDROID: 'Android only', IOS: 'iOS only' };

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const list = (xs: readonly string[], max = 5): string => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`);

export function locationName(id: string): string {
  return LOOKALIKE_LOCATIONS.find((l) => l.id === id)?.name ?? `location ${id}`;
}

/** Attach / detach one audience to / from ad groups. */
export function describeApply(audience: string, mode: ApplyMode, adGroups: readonly string[]): string {
  const where = `${plural(adGroups.length, 'ad group')} (${list(adGroups)})`;
  if (mode === 'Disconnect') return `Detach "${audience}" from ${where} at TikTok. Those ad groups stop targeting or excluding its people.`;
  if (mode === 'Exclude') return `Exclude "${audience}" from ${where} at TikTok: its people stop seeing these ads (a suppression list). Ad delivery changes at once.`;
  return `Target "${audience}" in ${where} at TikTok: these ads reach its people. Ad delivery changes at once.`;
}

export function describeLookalike(seed: string, p: { name: string; audienceSize: LookalikeSize; mobileOs: LookalikeOs; locationIds: readonly string[]; includeSource: boolean }): string {
  return (
    `Create the lookalike audience "${p.name}" at TikTok from "${seed}": ${SIZE_WORDS[p.audienceSize]}, ${OS_WORDS[p.mobileOs]}, in ${list(p.locationIds.map(locationName))}` +
    `${p.includeSource ? ', including the seed’s own people' : ''}. Deleting "${seed}" later stops this lookalike’s refreshes.`
  );
}

export function describeRefresh(lookalike: string): string {
  return `Refresh the lookalike "${lookalike}" at TikTok from its seed now. TikTok recalculates it; it is unavailable to new ad groups until that ends.`;
}

export function describeShare(audiences: readonly string[], accounts: readonly string[]): string {
  const requests = Math.ceil(audiences.length / SHARE_BATCH) * Math.ceil(accounts.length / SHARE_BATCH);
  return (
    `Share ${plural(audiences.length, 'audience')} (${list(audiences)}) with ${plural(accounts.length, 'ad account')} of the same Business Center (${list(accounts)}). ` +
    `They can use it in their ad groups; it stays yours and is not uploaded again.${requests > 1 ? ` TikTok takes 10 × 10 per request, so this is sent as ${requests} requests.` : ''}`
  );
}

export function describeUnshare(audience: string, account: string): string {
  return `Stop sharing "${audience}" with ad account ${account}. Its ad groups that use the audience stop using it.`;
}

/** Delete audiences at TikTok (and here); `usage` counts ad groups each is attached to, `lookalikes` those seeded from it. */
export function describeDeleteAtTiktok(audiences: readonly { name: string; adGroups: number; lookalikes: number }[]): string {
  const detach = audiences.filter((a) => a.adGroups > 0);
  const seeds = audiences.filter((a) => a.lookalikes > 0);
  const requests = Math.ceil(audiences.length / DELETE_BATCH);
  return [
    `Delete ${plural(audiences.length, 'audience')} at TikTok (${list(audiences.map((a) => a.name))}) and here (schedule, sync history, the local record of who is in it). This cannot be undone.`,
    detach.length > 0 ? `First detach them from the ad groups using them: ${list(detach.map((a) => `"${a.name}" from ${plural(a.adGroups, 'ad group')}`))}; those ad groups stop targeting or excluding these people.` : 'No ad group uses them.',
    seeds.length > 0 ? `Lookalikes made from ${list(seeds.map((a) => `"${a.name}"`))} stay, but can no longer be refreshed.` : '',
    requests > 1 ? `TikTok deletes 100 per request: ${requests} requests.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
