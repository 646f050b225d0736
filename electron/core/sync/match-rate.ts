/**
 * The honest match rate (#14 §2, as Census argues): TikTok's matched count against every row of the source file
 * (rows rejected as invalid included), beside the usual matched ÷ sent. A file where half the rows carry no usable key
 * matches "90 %" of what was sent and 45 % of the people in it: the second figure is what the marketer reached.
 */
import type { Store } from '../store';
import type { RunRecord } from '../store/runs-repo';
import { statusHistory } from './status';

/** The sync whose file the audience held at `at` (ISO): the last completed sync that read a file, undo aside. */
export function syncedFileAt(runs: readonly RunRecord[], at: string): RunRecord | null {
  const t = Date.parse(at);
  let best: RunRecord | null = null;
  for (const r of runs) {
    if (r.dryRun || r.status !== 'done' || r.trigger === 'undo' || r.rowsRead <= 0) continue;
    const done = Date.parse(r.finishedAt ?? r.startedAt);
    if (done <= t && (!best || done > Date.parse(best.finishedAt ?? best.startedAt))) best = r;
  }
  return best;
}

export interface MatchRates {
  /** TikTok's matched size (cover_num) at its latest check; null before TikTok reports one. */
  matched: number | null;
  /** People sent (the audience's local size then). */
  sent: number;
  /** Every row of the file last synced by then, invalid rows included; null when no sync read a file. */
  rows: number | null;
  /** matched ÷ sent (0..1); null when either is unknown or zero. */
  ofSent: number | null;
  /** matched ÷ all rows of the source (0..1); null when either is unknown or zero. */
  ofRows: number | null;
}

/** Both rates from one matched count. */
export function rates(matched: number | null, sent: number, rows: number | null): MatchRates {
  return {
    matched,
    sent,
    rows,
    ofSent: matched === null || sent <= 0 ? null : matched / sent,
    ofRows: matched === null || rows === null || rows <= 0 ? null : matched / rows,
  };
}

/** The audience's match rates at its latest status check (null: never checked). */
export function latestMatchRates(store: Store, audienceId: number): MatchRates | null {
  const s = statusHistory(store, audienceId, 1)[0];
  if (!s) return null;
  // An adopted audience whose other members this app never removes: TikTok matches them too, and no file of ours
  // holds them, so matched is set against everyone known to be in it and not against the file's rows.
  const a = store.audiences.get(audienceId);
  const others = a?.removalMode === 'added-only' ? (a.othersSize ?? 0) : 0;
  if (others > 0) return rates(s.coverNum, s.localSize + others, null);
  const file = syncedFileAt(store.runs.list({ audienceId, limit: 200 }), s.checkedAt);
  return rates(s.coverNum, s.localSize, file?.rowsRead ?? null);
}

/** "80 %"; "—" when unknown. */
export function rateText(r: number | null): string {
  return r === null ? '—' : `${Math.round(r * 100)} %`;
}
