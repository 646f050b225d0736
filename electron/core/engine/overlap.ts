/**
 * The engine's overlap operation (#14 §2): the exact overlap of two local audiences from the hashes kept here
 * (nothing sent), and, when asked, TikTok's overlap of their matched users (audience/insight/overlap/, a read: no
 * audience call is spent). Used by the engine's handler map (desktop, web host) and by the CLI.
 */
import { AppError } from '../../../shared/errors';
import type { Handlers } from '../../../shared/ipc/contract';
import type { OverlapView, TiktokOverlapView } from '../../../shared/ipc/overlap-dto';
import type { CohortRelayApp } from '../app';
import type { AudienceRecord } from '../store/audiences-repo';
import { localOverlap } from '../sync/overlap';

export interface OverlapHooks {
  /** Before a TikTok call for this audience's connection (the engine starts the sandbox). */
  prepare?(a: Pick<AudienceRecord, 'connectionId' | 'advertiserId'>): Promise<void>;
  /** Wraps a TikTok call (the engine marks a connection TikTok refused). */
  remote?<T>(connectionId: string | null, fn: () => Promise<T>): Promise<T>;
}

/** Compares two local audiences: exactly here, and at TikTok when `atTiktok`. */
export async function audienceOverlap(app: CohortRelayApp, ids: readonly [number, number], atTiktok: boolean, hooks: OverlapHooks = {}): Promise<OverlapView> {
  const [idA, idB] = ids;
  const a = app.store.audiences.require(idA);
  const b = app.store.audiences.require(idB);
  let local: OverlapView['local'] = null;
  let localProblem: string | null = null;
  try {
    local = localOverlap(app.store, idA, idB);
  } catch (err) {
    // TikTok can still compare matched users of audiences this computer cannot (other keys, not synced from here).
    if (!atTiktok || !(err instanceof AppError) || err.code !== 'INVALID_ARGUMENT' || idA === idB) throw err;
    localProblem = err.message;
  }
  const tiktok = atTiktok ? await tiktokOverlap(app, a, b, hooks) : null;
  return { local, localProblem, tiktok };
}

async function tiktokOverlap(app: CohortRelayApp, a: AudienceRecord, b: AudienceRecord, hooks: OverlapHooks): Promise<TiktokOverlapView> {
  for (const x of [a, b]) {
    if (!x.tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', `"${x.name}" does not exist at TikTok yet, so TikTok cannot compare it. Sync it first: the first sync creates it.`);
  }
  if (a.advertiserId !== b.advertiserId) {
    throw new AppError('INVALID_ARGUMENT', `"${a.name}" and "${b.name}" belong to different ad accounts; TikTok compares audiences of one ad account. Share one with the other's ad account first.`);
  }
  await hooks.prepare?.(a);
  const call = async () => (await app.clientFor(a)).audienceOverlap({ advertiserId: a.advertiserId, benchmarkId: a.tiktokAudienceId!, comparisonIds: [b.tiktokAudienceId!] });
  const r = hooks.remote ? await hooks.remote(a.connectionId, call) : await call();
  const other = r.comparisons.find((c) => c.audienceId === b.tiktokAudienceId) ?? r.comparisons[0] ?? null;
  return {
    aMatched: r.benchmark.size,
    bMatched: other?.size ?? null,
    overlapRate: other?.overlapRate ?? null,
    overlapRateRange: other?.overlapRateRange ?? null,
    overlapCountRange: other?.overlapCountRange ?? null,
    requestId: r.requestId,
  };
}

export function overlapHandlers(app: CohortRelayApp, hooks: OverlapHooks): Pick<Handlers, 'audiences:overlap'> {
  return {
    'audiences:overlap': async ({ ids, atTiktok }) => audienceOverlap(app, [ids[0], ids[1]], atTiktok ?? false, hooks),
  };
}
