/** The mapping of one audience. Key column, key type and profile are locked once saved; the rest can change. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { baseName } from '../../app/format';
import { Button } from '../../ui/button';
import { ErrorBanner, Loading, Notice } from '../../ui/states';
import { CadencePicker } from '../../ui/cadence-picker';
import { CsvFilePick } from '../../ui/csv-file-pick';
import { GrantedFileForm } from '../../ui/granted-file-form';
import { RemovalLimitForm } from './removal-limit-form';
import { RemovalModeForm } from './removal-mode-form';
import { ColumnsForm } from './columns-form';
import { KEY_LABELS } from '../../../../shared/domain';
import { keysText } from '../../app/keys';
import { columnsText } from '../../app/key-columns';
import type { Cadence } from '../../../../shared/ipc/dto';

/** A file picked on this screen, handed to the host (`path`) but not saved yet. */
interface PickedFile {
  path: string;
  name: string;
}

/** A folder source: the folder and which files count; the newest match is read on each sync. */
function FolderSource({ id, folder, pattern }: { id: number; folder: string; pattern: string }) {
  const { saving, saveMapping } = useApp(useShallow((st) => ({ saving: st.mappingSaving, saveMapping: st.saveMapping })));
  const [f, setF] = useState(folder);
  const [p, setP] = useState(pattern);
  const dirty = f.trim() !== folder || p.trim() !== pattern;
  return (
    <div className="two-col">
      <label className="field">
        <span>Folder</span>
        <input value={f} onChange={(e) => setF(e.target.value)} spellCheck={false} />
      </label>
      <label className="field">
        <span>Files matching</span>
        <input value={p} onChange={(e) => setP(e.target.value)} spellCheck={false} />
      </label>
      <div className="actions">
        <Button size="small" disabled={!dirty || f.trim() === ''} busy={saving} onClick={() => void saveMapping(id, { sourcePath: f.trim(), sourcePattern: p.trim() || '*.csv' })}>
          Save folder
        </Button>
      </div>
    </div>
  );
}

