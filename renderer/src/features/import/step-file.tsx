/** Wizard step 1: pick the cohort file (chosen, dropped, or named under a folder allowed at start-up). */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { CsvFilePick } from '../../ui/csv-file-pick';
import { ErrorBanner, Loading } from '../../ui/states';

export function FileStep() {
  const { fileBusy, fileError, preview, openFile, file } = useApp(useShallow((s) => ({ fileBusy: s.fileBusy, fileError: s.fileError, preview: s.preview, openFile: s.openFile, file: s.file })));
  const folders = useApp((s) => s.settings.data?.grantedFolders);
  return (
    <div className="stack">
      <ErrorBanner error={fileError} title="This file cannot be used" />
      {!fileBusy && !preview.loading && folders && folders.length > 0 && <GrantedFileForm folders={folders} onOpen={(path) => void openFile({ path, name: path.split(/[\\/]/).pop() || path })} />}
      <ErrorBanner error={preview.error} title={`${file?.name ?? 'This file'} cannot be imported`} />
      {fileBusy ? (
        <Loading label="Handing the file to Cohort Relay…" />
      ) : preview.loading ? (
        <Loading label={`Reading the first rows of ${file?.name ?? 'the file'}…`} />
      ) : (
        <div className="dropzone">
          <p className="dropzone-title">Drop a cohort CSV anywhere on this window</p>
          <p className="muted">Exports from Amplitude, a CRM or a warehouse. Emails, phones, IDFAs, GAIDs or existing SHA-256 hashes. Only hashes leave this computer.</p>
          <CsvFilePick id="file-input" variant="primary" onFile={(f) => void openFile(f)}>
            Choose a CSV file…
          </CsvFilePick>
        </div>
      )}
    </div>
  );
}

/**
 * The browser version: a file under a folder granted at start-up (--allow-folder) is named by its path, so it
 * can be synced on a schedule (a dropped or chosen file is an uploaded copy, for a one-off sync).
 */
function GrantedFileForm({ folders, onOpen }: { folders: string[]; onOpen: (path: string) => void }) {
  const [path, setPath] = useState(folders.length === 1 ? `${folders[0]!.replace(/[\\/]+$/, '')}/` : '');
  return (
    <form
      className="field"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) onOpen(path.trim());
      }}
    >
      <label htmlFor="granted-path">A file under {folders.length === 1 ? 'the folder' : 'a folder'} you allowed ({folders.join(', ')}), to sync on a schedule</label>
      <div className="actions">
        <input id="granted-path" className="mono" type="text" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
        <Button type="submit">Open this file</Button>
      </div>
    </form>
  );
}
