/**
 * The safety net: a sync that would remove more than a set share of an audience's people (default 20 %, per
 * audience, switchable off) is held before anything is sent — no call spent, nothing changed at TikTok or in the
 * snapshot — until the user confirms exactly that change once, or keeps the audience as it is. A broken upstream
 * export (an empty or cut-short file, a renamed key column) so never empties a live audience.
 *
 * What is measured: the people the sync would remove, against the audience's local size (what TikTok was last
 * told it holds). A file that merely has fewer rows (duplicates dropped) removes nobody and is not held; a file
 * whose row count collapsed removes people and is, and the words then compare its rows with the last synced file.
 * The volume-drop breaker adds the file's own size: a sync that removes anyone from a file with more than the limit
 * fewer rows than the file last synced is held too, even when its removals are a small share of the audience (an
 * adopted audience whose other members this app never removes: most of what it added can go in a few-% removal).
 * Not checked: the first sync (a create), an adoption of an existing TikTok audience (its members are unknown
 * here), and an undo (the user asked for exactly that change).
 *
 * The same hold record, screens and commands serve a second question (`reason: 'membership'`): TikTok shows changes
 * to who is in the audience that this app did not send (another tool, or this computer lost recent records), so the
 * snapshot cannot be trusted. Nothing is replaced until the user chooses: "Replace with the file" (one full REPLACE,
 * its removals judged against what this computer last knew, as above) or "Keep syncing changes only" (TikTok's
 * changes are accepted as they are and not asked about again).
 */
import { createHash } from 'node:crypto';
import { countText } from '../../../shared/count-text';
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import type { HoldReason, HoldRecord } from '../store/holds-repo';
import type { RunTrigger } from '../store/runs-repo';
import type { Strategy } from './planner';

/** A held sync (over its audience's removal limit, or its membership unknown), as a run or a dry run reports it. */
export interface HoldInfo {
  /** 'removals': over the removal limit. 'membership': TikTok shows changes this app did not send; the numbers are the full replace's. */
  reason: HoldReason;
  /** The audience's local size before the sync (what this computer last knew it held). */
  currentSize: number;
  adds: number;
  removes: number;
  /** The audience's limit (%); null only for a membership hold of an audience without one. */
  limitPct: number | null;
  /** removes as a share of currentSize (%). */
  percent: number;
  rowsRead: number;
  /** Rows of the file last synced, when known. */
  lastRowsRead: number | null;
  /** The run that first held this very change; null in a dry run (nothing is held). */
  runId: number | null;
  /** When this very change was first held (null in a dry run). */
  heldAt: string | null;
  /** This same change was held before: the user was told then, so no new notification. */
  repeated: boolean;
  /** The user confirmed exactly this change ("Sync anyway (once)"): the sync goes ahead. */
  confirmed: boolean;
  /** The user chose "Keep audience as is" for this change: it stays held without asking again. */
  kept: boolean;
  /** Membership holds: changes TikTok shows that this app did not send (else null). */
  foreignChanges: number | null;
  /**
   * The removals are more than the audience's limit (the confirmation is then for exactly this file). A removals hold
   * with false here is held for the drop in the file's rows alone.
   */
  overLimit: boolean;
  /** Plain words with the numbers. */
  message: string;
}

/** Thrown by a held run: nothing was sent; the run ends as held. */
export class SyncHeld extends AppError {
  constructor(readonly hold: HoldInfo) {
    super(hold.reason === 'membership' ? 'MEMBERSHIP_UNKNOWN' : 'REMOVALS_HELD', hold.message);
  }
}

/** The numbers a removal-limit message needs. */
type RemovalNumbers = Pick<HoldInfo, 'currentSize' | 'adds' | 'removes' | 'percent' | 'rowsRead' | 'lastRowsRead' | 'confirmed' | 'kept'> & {
  limitPct: number;
  /** The sync replaces the whole membership (its columns changed): the words say so, with the sizes. */
  replace?: boolean;
  /** The share of the audience TikTok matched at its last check, when known (the match floor, matchFloorOver). */
  matchRate?: number | null;
};

const f = countText;

/** "65 %"; more digits when rounding would hide that the share is over the limit (20.4 % of a 20 % limit). */
export function percentText(percent: number, limitPct: number): string {
  if (Math.round(percent) > limitPct || percent === 0) return `${Math.round(percent)} %`;
  let digits = 1;
  while (digits < 4 && Number(percent.toFixed(digits)) <= limitPct) digits++;
  return `${percent.toFixed(digits)} %`;
}

