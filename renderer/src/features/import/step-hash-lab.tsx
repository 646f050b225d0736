/** Wizard step 3: sample rows as they will be sent (raw, normalized, SHA-256), a value to try, and the self-test against TikTok's examples. */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtInt } from '../../app/format';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { ErrorBanner, Loading } from '../../ui/states';
import { KEY_LABELS, REJECT_REASON_TEXT } from '../../../../shared/domain';
import type { HashLabRow, HashLabValue } from '../../../../shared/ipc/dto';
import { KeySwitcher } from './key-switcher';

export function HashLabStep() {
  const { lab, runHashLab, validate, goToStep, keyType } = useApp(useShallow((s) => ({ lab: s.hashLab, runHashLab: s.runHashLab, validate: s.validate, goToStep: s.goToStep, keyType: s.keyType })));
  const d = lab.data;
  const selfOk = d ? d.selfTest.filter((v) => v.ok).length : 0;
  return (
    <div className="stack">
      <p className="muted">Sample rows, as Cohort Relay will send them: the raw cell, the normalized value, and its SHA-256. Only the hash leaves this computer.</p>
      <KeySwitcher disabled={lab.loading} />
      <ErrorBanner error={lab.error} onRetry={() => void runHashLab()} title="The hash lab could not read the file" />
      {lab.loading && !d && <Loading label="Hashing sample rows…" />}
      {d && (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Sample rows">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Raw</th>
                  <th scope="col">Normalized</th>
                  <th scope="col">SHA-256 (sent)</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) =>
                  r.values ? (
                    <ColumnsRow key={r.line} line={r.line} values={r.values} />
                  ) : (
                    <tr key={r.line} className={r.reject ? 'row-reject' : ''}>
                      <td className="num">{fmtInt(r.line)}</td>
                      <td className="mono">{r.raw}</td>
                      <td className="mono">{r.normalized ?? '—'}</td>
                      <td className="mono hash">{r.reject ? <Badge tone="bad">{REJECT_REASON_TEXT[r.reject].label}</Badge> : r.passthrough ? `${r.hash ?? ''} (already a hash)` : r.hash}</td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
          <ChangedRows rows={d.changed ?? []} />
          <TryValue />
          <h3>
            Self-test against TikTok's published examples{' '}
            <Badge tone={selfOk === d.selfTest.length ? 'good' : 'warn'}>{`${fmtInt(selfOk)} of ${fmtInt(d.selfTest.length)} match`}</Badge>
          </h3>
          <ul className="selftest">
            {d.selfTest.map((v) => (
              <li key={`${v.key}-${v.label}`} className={v.ok ? 'ok' : 'bad'}>
                <span aria-hidden="true">{v.ok ? '✓' : '✗'}</span>
                <span className="visually-hidden">{v.ok ? 'Matches: ' : 'Differs: '}</span>
                {v.label}: <span className="mono">{v.input}</span>
                {!v.ok && <span className="muted"> — this profile gives a different hash than TikTok's example{v.key === keyType ? '; TikTok may match fewer people' : ''}.</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="actions">
        <Button onClick={() => goToStep('columns')}>Back</Button>
        <Button variant="primary" onClick={() => void validate()} disabled={!d}>
          Next: check the whole file
        </Button>
      </div>
    </div>
  );
}

/**
 * A row of a key read from several columns (Email, Email 2): each column's value on its own line, named, so an empty
 * or unusable one says which column it is while the others still show what is sent. Marked as a reject only when
 * none of its values is sent.
 */
function ColumnsRow({ line, values }: { line: number; values: HashLabValue[] }) {
  const named = (v: HashLabValue, text: string) => (
    <div key={v.column}>
      <span className="muted">{v.column}: </span>
      {text}
    </div>
  );
  return (
    <tr className={values.every((v) => v.reject) ? 'row-reject' : ''}>
      <td className="num">{fmtInt(line)}</td>
      <td className="mono">{values.map((v) => named(v, v.raw === '' ? '(empty)' : v.raw))}</td>
      <td className="mono">{values.map((v) => named(v, v.normalized ?? '—'))}</td>
      <td className="mono hash">
        {values.map((v) =>
          v.reject ? (
            <div key={v.column}>
              <Badge tone={v.reject === 'EMPTY' ? 'neutral' : 'bad'}>{`${v.column}: ${v.reject === 'EMPTY' ? 'empty, nothing sent' : REJECT_REASON_TEXT[v.reject].label}`}</Badge>
            </div>
          ) : (
            named(v, v.passthrough ? `${v.hash ?? ''} (already a hash)` : (v.hash ?? ''))
          ),
        )}
      </td>
    </tr>
  );
}

/** Sample rows whose value normalization changes: case, spaces, a phone's punctuation and country code. */
function ChangedRows({ rows }: { rows: HashLabRow[] }) {
  return (
    <>
      <h3>Where normalization changes the value</h3>
      {rows.length === 0 ? (
        <p className="muted small">In the first rows, every value is already in its normalized form.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Rows normalization changes">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">In the file</th>
                <th scope="col">Sent as (before hashing)</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.line}>
                  <td className="num">{fmtInt(r.line)}</td>
                  <td className="mono">{JSON.stringify(r.raw)}</td>
                  <td className="mono">{JSON.stringify(r.normalized ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** "Try a value": one typed value through this key's normalization and hashing. Nothing is saved or sent. */
function TryValue() {
  const { result, tryValue, keyType } = useApp(useShallow((s) => ({ result: s.tryResult, tryValue: s.tryValue, keyType: s.keyType })));
  const [value, setValue] = useState('');
  const r = result.data;
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void tryValue(value);
      }}
    >
      <label className="field">
        <span>Try a value ({KEY_LABELS[keyType]}): see how it is normalized and hashed. Nothing is saved or sent.</span>
        <div className="actions">
          <input className="mono" type="text" value={value} onChange={(e) => setValue(e.target.value)} spellCheck={false} autoComplete="off" />
          <Button type="submit" busy={result.loading} busyLabel="Hashing…">
            Normalize and hash
          </Button>
        </div>
      </label>
      <ErrorBanner error={result.error} title="The value could not be hashed" />
      {r && (
        <dl className="try-result" aria-live="polite">
          <dt>Normalized</dt>
          <dd className="mono">{r.reject ? <Badge tone="bad">{REJECT_REASON_TEXT[r.reject].label}</Badge> : r.normalized}</dd>
          <dt>SHA-256 (sent)</dt>
          <dd className="mono hash">{r.reject ? REJECT_REASON_TEXT[r.reject].explanation : r.passthrough ? `${r.hash ?? ''} (already a hash)` : r.hash}</dd>
        </dl>
      )}
    </form>
  );
}
