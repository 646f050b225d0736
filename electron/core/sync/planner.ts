import { countText } from '../../../shared/count-text';
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import { BYTES_PER_HASH_LINE, MAX_UPLOAD_FILE_BYTES } from '../cohort/upload-files';

/** TikTok accepts up to 500 file_paths per call and recommends fewer than 50 (tiktok-api.md §3.2). */
export const FILES_PER_CALL = 50;
/** TikTok's hard limit of file_paths per create / update call. */
export const MAX_FILES_PER_CALL = 500;

export type CallKind = 'create' | 'APPEND' | 'REMOVE' | 'REPLACE';

/** One audience-modifying call: which slice of which set it carries. */
export interface PlannedCall {
  kind: CallKind;
  /** adds, removes, or the full target set (create / REPLACE / the APPENDs that follow them). */
  source: 'adds' | 'removes' | 'target';
  /** Entry offset and count within that sorted set. */
  offset: number;
  entries: number;
  files: number;
  /** Audience size once this call is applied. */
  sizeAfter: number;
}

export type Strategy = 'nothing' | 'create' | 'incremental' | 'replace' | 'adopt';

export interface PlanInput {
  /** Entries the audience holds as last acknowledged (0 when never synced). */
  current: number;
  target: number;
  adds: number;
  removes: number;
  /** The audience exists at TikTok. */
  remoteExists: boolean;
  /** The audience exists at TikTok but its membership is unknown here (adopted): only REPLACE makes it exact. */
  membershipUnknown?: boolean;
  callsLeft: number;
  replacesToday: number;
  /**
   * false: never plan a REPLACE (an audience where only people this app added may be removed: a REPLACE would drop
   * everyone else). Default true.
   */
  replaceAllowed?: boolean;
  floor?: number;
  hashesPerFile?: number;
  filesPerCall?: number;
}

export interface Plan {
  strategy: Strategy;
  /** Every call the change needs, in sending order. */
  calls: PlannedCall[];
  /** The calls that fit in today's budget (a prefix of `calls`). */
  now: PlannedCall[];
  /** The calls that wait for the next UTC day. */
  deferred: PlannedCall[];
  projectedSize: number;
  /** Size once the `now` calls are applied. */
  sizeAfterNow: number;
  uploadFiles: number;
  /** Set when sending would leave the audience under the floor: nothing is sent. */
  floorBlock: { current: number; adds: number; removes: number; resulting: number; floor: number; /** A replace of the whole membership (the runner sets it). */ replace?: boolean } | null;
  warnings: string[];
}

/**
 * Turns a change into the fewest audience-modifying calls. First sync: create with up to 50 files,
 * then APPENDs. Later: all APPENDs, then all REMOVEs, so the audience never dips below where it ends.
 * REPLACE is used only when it costs fewer calls, no REPLACE went to the audience today, and either the
 * budget cannot fit the incremental plan or the full upload is no bigger than twice the change (so a
 * ten-row change never re-uploads five million hashes).
 * Never plans a call that leaves the audience under the floor.
 */
