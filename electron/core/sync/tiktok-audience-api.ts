import { AppError } from '../../../shared/errors';
import { segmentAudienceName, type TikTokClient } from '../tiktok/client';
import { TikTokApiError, decideRetry, refusalCountsAgainstAudience, type ErrorCategory, type RateLimitScope } from '../tiktok/errors';
import type { Audience, CreateCalculateType } from '../tiktok/types';
import { sameAudienceName, type AudienceApi, type PartnerApi, type RemoteAudience, type RemoteFailure } from './audience-api';
import { createFields, type CreateOptions } from './create-options';

const ACTIONS: Record<ErrorCategory, RemoteFailure['action']> = {
  retry: 'retry',
  wait: 'wait',
  reauth: 'reauth',
  'fix-input': 'give-up',
  'give-up': 'give-up',
  processing: 'processing',
  split: 'split',
  reupload: 'reupload',
};

/** A TikTok failure as the sync engine reads it: still an AppError with TikTok's words and request id. */
export class RemoteCallError extends AppError implements RemoteFailure {
  readonly tiktokCode: number | null;
  readonly requestId: string | null;
  readonly delivery: RemoteFailure['delivery'];
  readonly action: RemoteFailure['action'];
  readonly rateLimitScope: RateLimitScope | null;
  readonly countsAgainstAudience: boolean;
  constructor(readonly source: TikTokApiError) {
    super(source.code, source.message, { retryable: source.retryable, cause: source });
    this.tiktokCode = source.tiktokCode;
    this.requestId = source.requestId;
    this.delivery = source.maybeApplied ? 'maybe-applied' : source.kind === 'api' || source.kind === 'http' ? 'rejected' : 'not-sent';
    this.action = ACTIONS[source.category];
    this.rateLimitScope = source.rateLimitScope;
    this.countsAgainstAudience = refusalCountsAgainstAudience(source);
  }
  delayFor(attempt: number, now: number): number {
    return decideRetry(this.source, attempt, { mode: 'all', maxAttempts: Number.MAX_SAFE_INTEGER, maxWaitMs: Number.MAX_SAFE_INTEGER, now: () => now }).delayMs;
  }
}

async function wrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw err instanceof TikTokApiError ? new RemoteCallError(err) : err;
  }
}

function toRemote(a: Audience): RemoteAudience {
  return {
    audienceId: a.audienceId,
    name: a.name,
    calculateType: a.calculateType,
    coverNum: a.coverNum,
    isValid: a.isValid,
    isExpiring: a.isExpiring,
    expiredTime: a.expiredTime,
    createTime: a.createTime,
    errorMsg: a.errorMsg,
    isCreator: a.isCreator,
    audienceType: a.audienceType,
  };
}

/** The newest of TikTok's history times ("YYYY-MM-DD HH:MM:SS" sorts as text), or null. */
function newestHistoryTime(history: readonly { optTime: string | null }[]): string | null {
  return history.reduce<string | null>((max, h) => (h.optTime && (!max || h.optTime > max) ? h.optTime : max), null);
}

/** History actions that do not change who is in the audience (TikTok's action words beyond "create" are not documented). */
const NOT_MEMBERSHIP = /rename|name|share|apply|lookalike|expir/i;

/** History entries asked for with every get: the most TikTok returns (get yml: history_size 1–100). */
export const HISTORY_SIZE = 100;

/**
 * The customer-file API of one advertiser, for the sync engine. Audience changes are sent with
 * retry 'none': the engine alone decides on resending, because a resend costs quota.
 */
export function tiktokAudienceApi(client: TikTokClient, advertiserId: string, signal?: AbortSignal, createOptions?: CreateOptions): AudienceApi {
  return {
    async uploadFile(f) {
      const r = await wrap(client.fileUpload({ advertiserId, calculateType: f.calculateType as CreateCalculateType, file: f.path, filename: 'audience.csv' }, { signal, retry: 'none' }));
      return { filePath: r.filePath, requestId: r.requestId };
    },
    async create(a) {
      const r = await wrap(client.createAudience({ advertiserId, name: a.name, calculateType: a.calculateType as CreateCalculateType, filePaths: a.filePaths, ...(createOptions && createFields(createOptions)) }, { retry: 'none' }));
      return { audienceId: r.audienceId, requestId: r.requestId };
    },
    async update(a) {
      const r = await wrap(client.updateAudience({ advertiserId, audienceId: a.audienceId, action: a.action, filePaths: a.filePaths }, { retry: 'none' }));
      return { requestId: r.requestId };
    },
    async findByName(name, opts) {
      const r = await wrap(client.listAudiences(advertiserId, {}, { signal }));
      return r.audiences.filter((a) => (opts?.anyCase ? sameAudienceName(a.name, name) : a.name === name)).map(toRemote);
    },
    async get(audienceId) {
      try {
        const r = await wrap(client.getAudiences(advertiserId, [audienceId], { historySize: HISTORY_SIZE }, { signal }));
        const a = r.audiences[0];
        if (!a) return null;
        return {
          ...toRemote(a),
          modifiedTime: newestHistoryTime(a.history),
          membershipChanges: a.history.filter((h) => !NOT_MEMBERSHIP.test(h.action ?? '')).length,
          historyTruncated: a.history.length >= HISTORY_SIZE,
        };
      } catch (err) {
        if (err instanceof RemoteCallError && err.tiktokCode === 40007) return null;
        throw err;
      }
    },
  };
}

/** The segment API of one advertiser, for partner audiences. Changes are sent with retry 'none'. */
export function tiktokPartnerApi(client: TikTokClient, advertiserId: string, signal?: AbortSignal): PartnerApi {
  const files = tiktokAudienceApi(client, advertiserId, signal);
  return {
    async create(name) {
      const r = await wrap(client.segmentAudienceCreate({ advertiserId, name }, { retry: 'none' }));
      return { audienceId: r.audienceId, requestId: r.requestId };
    },
    async mapping(a) {
      const batchData = a.rows.map((row) => row.map((id) => (id === null ? null : { id, audienceIds: [a.audienceId] })));
      const r = await wrap(client.segmentMapping({ advertiserIds: [advertiserId], action: a.action, idSchema: a.idSchema, batchData }, { retry: 'none' }));
      return { requestId: r.requestId };
    },
    // TikTok's segment API truncates names over 70 characters; look for the name as TikTok stored it.
    findByName: (name, opts) => files.findByName(segmentAudienceName(name), opts),
    get: (id) => files.get(id),
  };
}
