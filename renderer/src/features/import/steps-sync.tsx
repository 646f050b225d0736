/** Wizard steps that decide where the file goes: destination, dry run, sync. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getBridge } from '../../app/bridge';
import { useApp } from '../../app/store';
import { cadenceText, fmtDateTime, fmtInt } from '../../app/format';
import { Button } from '../../ui/button';
import { Meter } from '../../ui/meter';
import { ProgressBar } from '../../ui/progress-bar';
import { EmptyState, ErrorBanner, Loading, Notice } from '../../ui/states';
import { RunStatusBadge } from '../../ui/badge';
import { advertiserChoices } from '../connect/connect-slice';
import { CadencePicker, cadenceForecast } from './cadence-picker';
import { FolderChoiceField, FolderOnceNote } from './folder-choice';
import { ReasonRows } from './steps-file';
import type { PendingSave } from './import-slice';
import { retentionOk } from './import-slice';
import { AUDIENCE_FLOOR, KEY_LABELS } from '../../../../shared/domain';
import type { KeyType } from '../../../../shared/domain';
import type { AudienceView, KeySlot, PerKeyCounts, PlanView, RunView } from '../../../../shared/ipc/dto';
import { syncNoteText } from '../audiences/sync-note';
import { KEY_SLOTS, keysText, slotLabel } from '../../app/keys';
import { RemovalHoldNotice, WizardHeldResult } from '../audiences/held-sync';

export function DestinationStep() {
  const s = useApp(
    useShallow((st) => ({
      connections: st.connections,
      connectionId: st.connectionId,
      advertiserId: st.advertiserId,
      target: st.target,
      audienceName: st.audienceName,
      existingTiktokId: st.existingTiktokId,
      tiktokAudiences: st.tiktokAudiences,
      cadence: st.cadence,
      source: st.source,
      keyType: st.keyType,
      multiKey: st.multiKey,
      keyChoices: st.keyChoices,
      audienceApi: st.audienceApi,
      setAudienceApi: st.setAudienceApi,
      createOptions: st.createOptions,
      setCreateOptions: st.setCreateOptions,
      setDestination: st.setDestination,
      setTarget: st.setTarget,
      setAudienceName: st.setAudienceName,
      setExistingTiktokId: st.setExistingTiktokId,
      setCadence: st.setCadence,
      loadTiktokAudiences: st.loadTiktokAudiences,
      prepareDryRun: st.prepareDryRun,
      goToStep: st.goToStep,
      navigate: st.navigate,
      connectSandbox: st.connectSandbox,
      connectBusy: st.connectBusy,
      connectError: st.connectError,
    })),
  );
  const choices = advertiserChoices(s.connections.data);
  const chosen = choices.find((c) => c.advertiserId === s.advertiserId && c.connectionId === s.connectionId);
  const first = choices[0];
  const { advertiserId, setDestination } = s;
  // The first advertiser is a sensible default; the choice stays the user's.
  useEffect(() => {
    if (!advertiserId && first) void setDestination(first.connectionId, first.advertiserId);
  }, [advertiserId, first, setDestination]);

  if (s.connections.loading && !s.connections.data) return <Loading label="Loading TikTok accounts…" />;
  if (choices.length === 0) {
    return (
      <div className="stack">
        <ErrorBanner error={s.connectError} title="Could not connect" />
        <EmptyState
          title="Connect a TikTok account first"
          action={
            <div className="actions">
              <Button variant="primary" onClick={() => void s.connectSandbox()} busy={s.connectBusy === 'sandbox'}>
                Try the offline sandbox
              </Button>
              <Button onClick={() => s.navigate({ name: 'connect' })}>Go to Connections</Button>
            </div>
          }
        >
          <p>No connected account has an advertiser this cohort can go to. Connections that need a re-connect are left out.</p>
        </EmptyState>
      </div>
    );
  }
  const folderOk = s.target === 'existing' || s.source.kind === 'file' || s.source.folder.trim().length > 0;
  const takesOptions = s.target === 'new' && s.audienceApi === 'file';
  const optionsOk = !takesOptions || retentionOk(s.createOptions.retention);
  const nameOk = (s.target === 'existing' ? s.existingTiktokId !== null : s.audienceName.trim().length > 0) && folderOk && optionsOk;
  // A disabled button says why.
  const nextWhy = !chosen
    ? 'Choose the advertiser account first.'
    : s.target === 'existing' && s.existingTiktokId === null
      ? 'Choose the existing TikTok audience first.'
      : s.target === 'new' && s.audienceName.trim().length === 0
        ? 'Name the audience first.'
        : !folderOk
          ? 'Give the folder later syncs read from.'
          : !optionsOk
            ? 'Retention must be a whole number of days from 1 to 365, or empty.'
            : null;
  const list = s.tiktokAudiences.data ?? [];
  const matchedOn = s.multiKey ? `${keysText(s.keyChoices)} (multi-key)` : KEY_LABELS[s.keyType];
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void s.prepareDryRun();
      }}
    >
      <label className="field">
        <span>Advertiser account</span>
        <select
          value={chosen ? `${chosen.connectionId}|${chosen.advertiserId}` : ''}
          onChange={(e) => {
            const [cid, aid] = e.target.value.split('|');
            if (cid && aid) void s.setDestination(cid, aid);
          }}
        >
          {choices.map((c) => (
            <option key={`${c.connectionId}|${c.advertiserId}`} value={`${c.connectionId}|${c.advertiserId}`}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="fieldset">
        <legend>Audience</legend>
        <label className="check">
          <input type="radio" name="target" checked={s.target === 'new'} onChange={() => s.setTarget('new')} />
          A new audience
        </label>
        {s.target === 'new' && (
          <label className="field indent">
            <span>Audience name</span>
            <input value={s.audienceName} onChange={(e) => s.setAudienceName(e.target.value)} maxLength={128} required />
          </label>
        )}
        <label className="check">
          <input type="radio" name="target" checked={s.target === 'existing'} onChange={() => s.setTarget('existing')} />
          An existing TikTok audience matched on {matchedOn}
        </label>
        {s.target === 'existing' && (
          <div className="indent">
            <ErrorBanner error={s.tiktokAudiences.error} onRetry={() => void s.loadTiktokAudiences()} title="Could not list TikTok's audiences" />
            {s.tiktokAudiences.loading && <Loading label="Asking TikTok for this advertiser's audiences…" />}
            {!s.tiktokAudiences.loading && s.tiktokAudiences.data && list.length === 0 && <p className="muted">This advertiser has no audience matched on {s.multiKey ? 'several keys' : KEY_LABELS[s.keyType]}. Create a new one instead.</p>}
            {list.length > 0 && (
              <ul className="choice-list" aria-label="Existing audiences">
                {list.map((a) => (
                  <li key={a.audienceId}>
                    <label className="check">
                      <input type="radio" name="existing" checked={s.existingTiktokId === a.audienceId} onChange={() => s.setExistingTiktokId(a.audienceId)} />
                      <span>
                        <strong>{a.name}</strong> <span className="muted">· {fmtInt(a.coverNum)} matched{a.isExpiring ? ' · expiring' : ''}{a.mapped ? ' · already synced by Cohort Relay: this file becomes its new source' : ''}</span>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </fieldset>
      <FolderChoiceField />
      {s.target === 'new' && (
        <fieldset className="fieldset">
          <legend>Audience type</legend>
          <div>
            <label className="check">
              <input type="radio" name="audience-api" checked={s.audienceApi === 'file'} onChange={() => s.setAudienceApi('file')} aria-describedby="api-file-help" />
              Customer-file audience
            </label>
            <p id="api-file-help" className="muted small indent">
              The usual kind: changes go to TikTok as files, up to 24 changes a day.
            </p>
          </div>
          <div>
            <label className="check">
              <input type="radio" name="audience-api" checked={s.audienceApi === 'segment'} onChange={() => s.setAudienceApi('segment')} aria-describedby="api-segment-help" />
              Partner audience (segment API)
            </label>
            <p id="api-segment-help" className="muted small indent">
              Changes stream in batches, with no daily change cap. Needs a TikTok developer app that TikTok has allowlisted for partner audiences. If TikTok refuses, Cohort Relay creates a customer-file
              audience instead and says so. Phones are hashed with their leading "+" (E.164), as TikTok's streaming API asks, unless you set otherwise in the hash lab.
            </p>
          </div>
        </fieldset>
      )}
      {takesOptions && (
        <fieldset className="fieldset">
          <legend>Creation options</legend>
          <p className="muted small">TikTok takes these only when it creates the audience (the first sync); they cannot change afterwards.</p>
          <label className="field">
            <span>Retention in days (1–365; empty: TikTok’s default, 12 months after last use)</span>
            <input
              inputMode="numeric"
              value={s.createOptions.retention}
              onChange={(e) => s.setCreateOptions({ retention: e.target.value })}
              aria-invalid={!optionsOk}
              aria-describedby={optionsOk ? undefined : 'wizard-retention-why'}
            />
          </label>
          {!optionsOk && (
            <p id="wizard-retention-why" className="warn small">
              Retention must be a whole number of days from 1 to 365, or empty for TikTok’s default.
            </p>
          )}
          <label className="check">
            <input type="checkbox" checked={s.createOptions.enhancement} onChange={(e) => s.setCreateOptions({ enhancement: e.target.checked })} /> Custom Audience Enhancement
          </label>
          <label className="check">
            <input type="checkbox" checked={s.createOptions.subType === 'REACH_FREQUENCY'} onChange={(e) => s.setCreateOptions({ subType: e.target.checked ? 'REACH_FREQUENCY' : 'NORMAL' })} /> For Reach &amp; Frequency ads
          </label>
        </fieldset>
      )}
      {s.target === 'new' && <SourcePicker />}
      <CadencePicker value={s.cadence} onChange={s.setCadence} idPrefix="wizard-cadence" partner={s.target === 'new' && s.audienceApi === 'segment'} />
      <div className="actions">
        <Button onClick={() => s.goToStep('validate')}>Back</Button>
        <Button type="submit" variant="primary" disabled={!nameOk || !chosen} title={nextWhy ?? undefined} aria-describedby={nextWhy ? 'destination-next-why' : undefined}>
          Next: dry run
        </Button>
        {nextWhy && (
          <span id="destination-next-why" className="muted small">
            {nextWhy}
          </span>
        )}
      </div>
    </form>
  );
}

/** The folder a host path sits in ("/a/b/c.csv" → "/a/b"). */
function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : '';
}

