/**
 * The honest match rate (#14 §2, as Census argues): TikTok's matched count against every row of the source file
 * (rows rejected as invalid included), beside the usual matched ÷ sent. A file where half the rows carry no usable key
 * matches "90 %" of what was sent and 45 % of the people in it: the second figure is what the marketer reached.
 *
 * Both sides count people: TikTok's cover_num is matched users (tiktok-api.md, audience/get). An audience of one key read
 * from several columns (Email 1, Email 2) sends one line per value, so its "sent" counts values, not people: matched ÷
 * sent would mix the two, and is not given (the rate against the file's rows, one row a person, is). A count above what
 * it is set against is TikTok's count lagging a smaller audience (right after an undo or an erase): no rate above
 * 100 % is given, only since when TikTok has shown that count.
 */
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import type { RunRecord } from '../store/runs-repo';
import type { StatusRecord } from '../store/status-repo';
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
  /**
   * TikTok's count is above what was sent or the file's rows (it has not caught up with a smaller audience, as right
   * after an undo or an erase): since when TikTok has shown this count (ISO); the rates are then null, never above 1.
   */
  staleSince: string | null;
  /** The audience sends several values per person (one key from several columns): sent counts values, so ofSent is null. */
  valuesPerPerson: boolean;
  /**
   * TikTok is still matching the audience and has matched nobody yet (its latest check said processing, as right after
   * a create): no rate is given, never "0 %" of a list TikTok has not matched yet.
   */
  processing: boolean;
}

/**
 * Both rates from one matched count. `staleSince`: since when TikTok has shown `matched` (given as staleSince when the
 * count is above what it is set against); `valuesPerPerson`: sent counts values, not people (no matched ÷ sent).
 */
export function rates(matched: number | null, sent: number, rows: number | null, opts: { since?: string | null; valuesPerPerson?: boolean; processing?: boolean } = {}): MatchRates {
  const valuesPerPerson = opts.valuesPerPerson ?? false;
  const processing = opts.processing ?? false;
  if (processing) return { matched, sent, rows, ofSent: null, ofRows: null, staleSince: null, valuesPerPerson, processing };
  const ofSent = matched === null || sent <= 0 || valuesPerPerson ? null : matched / sent;
  const ofRows = matched === null || rows === null || rows <= 0 ? null : matched / rows;
  if ((ofSent ?? 0) > 1 || (ofRows ?? 0) > 1) return { matched, sent, rows, ofSent: null, ofRows: null, staleSince: opts.since ?? null, valuesPerPerson, processing };
  return { matched, sent, rows, ofSent, ofRows, staleSince: null, valuesPerPerson, processing };
}

/** Whether the audience sends several values per person: one key (not multi-key tuples) read from several columns. */
export function sendsValuesPerPerson(a: Pick<AudienceRecord, 'calculateType' | 'keys'>): boolean {
  return a.calculateType !== 'MULTIPLE_TYPES' && a.keys.some((k) => (k.extraColumns?.length ?? 0) > 0);
}

/** Since when TikTok has reported the latest count: the first check of the newest run of checks with that same count. */
function countSince(history: readonly StatusRecord[]): string | null {
  const last = history[history.length - 1];
  if (!last) return null;
  let since = last.checkedAt;
  for (let i = history.length - 2; i >= 0 && history[i]!.coverNum === last.coverNum; i--) since = history[i]!.checkedAt;
  return since;
}

/** The audience's match rates at its latest status check (null: never checked). */
export function latestMatchRates(store: Store, audienceId: number): MatchRates | null {
  const history = statusHistory(store, audienceId, 50);
  const s = history[history.length - 1];
  if (!s) return null;
  const since = countSince(history);
  // Nothing matched yet while TikTok processes (a new audience): no rate. A count TikTok already has stays shown (a
  // sync's own check comes right after its change, while TikTok processes it).
  const processing = s.state === 'processing' && !s.coverNum;
  // An adopted audience whose other members this app never removes: TikTok matches them too, and no file of ours
  // holds them, so matched is set against everyone known to be in it and not against the file's rows.
  const a = store.audiences.get(audienceId);
  const others = a?.removalMode === 'added-only' ? (a.othersSize ?? 0) : 0;
  if (others > 0) return rates(s.coverNum, s.localSize + others, null, { since, processing });
  const file = syncedFileAt(store.runs.list({ audienceId, limit: 200 }), s.checkedAt);
  return rates(s.coverNum, s.localSize, file?.rowsRead ?? null, { since, valuesPerPerson: a ? sendsValuesPerPerson(a) : false, processing });
}

/** "80 %"; "—" when unknown. */
export function rateText(r: number | null): string {
  return r === null ? '—' : `${Math.round(r * 100)} %`;
}