export function MappingScreen({ id }: { id: number }) {
  const s = useApp(
    useShallow((st) => ({
      audience: st.audiences.data?.find((a) => a.id === id) ?? null,
      audiences: st.audiences,
      saving: st.mappingSaving,
      error: st.mappingError,
      savedAt: st.mappingSavedAt,
      saveMapping: st.saveMapping,
      pickMappingFile: st.pickMappingFile,
      clearMappingStatus: st.clearMappingStatus,
      loadAudiences: st.loadAudiences,
      navigate: st.navigate,
      resetWizard: st.resetWizard,
    })),
  );
  const { loadAudiences, clearMappingStatus } = s;
  const a = s.audience;
  const [cadence, setCadence] = useState<Cadence | null>(null);
  const [name, setName] = useState<string | null>(null);
  // A picked file is part of the pending edit (undefined suppression: unchanged; null: removed), saved with the rest.
  const [source, setSource] = useState<PickedFile | null>(null);
  const folders = useApp((st) => st.settings.data?.grantedFolders);
  const [suppress, setSuppress] = useState<PickedFile | null | undefined>(undefined);
  const pick = async (file: File, then: (f: PickedFile) => void) => {
    const path = await s.pickMappingFile(file);
    if (path !== null) then({ path, name: file.name });
  };
  const discard = () => {
    setCadence(null);
    setName(null);
    setSource(null);
    setSuppress(undefined);
  };
  const missing = a === null;
  // Runs when the screen opens for an audience, not on every refresh of the list.
  useEffect(() => {
    clearMappingStatus();
    if (missing) void loadAudiences();
  }, [id, missing, clearMappingStatus, loadAudiences]);

  if (!a) return s.audiences.error ? <ErrorBanner error={s.audiences.error} onRetry={() => void loadAudiences()} /> : <Loading label="Loading the mapping…" />;
  const key = a.keys[0];
  const cad = cadence ?? a.cadence;
  const nm = name ?? a.name;
  const suppressPath = suppress === undefined ? a.suppressPath : (suppress?.path ?? null);
  const dirty = JSON.stringify(cad) !== JSON.stringify(a.cadence) || nm.trim() !== a.name || source !== null || suppress !== undefined;
  const locked = a.tiktokAudienceId !== null || a.lastSync !== null;

  return (
    <section className="screen" aria-labelledby="mapping-title">
      <header className="screen-head">
        <div>
          <Button variant="ghost" size="small" onClick={() => s.navigate({ name: 'audience', id })}>
            ← {a.name}
          </Button>
          <h1 id="mapping-title" tabIndex={-1}>
            Mapping
          </h1>
        </div>
      </header>
      <ErrorBanner error={s.error} onDismiss={s.clearMappingStatus} title="Not saved" />
      {s.savedAt && !s.error && <Notice tone="good">Saved.</Notice>}
      <div className="card">
        <h2>{a.keys.length > 1 ? 'Keys' : 'Key'}</h2>
        <dl className="facts">
          {a.keys.length > 1 ? (
            <>
              <dt>Key types</dt>
              <dd>{keysText(a.keys)} (multi-key: one row per person)</dd>
              {a.keys.map((k) => (
                <div key={k.key} className="facts-row">
                  <dt>{KEY_LABELS[k.key]} {k.extraColumns?.length ? 'columns' : 'column'}</dt>
                  <dd className="mono">{columnsText(k)}</dd>
                </div>
              ))}
            </>
          ) : (
            <>
              <dt>Key type</dt>
              <dd>{key ? KEY_LABELS[key.key] : '—'}</dd>
              <dt>{key?.extraColumns?.length ? 'Columns' : 'Column'}</dt>
              <dd className="mono">{key ? columnsText(key) : '—'}</dd>
            </>
          )}
          <dt>Audience type</dt>
          <dd>{a.api === 'segment' ? 'Partner audience (segment API)' : 'Customer-file audience'}</dd>
          <dt>Normalization</dt>
          <dd>
            {a.profile.emailStripPlusAndDots ? 'emails without +tags and dots' : 'emails as written'} · {a.profile.phoneKeepPlus ? 'phones with +' : 'phones as digits'} · default country {a.profile.defaultCountry ?? 'none'}
          </dd>
        </dl>
        <p className="muted">
          {locked
            ? "These are locked: TikTok fixes an audience's key type (calculate_type) when it is created, and a different profile would change every hash, so the next sync would remove and re-add everyone."
            : 'These are locked once saved, so the diff stays meaningful. To match on other keys, create a new audience.'}
        </p>
        <Button
          onClick={() => {
            s.resetWizard();
            s.navigate({ name: 'import' });
          }}
        >
          Create a new audience instead
        </Button>
      </div>
      {/* A partner audience sends one value per key (TikTok's id_schema): no extra columns. */}
      {a.api !== 'segment' && <ColumnsForm key={JSON.stringify(a.keys)} audience={a} />}
      <form
        className="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          const patch = {
            cadence: cad,
            ...(nm.trim() !== a.name ? { name: nm.trim() } : {}),
            ...(source ? { sourcePath: source.path } : {}),
            ...(suppress !== undefined ? { suppressPath: suppress?.path ?? null } : {}),
          };
          void s.saveMapping(id, patch).then((ok) => {
            if (ok) discard();
          });
        }}
      >
        <h2>Source and schedule</h2>
        <label className="field">
          <span>Name</span>
          <input value={nm} onChange={(e) => setName(e.target.value)} maxLength={128} required />
        </label>
        <div className="field">
          <span>Source {a.sourceKind === 'folder' ? 'folder (the newest matching file is used)' : 'file'}</span>
          <p>
            <span className="mono">{source ? source.name : (a.sourcePath ?? '—')}</span>
            {source ? <span className="muted"> · not saved yet: "Save changes" makes it the source</span> : null}
            {a.sourcePattern ? <span className="muted"> · files matching {a.sourcePattern}</span> : null}
          </p>
          {a.sourceKind === 'folder' ? (
            <FolderSource id={id} folder={a.sourcePath ?? ''} pattern={a.sourcePattern ?? '*.csv'} />
          ) : (
            <>
              <CsvFilePick id="mapping-source" size="small" onFile={(f) => void pick(f, setSource)}>
                Use another file…
              </CsvFilePick>
              {/* The browser version: a picked file is an uploaded copy (one-off syncs); a file under an allowed folder is named by its path, so a scheduled audience can use it. */}
              {folders && folders.length > 0 && <GrantedFileForm folders={folders} id="mapping-granted-path" action="Use this file" onOpen={(p) => setSource({ path: p, name: p })} />}
            </>
          )}
        </div>
        <div className="field">
          <span>Suppression list</span>
          <p>
            {suppressPath ? <span className="mono">{suppress ? suppress.name : baseName(suppressPath)}</span> : <span className="muted">None: nobody is left out.</span>}
            {suppress !== undefined ? <span className="muted"> · not saved yet</span> : null}
          </p>
          <div className="actions">
            <CsvFilePick id="mapping-suppress" size="small" onFile={(f) => void pick(f, setSuppress)}>
              {suppressPath ? 'Use another suppression list…' : 'Add a suppression list…'}
            </CsvFilePick>
            {suppressPath && (
              <Button size="small" variant="ghost" onClick={() => setSuppress(null)}>
                Remove suppression list
              </Button>
            )}
          </div>
        </div>
        <CadencePicker value={cad} onChange={setCadence} idPrefix="mapping-cadence" partner={a.api === 'segment'} />
        <div className="actions">
          <Button type="submit" variant="primary" busy={s.saving} busyLabel="Saving…" disabled={!dirty}>
            Save changes
          </Button>
          {dirty && (
            <Button variant="ghost" onClick={discard}>
              Cancel
            </Button>
          )}
        </div>
      </form>
      <RemovalLimitForm key={String(a.removalLimitPct)} id={id} value={a.removalLimitPct} />
      {a.api !== 'segment' && <RemovalModeForm key={a.removalMode ?? 'mirror'} audience={a} />}
    </section>
  );
}
