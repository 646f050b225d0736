/** Wizard step 6: the dry run — what would be added and removed, the calls it takes, the warnings — then Save or Sync now. */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { cadenceText, fmtDateTime, fmtInt } from '../../app/format';
import { Button } from '../../ui/button';
import { ButtonWithReason } from '../../ui/button-with-reason';
import { cadenceForecast } from '../../ui/cadence-picker';
import { Meter } from '../../ui/meter';
import { ProgressBar } from '../../ui/progress-bar';
import { ReasonRows } from '../../ui/reason-rows';
import { ErrorBanner, Notice } from '../../ui/states';
import { Stat } from '../../ui/stat';
import { FolderOnceNote } from './folder-choice';
import type { PendingSave } from './import-slice';
import { AUDIENCE_FLOOR, KEY_LABELS } from '../../../../shared/domain';
import { replaceText } from '../../../../shared/replace-text';
import type { KeyType } from '../../../../shared/domain';
import type { KeySlot, PerKeyCounts, PlanView } from '../../../../shared/ipc/dto';
import { KEY_SLOTS, keysText, slotLabel } from '../../app/keys';
import { RemovalHoldNotice } from '../audiences/held-sync';

/** The API the planned audience syncs through: the saved audience's, or the one a new audience is created with. */
function pendingApi(pending: PendingSave | null, audiences: readonly { id: number; api: 'file' | 'segment' }[] | null | undefined): 'file' | 'segment' | undefined {
  if (pending?.kind === 'update') return audiences?.find((a) => a.id === pending.audienceId)?.api;
  if (pending?.kind === 'create') return pending.request.api ?? 'file';
  return undefined;
}

type AppState = ReturnType<typeof useApp.getState>;

/** "Sandbox Shop (7000000001)": the advertiser the dry run is for. */
function recapAdvertiser(st: AppState): string {
  const c = st.connections.data?.find((x) => x.id === st.connectionId);
  const adv = c?.advertisers.find((a) => a.advertiserId === st.advertiserId);
  return adv ? `${adv.name} (${adv.advertiserId})` : (st.advertiserId ?? '—');
}

/** The audience the dry run is for: a new one by name, an existing one by its TikTok name, or the saved one. */
function recapAudience(st: AppState): string {
  if (st.pending?.kind === 'update') return st.audiences.data?.find((a) => a.id === (st.pending as { audienceId: number }).audienceId)?.name ?? 'the saved audience';
  if (st.target === 'existing') {
    const t = st.tiktokAudiences.data?.find((a) => a.audienceId === st.existingTiktokId);
    return t ? `${t.name} (existing, TikTok id ${t.audienceId})` : `existing TikTok audience ${st.existingTiktokId ?? ''}`.trim();
  }
  return `${st.audienceName.trim()} (new)`;
}

/** What the dry run is about, before its numbers: advertiser, audience, key, cadence, and today's calls before and after. */
function DryRunRecap({ advertiser, audience, keyText, cadence, plan, partner }: { advertiser: string; audience: string; keyText: string; cadence: string; plan: PlanView; partner: boolean }) {
  const today = Math.min(plan.calls, plan.quotaLeft);
  return (
    <dl className="recap" aria-label="Dry run recap">
      <Stat label="Advertiser">{advertiser}</Stat>
      <Stat label="Audience">{audience}</Stat>
      <Stat label="Key">{keyText}</Stat>
      <Stat label="Cadence">{cadence}</Stat>
      <Stat label="Calls left today">
        {partner
          ? 'No daily cap (partner audience)'
          : `${fmtInt(plan.quotaLeft)} of ${fmtInt(plan.dailyBudget)} now → ${fmtInt(plan.quotaLeft - today)} after this sync (uses ${fmtInt(plan.calls)}${plan.calls > today ? `, ${fmtInt(plan.calls - today)} wait for tomorrow` : ''})`}
      </Stat>
    </dl>
  );
}

/** People kept, added and removed, as one bar (with the numbers in words for screen readers and on hover). */
export function ChangeBar({ adds, removes, unchanged }: { adds: number; removes: number; unchanged: number }) {
  const total = Math.max(1, adds + removes + unchanged);
  const pct = (n: number) => (n > 0 ? Math.max(1, (n / total) * 100) : 0);
  const words = `${fmtInt(adds)} to add, ${fmtInt(removes)} to remove, ${fmtInt(unchanged)} unchanged`;
  return (
    <div className="change-bar" role="img" aria-label={words} title={words}>
      <span className="change-bar-unchanged" style={{ width: `${pct(unchanged)}%` }} />
      <span className="change-bar-add" style={{ width: `${pct(adds)}%` }} title={`${fmtInt(adds)} to add`} />
      <span className="change-bar-remove" style={{ width: `${pct(removes)}%` }} title={`${fmtInt(removes)} to remove`} />
    </div>
  );
}