/** Whether removing `removes` of `current` people is over `limitPct` (strictly more than the share). */
export function overLimit(current: number, removes: number, limitPct: number | null): boolean {
  return limitPct !== null && current > 0 && removes * 100 > limitPct * current;
}

/**
 * Whether the file's row count fell by more than `limitPct` against the file last synced (the volume-drop breaker):
 * an audience only partly filled by this app (adopted, "only remove people this app added") can lose most of what
 * this app added while the removals stay a small share of the whole audience.
 */
export function rowsDropOver(rowsRead: number, lastRowsRead: number | null, limitPct: number | null): boolean {
  return limitPct !== null && lastRowsRead !== null && lastRowsRead > 0 && (lastRowsRead - rowsRead) * 100 > limitPct * lastRowsRead;
}

/**
 * Whether a sync that removes people would leave an audience TikTok likely matches under the 1,000 floor: where the
 * audience's match rate is known (matched ÷ sent at its last check), the people it would hold times that rate. TikTok
 * makes such an audience unavailable and never lets it be edited again, whatever the removal limit says.
 */
export function matchFloorOver(h: Pick<HoldInfo, 'currentSize' | 'adds' | 'removes'> & { matchRate?: number | null }): boolean {
  return h.removes > 0 && h.matchRate !== undefined && h.matchRate !== null && expectedMatched(h) < AUDIENCE_FLOOR;
}

/**
 * The share of the audience TikTok matched at its newest check that had a count (cover_num ÷ the people sent then):
 * the rate `status` shows. A check taken while TikTok still processed our last change counts too (a sync's own check
 * comes right after its change, so insisting on a finished one left the rate unknown after every CLI sync); a count
 * above what was sent (TikTok lagging a smaller audience) is skipped for an older one. Null when unknown: never
 * counted, an audience that only loses what this app added (its others are not counted here), or one that sends
 * several values per person (sent counts values, not people).
 */
export function knownMatchRate(store: Store, a: Pick<AudienceRecord, 'id' | 'removalMode' | 'calculateType' | 'keys'>): number | null {
  if (a.removalMode === 'added-only') return null;
  if (a.calculateType !== 'MULTIPLE_TYPES' && a.keys.some((k) => (k.extraColumns?.length ?? 0) > 0)) return null;
  const s = store.status.history(a.id, 20).reverse().find((r) => r.coverNum !== null && r.coverNum > 0 && r.localSize > 0 && r.coverNum <= r.localSize);
  return s ? s.coverNum! / s.localSize : null;
}

function expectedMatched(h: Pick<HoldInfo, 'currentSize' | 'adds' | 'removes'> & { matchRate?: number | null }): number {
  return Math.floor((h.currentSize + h.adds - h.removes) * (h.matchRate ?? 1));
}

/** The match-floor sentence: how many people TikTok would likely match after the sync, with the rate when known. */
function matchFloorText(h: RemovalNumbers): string {
  const after = h.currentSize + h.adds - h.removes;
  const rate = h.matchRate !== undefined && h.matchRate !== null ? `TikTok matched about ${Math.round(h.matchRate * 100)} % of this audience at its last check, so of the ${f(after)} people left about ${f(expectedMatched(h))} may match` : `TikTok would likely match fewer of the ${f(after)} people left`;
  return `${rate} — under ${f(AUDIENCE_FLOOR)}: TikTok then makes the audience unavailable and never lets it be edited again`;
}

/** The words for a sync held because TikTok would likely match under the floor afterwards (its removals within the limit). */
function matchFloorMessage(h: RemovalNumbers, mode: 'held' | 'preview'): string {
  const what = h.replace ? `replaces all ${f(h.currentSize)} people with ${f(h.currentSize + h.adds - h.removes)}` : `removes ${f(h.removes)} of ${f(h.currentSize)} people`;
  const head = `This sync ${what}. ${matchFloorText(h)}`;
  if (h.confirmed) return `${head}. It goes ahead, as you confirmed once.`;
  if (mode === 'preview') return `${head}, so it will be held until you confirm it: nothing is sent until then. Add people to the cohort, or confirm if this is right.`;
  const kept = h.kept ? ' You chose to keep the audience as is for this file; a changed file is checked again.' : '';
  return `${head}, so it was held: nothing was sent and no call was spent. Add people to the cohort, or confirm if this is right.${kept}`;
}

