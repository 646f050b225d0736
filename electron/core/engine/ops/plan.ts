/**
 * `plan`: reads, validates, hashes and diffs a cohort file against an audience's last synced snapshot, locally.
 * Nothing is sent to TikTok and nothing is written to the store. The file is read through the sync's own
 * read-plus-suppress target (readCohortTargetParts) as a draft audience, so a plan counts exactly what a sync would send.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CALCULATE_TYPE_BY_KEY, DEFAULT_REMOVAL_LIMIT_PCT, KEY_LABELS, type KeyType, type NormalizationProfile } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { allInvalidMessage, type RejectRecord } from '../../cohort';
import { diffCounts } from '../../cohort/sorted-parts';
import { spillLimit } from '../../cohort/spill';
import { fileError } from '../../cohort/csv-file';
import { resolveDataDir } from '../../paths';
import { Store } from '../../store';
import type { AudienceRecord, KeyMapping } from '../../store/audiences-repo';
import { layoutOf } from '../../sync/entry-layout';
import { holdMessage, knownMatchRate, matchFloorOver, overLimit } from '../../sync/removal-guard';
import { leaveOutErased, readCohortTargetParts } from '../../sync/cohort-target';
import { erasedDigests } from '../../sync/erasure';
import { sameKeyColumns, withCountryColumn, type CohortTarget } from '../../sync/sync-service';

export interface PlanCohortRequest {
  /** Absolute path of the cohort CSV. */
  csv: string;
  key: KeyType;
  column: string | number | null;
  /** Several mapped columns (--keys): of different keys a multi-key cohort, all of one key several values per person. */
  keys: { key: KeyType; column: string | number }[] | null;
  profile: NormalizationProfile;
  suppress: string | null;
  /** The column of ISO country codes the phone key's national-format numbers are read with (phone only). */
  countryColumn?: string | number | null;
  /** Diff against this saved audience (both or neither); else against an empty audience. */
  advertiserId?: string;
  audienceName?: string;
  signal?: AbortSignal;
  /**
   * A single-key file whose every row is rejected gives its counts and rejects with `allRejected` set, instead of
   * CSV_INVALID (a rejects report is then most wanted).
   */
  allowAllRejected?: boolean;
}

export interface PlanCohortResult {
  rowsRead: number;
  valid: number;
  rejected: number;
  duplicates: number;
  suppressed: number;
  /** Entries left out because they hold a person erased from the audience (erase). */
  erased: number;
  adds: number;
  removes: number;
  currentSize: number;
  projectedSize: number;
  rejectReasons: Record<string, number>;
  columns: CohortTarget['columns'];
  perKey: CohortTarget['perKey'] | null;
  audienceKnown: boolean;
  removalLimitPct: number | null;
  /**
   * Set when a sync with these columns replaces the audience whole (saved with other columns of a key: its stored
   * membership is in another shape): the people it holds before and after. `adds` and `removes` are then the net change.
   */
  replace: { before: number; after: number } | null;
  /** The removal limit, as a sync would apply it (nothing is held by a plan). */
  wouldHold: { removes: number; currentSize: number; percent: number; limitPct: number; confirmed: boolean; message: string } | null;
  rejectsTruncated: boolean;
  /** The rejected rows (masked values), for a rejects report. */
  rejects: RejectRecord[];
  /** With allowAllRejected: the plain words for "no row has a usable key" when that is so, else null. */
  allRejected: string | null;
}

