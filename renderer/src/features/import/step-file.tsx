/** Wizard step 1: pick the cohort file (chosen, dropped, or named under a folder allowed at start-up). */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { CsvFilePick } from '../../ui/csv-file-pick';
import { ErrorBanner, Loading } from '../../ui/states';
import { GrantedFileForm } from '../../ui/granted-file-form';

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
