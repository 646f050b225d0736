import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { Button, ExternalLink } from '../../ui/button';
import type { AudienceView } from '../../../../shared/ipc/dto';
import { HoldDecision } from './held-sync';

/** TikTok Ads Manager's audience page for the advertiser (a plain https link, opened in the browser). */
export function adsManagerUrl(a: AudienceView): string {
  return `https://ads.tiktok.com/i18n/audience/?aadvid=${encodeURIComponent(a.advertiserId)}`;
}

/** Sync now, pause / resume, undo last sync, cancel a running sync, open in TikTok Ads Manager. */
export function AudienceActions({ a, compact = false }: { a: AudienceView; compact?: boolean }) {
  const { busy, act } = useApp(useShallow((s) => ({ busy: s.audienceBusy[a.id], act: s.audienceAction })));
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
        <Button size={size} variant="primary" onClick={() => void act(a.id, 'sync')} busy={busy === 'sync'} disabled={blocked || a.state === 'needs_reconnect' || (a.state === 'unavailable' && a.api === 'file')} title={a.state === 'unavailable' && a.api === 'file' ? 'TikTok no longer lets this audience be edited: sync the cohort to a new audience.' : undefined} aria-label={`Sync ${a.name} now`}>
          Sync now
        </Button>
      )}
      <Button size={size} onClick={() => void act(a.id, a.paused ? 'resume' : 'pause')} busy={busy === 'pause' || busy === 'resume'} disabled={blocked} aria-label={`${a.paused ? 'Resume' : 'Pause'} scheduled syncs of ${a.name}`}>
        {a.paused ? 'Resume' : 'Pause'}
      </Button>
      {!heldRow && (
        <Button size={size} variant="ghost" onClick={() => void act(a.id, 'undo')} busy={busy === 'undo'} disabled={blocked || a.running || a.lastSync === null} aria-label={`Undo the last sync of ${a.name}`}>
          {compact ? 'Undo' : 'Undo last sync'}
        </Button>
      )}
      {a.tiktokAudienceId && !heldRow && (
        <ExternalLink href={adsManagerUrl(a)} className="btn btn-ghost btn-small" label={`Open ${a.name} in TikTok Ads Manager`}>
          {compact ? 'Ads Manager ↗' : 'Open in Ads Manager ↗'}
        </ExternalLink>
      )}
    </div>
  );
}
