/** Wizard steps that look at the file: pick, columns, hash lab, validation. */
import { useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtBytes, fmtInt, fmtPercent } from '../../app/format';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { EmptyState, ErrorBanner, Loading, Notice } from '../../ui/states';
import { ProgressBar } from '../../ui/progress-bar';
import { KEY_LABELS, KEY_TYPES, REJECT_REASON_TEXT } from '../../../../shared/domain';
import type { KeyType, RejectReason } from '../../../../shared/domain';
import type { ColumnView, DetectedKind, HashLabRow, KeySlot, ValidationView } from '../../../../shared/ipc/dto';
import { KEY_SLOTS, slotOf } from '../../app/keys';
import { detectedKeyColumns, multiKeyProblem } from './import-slice';
import type { KeyChoice } from './import-slice';

export const CSV_ACCEPT = '.csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain';

function detectedLabel(d: DetectedKind): string {
  return d === null ? '' : d === 'sha256' ? 'SHA-256 hash' : KEY_LABELS[d];
}

/** "Email, 96 % usable": what a candidate column looks like and how much of it can be sent. */
function candidateText(c: ColumnView): string {
  if (!c.detected) return c.numericId ? 'numeric ids' : '';
  return c.usable === undefined ? detectedLabel(c.detected) : `${detectedLabel(c.detected)}, ${fmtPercent(c.usable)} usable`;
}

/** How the file's bytes were read, in words ("Read as Windows-1252 (not UTF-8)" for a German Excel export). */
export function encodingText(encoding: string): string {
  if (encoding === 'windows-1252') return 'Read as Windows-1252 (not UTF-8)';
  return encoding === 'utf-8' ? 'UTF-8' : encoding === 'utf-16le' ? 'UTF-16 LE' : encoding === 'utf-16be' ? 'UTF-16 BE' : encoding;
}

const fitsKey = (d: DetectedKind, key: KeyType) => d === key || (slotOf(key) === 'maid' && (d === 'idfa' || d === 'gaid'));

/**
 * Why the values of `col` do not look like `key`, naming the column and what it looks like; null when they do.
 * A hashed column can hold any key, and an undetected one is left to the hash lab (except numeric ids as phones).
 */
