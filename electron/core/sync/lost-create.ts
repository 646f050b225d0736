/**
 * The one lost-create mechanism (issue #13 §3), for customer-file and partner audiences alike. A create whose answer
 * never reached this computer — lost on the wire, later than the client's timeout, or answered just before the app
 * died — may still have made an audience at TikTok. Before creating (again), TikTok is asked for it by name, and the
 * one it made is synced to: a second audience is never created.
 *
 * What was sent and not settled is recorded before the create goes out, in the same database that records its
 * answer: the quota ledger for a customer-file create (it counts against the audience's day), a settings mark for a
 * partner create (the segment API has no such budget).
 */
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import { AUDIENCE_SETTINGS } from '../store/settings-keys';
import type { RemoteAudience } from './audience-api';
import { TIKTOK_TIME_SLACK_MS, tiktokTimeMs } from './status';

/**
 * How long after a create was sent TikTok may still apply it: a create TikTok did not answer within the client's
 * timeout (30 s) is an unknown outcome, like a lost answer, and may appear some time later.
 */
export const CREATE_SETTLE_MS = 2 * 60_000;

/** Records that a partner create is about to be sent (a customer-file create is recorded by its quota reservation). */
export function notePartnerCreateSent(store: Store, audienceId: number, at: Date): void {
  store.settings.write(AUDIENCE_SETTINGS.partnerCreateSent(audienceId), at.toISOString());
}

/** The partner create's fate is known (acknowledged, or found at TikTok). */
export function settlePartnerCreate(store: Store, audienceId: number): void {
  store.settings.write(AUDIENCE_SETTINGS.partnerCreateSent(audienceId), null);
}

/** When (epoch ms) the newest create of this audience whose fate is unknown was sent, or null. A refused create made nothing. */
export function unsettledCreateAt(store: Store, audience: Pick<AudienceRecord, 'id' | 'api'>): number | null {
  if (audience.api === 'segment') {
    const at = store.settings.read(AUDIENCE_SETTINGS.partnerCreateSent(audience.id));
    return at ? Date.parse(at) : null;
  }
  return store.quota.unackedCreateAt(audience.id);
}

export interface LostCreateLookup {
  store: Store;
  /** The audience's API: findByName answers with the audience's name as TikTok stores it. */
  api: { findByName(name: string): Promise<RemoteAudience[]> };
  now(): Date;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
}

/**
 * The audience at TikTok that this app made for `audience`, if any: same name, same kind (partner, or a customer-file
 * audience of the same key type), of this advertiser (findByName asks only its list), made by this app's token
 * (is_creator), created since the audience was recorded here (TikTok's create_time, read with TIKTOK_TIME_SLACK_MS
 * for its time zone: an older namesake is someone else's, left alone), and kept by no other local audience. An
 * audience without a create time is taken only when a create of ours of unknown fate explains it. When such a create
 * is recent and nothing is found, TikTok may still be applying it: asked again once it has had CREATE_SETTLE_MS.
 */
export async function findLostCreate(c: LostCreateLookup, audience: AudienceRecord): Promise<RemoteAudience | undefined> {
  const { store } = c;
  const sentAt = unsettledCreateAt(store, audience);
  const since = Date.parse(audience.createdAt) - TIKTOK_TIME_SLACK_MS;
  const partner = audience.api === 'segment';
  const look = async () =>
    (await c.api.findByName(audience.name))
      .filter((a) => ((a.audienceType ?? '').toLowerCase() === 'partner') === partner)
      .filter((a) => partner || a.calculateType === null || a.calculateType === audience.calculateType)
      .filter((a) => a.isCreator !== false)
      .filter((a) => (tiktokTimeMs(a.createTime) ?? (sentAt !== null ? Infinity : -Infinity)) >= since)
      .filter((a) => {
        const owner = store.audiences.findByTiktokId(audience.advertiserId, a.audienceId);
        return !owner || owner.id === audience.id;
      })
      .sort((a, b) => String(b.createTime).localeCompare(String(a.createTime)))[0];
  const found = await look();
  if (found || sentAt === null) return found;
  const wait = sentAt + CREATE_SETTLE_MS - c.now().getTime();
  if (wait <= 0) return undefined;
  await c.sleep(wait, c.signal);
  return look();
}