/** This file again on every sync, or the newest matching export in a folder (for tools that write a new file each time). */
function SourcePicker() {
  const { source, setSource, filePath, host } = useApp(useShallow((st) => ({ source: st.source, setSource: st.setSource, filePath: st.file?.path ?? '', host: getBridge().host })));
  // In the desktop app a dropped file's own folder is the likely export folder; the web host only has an uploaded copy.
  const suggestedFolder = host === 'electron' ? folderOf(filePath) : '';
  return (
    <fieldset className="fieldset">
      <legend>Where later syncs read from</legend>
      <label className="check">
        <input type="radio" name="source" checked={source.kind === 'file'} onChange={() => setSource({ kind: 'file' })} />
        This file, re-read on every sync
      </label>
      <label className="check">
        <input type="radio" name="source" checked={source.kind === 'folder'} onChange={() => setSource({ kind: 'folder', folder: suggestedFolder, pattern: '*.csv' })} />
        The newest matching file in a folder (for exports that arrive as new files)
      </label>
      {source.kind === 'folder' && (
        <div className="indent two-col">
          <label className="field">
            <span>Folder</span>
            <input value={source.folder} onChange={(e) => setSource({ ...source, folder: e.target.value })} placeholder="/Users/me/Exports/amplitude" required spellCheck={false} />
          </label>
          <label className="field">
            <span>Files matching</span>
            <input value={source.pattern} onChange={(e) => setSource({ ...source, pattern: e.target.value })} placeholder="*.csv" spellCheck={false} />
          </label>
        </div>
      )}
    </fieldset>
  );
}

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
      <div>
        <dt>Advertiser</dt>
        <dd>{advertiser}</dd>
      </div>
      <div>
        <dt>Audience</dt>
        <dd>{audience}</dd>
      </div>
      <div>
        <dt>Key</dt>
        <dd>{keyText}</dd>
      </div>
      <div>
        <dt>Cadence</dt>
        <dd>{cadence}</dd>
      </div>
      <div>
        <dt>Calls left today</dt>
        <dd>
          {partner
            ? 'No daily cap (partner audience)'
            : `${fmtInt(plan.quotaLeft)} of ${fmtInt(plan.dailyBudget)} now → ${fmtInt(plan.quotaLeft - today)} after this sync (uses ${fmtInt(plan.calls)}${plan.calls > today ? `, ${fmtInt(plan.calls - today)} wait for tomorrow` : ''})`}
        </dd>
      </div>
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
  const syncBlocked = !p ? 'The dry run has not finished yet.' : p.floorWarning !== null && !smallCreate ? p.floorWarning : null;
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
          <ChangeBar adds={p.adds} removes={p.removes} unchanged={p.unchanged} />
          {!s.partner && cadenceForecast(s.plannedCadence, p.dailyBudget)?.fits === false && <Notice tone="warn">{cadenceForecast(s.plannedCadence, p.dailyBudget)!.text} Go back to choose another cadence.</Notice>}
          <dl className="stats">
            <div>
              <dt>To add</dt>
              <dd>{fmtInt(p.adds)}</dd>
            </div>
            <div>
              <dt>To remove</dt>
              <dd>{fmtInt(p.removes)}</dd>
            </div>
            <div>
              <dt>Unchanged</dt>
              <dd>{fmtInt(p.unchanged)}</dd>
            </div>
            <div>
              <dt>TikTok calls</dt>
              <dd>{fmtInt(p.calls)}</dd>
            </div>
            <div>
              <dt>Size now → after</dt>
              <dd>
                {fmtInt(p.currentSize)} → {fmtInt(p.projectedSize)}
              </dd>
            </div>
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
          title={!p || s.plan.loading ? 'The dry run has not finished yet.' : !s.pending ? 'Already saved.' : 'Saves the audience, its source and its schedule without syncing now'}
        >
          Save
        </Button>
        <Button
          variant="primary"
          onClick={() => void s.startSync()}
          disabled={syncBlocked !== null || s.plan.loading || smallCreate}
          title={syncBlocked ?? (smallCreate ? 'Under 1,000 people: choose "Create now, usable at 1,000" or "Start when the cohort reaches 1,000" above.' : undefined)}
          aria-describedby={syncBlocked !== null || smallCreate ? 'dry-run-sync-why' : undefined}
        >
          {p && p.adds + p.removes === 0 ? 'Save and sync anyway' : 'Sync now'}
        </Button>
        {(syncBlocked !== null || smallCreate) && (
          <span id="dry-run-sync-why" className="muted small">
            {syncBlocked ?? 'Under 1,000 people: choose one of the two ways above.'}
          </span>
        )}
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
        <div>
          <dt>Added</dt>
          <dd>{fmtInt(aud.syncNote && aud.syncNote.runId === run.id ? aud.syncNote.added : run.status === 'done' ? run.adds : 0)}</dd>
        </div>
        <div>
          <dt>Removed</dt>
          <dd>{fmtInt(aud.syncNote && aud.syncNote.runId === run.id ? aud.syncNote.removed : run.status === 'done' ? run.removes : 0)}</dd>
        </div>
        <div>
          <dt>Calls used</dt>
          <dd>{fmtInt(run.callsUsed)}</dd>
        </div>
        {aud.api === 'file' ? (
          <div>
            <dt>Calls left today</dt>
            <dd>
              {fmtInt(aud.callsLeftToday)} of {fmtInt(aud.dailyBudget)}
            </dd>
          </div>
        ) : (
          <div>
            <dt>Calls left today</dt>
            <dd className="small-dd">No daily cap</dd>
          </div>
        )}
        <div>
          <dt>Matched so far</dt>
          <dd>{aud.coverNum === null ? 'Not yet' : fmtInt(aud.coverNum)}</dd>
        </div>
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

export function SyncStep() {
  const s = useApp(
    useShallow((st) => ({
      runId: st.runId,
      starting: st.runStarting,
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
            }} disabled={s.runId === null || !armed} title={armed ? undefined : 'Starting the sync…'}>
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
            <Notice>Cancelled. What TikTok already has stays; the next sync sends the rest.</Notice>
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
