import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { selectSimulated } from '../../app/sandbox';
import { Button, ExternalLink } from '../../ui/button';
import type { AudienceView } from '../../../../shared/ipc/dto';
import { HoldDecision } from './held-sync';
import { adsManagerUrl, AudienceMenu, DeleteDialog, UndoDialog } from './audience-menu';

export { adsManagerUrl };

/**
 * A row keeps its main action (Sync now, Cancel, or the held sync's decision) and puts the rest in its "…" menu:
 * Undo last sync…, Pause / Resume, Open in Ads Manager, Delete…. The detail screen shows them as buttons. Undo and
 * Delete ask first.
 */
/** Why "Sync now" cannot work for this audience (shown as the disabled button's title), or null. */
export function syncRefusal(a: AudienceView): string | null {
  if (a.state === 'unavailable' && a.api === 'file') return 'TikTok no longer lets this audience be edited: sync the cohort to a new audience.';
  // An uploaded copy that was removed (the engine cleared the source and says which file it was).
  if (a.sourcePath === null) return a.stateMessage ?? 'No source file: pick the cohort file again.';
  return null;
}

export function AudienceActions({ a, compact = false, onDeleted }: { a: AudienceView; compact?: boolean; onDeleted?: () => void }) {
  const [dialog, setDialog] = useState<'undo' | 'delete' | null>(null);
  const { busy, act } = useApp(useShallow((s) => ({ busy: s.audienceBusy[a.id], act: s.audienceAction })));
  const simulated = useApp(selectSimulated(a));
  const size = compact ? 'small' : 'normal';
  const blocked = busy !== undefined;
  // A held sync: the row offers the decision (and Pause) instead of another "Sync now" of the same file; the
  // detail screen keeps every action.
  const heldRow = compact && !a.running && a.hold !== null && a.hold.state !== 'confirmed';
  return (
    <div className={compact ? 'actions actions-tight' : 'actions'}>
      {a.running ? (
        <Button size={size} onClick={() => void act(a.id, 'cancel')} busy={busy === 'cancel'} disabled={blocked} aria-label={`Cancel the running sync of ${a.name}`}>
          Cancel
        </Button>
      ) : heldRow ? (
        <HoldDecision a={a} compact />
      ) : (
        <Button size={size} variant="primary" onClick={() => void act(a.id, 'sync')} busy={busy === 'sync'} disabled={blocked || a.state === 'needs_reconnect' || syncRefusal(a) !== null} title={syncRefusal(a) ?? undefined} aria-label={`Sync ${a.name} now`}>
          Sync now
        </Button>
      )}
      {compact ? (
        <>
          {heldRow && (
            <Button size={size} onClick={() => void act(a.id, a.paused ? 'resume' : 'pause')} busy={busy === 'pause' || busy === 'resume'} disabled={blocked} aria-label={`${a.paused ? 'Resume' : 'Pause'} scheduled syncs of ${a.name}`}>
              {a.paused ? 'Resume' : 'Pause'}
            </Button>
          )}
          <AudienceMenu a={a} compact pause={!heldRow} />
        </>
      ) : (
        <>
          <Button size={size} onClick={() => void act(a.id, a.paused ? 'resume' : 'pause')} busy={busy === 'pause' || busy === 'resume'} disabled={blocked} aria-label={`${a.paused ? 'Resume' : 'Pause'} scheduled syncs of ${a.name}`}>
            {a.paused ? 'Resume' : 'Pause'}
          </Button>
          <Button size={size} variant="ghost" onClick={() => setDialog('undo')} busy={busy === 'undo'} disabled={blocked || a.running || a.lastSync === null} aria-label={`Undo the last sync of ${a.name}…`}>
            Undo last sync…
          </Button>
          {a.tiktokAudienceId && !simulated && (
            <ExternalLink href={adsManagerUrl(a)} className="btn btn-ghost btn-small" label={`Open ${a.name} in TikTok Ads Manager`}>
              Open in Ads Manager ↗
            </ExternalLink>
          )}
          <Button size={size} variant="danger" onClick={() => setDialog('delete')} disabled={blocked} aria-label={`Delete ${a.name}…`}>
            Delete…
          </Button>
          {dialog === 'undo' && <UndoDialog a={a} onClose={() => setDialog(null)} />}
          {dialog === 'delete' && <DeleteDialog a={a} onClose={() => setDialog(null)} onDeleted={onDeleted} />}
        </>
      )}
    </div>
  );
}
