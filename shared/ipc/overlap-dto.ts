/** Overlap of two audiences (#14 §2): exact from the hashes kept here, and TikTok's matched-user overlap. */
import type { KeySlot } from '../domain';

/** One audience of a comparison: its local id, name and people in its last synced snapshot. */
export interface OverlapSideView {
  id: number;
  name: string;
  size: number;
}

/** Distinct hashes of one key in each audience, and in both. */
export interface KeyOverlapView {
  key: KeySlot;
  a: number;
  b: number;
  both: number;
}

/** The exact overlap from the hashes this computer keeps (nothing sent). */
export interface LocalOverlapView {
  a: OverlapSideView;
  b: OverlapSideView;
  byKey: KeyOverlapView[];
  /** People in both when both audiences match on one and the same key; null for multi-key audiences (see byKey). */
  both: number | null;
  onlyA: number | null;
  onlyB: number | null;
  /** both ÷ a.size and both ÷ b.size, 0..1. */
  shareOfA: number | null;
  shareOfB: number | null;
  note: string | null;
}

/** TikTok's overlap of matched users (audience/insight/overlap/), the first audience as the benchmark. */
export interface TiktokOverlapView {
  /** Matched users of each audience as TikTok reports them. */
  aMatched: number | null;
  bMatched: number | null;
  /** Share of the first audience's matched users the second also holds, as TikTok gives it (ranges are TikTok's words). */
  overlapRate: number | null;
  overlapRateRange: string | null;
  overlapCountRange: string | null;
  requestId: string | null;
}

export interface OverlapView {
  local: LocalOverlapView | null;
  /** Why the exact overlap could not be counted here (not synced, no shared key); null when it was. */
  localProblem: string | null;
  /** null unless TikTok was asked. */
  tiktok: TiktokOverlapView | null;
}
