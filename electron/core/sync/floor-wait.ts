/**
 * "Start when the cohort reaches 1,000": a new audience saved as waiting is not created at TikTok while its file holds
 * fewer than AUDIENCE_FLOOR people (TikTok would show it unavailable and never let it be edited); every sync, scheduled
 * or not, checks the file again, and the first one that finds enough people creates it. Kept in the settings table,
 * like the other sticky per-audience facts (marks.ts); the mark ends once the audience exists at TikTok.
 */
import { countText } from '../../../shared/count-text';
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import { AUDIENCE_SETTINGS } from '../store/settings-keys';

/** True while the audience waits for its cohort to reach the floor before it is created at TikTok. */
export function waitsForFloor(store: Store, a: Pick<AudienceRecord, 'id' | 'tiktokAudienceId' | 'createdAt'>): boolean {
  // The mark names the audience's creation time, so a local id reused later does not inherit it.
  return !a.tiktokAudienceId && store.settings.read(AUDIENCE_SETTINGS.startAtFloor(a.id)) === a.createdAt;
}

/** Saves (or clears) "start when the cohort reaches 1,000" for an audience not created at TikTok yet. */
export function setWaitForFloor(store: Store, a: Pick<AudienceRecord, 'id' | 'createdAt'>, wait: boolean): void {
  store.settings.write(AUDIENCE_SETTINGS.startAtFloor(a.id), wait ? a.createdAt : null);
}

/** The words of a sync that found the cohort still under the floor: nothing was sent. */
export function floorWaitMessage(people: number): string {
  const f = countText;
  return `Waiting for the cohort to reach ${f(AUDIENCE_FLOOR)} people (the file has ${f(people)}): nothing was sent. The first sync that finds ${f(AUDIENCE_FLOOR)} creates the audience at TikTok.`;
}
