import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { KEY_LABELS } from '../../../../shared/domain';

/** In a multi-key audience the hash lab and validation look at one key at a time: this picks which. */
export function KeySwitcher({ disabled = false }: { disabled?: boolean }) {
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