/** The words for a held (or, in a dry run, would-be-held or confirmed) sync. */
export function holdMessage(h: RemovalNumbers, mode: 'held' | 'preview'): string {
  const share = `${f(h.removes)} of ${f(h.currentSize)} people (${percentText(h.percent, h.limitPct)})`;
  const over = overLimit(h.currentSize, h.removes, h.limitPct);
  if (!over && rowsDropOver(h.rowsRead, h.lastRowsRead, h.limitPct)) return rowsDropMessage(h, mode);
  // Within the limit, held only because the user chose to keep the audience as is for this very file.
  if (!over && h.kept && !h.confirmed && !matchFloorOver(h)) return keptWithinMessage(h, mode);
  // Held for the match floor alone (a stored hold without the rate says so without it).
  if (!over) return matchFloorMessage(h, mode);
  const rows = `${rowsNote(h)}${matchFloorOver(h) ? ` ${matchFloorText(h)}.` : ''}`;
  // A replace shrinks the audience rather than removing named people: its words give both sizes.
  const after = h.currentSize + h.adds - h.removes;
  const replaced = `all ${f(h.currentSize)} people with ${f(after)}: ${f(h.removes)} fewer (${percentText(h.percent, h.limitPct)})`;
  if (h.confirmed) return h.replace ? `This sync replaces ${replaced}, more than this audience's ${h.limitPct} % limit, as you confirmed once.${rows}` : `This sync removes ${share}, more than this audience's ${h.limitPct} % limit, as you confirmed once.${rows}`;
  const head = h.replace ? `This sync would replace ${replaced}, more than this audience's ${h.limitPct} % limit` : `This sync would remove ${share}, more than this audience's ${h.limitPct} % limit`;
  if (mode === 'preview') return `${head}, so it will be held until you confirm it: nothing is sent until then.${rows}`;
  const kept = h.kept ? ' You chose to keep the audience as is for this file; a changed file is checked again.' : '';
  return `${head}, so it was held: nothing was sent and no call was spent.${rows}${kept}`;
}

/** The words for a kept file whose removals are within the limit now (an erasure took some of them). */
function keptWithinMessage(h: RemovalNumbers, mode: 'held' | 'preview'): string {
  const head = `This sync would remove ${f(h.removes)} of ${f(h.currentSize)} people, but you chose to keep the audience as is for this file`;
  if (mode === 'preview') return `${head}, so it will stay held: nothing is sent until you confirm it. A changed file is checked again.`;
  return `${head}, so it was held: nothing was sent and no call was spent. Confirm if this is right; a changed file is checked again.`;
}

/** The words for a sync held because the file's row count fell by more than the limit (its removals are within it). */
function rowsDropMessage(h: RemovalNumbers, mode: 'held' | 'preview'): string {
  const last = h.lastRowsRead!;
  const drop = ((last - h.rowsRead) * 100) / last;
  const rows = `The file has ${f(h.rowsRead)} rows, ${percentText(drop, h.limitPct)} fewer than the ${f(last)} of the file last synced: more than this audience's ${h.limitPct} % limit`;
  const removes = `${f(h.removes)} ${h.removes === 1 ? 'person' : 'people'}`;
  if (h.confirmed) return `${rows}. This sync removes ${removes}, as you confirmed once.`;
  if (mode === 'preview') return `${rows}, and this sync would remove ${removes}, so it will be held until you confirm it: nothing is sent until then. Check that the export is complete.`;
  const kept = h.kept ? ' You chose to keep the audience as is for this file; a changed file is checked again.' : '';
  return `${rows}, and this sync would remove ${removes}, so it was held: nothing was sent and no call was spent. Check that the export is complete.${kept}`;
}

function rowsNote(h: Pick<HoldInfo, 'rowsRead' | 'lastRowsRead'>): string {
  return h.lastRowsRead !== null && h.rowsRead < h.lastRowsRead
    ? ` The file has ${f(h.rowsRead)} rows; the one last synced had ${f(h.lastRowsRead)}: check that the export is complete.`
    : '';
}

/** "3 changes", "1 change". */
function changesText(n: number): string {
  return `${f(n)} change${n === 1 ? '' : 's'}`;
}

