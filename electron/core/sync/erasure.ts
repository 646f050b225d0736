/**
 * "Erase this person" (issue #12.4): one person's identifiers in, their entries found in every audience kept here,
 * removed from what is kept locally and queued as a REMOVE for TikTok; the digests of the identifiers are kept per
 * audience so that later syncs leave the person out although the cohort file still holds them (keepErased).
 *
 * The raw identifiers are never stored: they are normalized and hashed exactly as a sync of each audience would
 * (its key and normalization profile), and only the entries (hashes) they match are kept — in the audience's erase
 * queue, until TikTok acknowledged the REMOVE (then the snapshot no longer holds them either). The queue is a
 * setting per audience (hex entries), so an erasure that waits for the day's calls survives a restart.
 */
import type { KeyType } from '../../../shared/domain';
import { KEY_LABELS } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { countHashes, entriesHolding, hashValue, slotOfKey, sortHashes, subtractHashes, unionHashes } from '../cohort';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import { AUDIENCE_SETTINGS } from '../store/settings-keys';
import { membershipLayout } from './entry-layout';
import { loadPending } from './pending';

/** One identifier as the user typed it; `key` null: detected from its shape. */
export interface ErasureIdentifier {
  key: KeyType | null;
  value: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PHONEISH = /^\+?[\d\s().-]{6,}$/;

/** The key types an identifier may be: the one given, else what its shape says (a mobile ad id may be IDFA or GAID). */
export function candidateKeys(id: ErasureIdentifier): KeyType[] {
  if (id.key) return [id.key];
  const v = id.value.trim();
  if (v.includes('@')) return ['email'];
  if (UUID.test(v)) return ['idfa', 'gaid'];
  if (PHONEISH.test(v)) return ['phone'];
  throw new AppError('INVALID_ARGUMENT', 'The identifier is not recognizably an email address, a phone number (with its country code) or a mobile ad id (IDFA or GAID). Say which it is.');
}

/**
 * Checks each identifier can be read as its key at all (default normalization), so a typo is refused before anything
 * is looked up. The message never repeats the value.
 */
export function checkIdentifiers(ids: readonly ErasureIdentifier[]): void {
  if (ids.length === 0) throw new AppError('INVALID_ARGUMENT', 'Give the person\'s email, phone, IDFA or GAID to erase.');
  for (const id of ids) {
    const keys = candidateKeys(id);
    // A phone without its country code is read with each audience's default country, so it is not refused here.
    if (keys.includes('phone')) continue;
    if (!keys.some((k) => hashValue(k, id.value).ok)) {
      const r = hashValue(keys[0]!, id.value);
      throw new AppError('INVALID_ARGUMENT', `The ${KEY_LABELS[keys[0]!]} given cannot be read (${r.ok ? 'unknown' : r.reason}). Check it and try again.`);
    }
  }
}

/** The digests (hex) the identifiers hash to for one of the audience's keys, under its normalization profile. */
function digestsFor(a: AudienceRecord, key: KeyType, ids: readonly ErasureIdentifier[]): Buffer[] {
  const out: Buffer[] = [];
  for (const id of ids) {
    if (!candidateKeys(id).includes(key)) continue;
    const r = hashValue(key, id.value, a.profile);
    if (r.ok) out.push(Buffer.from(r.hash, 'hex'));
  }
  return out;
}

/**
 * The entries of this audience that are the person: in its snapshot (what TikTok acknowledged) or among the changes
 * that may have reached TikTok unacknowledged, and already queued ones. Sorted, unique, the audience's entry width.
 */
export function matchingEntries(store: Store, a: AudienceRecord, ids: readonly ErasureIdentifier[]): Buffer {
  // In the shape TikTok holds now (the old one, while a change of columns waits for its replace).
  const layout = membershipLayout(store, a);
  const w = layout.width;
  const sets = [store.snapshots.load(a.id), loadPending(store, a.id, 'add')];
  let found: Buffer = Buffer.alloc(0);
  for (const mapping of a.keys) {
    // Every value of the key counts: an email erased may be a person's second one (several columns of a key).
    const digests = sortHashes(Buffer.concat(digestsFor(a, mapping.key, ids)));
    for (const set of sets) {
      const hits = layout.tuple ? entriesHolding(set, digests, slotOfKey(mapping.key), layout.tuple) : subtractHashes(set, subtractHashes(set, digests));
      found = unionHashes(found, hits, w);
    }
  }
  return found;
}

/** The entries queued for removal from this audience (sorted, unique). */
export function queuedErasure(store: Store, audienceId: number): Buffer {
  const hex = store.settings.read(AUDIENCE_SETTINGS.erasureQueue(audienceId));
  if (hex.length === 0) return Buffer.alloc(0);
  const a = store.audiences.get(audienceId);
  const w = a ? membershipLayout(store, a).width : 32;
  return sortHashes(Buffer.concat(hex.map((h) => Buffer.from(h, 'hex'))), w);
}

export function hasQueuedErasure(store: Store, audienceId: number): boolean {
  return store.settings.read(AUDIENCE_SETTINGS.erasureQueue(audienceId)).length > 0;
}

/**
 * Queues the entries for removal and, in the same transaction, strips them from every undo delta kept for the
 * audience: an undo never adds an erased person back.
 */
export function queueErasure(store: Store, a: AudienceRecord, entries: Buffer): void {
  const w = membershipLayout(store, a).width;
  countHashes(entries, w);
  store.transaction(() => {
    const all = unionHashes(queuedErasure(store, a.id), entries, w);
    const hex: string[] = [];
    for (let p = 0; p < all.length; p += w) hex.push(all.subarray(p, p + w).toString('hex'));
    store.settings.write(AUDIENCE_SETTINGS.erasureQueue(a.id), hex);
    stripDeltas(store, a.id, entries, w);
  });
}

/**
 * Keeps the digests of the identifiers given (per key of the audience, under its normalization profile) so that every
 * later sync of the audience leaves the person out, though the cohort file still holds them (cohort-target.ts). Hashes
 * only, as the snapshot: the identifiers themselves are never stored. Kept while the audience is; deleted with it.
 */
export function keepErased(store: Store, a: AudienceRecord, ids: readonly ErasureIdentifier[]): void {
  const kept = new Set(store.settings.read(AUDIENCE_SETTINGS.erasedKept(a.id)));
  for (const key of new Set(a.keys.map((m) => m.key))) for (const d of digestsFor(a, key, ids)) kept.add(`${key}:${d.toString('hex')}`);
  store.settings.write(AUDIENCE_SETTINGS.erasedKept(a.id), [...kept].sort());
}

/** The digests of people erased from the audience, per key, sorted (what its syncs leave out). */
export function erasedDigests(store: Store, audienceId: number): Partial<Record<KeyType, Buffer>> {
  const byKey: Partial<Record<KeyType, Buffer[]>> = {};
  for (const item of store.settings.read(AUDIENCE_SETTINGS.erasedKept(audienceId))) {
    const at = item.indexOf(':');
    const key = item.slice(0, at) as KeyType;
    (byKey[key] ??= []).push(Buffer.from(item.slice(at + 1), 'hex'));
  }
  const out: Partial<Record<KeyType, Buffer>> = {};
  for (const [key, list] of Object.entries(byKey) as [KeyType, Buffer[]][]) out[key] = sortHashes(Buffer.concat(list));
  return out;
}

/**
 * What is kept for the audience about people erased from it: `kept`, the digests of what was typed (they keep the
 * people out of its syncs); `queued`, entries whose removal has not reached TikTok yet. Both go with the audience.
 */
export function erasureCounts(store: Store, audienceId: number): { kept: number; queued: number } {
  return { kept: store.settings.read(AUDIENCE_SETTINGS.erasedKept(audienceId)).length, queued: store.settings.read(AUDIENCE_SETTINGS.erasureQueue(audienceId)).length };
}

/** The queue is done (TikTok acknowledged the removal): nothing of the person is kept for the audience any more. */
export function clearErasure(store: Store, audienceId: number): void {
  store.settings.write(AUDIENCE_SETTINGS.erasureQueue(audienceId), []);
}

/** Removes the entries from every kept run delta of the audience (what undo would replay). */
function stripDeltas(store: Store, audienceId: number, entries: Buffer, w: number): void {
  // Every generation, staged ones too (#13): a delta being staged by a sync is stripped as well.
  for (const r of store.deltas.allChunks(audienceId)) {
    const kept = subtractHashes(r.data, entries, w);
    if (kept.length !== r.data.length) store.deltas.rewriteChunk(r, kept);
  }
}
