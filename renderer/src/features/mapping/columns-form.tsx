/**
 * Mapping screen → the extra columns of a saved audience's keys (#14 §2: `Email 1`, `Email 2`, every value sent). The
 * keys stay; their columns may change. Before saving, the engine is asked what the change does: when it makes the next
 * sync a full REPLACE (one column ↔ several in a multi-key audience) the screen says so and waits for a second click;
 * a refusal (an "only remove people this app added" audience, an erasure waiting) is shown in its words.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { ButtonWithReason } from '../../ui/button-with-reason';
import { Notice } from '../../ui/states';
import { KEY_LABELS } from '../../../../shared/domain';
import type { KeyType } from '../../../../shared/domain';
import type { AudienceView, ColumnsChangeView, KeyMapping } from '../../../../shared/ipc/dto';
import { MAX_COLUMNS_PER_KEY, extraColumnRefusal } from '../import/import-slice';

type Extras = Partial<Record<KeyType, (string | number)[]>>;

const extrasOf = (keys: readonly KeyMapping[]): Extras => Object.fromEntries(keys.map((k) => [k.key, [...(k.extraColumns ?? [])]]));

/** A column as the user names it: the header text, or (an audience read by position) its 1-based number. */
const shown = (c: string | number) => (typeof c === 'number' ? `column ${c + 1}` : c);

export function ColumnsForm({ audience: a }: { audience: AudienceView }) {
  const { saving, checkColumns, saveColumns } = useApp(useShallow((st) => ({ saving: st.mappingSaving, checkColumns: st.checkColumns, saveColumns: st.saveColumns })));
  const [extras, setExtras] = useState<Extras>(() => extrasOf(a.keys));
  const [typed, setTyped] = useState<Partial<Record<KeyType, string>>>({});
  const [effect, setEffect] = useState<ColumnsChangeView | null>(null);
  const keys: KeyMapping[] = a.keys.map((k) => {
    const more = extras[k.key] ?? [];
    const { extraColumns: _, ...rest } = k;
    return more.length > 0 ? { ...rest, extraColumns: more } : rest;
  });
  const dirty = JSON.stringify(extrasOf(keys)) !== JSON.stringify(extrasOf(a.keys));
  const edit = (key: KeyType, next: (string | number)[]) => {
    setExtras((e) => ({ ...e, [key]: next }));
    setEffect(null);
  };
  /** A typed column: by position (a number) when the audience reads its file by position, else the header text. */
  const columnOf = (k: KeyMapping, text: string): string | number | null => {
    const t = text.trim();
    if (!t) return null;
    if (typeof k.column === 'number') return /^\d+$/.test(t) && Number(t) >= 1 ? Number(t) - 1 : null;
    return t;
  };
  const save = async () => {
    if (await saveColumns(a.id, keys)) setEffect(null);
  };
  const ask = async () => {
    const r = await checkColumns(a.id, keys);
    setEffect(r);
    if (r && r.changes && !r.fullReplace && r.refusal === null) await save();
  };

  return (
    <div className="card stack">
      <h2>Columns of each key</h2>
      <p className="muted small">
        A key can be read from up to {MAX_COLUMNS_PER_KEY} columns of the file (a person with two emails: Email 1, Email 2); every value is sent. The keys themselves stay as they are.
      </p>
      {keys.map((k) => {
        const more = extras[k.key] ?? [];
        const label = KEY_LABELS[k.key];
        const refusal = extraColumnRefusal(k.key, 1 + more.length);
        const t = typed[k.key] ?? '';
        const col = columnOf(k, t);
        const taken = col !== null && [k.column, ...more].some((c) => String(c) === String(col));
        return (
          <div key={k.key} className="stack" role="group" aria-label={`${label} columns`}>
            <p>
              {label} from <span className="mono">{[k.column, ...more].map(shown).join(', ')}</span>{' '}
              {more.map((c) => (
                <Button key={String(c)} size="small" variant="ghost" onClick={() => edit(k.key, more.filter((x) => x !== c))}>
                  Remove {shown(c)}
                </Button>
              ))}
            </p>
            <div className="actions">
              <label className="field field-inline">
                <span>Another {label} column</span>
                <input value={t} onChange={(e) => setTyped((x) => ({ ...x, [k.key]: e.target.value }))} disabled={refusal !== null} placeholder={typeof k.column === 'number' ? 'column number' : 'header, e.g. Email 2'} />
              </label>
              <ButtonWithReason
                size="small"
                why={refusal ?? (taken ? `${shown(col!)} is already one of its columns.` : null)}
                whyId={`columns-${k.key}-why`}
                disabled={refusal !== null || col === null || taken}
                onClick={() => {
                  if (col === null) return;
                  edit(k.key, [...more, col]);
                  setTyped((x) => ({ ...x, [k.key]: '' }));
                }}
              >
                Add {label} column
              </ButtonWithReason>
            </div>
          </div>
        );
      })}
      {effect?.refusal && (
        <Notice tone="warn">
          <p>Not saved: {effect.refusal}</p>
        </Notice>
      )}
      {effect && effect.fullReplace && effect.refusal === null && (
        <Notice tone="warn">
          <p>
            Saving this changes how each person is sent, so the next sync replaces the whole audience at TikTok with the file (a full REPLACE: TikTok allows one a day). Saving sends nothing: that sync shows the
            audience&apos;s size before and after, and is held like any sync that removes more than the audience&apos;s limit. Once the replace went out, earlier syncs can no longer be undone.
          </p>
          <div className="actions">
            <Button variant="danger" busy={saving} onClick={() => void save()}>
              Save; the next sync replaces the audience
            </Button>
            <Button onClick={() => setEffect(null)}>Keep the columns as they are</Button>
          </div>
        </Notice>
      )}
      <div className="actions">
        <Button variant="primary" disabled={!dirty || effect !== null} busy={saving && effect === null} busyLabel="Saving…" onClick={() => void ask()}>
          Save columns
        </Button>
        {dirty && (
          <Button variant="ghost" onClick={() => (setExtras(extrasOf(a.keys)), setEffect(null))}>
            Undo these edits
          </Button>
        )}
      </div>
    </div>
  );
}