/** The draft audience a plan reads the file as (never saved). */
function draftOf(req: PlanCohortRequest): AudienceRecord {
  // --keys email=Email 1,email=Email 2: several columns of one key (a person with two emails), as a sync maps them.
  const keys: KeyMapping[] = withCountryColumn(req.keys ? sameKeyColumns(req.keys) : [{ key: req.key, column: req.column }], req.countryColumn);
  const now = new Date().toISOString();
  return {
    id: 0,
    connectionId: null,
    advertiserId: req.advertiserId ?? '',
    tiktokAudienceId: null,
    name: req.audienceName ?? '',
    api: 'file',
    keys,
    calculateType: keys.length > 1 ? 'MULTIPLE_TYPES' : CALCULATE_TYPE_BY_KEY[keys[0]!.key],
    sourcePath: req.csv,
    sourceKind: 'file',
    sourcePattern: null,
    suppressPath: req.suppress,
    profile: req.profile,
    cadence: { kind: 'manual' },
    paused: false,
    removalLimitPct: DEFAULT_REMOVAL_LIMIT_PCT,
    removalMode: 'mirror',
    othersSize: null,
    hasHeader: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** Plans a cohort file: its counts, rejects and the diff against the named audience's last synced snapshot. */
export async function planCohort(env: NodeJS.ProcessEnv, asked: PlanCohortRequest): Promise<PlanCohortResult> {
  // One name rule with sync: "Acme Buyers " is the audience "Acme Buyers".
  const req = { ...asked, audienceName: asked.audienceName?.trim() || undefined };
  if (Boolean(req.advertiserId) !== Boolean(req.audienceName)) throw new AppError('INVALID_ARGUMENT', 'Give --advertiser ID and --audience NAME together to diff against that audience, or neither.');
  const draft = draftOf(req);
  const width = layoutOf(draft).width;
  const signal = req.signal ?? new AbortController().signal;
  // The file the user typed: a missing one in the reader's words (the saved-audience words of readCohortTarget do not fit).
  try {
    fs.statSync(req.csv);
  } catch (err) {
    throw fileError(req.csv, err);
  }
  // The target in parts: a cohort too large for memory stays in part files and is diffed a part at a time.
  const res = await readCohortTargetParts(draft, { signal, onRows: () => undefined, spillAbove: spillLimit(env), allowAllRejected: req.allowAllRejected });
  try {
    let currentSize = 0;
    let audienceKnown = false;
    let removalLimitPct: number | null = null;
    let confirmedDigest: string | null = null;
    let counts: { adds: number; removes: number } | null = null;
    let digest: string | null = null;
    let erased = 0;
    let reshaped = false;
    let matchRate: number | null = null;
    if (req.advertiserId && req.audienceName) {
      const store = Store.open(resolveDataDir(env));
      try {
        const a = store.audiences.findByName(req.advertiserId, req.audienceName);
        if (a) {
          audienceKnown = true;
          const saved = a.keys.map((k) => k.key).sort().join();
          const asked = [...new Set((req.keys ?? [{ key: req.key }]).map((k) => k.key))].sort().join();
          if (saved !== asked) throw new AppError('KEY_TYPE_LOCKED', `Audience "${req.audienceName}" matches on ${a.keys.map((k) => KEY_LABELS[k.key]).join(' + ')}; an audience's key cannot change. Plan against a new audience name instead.`);
          removalLimitPct = a.removalLimitPct;
          matchRate = a.tiktokAudienceId ? knownMatchRate(store, a) : null;
          // People erased from the audience stay out, as its syncs leave them out (in the layout of the columns asked).
          erased = await leaveOutErased(res.parts, draft, erasedDigests(store, a.id));
          const hold = store.holds.get(a.id);
          confirmedDigest = hold?.reason === 'removals' && hold.state === 'confirmed' ? hold.targetDigest : null;
          // Both sides stream: the stored snapshot chunk by chunk, the target part by part. One of another width (saved
          // with other columns of a key, sync/mapping-change.ts) is never read at this one: a sync with these columns
          // replaces the audience whole, from the stored size to the file's.
          const stored = store.snapshots.meta(a.id);
          currentSize = stored?.entryCount ?? 0;
          // The digest of the whole target (removal-guard's targetDigest), only when a confirmed hold needs comparing.
          const h = confirmedDigest ? createHash('sha256') : null;
          reshaped = Boolean(stored && stored.entryCount > 0 && stored.entryWidth !== width);
          counts = await diffCounts(reshaped ? [] : store.snapshots.chunks(a.id), res.parts, width, h ? (part) => h.update(part) : undefined);
          digest = h ? h.digest('hex') : null;
          // A replace from the stored size: the removal limit weighs its shrink, as a sync does.
          if (reshaped) counts = { adds: Math.max(0, res.parts.count - currentSize), removes: Math.max(0, currentSize - res.parts.count) };
        }
      } finally {
        store.close();
      }
    }
    const { adds, removes } = counts ?? { adds: res.parts.count, removes: 0 };
    // Over the limit, or TikTok would likely match under the floor afterwards (where the audience's match rate is known).
    const over = audienceKnown && (overLimit(currentSize, removes, removalLimitPct) || matchFloorOver({ currentSize, adds, removes, matchRate }));
    const confirmed = over && confirmedDigest !== null && confirmedDigest === digest;
    const base = { currentSize, adds, removes, limitPct: removalLimitPct ?? 0, percent: currentSize ? (removes / currentSize) * 100 : 0, rowsRead: res.rowsRead, lastRowsRead: null, runId: null, heldAt: null, repeated: false, confirmed, kept: false };
    return {
      rowsRead: res.rowsRead,
      valid: res.valid,
      rejected: res.rejected,
      duplicates: res.duplicates,
      suppressed: res.suppressed,
      erased,
      adds,
      removes,
      currentSize,
      projectedSize: res.parts.count,
      rejectReasons: res.rejectReasons,
      columns: res.columns,
      perKey: res.perKey ?? null,
      audienceKnown,
      removalLimitPct: audienceKnown ? removalLimitPct : null,
      replace: reshaped ? { before: currentSize, after: res.parts.count } : null,
      wouldHold: over ? { removes: base.removes, currentSize, percent: Math.round(base.percent * 100) / 100, limitPct: base.limitPct, confirmed, message: holdMessage({ ...base, limitPct: removalLimitPct ?? 100, replace: reshaped, matchRate }, 'preview') } : null,
      rejectsTruncated: res.rejectsTruncated,
      rejects: res.rejects ?? [],
      allRejected: res.valid === 0 && res.rowsRead > 0 ? allInvalidMessage(path.basename(req.csv), req.key, res.columns[0]?.name ?? String(req.column ?? ''), res.rowsRead, res.rejectReasons) : null,
    };
  } finally {
    await res.parts.dispose();
  }
}
