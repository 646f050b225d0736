import type { ErrorCode } from '../../../shared/errors';

/**
 * Ends a run as deferred, not failed: the work resumes at `until` (TikTok still processing, a long
 * rate-limit wait). `code` says why, for the sync log.
 */
export class Deferral extends Error {
  constructor(
    readonly until: Date,
    readonly reason: string,
    readonly code: ErrorCode = 'AUDIENCE_PROCESSING',
  ) {
    super(reason);
  }
}
