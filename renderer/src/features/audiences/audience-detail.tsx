/** One audience: status, sent-vs-matched chart, expiry countdown, recent runs. */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { baseName, cadenceText, fmtDateTime, fmtDuration, fmtInt, fmtRelative } from '../../app/format';
import { RunStatusBadge, StateBadge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Meter } from '../../ui/meter';
import { ProgressBar } from '../../ui/progress-bar';
import { EmptyState, ErrorBanner, Loading, Notice } from '../../ui/states';
import { Stat } from '../../ui/stat';
import { AudienceActions } from './audience-actions';
import { HeldSyncBanner } from './held-sync';
import { SizeChart } from './size-chart';
import { blockedSize, SyncNoteNotice } from './sync-note';
import { KEY_LABELS } from '../../../../shared/domain';
import { countsApplied, runCalls, runCountsText, runDid } from '../../../../shared/run-counts-text';
import type { KeyMapping, KeySlot, RunView } from '../../../../shared/ipc/dto';
import { KEY_SLOTS, keysText, slotLabel } from '../../app/keys';
import { columnsText } from '../../app/key-columns';
import { Tag } from '../../ui/badge';
import { isSimulatedAudience } from '../../app/sandbox';
import { UseInTiktok } from './use-in-tiktok';
import { OverlapPanel } from './overlap-panel';

const DAY = 86_400_000;

/** "Expires in 213 days (12 Jun 2027)"; TikTok expires an audience 12 months after its last change. */
export function expiryText(expiresAt: string | null, now = Date.now()): string {
  if (!expiresAt) return 'No expiry yet (set by the first sync)';
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return `Expired ${fmtRelative(expiresAt, now)}`;
  return `Expires in ${fmtInt(Math.ceil(ms / DAY))} days (${fmtDateTime(expiresAt)})`;
}

/** A multi-key audience: how many people of the last synced snapshot have each key. */
function PerKeySizes({ sizes, keys }: { sizes: Partial<Record<KeySlot, number>>; keys: KeyMapping[] }) {
  const slots = KEY_SLOTS.filter((k) => sizes[k] !== undefined);
  return (
    <div>
      <h2>People per key</h2>
      <p className="muted small">Each person may have several keys; TikTok's matched count above is per person.</p>
      <dl className="stats">
        {slots.map((slot) => (
          <Stat key={slot} label={`With ${slotLabel(slot, keys)}`}>
            {fmtInt(sizes[slot])}
          </Stat>
        ))}
      </dl>
    </div>
  );
}

/**
 * A recent run's Added and Removed cells: what it did (a cut-short run's sent so far, a running one's too), a full
 * replace as "replaced: N"; "—" when it changed nothing acknowledged. The words in full are the cells' title.
 */
function RunDidCells({ r }: { r: RunView }) {
  const did = runDid(r);
  const title = countsApplied(r) && !did?.replaced ? undefined : runCountsText(r, fmtInt);
  if (did?.replaced != null) {
    return (
      <>
        <td className="num" title={title}>
          replaced: {fmtInt(did.replaced)}
        </td>
        <td className="num" title={title}>
          —
        </td>
      </>
    );
  }
  return (
    <>
      <td className="num" title={title}>
        {did ? fmtInt(did.added) : '—'}
      </td>
      <td className="num" title={title}>
        {did ? fmtInt(did.removed) : '—'}
      </td>
    </>
  );
}

