/**
 * Every run: counts, duration, status and error words; one run's TikTok API calls; its rejects export. A held run is
 * not an error: it needs the user, and says so in the warning's colours, with the numbers and the way to decide.
 */
import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtDateTime, fmtDuration, fmtInt } from '../../app/format';
import { RunStatusBadge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { EmptyState, ErrorBanner, Loading, Notice } from '../../ui/states';
import { Table } from '../../ui/table';
import { callsText, countsApplied, runCalls, runCountsText, runReplaced } from '../../../../shared/run-counts-text';
import type { Column } from '../../ui/table';
import { ReasonRows } from '../../ui/reason-rows';
import { callAction, callResult, runSummary, runTitle } from './run-words';
import type { AudienceView, RunTrigger, RunView, SyncNoteView } from '../../../../shared/ipc/dto';
import { syncNoteLabel, syncNoteText } from '../../../../shared/sync-note-text';

const TRIGGER: Record<RunTrigger, string> = { manual: 'Sync now', schedule: 'Schedule', cli: 'Command line', undo: 'Undo', 'catch-up': 'Catch-up', erase: 'Erase request' };

/** A held run's words: what needs the user, what was not sent, and where to decide. */
function HeldRunNotice({ r }: { r: RunView }) {
  const navigate = useApp((st) => st.navigate);
  const membership = r.error?.code === 'MEMBERSHIP_UNKNOWN';
  const audienceId = r.audienceId;
  return (
    <div className="banner banner-warn" role="status" aria-label="Held run">
      <div className="banner-body">
        <strong className="banner-title">{membership ? 'Held: TikTok shows changes Cohort Relay did not send — needs you' : 'Held: it would remove more people than this audience allows — needs you'}</strong>
        {r.error && <p>{r.error.message}</p>}
        <p className="muted small">
          +{fmtInt(r.adds)} to add, −{fmtInt(r.removes)} to remove: nothing was sent and no call was spent. Decide on the audience's page ({membership ? '"Replace with the file" or "Keep syncing changes only"' : '"Sync anyway (once)" or "Keep audience as is"'}).
        </p>
      </div>
      {audienceId !== null && r.audienceName !== null && (
        <div className="banner-actions">
          <Button size="small" onClick={() => navigate({ name: 'audience', id: audienceId })} aria-label={`Open ${r.audienceName} to decide about the held sync`}>
            Open the audience
          </Button>
        </div>
      )}
    </div>
  );
}

/** The runs table's last cell: error words in red; a held run's in the warning colour, as needing the user. */
function RunMessage({ r }: { r: RunView }) {
  if (!r.error) return null;
  if (r.status === 'held') {
    return (
      <span className="warn" title={r.error.message}>
        Needs you: {r.error.message}
      </span>
    );
  }
  return (
    <span className="error-text" title={r.error.message}>
      {r.error.message}
    </span>
  );
}

/** Where each audience's last sync left it, by that run's id: the log shows it on that run, in the audiences screen's words. */
function notesByRun(audiences: readonly AudienceView[] | null): Map<number, SyncNoteView> {
  const m = new Map<number, SyncNoteView>();
  for (const a of audiences ?? []) if (a.syncNote && a.syncNote.runId !== null && a.syncNote.kind !== 'up_to_date') m.set(a.syncNote.runId, a.syncNote);
  return m;
}

function useRunNotes(): Map<number, SyncNoteView> {
  const audiences = useApp((st) => st.audiences.data);
  return useMemo(() => notesByRun(audiences), [audiences]);
}

function RunDetail() {
  const notes = useRunNotes();
  const s = useApp(useShallow((st) => ({ detail: st.runDetail, id: st.runDetailId, runExport: st.runExport, exportRunRejects: st.exportRunRejects, selectRun: st.selectRun })));
  if (s.id === null) return <p className="muted">Select a run to see its TikTok API calls.</p>;
  const r = s.detail.data;
  return (
    <div className="card stack" aria-labelledby="run-detail-title">
      <header className="card-head">
        <h2 id="run-detail-title">{r ? runTitle(r) : `Run ${fmtInt(s.id)}`}</h2>
        <Button size="small" variant="ghost" onClick={() => void s.selectRun(null)}>
          Close
        </Button>
      </header>
      <ErrorBanner error={s.detail.error} onRetry={() => s.id !== null && void s.selectRun(s.id)} title="Could not load this run" />
      {!r ? (
        !s.detail.error && <Loading label="Loading the run…" />
      ) : (
        <>
          <p className="run-summary">
            <RunStatusBadge status={r.status} /> <strong>{runSummary(r)}</strong>
          </p>
          <p className="muted small">
            {TRIGGER[r.trigger]}
            {r.dryRun ? ' · dry run' : ''} · took {fmtDuration(r.durationMs)} · run {fmtInt(r.id)}
          </p>
          {r.status === 'held' ? <HeldRunNotice r={r} /> : r.error && <ErrorBanner error={r.error} />}
          {notes.get(r.id) && (
            <p className="sync-note warn" role="status" aria-label="Where this sync left the audience">
              {syncNoteText(notes.get(r.id)!)}
            </p>
          )}
          {r.deferredUntil && <Notice tone="warn">The rest waits until {fmtDateTime(r.deferredUntil)}{r.error ? '' : ", when the next UTC day's calls are there"}.</Notice>}
          <p className="muted small">
            {r.status === 'running' && !r.dryRun ? (
              // A run still going has no final counts yet: it says it is running and what it sent so far.
              runCountsText(r, fmtInt).replace(/^./, (c) => c.toUpperCase())
            ) : (
              <>
                {fmtInt(r.rowsRead)} rows read · {fmtInt(r.valid)} valid · {fmtInt(r.rejected)} rejected · {fmtInt(r.duplicates)} duplicates · {countsApplied(r) && !runReplaced(r) ? `${fmtInt(r.adds)} added · ${fmtInt(r.removes)} removed` : `${runCountsText(r, fmtInt)}`} · {callsText(runCalls(r), fmtInt)}
              </>
            )}
          </p>
          {r.rejected > 0 && (
            <>
              <ReasonRows byReason={r.rejectReasons} />
              <div className="actions">
                <Button size="small" onClick={() => void s.exportRunRejects(r.id)} busy={s.runExport.loading} busyLabel="Writing rejects…">
                  Export rejects
                </Button>
                {s.runExport.data && (
                  <span role="status">
                    Wrote {fmtInt(s.runExport.data.written)} rows to{' '}
                    <span className="mono">{s.runExport.data.download ? decodeURIComponent(s.runExport.data.download.split('/').pop() ?? '') : s.runExport.data.outPath}</span>
                    {s.runExport.data.download && ', in your browser’s downloads'}
                  </span>
                )}
              </div>
              <ErrorBanner error={s.runExport.error} title="Rejects could not be exported" />
            </>
          )}
          <h3>TikTok API calls</h3>
          {r.calls.length === 0 ? (
            <p className="muted">This run made no calls to TikTok.</p>
          ) : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="API calls">
              <table className="data-table calls-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">What</th>
                    <th scope="col">Result</th>
                    <th scope="col">Request id</th>
                  </tr>
                </thead>
                <tbody>
                  {r.calls.map((c) => (
                    <tr key={c.id} className={c.code !== null && c.code !== 0 ? 'row-reject' : ''}>
                      <td>
                        {fmtDateTime(c.startedAt)}
                        <div className="muted small">{fmtDuration(c.durationMs)}</div>
                      </td>
                      <td>
                        {callAction(c)}
                        <div className="muted small mono" title="TikTok API endpoint">
                          {c.method} {c.endpoint}
                        </div>
                      </td>
                      <td>
                        {callResult(c)}
                        {c.detail && <div className="muted small">{c.detail}</div>}
                      </td>
                      <td className="mono">{c.requestId ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}

export function SyncLogScreen() {
  const s = useApp(useShallow((st) => ({ runs: st.runs, selected: st.runDetailId, loadRuns: st.loadRuns, selectRun: st.selectRun, navigate: st.navigate, loadAudiences: st.loadAudiences })));
  const { loadRuns, loadAudiences } = s;
  const notes = useRunNotes();
  useEffect(() => {
    void loadRuns();
    // The audiences' notes say where a run left its audience (retrying, waiting for quota, cancelled after N added, …).
    void loadAudiences();
  }, [loadRuns, loadAudiences]);
  const list = s.runs.data ?? [];
  const columns: Column<RunView>[] = [
    { id: 'started', header: 'Started', width: '9.5rem', render: (r) => fmtDateTime(r.startedAt) },
    { id: 'audience', header: 'Audience', width: 'minmax(7rem, 1.2fr)', render: (r) => <span className="cell-ellipsis" title={r.audienceName ?? undefined}>{r.audienceName ?? '—'}</span> },
    { id: 'status', header: 'Status', width: '8.5rem', render: (r) => <RunStatusBadge status={r.status} /> },
    {
      id: 'what',
      header: 'What happened',
      width: 'minmax(12rem, 2.5fr)',
      // The error sits under the row's summary, so it needs no column of its own.
      render: (r) => (
        <div className="cell-stack">
          <span className="cell-ellipsis" title={runSummary(r)}>
            {runSummary(r)}
          </span>
          {/* Where the run left its audience takes the second line (the row has two); its detail shows the error too. */}
          {notes.get(r.id) ? (
            <span className="small warn cell-ellipsis" title={`${syncNoteText(notes.get(r.id)!)}${r.error ? ` ${r.error.message}` : ''}`} data-note={notes.get(r.id)!.kind}>
              {syncNoteLabel(notes.get(r.id)!)}
            </span>
          ) : (
            <RunMessage r={r} />
          )}
        </div>
      ),
    },
    { id: 'trigger', header: 'Trigger', width: '6.5rem', hideBelow: 860, render: (r) => (r.dryRun ? 'Dry run' : TRIGGER[r.trigger]) },
    { id: 'calls', header: 'Calls', width: '4rem', align: 'end', hideBelow: 940, render: (r) => fmtInt(runCalls(r)) },
    { id: 'duration', header: 'Took', width: '4.5rem', hideBelow: 1000, render: (r) => fmtDuration(r.durationMs) },
  ];
  return (
    <section className="screen" aria-labelledby="log-title">
      <header className="screen-head">
        <h1 id="log-title" tabIndex={-1}>
          Sync log
        </h1>
        <Button onClick={() => void Promise.all([s.loadRuns(), s.loadAudiences()])} busy={s.runs.loading} busyLabel="Refreshing…">
          Refresh
        </Button>
      </header>
      <ErrorBanner error={s.runs.error} onRetry={() => void s.loadRuns()} title="Could not load the sync log" />
      {s.runs.loading && !s.runs.data ? (
        <Loading label="Loading the sync log…" />
      ) : list.length === 0 ? (
        !s.runs.error && (
          <EmptyState title="No runs yet" action={<Button onClick={() => s.navigate({ name: 'import' })}>Import a cohort</Button>}>
            <p>Every sync, dry run and undo appears here with its counts and TikTok's request ids.</p>
          </EmptyState>
        )
      ) : (
        <Table label="Runs" rows={list} columns={columns} rowKey={(r) => r.id} selectedKey={s.selected} onActivate={(r) => void s.selectRun(r.id)} rowHeight={56} maxHeight={360} minWidth="38rem" />
      )}
      <RunDetail />
    </section>
  );
}
