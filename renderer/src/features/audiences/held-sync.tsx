/**
 * A held sync and the user's two ways out. Held by the audience's removal limit: "Sync anyway (once)" (exactly that
 * change, once) or "Keep audience as is". Held because TikTok shows changes Cohort Relay did not send: "Replace with
 * the file" (one full replace) or "Keep syncing changes only" (TikTok's changes are accepted). The engine decides and
 * words it; this renders and asks.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtDateTime, fmtInt } from '../../app/format';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Notice } from '../../ui/states';
import type { AudienceView, HoldView, PlanView } from '../../../../shared/ipc/dto';
import type { RunFinished } from '../import/import-slice';

/** The decision buttons; `compact` for the audiences table. Nothing while a run is in progress. */
export function HoldDecision({ a, compact = false }: { a: AudienceView; compact?: boolean }) {
  const { busy, act } = useApp(useShallow((s) => ({ busy: s.audienceBusy[a.id], act: s.audienceAction })));
  const hold = a.hold;
  if (!hold || hold.state === 'confirmed' || a.running) return null;
  const size = compact ? 'small' : 'normal';
  if (hold.reason === 'membership') {
    return (
      <>
        <Button
          size={size}
          variant="primary"
          onClick={() => void act(a.id, 'confirmRemovals')}
          busy={busy === 'confirmRemovals'}
          disabled={busy !== undefined}
          aria-label={`Replace the whole membership of ${a.name} with the file: +${fmtInt(hold.adds)} −${fmtInt(hold.removes)} against what this computer last knew`}
        >
          Replace with the file
        </Button>
        <Button size={size} onClick={() => void act(a.id, 'keepAudience')} busy={busy === 'keepAudience'} disabled={busy !== undefined} aria-label={`Keep syncing only changes to ${a.name}: accept the changes TikTok shows`}>
          {compact ? 'Keep changes only' : 'Keep syncing changes only'}
        </Button>
      </>
    );
  }
  return (
    <>
      <Button
        size={size}
        variant={hold.state === 'held' ? 'primary' : 'secondary'}
        onClick={() => void act(a.id, 'confirmRemovals')}
        busy={busy === 'confirmRemovals'}
        disabled={busy !== undefined}
        aria-label={`Sync ${a.name} anyway, once: remove ${fmtInt(hold.removes)} of ${fmtInt(hold.currentSize)} people`}
      >
        Sync anyway (once)
      </Button>
      {hold.state === 'held' && (
        <Button size={size} onClick={() => void act(a.id, 'keepAudience')} busy={busy === 'keepAudience'} disabled={busy !== undefined} aria-label={`Keep ${a.name} as is: do not send this change`}>
          {compact ? 'Keep as is' : 'Keep audience as is'}
        </Button>
      )}
    </>
  );
}

/** The table's state cell for a held audience: a badge whose title carries the numbers. */
export function HeldBadge({ hold }: { hold: HoldView }) {
  if (hold.state === 'held') return <Badge tone="warn" title={hold.message}>Held: needs you</Badge>;
  if (hold.state === 'kept') return <Badge tone="neutral" title={hold.message}>Held: kept as is</Badge>;
  return <Badge tone="info" title={hold.message}>{hold.reason === 'membership' ? 'Replace confirmed' : 'Confirmed once'}</Badge>;
}

/** "3 changes", "1 change". */
const changes = (n: number) => `${fmtInt(n)} change${n === 1 ? '' : 's'}`;

/** The banner's title, body and footnote for each kind of hold and decision. */
function bannerWords(hold: HoldView): { title: string; body: string; note: string } {
  if (hold.reason === 'membership') {
    const n = hold.foreignChanges ?? 0;
    return {
      title: hold.state === 'confirmed' ? 'Full replace confirmed' : 'Sync held: TikTok shows changes Cohort Relay did not send',
      body: hold.state === 'confirmed' ? `The next sync replaces the whole membership with the file, as you chose: +${fmtInt(hold.adds)} −${fmtInt(hold.removes)} against the ${fmtInt(hold.currentSize)} people this computer last knew it held.` : hold.message,
      note: `Held ${fmtDateTime(hold.heldAt)} · ${changes(n)} at TikTok that Cohort Relay did not send (another tool, or this computer lost recent records)`,
    };
  }
  return {
    title: hold.state === 'held' ? 'Sync held: it would remove more people than this audience allows' : hold.state === 'kept' ? 'Kept as is: this file stays held' : 'Confirmed once',
    body: hold.state === 'confirmed' ? `The next sync of this file removes ${fmtInt(hold.removes)} of ${fmtInt(hold.currentSize)} people, as you confirmed. A changed file is checked again.` : hold.message,
    note: `Held ${fmtDateTime(hold.heldAt)} · limit ${hold.limitPct ?? '—'} % of the audience per sync (change it in Mapping)`,
  };
}

