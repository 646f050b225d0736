/**
 * Keys of an audience as the screens name them. A multi-key (MULTIPLE_TYPES) audience holds up to one key per
 * slot; IDFA and GAID share TikTok's one mobile-ad-id slot, so an audience has at most one of them.
 */
import { KEY_LABELS, KEY_SLOTS, slotOfKey, type KeySlot, type KeyType } from '../../../shared/domain';

export { KEY_SLOTS };

export const SLOT_LABELS: Record<KeySlot, string> = { email: 'Email', phone: 'Phone', maid: 'MAID' };

/** The slot a key fills (shared/domain.ts slotOfKey). */
export const slotOf = slotOfKey;

/** "Email" for a single-key audience; "Email + Phone + MAID" for a multi-key one, in slot order. */
export function keysText(keys: readonly { key: KeyType }[]): string {
  if (keys.length === 1) return KEY_LABELS[keys[0]!.key];
  if (keys.length === 0) return '—';
  const slots = new Set(keys.map((k) => slotOf(k.key)));
  return KEY_SLOTS.filter((s) => slots.has(s))
    .map((s) => SLOT_LABELS[s])
    .join(' + ');
}

/** A slot's label; the MAID slot also names the ad id it holds when known ("MAID · IDFA"). */
export function slotLabel(slot: KeySlot, keys: readonly { key: KeyType }[] = []): string {
  if (slot !== 'maid') return SLOT_LABELS[slot];
  const k = keys.find((x) => slotOf(x.key) === 'maid');
  return k ? `MAID · ${k.key === 'idfa' ? 'IDFA' : 'GAID'}` : SLOT_LABELS.maid;
}
