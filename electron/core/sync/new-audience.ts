/**
 * The pieces of a new audience's record that every way of making one shares (SyncService.ensureAudience and its dry
 * run draftAudience, which the CLI and the desktop app's `audiences:create` and `sync:plan` reach through
 * engine/ops/create.ts): the key rule, the unsaved record a dry run plans, and the source fields a sync saves.
 */
import { CALCULATE_TYPE_BY_KEY, DEFAULT_REMOVAL_LIMIT_PCT, type CalculateType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { slotOfKey } from '../cohort';
import type { AudienceRecord, KeyMapping, NewAudience } from '../store/audiences-repo';

/**
 * The keys as one audience maps them, and the calculate_type TikTok fixes for them: two or three keys make a multi-key
 * (MULTIPLE_TYPES) audience, one row per person. Refused when two keys fill one slot (IDFA and GAID share one).
 */
export function mappedKeys(keys: KeyMapping[]): { keys: KeyMapping[]; calculateType: CalculateType } {
  if (new Set(keys.map((k) => slotOfKey(k.key))).size !== keys.length) {
    throw new AppError('INVALID_ARGUMENT', 'Map each key once, and at most one mobile ad id (IDFA or GAID): TikTok keeps one MAID per person in a multi-key audience.');
  }
  return { keys, calculateType: keys.length > 1 ? 'MULTIPLE_TYPES' : CALCULATE_TYPE_BY_KEY[keys[0]!.key] };
}

/** A new audience as a full record with nothing saved (id 0), as `store.audiences.create` would default it. */
export function unsaved(draft: NewAudience, now: Date): AudienceRecord {
  const at = now.toISOString();
  return {
    ...draft,
    id: 0,
    tiktokAudienceId: draft.tiktokAudienceId ?? null,
    api: draft.api ?? 'file',
    sourceKind: draft.sourceKind ?? 'file',
    sourcePattern: draft.sourcePattern ?? null,
    suppressPath: draft.suppressPath ?? null,
    cadence: draft.cadence ?? { kind: 'manual' },
    paused: false,
    removalLimitPct: draft.removalLimitPct === undefined ? DEFAULT_REMOVAL_LIMIT_PCT : draft.removalLimitPct,
    removalMode: draft.removalMode ?? 'mirror',
    othersSize: draft.othersSize ?? null,
    hasHeader: draft.hasHeader ?? null,
    createdAt: at,
    updatedAt: at,
  };
}

/** What a sync naming a saved audience changes in it: its source, connection and cadence (unset keeps the saved one). */
export function sourceOf(
  spec: { sourcePath: string; sourceKind?: 'file' | 'folder'; sourcePattern?: string | null; suppressPath?: string | null; connectionId: string | null; cadence?: AudienceRecord['cadence'] },
  saved: AudienceRecord,
): Pick<AudienceRecord, 'sourcePath' | 'sourceKind' | 'sourcePattern' | 'suppressPath' | 'connectionId' | 'cadence'> {
  return {
    sourcePath: spec.sourcePath,
    sourceKind: spec.sourceKind ?? saved.sourceKind,
    sourcePattern: spec.sourcePattern ?? saved.sourcePattern,
    suppressPath: spec.suppressPath === undefined ? saved.suppressPath : spec.suppressPath,
    connectionId: spec.connectionId ?? saved.connectionId,
    cadence: spec.cadence ?? saved.cadence,
  };
}