/** The audience detail's banner: what was held, when, and the decision. */
export function HeldSyncBanner({ a }: { a: AudienceView }) {
  const hold = a.hold;
  if (!hold) return null;
  const words = bannerWords(hold);
  return (
    <div className={`banner ${hold.state === 'held' ? 'banner-warn' : 'banner-info'}`} role={hold.state === 'held' ? 'alert' : 'status'} aria-label="Held sync">
      <div className="banner-body">
        <strong className="banner-title">{words.title}</strong>
        <p>{words.body}</p>
        <p className="muted small">{words.note}</p>
      </div>
      <div className="banner-actions">
        <HoldDecision a={a} />
      </div>
    </div>
  );
}

/** The dry run's word on a hold: the sync will be held (or, confirmed, goes ahead once). */
export function RemovalHoldNotice({ hold }: { hold: NonNullable<PlanView['removalHold']> }) {
  const membership = hold.reason === 'membership';
  const title = hold.confirmed ? (membership ? 'Full replace confirmed' : 'Removals confirmed once') : membership ? 'This sync will be held for your choice' : 'This sync will be held for your confirmation';
  const next = membership ? 'then choose "Replace with the file" or "Keep syncing changes only"' : 'then choose "Sync anyway (once)" or "Keep audience as is"';
  return (
    <div className={`banner ${hold.confirmed ? 'banner-info' : 'banner-warn'}`} role="status" aria-label={membership ? 'Changes made elsewhere' : 'Removal limit'}>
      <div className="banner-body">
        <strong className="banner-title">{title}</strong>
        <p>{hold.message}</p>
        {!hold.confirmed && <p className="muted small">Sync now records the held sync and sends nothing; {next}.</p>}
      </div>
    </div>
  );
}

/**
 * The wizard's last step when its sync was held: the numbers and the decision. "Sync anyway (once)" follows the
 * new run in the wizard; "Keep audience as is" leaves the audience as TikTok has it.
 */
export function WizardHeldResult({ result }: { result: RunFinished }) {
  const s = useApp(
    useShallow((st) => ({
      audience: st.audiences.data?.find((a) => a.id === result.audienceId) ?? null,
      busy: st.audienceBusy[result.audienceId],
      starting: st.runStarting,
      confirm: st.confirmHeldSync,
      act: st.audienceAction,
    })),
  );
  const hold = s.audience?.hold ?? null;
  const kept = hold?.state === 'kept';
  const membership = (hold?.reason ?? (result.error?.code === 'MEMBERSHIP_UNKNOWN' ? 'membership' : 'removals')) === 'membership';
  // "Keep syncing changes only" ends a membership hold: nothing is left to decide here.
  const [keptChanges, setKeptChanges] = useState(false);
  if (keptChanges) return <Notice>You kept syncing changes only: TikTok's changes stay as they are, and the next sync sends only what changes in the file.</Notice>;
  const keep = async () => {
    const ok = await s.act(result.audienceId, 'keepAudience');
    if (ok && membership) setKeptChanges(true);
  };
  return (
    <div className="banner banner-warn" role="alert" aria-label="Held sync">
      <div className="banner-body">
        <p>{hold?.message ?? result.error?.message}</p>
        {kept && <p className="muted small">You kept the audience as it is. Syncs of this file stay held; a changed file is checked again.</p>}
      </div>
      <div className="banner-actions">
        <Button variant={kept ? 'secondary' : 'primary'} onClick={() => void s.confirm()} busy={s.starting} disabled={s.busy !== undefined}>
          {membership ? 'Replace with the file' : 'Sync anyway (once)'}
        </Button>
        {!kept && (
          <Button onClick={() => void keep()} busy={s.busy === 'keepAudience'} disabled={s.busy !== undefined || s.starting || !hold}>
            {membership ? 'Keep syncing changes only' : 'Keep audience as is'}
          </Button>
        )}
      </div>
    </div>
  );
}
