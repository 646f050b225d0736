/** Wizard step 2: the file's first rows, the key column(s) and type, the record and country columns, the normalization profile. */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtBytes, fmtInt, fmtPercent } from '../../app/format';
import { Button } from '../../ui/button';
import { EmptyState, Notice } from '../../ui/states';
import { KEY_LABELS, KEY_TYPES } from '../../../../shared/domain';
import type { KeyType } from '../../../../shared/domain';
import type { ColumnView, DetectedKind, KeySlot } from '../../../../shared/ipc/dto';
import { KEY_SLOTS, slotOf } from '../../app/keys';
import { detectedKeyColumns, liveExtras, multiKeyProblem } from './import-slice';
import { KeyExtraColumns } from './key-extra-columns';
import type { KeyChoice } from './import-slice';

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

/** A key column's choices: each column by name, with what it looks like ("email — Email, 96 % usable"). */
function ColumnOptions({ columns }: { columns: readonly ColumnView[] }) {
  return columns.map((c) => (
    <option key={c.index} value={c.index}>
      {c.name}
      {candidateText(c) ? ` — ${candidateText(c)}` : ''}
    </option>
  ));
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
      extraColumns: st.extraColumns,
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
  const keyColumns = new Set([
    ...(s.multiKey ? s.keyChoices.map((c) => c.column) : s.keyColumn === null ? [] : [s.keyColumn]),
    ...(s.multiKey ? s.keyChoices.flatMap((c) => liveExtras(s, c.key)) : liveExtras(s, s.keyType)),
  ]);
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
                <ColumnOptions columns={p.columns} />
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
            {keyCol && <KeyExtraColumns keyType={s.keyType} column={keyCol.index} columns={p.columns} />}
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
                <ColumnOptions columns={columns} />
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
            {chosen && <KeyExtraColumns keyType={chosen.key} column={chosen.column} columns={columns} />}
          </div>
        );
      })}
    </div>
  );
}
