import { AUDIENCE_STATE_LABELS } from '../../../shared/ipc/dto';
import type { AudienceState, RunStatus } from '../../../shared/ipc/dto';

export type Tone = 'good' | 'info' | 'warn' | 'bad' | 'neutral';

const STATE_TONES: Record<AudienceState, Tone> = {
  processing: 'info',
  available: 'good',
  unavailable: 'warn',
  expiring: 'warn',
  expired: 'bad',
  needs_reconnect: 'bad',
  error: 'bad',
  never_synced: 'neutral',
};

export function Badge({ tone, children, title }: { tone: Tone; children: string; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      <span className="badge-dot" aria-hidden="true" />
      {children}
    </span>
  );
}

/** A small outlined label beside a name, e.g. "Partner" for a partner audience; title says what it means. */
export function Tag({ children, title }: { children: string; title?: string }) {
  return (
    <span className="tag" title={title}>
      {children}
    </span>
  );
}

/** The audience state badge, in the words shared with the tray and notifications. */
export function StateBadge({ state, message }: { state: AudienceState; message?: string | null }) {
  return <Badge tone={STATE_TONES[state]} title={message ?? undefined}>{AUDIENCE_STATE_LABELS[state]}</Badge>;
}

const RUN_STATUS: Record<RunStatus, { label: string; tone: Tone }> = {
  running: { label: 'Running', tone: 'info' },
  done: { label: 'Done', tone: 'good' },
  // Not only quota: the one-REPLACE-a-day rule, TikTok processing, a rate limit; the run says which.
  deferred: { label: 'Waiting', tone: 'warn' },
  failed: { label: 'Failed', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  planned: { label: 'Dry run', tone: 'neutral' },
  held: { label: 'Held: needs you', tone: 'warn' },
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  const s = RUN_STATUS[status];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}