/**
 * The words for a sync held because TikTok shows changes this app did not send (or, in a dry run, one that would
 * be held; or one the user confirmed). The numbers are the full replace's, against what this computer last knew.
 */
export function membershipMessage(h: Omit<HoldInfo, 'message' | 'reason' | 'foreignChanges'> & { foreignChanges: number; calls: number | null }, mode: 'held' | 'preview'): string {
  const who = `TikTok shows ${changesText(h.foreignChanges)} to who is in this audience that Cohort Relay did not send (another tool, or this computer lost recent records)`;
  const calls = h.calls === null ? 'one full replace' : `one full replace, ${h.calls} call${h.calls === 1 ? '' : 's'}`;
  const numbers = `+${f(h.adds)} −${f(h.removes)} against the ${f(h.currentSize)} people this computer last knew it held; against what TikTok holds now, unknown`;
  const limit = h.overLimit && h.limitPct !== null ? ` That removes ${f(h.removes)} of ${f(h.currentSize)} people (${percentText(h.percent, h.limitPct)}), more than this audience's ${h.limitPct} % limit.` : '';
  const rows = rowsNote(h);
  if (h.confirmed) return `${who}. As you chose, this sync replaces its whole membership with the file (${calls}: ${numbers}).${limit}${rows}`;
  const head = `${who}, so who is in it is not known here. To make it match the file exactly, its whole membership can be replaced with the file (${calls}: ${numbers}).${limit}${rows}`;
  const choose = 'Choose "Replace with the file", or "Keep syncing changes only" to accept TikTok\'s changes and send only what changes in the file.';
  if (mode === 'preview') return `${head} This sync will be held until you choose: nothing is sent until then. ${choose}`;
  return `${head} The sync was held: nothing was sent and no call was spent. ${choose}`;
}

/** SHA-256 of the sorted cohort a sync would leave the audience holding: what a confirmation is for. */
export function targetDigest(target: Buffer): string {
  return createHash('sha256').update(target).digest('hex');
}

function lastRowsRead(store: Store, audienceId: number): number | null {
  const last = store.runs.list({ audienceId, limit: 50 }).find((r) => r.status === 'done' && r.trigger !== 'undo' && r.rowsRead > 0);
  return last?.rowsRead ?? null;
}

export interface RemovalCheckInput {
  trigger: RunTrigger;
  dryRun: boolean;
  /** The run being made (null in a dry run). */
  runId: number | null;
  strategy: Strategy;
  currentSize: number;
  adds: number;
  removes: number;
  /** The cohort the sync would leave the audience holding (sorted entries). */
  target: Buffer;
  /** targetDigest of the target when it is not in `target` (a cohort kept in part files, digested part by part). */
  targetDigest?: string;
  /** A full replace of a membership known here by its size: `adds`/`removes` are its net change, and the words say replace. */
  replace?: boolean;
  /** The audience's match rate (matched ÷ sent at its last check), when known: a sync TikTok would likely match under the floor after is held too. */
  matchRate?: number | null;
  rowsRead: number;
  now: Date;
}

/**
 * Checks a planned sync against the audience's removal limit, before anything is sent. Returns null when the
 * check does not apply or the sync is within the limit; otherwise the hold, `confirmed` when the user confirmed
 * exactly this change (the sync goes ahead). Outside a dry run it records the hold, and forgets one the file no
 * longer warrants (the export was fixed); a dry run records nothing.
 */
