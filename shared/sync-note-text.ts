/**
 * The words for where an audience's last sync left it (SyncNoteView), written once for every place that shows them:
 * the audiences table and detail screen, the sync log and the tray menu (#11 items 7, 8, 11). Pure: Intl only, no DOM.
 */
import type { SyncNoteView } from './ipc/dto';
import { AUDIENCE_FLOOR } from './domain';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function fmtInt(n: number): string {
  return Number.isFinite(n) ? integer.format(n) : '—';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "14:05" in the user's time zone, with the date when it is not today. */
export function localTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : dateTime.format(d);
}

/** The next UTC midnight after `now`: when TikTok's daily change count starts again. */
export function nextUtcMidnight(now: Date = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** "Next changes at 00:00 UTC (01:00 your time)": when an audience whose calls are used up can change again. */
export function quotaResetText(now: Date = new Date()): string {
  const at = nextUtcMidnight(now);
  return `Next changes at 00:00 UTC (${pad(at.getHours())}:${pad(at.getMinutes())} your time)`;
}

/** "300 added, 200 removed" — only the parts that are not zero; `none` when all are. */
function counts(parts: [number, string][], none: string): string {
  const said = parts.filter(([n]) => n > 0).map(([n, w]) => `${fmtInt(n)} ${w}`);
  return said.length > 0 ? said.join(', ') : none;
}

/** What is still to send, or null when nothing is. */
function leftText(n: SyncNoteView): string | null {
  return n.addsLeft + n.removesLeft > 0 ? counts([[n.addsLeft, 'to add'], [n.removesLeft, 'to remove']], '') : null;
}

function callsText(n: SyncNoteView): string {
  return `${fmtInt(n.callsUsed)} call${n.callsUsed === 1 ? '' : 's'} spent`;
}

/** The note's words: what was done apart from what is left, and when the rest goes. */
export function syncNoteText(n: SyncNoteView, now: Date = new Date()): string {
  const done = counts([[n.added, 'added'], [n.removed, 'removed']], 'nothing sent yet');
  const left = leftText(n);
  const rest = left ? `; still ${left}` : '';
  switch (n.kind) {
    case 'up_to_date':
      return 'Already up to date: the file matches what TikTok has, nothing to send.';
    case 'partly_synced':
      return `Partly synced: ${done}${rest} (${callsText(n)}). The next sync sends the rest.`;
    case 'retrying':
      return `TikTok is still processing${n.until ? `; next try at ${localTime(n.until, now)}` : '; it is tried again later'}. ${done[0]!.toUpperCase()}${done.slice(1)}${rest}.`;
    case 'cancelled':
      return `Cancelled after ${done}${left ? `; ${left} left for the next sync` : ''} (${callsText(n)}).`;
    case 'waiting_quota':
      return `Waiting for quota${n.until ? ` until ${localTime(n.until, now)}` : ''}: ${done}${rest} (${callsText(n)} today).`;
    case 'waiting_replace':
      return `Waiting for TikTok's one full replace a day${n.until ? `, until ${localTime(n.until, now)}` : ''}: ${done}${rest}.`;
    case 'floor_blocked':
      return `Blocked under ${fmtInt(AUDIENCE_FLOOR)}: this sync would leave ${fmtInt(n.size ?? 0)} people, and TikTok refuses any change that leaves fewer than ${fmtInt(AUDIENCE_FLOOR)}. Nothing was sent.`;
    case 'waiting_cohort':
      return `Waiting for ${fmtInt(AUDIENCE_FLOOR)} people${n.size !== null ? ` (the file has ${fmtInt(n.size)})` : ''}: the audience is created at TikTok by the first sync that finds ${fmtInt(AUDIENCE_FLOOR)}.`;
  }
}

/** Short words for the row's state column. */
export const SYNC_NOTE_LABELS: Record<SyncNoteView['kind'], string> = {
  up_to_date: 'Up to date',
  partly_synced: 'Partly synced',
  retrying: 'Retrying',
  cancelled: 'Cancelled',
  waiting_quota: 'Waiting for quota',
  waiting_replace: 'Waiting for TikTok',
  waiting_cohort: 'Waiting for 1,000',
  floor_blocked: 'Blocked under 1,000',
};

/** The row's short words, with the one number or time that matters: "Retrying at 14:05", "Cancelled after 2,000 added". */
export function syncNoteLabel(n: SyncNoteView, now: Date = new Date()): string {
  switch (n.kind) {
    case 'retrying':
      return n.until ? `Retrying at ${localTime(n.until, now)}` : SYNC_NOTE_LABELS.retrying;
    case 'waiting_quota':
      return n.until ? `Waiting for quota until ${localTime(n.until, now)}` : SYNC_NOTE_LABELS.waiting_quota;
    case 'cancelled':
      return n.added + n.removed > 0 ? `Cancelled after ${counts([[n.added, 'added'], [n.removed, 'removed']], '')}` : 'Cancelled, nothing sent';
    case 'partly_synced':
      return `Partly synced: ${fmtInt(n.added + n.removed)} of ${fmtInt(n.added + n.removed + n.addsLeft + n.removesLeft)}`;
    case 'waiting_cohort':
      return n.size !== null ? `Waiting for 1,000 (has ${fmtInt(n.size)})` : SYNC_NOTE_LABELS.waiting_cohort;
    case 'floor_blocked':
      return n.size !== null ? `Blocked at ${fmtInt(n.size)} (under 1,000)` : SYNC_NOTE_LABELS.floor_blocked;
    default:
      return SYNC_NOTE_LABELS[n.kind];
  }
}
