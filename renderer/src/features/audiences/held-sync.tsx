/**
 * A sync held by the audience's removal limit: the numbers, and the user's two ways out — "Sync anyway (once)"
 * (exactly that change, once) or "Keep audience as is". The engine decides and words it; this renders and asks.
 */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtDateTime, fmtInt } from '../../app/format';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import type { AudienceView, HoldView, PlanView } from '../../../../shared/ipc/dto';
import type { RunFinished } from '../import/import-slice';

/** The decision buttons; `compact` for the audiences table. Nothing while a run is in progress. */
export function HoldDecision({ a, compact = false }: { a: AudienceView; compact?: boolean }) {
  const { busy, act } = useApp(useShallow((s) => ({ busy: s.audienceBusy[a.id], act: s.audienceAction })));
  const hold = a.hold;
  if (!hold || hold.state === 'confirmed' || a.running) return null;
  const size = compact ? 'small' : 'normal';
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
  return <Badge tone="info" title={hold.message}>Confirmed once</Badge>;
}

/** The audience detail's banner: what was held, when, and the decision. */
export function HeldSyncBanner({ a }: { a: AudienceView }) {
  const hold = a.hold;
  if (!hold) return null;
  const title = hold.state === 'held' ? 'Sync held: it would remove more people than this audience allows' : hold.state === 'kept' ? 'Kept as is: this file stays held' : 'Confirmed once';
  return (
    <div className={`banner ${hold.state === 'held' ? 'banner-warn' : 'banner-info'}`} role={hold.state === 'held' ? 'alert' : 'status'} aria-label="Held sync">
      <div className="banner-body">
        <strong className="banner-title">{title}</strong>
        <p>{hold.state === 'confirmed' ? `The next sync of this file removes ${fmtInt(hold.removes)} of ${fmtInt(hold.currentSize)} people, as you confirmed. A changed file is checked again.` : hold.message}</p>
        <p className="muted small">
          Held {fmtDateTime(hold.heldAt)} · limit {hold.limitPct} % of the audience per sync (change it in Mapping)
        </p>
      </div>
      <div className="banner-actions">
        <HoldDecision a={a} />
      </div>
    </div>
  );
}

/** The dry run's word on the removal limit: the sync will be held (or, confirmed, goes ahead once). */
export function RemovalHoldNotice({ hold }: { hold: NonNullable<PlanView['removalHold']> }) {
  return (
    <div className={`banner ${hold.confirmed ? 'banner-info' : 'banner-warn'}`} role="status" aria-label="Removal limit">
      <div className="banner-body">
        <strong className="banner-title">{hold.confirmed ? 'Removals confirmed once' : 'This sync will be held for your confirmation'}</strong>
        <p>{hold.message}</p>
        {!hold.confirmed && <p className="muted small">Sync now records the held sync and sends nothing; then choose "Sync anyway (once)" or "Keep audience as is".</p>}
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
  return (
    <div className="banner banner-warn" role="alert" aria-label="Held sync">
      <div className="banner-body">
        <p>{hold?.message ?? result.error?.message}</p>
        {kept && <p className="muted small">You kept the audience as it is. Syncs of this file stay held; a changed file is checked again.</p>}
      </div>
      <div className="banner-actions">
        <Button variant={kept ? 'secondary' : 'primary'} onClick={() => void s.confirm()} busy={s.starting} disabled={s.busy !== undefined}>
          Sync anyway (once)
        </Button>
        {!kept && (
          <Button onClick={() => void s.act(result.audienceId, 'keepAudience')} busy={s.busy === 'keepAudience'} disabled={s.busy !== undefined || s.starting || !hold}>
            Keep audience as is
          </Button>
        )}
      </div>
    </div>
  );
}
