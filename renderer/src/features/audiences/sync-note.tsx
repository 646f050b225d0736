/**
 * Where an audience's last sync left it, in words with the numbers (#11 items 7, 8, 11): partly synced, retrying while
 * TikTok processes, cancelled after N added and what is left, waiting for the day's calls (until when, in UTC and the
 * user's time), waiting for the cohort to reach 1,000, or already up to date (neutral: nothing to do is no error).
 */
import { useState } from 'react';
import { getBridge } from '../../app/bridge';
import { fmtDateTime, fmtInt } from '../../app/format';
import { toShape } from '../../app/remote';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { ErrorBanner } from '../../ui/states';
import type { AppErrorShape } from '../../../../shared/errors';
import type { AudienceView, SyncNoteView } from '../../../../shared/ipc/dto';
import { AUDIENCE_FLOOR } from '../../../../shared/domain';

const pad = (n: number) => String(n).padStart(2, '0');

/** "14:05" in the user's time zone, with the date when it is not today. */
export function localTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : fmtDateTime(iso);
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

/** The short label of the row's state column; the full words are its title (and the detail screen shows them). */
export function SyncNoteLabel({ a, now }: { a: AudienceView; now?: Date }) {
  const n = a.syncNote ?? null;
  if (!n) return null;
  const at = now ?? new Date();
  const text = syncNoteText(n, at);
  return (
    <span className={`small ${n.kind === 'up_to_date' ? 'muted' : 'warn'}`} title={text} aria-label={text} data-note={n.kind}>
      {syncNoteLabel(n, at)}
    </span>
  );
}

/** True when a customer-file audience has no calls left today. */
export function outOfCalls(a: AudienceView): boolean {
  // An unavailable audience takes no changes at all (its schedule is stopped): a reset time would mislead.
  return a.api === 'file' && a.state !== 'unavailable' && a.dailyBudget > 0 && a.callsLeftToday <= 0;
}

/**
 * An audience waiting for its cohort to reach 1,000 can be created now instead (TikTok shows it unavailable until it
 * matches 1,000 people): the wait is switched off and a sync starts.
 */
function CreateNowButton({ a }: { a: AudienceView }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const loadDetail = useApp((st) => st.loadDetail);
  const loadAudiences = useApp((st) => st.loadAudiences);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      const b = getBridge();
      await b.audiences.update({ id: a.id, startAtFloor: false });
      await b.sync.run({ audienceId: a.id });
    } catch (err) {
      setError(toShape(err));
    } finally {
      setBusy(false);
      void loadDetail(a.id);
      void loadAudiences();
    }
  };
  const why = a.running ? 'A sync of this audience is running.' : null;
  return (
    <>
      <Button size="small" onClick={() => void go()} busy={busy} disabled={why !== null} title={why ?? 'Creates the audience at TikTok now; TikTok shows it unavailable until it matches 1,000 people'}>
        Create now, usable at 1,000
      </Button>
      <ErrorBanner error={error} title="Could not create it now" />
    </>
  );
}

/** The detail screen's note: the full words, neutral for "already up to date", a warning otherwise. */
export function SyncNoteNotice({ a, now }: { a: AudienceView; now?: Date }) {
  const n = a.syncNote ?? null;
  const at = now ?? new Date();
  const exhausted = outOfCalls(a);
  if (!n && !exhausted) return null;
  return (
    <div className="stack">
      <p className={`sync-note ${n && n.kind !== 'up_to_date' ? 'warn' : 'muted'}`} role="status" aria-label="Last sync">
        {n ? syncNoteText(n, at) : ''}
        {exhausted ? `${n ? ' ' : ''}No calls left today. ${quotaResetText(at)}.` : ''}
      </p>
      {n?.kind === 'waiting_cohort' && <CreateNowButton a={a} />}
    </div>
  );
}

/** The size a sync was stopped at, or the cohort waiting for 1,000: what the size card shows beside the local size. */
export function blockedSize(a: AudienceView): { size: number; words: string } | null {
  const n = a.syncNote ?? null;
  if (!n || n.size === null) return null;
  if (n.kind === 'floor_blocked') return { size: n.size, words: `Blocked at ${fmtInt(n.size)} (under ${fmtInt(AUDIENCE_FLOOR)})` };
  if (n.kind === 'waiting_cohort') return { size: n.size, words: `File has ${fmtInt(n.size)} of ${fmtInt(AUDIENCE_FLOOR)} needed` };
  return null;
}
