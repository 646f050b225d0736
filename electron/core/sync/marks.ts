/**
 * Sticky facts a sync learned from TikTok's answers, kept in the settings table:
 * - an audience TikTok refused for good (40002 "not editable" on an audience that matched fewer than 1,000
 *   people): it is unavailable, its schedule stops, and no call is spent on it again;
 * - an ad account a connection cannot reach (40106): that advertiser needs attention, not the whole connection.
 * An unavailable mark names the TikTok audience it was made for, so a local id reused later does not inherit it.
 */
import { countText } from '../../../shared/count-text';
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import { AUDIENCE_SETTINGS } from '../store/settings-keys';

export interface UnavailableMark {
  /** The TikTok audience the mark is about. */
  tiktokAudienceId: string;
  /** When a sync found it (ISO). */
  at: string;
  /** TikTok's matched size then, when known. */
  coverNum: number | null;
}

export interface UnreachableMark {
  at: string;
  message: string;
}

/** The unavailable mark of the audience as it is now at TikTok, or null. */
export function unavailableMark(store: Store, a: Pick<AudienceRecord, 'id' | 'tiktokAudienceId'>): UnavailableMark | null {
  const m = store.settings.read(AUDIENCE_SETTINGS.unavailable(a.id));
  return m && a.tiktokAudienceId && m.tiktokAudienceId === a.tiktokAudienceId ? m : null;
}

/** Marks the audience unavailable and stops its schedule (in one transaction). */
export function markUnavailable(store: Store, a: Pick<AudienceRecord, 'id' | 'tiktokAudienceId'>, coverNum: number | null, at: Date): void {
  const tiktokAudienceId = a.tiktokAudienceId;
  if (!tiktokAudienceId) return;
  store.transaction(() => {
    store.settings.write(AUDIENCE_SETTINGS.unavailable(a.id), { tiktokAudienceId, at: at.toISOString(), coverNum } satisfies UnavailableMark);
    store.audiences.update(a.id, { paused: true });
  });
}

/** The words for an unavailable audience: what happened, and the way out. */
export function unavailableMessage(coverNum: number | null): string {
  const f = countText;
  const matched = coverNum === null ? `fewer than ${f(AUDIENCE_FLOOR)}` : coverNum === 0 ? 'no' : `only ${f(coverNum)} (under ${f(AUDIENCE_FLOOR)})`;
  return (
    `TikTok matched ${matched} people in this audience, so it is unavailable and TikTok will never let it be edited again; ` +
    'Cohort Relay stopped its schedule and sends nothing more to it. Way out: sync the cohort to a new audience — from a larger ' +
    'cohort, or with several keys per person (email, phone and mobile ad id) for a higher match rate.'
  );
}

/** The connection (null: the TIKTOK_ACCESS_TOKEN / unnamed one) cannot reach this ad account. */
export function markAdvertiserUnreachable(store: Store, connectionId: string | null, advertiserId: string, message: string, at = new Date()): void {
  store.settings.write(AUDIENCE_SETTINGS.advertiserUnreachable(connectionId, advertiserId), { at: at.toISOString(), message } satisfies UnreachableMark);
}

/**
 * The unreachable mark of an ad account on a connection, or null. Scheduled runs still try it (a 40106 costs no
 * audience call: the upload before any change is refused), and the first run that gets through clears it.
 */
export function advertiserUnreachable(store: Store, connectionId: string | null, advertiserId: string): UnreachableMark | null {
  return store.settings.read(AUDIENCE_SETTINGS.advertiserUnreachable(connectionId, advertiserId));
}

export function clearAdvertiserUnreachable(store: Store, connectionId: string | null, advertiserId: string): void {
  if (advertiserUnreachable(store, connectionId, advertiserId)) store.settings.write(AUDIENCE_SETTINGS.advertiserUnreachable(connectionId, advertiserId), null);
}

/**
 * TikTok refused an edit with 40002 "not editable" (processing, or unavailable for good) since this time: until
 * an edit is acknowledged again, every run asks TikTok for the audience's state (a free read) before it spends
 * a call, so an unavailable audience costs at most the one refused call.
 */
export function refusedEditSince(store: Store, audienceId: number): string | null {
  return store.settings.read(AUDIENCE_SETTINGS.refusedEdit(audienceId));
}

export function noteRefusedEdit(store: Store, audienceId: number, at: Date): void {
  if (!refusedEditSince(store, audienceId)) store.settings.write(AUDIENCE_SETTINGS.refusedEdit(audienceId), at.toISOString());
}

export function clearRefusedEdit(store: Store, audienceId: number): void {
  if (refusedEditSince(store, audienceId)) store.settings.write(AUDIENCE_SETTINGS.refusedEdit(audienceId), null);
}