export function AudienceDetail({ id }: { id: number }) {
  const s = useApp(
    useShallow((st) => ({
      detail: st.detailId === id ? st.detail : null,
      progress: st.progress[id],
      error: st.audienceError?.audienceId === id ? st.audienceError.error : null,
      loadDetail: st.loadDetail,
      navigate: st.navigate,
      clearAudienceError: st.clearAudienceError,
    })),
  );
  const { loadDetail } = s;
  useEffect(() => {
    void loadDetail(id);
  }, [id, loadDetail]);
  const a = s.detail?.data ?? null;
  const simulated = useApp((st) => a !== null && isSimulatedAudience(a, st.connections.data));

  return (
    <section className="screen" aria-labelledby="audience-title">
      <header className="screen-head">
        <div>
          <Button variant="ghost" size="small" onClick={() => s.navigate({ name: 'audiences' })}>
            ← All audiences
          </Button>
          <h1 id="audience-title" tabIndex={-1}>
            {a?.name ?? 'Audience'} {a && <StateBadge state={a.state} message={a.stateMessage} />}
            {a && simulated && <Tag title="Simulated in the offline sandbox: nothing is sent to TikTok">Sandbox</Tag>}
            {a?.api === 'segment' && <Tag title="Partner audience: kept in step through TikTok's segment API, with no daily change cap">Partner</Tag>}
          </h1>
        </div>
        {a && (
          <Button onClick={() => s.navigate({ name: 'mapping', id })} aria-label={`Edit the mapping of ${a.name}`}>
            Mapping
          </Button>
        )}
      </header>
      <ErrorBanner error={s.detail?.error ?? null} onRetry={() => void s.loadDetail(id)} title="Could not load this audience" />
      <ErrorBanner error={s.error} onDismiss={s.clearAudienceError} />
      {!a ? (
        s.detail?.error ? null : <Loading label="Loading the audience…" />
      ) : (
        <>
          {a.stateMessage && (a.state === 'needs_reconnect' || a.state === 'error' || a.state === 'unavailable' || a.state === 'expiring') && (
            <div className={`banner ${a.state === 'needs_reconnect' || a.state === 'error' ? 'banner-error' : 'banner-warn'}`} role="alert">
              <div className="banner-body">
                <p>{a.stateMessage}</p>
              </div>
              {a.state === 'needs_reconnect' && (
                <div className="banner-actions">
                  <Button size="small" variant="primary" onClick={() => s.navigate({ name: 'connect' })}>
                    Re-connect
                  </Button>
                </div>
              )}
              {a.state === 'unavailable' && (
                <div className="banner-actions">
                  <Button size="small" variant="primary" onClick={() => s.navigate({ name: 'import' })} aria-label={`Sync the cohort of ${a.name} to a new audience`}>
                    New audience
                  </Button>
                </div>
              )}
            </div>
          )}
          <HeldSyncBanner a={a} />
          <SyncNoteNotice a={a} />
          {s.progress && (
            <div className="card">
              <ProgressBar label={`Syncing ${a.name}`} percent={s.progress.percent} phase={s.progress.phase} rows={s.progress.rows} rowsPerSec={s.progress.rowsPerSec} etaSec={s.progress.etaSec} />
            </div>
          )}
          <AudienceActions a={a} onDeleted={() => s.navigate({ name: 'audiences' })} />
          <dl className="stats">
            <Stat label="Matched at TikTok">{fmtInt(a.coverNum)}</Stat>
            <Stat label="Local size" note={blockedSize(a) && <p className="warn small">{blockedSize(a)!.words}</p>}>
              {fmtInt(a.localSize)}
            </Stat>
            <Stat label="Last sync" className="small-dd">{a.lastSync ? fmtDateTime(a.lastSync) : 'never'}</Stat>
            <Stat label="Next sync" className="small-dd">{a.paused ? 'paused' : a.nextSync ? fmtDateTime(a.nextSync) : '—'}</Stat>
          </dl>
          <div className="two-col">
            {a.api === 'segment' ? (
              <div className="field">
                <span>Changes</span>
                <p>Partner audience: no daily change cap; TikTok's rate limits for the app apply.</p>
              </div>
            ) : (
              <div className="field">
                <span>Calls left today</span>
                <Meter value={a.callsLeftToday} max={a.dailyBudget} label="Calls left today" />
              </div>
            )}
            <div className="field">
              <span>Expiry</span>
              <p className={a.state === 'expiring' || a.state === 'expired' ? 'warn' : ''}>{expiryText(a.expiresAt)}</p>
            </div>
          </div>
          {a.perKeySize && <PerKeySizes sizes={a.perKeySize} keys={a.keys} />}
          <p className="muted small">
            {a.keys.length > 1 ? (
              <>
                {keysText(a.keys)} from columns{' '}
                {a.keys.map((k, i) => (
                  <span key={k.key}>
                    {i > 0 ? ', ' : ''}
                    <span className="mono">{columnsText(k)}</span>
                  </span>
                ))}
              </>
            ) : (
              <>
                {KEY_LABELS[a.keys[0]?.key ?? 'email']} from {a.keys[0]?.extraColumns?.length ? 'columns' : 'column'} <span className="mono">{a.keys[0] ? columnsText(a.keys[0]) : '—'}</span>
              </>
            )}{' '}
            {a.sourcePath ? (
              <>
                of <span className="mono">{baseName(a.sourcePath)}</span>
              </>
            ) : (
              '(no source file kept: pick the cohort file again to sync)'
            )}{' '}
            · {cadenceText(a.cadence)}
            {a.tiktokAudienceId ? ` · TikTok id ${a.tiktokAudienceId}` : ' · not created at TikTok yet'}
          </p>
          <h2>Sent vs matched</h2>
          <SizeChart history={a.history} valuesPerPerson={a.calculateType !== 'MULTIPLE_TYPES' && a.keys.some((k) => (k.extraColumns?.length ?? 0) > 0)} />
          <h2>Recent runs</h2>
          {a.recentRuns.length === 0 ? (
            <EmptyState title="No runs yet">
              <p>Sync now to send this cohort, or wait for its schedule.</p>
            </EmptyState>
          ) : (
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Added
                  </th>
                  <th scope="col" className="num">
                    Removed
                  </th>
                  <th scope="col" className="num">
                    Calls spent
                  </th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {a.recentRuns.map((r) => (
                  <tr key={r.id}>
                    <td>{fmtDateTime(r.startedAt)}</td>
                    <td>
                      <RunStatusBadge status={r.status} />
                      {r.error && <span className="muted small"> {r.error.message}</span>}
                    </td>
                    {/* What the run did: a finished run's counts, a cut-short one's sent so far, a replace as one; never its plan alone (a held run removed nobody). */}
                    <RunDidCells r={r} />
                    <td className="num">{fmtInt(runCalls(r))}</td>
                    <td>{fmtDuration(r.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <UseInTiktok key={a.id} a={a} onDeleted={() => s.navigate({ name: 'audiences' })} />
          <OverlapPanel key={`overlap-${a.id}`} a={a} />
          {a.state === 'processing' && <Notice>TikTok takes up to 24–48 hours to match a new or changed audience. Updates meanwhile are retried later, not failed.</Notice>}
        </>
      )}
    </section>
  );
}
