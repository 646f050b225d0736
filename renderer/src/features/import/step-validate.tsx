/** Wizard step 4: the whole file checked (rows read, valid, rejected, duplicates), rejects by reason and their export, the suppression list. */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtInt } from '../../app/format';
import { Button } from '../../ui/button';
import { CsvFilePick } from '../../ui/csv-file-pick';
import { ProgressBar } from '../../ui/progress-bar';
import { ReasonRows } from '../../ui/reason-rows';
import { ErrorBanner, Notice } from '../../ui/states';
import { Stat } from '../../ui/stat';
import { KEY_LABELS, REJECT_REASON_TEXT } from '../../../../shared/domain';
import type { ValidationView } from '../../../../shared/ipc/dto';
import { KeySwitcher } from './key-switcher';

const percent1 = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const share = (n: number, of: number) => percent1.format(of > 0 ? n / of : 0);

/**
 * "18,102 of 20,000 rows (90.5 %) will be sent; 1,898 rejected (9.5 %)": no arithmetic left to the user. Repeated
 * values are sent once; in a multi-key audience (`keyLabel`) the count is of rows with a valid key of that type.
 */
export function sendText(d: Pick<ValidationView, 'rowsRead' | 'valid' | 'rejected' | 'duplicates'>, keyLabel: string | null): string {
  const send = d.valid - d.duplicates;
  const head = keyLabel ? `${fmtInt(send)} of ${fmtInt(d.rowsRead)} rows (${share(send, d.rowsRead)}) have a valid ${keyLabel} to send` : `${fmtInt(send)} of ${fmtInt(d.rowsRead)} rows (${share(send, d.rowsRead)}) will be sent`;
  const dup = d.duplicates > 0 ? `; ${fmtInt(d.duplicates)} repeat an earlier row and are sent once (${share(d.duplicates, d.rowsRead)})` : '';
  return `${head}; ${fmtInt(d.rejected)} rejected (${share(d.rejected, d.rowsRead)})${dup}.`;
}

export function ValidateStep() {
  const s = useApp(
    useShallow((st) => ({
      v: st.validation,
      progress: st.importProgress,
      rejectsExport: st.rejectsExport,
      suppress: st.suppress,
      fileBusy: st.fileBusy,
      validate: st.validate,
      cancelValidate: st.cancelValidate,
      exportRejects: st.exportRejects,
      setSuppressFile: st.setSuppressFile,
      goToStep: st.goToStep,
      fileName: st.file?.name ?? 'the file',
      multiKey: st.multiKey,
      keyLabel: KEY_LABELS[st.keyType],
      suppressKey: st.multiKey && st.keyChoices[0] ? KEY_LABELS[st.keyChoices[0].key] : null,
    })),
  );
  const d = s.v.data;
  return (
    <div className="stack">
      <KeySwitcher disabled={s.v.loading} />
      {s.multiKey && (
        <p className="muted small">
          Showing {s.keyLabel} only. In a multi-key audience a row is kept when at least one of its keys is valid, so a row rejected here may still be sent with its other keys.
        </p>
      )}
      {s.v.loading && (
        <div className="card">
          <ProgressBar label={`Checking ${s.fileName}`} percent={s.progress?.percent ?? null} phase={s.progress?.phase ?? 'reading'} rows={s.progress?.rows ?? 0} rowsPerSec={s.progress?.rowsPerSec} etaSec={s.progress?.etaSec} />
          <Button variant="ghost" onClick={() => void s.cancelValidate()}>
            Cancel
          </Button>
        </div>
      )}
      {s.v.error?.code === 'CANCELLED' ? (
        <Notice tone="warn">
          Stopped: the file was not checked to the end.{' '}
          <Button size="small" onClick={() => void s.validate()}>
            Check again
          </Button>
        </Notice>
      ) : (
        <ErrorBanner error={s.v.error} onRetry={() => void s.validate()} title="The file could not be checked" />
      )}
      {d && !s.v.loading && (
        <>
          <dl className="stats">
            <Stat label="Rows read">{fmtInt(d.rowsRead)}</Stat>
            <Stat label="Valid keys">{fmtInt(d.valid)}</Stat>
            <Stat label="Rejected" className={d.rejected > 0 ? 'warn' : ''}>{fmtInt(d.rejected)}</Stat>
            <Stat label="Duplicates">{fmtInt(d.duplicates)}</Stat>
          </dl>
          <p className="people-to-send" role="status">
            {sendText(d, s.multiKey ? s.keyLabel : null)}
          </p>
          <h3>Rejects by reason</h3>
          <ReasonRows byReason={d.byReason} />
          {d.rejectsSample.length > 0 && (
            <details>
              <summary>First {fmtInt(d.rejectsSample.length)} rejected rows</summary>
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    {d.recordColumn && <th scope="col">{d.recordColumn}</th>}
                    <th scope="col">Reason</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {d.rejectsSample.map((r) => (
                    <tr key={r.line}>
                      <td className="num">{fmtInt(r.line)}</td>
                      {d.recordColumn && <td>{r.record ?? '—'}</td>}
                      <td>{REJECT_REASON_TEXT[r.reason].label}</td>
                      <td className="mono">{r.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
          {d.rejected > 0 && (
            <div className="actions">
              <Button onClick={() => void s.exportRejects()} busy={s.rejectsExport.loading} busyLabel="Writing rejects…">
                Export rejects
              </Button>
              {s.rejectsExport.data && (
                <span role="status">
                  Wrote {fmtInt(s.rejectsExport.data.written)} rejected {s.multiKey ? 'cells (every key’s)' : 'rows'} to{' '}
                  <span className="mono">{s.rejectsExport.data.download ? decodeURIComponent(s.rejectsExport.data.download.split('/').pop() ?? '') : s.rejectsExport.data.outPath}</span>
                  {s.rejectsExport.data.download && ', in your browser’s downloads'}
                </span>
              )}
            </div>
          )}
          <ErrorBanner error={s.rejectsExport.error} title="Rejects could not be exported" />
          <fieldset className="fieldset">
            <legend>Suppression list (optional)</legend>
            <p className="muted small">
              People in this file are left out before the diff — for example customers who already converted.
              {s.suppressKey && ` In a multi-key audience the list is matched on ${s.suppressKey}: a person whose ${s.suppressKey} is in it is left out.`}
            </p>
            {s.suppress ? (
              <p>
                <span className="mono">{s.suppress.name}</span>{' '}
                <Button size="small" variant="ghost" onClick={() => void s.setSuppressFile(null)}>
                  Remove
                </Button>
              </p>
            ) : (
              <CsvFilePick id="suppress-input" size="small" busy={s.fileBusy} onFile={(f) => void s.setSuppressFile(f)}>
                Choose a suppression list…
              </CsvFilePick>
            )}
          </fieldset>
        </>
      )}
      <div className="actions">
        <Button onClick={() => s.goToStep('hashlab')} disabled={s.v.loading}>
          Back
        </Button>
        <Button variant="primary" onClick={() => s.goToStep('destination')} disabled={!d || s.v.loading || (d.valid === 0 && !s.multiKey)}>
          Next: choose the audience
        </Button>
      </div>
      {d && d.valid === 0 && (
        <Notice tone="warn">
          {s.multiKey ? `No valid ${s.keyLabel} in this file. Check its column, or leave this key out.` : 'No valid keys in this file with this mapping. Check the key column and type.'}
        </Notice>
      )}
    </div>
  );
}
