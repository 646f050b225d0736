/** Every audience: state, matched and local size, last and next sync, calls left today, actions. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { cadenceText, fmtInt, fmtRelative } from '../../app/format';
import { StateBadge, Tag } from '../../ui/badge';
import { keysText } from '../../app/keys';
import { Button } from '../../ui/button';
import { Meter } from '../../ui/meter';
import { ErrorBanner, Loading, Notice } from '../../ui/states';
import { Table } from '../../ui/table';
import type { Column } from '../../ui/table';
import { AudienceActions } from './audience-actions';
import { BulkActions } from './bulk-actions';
import { HeldBadge } from './held-sync';
import { outOfCalls, quotaResetText, SyncNoteLabel } from './sync-note';
import { FirstRun } from '../../app/first-run';
import { isSimulatedAudience } from '../../app/sandbox';
import type { AudienceView } from '../../../../shared/ipc/dto';

export function AudiencesScreen() {
  const s = useApp(
    useShallow((st) => ({
      audiences: st.audiences,
      progress: st.progress,
      error: st.audienceError,
      pausedAll: st.settings.data?.pausedAll ?? false,
      settingsError: st.settingsError,
      loadAudiences: st.loadAudiences,
      navigate: st.navigate,
      clearAudienceError: st.clearAudienceError,
      setPauseAll: st.setPauseAll,
      connections: st.connections,
    })),
  );
  const { loadAudiences } = s;
  useEffect(() => {
    void loadAudiences();
  }, [loadAudiences]);
  const list = s.audiences.data ?? [];
  // Ticked rows for the bulk bar; an audience gone from the list drops out of the selection.
  const [ticked, setTicked] = useState<ReadonlySet<number>>(new Set());
  const selected = list.filter((a) => ticked.has(a.id));
  const allTicked = list.length > 0 && selected.length === list.length;
  const tick = (id: number, on: boolean) =>
    setTicked((cur) => {
      const n = new Set(cur);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const errName = s.error ? list.find((a) => a.id === s.error?.audienceId)?.name : undefined;

  const columns: Column<AudienceView>[] = [
    {
      id: 'name',
      header: 'Audience',
      width: 'minmax(9rem, 2fr)',
      render: (a, hidden) => (
        <div className="cell-stack">
          <span className="name-line">
            <input type="checkbox" checked={ticked.has(a.id)} onChange={(e) => tick(a.id, e.target.checked)} aria-label={`Select ${a.name}`} />
            <button type="button" className="link-button" title={a.name} onClick={() => s.navigate({ name: 'audience', id: a.id })}>
              {a.name}
            </button>
          </span>
          {/* The tag sits with the keys, so a long name keeps the room it needs. */}
          <span className="name-line muted small">
            <span>{keysText(a.keys)}</span>
            {isSimulatedAudience(a, s.connections.data) && <Tag title="Simulated in the offline sandbox: nothing is sent to TikTok">Sandbox</Tag>}
            {a.api === 'segment' && <Tag title="Partner audience: kept in step through TikTok's segment API, with no daily change cap">Partner</Tag>}
          </span>
          <span className="muted small">
            {cadenceText(a.cadence)}
            {a.paused ? ' · paused' : ''}
            {/* At 1024 px the last-sync column collapses: its fact moves here. */}
            {hidden.has('sync') ? ` · last ${a.lastSync ? fmtRelative(a.lastSync) : 'never'}` : ''}
          </span>
        </div>
      ),
    },
    {
      id: 'state',
      header: 'State',
      width: '10.5rem',
      render: (a) => {
        const p = s.progress[a.id];
        if (a.running || p) return <span className="badge badge-info">{p ? `Syncing · ${p.phase}${p.percent !== null ? ` ${Math.round(p.percent)}%` : ''}` : 'Syncing'}</span>;
        // A held sync needs the user before anything else about the row.
        if (a.hold) {
          return (
            <div className="cell-stack">
              <HeldBadge hold={a.hold} />
              <StateBadge state={a.state} message={a.stateMessage} />
            </div>
          );
        }
        return (
          <div className="cell-stack">
            <StateBadge state={a.state} message={a.stateMessage} />
            <SyncNoteLabel a={a} />
          </div>
        );
      },
    },
    { id: 'matched', header: 'Matched', width: '5.5rem', align: 'end', render: (a) => fmtInt(a.coverNum) },
    { id: 'local', header: 'Local', width: '5.5rem', align: 'end', hideBelow: 780, render: (a) => fmtInt(a.localSize) },
    {
      id: 'sync',
      header: 'Last / next sync',
      width: '8rem',
      hideBelow: 900,
      render: (a) => (
        <div className="cell-stack">
          <span>{a.lastSync ? fmtRelative(a.lastSync) : 'never'}</span>
          <span className="muted small">{a.paused || s.pausedAll ? 'paused' : a.nextSync ? `next ${fmtRelative(a.nextSync)}` : 'no schedule'}</span>
        </div>
      ),
    },
    {
      id: 'calls',
      header: 'Calls left today',
      width: '8rem',
      hideBelow: 1060,
      render: (a) =>
        a.api === 'segment' ? (
          <span className="muted small">No daily cap</span>
        ) : outOfCalls(a) ? (
          // Out of calls: when changes can start again, in UTC and the user's time.
          <span className="small warn">{quotaResetText()}</span>
        ) : (
          <Meter compact value={a.callsLeftToday} max={a.dailyBudget} label={`Calls left today for ${a.name}`} />
        ),
    },
    { id: 'actions', header: 'Actions', width: 'minmax(12.5rem, 1.6fr)', render: (a) => <AudienceActions a={a} compact /> },
  ];

  return (
    <section className="screen" aria-labelledby="audiences-title">
      <header className="screen-head">
        <h1 id="audiences-title" tabIndex={-1}>
          Audiences
        </h1>
        <div className="actions">
          <Button onClick={() => void s.setPauseAll(!s.pausedAll)} aria-pressed={s.pausedAll}>
            {s.pausedAll ? 'Resume all schedules' : 'Pause all schedules'}
          </Button>
          <Button variant="primary" onClick={() => s.navigate({ name: 'import' })}>
            Import a cohort
          </Button>
        </div>
      </header>
      {list.some((a) => a.state === 'needs_reconnect') && (
        <div className="banner banner-error" role="alert">
          <div className="banner-body">
            <p>TikTok no longer accepts a connection (or one of its ad accounts) these audiences use, so they cannot sync. Re-connect it to continue.</p>
          </div>
          <div className="banner-actions">
            <Button size="small" variant="primary" onClick={() => s.navigate({ name: 'connect' })}>
              Re-connect
            </Button>
          </div>
        </div>
      )}
      {list.some((a) => a.state === 'unavailable' && a.api === 'file') && (
        <div className="banner banner-warn" role="alert" aria-label="Unavailable audiences">
          <div className="banner-body">
            <strong className="banner-title">Unavailable at TikTok: {list.filter((a) => a.state === 'unavailable' && a.api === 'file').map((a) => a.name).join(', ')}</strong>
            <p>
              TikTok matched fewer than 1,000 people in these audiences, so it never lets them be edited again: their schedules are stopped and nothing more is sent. Way out: sync the cohort
              to a new audience — from a larger cohort, or with several keys per person (email, phone and mobile ad id) for a higher match rate.
            </p>
          </div>
          <div className="banner-actions">
            <Button size="small" variant="primary" onClick={() => s.navigate({ name: 'import' })}>
              New audience
            </Button>
          </div>
        </div>
      )}
      {s.pausedAll && <Notice tone="warn">Every scheduled sync is paused. "Sync now" still works.</Notice>}
      <ErrorBanner error={s.error?.error ?? null} onDismiss={s.clearAudienceError} title={errName ? `${errName}` : undefined} />
      <ErrorBanner error={s.settingsError} title="Could not change the schedules" />
      <ErrorBanner error={s.audiences.error} onRetry={() => void s.loadAudiences()} title="Could not load audiences" />
      {s.audiences.loading && !s.audiences.data ? (
        <Loading label="Loading audiences…" />
      ) : list.length === 0 ? (
        !s.audiences.error &&
        (s.connections.loading && !s.connections.data ? <Loading label="Loading connections…" /> : <FirstRun />)
      ) : (
        <>
          <div className="actions">
            <label className="check">
              <input type="checkbox" checked={allTicked} onChange={(e) => setTicked(e.target.checked ? new Set(list.map((a) => a.id)) : new Set())} /> Select all
            </label>
          </div>
          <BulkActions selected={selected} onSelectNone={() => setTicked(new Set())} onDone={() => {
            setTicked(new Set());
            void s.loadAudiences();
          }} />
          <Table label="Audiences" rows={list} columns={columns} rowKey={(a) => a.id} rowHeight={76} maxHeight={640} minWidth="36rem" onActivate={(a) => s.navigate({ name: 'audience', id: a.id })} />
        </>
      )}
    </section>
  );
}
