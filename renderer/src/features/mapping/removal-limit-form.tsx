/** The audience's safety net: the largest share of its people one sync may remove without asking (or none). */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { DEFAULT_REMOVAL_LIMIT_PCT } from '../../../../shared/domain';

/** Remount it (key) when the saved value changes, so it starts from what the engine holds. */
export function RemovalLimitForm({ id, value }: { id: number; value: number | null }) {
  const { saving, saveMapping } = useApp(useShallow((st) => ({ saving: st.mappingSaving, saveMapping: st.saveMapping })));
  const [on, setOn] = useState(value !== null);
  const [pct, setPct] = useState(String(value ?? DEFAULT_REMOVAL_LIMIT_PCT));
  const n = Number(pct);
  const valid = !on || (pct.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 100);
  const next = on ? n : null;
  const dirty = valid && next !== value;
  return (
    <form
      className="card stack"
      aria-labelledby="removal-limit-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (dirty) void saveMapping(id, { removalLimitPct: next });
      }}
    >
      <h2 id="removal-limit-title">Safety net</h2>
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} />
        Hold a sync that would remove more than a share of this audience
      </label>
      <label className="field">
        <span>Largest share one sync may remove (%)</span>
        <input type="number" inputMode="numeric" min={0} max={100} step={1} value={pct} disabled={!on} onChange={(e) => setPct(e.target.value)} aria-invalid={!valid || undefined} aria-describedby="removal-limit-help" />
      </label>
      {!valid && <p className="warn">Give a whole number from 0 to 100.</p>}
      <p id="removal-limit-help" className="muted small">
        {on
          ? `A sync that would remove more than ${valid ? n : '…'} % of the people in this audience sends nothing until you choose "Sync anyway (once)" or "Keep audience as is", so a broken export never empties it. Scheduled syncs notify you. The first sync and an undo are never held.`
          : 'Off: syncs are never held for the people they remove (TikTok\'s 1,000 floor still applies).'}
      </p>
      <div className="actions">
        <Button type="submit" variant="primary" busy={saving} busyLabel="Saving…" disabled={!dirty}>
          Save safety net
        </Button>
      </div>
    </form>
  );
}