export function checkRemovals(store: Store, audience: Pick<AudienceRecord, 'id' | 'removalLimitPct'>, input: RemovalCheckInput): HoldInfo | null {
  // An erasure request removes exactly the person the user named and confirmed (erasure.ts).
  if (input.trigger === 'undo' || input.trigger === 'erase' || input.strategy === 'create' || input.strategy === 'adopt') return null;
  // A membership hold is another question: a run that gets here no longer has it (TikTok's count matches again).
  const held = store.holds.get(audience.id);
  const existing = held?.reason === 'removals' ? held : null;
  if (held && !existing && !input.dryRun) store.holds.clear(audience.id);
  const lastRows = lastRowsRead(store, audience.id);
  // A file that merely has fewer rows and removes nobody is not held; one that removes people is, when either the
  // removals or the drop in rows is over the limit.
  const rowsDrop = input.removes > 0 && rowsDropOver(input.rowsRead, lastRows, audience.removalLimitPct);
  // Whatever the limit (even switched off): a sync that leaves TikTok matching under the floor is asked about first.
  const matchDrop = matchFloorOver(input);
  // The file's fingerprint, taken only when there is a hold to compare it with or one to make: it is a SHA-256 over the
  // whole target (160 MB at 5 M people), on the engine's thread.
  let fingerprint: string | null = null;
  const digestOf = (): string => (fingerprint ??= input.targetDigest ?? targetDigest(input.target));
  // "Keep audience as is" is for the file, whatever its numbers: an erasure may bring the same file under the limit.
  const keptSame = existing?.state === 'kept' && existing.targetDigest === digestOf();
  if (!overLimit(input.currentSize, input.removes, audience.removalLimitPct) && !rowsDrop && !matchDrop && !keptSame) {
    // Within the limit: a hold of another change is void now (a confirmed one stays until its sync completes).
    if (!input.dryRun && existing && !(existing.state === 'confirmed' && existing.targetDigest === digestOf())) store.holds.clear(audience.id);
    return null;
  }
  const digest = digestOf();
  // Null: the limit is off, and the match floor alone holds the sync (no share is over it).
  const limitPct = audience.removalLimitPct;
  const same = existing !== null && existing.targetDigest === digest;
  const base = {
    reason: 'removals' as const,
    foreignChanges: null,
    overLimit: overLimit(input.currentSize, input.removes, limitPct),
    ...holdNumbers(input, limitPct, lastRows, same ? existing : null),
    repeated: same,
    confirmed: same && existing.state === 'confirmed',
    kept: same && existing.state === 'kept',
  };
  const info: HoldInfo = { ...base, message: holdMessage({ ...base, limitPct: limitPct ?? 100, replace: input.replace, matchRate: input.matchRate }, input.dryRun ? 'preview' : 'held') };
  if (!input.dryRun && !info.confirmed) {
    putHold(store, audience.id, info, { reason: 'removals', targetDigest: digest, foreignChanges: null, foreignBaseline: null, state: info.kept ? 'kept' : 'held', decidedAt: same ? existing.decidedAt : null });
  }
  return info;
}

/** The numbers of a hold of this sync: `sameAs`, the stored hold asking the same question, keeps its run and time. */
function holdNumbers<L extends number | null>(input: RemovalCheckInput, limitPct: L, lastRows: number | null, sameAs: Pick<HoldRecord, 'runId' | 'heldAt'> | null) {
  return {
    currentSize: input.currentSize,
    adds: input.adds,
    removes: input.removes,
    limitPct,
    percent: input.currentSize > 0 ? (input.removes * 100) / input.currentSize : 0,
    rowsRead: input.rowsRead,
    lastRowsRead: lastRows,
    runId: sameAs ? sameAs.runId : input.runId,
    heldAt: sameAs ? sameAs.heldAt : input.dryRun ? null : input.now.toISOString(),
  };
}

/** Records a held sync: the numbers of `info`, with what differs between the two kinds of hold. */
function putHold(store: Store, audienceId: number, info: HoldInfo, rest: Pick<HoldRecord, 'reason' | 'targetDigest' | 'foreignChanges' | 'foreignBaseline' | 'state' | 'decidedAt'>): void {
  const { runId, currentSize, adds, removes, limitPct, rowsRead, lastRowsRead, heldAt } = info;
  store.holds.put({ audienceId, runId, currentSize, adds, removes, limitPct, rowsRead, lastRowsRead, heldAt: heldAt!, ...rest });
}

export interface MembershipCheckInput extends RemovalCheckInput {
  /** Changes to who is in the audience TikTok shows that this app did not send. */
  foreignChanges: number;
  /** The history baseline that accepts them all ("Keep syncing changes only" records it). */
  foreignBaseline: number;
  /** Calls the full replace takes (for the words). */
  calls: number | null;
}

/**
 * TikTok shows changes to the audience that this app did not send: the sync is held until the user chooses, unless
 * they chose "Replace with the file" already (`confirmed`: the full replace goes ahead; when it removes more than the
 * audience's limit, only for exactly the file they saw). Outside a dry run, a held one is recorded; the same question
 * (the same count of changes; over the limit, the same file too) keeps the run that first asked, so it is not
 * notified again. Never null: the caller asks only when TikTok's count shows such changes.
 */
