/** Wizard step 7: the sync's progress (with Cancel), then its result in numbers and where to go next. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getBridge } from '../../app/bridge';
import { useApp } from '../../app/store';
import { toShape } from '../../app/remote';
import { cadenceText, fmtDateTime, fmtInt } from '../../app/format';
import { Button } from '../../ui/button';
import { ProgressBar } from '../../ui/progress-bar';
import { ErrorBanner, Notice } from '../../ui/states';
import { Stat } from '../../ui/stat';
import { RunStatusBadge } from '../../ui/badge';
import type { AppErrorShape } from '../../../../shared/errors';
import type { AudienceView, RunView } from '../../../../shared/ipc/dto';
import { syncNoteText } from '../audiences/sync-note';
import { WizardHeldResult } from '../audiences/held-sync';

/** How long after the sync step appears its Cancel waits, so the second click of a double "Sync now" is not a cancel. */
export const CANCEL_ARM_MS = 800;

/** False for `ms` after mounting, then true. */
function useArmed(ms: number): boolean {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setArmed(true), ms);
    return () => clearTimeout(t);
  }, [ms]);
  return armed;
}

/**
 * A finished sync in numbers: added, removed, calls used and left today, the audience and advertiser, and what TikTok
 * matched so far. Read from the engine once the run has finished (the run and the audience as they are now).
 */
export function SyncResultNumbers({ runId, audienceId }: { runId: number; audienceId: number }) {
  const [run, setRun] = useState<RunView | null>(null);
  const [aud, setAud] = useState<AudienceView | null>(null);
  const connections = useApp((st) => st.connections.data);
  useEffect(() => {
    let live = true;
    const b = getBridge();
    void b.runs.get({ runId }).then((r) => live && setRun(r), () => undefined);
    void b.audiences.get({ id: audienceId }).then((a) => live && setAud(a), () => undefined);
    return () => {
      live = false;
    };
  }, [runId, audienceId]);
  if (!run || !aud) return null;
  const adv = connections?.flatMap((c) => c.advertisers).find((x) => x.advertiserId === aud.advertiserId);
  const nothing = run.status === 'done' && run.adds + run.removes === 0 && run.callsUsed === 0;
  return (
    <>
      {run.status === 'done' && (
        <p>{nothing ? 'Already up to date: the file matches what TikTok has, so nothing was sent.' : 'TikTok has the changes. Matching takes up to 24–48 hours; the audience shows as processing meanwhile.'}</p>
      )}
      <dl className="stats" aria-label="Sync result">
        <Stat label="Added">{fmtInt(aud.syncNote && aud.syncNote.runId === run.id ? aud.syncNote.added : run.status === 'done' ? run.adds : 0)}</Stat>
        <Stat label="Removed">{fmtInt(aud.syncNote && aud.syncNote.runId === run.id ? aud.syncNote.removed : run.status === 'done' ? run.removes : 0)}</Stat>
        <Stat label="Calls used">{fmtInt(run.callsUsed)}</Stat>
        {aud.api === 'file' ? (
          <Stat label="Calls left today">
            {fmtInt(aud.callsLeftToday)} of {fmtInt(aud.dailyBudget)}
          </Stat>
        ) : (
          <Stat label="Calls left today" className="small-dd">No daily cap</Stat>
        )}
        <Stat label="Matched so far">{aud.coverNum === null ? 'Not yet' : fmtInt(aud.coverNum)}</Stat>
      </dl>
      {aud.syncNote && aud.syncNote.runId === run.id && aud.syncNote.kind !== 'up_to_date' && <p className="warn small">{syncNoteText(aud.syncNote)}</p>}
      <p className="muted small">
        Audience <strong>{aud.name}</strong>
        {aud.tiktokAudienceId ? ` (TikTok id ${aud.tiktokAudienceId})` : ' (not created at TikTok yet)'} · Advertiser <strong>{adv ? `${adv.name} (${adv.advertiserId})` : aud.advertiserId}</strong>
        {aud.coverNum === null ? ' · TikTok reports the matched count within 24–48 hours.' : ''}
      </p>
    </>
  );
}

/**
 * After a cancelled sync: a schedule the user chose stays, and says so with its next run (which sends the rest, or
 * creates the audience at TikTok when nothing was sent), offering to turn it off. Nothing shows for a manual audience.
 */
