/**
 * Where an audience's last sync left it, in words with the numbers (#11 items 7, 8, 11): partly synced, retrying while
 * TikTok processes, cancelled after N added and what is left, waiting for the day's calls (until when, in UTC and the
 * user's time), waiting for the cohort to reach 1,000, or already up to date (neutral: nothing to do is no error).
 */
import { useState } from 'react';
import { getBridge } from '../../app/bridge';
import { fmtInt } from '../../app/format';
import { toShape } from '../../app/remote';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { ErrorBanner } from '../../ui/states';
import type { AppErrorShape } from '../../../../shared/errors';
import type { AudienceView } from '../../../../shared/ipc/dto';
import { quotaResetText, syncNoteLabel, syncNoteText } from '../../../../shared/sync-note-text';
import { AUDIENCE_FLOOR } from '../../../../shared/domain';

// The words live in shared/ so the tray and the sync log say the same (#11 item 7).
export { localTime, nextUtcMidnight, quotaResetText, syncNoteText, SYNC_NOTE_LABELS, syncNoteLabel } from '../../../../shared/sync-note-text';

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
