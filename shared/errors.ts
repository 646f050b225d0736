/**
 * The closed set of error codes that cross a boundary (IPC, CLI, sync log), and the words for each.
 * User-facing text is written once, here. Every switch on ErrorCode ends in assertNever.
 */

export const ERROR_CODES = [
  'AUTH_EXPIRED',
  'AUTH_MISSING',
  'AUTH_FAILED',
  'PERMISSION_DENIED',
  'KEYCHAIN_UNAVAILABLE',
  'QUOTA_EXHAUSTED',
  'RATE_LIMITED',
  'CSV_INVALID',
  'FILE_NOT_FOUND',
  'INVALID_ARGUMENT',
  'AUDIENCE_TOO_SMALL',
  'AUDIENCE_PROCESSING',
  'AUDIENCE_NOT_FOUND',
  'AUDIENCE_UNAVAILABLE',
  'REPLACE_PENDING',
  'REMOVALS_HELD',
  'MEMBERSHIP_UNKNOWN',
  'ADVERTISER_UNREACHABLE',
  'KEY_TYPE_LOCKED',
  'NOT_ALLOWLISTED',
  'TIKTOK_REJECTED',
  'TIKTOK_UNAVAILABLE',
  'NETWORK',
  'CANCELLED',
  'SYNC_RUNNING',
  'UNDO_REFUSED',
  'DATABASE_NEWER',
  'DATABASE_CORRUPT',
  'DATABASE_READONLY',
  'DISK_FULL',
  'ENGINE_RESTARTED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The error shape that crosses every boundary. `message` is already plain words with the fix. */
export interface AppErrorShape {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** A thrown error carrying a code. Message must name the problem and the fix. */
export class AppError extends Error implements AppErrorShape {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message?: string, options?: { retryable?: boolean; cause?: unknown }) {
    super(message ?? describeError(code).message, { cause: options?.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options?.retryable ?? describeError(code).retryable;
  }
  toShape(): AppErrorShape {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${String(x)}`);
}

/** Generic words and the recovery action for each code, used where no more specific message exists. */
export function describeError(code: ErrorCode): { message: string; action: string; retryable: boolean } {
  switch (code) {
    case 'AUTH_EXPIRED':
      return { message: 'TikTok no longer accepts this connection (the token was revoked or expired).', action: 'Re-connect the TikTok account.', retryable: false };
    case 'AUTH_MISSING':
      return { message: 'No TikTok account is connected.', action: 'Connect a TikTok account, or use the offline sandbox.', retryable: false };
    case 'AUTH_FAILED':
      return { message: 'Signing in to TikTok failed.', action: 'Check the app id and secret, then sign in again.', retryable: false };
    case 'PERMISSION_DENIED':
      return { message: 'The TikTok connection lacks the Audience Management permission for this account.', action: 'Re-connect and approve Audience Management.', retryable: false };
    case 'KEYCHAIN_UNAVAILABLE':
      return { message: 'The system keychain is not available, so the token is kept in memory only until the app quits.', action: 'Unlock or install a keychain (Secret Service on Linux) to stay signed in.', retryable: false };
    case 'QUOTA_EXHAUSTED':
      return { message: "This audience has used today's TikTok calls.", action: 'The rest is sent automatically when the next UTC day starts.', retryable: true };
    case 'RATE_LIMITED':
      return { message: 'TikTok asked us to slow down.', action: 'Nothing to do: the sync waits and retries.', retryable: true };
    case 'CSV_INVALID':
      return { message: 'The file could not be read as a CSV.', action: 'Export the cohort again as CSV (UTF-8) and retry.', retryable: false };
    case 'FILE_NOT_FOUND':
      return { message: 'The cohort file was not found.', action: 'Check the path, or pick the file again.', retryable: false };
    case 'INVALID_ARGUMENT':
      return { message: 'A setting or argument is not valid.', action: 'Correct it and try again.', retryable: false };
    case 'AUDIENCE_TOO_SMALL':
      return { message: 'This change would leave the audience under 1,000 people, which TikTok rejects.', action: 'Add more people, remove fewer, or create a new audience.', retryable: false };
    case 'AUDIENCE_PROCESSING':
      return { message: 'TikTok is still processing this audience.', action: 'Nothing to do: the sync retries later.', retryable: true };
    case 'AUDIENCE_NOT_FOUND':
      return { message: 'The audience no longer exists at TikTok.', action: 'Create a new audience for this cohort.', retryable: false };
    case 'AUDIENCE_UNAVAILABLE':
      return {
        message: 'TikTok made this audience unavailable: it matched fewer than 1,000 people, and TikTok never lets such an audience be edited again.',
        action: 'Sync the cohort to a new audience: from a larger cohort, or with several keys per person (email, phone and mobile ad id) for a higher match rate.',
        retryable: false,
      };
    case 'REPLACE_PENDING':
      return { message: 'TikTok is still applying an earlier full replace of this audience and refuses another until it finishes.', action: 'Nothing to do: the sync tries again later (at most one full replace a day).', retryable: true };
    case 'REMOVALS_HELD':
      return {
        message: 'This sync would remove more of the audience than its limit allows, so it was held: nothing was sent and no call was spent.',
        action: 'Check the cohort file; then choose "Sync anyway (once)" or "Keep audience as is", or change the audience\'s limit.',
        retryable: false,
      };
    case 'MEMBERSHIP_UNKNOWN':
      return {
        message: 'TikTok shows changes to who is in this audience that Cohort Relay did not send (another tool, or this computer lost recent records), so the sync was held: nothing was sent and no call was spent.',
        action: 'Choose "Replace with the file" to make the audience match the file exactly, or "Keep syncing changes only" to accept TikTok\'s changes.',
        retryable: false,
      };
    case 'ADVERTISER_UNREACHABLE':
      return { message: 'This TikTok connection cannot reach this ad account.', action: 'Re-connect with a TikTok user who has access to the ad account, or sync to an ad account the connection can reach.', retryable: false };
    case 'KEY_TYPE_LOCKED':
      return { message: "An audience's key type cannot change after it is saved (TikTok fixes calculate_type).", action: 'Create a new audience with the other key instead.', retryable: false };
    case 'NOT_ALLOWLISTED':
      return { message: 'This TikTok developer app is not allowlisted for partner audiences.', action: 'Use a customer-file audience instead, or ask your TikTok representative for access.', retryable: false };
    case 'TIKTOK_REJECTED':
      return { message: 'TikTok rejected the request.', action: 'See the details in the sync log.', retryable: false };
    case 'TIKTOK_UNAVAILABLE':
      return { message: 'TikTok is temporarily unavailable.', action: 'Nothing to do: the sync retries with back-off.', retryable: true };
    case 'NETWORK':
      return { message: 'TikTok could not be reached.', action: 'Check the internet connection; the sync retries.', retryable: true };
    case 'CANCELLED':
      return { message: 'The sync was cancelled.', action: 'Start it again when ready.', retryable: false };
    case 'SYNC_RUNNING':
      return { message: 'A sync of this audience is already running.', action: 'Wait for it to finish, or cancel it first.', retryable: true };
    case 'UNDO_REFUSED':
      return { message: 'This undo cannot be done, so nothing was sent and the schedule was left as it is.', action: 'Sync the file you want the audience to hold instead.', retryable: false };
    case 'DATABASE_NEWER':
      return { message: 'The data folder was written by a newer version of Cohort Relay.', action: 'Update Cohort Relay, or point it at another data folder.', retryable: false };
    case 'DATABASE_CORRUPT':
      return { message: "Cohort Relay's database is damaged.", action: 'Restore the backup ("cohort-relay recover"), or move the data folder aside and re-adopt your audiences from TikTok.', retryable: false };
    case 'DATABASE_READONLY':
      return { message: "Cohort Relay cannot write to its data folder.", action: 'Make the data folder writable (permissions, a read-only disk), or set COHORT_RELAY_HOME to a writable folder.', retryable: false };
    case 'DISK_FULL':
      return { message: 'The disk is full.', action: 'Free some space on it, then try again; nothing was lost.', retryable: true };
    case 'ENGINE_RESTARTED':
      return { message: "Cohort Relay's engine stopped unexpectedly and is being restarted; no sync was lost.", action: 'Try again in a moment.', retryable: true };
    case 'INTERNAL':
      return { message: 'Something went wrong inside Cohort Relay.', action: 'Try again; if it repeats, report it with the sync log.', retryable: false };
    default:
      return assertNever(code);
  }
}

/** Turn anything thrown into the boundary shape, never leaking a stack or a token. */
export function toErrorShape(err: unknown): AppErrorShape {
  if (err instanceof AppError) return err.toShape();
  if (err && typeof err === 'object' && 'code' in err && 'message' in err && (ERROR_CODES as readonly string[]).includes(String((err as { code: unknown }).code))) {
    const e = err as { code: ErrorCode; message: string; retryable?: boolean };
    return { code: e.code, message: String(e.message), retryable: Boolean(e.retryable) };
  }
  const storage = storageErrorShape(err);
  if (storage) return storage;
  const d = describeError('INTERNAL');
  return { code: 'INTERNAL', message: `${d.message} ${d.action}`, retryable: false };
}

/**
 * A disk or database failure in words a person can act on: which of corrupt / read-only / full, where,
 * and the fix. Recognised by the `code` SQLite (better-sqlite3's SqliteError) and Node's fs put on the
 * error; `path` (Node's fs errors, or the store's own) names the place. Null for anything else.
 */
export function storageErrorShape(err: unknown): AppErrorShape | null {
  if (!err || typeof err !== 'object') return null;
  const code = String((err as { code?: unknown }).code ?? '');
  const where = typeof (err as { path?: unknown }).path === 'string' ? (err as { path: string }).path : null;
  const at = where ? ` (${where})` : '';
  const detail = String((err as { message?: unknown }).message ?? '').replace(/\s+/g, ' ').slice(0, 160);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT' || (code.startsWith('SQLITE_IOERR') && /no space|disk is full/i.test(detail))) {
    const d = describeError('DISK_FULL');
    return { code: 'DISK_FULL', message: `The disk${at || " holding Cohort Relay's data folder or temporary files"} is full. ${d.action}`, retryable: true };
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    const d = describeError('DATABASE_READONLY');
    return { code: 'DATABASE_READONLY', message: `Cohort Relay cannot write${at || ' to its data folder'} (${detail || code}). ${d.action}`, retryable: false };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    const d = describeError('DATABASE_CORRUPT');
    return { code: 'DATABASE_CORRUPT', message: `Cohort Relay's database${at} is damaged (${detail || code}). ${d.action}`, retryable: false };
  }
  return null;
}