export function checkUnknownMembership(store: Store, audience: Pick<AudienceRecord, 'id' | 'removalLimitPct'>, input: MembershipCheckInput): HoldInfo {
  const held = store.holds.get(audience.id);
  const prior = held?.reason === 'membership' ? held : null;
  const limitPct = audience.removalLimitPct;
  const over = overLimit(input.currentSize, input.removes, limitPct);
  const digest = targetDigest(input.target);
  const confirmed = prior?.state === 'confirmed' && (!over || prior.targetDigest === digest);
  const same = prior !== null && prior.foreignChanges === input.foreignChanges && (!over || prior.targetDigest === digest);
  const base = {
    ...holdNumbers(input, limitPct, lastRowsRead(store, audience.id), same ? prior : null),
    repeated: same,
    confirmed,
    kept: false,
    overLimit: over,
  };
  const info: HoldInfo = {
    ...base,
    reason: 'membership',
    foreignChanges: input.foreignChanges,
    message: membershipMessage({ ...base, foreignChanges: input.foreignChanges, calls: input.calls }, input.dryRun ? 'preview' : 'held'),
  };
  if (!input.dryRun && !confirmed) {
    putHold(store, audience.id, info, { reason: 'membership', targetDigest: digest, foreignChanges: input.foreignChanges, foreignBaseline: input.foreignBaseline, state: 'held', decidedAt: null });
  }
  return info;
}

/**
 * The words for a hold as stored (the audience view and the CLI's status). `replace`: the held sync replaces the whole
 * membership (its columns changed, reshapedMembership): said as a replace with both sizes, not as named removals.
 */
export function storedHoldMessage(h: HoldRecord, replace = false): string {
  const percent = h.currentSize > 0 ? (h.removes * 100) / h.currentSize : 0;
  const common = { ...h, percent, repeated: true, confirmed: h.state === 'confirmed', kept: h.state === 'kept' };
  if (h.reason === 'membership') {
    const over = overLimit(h.currentSize, h.removes, h.limitPct);
    return membershipMessage({ ...common, runId: h.runId, heldAt: h.heldAt, overLimit: over, foreignChanges: h.foreignChanges ?? 0, calls: null }, 'held');
  }
  return holdMessage({ ...common, limitPct: h.limitPct ?? 0, replace }, 'held');
}

/**
 * "Sync anyway (once)": confirms the audience's held change. `runId` names the hold the user saw (the run that
 * first held it); a hold of another change is refused, so a confirmation never covers a file nobody looked at.
 */
export function confirmHold(store: Store, audienceId: number, runId: number | null | undefined, now: Date): HoldRecord {
  const h = requireHold(store, audienceId, runId);
  if (h.state !== 'confirmed') store.holds.decide(audienceId, 'confirmed', now);
  return store.holds.get(audienceId)!;
}

/**
 * "Keep audience as is": the held change is not sent; the same file stays held without asking again. For a
 * membership hold, "Keep syncing changes only": TikTok's changes that this app did not send are accepted as they are
 * (recorded as the audience's history baseline, so they are not asked about again) and the hold ends; the next sync
 * sends only what changed in the file. Returns the hold as decided.
 */
export function keepHold(store: Store, audienceId: number, runId: number | null | undefined, now: Date): HoldRecord {
  const h = requireHold(store, audienceId, runId);
  if (h.reason === 'membership') {
    store.transaction(() => {
      store.audiences.setHistoryBaseline(audienceId, h.foreignBaseline);
      store.holds.clear(audienceId);
    });
    return { ...h, state: 'kept', decidedAt: now.toISOString() };
  }
  if (h.state !== 'kept') store.holds.decide(audienceId, 'kept', now);
  return store.holds.get(audienceId)!;
}

function requireHold(store: Store, audienceId: number, runId: number | null | undefined): HoldRecord {
  const h = store.holds.get(audienceId);
  if (!h) {
    throw new AppError('INVALID_ARGUMENT', 'No sync of this audience is held: a later sync went through, or the file no longer removes more than the limit. Nothing to confirm.');
  }
  if (runId !== undefined && runId !== null && h.runId !== runId) {
    throw new AppError('INVALID_ARGUMENT', 'The held sync of this audience changed since (a newer file was checked): nothing was confirmed. Look at the new numbers, then choose again.');
  }
  return h;
}