export function CancelledSchedule({ audienceId }: { audienceId: number }) {
  const [aud, setAud] = useState<AudienceView | null>(null);
  const [off, setOff] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const loadAudiences = useApp((st) => st.loadAudiences);
  useEffect(() => {
    let live = true;
    void getBridge().audiences.get({ id: audienceId }).then((a) => live && setAud(a), () => undefined);
    return () => {
      live = false;
    };
  }, [audienceId]);
  if (off) return <Notice>The schedule is off: this audience syncs only when you press Sync now.</Notice>;
  if (!aud || aud.cadence.kind === 'manual' || aud.paused) return null;
  const turnOff = async () => {
    setBusy(true);
    setError(null);
    try {
      await getBridge().audiences.update({ id: audienceId, cadence: { kind: 'manual' } });
      setOff(true);
      void loadAudiences();
    } catch (err) {
      setError(toShape(err));
    } finally {
      setBusy(false);
    }
  };
  const next = aud.nextSync ? `; its next run is ${fmtDateTime(aud.nextSync)}` : '';
  const then = aud.tiktokAudienceId ? 'and sends the rest' : 'and creates the audience at TikTok';
  return (
    <Notice tone="warn">
      <p>
        The schedule stays ({cadenceText(aud.cadence)}){next}, {then}. To sync only when you press Sync now, turn it off.
      </p>
      <ErrorBanner error={error} title="The schedule is still on" />
      <div className="actions">
        <Button size="small" busy={busy} onClick={() => void turnOff()}>
          Turn the schedule off
        </Button>
      </div>
    </Notice>
  );
}

export function SyncStep() {
  const s = useApp(
    useShallow((st) => ({
      runId: st.runId,
      starting: st.runStarting,
      // Saving a new audience (TikTok is asked about its name) can be cancelled too.
      cancellable: st.runId !== null || st.createCancelId !== null,
      runError: st.runError,
      result: st.runResult,
      audienceId: st.draftAudienceId,
      progress: st.draftAudienceId === null ? undefined : st.progress[st.draftAudienceId],
      // A partner audience TikTok refused (not allowlisted) is created as a customer-file audience instead.
      fellBack: st.draftApi === 'segment' && st.audiences.data?.find((a) => a.id === st.draftAudienceId)?.api === 'file',
      cancelSync: st.cancelSync,
      resetWizard: st.resetWizard,
      navigate: st.navigate,
    })),
  );
  const done = s.result !== null || s.runError !== null;
  // A double press on "Sync now" lands its second click here: Cancel answers only once the step has been shown a moment.
  const armed = useArmed(CANCEL_ARM_MS);
  return (
    <div className="stack">
      {!done && (
        <div className="card">
          <ProgressBar
            label="Syncing"
            percent={s.progress?.percent ?? null}
            phase={s.progress?.phase ?? (s.starting ? 'starting' : 'reading')}
            rows={s.progress?.rows ?? 0}
            rowsPerSec={s.progress?.rowsPerSec}
            etaSec={s.progress?.etaSec}
          />
          <Button variant="ghost" onClick={() => {
              if (armed) void s.cancelSync();
            }} disabled={!s.cancellable || !armed} title={armed ? undefined : 'Starting the sync…'}>
            Cancel sync
          </Button>
        </div>
      )}
      <ErrorBanner error={s.runError} title="The sync could not start" />
      {s.result && (
        <div className="card">
          <h3>
            {s.result.status === 'held' ? 'Sync held' : 'Sync finished'} <RunStatusBadge status={s.result.status} />
          </h3>
          {s.fellBack && s.result.status !== 'failed' && (
            <Notice tone="warn">TikTok did not allow a partner audience for this developer app, so Cohort Relay created a customer-file audience instead (up to 24 changes a day). Ask your TikTok representative to allowlist the app for partner audiences.</Notice>
          )}
          {s.result.status === 'held' ? (
            <WizardHeldResult result={s.result} />
          ) : s.result.status === 'deferred' ? (
            // Waiting (the day's calls, TikTok processing, the cohort under 1,000) is no failure: no red box.
            <Notice tone="warn">{s.result.error?.message ?? "Part of the work waits for the next UTC day's calls; it is sent automatically."}</Notice>
          ) : s.result.status === 'cancelled' ? (
            // Stopped by the user: no red box; the numbers below say what went through and what is left.
            <>
              <Notice>{s.result.error?.message ?? 'Cancelled. Anything already sent to TikTok stays; the next sync sends the rest.'}</Notice>
              <CancelledSchedule audienceId={s.result.audienceId} />
            </>
          ) : s.result.error ? (
            <ErrorBanner error={s.result.error} />
          ) : null}
          {s.result.status !== 'held' && s.audienceId !== null && <SyncResultNumbers runId={s.result.runId} audienceId={s.result.audienceId} />}
        </div>
      )}
      {done && (
        <div className="actions">
          {s.audienceId !== null && (
            <Button variant="primary" onClick={() => s.audienceId !== null && s.navigate({ name: 'audience', id: s.audienceId })}>
              Open the audience
            </Button>
          )}
          <Button onClick={s.resetWizard}>Import another file</Button>
        </div>
      )}
    </div>
  );
}