export function keyMismatch(col: ColumnView, key: KeyType, columns: readonly ColumnView[]): string | null {
  if (key === 'phone' && col.numericId) return `Column \`${col.name}\` looks like numeric ids (such as an amplitude_id), not phone numbers: TikTok would match no one on them.`;
  if (col.detected && col.detected !== 'sha256' && !fitsKey(col.detected, key)) return `Column \`${col.name}\` looks like ${detectedLabel(col.detected)} values, not ${KEY_LABELS[key]}.`;
  if (col.mixedPlatforms && slotOf(key) === 'maid') {
    const platform = columns.find((c) => c.platform);
    const { idfa, gaid } = col.mixedPlatforms;
    return `Column \`${col.name}\` mixes two kinds of ad ids in its first rows: ${fmtInt(idfa)} uppercase (IDFAs, iOS) and ${fmtInt(gaid)} lowercase (GAIDs, Android), but all are sent as ${KEY_LABELS[key]}. ${
      platform ? `Column \`${platform.name}\` tells them apart: export one file per platform (filter on \`${platform.name}\`) and import each with its own key.` : 'Export one file per platform and import each with its own key.'
    }`;
  }
  return null;
}

export function FileStep() {
  const { fileBusy, fileError, preview, openFile, file } = useApp(useShallow((s) => ({ fileBusy: s.fileBusy, fileError: s.fileError, preview: s.preview, openFile: s.openFile, file: s.file })));
  const input = useRef<HTMLInputElement>(null);
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
          <input
            ref={input}
            id="file-input"
            className="visually-hidden"
            type="file"
            accept={CSV_ACCEPT}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void openFile(f);
              e.target.value = '';
            }}
          />
          <label htmlFor="file-input" className="btn btn-primary">
            Choose a CSV file…
          </label>
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

export function ColumnsStep() {
  const s = useApp(
    useShallow((st) => ({
      preview: st.preview.data,
      file: st.file,
      keyColumn: st.keyColumn,
      keyType: st.keyType,
      multiKey: st.multiKey,
      keyChoices: st.keyChoices,
      profile: st.profile,
      setMultiKey: st.setMultiKey,
      setKeyColumn: st.setKeyColumn,
      setKeyType: st.setKeyType,
      setProfile: st.setProfile,
      runHashLab: st.runHashLab,
      resetWizard: st.resetWizard,
      recordColumn: st.recordColumn,
      setRecordColumn: st.setRecordColumn,
      countryColumn: st.countryColumn,
      setCountryColumn: st.setCountryColumn,
      headerOverride: st.headerOverride,
      setHasHeader: st.setHasHeader,
    })),
  );
  const p = s.preview;
  if (!p) return <EmptyState title="No file yet" action={<Button onClick={s.resetWizard}>Choose a file</Button>} />;
  const keyCol = p.columns.find((c) => c.index === s.keyColumn);
  const countryInvalid = s.profile.defaultCountry !== null && !/^[A-Z]{2}$/.test(s.profile.defaultCountry);
  const keyColumns = new Set(s.multiKey ? s.keyChoices.map((c) => c.column) : s.keyColumn === null ? [] : [s.keyColumn]);
  const isKey = (index: number) => keyColumns.has(index);
  const hashed = p.columns.some((c) => isKey(c.index) && c.detected === 'sha256');
  const multiProblem = s.multiKey ? multiKeyProblem(s.keyChoices) : null;
  const offerMulti = s.multiKey || detectedKeyColumns(p) > 1;
  const proposed = p.proposedKeys ?? [];
  const mapsPhone = s.multiKey ? s.keyChoices.some((c) => c.key === 'phone') : s.keyType === 'phone';
  const chosenKeys = s.multiKey ? s.keyChoices : keyCol ? [{ key: s.keyType, column: keyCol.index }] : [];
  const mismatches = chosenKeys.flatMap((k) => {
    const col = p.columns.find((c) => c.index === k.column);
    const m = col ? keyMismatch(col, k.key, p.columns) : null;
    return m ? [m] : [];
  });
  return (
    <div className="stack">
      <div className="file-facts">
        <strong>{p.fileName}</strong>
        <span>{fmtBytes(p.sizeBytes)}</span>
        <span>{p.estimatedRows === null ? 'rows: unknown' : `about ${fmtInt(p.estimatedRows)} rows`}</span>
        <span>delimiter {p.delimiter === '\t' ? 'tab' : `"${p.delimiter}"`}</span>
        <span>{encodingText(p.encoding)}</span>
        <span>{p.hasHeader ? 'header row' : 'no header row'}</span>
      </div>
      {p.encoding === 'windows-1252' && (
        <p className="muted small" role="note">
          This file is not UTF-8 (an Excel "CSV" in the Windows code page), so it was read as Windows-1252: names such as Müller and emails such as jürgen@example.de come through as written. Check the rows below.
        </p>
      )}
      {p.hasHeader ? (
        <p className="muted small">
          First row used as header.
          {p.headerDoubtful && s.headerOverride === null && ' It may be data (nothing in the rows below tells), so the mapping is saved by column position, not by the header text.'}{' '}
          <Button size="small" variant="ghost" onClick={() => void s.setHasHeader(false)}>
            No — the first row is data
          </Button>
        </p>
      ) : (
        s.headerOverride === false && (
          <p className="muted small">
            The first row is read as data, as you said: columns are named Column 1, Column 2… and every sync of this audience reads the file this way.{' '}
            <Button size="small" variant="ghost" onClick={() => void s.setHasHeader(true)}>
              Use the first row as header
            </Button>
          </p>
        )
      )}
      {p.columns.every((c) => c.detected === null) && <Notice tone="warn">No column looks like an email, phone, IDFA, GAID or SHA-256 hash. Choose the key column yourself, and check the hash lab.</Notice>}
      <div className="table-scroll" tabIndex={0} role="region" aria-label={`First rows of ${p.fileName}`}>
        <table className="preview-table">
          <thead>
            <tr>
              {p.columns.map((c) => (
                <th key={c.index} scope="col" className={`${c.detected ? 'col-detected' : ''} ${isKey(c.index) ? 'col-key' : ''}`}>
                  <span>{c.name}</span>
                  {c.detected && <span className="col-tag">{candidateText(c)}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.rows.slice(0, 8).map((row, i) => (
              <tr key={i}>
                {p.columns.map((c) => (
                  <td key={c.index} className={`${c.detected ? 'col-detected' : ''} ${isKey(c.index) ? 'col-key' : ''}`}>
                    {row[c.index] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void s.runHashLab();
        }}
      >
        {!s.multiKey && (
          <>
            <label className="field">
              <span>Key column</span>
              <select value={s.keyColumn ?? ''} onChange={(e) => s.setKeyColumn(Number(e.target.value))} required>
                {p.columns.map((c) => (
                  <option key={c.index} value={c.index}>
                    {c.name}
                    {candidateText(c) ? ` — ${candidateText(c)}` : ''}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Key type (TikTok matches on this)</span>
              <select value={s.keyType} onChange={(e) => s.setKeyType(e.target.value as KeyType)}>
                {KEY_TYPES.map((k) => (
                  <option key={k} value={k}>
                    {KEY_LABELS[k]}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {offerMulti && (
          <fieldset className="fieldset">
            <legend>Several keys</legend>
            <label className="check">
              <input type="checkbox" checked={s.multiKey} onChange={(e) => s.setMultiKey(e.target.checked)} aria-describedby="multi-key-help" />
              Match on several keys (email + phone + mobile ad id)
            </label>
            <p id="multi-key-help" className="muted small">
              TikTok matches each person on any of their keys, so the same cohort usually reaches more people. Each row is one person: the keys in a row go together, and a row is kept when at least one
              of them is valid. Up to three keys, and only one of IDFA or GAID. Like any audience, the keys are fixed once saved. TikTok's matched count is per person, not per key.
            </p>
            {s.multiKey && <KeySlots columns={p.columns} choices={s.keyChoices} />}
            {multiProblem && (
              <p className="warn small" role="status">
                {multiProblem}
              </p>
            )}
          </fieldset>
        )}
        {(s.multiKey ? hashed : keyCol?.detected === 'sha256') && (
          <Notice>{s.multiKey ? 'A key column already holds SHA-256 hashes' : 'This column already holds SHA-256 hashes'}: they pass through lowercased, never hashed twice. Pick the key type they were made from.</Notice>
        )}
        {mismatches.map((m) => (
          <Notice key={m} tone="warn">
            {m}
          </Notice>
        ))}
        {!s.multiKey && proposed.length > 1 && (
          <p className="small" role="note">
            Several keys found: {proposed.map((k) => `${KEY_LABELS[k.key]} (column \`${p.columns.find((c) => c.index === k.column)?.name ?? k.column + 1}\`)`).join(', ')}. Matching on several keys usually reaches more people.{' '}
            <Button size="small" onClick={() => s.setMultiKey(true)}>
              Use these keys
            </Button>
          </p>
        )}
        <label className="field">
          <span>Shown with each rejected row, to find it</span>
          <select value={s.recordColumn ?? ''} onChange={(e) => s.setRecordColumn(e.target.value === '' ? null : Number(e.target.value))}>
            <option value="">— no column —</option>
            {p.columns
              .filter((c) => !isKey(c.index))
              .map((c) => (
                <option key={c.index} value={c.index}>
                  {c.name}
                </option>
              ))}
          </select>
        </label>
        <fieldset className="fieldset">
          <legend>Normalization profile</legend>
          <label className="check">
            <input type="checkbox" checked={s.profile.emailStripPlusAndDots} onChange={(e) => s.setProfile({ emailStripPlusAndDots: e.target.checked })} />
            Emails: remove "+tags" and dots before the @ (TikTok's customer-file guidance)
          </label>
          <label className="check">
            <input type="checkbox" checked={s.profile.phoneKeepPlus} onChange={(e) => s.setProfile({ phoneKeepPlus: e.target.checked })} />
            Phones: hash as +&lt;digits&gt; (TikTok's own example hashes digits only)
          </label>
          <label className="field field-inline">
            <span>Default country for phones without a country code</span>
            <input
              value={s.profile.defaultCountry ?? ''}
              onChange={(e) => s.setProfile({ defaultCountry: e.target.value.trim() === '' ? null : e.target.value.trim().toUpperCase().slice(0, 2) })}
              placeholder="e.g. US"
              size={4}
              maxLength={2}
              aria-invalid={countryInvalid}
              aria-describedby="country-help"
            />
          </label>
          <p id="country-help" className="muted small">
            {countryInvalid ? 'Use a two-letter country code such as US or GB.' : 'Leave empty to reject phones without a country code.'} The profile is saved with the audience and cannot change later.
          </p>
          {mapsPhone && (
            <>
              <label className="field field-inline">
                <span>Country from column</span>
                <select value={s.countryColumn ?? ''} onChange={(e) => s.setCountryColumn(e.target.value === '' ? null : Number(e.target.value))} aria-describedby="country-column-help">
                  <option value="">— none —</option>
                  {p.columns
                    .filter((c) => !isKey(c.index))
                    .map((c) => (
                      <option key={c.index} value={c.index}>
                        {c.name}
                        {c.country ? ' — country codes' : ''}
                      </option>
                    ))}
                </select>
              </label>
              <p id="country-column-help" className="muted small">
                A phone without a country code (030 1234567) is read with its row's country code from this column (DE, US…); where that cell is empty or unknown, the default country above applies. Saved with the audience's mapping.
              </p>
            </>
          )}
        </fieldset>
        <div className="actions">
          <Button onClick={s.resetWizard}>Choose another file</Button>
          <Button type="submit" variant="primary" disabled={s.keyColumn === null || countryInvalid || multiProblem !== null}>
            Next: hash lab
          </Button>
        </div>
      </form>
    </div>
  );
}

