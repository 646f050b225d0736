/** Wizard step 5: the advertiser, a new or existing audience, its type and creation options, where later syncs read from, the cadence. */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getBridge } from '../../app/bridge';
import { useApp } from '../../app/store';
import { fmtInt } from '../../app/format';
import { Button } from '../../ui/button';
import { ButtonWithReason } from '../../ui/button-with-reason';
import { CadencePicker } from '../../ui/cadence-picker';
import { EmptyState, ErrorBanner, Loading } from '../../ui/states';
import { advertiserChoices } from '../connect/connect-slice';
import { FolderChoiceField } from './folder-choice';
import { retentionOk } from './import-slice';
import { KEY_LABELS } from '../../../../shared/domain';
import { keysText } from '../../app/keys';

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
        <ButtonWithReason type="submit" variant="primary" disabled={!nameOk || !chosen} why={nextWhy} whyId="destination-next-why">
          Next: dry run
        </ButtonWithReason>
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
