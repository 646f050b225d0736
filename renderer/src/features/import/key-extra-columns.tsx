/**
 * Several values per key (#14 §2) on the columns step: a key read from up to three columns (`Email 1`, `Email 2`), every
 * value sent. The file's look-alike columns are proposed together; a column is added or removed by hand; a fourth is
 * refused with the reason.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { ButtonWithReason } from '../../ui/button-with-reason';
import { KEY_LABELS } from '../../../../shared/domain';
import type { KeyType } from '../../../../shared/domain';
import type { ColumnView } from '../../../../shared/ipc/dto';
import { extraColumnRefusal, liveExtras, sameKeyColumnGroups } from './import-slice';

const nameOf = (columns: readonly ColumnView[], index: number) => columns.find((c) => c.index === index)?.name ?? `Column ${index + 1}`;

/** "Email 1 and Email 2", "a, b and c". */
function andList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The extra columns of one chosen key (`key` read from `column`): the proposal, the list, add and remove. */
export function KeyExtraColumns({ keyType, column, columns }: { keyType: KeyType; column: number; columns: readonly ColumnView[] }) {
  const s = useApp(
    useShallow((st) => ({
      extraColumns: st.extraColumns,
      multiKey: st.multiKey,
      keyChoices: st.keyChoices,
      keyColumn: st.keyColumn,
      keyType: st.keyType,
      preview: st.preview.data,
      add: st.addExtraColumn,
      remove: st.removeExtraColumn,
    })),
  );
  const [picked, setPicked] = useState<string>('');
  const extras = liveExtras(s, keyType);
  const taken = new Set([...(s.multiKey ? s.keyChoices.map((c) => c.column) : [column]), ...extras]);
  const free = columns.filter((c) => !taken.has(c.index));
  const label = KEY_LABELS[keyType];
  const group = sameKeyColumnGroups(s.preview)[keyType] ?? [];
  const proposal = group.includes(column) ? group.filter((c) => !taken.has(c)) : [];
  const refusal = extraColumnRefusal(keyType, 1 + extras.length);
  const chosen = picked !== '' && free.some((c) => String(c.index) === picked) ? Number(picked) : null;
  const id = `extra-${keyType}`;
  return (
    <div className="stack" aria-label={`${label} columns`} role="group">
      {proposal.length > 0 && (
        <p className="small" role="note">
          {andList([column, ...extras, ...proposal].slice(0, 3).map((c) => nameOf(columns, c)))} look like the same key → {label}, every value sent (a person with two is one person with two
          chances to match).{' '}
          <Button size="small" onClick={() => proposal.slice(0, 2 - extras.length).forEach((c) => s.add(keyType, c))} disabled={refusal !== null}>
            Send {proposal.length + extras.length > 1 ? 'all' : 'both'} as {label}
          </Button>
        </p>
      )}
      {extras.length > 0 && (
        <p className="small">
          {label} from {andList([column, ...extras].map((c) => nameOf(columns, c)))}: every value is sent. The hash lab and validation read every column.{' '}
          {extras.map((c) => (
            <Button key={c} size="small" variant="ghost" onClick={() => s.remove(keyType, c)}>
              Remove {nameOf(columns, c)}
            </Button>
          ))}
        </p>
      )}
      <div className="actions">
        <label className="field field-inline">
          <span>Another {label} column</span>
          <select value={chosen === null ? '' : String(chosen)} onChange={(e) => setPicked(e.target.value)} disabled={refusal !== null}>
            <option value="">— choose —</option>
            {free.map((c) => (
              <option key={c.index} value={c.index}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <ButtonWithReason
          size="small"
          why={refusal}
          whyId={`${id}-why`}
          disabled={refusal !== null || chosen === null}
          onClick={() => {
            if (chosen === null) return;
            s.add(keyType, chosen);
            setPicked('');
          }}
        >
          Add {label} column
        </ButtonWithReason>
      </div>
    </div>
  );
}