const SLOT_FIELD: Record<KeySlot, string> = { email: 'Email column', phone: 'Phone column', maid: 'Mobile ad id column' };

/** One column per key slot (or "not used"); the mobile-ad-id slot also says whether it holds IDFAs or GAIDs. */
function KeySlots({ columns, choices }: { columns: ColumnView[]; choices: KeyChoice[] }) {
  const setSlotChoice = useApp((st) => st.setSlotChoice);
  return (
    <div className="key-slots">
      {KEY_SLOTS.map((slot) => {
        const chosen = choices.find((c) => slotOf(c.key) === slot);
        const keyFor = (column: number): KeyType => {
          if (slot !== 'maid') return slot;
          const d = columns.find((c) => c.index === column)?.detected;
          return chosen?.key ?? (d === 'idfa' || d === 'gaid' ? d : 'idfa');
        };
        return (
          <div key={slot} className="key-slot">
            <label className="field">
              <span>{SLOT_FIELD[slot]}</span>
              <select value={chosen ? String(chosen.column) : ''} onChange={(e) => setSlotChoice(slot, e.target.value === '' ? null : { key: keyFor(Number(e.target.value)), column: Number(e.target.value) })}>
                <option value="">— not used —</option>
                {columns.map((c) => (
                  <option key={c.index} value={c.index}>
                    {c.name}
                    {candidateText(c) ? ` — ${candidateText(c)}` : ''}
                  </option>
                ))}
              </select>
            </label>
            {slot === 'maid' && chosen && (
              <label className="field">
                <span>Mobile ad id type</span>
                <select value={chosen.key} onChange={(e) => setSlotChoice('maid', { key: e.target.value as KeyType, column: chosen.column })}>
                  <option value="idfa">{KEY_LABELS.idfa}</option>
                  <option value="gaid">{KEY_LABELS.gaid}</option>
                </select>
              </label>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** In a multi-key audience the hash lab and validation look at one key at a time: this picks which. */
function KeySwitcher({ disabled = false }: { disabled?: boolean }) {
  const s = useApp(useShallow((st) => ({ multiKey: st.multiKey, choices: st.keyChoices, keyType: st.keyType, keyColumn: st.keyColumn, columns: st.preview.data?.columns ?? [], showKey: st.showKey })));
  if (!s.multiKey) return null;
  return (
    <div className="key-switcher" role="group" aria-label="Key shown">
      <span className="muted small">One key at a time:</span>
      {s.choices.map((c) => {
        const on = c.key === s.keyType && c.column === s.keyColumn;
        const col = s.columns.find((x) => x.index === c.column)?.name ?? `Column ${c.column + 1}`;
        return (
          <Button key={`${c.key}-${c.column}`} size="small" variant={on ? 'primary' : 'secondary'} aria-pressed={on} disabled={disabled} onClick={() => void s.showKey(c)}>
            {`${KEY_LABELS[c.key]} · ${col}`}
          </Button>
        );
      })}
    </div>
  );
}

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
                {d.rows.map((r) => (
                  <tr key={r.line} className={r.reject ? 'row-reject' : ''}>
                    <td className="num">{fmtInt(r.line)}</td>
                    <td className="mono">{r.raw}</td>
                    <td className="mono">{r.normalized ?? '—'}</td>
                    <td className="mono hash">{r.reject ? <Badge tone="bad">{REJECT_REASON_TEXT[r.reject].label}</Badge> : r.passthrough ? `${r.hash ?? ''} (already a hash)` : r.hash}</td>
                  </tr>
                ))}
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

function ReasonRows({ byReason }: { byReason: Partial<Record<RejectReason, number>> }) {
  const entries = (Object.entries(byReason) as [RejectReason, number][]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <p className="muted">No rows were rejected.</p>;
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">Reason</th>
          <th scope="col" className="num">
            Rows
          </th>
          <th scope="col">What to do</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([r, n]) => (
          <tr key={r}>
            <td>{REJECT_REASON_TEXT[r].label}</td>
            <td className="num">{fmtInt(n)}</td>
            <td className="muted">{REJECT_REASON_TEXT[r].explanation}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export { ReasonRows };

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
            <div>
              <dt>Rows read</dt>
              <dd>{fmtInt(d.rowsRead)}</dd>
            </div>
            <div>
              <dt>Valid keys</dt>
              <dd>{fmtInt(d.valid)}</dd>
            </div>
            <div>
              <dt>Rejected</dt>
              <dd className={d.rejected > 0 ? 'warn' : ''}>{fmtInt(d.rejected)}</dd>
            </div>
            <div>
              <dt>Duplicates</dt>
              <dd>{fmtInt(d.duplicates)}</dd>
            </div>
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
                  Wrote {fmtInt(s.rejectsExport.data.written)} rejected rows to{' '}
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
              <>
                <input
                  id="suppress-input"
                  className="visually-hidden"
                  type="file"
                  accept={CSV_ACCEPT}
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void s.setSuppressFile(f);
                    e.target.value = '';
                  }}
                />
                <label htmlFor="suppress-input" className="btn btn-secondary btn-small" aria-busy={s.fileBusy || undefined}>
                  Choose a suppression list…
                </label>
              </>
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