export function DryRunStep() {
  const s = useApp(
    useShallow((st) => ({
      plan: st.plan,
      keyChoices: st.keyChoices,
      pending: st.pending,
      saveError: st.runError,
      partner: pendingApi(st.pending, st.audiences.data) === 'segment',
      saved: st.pending === null && st.draftAudienceId !== null,
      savedWaiting: st.pending === null && st.audiences.data?.find((a) => a.id === st.draftAudienceId)?.startAtFloor === true,
      prepareDryRun: st.prepareDryRun,
      discardDraft: st.discardDraft,
      saveDraft: st.saveDraft,
      saveWaitingForFloor: st.saveWaitingForFloor,
      startSync: st.startSync,
      recapAdvertiser: recapAdvertiser(st),
      recapAudience: recapAudience(st),
      recapKey: st.multiKey ? keysText(st.keyChoices) : KEY_LABELS[st.keyType],
      recapCadence: cadenceText(st.pending?.kind === 'update' ? (st.pending.request.cadence ?? st.cadence) : st.cadence),
      plannedCadence: st.pending?.kind === 'update' ? (st.pending.request.cadence ?? st.cadence) : st.cadence,
      progress: st.pending?.kind === 'update' ? st.progress[st.pending.audienceId] : undefined,
    })),
  );
  const p = s.plan.data;
  // A new audience from a cohort under 1,000: TikTok takes it, but shows it unavailable until it matches 1,000 people.
  const smallCreate = p !== null && s.pending?.kind === 'create' && p.currentSize === 0 && p.projectedSize > 0 && p.projectedSize < AUDIENCE_FLOOR;
  // No plan yet: still running, or failed (its banner says why, with Retry).
  const noPlan = s.plan.error && !s.plan.loading ? 'The dry run failed: try it again (above) before saving or syncing.' : 'The dry run has not finished yet.';
  const syncBlocked = !p ? noPlan : p.floorWarning !== null && !smallCreate ? p.floorWarning : null;
  return (
    <div className="stack">
      <p className="muted">A dry run: the whole file is read, hashed and compared with what TikTok has. Nothing is sent.</p>
      {s.plan.loading && (
        <div className="card">
          <ProgressBar label="Dry run: reading, hashing and comparing — nothing is sent" percent={s.progress?.percent ?? null} phase={s.progress?.phase ?? 'reading'} rows={s.progress?.rows} rowsPerSec={s.progress?.rowsPerSec} etaSec={s.progress?.etaSec} />
        </div>
      )}
      <ErrorBanner error={s.plan.error} onRetry={() => void s.prepareDryRun()} title="The dry run failed" />
      <ErrorBanner error={s.saveError} title="Could not save the audience" />
      <FolderOnceNote />
      {s.pending?.kind === 'update' && s.pending.sourceChange && (
        <Notice tone="warn">
          Source changes from {s.pending.sourceChange.from} to {s.pending.sourceChange.to}. Nothing is saved until you choose Sync now or Save.
        </Notice>
      )}
      {s.saved && !s.savedWaiting && <Notice tone="good">Saved. The audience syncs on its schedule, or now with Sync now.</Notice>}
      {s.savedWaiting && <Notice tone="good">Saved as waiting: its scheduled syncs create it at TikTok once the file has 1,000 people. Nothing was sent.</Notice>}
      {p && (
        <>
          <DryRunRecap advertiser={s.recapAdvertiser} audience={s.recapAudience} keyText={s.recapKey} cadence={s.recapCadence} plan={p} partner={s.partner} />
          {p.replace && (
            <Notice tone="warn">
              This sync {replaceText(p.replace)} (one full replace: TikTok allows one a day). To add and To remove below are its net change.
            </Notice>
          )}
          <ChangeBar adds={p.adds} removes={p.removes} unchanged={p.unchanged} />
          {!s.partner && cadenceForecast(s.plannedCadence, p.dailyBudget)?.fits === false && <Notice tone="warn">{cadenceForecast(s.plannedCadence, p.dailyBudget)!.text} Go back to choose another cadence.</Notice>}
          <dl className="stats">
            <Stat label="To add">{fmtInt(p.adds)}</Stat>
            <Stat label="To remove">{fmtInt(p.removes)}</Stat>
            <Stat label="Unchanged">{fmtInt(p.unchanged)}</Stat>
            <Stat label="TikTok calls">{fmtInt(p.calls)}</Stat>
            <Stat label="Size now → after">
              {fmtInt(p.currentSize)} → {fmtInt(p.projectedSize)}
            </Stat>
          </dl>
          {p.perKey && <PerKeyTable perKey={p.perKey} keys={s.keyChoices} />}
          {s.partner ? (
            <p className="muted small">Partner audience: no daily change cap; TikTok's rate limits for the app apply.</p>
          ) : (
            <div className="field">
              <span>Calls left today before this sync</span>
              <Meter value={p.quotaLeft} max={p.dailyBudget} label="Calls left today" />
            </div>
          )}
          <p className="muted small">
            {fmtInt(p.rowsRead)} rows read · {fmtInt(p.valid)} valid · {fmtInt(p.rejected)} rejected · {fmtInt(p.duplicates)} duplicates · {fmtInt(p.suppressed)} suppressed
          </p>
          {p.floorWarning && (
            <div className="banner banner-warn" role="alert">
              <div className="banner-body">
                <strong className="banner-title">Under TikTok's 1,000 floor{smallCreate ? `: ${fmtInt(p.projectedSize)} people` : ''}</strong>
                <p>{p.floorWarning}</p>
                {smallCreate && <p>Create it now (TikTok shows it unavailable until it matches 1,000 people), or save it to start by itself once the file has 1,000.</p>}
              </div>
              {smallCreate && (
                <div className="banner-actions">
                  <Button size="small" variant="primary" onClick={() => void s.startSync()} disabled={s.plan.loading}>
                    Create now, usable at 1,000
                  </Button>
                  <Button
                    size="small"
                    onClick={() => void s.saveWaitingForFloor()}
                    disabled={s.plan.loading || s.saved}
                    title={s.saved ? 'Saved: the audience waits for 1,000 people.' : 'Saves the audience as waiting: its scheduled syncs create it at TikTok once the file has 1,000 people'}
                  >
                    Start when the cohort reaches 1,000
                  </Button>
                </div>
              )}
            </div>
          )}
          {p.matchWarning && !p.floorWarning && (
            <div className="banner banner-warn" role="alert">
              <div className="banner-body">
                <strong className="banner-title">TikTok may match under 1,000 people</strong>
                <p>{p.matchWarning}</p>
              </div>
            </div>
          )}
          {p.deferredUntil && <Notice tone="warn">{p.deferredReason ?? "Part of this sync does not fit today's calls."} The rest is sent automatically after {fmtDateTime(p.deferredUntil)}.</Notice>}
          {p.removalHold && <RemovalHoldNotice hold={p.removalHold} />}
          {p.rejected > 0 && (
            <details>
              <summary>Rejects by reason</summary>
              <ReasonRows byReason={p.rejectsByReason} />
            </details>
          )}
        </>
      )}
      <div className="actions">
        <Button onClick={() => void s.discardDraft()}>Back</Button>
        <Button
          onClick={() => void s.saveDraft()}
          disabled={!p || !s.pending || s.plan.loading}
          title={s.plan.loading ? 'The dry run has not finished yet.' : !p ? noPlan : !s.pending ? 'Already saved.' : 'Saves the audience, its source and its schedule without syncing now'}
        >
          Save
        </Button>
        <ButtonWithReason
          variant="primary"
          onClick={() => void s.startSync()}
          disabled={syncBlocked !== null || s.plan.loading || smallCreate}
          why={syncBlocked ?? (smallCreate ? 'Under 1,000 people: choose one of the two ways above.' : null)}
          whyId="dry-run-sync-why"
          title={syncBlocked ?? (smallCreate ? 'Under 1,000 people: choose "Create now, usable at 1,000" or "Start when the cohort reaches 1,000" above.' : undefined)}
        >
          {p && p.adds + p.removes === 0 ? 'Save and sync anyway' : 'Sync now'}
        </ButtonWithReason>
      </div>
    </div>
  );
}

/** A multi-key dry run, key by key: people who have the key, and how many of those keys are added and removed. */
export function PerKeyTable({ perKey, keys }: { perKey: Partial<Record<KeySlot, PerKeyCounts>>; keys: readonly { key: KeyType }[] }) {
  const slots = KEY_SLOTS.filter((k) => perKey[k] !== undefined);
  return (
    <div className="table-scroll per-key" role="region" aria-label="Counts per key">
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col" className="num">
              People with it
            </th>
            <th scope="col" className="num">
              To add
            </th>
            <th scope="col" className="num">
              To remove
            </th>
          </tr>
        </thead>
        <tbody>
          {slots.map((slot) => {
            const c = perKey[slot]!;
            return (
              <tr key={slot}>
                <th scope="row">{slotLabel(slot, keys)}</th>
                <td className="num">{fmtInt(c.target)}</td>
                <td className="num">{fmtInt(c.adds)}</td>
                <td className="num">{fmtInt(c.removes)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
