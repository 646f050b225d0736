import type { ReactNode } from 'react';

/** The files a cohort or suppression list may be: CSV, TSV or plain text. */
export const CSV_ACCEPT = '.csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain';

/**
 * "Choose a CSV file…": a hidden file input and the label that opens it, styled as a button. The input is emptied
 * after each pick, so choosing the same file again is a new pick.
 */
export function CsvFilePick({ id, onFile, children, variant = 'secondary', size = 'normal', busy = false }: { id: string; onFile: (file: File) => void; children: ReactNode; variant?: 'primary' | 'secondary'; size?: 'normal' | 'small'; busy?: boolean }) {
  const cls = ['btn', `btn-${variant}`, size === 'small' ? 'btn-small' : ''].filter(Boolean).join(' ');
  return (
    <>
      <input
        id={id}
        className="visually-hidden"
        type="file"
        accept={CSV_ACCEPT}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = '';
        }}
      />
      <label htmlFor={id} className={cls} aria-busy={busy || undefined}>
        {children}
      </label>
    </>
  );
}