export function planSync(input: PlanInput): Plan {
  const floor = input.floor ?? AUDIENCE_FLOOR;
  const perFile = input.hashesPerFile ?? Math.floor(MAX_UPLOAD_FILE_BYTES / BYTES_PER_HASH_LINE);
  const perCall = (input.filesPerCall ?? FILES_PER_CALL) * perFile;
  const warnings: string[] = [];
  const filesFor = (n: number) => Math.ceil(n / perFile);

  // A create or REPLACE that starts a multi-call plan must itself reach the floor, or the APPENDs after
  // it are refused; it may carry more files than later calls (TikTok takes up to 500 per call).
  const firstCall = Math.min(MAX_FILES_PER_CALL * perFile, Math.max(perCall, Math.ceil(floor / perFile) * perFile));
  const slices = (kind: CallKind, source: PlannedCall['source'], total: number, start: number, sign: 1 | -1, firstKind = kind) => {
    const out: PlannedCall[] = [];
    let size = start;
    for (let off = 0; off < total; ) {
      const k = off === 0 ? firstKind : kind;
      const n = Math.min(k === 'REPLACE' || k === 'create' ? firstCall : perCall, total - off);
      size = k === 'REPLACE' || k === 'create' ? n : size + sign * n;
      out.push({ kind: k, source, offset: off, entries: n, files: filesFor(n), sizeAfter: size });
      off += n;
    }
    return out;
  };

  let strategy: Strategy;
  let calls: PlannedCall[];
  if (!input.remoteExists) {
    strategy = 'create';
    calls = input.target === 0 ? [] : slices('APPEND', 'target', input.target, 0, 1, 'create');
    if (input.target === 0) warnings.push('The cohort is empty: there is nothing to create.');
    else if (input.target < floor) warnings.push(`The audience will hold ${countText(input.target)} people; TikTok shows audiences under ${countText(floor)} as unavailable and they cannot be targeted.`);
  } else if (input.membershipUnknown) {
    strategy = 'adopt';
    calls = input.target === 0 ? [] : slices('APPEND', 'target', input.target, 0, 1, 'REPLACE');
  } else if (input.adds === 0 && input.removes === 0) {
    strategy = 'nothing';
    calls = [];
  } else {
    const incremental = [...slices('APPEND', 'adds', input.adds, input.current, 1), ...slices('REMOVE', 'removes', input.removes, input.current + input.adds, -1)];
    const replace = slices('APPEND', 'target', input.target, 0, 1, 'REPLACE');
    // A REPLACE needs at least one file: emptying the audience is REMOVEs (which the floor then stops).
    const replaceWorth =
      input.target > 0 &&
      input.replaceAllowed !== false &&
      input.replacesToday === 0 &&
      replace.length < incremental.length &&
      (incremental.length > input.callsLeft || input.target <= 2 * (input.adds + input.removes));
    strategy = replaceWorth ? 'replace' : 'incremental';
    calls = replaceWorth ? replace : incremental;
  }

  // The floor: no update may leave the audience under it (a create may, with a warning).
  let floorBlock: Plan['floorBlock'] = null;
  if (strategy !== 'create' && calls.some((c) => c.sizeAfter < floor)) {
    floorBlock = { current: input.current, adds: input.adds, removes: input.removes, resulting: input.target, floor };
    calls = [];
  }

  // At most one REPLACE per audience per UTC day: an adoption that needs one waits for the next day.
  const replaceBlocked = strategy === 'adopt' && input.replacesToday > 0;
  const now = replaceBlocked ? [] : calls.slice(0, Math.max(0, input.callsLeft));
  const deferred = calls.slice(now.length);
  return {
    strategy,
    calls,
    now,
    deferred,
    projectedSize: floorBlock ? input.current : input.target,
    sizeAfterNow: now.at(-1)?.sizeAfter ?? input.current,
    uploadFiles: calls.reduce((s, c) => s + c.files, 0),
    floorBlock,
    warnings,
  };
}

/**
 * The plain-words explanation of a floor block, with the numbers and the options. An undo has no options to offer (the
 * cohort is not what it changes): it says the audience stays as it is.
 */
export function floorMessage(b: NonNullable<Plan['floorBlock']>, undo = false): string {
  const f = countText;
  const leaves = b.replace
    ? `would replace all ${f(b.current)} people with ${f(b.resulting)}, and TikTok rejects any change that leaves fewer than ${f(b.floor)}`
    : `would leave the audience with ${f(b.resulting)} people (now ${f(b.current)}, +${f(b.adds)}, −${f(b.removes)}), and TikTok rejects any change that leaves fewer than ${f(b.floor)}`;
  if (undo) return `Undoing the last sync ${leaves}, so that sync cannot be undone. Nothing was sent: the audience stays as it is.`;
  return `This sync ${leaves}. Nothing was sent. Options: add more people to the cohort, remove fewer, or sync it to a new audience.`;
}
